import { AttributeType, TensorDataType } from './onnx-schema';
import {
  encodeModel,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-proto';

export const OPSET = 17;
const IR_VERSION = 8;

/** A float32 tensor held in memory (row-major). */
export interface FloatTensor {
  dims: number[];
  data: Float32Array;
}

/** Marks an attribute value as float even when it is a whole number (e.g. alpha = 1). */
export class FloatAttr {
  constructor(readonly value: number) {}
}
export type AttrValue = number | number[] | string | FloatAttr | FloatTensor;

/** Dimension of a graph input/output: a number, or a name for a dynamic one. */
export type Dim = number | string;

function attribute(name: string, value: AttrValue): OnnxAttribute {
  if (value instanceof FloatAttr) return { name, type: AttributeType.FLOAT, f: value.value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: Buffer.from(value, 'utf8') };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? { name, type: AttributeType.INT, i: value }
      : { name, type: AttributeType.FLOAT, f: value };
  }
  return { name, type: AttributeType.TENSOR, t: floatTensorProto('value', value) };
}

export function floatTensorProto(name: string, t: FloatTensor): OnnxTensor {
  const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name, dims: t.dims, dataType: TensorDataType.FLOAT, rawData: bytes };
}

function valueInfo(name: string, dims: Dim[] | null, elemType: number = TensorDataType.FLOAT): OnnxValueInfo {
  const tensorType: NonNullable<NonNullable<OnnxValueInfo['type']>['tensorType']> = { elemType };
  if (dims) tensorType.shape = { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType } };
}

/**
 * Collects nodes, initializers and graph inputs/outputs and encodes them as an ONNX model.
 * Value names are made unique with a counter, so the same sequence of calls gives the same bytes.
 */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  readonly valueInfos: OnnxValueInfo[] = [];
  private readonly initializerNames = new Set<string>();
  private readonly constants = new Map<string, string>();
  private counter = 0;

  /** A fresh value name; `hint` keeps the graph readable in Netron and in error messages. */
  fresh(hint: string): string {
    return `${hint}:${this.counter++}`;
  }

  node(
    opType: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    hint: string = opType.toLowerCase(),
    outputCount = 1,
  ): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.fresh(hint));
    this.nodes.push({
      input: inputs,
      output: outputs,
      name: `${hint}#${this.nodes.length}`,
      opType,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** A node with one output: the common case. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, hint?: string): string {
    return this.node(opType, inputs, attrs, hint)[0];
  }

  hasInitializer(name: string): boolean {
    return this.initializerNames.has(name);
  }

  /** Adds a named float initializer once; later calls with the same name reuse it. */
  initializer(name: string, tensor: FloatTensor): string {
    if (!this.initializerNames.has(name)) {
      this.initializerNames.add(name);
      this.initializers.push(floatTensorProto(name, tensor));
    }
    return name;
  }

  /** An int64 constant (shapes, axes, pads), shared between all nodes that use the same values. */
  int64(values: number[]): string {
    const key = `i64:${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = `const_i64_${this.constants.size}`;
      const data = new BigInt64Array(values.map((v) => BigInt(v)));
      this.initializers.push({
        name,
        dims: [values.length],
        dataType: TensorDataType.INT64,
        rawData: Buffer.from(data.buffer),
      });
      this.initializerNames.add(name);
      this.constants.set(key, name);
    }
    return name;
  }

  /** A float constant (scalars or small tensors), shared like int64(). */
  float(values: number[], dims: number[] = [values.length]): string {
    const key = `f32:${dims.join('x')}:${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = `const_f32_${this.constants.size}`;
      this.initializer(name, { dims, data: Float32Array.from(values) });
      this.constants.set(key, name);
    }
    return name;
  }

  input(name: string, dims: Dim[], elemType: number = TensorDataType.FLOAT): string {
    this.inputs.push(valueInfo(name, dims, elemType));
    return name;
  }

  /** Declares `value` as a graph output named `name` (an Identity renames it when needed). */
  output(name: string, value: string, dims: Dim[] | null = null): void {
    if (value !== name)
      this.nodes.push({ input: [value], output: [name], name: `output:${name}`, opType: 'Identity', attribute: [] });
    this.outputs.push(valueInfo(name, dims));
  }

  /**
   * Declares the shape of an intermediate value. ONNX shape inference cannot follow a Reshape
   * whose target holds -1 or a computed T, and ONNX Runtime fuses a residual Add into the
   * preceding Conv only when it can prove both inputs have the same shape: naming the
   * leading dimension symbolically gives it that proof.
   */
  shape(name: string, dims: Dim[]): string {
    this.valueInfos.push(valueInfo(name, dims));
    return name;
  }

  toModel(metadata: Record<string, string> = {}, graphName = 'graph'): OnnxModel {
    return {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'amsnet-clinic',
      producerVersion: '1',
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
        valueInfo: this.valueInfos,
      },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    };
  }

  encode(metadata: Record<string, string> = {}, graphName = 'graph'): Uint8Array {
    return encodeModel(this.toModel(metadata, graphName));
  }
}

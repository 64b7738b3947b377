import type { FloatTensor } from '../onnx/graph-builder';
import type { OnnxModel, OnnxNode, OnnxTensor } from '../onnx/onnx-proto';
import { TensorDataType } from '../onnx/onnx-schema';

/** Producers, consumers and initializers of a decoded graph, for graph-to-graph transforms. */
export class GraphView {
  readonly initializers = new Map<string, OnnxTensor>();
  readonly producer = new Map<string, OnnxNode>();
  readonly consumers = new Map<string, OnnxNode[]>();

  constructor(readonly model: OnnxModel) {
    for (const t of model.graph.initializer) this.initializers.set(t.name, t);
    for (const n of model.graph.node) {
      for (const o of n.output) this.producer.set(o, n);
      for (const i of n.input) if (i) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
    }
  }

  floatInitializer(name: string): FloatTensor | null {
    const t = this.initializers.get(name);
    if (!t || t.dataType !== TensorDataType.FLOAT) return null;
    const dims = (t.dims ?? []).map(Number);
    if (t.rawData && t.rawData.length) {
      const data = new Float32Array(t.rawData.length / 4);
      new Uint8Array(data.buffer).set(t.rawData); // copy: raw bytes need not be 4-byte aligned
      return { dims, data };
    }
    return { dims, data: Float32Array.from(t.floatData ?? []) };
  }

  int64Initializer(name: string): number[] | null {
    const t = this.initializers.get(name);
    if (!t || t.dataType !== TensorDataType.INT64) return null;
    if (t.rawData && t.rawData.length) {
      const copy = new Uint8Array(t.rawData.length);
      copy.set(t.rawData);
      return Array.from(new BigInt64Array(copy.buffer), Number);
    }
    return (t.int64Data ?? []).map(Number);
  }

  /**
   * A constant float tensor: an initializer, or a chain of Slices of one with constant bounds (the
   * builder slices conv weights and biases per channel part). `key` names it by its source and
   * slices, the same in every form of the graph.
   */
  constantFloat(name: string): { key: string; tensor: FloatTensor } | null {
    const direct = this.floatInitializer(name);
    if (direct) return { key: name, tensor: direct };
    const n = this.producer.get(name);
    if (!n || n.opType !== 'Slice' || n.input.length < 4 || (n.input[4] ?? '') !== '') return null;
    const source = this.constantFloat(n.input[0]);
    const [starts, ends, axes] = [1, 2, 3].map((i) => this.int64Initializer(n.input[i]));
    if (!source || !starts || !ends || !axes || starts.length !== 1 || ends.length !== 1 || axes.length !== 1)
      return null;
    const tensor = sliceAxis(source.tensor, axes[0], starts[0], ends[0]);
    return { key: `${source.key}[${axes[0]}:${starts[0]}:${ends[0]}]`, tensor };
  }
}

/** x[start:end] along one axis (numpy semantics for in-range bounds). */
export function sliceAxis(t: FloatTensor, axis: number, start: number, end: number): FloatTensor {
  const dims = t.dims;
  const a = axis < 0 ? axis + dims.length : axis;
  const size = dims[a];
  const from = Math.max(0, Math.min(size, start < 0 ? start + size : start));
  const to = Math.max(from, Math.min(size, end < 0 ? end + size : end));
  const outer = dims.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = dims.slice(a + 1).reduce((p, d) => p * d, 1);
  const out = new Float32Array(outer * (to - from) * inner);
  for (let o = 0; o < outer; o++)
    out.set(t.data.subarray((o * size + from) * inner, (o * size + to) * inner), o * (to - from) * inner);
  const outDims = [...dims];
  outDims[a] = to - from;
  return { dims: outDims, data: out };
}

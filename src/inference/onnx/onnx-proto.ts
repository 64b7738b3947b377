import protobuf from 'protobufjs';
import { ONNX_SCHEMA } from './onnx-schema';

/** Plain-object forms of the ONNX messages, as protobufjs reads and writes them (camelCase). */
export interface OnnxDimension {
  dimValue?: number;
  dimParam?: string;
}
export interface OnnxValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: OnnxDimension[] } } };
}
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  g?: OnnxGraph;
  sparseTensor?: OnnxSparseTensor;
  floats?: number[];
  ints?: number[];
}
export interface OnnxNode {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  attribute?: OnnxAttribute[];
}
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int64Data?: number[];
  /** key/value pairs naming a file (location, offset, length): never admitted, see self-contained.ts */
  externalData?: { key: string; value: string }[];
  /** 1 = EXTERNAL */
  dataLocation?: number;
}
export interface OnnxSparseTensor {
  values: OnnxTensor;
  indices: OnnxTensor;
  dims: number[];
}
export interface OnnxFunction {
  name: string;
  domain?: string;
  input: string[];
  output: string[];
  node: OnnxNode[];
  opsetImport: { domain?: string; version: number }[];
}
export interface OnnxGraph {
  name?: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  sparseInitializer?: OnnxSparseTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  valueInfo?: OnnxValueInfo[];
}
export interface OnnxModel {
  irVersion: number;
  opsetImport: { domain?: string; version: number }[];
  producerName?: string;
  producerVersion?: string;
  graph: OnnxGraph;
  metadataProps?: { key: string; value: string }[];
  functions?: OnnxFunction[];
}

const root = protobuf.Root.fromJSON(ONNX_SCHEMA as unknown as protobuf.INamespace);
const ModelProto = root.lookupType('onnx.ModelProto');

export function encodeModel(model: OnnxModel): Uint8Array {
  const message = ModelProto.fromObject(model as unknown as Record<string, unknown>);
  return ModelProto.encode(message).finish();
}

/** Decodes a model; bytes fields stay views into `bytes` (no copy of the weights). */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const message = ModelProto.decode(bytes);
  const model = ModelProto.toObject(message, { longs: Number, arrays: true, defaults: false }) as OnnxModel;
  if (!model.graph) throw new Error('not an ONNX model: no graph');
  model.graph.node ??= [];
  model.graph.initializer ??= [];
  model.graph.input ??= [];
  model.graph.output ??= [];
  return model;
}

export function metadataOf(model: OnnxModel): Map<string, string> {
  return new Map((model.metadataProps ?? []).map((e) => [e.key, e.value]));
}

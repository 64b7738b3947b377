import * as ort from 'onnxruntime-node';
import { sha256Hex } from './amsnet/build-model';
import { streamingFormOf } from './amsnet/streaming-form';
import { INPUT_NAME, type ModelContract, contractFromModel } from './model-contract';
import { type OnnxModel, decodeModel, encodeModel, metadataOf } from './onnx/onnx-proto';
import { type Precision, precisionOf } from './quantize/quantize-model';

const INT8 = 3;
import { assertSelfContainedModel } from './onnx/self-contained';
import { TensorDataType } from './onnx/onnx-schema';

export interface ModelInspection {
  sha256: string;
  sizeBytes: number;
  /** null when the file lacks contract metadata; `contractError` then says what is missing. */
  contract: ModelContract | null;
  contractError?: string;
  variant: string | null;
  /** Float parameters stored in the graph (after BN folding, when the builder folded it). */
  parameterCount: number;
  /** Conv/MatMul/Gemm multiply-adds ×2 of one segment of one embryo; null when it cannot run. */
  gflopsPerStep: number | null;
  supportsStreaming: boolean;
  /** int8 for a model quantised by `amsnet model build --quantize int8` (its metadata says so). */
  precision: Precision;
  opCounts: Record<string, number>;
}

const COUNTED = new Set(['Conv', 'MatMul', 'Gemm']);

function attrInt(node: OnnxModel['graph']['node'][number], name: string, fallback: number): number {
  const a = node.attribute?.find((x) => x.name === name);
  return a?.i !== undefined ? Number(a.i) : fallback;
}

/**
 * FLOPs from the real tensor shapes: the graph is run once on a [1,1,F,S,S] input with the
 * inputs and outputs of every Conv/MatMul/Gemm exposed as extra outputs, so foreign graphs are
 * measured the same way as ours.
 */
async function measureGflops(model: OnnxModel, contract: ModelContract): Promise<number> {
  const initializerDims = new Map(model.graph.initializer.map((t) => [t.name, (t.dims ?? []).map(Number)]));
  const wanted = new Set<string>();
  const counted = model.graph.node.filter((n) => COUNTED.has(n.opType));
  for (const n of counted) {
    for (const v of [...n.input.slice(0, 2), n.output[0]]) if (v && !initializerDims.has(v)) wanted.add(v);
  }
  const existing = new Set(model.graph.output.map((o) => o.name));
  const probe: OnnxModel = {
    ...model,
    graph: {
      ...model.graph,
      output: [
        ...model.graph.output,
        ...[...wanted]
          .filter((v) => !existing.has(v))
          .map((name) => ({ name, type: { tensorType: { elemType: TensorDataType.FLOAT } } })),
      ],
    },
  };
  const session = await ort.InferenceSession.create(encodeModel(probe), { graphOptimizationLevel: 'disabled' });
  try {
    const F = contract.focalPlanesUm.length;
    const S = contract.inputSize;
    const frames = new ort.Tensor('float32', new Float32Array(F * S * S).fill(0.5), [1, 1, F, S, S]);
    const result = await session.run({ [INPUT_NAME]: frames }, [...wanted]);
    const dims = (v: string) => initializerDims.get(v) ?? (result[v].dims as number[]);
    let flops = 0;
    for (const n of counted) {
      const out = dims(n.output[0]);
      const outCount = out.reduce((a, b) => a * b, 1);
      if (n.opType === 'Conv') {
        const w = dims(n.input[1]);
        flops += 2 * outCount * w.slice(1).reduce((a, b) => a * b, 1);
      } else if (n.opType === 'MatMul') {
        const a = dims(n.input[0]);
        flops += 2 * outCount * a[a.length - 1];
      } else {
        const a = dims(n.input[0]);
        flops += 2 * outCount * (attrInt(n, 'transA', 0) ? a[0] : a[1]);
      }
    }
    return flops / 1e9;
  } finally {
    await session.release();
  }
}

export async function inspectModel(onnx: Uint8Array, overrides: Partial<ModelContract> = {}): Promise<ModelInspection> {
  // the probe below runs the graph: a file that reads other files is refused, not measured
  assertSelfContainedModel(onnx);
  const model = decodeModel(onnx);
  const sha256 = sha256Hex(onnx);
  let contract: ModelContract | null = null;
  let contractError: string | undefined;
  try {
    contract = contractFromModel(model, overrides);
  } catch (e) {
    contractError = (e as Error).message;
  }
  let parameterCount = 0;
  for (const t of model.graph.initializer) {
    const weights = t.dataType === TensorDataType.FLOAT || t.dataType === INT8;
    if (weights && !t.name.startsWith('const_') && !t.name.startsWith('q.act'))
      parameterCount += (t.dims ?? []).map(Number).reduce((a, b) => a * b, 1);
  }
  const opCounts: Record<string, number> = {};
  for (const n of model.graph.node) opCounts[n.opType] = (opCounts[n.opType] ?? 0) + 1;
  let gflopsPerStep: number | null = null;
  if (contract) {
    try {
      gflopsPerStep = await measureGflops(model, contract);
    } catch {
      gflopsPerStep = null;
    }
  }
  return {
    sha256,
    sizeBytes: onnx.length,
    contract,
    contractError,
    variant: contract?.variant ?? null,
    parameterCount,
    gflopsPerStep,
    supportsStreaming: streamingFormOf(model, sha256) !== null,
    precision: precisionOf(metadataOf(model)),
    opCounts,
  };
}

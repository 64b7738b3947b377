import type { FloatTensor } from '../onnx/graph-builder';
import { encodeModel, type OnnxModel, metadataOf } from '../onnx/onnx-proto';
import { TensorDataType } from '../onnx/onnx-schema';
import { isVariant, validateConfig, type AmsnetConfig } from './config';
import { BUILDER_METADATA_KEY, BUILDER_VERSION, type BuilderRecord, sha256Hex } from './build-model';
import type { StateSite } from './emit-context';
import { emitAmsnet } from './emit-graph';
import { PRECISION_KEY } from '../quantize/quantize-model';
import { rewriteToStream } from '../quantize/stream-rewrite';

export interface StreamingForm {
  onnx: Uint8Array;
  sites: StateSite[];
}

function floatInitializers(model: OnnxModel): Map<string, FloatTensor> {
  const out = new Map<string, FloatTensor>();
  for (const t of model.graph.initializer) {
    if (t.dataType !== TensorDataType.FLOAT) continue;
    const dims = (t.dims ?? []).map(Number);
    let data: Float32Array;
    if (t.rawData && t.rawData.length) {
      data = new Float32Array(t.rawData.length / 4);
      new Uint8Array(data.buffer).set(t.rawData); // copy: raw bytes in the file need not be 4-byte aligned
    } else data = Float32Array.from(t.floatData ?? []);
    out.set(t.name, { dims, data });
  }
  return out;
}

/**
 * The streaming form of a model that this builder made: the builder record in the metadata and
 * the graph's own initializers are enough to emit it. To make sure the file really is the
 * builder's graph (not edited since), the whole-sequence graph is emitted again from the same
 * record and initializers and must reproduce the file byte for byte; otherwise (a foreign or
 * edited model) null — such a model is scored by whole-sequence runs only.
 */
export function streamingFormOf(model: OnnxModel, fileSha256: string): StreamingForm | null {
  const meta = metadataOf(model);
  const raw = meta.get(BUILDER_METADATA_KEY);
  if (!raw) return null;
  let record: BuilderRecord;
  try {
    record = JSON.parse(raw) as BuilderRecord;
  } catch {
    return null;
  }
  if (
    record.version !== BUILDER_VERSION ||
    !isVariant(record.variant) ||
    (record.bnMode !== 'fold' && record.bnMode !== 'node')
  )
    return null;
  const config: AmsnetConfig = {
    variant: record.variant,
    planes: record.planes,
    width: record.width,
    blocks: record.blocks,
    inputSize: record.inputSize,
  };
  try {
    validateConfig(config);
    // An int8 model cannot be emitted again from float weights: its streaming form is its own
    // graph with the temporal shifts' zero padding turned into carried state.
    if (meta.get(PRECISION_KEY) === 'int8') return rewriteToStream(model);
    const params = floatInitializers(model);
    const sequence = emitAmsnet({ config, params, bnMode: record.bnMode, form: 'sequence' });
    const again = encodeModel({
      ...sequence.g.toModel({}, model.graph.name ?? 'graph'),
      metadataProps: model.metadataProps,
    });
    if (sha256Hex(again) !== fileSha256) return null;
    const stream = emitAmsnet({ config, params, bnMode: record.bnMode, form: 'stream' });
    return { onnx: stream.g.encode({}, `${model.graph.name ?? 'graph'}-stream`), sites: stream.ctx.stateSites };
  } catch {
    return null;
  }
}

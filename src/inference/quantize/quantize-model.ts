import { createHash } from 'node:crypto';
import { BUILDER_METADATA_KEY, sha256Hex } from '../amsnet/build-model';
import { decodeModel, encodeModel, metadataOf } from '../onnx/onnx-proto';
import { calibrateRanges } from './calibrate';
import { quantizeGraph } from './qdq-transform';

/** Metadata of a quantised model: `amsnet.precision` = int8 and how it was made. */
export const PRECISION_KEY = 'amsnet.precision';
export const QUANTIZATION_KEY = 'amsnet.quantization';

export type Precision = 'fp32' | 'int8';

export interface QuantizationRecord {
  scheme: 'int8-qdq-static';
  weights: string;
  activations: string;
  /** The float32 model it was made from. */
  sourceSha256: string;
  calibration: { embryos: number; segments: number; framesSha256: string };
}

/** A model's precision as its metadata states it (a file without the key is float32). */
export function precisionOf(meta: Map<string, string>): Precision {
  return meta.get(PRECISION_KEY) === 'int8' ? 'int8' : 'fp32';
}

/**
 * The int8 (static, QDQ) form of a float32 model made by this builder, calibrated on frames
 * [B,T,F,S,S]. The result says what it is in its metadata (precision, scheme, the source model's
 * sha256 and the calibration frames' digest), so it can never pass for the float32 model.
 */
export async function quantizeModel(
  fp32: Uint8Array,
  calibration: { frames: Float32Array; batch: number; segments: number },
): Promise<{ onnx: Uint8Array; sha256: string; record: QuantizationRecord }> {
  const model = decodeModel(fp32);
  const meta = metadataOf(model);
  if (!meta.has(BUILDER_METADATA_KEY))
    throw new Error(
      'only models built by amsnet-clinic can be quantised (their streaming form is derived from the graph)',
    );
  if (precisionOf(meta) !== 'fp32') throw new Error('the model is already quantised');
  const ranges = await calibrateRanges(model, calibration.frames, calibration.batch, calibration.segments);
  const quantised = quantizeGraph(model, ranges);
  const record: QuantizationRecord = {
    scheme: 'int8-qdq-static',
    weights: 'int8, symmetric, per output channel (conv)',
    activations: 'uint8, asymmetric, per tensor, min/max over the calibration frames (conv inputs and outputs)',
    sourceSha256: sha256Hex(fp32),
    calibration: {
      embryos: calibration.batch,
      segments: calibration.segments,
      framesSha256: createHash('sha256')
        .update(new Uint8Array(calibration.frames.buffer, calibration.frames.byteOffset, calibration.frames.byteLength))
        .digest('hex'),
    },
  };
  quantised.metadataProps = [
    ...(model.metadataProps ?? []),
    { key: PRECISION_KEY, value: 'int8' },
    { key: QUANTIZATION_KEY, value: JSON.stringify(record) },
  ];
  quantised.graph = { ...quantised.graph, name: `${model.graph.name ?? 'graph'}-int8` };
  const onnx = encodeModel(quantised);
  return { onnx, sha256: sha256Hex(onnx), record };
}

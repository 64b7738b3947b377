import { Decoder } from '@cornerstonejs/jpeg-lossless-decoder-js/release/cjs/lossless.cjs';
import type { DecodedFrame } from '../decoded-frame';

/**
 * JPEG lossless (ITU-T T.81 process 14, any selection value, 2–16 bits, 1–4 components) with
 * cornerstonejs' maintained decoder. Components come out pixel-interleaved.
 */
export function decodeJpegLossless(bytes: Uint8Array): DecodedFrame {
  const decoder = new Decoder();
  // the decoder reads from an ArrayBuffer: hand it exactly this frame's bytes
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const data = decoder.decode(buffer, 0, buffer.byteLength);
  const { xDim: width, yDim: height, numComp: components } = decoder;
  if (data.length !== width * height * components) {
    throw new Error(`JPEG lossless decoding produced ${data.length} of ${width * height * components} samples`);
  }
  return { data, width, height, components, bitsPerSample: decoder.precision };
}

import charlsFactory from '@cornerstonejs/codec-charls/decodewasmjs';
import openjpegFactory from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import openjphFactory from '@cornerstonejs/codec-openjph';
import { interleave, type DecodedFrame, type SampleArray } from '../decoded-frame';
import type { FrameInfo, J2KFamilyModule, JpegLsModule, WasmDecoder } from './cornerstone-codec-types';
import { WasmCodec } from './wasm-codec';

/** What the DICOM header says a frame is; a code stream that disagrees is refused before it is decoded. */
export interface FrameShape {
  width: number;
  height: number;
  components: number;
}

const openjpeg = new WasmCodec<J2KFamilyModule<'J2KDecoder'>>('JPEG 2000 (OpenJPEG)', openjpegFactory);
const openjph = new WasmCodec<J2KFamilyModule<'HTJ2KDecoder'>>('HTJ2K (OpenJPH)', openjphFactory);
const charls = new WasmCodec<JpegLsModule>('JPEG-LS (CharLS)', charlsFactory);

export function checkShape(kind: string, found: FrameShape, expected: FrameShape): void {
  if (found.width !== expected.width || found.height !== expected.height || found.components !== expected.components) {
    throw new Error(
      `${kind} code stream is ${found.width}×${found.height} with ${found.components} component(s), ` +
        `the DICOM header says ${expected.width}×${expected.height} with ${expected.components}`,
    );
  }
}

/** JPEG 2000. The caller checked the code stream's size against the DICOM header (readJ2kHeader) first. */
export function decodeJpeg2000(bytes: Uint8Array, expected: FrameShape): Promise<DecodedFrame> {
  return openjpeg.run((m) => decodeWith(new m.J2KDecoder(), bytes, expected, 'JPEG 2000'));
}

/** High-throughput JPEG 2000, as decodeJpeg2000. */
export function decodeHtj2k(bytes: Uint8Array, expected: FrameShape): Promise<DecodedFrame> {
  return openjph.run((m) => decodeWith(new m.HTJ2KDecoder(), bytes, expected, 'HTJ2K'));
}

/** JPEG-LS. The caller checked the frame header against the DICOM header (readJpegHeader) first. */
export function decodeJpegLs(bytes: Uint8Array, expected: FrameShape): Promise<DecodedFrame> {
  return charls.run((m) => {
    const decoder = new m.JpegLSDecoder();
    return decodeWith(decoder, bytes, expected, 'JPEG-LS', (frame) => {
      // interleave mode 0: each component is a separate scan, decoded one plane after the other
      if (frame.components > 1 && decoder.getInterleaveMode() === 0)
        frame.data = interleave(frame.data, frame.width * frame.height, frame.components);
    });
  });
}

function decodeWith(
  decoder: WasmDecoder,
  bytes: Uint8Array,
  expected: FrameShape,
  kind: string,
  finish?: (frame: DecodedFrame) => void,
): DecodedFrame {
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    const frame = samplesOf(decoder, decoder.getFrameInfo(), kind);
    checkShape(kind, frame, expected);
    finish?.(frame);
    return frame;
  } finally {
    decoder.delete();
  }
}

/**
 * Copies the decoded pixels out of the module's memory into a typed array of the stream's sample
 * size. OpenJPEG and OpenJPH report some failures only by printing them and returning no image:
 * the message is added by WasmCodec.
 */
function samplesOf(decoder: WasmDecoder, info: FrameInfo, kind: string): DecodedFrame {
  const decoded = decoder.getDecodedBuffer();
  const bytesPerSample = info.bitsPerSample <= 8 ? 1 : 2;
  const expectedLength = info.width * info.height * info.componentCount * bytesPerSample;
  if (!info.width) throw new Error(`the ${kind} decoder returned no image`);
  if (decoded.length !== expectedLength)
    throw new Error(`the ${kind} decoder returned ${decoded.length} of ${expectedLength} bytes`);
  const copy = decoded.slice().buffer; // own, aligned memory: the module's heap is reused by the next call
  const data: SampleArray =
    bytesPerSample === 1
      ? info.isSigned
        ? new Int8Array(copy)
        : new Uint8Array(copy)
      : info.isSigned
        ? new Int16Array(copy)
        : new Uint16Array(copy);
  return {
    data,
    width: info.width,
    height: info.height,
    components: info.componentCount,
    bitsPerSample: info.bitsPerSample,
  };
}

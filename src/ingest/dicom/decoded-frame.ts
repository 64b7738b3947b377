/** Sample values as a decoder hands them over: stored bits, two's complement when signed. */
export type SampleArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** One decoded frame: samples pixel-interleaved (R1 G1 B1 R2 … for colour), rows top to bottom. */
export interface DecodedFrame {
  data: SampleArray;
  width: number;
  height: number;
  components: number;
  /** Sample precision the code stream declares, when it has one. */
  bitsPerSample?: number;
}

/** Planar colour (all R, all G, all B) to pixel-interleaved. */
export function interleave<T extends SampleArray>(planar: T, pixels: number, components: number): T {
  const out = new (planar.constructor as new (length: number) => T)(pixels * components);
  for (let c = 0; c < components; c++) {
    const plane = c * pixels;
    for (let i = 0; i < pixels; i++) out[i * components + c] = planar[plane + i];
  }
  return out;
}

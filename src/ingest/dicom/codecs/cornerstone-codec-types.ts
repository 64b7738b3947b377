/** The parts of the cornerstonejs codec modules (emscripten + embind) the importer uses. */
export interface EmscriptenOptions {
  /** Where the module's stdout and stderr lines go (OpenJPEG and OpenJPH explain failures there). */
  print(text: string): void;
  printErr(text: string): void;
}

export type EmscriptenFactory<M> = (options?: Partial<EmscriptenOptions>) => Promise<M>;

export interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** An embind decoder: copy the code stream into its buffer, decode, read the pixels, delete. */
export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

export type J2KFamilyModule<Name extends string> = { [K in Name]: new () => WasmDecoder };

export interface JpegLsDecoder extends WasmDecoder {
  /** 0: one component after the other (planar), 1: line interleaved, 2: sample interleaved. */
  getInterleaveMode(): number;
}

export interface JpegLsModule {
  JpegLSDecoder: new () => JpegLsDecoder;
}

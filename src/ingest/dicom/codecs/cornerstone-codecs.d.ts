/**
 * The cornerstonejs WebAssembly codec builds ship no types: each exports an emscripten factory.
 * Their shape is described in cornerstone-codec-types.ts and asserted where they are loaded.
 */
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options?: object) => Promise<unknown>;
  export = factory;
}

declare module '@cornerstonejs/codec-openjph' {
  const factory: (options?: object) => Promise<unknown>;
  export = factory;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (options?: object) => Promise<unknown>;
  export = factory;
}

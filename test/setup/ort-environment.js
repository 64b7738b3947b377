// onnxruntime-node checks `data instanceof Float32Array` against the constructors of the outer
// Node realm; Jest's VM gives each test file its own typed-array constructors, so tensors built in
// tests would be refused. Copy the outer constructors into the test global.
const { TestEnvironment } = require('jest-environment-node');

const TYPED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED) this.global[name] = globalThis[name];
    this.global.Buffer = Buffer;
  }
}

module.exports = OrtEnvironment;

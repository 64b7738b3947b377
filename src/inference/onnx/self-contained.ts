/**
 * The gate every model passes before ONNX Runtime sees its bytes.
 *
 * An ONNX tensor may keep its bytes in a file beside the model (TensorProto.data_location =
 * EXTERNAL, external_data = {location, offset, length}). ONNX Runtime resolves such a location
 * against the process's working directory when a model is loaded from bytes, so a model file could
 * make the server read its own files (e.g. DATA_DIR/jwt-secret) and hand their bytes back as
 * outputs. amsnet-clinic stores every model as one self-contained file, so a tensor with external
 * data is refused wherever it sits: initializers and sparse initializers of every graph, attribute
 * tensors (a Constant's value, sparse values), subgraphs of If/Loop/Scan at any depth, model-local
 * functions and training graphs.
 *
 * The walk reads the protobuf wire format itself instead of protobufjs' decoded object: ONNX
 * Runtime's C++ parser merges repeated occurrences of a singular message field (two `graph`
 * fields become one graph holding both initializer lists) while protobufjs keeps only the last,
 * so a decoded object can hide a tensor that ONNX Runtime loads. Here every occurrence of every
 * field that can hold a tensor is visited.
 */

export type UnsafeModelReason = 'external-data' | 'ort-format' | 'malformed';

/** A model file that must not reach ONNX Runtime; the message says why and what to do. */
export class UnsafeModelError extends Error {
  override name = 'UnsafeModelError';
  constructor(
    readonly reason: UnsafeModelReason,
    message: string,
  ) {
    super(message);
  }
}

type Kind = 'model' | 'training' | 'function' | 'graph' | 'node' | 'attribute' | 'sparse' | 'tensor';

/** Fields (by number, from onnx.proto) that hold a message which can contain a tensor. */
const CHILDREN: Record<Kind, Record<number, { kind: Kind; role: string }>> = {
  model: {
    7: { kind: 'graph', role: 'graph' },
    20: { kind: 'training', role: 'training info' },
    25: { kind: 'function', role: 'function' },
  },
  training: { 1: { kind: 'graph', role: 'initialization graph' }, 2: { kind: 'graph', role: 'algorithm graph' } },
  function: { 7: { kind: 'node', role: 'node' }, 11: { kind: 'attribute', role: 'attribute' } },
  graph: {
    1: { kind: 'node', role: 'node' },
    5: { kind: 'tensor', role: 'initializer' },
    15: { kind: 'sparse', role: 'sparse initializer' },
  },
  node: { 5: { kind: 'attribute', role: 'attribute' } },
  attribute: {
    5: { kind: 'tensor', role: 'tensor' },
    6: { kind: 'graph', role: 'graph' },
    10: { kind: 'tensor', role: 'tensor' },
    11: { kind: 'graph', role: 'graph' },
    22: { kind: 'sparse', role: 'sparse tensor' },
    23: { kind: 'sparse', role: 'sparse tensor' },
  },
  sparse: { 1: { kind: 'tensor', role: 'values' }, 2: { kind: 'tensor', role: 'indices' } },
  tensor: {},
};

/** The string field that names a message of each kind, for the refusal's message. */
const NAME_FIELD: Partial<Record<Kind, number>> = { function: 1, graph: 2, node: 3, attribute: 1, tensor: 8 };

const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_DATA_LOCATION = 14;
/** ONNX Runtime's C++ protobuf parser stops at 100 levels of nesting; no real model comes close. */
const MAX_DEPTH = 100;
const MAX_REPORTED = 3;

const WIRE = { VARINT: 0, FIXED64: 1, LENGTH: 2, START_GROUP: 3, END_GROUP: 4, FIXED32: 5 } as const;

class Malformed extends Error {}

const UTF8 = new TextDecoder('utf-8');

class WireReader {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a JS number (exact up to 2^53; larger values only need to compare unequal to 0). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Malformed(`the data ends inside a number at byte ${this.pos}`);
      const b = this.bytes[this.pos++];
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new Malformed(`a number longer than 10 bytes at byte ${this.pos}`);
  }

  skip(n: number): void {
    if (n > this.end - this.pos) throw new Malformed(`a field runs past the end of its message at byte ${this.pos}`);
    this.pos += n;
  }

  text(start: number, length: number): string {
    return UTF8.decode(this.bytes.subarray(start, start + Math.min(length, 200)));
  }
}

/** A name as it may appear in a message: printable ASCII only, short. */
function shown(name: string): string {
  const clean = name.replace(/[^\x20-\x7e]/g, '?');
  return `"${clean.length > 60 ? `${clean.slice(0, 60)}…` : clean}"`;
}

/**
 * Walks one message of `kind` in bytes[start, end); `role` is how its parent holds it
 * ("initializer", "graph", …), used with its name to say where a refused tensor sits.
 */
function scan(
  bytes: Uint8Array,
  start: number,
  end: number,
  kind: Kind,
  role: string | null,
  path: string[],
  depth: number,
  found: string[],
): void {
  if (depth > MAX_DEPTH) throw new Malformed(`messages nested deeper than ${MAX_DEPTH} levels`);
  const reader = new WireReader(bytes, start, end);
  const children: { kind: Kind; role: string; start: number; end: number }[] = [];
  let name = '';
  let external = false;
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) throw new Malformed(`field number 0 at byte ${reader.pos}`);
    if (wire === WIRE.VARINT) {
      const value = reader.varint();
      if (kind === 'tensor' && field === TENSOR_DATA_LOCATION && value !== 0) external = true;
    } else if (wire === WIRE.FIXED64) {
      reader.skip(8);
    } else if (wire === WIRE.FIXED32) {
      reader.skip(4);
    } else if (wire === WIRE.LENGTH) {
      const length = reader.varint();
      const at = reader.pos;
      reader.skip(length);
      // external_data entries, or data_location in any encoding but a zero varint: refused, even
      // where ONNX Runtime would ignore them, so no reading of the bytes has to be exact
      if (kind === 'tensor' && (field === TENSOR_EXTERNAL_DATA || field === TENSOR_DATA_LOCATION)) external = true;
      if (field === NAME_FIELD[kind]) name = reader.text(at, length);
      const child = CHILDREN[kind][field];
      if (child) children.push({ ...child, start: at, end: at + length });
    } else {
      // groups (wire types 3 and 4) are deprecated and no ONNX writer emits them
      throw new Malformed(`unsupported protobuf group at byte ${reader.pos}`);
    }
  }
  const here = role === null ? path : [...path, name ? `${role} ${shown(name)}` : `unnamed ${role}`];
  if (external) found.push(here.join(' › '));
  for (const c of children) scan(bytes, c.start, c.end, c.kind, c.role, here, depth + 1, found);
}

/** ONNX Runtime takes bytes with the "ORTM" identifier at offset 4 for its own flatbuffer format. */
function isOrtFormat(bytes: Uint8Array): boolean {
  return bytes.length > 8 && bytes[4] === 0x4f && bytes[5] === 0x52 && bytes[6] === 0x54 && bytes[7] === 0x4d;
}

/**
 * Where the model keeps tensor data outside its own bytes ([] for a self-contained model), e.g.
 * `graph "main" › node "If_0" › attribute "then_branch" › graph "then" › initializer "w"`. Throws an
 * UnsafeModelError for bytes that are not a well-formed protobuf message.
 */
export function externalDataPlaces(bytes: Uint8Array): string[] {
  const found: string[] = [];
  try {
    scan(bytes, 0, bytes.length, 'model', null, [], 0, found);
  } catch (error) {
    if (error instanceof Malformed)
      throw new UnsafeModelError('malformed', `not a readable ONNX model (${error.message})`);
    throw error;
  }
  return found;
}

/**
 * Refuses, before ONNX Runtime sees them, model bytes that would make it read anything but
 * themselves: tensors with external data, ONNX Runtime's own .ort format, malformed protobuf.
 */
export function assertSelfContainedModel(bytes: Uint8Array): void {
  if (isOrtFormat(bytes)) {
    throw new UnsafeModelError(
      'ort-format',
      "the file is in ONNX Runtime's .ort format; only .onnx models are accepted",
    );
  }
  const places = externalDataPlaces(bytes);
  if (places.length === 0) return;
  const listed =
    places.slice(0, MAX_REPORTED).join('; ') +
    (places.length > MAX_REPORTED ? `; and ${places.length - MAX_REPORTED} more` : '');
  throw new UnsafeModelError(
    'external-data',
    `the model keeps tensor data in files outside the model (${listed}); only self-contained .onnx files are accepted: ` +
      'save the model with every tensor inside the file (onnx.save_model(model, path, save_as_external_data=False))',
  );
}

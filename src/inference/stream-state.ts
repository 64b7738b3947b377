/**
 * The temporal state a streaming run carries from one segment to the next: for every shift site,
 * the fold channels of that block's input at the last segment seen ([B, 1, planes, fold·H·W]).
 * It is bound to the model (sha256) that made it, so a state is never fed to another model.
 */
export interface StreamState {
  modelSha256: string;
  batch: number;
  /** Segments already consumed; the next step scores segment `segments`. */
  segments: number;
  tensors: { name: string; dims: number[]; data: Float32Array }[];
}

const MAGIC = Buffer.from('AMSS');
const FORMAT = 1;

export class StreamStateError extends Error {
  override name = 'StreamStateError';
}

/** Bytes for storage (e.g. a bytea column): magic, format, JSON header, float32 little-endian data. */
export function encodeStreamState(state: StreamState): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      modelSha256: state.modelSha256,
      batch: state.batch,
      segments: state.segments,
      tensors: state.tensors.map((t) => ({ name: t.name, dims: t.dims })),
    }),
    'utf8',
  );
  const floats = state.tensors.reduce((n, t) => n + t.data.length, 0);
  const out = Buffer.alloc(4 + 4 + 4 + header.length + floats * 4);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(FORMAT, 4);
  out.writeUInt32LE(header.length, 8);
  header.copy(out, 12);
  let at = 12 + header.length;
  for (const t of state.tensors) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, at);
    at += t.data.byteLength;
  }
  return out;
}

export function decodeStreamState(buf: Uint8Array): StreamState {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 12 || !b.subarray(0, 4).equals(MAGIC)) throw new StreamStateError('not an AMSNet stream state');
  if (b.readUInt32LE(4) !== FORMAT)
    throw new StreamStateError(`stream state format ${b.readUInt32LE(4)} is not supported`);
  const headerLength = b.readUInt32LE(8);
  const header = JSON.parse(b.subarray(12, 12 + headerLength).toString('utf8')) as Omit<StreamState, 'tensors'> & {
    tensors: { name: string; dims: number[] }[];
  };
  let at = 12 + headerLength;
  const tensors = header.tensors.map((t) => {
    const n = t.dims.reduce((a, c) => a * c, 1);
    if (at + n * 4 > b.length) throw new StreamStateError('stream state is truncated');
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(b.subarray(at, at + n * 4));
    at += n * 4;
    return { name: t.name, dims: t.dims, data };
  });
  if (at !== b.length) throw new StreamStateError('stream state has trailing bytes');
  return { modelSha256: header.modelSha256, batch: header.batch, segments: header.segments, tensors };
}

/** One state per embryo, so each can be stored with its embryo. */
export function splitStreamState(state: StreamState): StreamState[] {
  return Array.from({ length: state.batch }, (_, i) => ({
    modelSha256: state.modelSha256,
    batch: 1,
    segments: state.segments,
    tensors: state.tensors.map((t) => {
      const per = t.data.length / state.batch;
      return { name: t.name, dims: [1, ...t.dims.slice(1)], data: t.data.slice(i * per, (i + 1) * per) };
    }),
  }));
}

/** Several embryos' states (same model, same number of segments) as one batch. */
export function stackStreamStates(states: StreamState[]): StreamState {
  if (!states.length) throw new StreamStateError('no states to stack');
  const first = states[0];
  for (const s of states) {
    if (s.modelSha256 !== first.modelSha256) throw new StreamStateError('states of different models cannot be stacked');
    if (s.segments !== first.segments)
      throw new StreamStateError(
        `states at different segments (${first.segments} and ${s.segments}) cannot be stacked`,
      );
  }
  const batch = states.reduce((n, s) => n + s.batch, 0);
  return {
    modelSha256: first.modelSha256,
    batch,
    segments: first.segments,
    tensors: first.tensors.map((t, k) => {
      const data = new Float32Array((t.data.length / first.batch) * batch);
      let at = 0;
      for (const s of states) {
        data.set(s.tensors[k].data, at);
        at += s.tensors[k].data.length;
      }
      return { name: t.name, dims: [batch, ...t.dims.slice(1)], data };
    }),
  };
}

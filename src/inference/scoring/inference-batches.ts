import {
  decodeStreamState,
  encodeStreamState,
  splitStreamState,
  stackStreamStates,
  type AmsnetPredictor,
  type StreamState,
} from '../predictor';
import type { InputBatch } from './input-tensor';
import type { EmbryoPlan } from './scoring-plan';

/** Embryos that go through the model together. */
export interface WorkBatch {
  plans: EmbryoPlan[];
  /** First segment fed to the model. */
  from: number;
  streaming: boolean;
  /** Streaming: the stored state of each plan (null when it starts at segment 0). */
  states: (StreamState | null)[];
}

/**
 * Groups embryos into inference batches of at most `maxBatch`. With a streaming model, an embryo whose stored state ends where its missing
 * segments begin (or that starts at segment 0) is stepped through the new segments only; batches
 * of such embryos share start and length, so their states stack. Everything else runs as a
 * whole sequence, similar lengths together so little of a batch is padding.
 */
export function planInferenceBatches(
  plans: EmbryoPlan[],
  predictor: Pick<AmsnetPredictor, 'supportsStreaming' | 'maxBatch'>,
  stored: Map<string, { segments: number; state: Buffer }>,
): WorkBatch[] {
  const streamGroups = new Map<string, { from: number; plans: EmbryoPlan[]; states: (StreamState | null)[] }>();
  const sequence: EmbryoPlan[] = [];
  for (const plan of plans) {
    const from = plan.missing[0];
    let state: StreamState | null = null;
    if (predictor.supportsStreaming && from > 0 && stored.get(plan.embryoId)?.segments === from) {
      try {
        state = decodeStreamState(stored.get(plan.embryoId)!.state);
      } catch {
        state = null; // unreadable: recompute the whole sequence (and store a fresh state next time)
      }
    }
    if (predictor.supportsStreaming && (from === 0 || state)) {
      const key = `${from}:${plan.segments}`;
      const group = streamGroups.get(key) ?? { from, plans: [], states: [] };
      group.plans.push(plan);
      group.states.push(state);
      streamGroups.set(key, group);
    } else sequence.push(plan);
  }
  const batches: WorkBatch[] = [];
  for (const group of streamGroups.values()) {
    for (let i = 0; i < group.plans.length; i += predictor.maxBatch) {
      batches.push({
        plans: group.plans.slice(i, i + predictor.maxBatch),
        from: group.from,
        streaming: true,
        states: group.states.slice(i, i + predictor.maxBatch),
      });
    }
  }
  sequence.sort((a, b) => b.segments - a.segments || a.embryoId.localeCompare(b.embryoId));
  for (let i = 0; i < sequence.length; i += predictor.maxBatch) {
    batches.push({ plans: sequence.slice(i, i + predictor.maxBatch), from: 0, streaming: false, states: [] });
  }
  return batches;
}

/**
 * Runs one batch: a whole-sequence predict(), or one streaming step per new segment from the
 * stacked stored states. Returns probabilities [B, segments fed] and, when streaming, each
 * embryo's new state (encoded for storage).
 */
export async function runInferenceBatch(
  predictor: AmsnetPredictor,
  batch: WorkBatch,
  ready: InputBatch,
): Promise<{ probabilities: Float32Array; states: Buffer[] | null }> {
  const B = ready.included.length;
  if (B === 0) return { probabilities: new Float32Array(), states: null };
  if (!batch.streaming)
    return { probabilities: await predictor.predict(ready.tensor, B, ready.segments), states: null };
  const byEmbryo = new Map(batch.plans.map((p, i) => [p.embryoId, batch.states[i]]));
  const carried = ready.included.map((p) => byEmbryo.get(p.embryoId) ?? null);
  let state: StreamState | null = batch.from === 0 ? null : stackStreamStates(carried as StreamState[]);
  const step = ready.tensor.length / ready.segments;
  const probabilities = new Float32Array(B * ready.segments);
  for (let t = 0; t < ready.segments; t++) {
    const out = await predictor.step(ready.tensor.subarray(t * step, (t + 1) * step), B, state);
    for (let b = 0; b < B; b++) probabilities[b * ready.segments + t] = out.probabilities[b];
    state = out.state;
  }
  return { probabilities, states: splitStreamState(state!).map(encodeStreamState) };
}

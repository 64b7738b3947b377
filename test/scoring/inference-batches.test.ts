import { encodeStreamState } from '../../src/inference/predictor';
import { planInferenceBatches } from '../../src/inference/scoring/inference-batches';
import type { EmbryoPlan } from '../../src/inference/scoring/scoring-plan';

/** A plan that needs segments missing[0]…segments−1 (samples are not looked at here). */
const plan = (embryoId: string, segments: number, firstMissing = 0): EmbryoPlan => ({
  embryoId,
  segments,
  missing: Array.from({ length: segments - firstMissing }, (_, i) => firstMissing + i),
  samples: [],
  final: false,
});
const state = (segments: number) => ({
  segments,
  state: encodeStreamState({ modelSha256: 'm', batch: 1, segments, tensors: [] }),
});

describe('planInferenceBatches', () => {
  it('streams embryos that start at 0 or continue from their stored state, grouped by start and length', () => {
    const batches = planInferenceBatches(
      [plan('a', 8), plan('b', 8), plan('c', 8), plan('d', 10, 8), plan('e', 10, 8), plan('f', 6)],
      { supportsStreaming: true, maxBatch: 2 },
      new Map([
        ['d', state(8)],
        ['e', state(8)],
      ]),
    );
    expect(batches.map((b) => [b.streaming, b.from, b.plans.map((p) => p.embryoId)])).toEqual([
      [true, 0, ['a', 'b']],
      [true, 0, ['c']],
      [true, 8, ['d', 'e']],
      [true, 0, ['f']],
    ]);
    expect(batches[2].states.map((s) => s?.segments)).toEqual([8, 8]);
  });

  it('falls back to whole sequences when the stored state is missing, stale or unreadable, or the model cannot stream', () => {
    const stale = planInferenceBatches(
      [plan('a', 10, 8), plan('b', 10, 8), plan('c', 12, 9)],
      { supportsStreaming: true, maxBatch: 4 },
      new Map([
        ['b', state(7)],
        ['c', { segments: 9, state: Buffer.from('garbage') }],
      ]),
    );
    expect(stale.map((b) => [b.streaming, b.from, b.plans.map((p) => p.embryoId)])).toEqual([
      [false, 0, ['c', 'a', 'b']],
    ]);
    const foreign = planInferenceBatches(
      [plan('a', 3), plan('b', 5)],
      { supportsStreaming: false, maxBatch: 1 },
      new Map(),
    );
    expect(foreign.map((b) => [b.streaming, b.plans[0].embryoId])).toEqual([
      [false, 'b'],
      [false, 'a'],
    ]);
  });
});

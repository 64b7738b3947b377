import { completeSegmentCount, groupTimePoints, type FrameRef } from '../../src/inference/sampling/timeline';
import { NoObservationsError, sampleSegments } from '../../src/inference/sampling/sample-segments';

/** Hand-made timelines: one frame per (hpi, plane), ids that say where they come from. */
function timeline(points: Array<[hpi: number, planes: number[]]>): FrameRef[] {
  return points.flatMap(([hpi, planes]) =>
    planes.map((planeUm) => ({ frameId: `${hpi}@${planeUm}`, hpi, planeUm, sha256: `sha-${hpi}-${planeUm}` })),
  );
}
const PLANES = [-15, 0, 15];

describe('complete segments (DESIGN.md §5)', () => {
  it('counts a segment complete only once a frame at or after its end exists', () => {
    expect(completeSegmentCount(null, null)).toBe(0);
    expect(completeSegmentCount(5.9, null)).toBe(0);
    expect(completeSegmentCount(6, null)).toBe(1);
    expect(completeSegmentCount(17.99, null)).toBe(2);
    expect(completeSegmentCount(18, null)).toBe(3);
  });

  it('never goes past 28 segments (7 days)', () => {
    expect(completeSegmentCount(400, null)).toBe(28);
    expect(completeSegmentCount(100, 500)).toBe(28);
  });

  it('completes the last, partly observed segment when the culture has ended', () => {
    // frames up to 20 h, culture ended at 21 h: segment 3 ([18,24)) is complete although no frame ≥ 24 h exists
    expect(completeSegmentCount(20, 21)).toBe(4);
    // ended before the last frame (data after the end is kept, not thrown away)
    expect(completeSegmentCount(20, 7)).toBe(4);
    // ended with no frames: its segments are complete but have nothing to score
    expect(completeSegmentCount(null, 12)).toBe(2);
  });
});

describe('time points', () => {
  it('groups planes acquired seconds apart and keeps acquisitions minutes apart separate', () => {
    const frames = [
      ...timeline([[3, [-15]]]),
      ...timeline([[3.01, [0, 15]]]), // 36 s later: same acquisition
      ...timeline([[3.25, [0]]]), // 15 min later: the next one
    ];
    const points = groupTimePoints(frames);
    expect(points.map((p) => [p.hpi, [...p.frames.keys()]])).toEqual([
      [3, [-15, 0, 15]],
      [3.25, [0]],
    ]);
  });

  it('ignores frames beyond 168 h', () => {
    expect(
      groupTimePoints(
        timeline([
          [167, [0]],
          [168, [0]],
          [200, [0]],
        ]),
      ).map((p) => p.hpi),
    ).toEqual([167]);
  });
});

describe('sampleSegments', () => {
  it('takes the time point closest to the middle of each segment (6k+3)', () => {
    const frames = timeline([
      [0.5, PLANES],
      [2.9, PLANES],
      [3.2, PLANES],
      [5.9, PLANES],
      [6.1, PLANES],
      [9.5, PLANES],
      [11, PLANES],
    ]);
    const samples = sampleSegments(frames, PLANES, 2);
    expect(samples.map((s) => s.frames.map((f) => f.frameId))).toEqual([
      ['2.9@-15', '2.9@0', '2.9@15'],
      ['9.5@-15', '9.5@0', '9.5@15'],
    ]);
    expect(samples.every((s) => !s.imputed)).toBe(true);
    expect(samples[1].frames[2]).toEqual({ planeUm: 15, frameId: '9.5@15', hpi: 9.5, sha256: 'sha-9.5-15' });
  });

  it('prefers a time point that has every model plane over a closer incomplete one', () => {
    const frames = timeline([
      [3, [0]],
      [4.5, PLANES],
    ]);
    const [s0] = sampleSegments(frames, PLANES, 1);
    expect(s0.imputed).toBe(false);
    expect(s0.frames.map((f) => f.hpi)).toEqual([4.5, 4.5, 4.5]);
  });

  it('fills a missing plane from the nearest plane of the same time and records it', () => {
    const frames = timeline([[3, [-30, 0]]]);
    const [s0] = sampleSegments(frames, PLANES, 1);
    expect(s0.imputed).toBe(true);
    expect(s0.frames).toEqual([
      { planeUm: -15, frameId: '3@-30', hpi: 3, sha256: 'sha-3--30', imputed: 'missing-plane', from: { planeUm: -30 } },
      { planeUm: 0, frameId: '3@0', hpi: 3, sha256: 'sha-3-0' },
      // 0 and 30 would be equally near; 0 is the only one acquired
      { planeUm: 15, frameId: '3@0', hpi: 3, sha256: 'sha-3-0', imputed: 'missing-plane', from: { planeUm: 0 } },
    ]);
  });

  it('repeats the previous segment across a gap, and the next one for an empty first segment', () => {
    // nothing in segments 0 and 2–3; observed in 1 and 4
    const frames = timeline([
      [8, PLANES],
      [27, PLANES],
    ]);
    const samples = sampleSegments(frames, PLANES, 5);
    expect(
      samples.map((s) => [s.segment, s.imputed, s.frames[1].frameId, s.frames[1].imputed, s.frames[1].from]),
    ).toEqual([
      [0, true, '8@0', 'empty-segment', { segment: 1 }],
      [1, false, '8@0', undefined, undefined],
      [2, true, '8@0', 'empty-segment', { segment: 1 }],
      [3, true, '8@0', 'empty-segment', { segment: 1 }],
      [4, false, '27@0', undefined, undefined],
    ]);
  });

  it('samples only the segments asked for, so an incomplete last segment is left out', () => {
    const frames = timeline([
      [3, PLANES],
      [9, PLANES],
      [13, PLANES],
    ]);
    const count = completeSegmentCount(13, null); // segment 2 ([12,18)) is still running
    expect(count).toBe(2);
    expect(sampleSegments(frames, PLANES, count).map((s) => s.segment)).toEqual([0, 1]);
  });

  it('after the end of culture repeats the last observation up to the last complete segment', () => {
    const frames = timeline([
      [3, PLANES],
      [9, PLANES],
    ]);
    const count = completeSegmentCount(9, 20); // ended at 20 h: segments 0–3
    const samples = sampleSegments(frames, PLANES, count);
    expect(samples.map((s) => [s.segment, s.frames[0].frameId, s.imputed])).toEqual([
      [0, '3@-15', false],
      [1, '9@-15', false],
      [2, '9@-15', true],
      [3, '9@-15', true],
    ]);
  });

  it('refuses to invent a trajectory with no observation at all', () => {
    expect(() => sampleSegments(timeline([[30, PLANES]]), PLANES, 2)).toThrow(NoObservationsError);
    expect(sampleSegments([], PLANES, 0)).toEqual([]);
  });
});

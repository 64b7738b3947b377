import { observedSegment, sampleSegments, type SegmentSample } from './sample-segments';
import { groupTimePoints, segmentOf, type FrameRef, type TimePoint } from './timeline';

/**
 * Several frames per segment for training (the paper draws one at random per segment and epoch):
 * view 0 is the frame scoring uses (sampleSegments: closest to the segment middle, imputation
 * included), the others are further time points of the same segment — those with every model
 * plane first — spread evenly over it. An empty segment keeps its one (repeated) view.
 */
export function sampleSegmentViews(
  frames: readonly FrameRef[],
  planes: readonly number[],
  count: number,
  perSegment: number,
): SegmentSample[][] {
  const base = sampleSegments(frames, planes, count);
  if (perSegment <= 1) return base.map((s) => [s]);
  const bySegment = new Map<number, TimePoint[]>();
  for (const point of groupTimePoints(frames)) {
    const k = segmentOf(point.hpi);
    if (k >= count) break;
    bySegment.set(k, [...(bySegment.get(k) ?? []), point]);
  }
  return base.map((first, k) => {
    if (first.frames.some((f) => f.imputed === 'empty-segment')) return [first];
    const chosenHpi = first.frames[0].hpi;
    const others = (bySegment.get(k) ?? []).filter((p) => p.hpi !== chosenHpi);
    const complete = others.filter((p) => planes.every((plane) => p.frames.has(plane)));
    const pool = complete.length >= perSegment - 1 ? complete : others;
    const n = Math.min(perSegment - 1, pool.length);
    const picked = Array.from({ length: n }, (_, i) => pool[Math.floor(((i + 0.5) * pool.length) / n)]);
    return [first, ...picked.map((p) => observedSegment(p, k, planes))];
  });
}

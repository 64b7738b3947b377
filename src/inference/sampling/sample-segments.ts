import { groupTimePoints, segmentMiddle, segmentOf, type FrameRef, type TimePoint } from './timeline';

/** Why a frame of the model input is not the frame the rules asked for. */
export type Imputation = 'empty-segment' | 'missing-plane';

/** One plane of one segment of the model input; stored as-is in `prediction.inputs.frames`. */
export interface SampledFrame {
  planeUm: number;
  frameId: string;
  hpi: number;
  /** Content address of the pixels (not stored in `inputs`). */
  sha256: string;
  imputed?: Imputation;
  /** empty-segment: the segment whose frame is repeated; missing-plane: the plane that stands in. */
  from?: { segment: number } | { planeUm: number };
}

export interface SegmentSample {
  segment: number;
  /** True when any plane of this segment is not an observation of this segment at this plane. */
  imputed: boolean;
  /** One entry per model plane, ascending µm (the model's F axis). */
  frames: SampledFrame[];
}

export class NoObservationsError extends Error {
  override name = 'NoObservationsError';
}

/** The time point of a segment closest to its middle, preferring those that have every model plane. */
function pickTimePoint(points: TimePoint[], segment: number, planes: readonly number[]): TimePoint | undefined {
  const middle = segmentMiddle(segment);
  let best: TimePoint | undefined;
  let bestKey: [number, number] | undefined;
  for (const point of points) {
    const missing = planes.filter((p) => !point.frames.has(p)).length;
    // Complete time points first (fewest missing planes), then the one closest to the middle;
    // on a tie in distance the earlier one (sorted input) stays.
    const key: [number, number] = [missing === 0 ? 0 : 1 + missing, Math.abs(point.hpi - middle)];
    if (!bestKey || key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
      best = point;
      bestKey = key;
    }
  }
  return best;
}

/** Nearest acquired plane of the same time point; on a tie in distance the lower plane. */
function nearestPlane(point: TimePoint, planeUm: number): FrameRef {
  let best: FrameRef | undefined;
  for (const [plane, frame] of point.frames) {
    if (
      !best ||
      Math.abs(plane - planeUm) < Math.abs(best.planeUm - planeUm) ||
      (Math.abs(plane - planeUm) === Math.abs(best.planeUm - planeUm) && plane < best.planeUm)
    ) {
      best = frame;
    }
  }
  if (!best) throw new Error('a time point without frames'); // groupTimePoints never makes one
  return best;
}

export function observedSegment(point: TimePoint, segment: number, planes: readonly number[]): SegmentSample {
  const frames = planes.map((planeUm): SampledFrame => {
    const exact = point.frames.get(planeUm);
    if (exact) return { planeUm, frameId: exact.frameId, hpi: exact.hpi, sha256: exact.sha256 };
    const stand = nearestPlane(point, planeUm);
    return {
      planeUm,
      frameId: stand.frameId,
      hpi: stand.hpi,
      sha256: stand.sha256,
      imputed: 'missing-plane',
      from: { planeUm: stand.planeUm },
    };
  });
  return { segment, imputed: frames.some((f) => f.imputed), frames };
}

function repeatedSegment(source: SegmentSample, segment: number): SegmentSample {
  return {
    segment,
    imputed: true,
    frames: source.frames.map((f) => ({ ...f, imputed: 'empty-segment', from: { segment: source.segment } })),
  };
}

/**
 * The model input of segments 0…count−1 for one embryo (DESIGN.md §5): per segment the time point
 * closest to 6k+3 hpi that has the model's planes; a missing plane takes the nearest plane of the
 * same time; an empty segment repeats the previous segment's frames (the first ones: the next
 * observed segment's). Throws NoObservationsError when no segment before `count` has a frame.
 */
export function sampleSegments(frames: readonly FrameRef[], planes: readonly number[], count: number): SegmentSample[] {
  if (count <= 0) return [];
  const bySegment = new Map<number, TimePoint[]>();
  for (const point of groupTimePoints(frames)) {
    const k = segmentOf(point.hpi);
    if (k >= count) break;
    const list = bySegment.get(k) ?? [];
    list.push(point);
    bySegment.set(k, list);
  }
  const observed: (SegmentSample | undefined)[] = [];
  for (let k = 0; k < count; k++) {
    const point = pickTimePoint(bySegment.get(k) ?? [], k, planes);
    observed.push(point ? observedSegment(point, k, planes) : undefined);
  }
  const firstObserved = observed.find((s) => s !== undefined);
  if (!firstObserved) throw new NoObservationsError(`no frames in the first ${count} segment(s)`);
  // An empty segment repeats the last observed segment (the first observed one before it).
  let source = firstObserved;
  return observed.map((own, k) => {
    if (own) {
      source = own;
      return own;
    }
    return repeatedSegment(source, k);
  });
}

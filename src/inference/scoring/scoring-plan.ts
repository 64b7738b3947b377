import { SEGMENT_COUNT } from '../../entities/enums';
import { NoObservationsError, sampleSegments, type SegmentSample } from '../sampling/sample-segments';
import { completeSegmentCount, type FrameRef } from '../sampling/timeline';

/** What one embryo needs from the model: the segments to write and the input prefix that produces them. */
export interface EmbryoPlan {
  embryoId: string;
  /** Segments 0…T−1 are fed (the model is causal: output k depends on segments ≤ k only). */
  segments: number;
  /** Complete segments without a stored prediction: the ones to write. */
  missing: number[];
  samples: SegmentSample[];
  /** No segment will ever be added (culture ended, or all 28 scored): no streaming state to keep. */
  final: boolean;
}

export type PlanResult = { plan: EmbryoPlan } | { skipped: string } | { upToDate: true };

/** Complete segments that the model has not predicted yet, ascending. */
export function missingSegments(
  latestFrameHpi: number | null,
  cultureEndedHpi: number | null,
  predicted: readonly number[],
): number[] {
  const complete = completeSegmentCount(latestFrameHpi, cultureEndedHpi);
  const have = new Set(predicted);
  const missing: number[] = [];
  for (let k = 0; k < Math.min(complete, SEGMENT_COUNT); k++) if (!have.has(k)) missing.push(k);
  return missing;
}

/** Pure: the plan of one embryo from its progress and frames. */
export function planEmbryo(
  embryoId: string,
  progress: { latestFrameHpi: number | null; cultureEndedHpi: number | null; segments: readonly number[] },
  frames: readonly FrameRef[],
  planes: readonly number[],
): PlanResult {
  const missing = missingSegments(progress.latestFrameHpi, progress.cultureEndedHpi, progress.segments);
  if (missing.length === 0) return { upToDate: true };
  const segments = missing[missing.length - 1] + 1;
  try {
    const final = progress.cultureEndedHpi !== null || segments === SEGMENT_COUNT;
    return { plan: { embryoId, segments, missing, samples: sampleSegments(frames, planes, segments), final } };
  } catch (error) {
    if (error instanceof NoObservationsError) return { skipped: error.message };
    throw error;
  }
}

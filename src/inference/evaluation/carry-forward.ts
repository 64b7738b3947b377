import type { OutcomeWithPredictions } from '../../entities/repositories';
import { completeSegmentCount } from '../sampling/timeline';
import type { LabelledTrajectory } from './evaluation-metrics';

/** An embryo whose stored predictions stop before the segments its frames and culture make complete. */
export interface LaggingEmbryo {
  embryoId: string;
  /** segments the model scored (its last scored segment + 1; 0 when none) */
  scoredSegments: number;
  /** segments complete by its frames and recorded end of culture (DESIGN.md §5), i.e. what scoring would reach */
  completeSegments: number;
  cultureEnded: boolean;
}

/**
 * §7's carry-forward rule, applied honestly: "the last scored segment, if culture ended earlier"
 * holds only when the embryo's end of culture is recorded AND the model scored every segment up to
 * it. An embryo without a recorded end is still in culture as far as the data knows (its missing
 * days are unknown, not carried), and an embryo whose predictions stop short of its complete
 * segments lags behind (scoring has not caught up, or failed): carrying its last prediction forward
 * would quietly stand an early number in for a later day, so it is left out of those days and
 * reported instead.
 */
export function labelledTrajectory(row: OutcomeWithPredictions): {
  trajectory: LabelledTrajectory;
  lagging: LaggingEmbryo | null;
} {
  const scoredSegments = row.segments.length ? Math.max(...row.segments) + 1 : 0;
  const completeSegments = completeSegmentCount(row.latestFrameHpi, row.cultureEndedHpi);
  const ended = row.cultureEndedHpi !== null;
  const lags = scoredSegments < completeSegments;
  return {
    trajectory: {
      embryoId: row.embryoId,
      blastocyst: row.outcome === 'BLASTOCYST',
      cultureEnded: ended && !lags,
      probabilities: new Map(row.segments.map((s, i) => [s, row.probabilities[i]])),
    },
    lagging: lags ? { embryoId: row.embryoId, scoredSegments, completeSegments, cultureEnded: ended } : null,
  };
}

import { SEGMENT_COUNT } from '../../entities';

/**
 * The paper's evaluation metrics (DESIGN.md §7), as pure functions over labelled trajectories.
 * Nothing here touches the database: the evaluation service gathers the data, these compute.
 */

/** Days 0.5, 1, …, 7: the columns of the paper's Table 1. */
export const EVALUATION_DAYS: readonly number[] = Array.from({ length: 14 }, (_, i) => (i + 1) / 2);
/** Days whose predictions get a ROC curve (paper: 0.819, 0.874, 0.958 for AMSNet). */
export const ROC_DAYS: readonly number[] = [3, 4, 5];
/** A probability at or above this is read as "will become a blastocyst". */
export const DECISION_THRESHOLD = 0.5;

/** "Day d" of the paper is the prediction at segment 4d − 1, i.e. at 24·d hours post insemination. */
export function segmentForDay(day: number): number {
  const segment = Math.round(4 * day) - 1;
  if (segment < 0 || segment >= SEGMENT_COUNT || Math.abs(4 * day - Math.round(4 * day)) > 1e-9) {
    throw new RangeError(`day ${day} is not a quarter day between 0.25 and 7`);
  }
  return segment;
}

/** One embryo with a known outcome and the probabilities one model gave it, by segment. */
export interface LabelledTrajectory {
  embryoId: string;
  blastocyst: boolean;
  /** segment (0…27) → probability; segments that were never scored are absent. */
  probabilities: ReadonlyMap<number, number>;
  /**
   * True when the embryo's culture is over, so a missing later segment means "no more frames" and the
   * last scored prediction carries forward (§7). While culture runs, a missing segment is just not
   * scored yet, and the embryo is left out of that day.
   */
  cultureEnded: boolean;
}

/** The probability that counts for `day`: segment 4d−1, or the last scored one if culture ended earlier. */
export function probabilityAtDay(trajectory: LabelledTrajectory, day: number): number | undefined {
  const target = segmentForDay(day);
  const exact = trajectory.probabilities.get(target);
  if (exact !== undefined) return exact;
  if (!trajectory.cultureEnded) return undefined;
  for (let s = target - 1; s >= 0; s--) {
    const earlier = trajectory.probabilities.get(s);
    if (earlier !== undefined) return earlier;
  }
  return undefined;
}

/** Confusion counts at the decision threshold, with the rates derived from them. */
export interface ThresholdCounts {
  /** embryos that had a usable prediction for this day */
  n: number;
  positives: number;
  negatives: number;
  truePositives: number;
  trueNegatives: number;
  falsePositives: number;
  falseNegatives: number;
  /** null when there is nothing to divide by (n, positives or negatives is 0) */
  accuracy: number | null;
  sensitivity: number | null;
  specificity: number | null;
}

export function thresholdCounts(
  scores: readonly number[],
  labels: readonly boolean[],
  threshold = DECISION_THRESHOLD,
): ThresholdCounts {
  if (scores.length !== labels.length) throw new RangeError('scores and labels differ in length');
  let tp = 0,
    tn = 0,
    fp = 0,
    fn = 0;
  scores.forEach((score, i) => {
    const predicted = score >= threshold;
    if (labels[i]) predicted ? tp++ : fn++;
    else predicted ? fp++ : tn++;
  });
  const positives = tp + fn;
  const negatives = tn + fp;
  const n = positives + negatives;
  return {
    n,
    positives,
    negatives,
    truePositives: tp,
    trueNegatives: tn,
    falsePositives: fp,
    falseNegatives: fn,
    accuracy: n > 0 ? (tp + tn) / n : null,
    sensitivity: positives > 0 ? tp / positives : null,
    specificity: negatives > 0 ? tn / negatives : null,
  };
}

/**
 * Area under the accuracy curve as the paper reports it: trapezoids over days 0.5…7 (step 0.5),
 * divided by 7. Accuracies are fractions (0…1); null if any day has none.
 */
export function accuracyCurveAuc(accuracies: readonly (number | null)[]): number | null {
  if (accuracies.length !== EVALUATION_DAYS.length)
    throw new RangeError(`expected ${EVALUATION_DAYS.length} accuracies, got ${accuracies.length}`);
  if (accuracies.some((a) => a === null || !Number.isFinite(a))) return null;
  const a = accuracies as number[];
  let area = 0;
  for (let i = 1; i < a.length; i++) area += ((a[i - 1] + a[i]) / 2) * (EVALUATION_DAYS[i] - EVALUATION_DAYS[i - 1]);
  return area / 7;
}

/**
 * Exact ROC AUC by the Mann–Whitney definition: the share of (positive, negative) pairs in which the
 * positive scores higher, a tie counting one half. Computed from mid-ranks in O(n log n).
 * Null when one class is absent (the AUC is undefined, not 0.5).
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number | null {
  if (scores.length !== labels.length) throw new RangeError('scores and labels differ in length');
  const positives = labels.filter(Boolean).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const order = scores.map((score, i) => ({ score, positive: labels[i] })).sort((x, y) => x.score - y.score);
  let positiveRankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1].score === order[i].score) j++;
    const midRank = (i + 1 + (j + 1)) / 2; // ranks are 1-based; tied scores share the mean rank
    for (let k = i; k <= j; k++) if (order[k].positive) positiveRankSum += midRank;
    i = j + 1;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface RocPoint {
  /** predictions at or above this count as positive; Infinity for the (0,0) corner */
  threshold: number;
  falsePositiveRate: number;
  truePositiveRate: number;
}

/**
 * ROC curve with one point per distinct score (descending), from (0,0) to (1,1). Tied scores move
 * both rates in one diagonal step, so the trapezoidal area under these points equals `rocAuc`.
 */
export function rocCurve(scores: readonly number[], labels: readonly boolean[]): RocPoint[] {
  if (scores.length !== labels.length) throw new RangeError('scores and labels differ in length');
  const positives = labels.filter(Boolean).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return [];
  const order = scores.map((score, i) => ({ score, positive: labels[i] })).sort((x, y) => y.score - x.score);
  const points: RocPoint[] = [{ threshold: Infinity, falsePositiveRate: 0, truePositiveRate: 0 }];
  let tp = 0,
    fp = 0;
  for (let i = 0; i < order.length;) {
    const score = order[i].score;
    while (i < order.length && order[i].score === score) order[i++].positive ? tp++ : fp++;
    points.push({ threshold: score, falsePositiveRate: fp / negatives, truePositiveRate: tp / positives });
  }
  return points;
}

/** Trapezoidal area under ROC points (used to cross-check `rocAuc`, and by plots). */
export function areaUnderPoints(points: readonly RocPoint[]): number {
  let area = 0;
  for (let i = 1; i < points.length; i++) {
    area +=
      ((points[i].truePositiveRate + points[i - 1].truePositiveRate) / 2) *
      (points[i].falsePositiveRate - points[i - 1].falsePositiveRate);
  }
  return area;
}

export interface DayMetrics extends ThresholdCounts {
  day: number;
  segment: number;
}

export interface RocResult {
  day: number;
  segment: number;
  auc: number | null;
  points: RocPoint[];
  positives: number;
  negatives: number;
}

export interface EvaluationMetrics {
  /** embryos with a known outcome and at least one prediction */
  embryos: number;
  blastocysts: number;
  notBlastocysts: number;
  /** one row per evaluation day: accuracy, sensitivity and specificity at 0.5, counts */
  days: DayMetrics[];
  /** trapezoidal area of the accuracy curve over days 0.5…7 divided by 7; null if a day has no data */
  accuracyAuc: number | null;
  roc: RocResult[];
}

function scoresAtDay(
  trajectories: readonly LabelledTrajectory[],
  day: number,
): { scores: number[]; labels: boolean[] } {
  const scores: number[] = [];
  const labels: boolean[] = [];
  for (const t of trajectories) {
    const p = probabilityAtDay(t, day);
    if (p === undefined) continue;
    scores.push(p);
    labels.push(t.blastocyst);
  }
  return { scores, labels };
}

/** All of §7 for one model over a set of embryos. */
export function evaluateTrajectories(trajectories: readonly LabelledTrajectory[]): EvaluationMetrics {
  const days = EVALUATION_DAYS.map((day) => {
    const { scores, labels } = scoresAtDay(trajectories, day);
    return { day, segment: segmentForDay(day), ...thresholdCounts(scores, labels) };
  });
  const roc = ROC_DAYS.map((day) => {
    const { scores, labels } = scoresAtDay(trajectories, day);
    const positives = labels.filter(Boolean).length;
    return {
      day,
      segment: segmentForDay(day),
      auc: rocAuc(scores, labels),
      points: rocCurve(scores, labels),
      positives,
      negatives: labels.length - positives,
    };
  });
  const blastocysts = trajectories.filter((t) => t.blastocyst).length;
  return {
    embryos: trajectories.length,
    blastocysts,
    notBlastocysts: trajectories.length - blastocysts,
    days,
    accuracyAuc: accuracyCurveAuc(days.map((d) => d.accuracy)),
    roc,
  };
}

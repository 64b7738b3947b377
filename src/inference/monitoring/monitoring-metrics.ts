/**
 * Model monitoring figures as pure functions (issue #16): calibration (Brier score, reliability
 * bins) and drift of the score distribution (population stability index). The evaluation metrics
 * of §7 (ROC AUC, accuracy-curve AUC) come from ../evaluation/evaluation-metrics.
 */

/** Bins of [0, 1] used for reliability and PSI: [0, 0.1), [0.1, 0.2), …, [0.9, 1]. */
export const BIN_COUNT = 10;

export function binOf(p: number): number {
  return Math.min(BIN_COUNT - 1, Math.max(0, Math.floor(p * BIN_COUNT)));
}

/** Mean squared difference between probability and outcome (0 = perfect); null without data. */
export function brierScore(probabilities: readonly number[], outcomes: readonly boolean[]): number | null {
  if (probabilities.length !== outcomes.length) throw new RangeError('probabilities and outcomes differ in length');
  if (probabilities.length === 0) return null;
  let sum = 0;
  probabilities.forEach((p, i) => (sum += (p - (outcomes[i] ? 1 : 0)) ** 2));
  return sum / probabilities.length;
}

export interface ReliabilityBin {
  /** lower edge of the bin */
  from: number;
  to: number;
  count: number;
  /** mean predicted probability in the bin; null when empty */
  meanPredicted: number | null;
  /** share of blastocysts in the bin; null when empty */
  observedRate: number | null;
}

/** The reliability diagram's data: per probability bin, mean prediction against observed rate. */
export function reliabilityBins(probabilities: readonly number[], outcomes: readonly boolean[]): ReliabilityBin[] {
  const bins = Array.from({ length: BIN_COUNT }, (_, i) => ({ sum: 0, positives: 0, count: 0, i }));
  probabilities.forEach((p, i) => {
    const bin = bins[binOf(p)];
    bin.count++;
    bin.sum += p;
    if (outcomes[i]) bin.positives++;
  });
  return bins.map((b) => ({
    from: b.i / BIN_COUNT,
    to: (b.i + 1) / BIN_COUNT,
    count: b.count,
    meanPredicted: b.count ? b.sum / b.count : null,
    observedRate: b.count ? b.positives / b.count : null,
  }));
}

/** Counts of scores per bin. */
export function histogram(probabilities: readonly number[]): number[] {
  const counts = new Array<number>(BIN_COUNT).fill(0);
  for (const p of probabilities) counts[binOf(p)]++;
  return counts;
}

/** Share floor of an empty bin, so the logarithm stays finite (a common PSI convention). */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index of `current` against `baseline` (both histograms over the same bins):
 * Σ (c − b) · ln(c / b) over bin shares. Rule of thumb: < 0.1 stable, 0.1–0.25 moderate shift,
 * > 0.25 a shift to act on. Null when either side is empty.
 */
export function populationStabilityIndex(baseline: readonly number[], current: readonly number[]): number | null {
  const nb = baseline.reduce((a, b) => a + b, 0);
  const nc = current.reduce((a, b) => a + b, 0);
  if (nb === 0 || nc === 0) return null;
  let psi = 0;
  for (let i = 0; i < baseline.length; i++) {
    const b = Math.max(baseline[i] / nb, PSI_EPSILON);
    const c = Math.max(current[i] / nc, PSI_EPSILON);
    psi += (c - b) * Math.log(c / b);
  }
  return psi;
}

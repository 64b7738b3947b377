import {
  accuracyCurveAuc,
  areaUnderPoints,
  evaluateTrajectories,
  probabilityAtDay,
  rocAuc,
  rocCurve,
  segmentForDay,
  thresholdCounts,
  type LabelledTrajectory,
} from '../../src/inference/evaluation/evaluation-metrics';

/** Table 1 of the paper: accuracy (%) at days 0.5…7 and the reported AUC of each row. */
const TABLE_1: Array<{ no: number; accuracies: number[]; auc: number }> = [
  {
    no: 1,
    accuracies: [62.15, 64.24, 68.4, 70.83, 71.88, 71.6, 69.69, 74.74, 77.18, 81.04, 80.99, 82.33, 84.21, 100],
    auc: 0.6987,
  },
  {
    no: 2,
    accuracies: [64.24, 68.58, 72.57, 71.53, 74.31, 73.69, 73.87, 76.31, 81.01, 86.23, 89.92, 89.27, 90.18, 100],
    auc: 0.7354,
  },
  {
    no: 3,
    accuracies: [66.49, 67.88, 71.53, 73.09, 72.92, 72.65, 74.74, 77.35, 84.15, 86.23, 88.97, 89.27, 88.42, 100],
    auc: 0.736,
  },
  {
    no: 4,
    accuracies: [67.54, 69.27, 74.13, 73.09, 74.48, 74.91, 74.74, 76.66, 81.53, 84.79, 87.07, 88.01, 89.47, 100],
    auc: 0.7371,
  },
  {
    no: 5,
    accuracies: [67.54, 68.92, 71.88, 73.26, 73.61, 74.74, 73.35, 79.62, 81.36, 85.69, 88.4, 88.33, 89.12, 100],
    auc: 0.7372,
  },
  {
    no: 6,
    accuracies: [67.54, 70.66, 74.13, 75.69, 74.48, 74.56, 78.75, 81.71, 83.8, 86.94, 88.78, 89.27, 88.77, 100],
    auc: 0.7509,
  },
  {
    no: 7,
    accuracies: [67.01, 71.01, 75, 75.17, 76.91, 78.05, 78.05, 78.92, 83.1, 88.01, 90.11, 88.33, 89.12, 100],
    auc: 0.7538,
  },
  {
    no: 8,
    accuracies: [67.88, 71.7, 75.69, 75.52, 76.91, 77.53, 78.57, 78.75, 82.75, 87.12, 89.73, 88.96, 90.53, 100],
    auc: 0.7555,
  },
  {
    no: 9,
    accuracies: [68.92, 71.7, 75.17, 75.87, 73.44, 76.48, 79.09, 81.53, 85.19, 88.19, 91.45, 90.22, 90.88, 100],
    auc: 0.7598,
  },
  {
    no: 10,
    accuracies: [68.58, 72.57, 75.52, 76.91, 76.74, 77.88, 78.75, 80.31, 84.15, 87.84, 91.26, 88.96, 90.18, 100],
    auc: 0.7609,
  },
  {
    no: 11,
    accuracies: [67.88, 72.57, 75, 76.91, 76.39, 78.4, 78.57, 82.23, 84.15, 88.55, 91.83, 89.27, 90.88, 100],
    auc: 0.7633,
  },
];

/** Brute-force Mann–Whitney over all pairs: the definition, to check the rank-based version against. */
function pairwiseAuc(scores: number[], labels: boolean[]): number {
  let sum = 0,
    pairs = 0;
  scores.forEach((p, i) =>
    scores.forEach((q, j) => {
      if (labels[i] && !labels[j]) {
        pairs++;
        sum += p > q ? 1 : p === q ? 0.5 : 0;
      }
    }),
  );
  return sum / pairs;
}

describe('accuracy-curve AUC', () => {
  it.each(TABLE_1)('reproduces row $no of Table 1', ({ accuracies, auc }) => {
    expect(Math.abs(accuracyCurveAuc(accuracies.map((a) => a / 100))! - auc)).toBeLessThan(1e-4);
  });

  it('is the trapezoid over 0.5…7 divided by 7 (hand-computed)', () => {
    // constant 1 → area 6.5 / 7; a ramp 0…1 over the 13 steps → 3.25 / 7
    expect(accuracyCurveAuc(Array(14).fill(1))).toBeCloseTo(6.5 / 7, 12);
    expect(accuracyCurveAuc(Array.from({ length: 14 }, (_, i) => i / 13))).toBeCloseTo(3.25 / 7, 12);
  });

  it('is null when a day has no embryos, and refuses the wrong number of days', () => {
    expect(accuracyCurveAuc([...Array(13).fill(0.8), null])).toBeNull();
    expect(() => accuracyCurveAuc([0.5, 0.5])).toThrow(/expected 14/);
  });
});

describe('ROC AUC', () => {
  it('matches hand-computed cases', () => {
    expect(rocAuc([0.9, 0.8, 0.3, 0.1], [true, true, false, false])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [true, true, false, false])).toBe(0);
    // pairs (pos,neg): (0.8,0.6)=1 (0.8,0.9)=0 (0.4,0.6)=0 (0.4,0.9)=0 → 1/4
    expect(rocAuc([0.8, 0.4, 0.6, 0.9], [true, true, false, false])).toBe(0.25);
  });

  it('counts ties as one half (Mann–Whitney)', () => {
    expect(rocAuc([0.5, 0.5], [true, false])).toBe(0.5);
    // pos {0.7, 0.5}, neg {0.5, 0.2}: (0.7>0.5)=1 (0.7>0.2)=1 (0.5=0.5)=½ (0.5>0.2)=1 → 3.5/4
    expect(rocAuc([0.7, 0.5, 0.5, 0.2], [true, true, false, false])).toBe(0.875);
  });

  it('equals the pairwise definition and the area under its curve on random data with many ties', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 20; trial++) {
      const scores = Array.from({ length: 60 }, () => Math.round(rand() * 10) / 10); // 11 levels → many ties
      const labels = scores.map((s) => rand() < s);
      if (!labels.some(Boolean) || labels.every(Boolean)) continue;
      const auc = rocAuc(scores, labels)!;
      expect(auc).toBeCloseTo(pairwiseAuc(scores, labels), 12);
      expect(areaUnderPoints(rocCurve(scores, labels))).toBeCloseTo(auc, 12);
    }
  });

  it('is undefined (null) with one class only, and the curve runs from (0,0) to (1,1)', () => {
    expect(rocAuc([0.2, 0.9], [true, true])).toBeNull();
    expect(rocCurve([0.2, 0.9], [false, false])).toEqual([]);
    const curve = rocCurve([0.9, 0.4, 0.4, 0.1], [true, false, true, false]);
    expect(curve[0]).toMatchObject({ falsePositiveRate: 0, truePositiveRate: 0 });
    expect(curve.at(-1)).toMatchObject({ falsePositiveRate: 1, truePositiveRate: 1 });
    expect(curve.map((p) => p.threshold)).toEqual([Infinity, 0.9, 0.4, 0.1]);
  });
});

describe('threshold counts', () => {
  it('computes accuracy, sensitivity and specificity at 0.5 (0.5 counts as positive)', () => {
    const c = thresholdCounts([0.9, 0.5, 0.2, 0.6, 0.1], [true, true, true, false, false]);
    expect(c).toMatchObject({ n: 5, truePositives: 2, falseNegatives: 1, falsePositives: 1, trueNegatives: 1 });
    expect(c.accuracy).toBeCloseTo(3 / 5);
    expect(c.sensitivity).toBeCloseTo(2 / 3);
    expect(c.specificity).toBeCloseTo(1 / 2);
    expect(thresholdCounts([], [])).toMatchObject({ n: 0, accuracy: null, sensitivity: null, specificity: null });
  });
});

describe('days and carry-forward', () => {
  const trajectory = (
    probabilities: Record<number, number>,
    cultureEnded: boolean,
    blastocyst = true,
  ): LabelledTrajectory => ({
    embryoId: 'e',
    blastocyst,
    cultureEnded,
    probabilities: new Map(Object.entries(probabilities).map(([k, v]) => [Number(k), v])),
  });

  it('maps day d to segment 4d−1', () => {
    expect(segmentForDay(0.5)).toBe(1);
    expect(segmentForDay(3)).toBe(11);
    expect(segmentForDay(7)).toBe(27);
    expect(() => segmentForDay(7.5)).toThrow(RangeError);
    expect(() => segmentForDay(0.3)).toThrow(RangeError);
  });

  it('carries the last scored segment forward only when culture has ended', () => {
    const ended = trajectory({ 0: 0.1, 1: 0.2, 10: 0.7 }, true);
    expect(probabilityAtDay(ended, 0.5)).toBe(0.2);
    expect(probabilityAtDay(ended, 3)).toBe(0.7); // segment 11 missing → segment 10
    expect(probabilityAtDay(ended, 7)).toBe(0.7);
    const running = trajectory({ 0: 0.1, 1: 0.2, 10: 0.7 }, false);
    expect(probabilityAtDay(running, 3)).toBeUndefined();
  });

  it('evaluates a hand-made cohort', () => {
    const full = (p: number) => Object.fromEntries(Array.from({ length: 28 }, (_, s) => [s, p]));
    const cohort = [
      trajectory(full(0.9), true, true), // always right
      trajectory(full(0.2), true, false), // always right
      trajectory({ ...full(0.3), 19: 0.8, 20: 0.8 }, true, true), // right only at days 5 (segment 19)
      trajectory({ 0: 0.6, 1: 0.6, 2: 0.6 }, true, false), // ended after segment 2: wrong every day (0.6 carried)
    ];
    const m = evaluateTrajectories(cohort);
    expect(m).toMatchObject({ embryos: 4, blastocysts: 2, notBlastocysts: 2 });
    const at = (day: number) => m.days.find((d) => d.day === day)!;
    expect(at(3).accuracy).toBe(0.5);
    expect(at(5).accuracy).toBe(0.75);
    expect(at(5).sensitivity).toBe(1);
    expect(at(5).specificity).toBe(0.5);
    // AUC: 0.5 on every day but day 5 (0.75): area = 0.5·6.5 + 2·(0.25/2)·0.5 = 3.375
    expect(m.accuracyAuc).toBeCloseTo(3.375 / 7, 12);
    // day 3 scores: pos {0.9, 0.3}, neg {0.2, 0.6} → pairs 1,1,1,0 → 0.75
    expect(m.roc.find((r) => r.day === 3)!.auc).toBe(0.75);
    expect(m.roc.find((r) => r.day === 5)!.auc).toBe(1); // day 5: pos {0.9, 0.8}, neg {0.2, 0.6}
  });
});

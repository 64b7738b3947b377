import { evaluateTrajectories, type LabelledTrajectory } from '../../src/inference/evaluation/evaluation-metrics';
import { SeededRandom } from '../../src/inference/amsnet/prng';
import { spawnSync } from 'node:child_process';
import { PYTHON, TRAINING_DIR } from './python';

/** The trainer's per-epoch metrics must be the numbers `amsnet evaluate` would print for the same predictions. */
describe('trainer metrics = evaluation metrics', () => {
  it('gives the same accuracy per day, accuracy AUC and ROC AUCs as evaluation-metrics.ts', () => {
    const random = new SeededRandom(11);
    const trajectories: LabelledTrajectory[] = Array.from({ length: 40 }, (_, i) => {
      const blastocyst = random.next() < 0.45;
      const scored = 8 + Math.floor(random.next() * 21); // some stop early: carry-forward is exercised
      const probabilities = new Map<number, number>();
      for (let s = 0; s < scored; s++) {
        // ties on purpose: coarse values make equal scores across embryos
        const p = Math.round((blastocyst ? 0.35 : 0.15) + random.next() * 0.5 * 20) / 20;
        if (!(i % 7 === 0 && s === 11)) probabilities.set(s, Math.min(1, p)); // a missing segment now and then
      }
      return { embryoId: `e${i}`, blastocyst, probabilities, cultureEnded: i % 9 !== 0 };
    });
    const ts = evaluateTrajectories(trajectories);
    const input = trajectories.map((t) => ({
      blastocyst: t.blastocyst,
      cultureEnded: t.cultureEnded,
      probabilities: Object.fromEntries(t.probabilities),
    }));
    const result = spawnSync(PYTHON, ['-m', 'amsnet_training.metrics'], {
      cwd: TRAINING_DIR,
      input: JSON.stringify(input),
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(result.stderr);
    const py = JSON.parse(result.stdout);
    expect(py.embryos).toBe(ts.embryos);
    expect(py.blastocysts).toBe(ts.blastocysts);
    ts.days.forEach((d, i) => {
      expect(py.days[i].n).toBe(d.n);
      expect(py.days[i].accuracy).toBeCloseTo(d.accuracy!, 12);
      expect(py.days[i].sensitivity).toBeCloseTo(d.sensitivity!, 12);
    });
    expect(py.accuracyAuc).toBeCloseTo(ts.accuracyAuc!, 12);
    ts.roc.forEach((r, i) => expect(py.roc[i].auc).toBeCloseTo(r.auc!, 12));
    expect(new Set(ts.roc.map((r) => r.auc)).size).toBeGreaterThan(1); // the check can fail: the AUCs differ
  });
});

import {
  formatEvaluationCsv,
  formatEvaluationJson,
  formatEvaluationTable,
} from '../../src/inference/evaluation/evaluation-format';
import type { ModelEvaluation } from '../../src/inference/evaluation/evaluation.service';
import { SYNTHETIC_WARNING } from '../../src/inference/provenance';

/** A model trained on synthetic images says so in every format its numbers leave in, as an untrained one does. */
function evaluation(over: Partial<ModelEvaluation>): ModelEvaluation {
  return {
    model: { id: 'm1', name: 'amsnet-demo', version: 'v1', variant: 'amsnet', planes: [0], trained: true },
    untrained: false,
    synthetic: false,
    warning: null,
    clinicId: 'c1',
    from: null,
    to: null,
    embryosWithOutcome: 2,
    embryosNotScored: 0,
    lagging: [],
    metrics: {
      days: [{ day: 3, segment: 11, accuracy: 0.5, sensitivity: 1, specificity: 0, n: 2, positives: 1, negatives: 1 }],
      accuracyAuc: 0.5,
      embryos: 2,
      blastocysts: 1,
      notBlastocysts: 1,
      roc: [{ day: 3, auc: 0.75, positives: 1, negatives: 1 }],
    },
    evaluatedAt: new Date('2026-12-01T00:00:00Z'),
    ...over,
  } as ModelEvaluation;
}

describe('evaluation formats carry synthetic provenance', () => {
  const synthetic = evaluation({ synthetic: true, warning: SYNTHETIC_WARNING });
  const clinical = evaluation({});

  it('CSV has a synthetic column on every row', () => {
    const [header, ...rows] = formatEvaluationCsv(synthetic).trim().split('\n');
    const column = header.split(',').indexOf('synthetic');
    expect(column).toBeGreaterThan(0);
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows) expect(row.split(',')[column]).toBe('true');
    for (const row of formatEvaluationCsv(clinical).trim().split('\n').slice(1))
      expect(row.split(',')[column]).toBe('false');
  });

  it('the table names it in its scope line and warning; JSON keeps the flag', () => {
    const table = formatEvaluationTable(synthetic);
    expect(table).toContain('TRAINED ON SYNTHETIC DATA');
    expect(table).toContain(SYNTHETIC_WARNING);
    expect(formatEvaluationTable(clinical)).not.toMatch(/SYNTHETIC/);
    expect(JSON.parse(formatEvaluationJson(synthetic))).toMatchObject({ synthetic: true, warning: SYNTHETIC_WARNING });
  });
});

import { formatEvaluationCsv } from '../../src/inference/evaluation/evaluation-format';
import type { ModelEvaluation } from '../../src/inference/evaluation/evaluation.service';
import { csvLine } from '../../src/inference/export/dataset-files';

/**
 * CSV exports (dataset labels.csv, evaluation --format csv) open in spreadsheets: a text cell that
 * starts with = + - @ (or a tab/CR) must stay text, not become a formula. Numbers stay numbers.
 */
describe('CSV exports neutralise formulas', () => {
  it('prefixes formula-like text with an apostrophe and keeps numbers, quoting as before', () => {
    expect(csvLine(['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tx', 'plain', 'a,b'])).toBe(
      `"'=HYPERLINK(""http://x"",""y"")",'+1+1,'-2+3,'@SUM(A1),'\tx,plain,"a,b"`,
    );
    expect(csvLine([-0.25, 0, 3, true, null, undefined, ''])).toBe('-0.25,0,3,true,,,');
  });

  it('keeps a model name typed by someone else as text in an evaluation CSV', () => {
    const evaluation = {
      model: { id: 'm1', name: '=cmd|"/c calc"!A1', version: '-1', variant: 'amsnet', planes: [0] },
      untrained: false,
      synthetic: false,
      clinicId: null,
      metrics: {
        days: [{ day: 1, accuracy: 0.5, sensitivity: 0.5, specificity: 0.5, n: 2, positives: 1, negatives: 1 }],
        accuracyAuc: 0.5,
        embryos: 2,
        blastocysts: 1,
        notBlastocysts: 1,
        roc: [],
      },
    } as unknown as ModelEvaluation;
    const [, row] = formatEvaluationCsv(evaluation).split('\n');
    expect(row.startsWith(`m1,"'=cmd|""/c calc""!A1",'-1,false,false,,accuracy,1,0.5,2,1,1`)).toBe(true);
  });
});

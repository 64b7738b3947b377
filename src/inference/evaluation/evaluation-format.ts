import type { ModelEvaluation } from './evaluation.service';
import { csvCell } from '../../platform/csv';

/**
 * Renders an evaluation for people (a Table-1-style row) and for programs (JSON, CSV). Every format
 * carries the untrained warning when it applies, so the numbers cannot travel without it.
 */
export const EVALUATION_FORMATS = ['table', 'json', 'csv'] as const;
export type EvaluationFormat = (typeof EVALUATION_FORMATS)[number];

const percent = (x: number | null) => (x === null ? '–' : (x * 100).toFixed(2));
const fixed = (x: number | null, digits = 4) => (x === null ? '–' : x.toFixed(digits));

function scopeLine(e: ModelEvaluation): string {
  const period =
    e.from || e.to
      ? `, cycles inseminated ${e.from ? `from ${e.from.toISOString().slice(0, 10)}` : ''}${e.from && e.to ? ' ' : ''}${e.to ? `before ${e.to.toISOString().slice(0, 10)}` : ''}`
      : '';
  return `model ${e.model.name} ${e.model.version} (${e.model.variant}, planes ${e.model.planes.join(',')}${e.untrained ? ', UNTRAINED' : ''}${e.synthetic ? ', TRAINED ON SYNTHETIC DATA' : ''}) on ${e.clinicId ? `clinic ${e.clinicId}` : 'all clinics'}${period}`;
}

export function formatEvaluationTable(e: ModelEvaluation): string {
  const m = e.metrics;
  const lines: string[] = [];
  if (e.warning) lines.push(`!!! ${e.warning} !!!`, '');
  lines.push(scopeLine(e));
  lines.push(
    `embryos with an outcome: ${e.embryosWithOutcome} (${m.blastocysts} blastocyst, ${m.notBlastocysts} not; ${e.embryosNotScored} never scored by this model, left out)`,
  );
  if (e.lagging.length)
    lines.push(
      `${e.lagging.length} embryo(s) with predictions lagging behind their culture (left out of the later days, not carried forward): ` +
        e.lagging.map((l) => `${l.embryoId} ${l.scoredSegments}/${l.completeSegments} segments`).join(', '),
    );
  lines.push('');
  const header = ['', ...m.days.map((d) => `Day${d.day}`), 'AUC'];
  const accuracy = ['accuracy %', ...m.days.map((d) => percent(d.accuracy)), fixed(m.accuracyAuc)];
  const sensitivity = ['sensitivity %', ...m.days.map((d) => percent(d.sensitivity)), ''];
  const specificity = ['specificity %', ...m.days.map((d) => percent(d.specificity)), ''];
  const counts = ['embryos', ...m.days.map((d) => String(d.n)), ''];
  const rows = [header, accuracy, sensitivity, specificity, counts];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows)
    lines.push(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  lines.push(
    '',
    'ROC AUC: ' + m.roc.map((r) => `Day${r.day} ${fixed(r.auc, 3)} (${r.positives}+/${r.negatives}−)`).join('   '),
  );
  lines.push(
    '(accuracy at threshold 0.5; AUC = trapezoidal area of the accuracy curve over days 0.5…7 divided by 7, as in the paper)',
  );
  if (e.warning) lines.push('', `!!! ${e.warning} !!!`);
  return lines.join('\n');
}

export function formatEvaluationJson(e: ModelEvaluation): string {
  return JSON.stringify(e, (_key, value: unknown) => (value === Infinity ? null : value), 2);
}

/** One row per day plus the ROC AUC rows; the `untrained` and `synthetic` columns repeat on every row. */
export function formatEvaluationCsv(e: ModelEvaluation): string {
  const q = csvCell; // quoting, and a model name like "=HYPERLINK(…)" stays text
  const base = [e.model.id, e.model.name, e.model.version, e.untrained, e.synthetic, e.clinicId ?? ''];
  const lines = [
    'model_id,model_name,model_version,untrained,synthetic,clinic_id,metric,day,value,n,positives,negatives',
  ];
  for (const d of e.metrics.days) {
    for (const [metric, value] of [
      ['accuracy', d.accuracy],
      ['sensitivity', d.sensitivity],
      ['specificity', d.specificity],
    ] as const) {
      lines.push([...base, metric, d.day, value, d.n, d.positives, d.negatives].map(q).join(','));
    }
  }
  lines.push(
    [
      ...base,
      'accuracy_auc',
      '',
      e.metrics.accuracyAuc,
      e.metrics.embryos,
      e.metrics.blastocysts,
      e.metrics.notBlastocysts,
    ]
      .map(q)
      .join(','),
  );
  for (const r of e.metrics.roc)
    lines.push(
      [...base, 'roc_auc', r.day, r.auc, r.positives + r.negatives, r.positives, r.negatives].map(q).join(','),
    );
  return lines.join('\n') + '\n';
}

export function formatEvaluation(e: ModelEvaluation, format: EvaluationFormat): string {
  switch (format) {
    case 'table':
      return formatEvaluationTable(e);
    case 'json':
      return formatEvaluationJson(e);
    case 'csv':
      return formatEvaluationCsv(e);
  }
}

import type { ModelEvaluation } from './evaluation.service';

/**
 * The paper's two figures for one evaluation, as a standalone SVG: the accuracy curve over days
 * 0.5…7 (Fig. 5) and the ROC curves of days 3, 4, 5 (Fig. 6). Hand-written SVG: no fonts, scripts or
 * external references, so it opens anywhere and can be attached to a report.
 */
const PANEL = 300;
const MARGIN = { left: 50, top: 40, bottom: 45, right: 20 };
const ROC_COLOURS = ['#1b9e77', '#d95f02', '#7570b3'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (x: number) => x.toFixed(1);

function axes(
  x0: number,
  y0: number,
  title: string,
  xLabel: string,
  yLabel: string,
  xTicks: Array<[number, string]>,
  yTicks: Array<[number, string]>,
): string {
  const parts = [
    `<rect x="${x0}" y="${y0}" width="${PANEL}" height="${PANEL}" fill="none" stroke="#444"/>`,
    `<text x="${x0 + PANEL / 2}" y="${y0 - 12}" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<text x="${x0 + PANEL / 2}" y="${y0 + PANEL + 35}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`,
    `<text transform="translate(${x0 - 38},${y0 + PANEL / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`,
  ];
  for (const [f, label] of xTicks) {
    const x = x0 + f * PANEL;
    parts.push(
      `<line x1="${n(x)}" y1="${y0 + PANEL}" x2="${n(x)}" y2="${y0 + PANEL + 4}" stroke="#444"/>`,
      `<text x="${n(x)}" y="${y0 + PANEL + 16}" text-anchor="middle" font-size="10">${esc(label)}</text>`,
    );
  }
  for (const [f, label] of yTicks) {
    const y = y0 + PANEL - f * PANEL;
    parts.push(
      `<line x1="${x0 - 4}" y1="${n(y)}" x2="${x0}" y2="${n(y)}" stroke="#444"/>`,
      `<text x="${x0 - 6}" y="${n(y + 3)}" text-anchor="end" font-size="10">${esc(label)}</text>`,
    );
  }
  return parts.join('\n');
}

function polyline(points: Array<[number, number]>, colour: string, extra = ''): string {
  return `<polyline fill="none" stroke="${colour}" stroke-width="2" ${extra} points="${points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}"/>`;
}

export function renderEvaluationSvg(e: ModelEvaluation): string {
  const width = MARGIN.left + PANEL + MARGIN.right + MARGIN.left + PANEL + MARGIN.right;
  const banner = e.warning ? 30 : 0; // untrained, or trained on synthetic data
  const height = banner + MARGIN.top + PANEL + MARGIN.bottom + 20;
  const top = banner + MARGIN.top;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<title>${esc(`Evaluation of ${e.model.name} ${e.model.version}${e.untrained ? ' (UNTRAINED)' : ''}`)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  if (e.warning) {
    parts.push(
      `<rect x="0" y="0" width="${width}" height="${banner}" fill="#b00020"/>`,
      `<text x="${width / 2}" y="20" text-anchor="middle" font-size="13" fill="white" font-weight="bold">${esc(e.warning)}</text>`,
    );
  }

  // accuracy curve: days 0.5…7 on x, accuracy 0…1 on y
  const ax = MARGIN.left;
  const days = e.metrics.days;
  const dayTicks: Array<[number, string]> = [1, 2, 3, 4, 5, 6, 7].map((d) => [(d - 0.5) / 6.5, String(d)]);
  const fracTicks: Array<[number, string]> = [0, 0.25, 0.5, 0.75, 1].map((f) => [f, f.toFixed(2)]);
  parts.push(
    axes(
      ax,
      top,
      `Accuracy (AUC ${e.metrics.accuracyAuc === null ? '–' : e.metrics.accuracyAuc.toFixed(4)})`,
      'day of culture',
      'accuracy at 0.5',
      dayTicks,
      fracTicks,
    ),
  );
  const accuracyPoints = days
    .filter((d) => d.accuracy !== null)
    .map((d): [number, number] => [ax + ((d.day - 0.5) / 6.5) * PANEL, top + PANEL - d.accuracy! * PANEL]);
  if (accuracyPoints.length > 0) {
    parts.push(polyline(accuracyPoints, '#222'));
    for (const [x, y] of accuracyPoints) parts.push(`<circle cx="${n(x)}" cy="${n(y)}" r="2.5" fill="#222"/>`);
  }

  // ROC curves of days 3, 4, 5 with the chance diagonal
  const rx = MARGIN.left + PANEL + MARGIN.right + MARGIN.left;
  parts.push(axes(rx, top, 'ROC', 'false positive rate', 'true positive rate', fracTicks, fracTicks));
  parts.push(
    `<line x1="${rx}" y1="${top + PANEL}" x2="${rx + PANEL}" y2="${top}" stroke="#aaa" stroke-dasharray="4 4"/>`,
  );
  e.metrics.roc.forEach((r, i) => {
    const colour = ROC_COLOURS[i % ROC_COLOURS.length];
    if (r.points.length > 0) {
      parts.push(
        polyline(
          r.points.map((p): [number, number] => [
            rx + p.falsePositiveRate * PANEL,
            top + PANEL - p.truePositiveRate * PANEL,
          ]),
          colour,
          `data-day="${r.day}"`,
        ),
      );
    }
    const label = `Day ${r.day}: AUC ${r.auc === null ? '– (one class only)' : r.auc.toFixed(3)}`;
    parts.push(
      `<text x="${rx + PANEL - 8}" y="${top + PANEL - 12 - 15 * (e.metrics.roc.length - 1 - i)}" text-anchor="end" font-size="11" fill="${colour}">${esc(label)}</text>`,
    );
  });
  parts.push(
    `<text x="${width / 2}" y="${height - 6}" text-anchor="middle" font-size="11" fill="#444">${esc(`${e.model.name} ${e.model.version} · ${e.metrics.embryos} embryos (${e.metrics.blastocysts} blastocysts)${e.untrained ? ' · UNTRAINED' : ''}`)}</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

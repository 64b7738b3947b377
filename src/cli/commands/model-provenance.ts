import type { ModelVersion } from '../../entities';
import { provenanceLabel, untrainedWarning } from '../../inference/provenance';

type Manifest = {
  dataset?: { splits?: Record<string, { embryos: number; blastocysts: number }>; synthetic?: boolean };
  validation?: { accuracyAuc?: number | null; roc?: Array<{ day: number; auc: number | null }> };
  bestEpoch?: number;
  epochsRun?: number;
  seed?: number;
  device?: string;
  wallSeconds?: number;
  model?: { width?: number; blocks?: number[] };
};

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));

/** `amsnet model inspect <id>`: a registered version with where its weights came from. */
export function registeredModelRows(v: ModelVersion): [string, string][] {
  const rows: [string, string][] = [
    ['id', v.id],
    ['model', `${v.name} ${v.version}`],
    ['sha256', v.sha256.trim()],
    ['contract', `${v.variant}, planes ${v.planes.join(',')} µm, S=${v.inputSize}`],
    ['provenance', provenanceLabel(v)],
  ];
  if (v.weightsSha256) rows.push(['weights sha256', v.weightsSha256.trim()]);
  const m = v.trainingManifest as Manifest | null;
  if (m) {
    const splits = Object.entries(m.dataset?.splits ?? {})
      .filter(([, s]) => s.embryos > 0)
      .map(([name, s]) => `${name} ${s.embryos} (${s.blastocysts} blastocysts)`);
    rows.push(['training data', `${splits.join(', ')}${m.dataset?.synthetic ? ', synthetic' : ''}`]);
    rows.push([
      'validation',
      `accuracy AUC ${fmt(m.validation?.accuracyAuc)}, ROC AUC ${(m.validation?.roc ?? []).map((r) => `day ${r.day} ${fmt(r.auc)}`).join(', ')} (epoch ${m.bestEpoch} of ${m.epochsRun})`,
    ]);
    rows.push(['trained', `seed ${m.seed}, ${m.device ?? '?'}, ${Math.round(m.wallSeconds ?? 0)} s`]);
  }
  const warning = untrainedWarning(v);
  if (warning) rows.push(['warning', warning]);
  rows.push(['registered', v.createdAt.toISOString()]);
  return rows;
}

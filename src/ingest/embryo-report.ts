import type { Outcome } from '../entities';
import type { EmbryoImportResult } from './embryo-import.service';
import type { ImportRunRecorder } from './import-run.recorder';
import { BLASTOCYST_PHASES } from './folder/folder-export.layout';

/** An embryo whose annotations reach tB, tEB or tHB became a blastocyst; one annotated short of that did not. */
export function outcomeFromPhases(phases: readonly { phase: string }[]): Outcome {
  if (phases.length === 0) return 'UNKNOWN';
  return phases.some((p) => BLASTOCYST_PHASES.includes(p.phase)) ? 'BLASTOCYST' : 'NOT_BLASTOCYST';
}

/** Compresses a list of run numbers for a report line: "3, 5–9, 12". */
export function describeRuns(runs: number[], max = 12): string {
  const sorted = [...new Set(runs)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return parts.length > max ? `${parts.slice(0, max).join(', ')}, …` : parts.join(', ');
}

/** Records one embryo's outcome and its per-frame problems, and adds its frames to the run totals. */
export async function recordEmbryo(
  recorder: ImportRunRecorder,
  item: string,
  result: EmbryoImportResult,
  notes: string[],
): Promise<void> {
  for (const p of result.problems) await recorder.add(p.item, p.status, p.reason);
  recorder.addFrames(result.stored, result.alreadyStored);
  const summary =
    `${result.stored} frames stored, ${result.alreadyStored} already stored` +
    (result.bannerCropped ? `, ${result.bannerCropped} banner${result.bannerCropped === 1 ? '' : 's'} cropped` : '') +
    (result.problems.length
      ? `, ${result.problems.length} frame file${result.problems.length === 1 ? '' : 's'} not imported`
      : '');
  const reason = result.reason ? [result.reason, summary, ...notes] : [summary, ...notes];
  await recorder.add(item, result.status, reason.join('; '));
}

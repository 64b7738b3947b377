import type { DevelopmentStory } from './development-story';

/**
 * The phase annotations an embryologist would write for the frames actually recorded:
 * `phase,firstRun,lastRun` per phase, RUN numbers starting at 1. A phase too short to get a frame
 * of its own (t3 between two frames, say) is left out, as annotators do.
 */
export function phaseRows(
  story: DevelopmentStory,
  times: readonly number[],
): Array<{ phase: string; firstRun: number; lastRun: number }> {
  const starts = story.events
    .map((event) => ({ phase: event.phase, firstRun: times.findIndex((t) => t >= event.hpi) + 1 }))
    .filter((row) => row.firstRun > 0);
  const rows: Array<{ phase: string; firstRun: number; lastRun: number }> = [];
  starts.forEach((row, i) => {
    const nextStart = starts.slice(i + 1).find((later) => later.firstRun > row.firstRun)?.firstRun;
    const superseded = starts.slice(i + 1).some((later) => later.firstRun === row.firstRun);
    if (superseded) return; // a later phase begins on the same frame
    rows.push({
      phase: row.phase,
      firstRun: row.firstRun,
      lastRun: nextStart !== undefined ? nextStart - 1 : times.length,
    });
  });
  return rows;
}

/** `D<YYYY.MM.DD>_S<slide>_I<instrument>_WELL<n>_RUN<k>.jpeg`, dated by acquisition (UTC). */
export function frameFileName(acquiredAt: Date, slide: string, instrument: string, well: number, run: number): string {
  const d = acquiredAt;
  const date = `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}`;
  return `D${date}_S${slide}_I${instrument}_WELL${well}_RUN${run}.jpeg`;
}

/** Folder of one focal plane: `embryo_dataset` at 0 µm, `embryo_dataset_F-15`, `embryo_dataset_F15`, … */
export function planeFolderName(planeUm: number): string {
  return planeUm === 0 ? 'embryo_dataset' : `embryo_dataset_F${planeUm}`;
}

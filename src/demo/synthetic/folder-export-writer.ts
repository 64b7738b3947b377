import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sceneAt } from './embryo-scene';
import { EXPORT_FOCAL_PLANES_UM, encodePlane } from './focal-stack';
import { frameFileName, phaseRows, planeFolderName } from './export-annotations';
import { frameTimes, type DemoLabPlan, type PlannedCycle, type PlannedEmbryo } from './demo-lab-plan';
import { rasterise } from './raster';

export interface WrittenExport {
  /** Root of the folder export (what `import folder` reads). */
  exportDir: string;
  /** The cycle sheet CSV linking patients, cycles and embryo folders. */
  cycleSheetPath: string;
  embryos: number;
  frames: number;
  files: number;
}

/**
 * Writes a demo lab plan as an incubator folder export, in the layout the folder importer reads:
 *   embryo_dataset[_F<µm>]/<embryo>/D…_RUN<k>.jpeg, embryo_dataset_time_elapsed/<embryo>_timeElapsed.csv,
 *   embryo_dataset_annotations/<embryo>_phases.csv (finished cultures only)
 * plus `cycle-sheet.csv` beside it. Every file is new; `outDir` should be empty or absent.
 */
export async function writeDemoExport(
  plan: DemoLabPlan,
  outDir: string,
  onEmbryoWritten?: (done: number, total: number) => void,
): Promise<WrittenExport> {
  const exportDir = join(outDir, 'export');
  for (const plane of EXPORT_FOCAL_PLANES_UM) await mkdir(join(exportDir, planeFolderName(plane)), { recursive: true });
  await mkdir(join(exportDir, 'embryo_dataset_time_elapsed'), { recursive: true });
  await mkdir(join(exportDir, 'embryo_dataset_annotations'), { recursive: true });

  const work = plan.cycles.flatMap((cycle) => cycle.embryos.map((embryo) => ({ cycle, embryo })));
  let frames = 0;
  let files = 0;
  let done = 0;
  // Two embryos at a time: sharp already spreads each encode over libvips threads.
  const queue = [...work];
  const workers = Array.from({ length: Math.min(2, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const written = await writeEmbryo(exportDir, next.cycle, next.embryo, plan);
      frames += written.frames;
      files += written.files;
      onEmbryoWritten?.(++done, work.length);
    }
  });
  await Promise.all(workers);

  const cycleSheetPath = join(outDir, 'cycle-sheet.csv');
  await writeFile(cycleSheetPath, cycleSheet(plan));
  return { exportDir, cycleSheetPath, embryos: work.length, frames, files: files + 1 };
}

async function writeEmbryo(
  exportDir: string,
  cycle: PlannedCycle,
  embryo: PlannedEmbryo,
  plan: DemoLabPlan,
): Promise<{ frames: number; files: number }> {
  const { imageSize, frameMinutes } = plan.options;
  const times = frameTimes(cycle.cultureHours, frameMinutes);
  for (const plane of EXPORT_FOCAL_PLANES_UM)
    await mkdir(join(exportDir, planeFolderName(plane), embryo.externalId), { recursive: true });
  for (let i = 0; i < times.length; i++) {
    const run = i + 1;
    const pixels = rasterise(sceneAt(embryo.story, times[i]), imageSize, embryo.story.layoutSeed + run);
    const name = frameFileName(
      new Date(cycle.inseminationAt.getTime() + times[i] * 3_600_000),
      cycle.slide,
      cycle.instrument,
      embryo.well,
      run,
    );
    await Promise.all(
      EXPORT_FOCAL_PLANES_UM.map(async (plane) => {
        const jpeg = await encodePlane(pixels, imageSize, plane);
        await writeFile(join(exportDir, planeFolderName(plane), embryo.externalId, name), jpeg);
      }),
    );
  }
  const elapsed = ['frame_index,time', ...times.map((t, i) => `${i + 1},${t.toFixed(2)}`)].join('\n') + '\n';
  await writeFile(join(exportDir, 'embryo_dataset_time_elapsed', `${embryo.externalId}_timeElapsed.csv`), elapsed);
  // Annotations exist only for finished cultures: the importer reads an annotated embryo that
  // never reached tB as NOT_BLASTOCYST, which would be false for an embryo still in culture.
  if (!cycle.completed) return { frames: times.length, files: times.length * EXPORT_FOCAL_PLANES_UM.length + 1 };
  const phases =
    phaseRows(embryo.story, times)
      .map((r) => `${r.phase},${r.firstRun},${r.lastRun}`)
      .join('\n') + '\n';
  await writeFile(join(exportDir, 'embryo_dataset_annotations', `${embryo.externalId}_phases.csv`), phases);
  return { frames: times.length, files: times.length * EXPORT_FOCAL_PLANES_UM.length + 2 };
}

/** `mrn,patient_name,cycle_id,insemination_at,method,embryo_label,embryo_external_id`, one row per embryo. */
export function cycleSheet(plan: DemoLabPlan): string {
  const rows = plan.cycles.flatMap((c) =>
    c.embryos.map((e) =>
      [c.mrn, c.patientName, c.cycleId, c.inseminationAt.toISOString(), c.method, e.label, e.externalId]
        .map(csvField)
        .join(','),
    ),
  );
  return (
    ['mrn,patient_name,cycle_id,insemination_at,method,embryo_label,embryo_external_id', ...rows].join('\n') + '\n'
  );
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

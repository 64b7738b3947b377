import { parse } from 'csv-parse/sync';
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { UserError } from '../../platform/errors';
import {
  ANNOTATIONS_FOLDER,
  DUPLICATE_PLANE_SUBFOLDER,
  PHASES,
  TIME_FOLDER,
  focalPlaneOfFolder,
  parseFrameFileName,
  phasesFileName,
  timeFileName,
} from './folder-export.layout';

export interface FolderExport {
  root: string;
  planes: { focalPlaneUm: number; dir: string }[];
  /** Embryo folder names over all planes, sorted. */
  embryos: string[];
}

export interface FrameFile {
  path: string;
  /** Path relative to the export root, for reports and frame.source. */
  relativePath: string;
  focalPlaneUm: number;
  well: number;
  run: number;
}

export interface ItemProblem {
  item: string;
  status: 'skipped' | 'failed';
  reason: string;
}

export interface AnnotatedPhase {
  phase: string;
  firstRun: number;
  lastRun: number;
}

/** What the export holds for one embryo, before any image is decoded. */
export interface EmbryoFolder {
  name: string;
  files: FrameFile[];
  problems: ItemProblem[];
  /** RUN number → hours post insemination; null when the time file is missing or unreadable. */
  hoursByRun: Map<number, number> | null;
  timeProblem: string | null;
  /** Null when the export has no annotation file for the embryo. */
  phases: AnnotatedPhase[] | null;
  notes: string[];
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Finds the plane folders and the embryos of an export; refuses a folder that is not one. */
export async function scanFolderExport(root: string): Promise<FolderExport> {
  const top = await readdir(root, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read folder ${root}: ${e.code ?? e.message}`);
  });
  const planes = top
    .filter((d) => d.isDirectory() && focalPlaneOfFolder(d.name) !== null)
    .map((d) => ({ focalPlaneUm: focalPlaneOfFolder(d.name)!, dir: join(root, d.name) }))
    .sort((a, b) => a.focalPlaneUm - b.focalPlaneUm);
  if (planes.length === 0) {
    throw new UserError(`${root} is not a time-lapse folder export: no embryo_dataset or embryo_dataset_F<µm> folder`);
  }
  const embryos = new Set<string>();
  for (const plane of planes) for (const d of await entries(plane.dir)) if (d.isDirectory()) embryos.add(d.name);
  return { root, planes, embryos: [...embryos].sort() };
}

/** Lists one embryo's frame files over all planes and reads its time and phase files. */
export async function readEmbryoFolder(exp: FolderExport, name: string): Promise<EmbryoFolder> {
  const files: FrameFile[] = [];
  const problems: ItemProblem[] = [];
  const notes: string[] = [];
  for (const plane of exp.planes) {
    const dir = join(plane.dir, name);
    const list = await entries(dir);
    const direct = list.filter((d) => d.isFile());
    const subfolders = list.filter((d) => d.isDirectory());
    let source = { dir, list: direct };
    for (const sub of subfolders) {
      const rel = relative(exp.root, join(dir, sub.name));
      const isDuplicate = DUPLICATE_PLANE_SUBFOLDER.test(sub.name);
      if (isDuplicate && direct.some((d) => parseFrameFileName(d.name))) {
        problems.push({
          item: rel,
          status: 'skipped',
          reason: `duplicate plane subfolder ${sub.name}/ ignored: the embryo folder holds the images`,
        });
      } else if (isDuplicate) {
        source = { dir: join(dir, sub.name), list: (await entries(join(dir, sub.name))).filter((d) => d.isFile()) };
      } else {
        problems.push({ item: rel, status: 'skipped', reason: 'unexpected subfolder' });
      }
    }
    for (const f of source.list) {
      const parsed = parseFrameFileName(f.name);
      const path = join(source.dir, f.name);
      if (!parsed) {
        problems.push({
          item: relative(exp.root, path),
          status: 'skipped',
          reason: 'name is not D<date>_S<slide>_I<instrument>_WELL<n>_RUN<k>.jpeg',
        });
        continue;
      }
      files.push({ path, relativePath: relative(exp.root, path), focalPlaneUm: plane.focalPlaneUm, ...parsed });
    }
  }
  files.sort((a, b) => a.run - b.run || a.focalPlaneUm - b.focalPlaneUm);
  const time = await readTimeFile(join(exp.root, TIME_FOLDER, timeFileName(name)));
  const phases = await readPhasesFile(join(exp.root, ANNOTATIONS_FOLDER, phasesFileName(name)), notes);
  return { name, files, problems, hoursByRun: time.hoursByRun, timeProblem: time.problem, phases, notes };
}

async function readTimeFile(path: string): Promise<{ hoursByRun: Map<number, number> | null; problem: string | null }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { hoursByRun: null, problem: `time file ${TIME_FOLDER}/${path.split('/').pop()} is missing` };
  }
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (error) {
    return { hoursByRun: null, problem: `time file is not valid CSV: ${(error as Error).message}` };
  }
  if (rows.length === 0 || rows[0][0] !== 'frame_index' || rows[0][1] !== 'time') {
    return { hoursByRun: null, problem: 'time file must start with the header "frame_index,time"' };
  }
  const hoursByRun = new Map<number, number>();
  for (const [run, hours] of rows.slice(1)) {
    const r = Number(run);
    const h = Number(hours);
    // Rows that are not a run number and a time in [0, 1000) h carry no usable time; their images are reported.
    if (Number.isInteger(r) && Number.isFinite(h) && h >= 0 && h < 1000) hoursByRun.set(r, h);
  }
  return { hoursByRun, problem: null };
}

async function readPhasesFile(path: string, notes: string[]): Promise<AnnotatedPhase[] | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (error) {
    notes.push(`annotations ignored: not valid CSV (${(error as Error).message})`);
    return null;
  }
  const phases: AnnotatedPhase[] = [];
  for (const [phase, first, last] of rows) {
    const firstRun = Number(first);
    const lastRun = Number(last);
    if (!(PHASES as readonly string[]).includes(phase) || !Number.isInteger(firstRun) || !Number.isInteger(lastRun)) {
      notes.push(`annotation row "${[phase, first, last].join(',')}" ignored`);
      continue;
    }
    phases.push({ phase, firstRun, lastRun });
  }
  return phases.length > 0 ? phases : null;
}

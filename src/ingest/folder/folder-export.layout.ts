/**
 * Names in the public EmbryoScope time-lapse dataset layout (Gomez et al. 2022): one folder per
 * focal plane, one folder per embryo inside it, a time file and an optional phase file per embryo.
 */
export const TIME_FOLDER = 'embryo_dataset_time_elapsed';
export const ANNOTATIONS_FOLDER = 'embryo_dataset_annotations';

/** `embryo_dataset` is the 0 µm plane; `embryo_dataset_F-45` … `embryo_dataset_F45` the others. */
export function focalPlaneOfFolder(name: string): number | null {
  if (name === 'embryo_dataset') return 0;
  const match = /^embryo_dataset_F(-?\d{1,3})$/.exec(name);
  return match ? Number(match[1]) : null;
}

export const timeFileName = (embryo: string) => `${embryo}_timeElapsed.csv`;
export const phasesFileName = (embryo: string) => `${embryo}_phases.csv`;

/** `D2016.01.07_S1234_I141_WELL3_RUN12.jpeg` */
const FRAME_FILE = /^D(\d{4})\.(\d{2})\.(\d{2})_S([^_]+)_I([^_]+)_WELL(\d+)_RUN(\d+)\.jpe?g$/i;

export interface FrameFileName {
  well: number;
  run: number;
}

export function parseFrameFileName(name: string): FrameFileName | null {
  const m = FRAME_FILE.exec(name);
  return m ? { well: Number(m[6]), run: Number(m[7]) } : null;
}

/** Morphokinetic phases in developmental order; reaching one of BLASTOCYST_PHASES means blastocyst. */
export const PHASES = [
  'tPB2',
  'tPNa',
  'tPNf',
  't2',
  't3',
  't4',
  't5',
  't6',
  't7',
  't8',
  't9+',
  'tM',
  'tSB',
  'tB',
  'tEB',
  'tHB',
] as const;
export const BLASTOCYST_PHASES: readonly string[] = ['tB', 'tEB', 'tHB'];

/** Folder name of the duplicate 0 µm copy some exports put inside an embryo folder. */
export const DUPLICATE_PLANE_SUBFOLDER = /^F-?\d+$/i;

import { drawStory, type DevelopmentStory, type Fate } from './development-story';
import { SeededRandom } from './random';

/**
 * Who and what the demo lab holds: patients, one cycle each at a different culture day, and their
 * embryos with a seeded developmental story. Pure data: nothing is drawn or written here.
 */
export interface DemoLabOptions {
  seed: number;
  /** Minutes between frames: 10 is the incubator's real rate; the quick demo uses fewer frames. */
  frameMinutes: number;
  /** Pixels per side (EmbryoScope: 500). */
  imageSize: number;
  patients: number;
  embryosPerCycle: { min: number; max: number };
  /** "Now" of the demo: cycles were inseminated their culture time before it. */
  referenceTime: Date;
}

export const DEFAULT_DEMO_LAB: Omit<DemoLabOptions, 'referenceTime'> = {
  seed: 20_240_611,
  frameMinutes: 360,
  imageSize: 224,
  patients: 4,
  embryosPerCycle: { min: 8, max: 12 },
};

/** Full incubator rate and resolution (`amsnet demo --full-rate`): minutes instead of seconds. */
export const FULL_RATE = { frameMinutes: 10, imageSize: 500 } as const;

export interface PlannedEmbryo {
  /** Folder name in the export, and `embryo_external_id` of the cycle sheet. */
  externalId: string;
  label: string;
  well: number;
  story: DevelopmentStory;
  /** Known only for finished cultures: did it reach the blastocyst stage (tB) while recorded. */
  outcome: 'BLASTOCYST' | 'NOT_BLASTOCYST' | undefined;
}

export interface PlannedCycle {
  mrn: string;
  patientName: string;
  cycleId: string;
  method: 'IVF' | 'ICSI';
  inseminationAt: Date;
  slide: string;
  instrument: string;
  /** Hours of culture recorded so far (the last frame's hpi is just below it). */
  cultureHours: number;
  completed: boolean;
  embryos: PlannedEmbryo[];
}

export interface DemoLabPlan {
  options: DemoLabOptions;
  cycles: PlannedCycle[];
}

// Culture days of the cycles, in order: one finished (outcomes known), one at day 5, one at day 3;
// more patients repeat the pattern, so the default four give two finished cycles for `amsnet
// evaluate` to measure. A finished culture is recorded past 168 h, so every segment up to day 7
// (the paper's last) has its frames and the accuracy curve covers all of days 0.5…7.
const CULTURE_HOURS = [170, 118, 74];
const PATIENT_NAMES = ['Demo, Alice', 'Demo, Beatriz', 'Demo, Chiara', 'Demo, Dana', 'Demo, Emma', 'Demo, Farah'];

export function planDemoLab(options: DemoLabOptions): DemoLabPlan {
  const random = new SeededRandom(options.seed);
  const cycles: PlannedCycle[] = [];
  for (let p = 0; p < options.patients; p++) {
    const cycleRandom = random.fork(`cycle-${p}`);
    const n = cycleRandom.integer(options.embryosPerCycle.min, options.embryosPerCycle.max);
    const cultureHours = CULTURE_HOURS[p % CULTURE_HOURS.length];
    const completed = p % CULTURE_HOURS.length === 0;
    const cycleId = `DEMO-C${String(p + 1).padStart(2, '0')}`;
    const fates = shuffledFates(cycleRandom, n);
    const embryos = fates.map((fate, i): PlannedEmbryo => {
      const story = drawStory(cycleRandom.fork(`embryo-${i}`), fate);
      const tB = story.events.find((e) => e.phase === 'tB')?.hpi;
      return {
        externalId: `${cycleId}-E${String(i + 1).padStart(2, '0')}`,
        label: `A${i + 1}`,
        well: i + 1,
        story,
        outcome: completed ? (tB !== undefined && tB < cultureHours ? 'BLASTOCYST' : 'NOT_BLASTOCYST') : undefined,
      };
    });
    cycles.push({
      mrn: `DEMO-MRN-${String(1001 + p)}`,
      patientName: PATIENT_NAMES[p % PATIENT_NAMES.length],
      cycleId,
      method: p % 2 === 0 ? 'ICSI' : 'IVF',
      inseminationAt: new Date(
        Math.floor((options.referenceTime.getTime() - cultureHours * 3_600_000) / 60_000) * 60_000,
      ),
      slide: String(1000 + cycleRandom.integer(0, 8999)),
      instrument: String(100 + cycleRandom.integer(0, 899)),
      cultureHours,
      completed,
      embryos,
    });
  }
  return { options, cycles };
}

/** About half the embryos become blastocysts; the rest arrest or fragment. */
export function shuffledFates(random: SeededRandom, n: number): Fate[] {
  const blastocysts = Math.max(1, Math.min(n - 1, Math.round(n / 2 + random.between(-1, 1))));
  const fates: Fate[] = Array.from({ length: n }, (_, i) =>
    i < blastocysts ? 'blastocyst' : i % 2 === 0 ? 'arrest' : 'fragmentation',
  );
  for (let i = fates.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [fates[i], fates[j]] = [fates[j], fates[i]];
  }
  return fates;
}

/** Acquisition times (hpi) of the frames of a culture: from 1 hpi every `frameMinutes`, below `cultureHours`. */
export function frameTimes(cultureHours: number, frameMinutes: number): number[] {
  const times: number[] = [];
  for (let minutes = 60; minutes < cultureHours * 60; minutes += frameMinutes)
    times.push(Math.round((minutes / 60) * 100) / 100);
  return times;
}

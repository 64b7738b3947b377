import { SeededRandom } from './random';
import { PHASES as EXPORT_PHASES } from '../../ingest/folder/folder-export.layout';

/**
 * The developmental story of one synthetic embryo: when each morphokinetic event happens (hours
 * post insemination) and how it ends. Timings follow published time-lapse annotations of human
 * embryos (e.g. the Gomez et al. 2022 dataset that the paper uses): t2 ≈ 26 h, t8 ≈ 55 h,
 * morula ≈ 85 h, start of blastulation ≈ 97 h, blastocyst ≈ 106 h.
 */
export type Fate = 'blastocyst' | 'arrest' | 'fragmentation';

/**
 * Annotation names in developmental order: the folder export's own list (the importer reads what
 * the demo writes), without hatching (tHB), which the synthetic stories never reach.
 */
export const PHASES = EXPORT_PHASES.filter((p): p is Exclude<(typeof EXPORT_PHASES)[number], 'tHB'> => p !== 'tHB');
export type Phase = (typeof PHASES)[number];

const TYPICAL_HPI: Record<Phase, number> = {
  tPB2: 3.5,
  tPNa: 9,
  tPNf: 23.5,
  t2: 26.5,
  t3: 36.5,
  t4: 38.5,
  t5: 48.5,
  t6: 50.5,
  t7: 52.5,
  t8: 55.5,
  't9+': 68,
  tM: 85,
  tSB: 97,
  tB: 106,
  tEB: 116,
};

/** Cells present once each phase is reached (0 = not a cleavage phase). */
export const CELLS_AT: Record<Phase, number> = {
  tPB2: 1,
  tPNa: 1,
  tPNf: 1,
  t2: 2,
  t3: 3,
  t4: 4,
  t5: 5,
  t6: 6,
  t7: 7,
  t8: 8,
  't9+': 12,
  tM: 16,
  tSB: 16,
  tB: 16,
  tEB: 16,
};

export interface DevelopmentStory {
  fate: Fate;
  /** Reached phases with their onset (hpi), strictly increasing. */
  events: Array<{ phase: Phase; hpi: number }>;
  /** Last phase reached; after it a non-blastocyst degenerates from `arrestHpi` on. */
  arrestHpi: number | null;
  /** Fragmentation grows from 0 to this share of the embryo's volume (0 for clean embryos). */
  fragmentation: number;
  /** Several nuclei per blastomere at the 2–4 cell stages (goes with arrest). */
  multinucleation: boolean;
  /** Uneven blastomere sizes, 0 = even (irregular cleavage goes with arrest). */
  unevenness: number;
  /** Fixed look of this embryo: rotation of the cell layout, zona size, where the ICM sits. */
  orientation: number;
  zonaRadius: number;
  icmAngle: number;
  /** Seeds the fixed layout details (fragment spots, texture) that must not flicker between frames. */
  layoutSeed: number;
}

/**
 * How the early development of an embryo that will (or will not) become a blastocyst tends to look,
 * after published morphokinetics (e.g. Meseguer et al. 2011; Rubio et al. 2012; Desai et al. 2014):
 * slow and irregular early cleavage, direct 1→3 cleavage (t3 − t2 < 5 h), multinucleation, uneven
 * blastomeres and fragmentation go with arrest; timely t5 and t8 with blastulation. Every signal is
 * a tendency drawn with noise, so the classes overlap and early prediction is possible, not certain.
 */
const KINETICS: Record<
  Fate,
  { pace: number; paceSd: number; jitter: number; direct: number; multinucleated: number; uneven: [number, number] }
> = {
  blastocyst: { pace: 0.98, paceSd: 0.06, jitter: 0.03, direct: 0.05, multinucleated: 0.08, uneven: [0, 0.15] },
  arrest: { pace: 1.1, paceSd: 0.08, jitter: 0.06, direct: 0.3, multinucleated: 0.35, uneven: [0.05, 0.4] },
  fragmentation: { pace: 1.06, paceSd: 0.08, jitter: 0.05, direct: 0.2, multinucleated: 0.2, uneven: [0.05, 0.35] },
};

/** Draws the story of one embryo. Slower embryos are slower at every step (one pace factor). */
export function drawStory(random: SeededRandom, fate: Fate): DevelopmentStory {
  const k = KINETICS[fate];
  const pace = Math.min(1.3, Math.max(0.85, random.normal(k.pace, k.paceSd)));
  const lastIndex =
    fate === 'blastocyst'
      ? PHASES.length - 1
      : fate === 'arrest'
        ? PHASES.indexOf(random.pick(['t2', 't4', 't5', 't8', 't9+', 'tM'] as const))
        : PHASES.indexOf(random.pick(['t4', 't6', 't8'] as const));
  const direct = random.next() < k.direct;
  const events: Array<{ phase: Phase; hpi: number }> = [];
  let previous = 0;
  for (let i = 0; i <= lastIndex; i++) {
    const phase = PHASES[i];
    const jitter = random.normal(0, k.jitter * TYPICAL_HPI[phase]);
    let hpi = Math.max(previous + 0.6, TYPICAL_HPI[phase] * pace + jitter);
    // direct cleavage: the zygote divides into three cells, t3 only a few hours after t2
    if (phase === 't3' && direct) hpi = previous + random.between(0.6, 3);
    events.push({ phase, hpi: round2(hpi) });
    previous = hpi;
  }
  const last = events[events.length - 1].hpi;
  return {
    fate,
    events,
    arrestHpi: fate === 'blastocyst' ? null : round2(last + random.between(6, 20)),
    fragmentation:
      fate === 'fragmentation'
        ? random.between(0.25, 0.45)
        : fate === 'arrest'
          ? random.between(0, 0.15)
          : random.between(0, 0.06),
    multinucleation: random.next() < k.multinucleated,
    unevenness: random.between(k.uneven[0], k.uneven[1]),
    orientation: random.between(0, Math.PI * 2),
    zonaRadius: random.between(0.37, 0.41),
    icmAngle: random.between(0, Math.PI * 2),
    layoutSeed: random.integer(1, 2 ** 31 - 1),
  };
}

/** The phase the embryo is in at `hpi` (undefined before the first event). */
export function phaseAt(
  story: DevelopmentStory,
  hpi: number,
): { phase: Phase; since: number; next: number | undefined } | undefined {
  let found: { phase: Phase; since: number; next: number | undefined } | undefined;
  story.events.forEach((event, i) => {
    if (event.hpi <= hpi) found = { phase: event.phase, since: event.hpi, next: story.events[i + 1]?.hpi };
  });
  return found;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

import { DEMO_MODEL, type DemoModelSpec } from './demo-model';
import type { SeedDemoLabRequest } from './demo-lab.service';
import { DEFAULT_DEMO_LAB, FULL_RATE } from './synthetic';

export interface DemoChoices {
  clinicCode?: string;
  seed?: number;
  fullRate?: boolean;
  frameMinutes?: number;
  imageSize?: number;
  patients?: number;
  embryos?: { min: number; max: number };
  model?: Partial<DemoModelSpec>;
  wait?: boolean;
  exportDir?: string;
}

/** The demo request from the user's choices: quick defaults, the incubator's real rate with fullRate. */
export function demoRequest(choices: DemoChoices = {}, now = new Date()): SeedDemoLabRequest {
  const rate = choices.fullRate
    ? FULL_RATE
    : { frameMinutes: DEFAULT_DEMO_LAB.frameMinutes, imageSize: DEFAULT_DEMO_LAB.imageSize };
  return {
    clinicCode: choices.clinicCode ?? 'demo',
    lab: {
      seed: choices.seed ?? DEFAULT_DEMO_LAB.seed,
      frameMinutes: choices.frameMinutes ?? rate.frameMinutes,
      imageSize: choices.imageSize ?? rate.imageSize,
      patients: choices.patients ?? DEFAULT_DEMO_LAB.patients,
      embryosPerCycle: choices.embryos ?? DEFAULT_DEMO_LAB.embryosPerCycle,
      referenceTime: now,
    },
    model: { ...DEMO_MODEL, ...choices.model },
    scoring: choices.wait === false ? 'queue' : 'wait',
    exportDir: choices.exportDir,
  };
}

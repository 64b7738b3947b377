import type { ModelProvenanceKind } from '../entities';

/** Shown with every number a model without trained weights produces (API answers, evaluations, plots). */
export const UNTRAINED_WARNING =
  'UNTRAINED MODEL: not for clinical use (random weights; its numbers say nothing about clinical performance)';

/** Shown, in the same places, with every number of a model trained on synthetic images. */
export const SYNTHETIC_WARNING =
  'SYNTHETIC MODEL, trained on synthetic data: not for clinical use (its numbers say nothing about real embryos)';

/** What the warning needs to know of a model; `synthetic` is absent on models described by their contract only. */
export interface WarningSubject {
  trained: boolean;
  synthetic?: boolean | null;
}

/**
 * The warning that must travel with a model's numbers, or null for a model trained on real data.
 * The one place call sites ask (trajectories, evaluations, plots, exports); its name predates the
 * synthetic case, which it covers too.
 */
export function untrainedWarning(model: WarningSubject): string | null {
  if (!model.trained) return UNTRAINED_WARNING;
  if (model.synthetic) return SYNTHETIC_WARNING;
  return null;
}

/** True when a model's numbers must not guide a clinical decision. */
export function notForClinicalUse(model: WarningSubject): boolean {
  return untrainedWarning(model) !== null;
}

/** How a model version came to be, as registration records it. */
export interface ModelProvenance {
  kind: ModelProvenanceKind;
  synthetic: boolean;
  /** The trainer's manifest (trained models). */
  manifest: Record<string, unknown> | null;
  weightsSha256: string | null;
}

/** One phrase for listings: "random (UNTRAINED)", "trained on synthetic data (not for clinical use)", "imported (weights 3f2a…)". */
export function provenanceLabel(v: {
  provenance: ModelProvenanceKind;
  synthetic: boolean;
  weightsSha256: string | null;
}): string {
  if (v.provenance === 'trained') return v.synthetic ? 'trained on synthetic data (not for clinical use)' : 'trained';
  if (v.provenance === 'imported')
    return v.weightsSha256 ? `imported (weights ${v.weightsSha256.trim().slice(0, 12)}…)` : 'imported';
  return 'random (UNTRAINED)';
}

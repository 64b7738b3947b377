/**
 * Where a model's numbers come from, in the words the pages use. The API says today only whether a
 * model has trained weights (`trained`); when it says what it was trained on (synthetic data,
 * clinic data, imported), only this file changes.
 */
export type Provenance = 'untrained' | 'synthetic' | 'clinic' | 'imported' | 'trained';

export interface ModelLike {
  trained: boolean;
}

export function provenanceOf(model: ModelLike): Provenance {
  return model.trained ? 'trained' : 'untrained';
}

export const PROVENANCE_LABEL: Record<Provenance, string> = {
  untrained: 'Untrained (random weights)',
  synthetic: 'Trained on synthetic data',
  clinic: 'Trained on clinic data',
  imported: 'Imported weights',
  trained: 'Trained (source not stated)',
};

/** Numbers of these models must not guide a clinical decision: every page showing them says so. */
export function isNotForClinicalUse(p: Provenance): boolean {
  return p === 'untrained' || p === 'synthetic';
}

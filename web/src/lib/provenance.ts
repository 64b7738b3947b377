/**
 * Where a model's numbers come from, in the words the pages use. The API says whether a model has
 * trained weights (`trained`) and whether they were trained on synthetic images (`synthetic`);
 * ModelVersion.provenance says more (random / trained with its manifest / imported).
 */
export type Provenance = 'untrained' | 'synthetic' | 'clinic' | 'imported' | 'trained';

export interface ModelLike {
  trained: boolean;
  synthetic?: boolean;
}

export function provenanceOf(model: ModelLike): Provenance {
  if (!model.trained) return 'untrained';
  return model.synthetic ? 'synthetic' : 'trained';
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

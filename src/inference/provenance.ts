/** Shown with every number a model without trained weights produces (API answers, evaluations, plots). */
export const UNTRAINED_WARNING =
  'UNTRAINED MODEL: not for clinical use (random weights; its numbers say nothing about clinical performance)';

/** The warning that must travel with a model's numbers, or null for a trained model. */
export function untrainedWarning(model: { trained: boolean }): string | null {
  return model.trained ? null : UNTRAINED_WARNING;
}

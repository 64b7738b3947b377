import type { AssessmentDecision } from '../entities';
import type { AssessmentWithOutcome } from '../entities/repositories';

/** A probability at or above this is the model saying "will become a blastocyst" (as in §7). */
export const MODEL_POSITIVE_AT = 0.5;

/**
 * What an embryologist's decision says about the embryo's chances: transferring or freezing it
 * bets on a blastocyst, discarding it bets against; keeping it in culture is no call yet.
 */
export function decisionCall(decision: AssessmentDecision): boolean | null {
  if (decision === 'TRANSFER' || decision === 'FREEZE') return true;
  if (decision === 'DISCARD') return false;
  return null;
}

/** How often decisions followed the model, and how each side fared once outcomes were known. */
export interface AgreementFigures {
  /** embryos with an assessment (their newest one counts) */
  assessed: number;
  /** of those, assessed while the clinic's active model had scored the embryo */
  withModelScore: number;
  /** decisions recorded as against the model's ranking (each with its reason) */
  againstModel: number;
  /** share of decisions with a model score that did not go against it; null without any */
  followedModelRate: number | null;
  /** assessed embryos whose outcome is known (BLASTOCYST / NOT_BLASTOCYST) */
  withOutcome: number;
  /** of those, decisions that made a call (transfer/freeze/discard) and how many the outcome bore out */
  embryologistCalls: number;
  embryologistCorrect: number;
  embryologistAccuracy: number | null;
  /** of those, embryos the model had scored, and how many its call (p ≥ 0.5) the outcome bore out */
  modelCalls: number;
  modelCorrect: number;
  modelAccuracy: number | null;
}

export function agreementFigures(rows: readonly AssessmentWithOutcome[]): AgreementFigures {
  const scored = rows.filter((r) => r.modelProbability !== null);
  const against = rows.filter((r) => r.againstModel).length;
  const known = rows.filter((r) => r.outcome === 'BLASTOCYST' || r.outcome === 'NOT_BLASTOCYST');
  let embryologistCalls = 0,
    embryologistCorrect = 0,
    modelCalls = 0,
    modelCorrect = 0;
  for (const r of known) {
    const truth = r.outcome === 'BLASTOCYST';
    const call = decisionCall(r.decision);
    if (call !== null) {
      embryologistCalls++;
      if (call === truth) embryologistCorrect++;
    }
    if (r.modelProbability !== null) {
      modelCalls++;
      if (r.modelProbability >= MODEL_POSITIVE_AT === truth) modelCorrect++;
    }
  }
  const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);
  return {
    assessed: rows.length,
    withModelScore: scored.length,
    againstModel: against,
    followedModelRate: rate(scored.filter((r) => !r.againstModel).length, scored.length),
    withOutcome: known.length,
    embryologistCalls,
    embryologistCorrect,
    embryologistAccuracy: rate(embryologistCorrect, embryologistCalls),
    modelCalls,
    modelCorrect,
    modelAccuracy: rate(modelCorrect, modelCalls),
  };
}

/** The clinic's figures and each embryologist's (by user id; null: an assessor since deleted). */
export function agreementByAssessor(rows: readonly AssessmentWithOutcome[]): {
  clinic: AgreementFigures;
  assessors: Array<{ userId: string | null; figures: AgreementFigures }>;
} {
  const groups = new Map<string | null, AssessmentWithOutcome[]>();
  for (const r of rows) groups.set(r.assessedBy, [...(groups.get(r.assessedBy) ?? []), r]);
  return {
    clinic: agreementFigures(rows),
    assessors: [...groups.entries()]
      .map(([userId, list]) => ({ userId, figures: agreementFigures(list) }))
      .sort((a, b) => String(a.userId).localeCompare(String(b.userId))),
  };
}

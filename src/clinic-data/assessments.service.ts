import { ClinicGrant } from '../auth/grants';
import { Permission } from '../auth/permissions';
import { ASSESSMENT_DECISIONS, AuditAction, type AssessmentDecision, type EmbryoAssessment } from '../entities';
import type { DataStore, Repositories } from '../entities/repositories';
import { UserError } from '../platform/errors';
import { agreementByAssessor, type AgreementFigures } from './agreement';
import { RecordNotFound } from './errors';

export interface AssessmentInput {
  grade: string;
  decision: AssessmentDecision;
  /** required when the decision goes against the model's ranking */
  reason?: string | null;
}

/** Where the clinic's active model put the embryo in its cycle when the assessment was recorded. */
export interface ModelStanding {
  modelVersionId: string;
  probability: number;
  /** 1 = the model's first choice among the cycle's scored embryos */
  rank: number;
  of: number;
}

/**
 * A decision goes against the model's ranking when it transfers an embryo the model did not rank
 * first in its cycle, or discards the one it ranked first. Freezing and keeping in culture go
 * against nothing: they leave the choice open.
 */
export function againstRanking(decision: AssessmentDecision, standing: ModelStanding | null): boolean {
  if (!standing) return false;
  return (decision === 'TRANSFER' && standing.rank !== 1) || (decision === 'DISCARD' && standing.rank === 1);
}

export interface AgreementReport {
  clinicId: string;
  clinic: AgreementFigures;
  assessors: Array<{ userId: string | null; email: string | null; figures: AgreementFigures }>;
}

/**
 * Human oversight (issue #16): an embryologist's own assessment of an embryo (grade and decision),
 * recorded beside what the model said, with a reason whenever the decision goes against the model;
 * the clinic's "assessment first" setting; and how decisions and model compare once outcomes are in.
 * Every change is audited in the same transaction.
 */
export class AssessmentsService {
  constructor(private readonly store: DataStore) {}

  async record(grant: ClinicGrant, embryoId: string, input: AssessmentInput): Promise<EmbryoAssessment> {
    ClinicGrant.check(grant, Permission.LAB_WORK);
    const grade = (input.grade ?? '').trim();
    if (grade.length < 1 || grade.length > 40) throw new UserError('the grade must be 1–40 characters (e.g. "4AA")');
    if (!(ASSESSMENT_DECISIONS as readonly string[]).includes(input.decision))
      throw new UserError(`unknown decision "${input.decision}" (expected ${ASSESSMENT_DECISIONS.join(', ')})`);
    const reason = input.reason?.trim() || null;
    if (reason !== null && reason.length > 2000) throw new UserError('the reason must be at most 2000 characters');
    return this.store.transaction(async (tx) => {
      const embryo = await tx.embryos.lockEmbryo(grant.clinicId, embryoId);
      if (!embryo) throw new RecordNotFound('embryo');
      const standing = await this.standingOf(tx, grant.clinicId, embryo.cycleId, embryo.id);
      const againstModel = againstRanking(input.decision, standing);
      if (againstModel && reason === null)
        throw new UserError(
          `this decision (${input.decision.toLowerCase().replace(/_/g, ' ')}) goes against the model's ranking (rank ${standing!.rank} of ${standing!.of} in the cycle): give a reason`,
        );
      const saved = await tx.governance.insertAssessment({
        embryoId: embryo.id,
        clinicId: grant.clinicId,
        assessedBy: grant.actor.userId,
        grade,
        decision: input.decision,
        modelVersionId: standing?.modelVersionId ?? null,
        modelProbability: standing?.probability ?? null,
        modelRank: standing?.rank ?? null,
        modelRankOf: standing?.of ?? null,
        againstModel,
        reason,
      });
      await tx.audit.append(grant.actor, {
        action: AuditAction.ASSESSMENT_RECORDED,
        entity: 'embryo_assessment',
        entityId: saved.id,
        clinicId: grant.clinicId,
        detail: {
          embryoId: embryo.id,
          grade,
          decision: input.decision,
          againstModel,
          reason,
          modelVersionId: standing?.modelVersionId ?? null,
          modelRank: standing?.rank ?? null,
          modelRankOf: standing?.of ?? null,
        },
      });
      return saved;
    });
  }

  /** Turns the clinic's "assessment first" setting on or off (MANAGE), audited with before and after. */
  async setAssessmentFirst(grant: ClinicGrant, enabled: boolean): Promise<boolean> {
    ClinicGrant.check(grant, Permission.MANAGE);
    return this.store.transaction(async (tx) => {
      const [current] = await tx.governance.settingsOf([grant.clinicId]);
      const before = current?.assessmentFirst ?? false;
      if (before === enabled) return enabled;
      await tx.governance.saveSettings(grant.clinicId, { assessmentFirst: enabled }, grant.actor.userId);
      await tx.audit.append(grant.actor, {
        action: AuditAction.GOVERNANCE_SETTINGS_CHANGED,
        entity: 'clinic',
        entityId: grant.clinicId,
        clinicId: grant.clinicId,
        detail: { assessmentFirst: { from: before, to: enabled } },
      });
      return enabled;
    });
  }

  /**
   * Agreement between embryologists and the model in one clinic (READ_AUDIT_LOG: the quality
   * manager and auditors), overall and per embryologist, from each embryo's newest assessment.
   */
  async agreement(grant: ClinicGrant): Promise<AgreementReport> {
    ClinicGrant.check(grant, Permission.READ_AUDIT_LOG);
    const scope = { all: false, clinicIds: [grant.clinicId] };
    const [rows, members] = await Promise.all([
      this.store.governance.latestWithOutcomes(scope, grant.clinicId),
      this.store.accounts.membersOf(grant.clinicId),
    ]);
    const { clinic, assessors } = agreementByAssessor(rows);
    // per-embryologist figures are about people's work: reading them is audited like the log itself
    await this.store.audit.append(grant.actor, {
      action: AuditAction.READ_ASSESSMENTS,
      entity: 'embryo_assessment',
      clinicId: grant.clinicId,
      detail: { agreement: true, assessed: clinic.assessed },
    });
    const email = new Map(members.map((m) => [m.id, m.email]));
    return {
      clinicId: grant.clinicId,
      clinic,
      assessors: assessors.map((a) => ({ ...a, email: a.userId ? (email.get(a.userId) ?? null) : null })),
    };
  }

  /** The clinic's active model's view of the embryo's cycle: the embryo's probability and rank. */
  private async standingOf(
    tx: Repositories,
    clinicId: string,
    cycleId: string,
    embryoId: string,
  ): Promise<ModelStanding | null> {
    const active = await tx.models.activeClinicModel(clinicId);
    if (!active) return null;
    const scores = (await tx.governance.latestScoresOfCycle(cycleId, active.modelVersionId)).sort(
      (a, b) => b.probability - a.probability || a.label.localeCompare(b.label),
    );
    const index = scores.findIndex((s) => s.embryoId === embryoId);
    if (index < 0) return null;
    return {
      modelVersionId: active.modelVersionId,
      probability: scores[index].probability,
      rank: index + 1,
      of: scores.length,
    };
  }
}

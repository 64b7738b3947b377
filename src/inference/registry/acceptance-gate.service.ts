import { ClinicGrant } from '../../auth/grants';
import { Permission } from '../../auth/permissions';
import { AuditAction, type ClinicModel, type ModelAcceptanceCriteria } from '../../entities';
import type { DataStore } from '../../entities/repositories';
import { UserError } from '../../platform/errors';
import { isUuid } from '../../platform/ids';
import type { EvaluationService } from '../evaluation/evaluation.service';
import type { ModelRegistryService } from './model-registry.service';

export interface AcceptanceCriteriaInput {
  minDay3RocAuc: number;
  minOutcomes: number;
  maxDropVsActive?: number | null;
}

/** One model's day-3 ROC AUC on the clinic's recorded outcomes, and how many outcomes it rests on. */
export interface LocalPerformance {
  modelId: string;
  day3RocAuc: number | null;
  outcomes: number;
}

/** What `activateModel` shows before it acts: the candidate against its criteria and the active model. */
export interface AcceptanceComparison {
  clinicId: string;
  criteria: ModelAcceptanceCriteria | null;
  candidate: LocalPerformance;
  active: LocalPerformance | null;
  /** true when no criteria were recorded, or every one is met */
  met: boolean;
  /** one line per unmet criterion */
  unmet: string[];
}

/**
 * From shadow to active by plan (issue #16). An ADMIN records acceptance criteria for a model the
 * clinic runs in shadow mode (day-3 ROC AUC ≥ x on at least n local outcomes, no worse than the
 * active model by more than δ). Activation shows the comparison and refuses while a recorded
 * criterion is unmet, unless the ADMIN overrides with a reason (audited with the comparison).
 * Rolling back to the model used before is one action. The figures come from the evaluation
 * service (DESIGN.md §7) over the clinic's own outcomes.
 */
export class AcceptanceGateService {
  constructor(
    private readonly store: DataStore,
    private readonly evaluation: EvaluationService,
    private readonly registry: ModelRegistryService,
  ) {}

  async setCriteria(
    grant: ClinicGrant,
    modelId: string,
    input: AcceptanceCriteriaInput,
  ): Promise<AcceptanceComparison> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const fraction = (x: number | null | undefined) => x === null || x === undefined || (x >= 0 && x <= 1);
    if (!fraction(input.minDay3RocAuc) || !fraction(input.maxDropVsActive))
      throw new UserError('ROC AUC thresholds and the allowed drop must lie between 0 and 1');
    if (!Number.isInteger(input.minOutcomes) || input.minOutcomes < 1)
      throw new UserError('the number of outcomes must be a whole number ≥ 1');
    await this.modelOfClinic(grant.clinicId, modelId);
    await this.store.transaction(async (tx) => {
      await tx.governance.saveCriteria({
        clinicId: grant.clinicId,
        modelVersionId: modelId,
        minDay3RocAuc: input.minDay3RocAuc,
        minOutcomes: input.minOutcomes,
        maxDropVsActive: input.maxDropVsActive ?? null,
        setBy: grant.actor.userId,
      });
      await tx.audit.append(grant.actor, {
        action: AuditAction.ACCEPTANCE_CRITERIA_SET,
        entity: 'clinic_model',
        entityId: modelId,
        clinicId: grant.clinicId,
        detail: { ...input, maxDropVsActive: input.maxDropVsActive ?? null },
      });
    });
    return this.compare(grant, modelId);
  }

  /** The candidate against its criteria and the clinic's active model, on the clinic's outcomes. */
  async compare(grant: ClinicGrant, modelId: string): Promise<AcceptanceComparison> {
    ClinicGrant.check(grant, Permission.MANAGE);
    await this.modelOfClinic(grant.clinicId, modelId);
    const criteria = await this.store.governance.criteriaOf(grant.clinicId, modelId);
    const activeRow = await this.store.models.activeClinicModel(grant.clinicId);
    const candidate = await this.performance(grant, modelId);
    const active =
      activeRow && activeRow.modelVersionId !== modelId
        ? await this.performance(grant, activeRow.modelVersionId)
        : null;
    const unmet: string[] = [];
    if (criteria) {
      if (candidate.outcomes < criteria.minOutcomes)
        unmet.push(
          `${candidate.outcomes} local outcomes with a day-3 prediction; at least ${criteria.minOutcomes} needed`,
        );
      if (candidate.day3RocAuc === null || candidate.day3RocAuc < criteria.minDay3RocAuc)
        unmet.push(`day-3 ROC AUC ${fmt(candidate.day3RocAuc)}; at least ${fmt(criteria.minDay3RocAuc)} needed`);
      if (
        criteria.maxDropVsActive !== null &&
        active?.day3RocAuc !== null &&
        active !== null &&
        (candidate.day3RocAuc === null || candidate.day3RocAuc < active.day3RocAuc! - criteria.maxDropVsActive)
      )
        unmet.push(
          `day-3 ROC AUC ${fmt(candidate.day3RocAuc)} is more than ${fmt(criteria.maxDropVsActive)} below the active model's ${fmt(active.day3RocAuc)}`,
        );
    }
    return { clinicId: grant.clinicId, criteria, candidate, active, met: unmet.length === 0, unmet };
  }

  /**
   * Activates `modelId` when its recorded criteria are met (or none were recorded). While they are
   * unmet it refuses, naming them, unless `overrideReason` is given: then it activates and audits
   * the override with the comparison.
   */
  async activate(grant: ClinicGrant, modelId: string, overrideReason?: string | null): Promise<ClinicModel> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const criteria = isUuid(modelId) ? await this.store.governance.criteriaOf(grant.clinicId, modelId) : null;
    if (!criteria) return this.registry.activate(modelId, grant); // no plan recorded: nothing to check
    const comparison = await this.compare(grant, modelId);
    const reason = overrideReason?.trim() || null;
    if (!comparison.met && !reason)
      throw new UserError(
        `the model does not meet its acceptance criteria: ${comparison.unmet.join('; ')} (an ADMIN may override with a reason)`,
      );
    const row = await this.registry.activate(modelId, grant);
    if (!comparison.met)
      await this.store.audit.append(grant.actor, {
        action: AuditAction.MODEL_ACTIVATION_OVERRIDDEN,
        entity: 'clinic_model',
        entityId: modelId,
        clinicId: grant.clinicId,
        detail: { reason, unmet: comparison.unmet, candidate: { ...comparison.candidate }, active: comparison.active },
      });
    return row;
  }

  /** Makes the model used before the current one active again (no gate: it was in clinical use), audited. */
  async rollback(grant: ClinicGrant, reason: string): Promise<ClinicModel> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const why = (reason ?? '').trim();
    if (!why) throw new UserError('give a reason for the rollback');
    const previous = await this.store.governance.previousActiveModel(grant.clinicId);
    if (!previous) throw new UserError('this clinic has no earlier model to roll back to');
    const current = await this.store.models.activeClinicModel(grant.clinicId);
    const row = await this.registry.activate(previous, grant);
    await this.store.audit.append(grant.actor, {
      action: AuditAction.MODEL_ROLLED_BACK,
      entity: 'clinic_model',
      entityId: previous,
      clinicId: grant.clinicId,
      detail: { reason: why, from: current?.modelVersionId ?? null, to: previous },
    });
    return row;
  }

  private async performance(grant: ClinicGrant, modelId: string): Promise<LocalPerformance> {
    const e = await this.evaluation.evaluate({ modelId }, grant);
    const day3 = e.metrics.roc.find((r) => r.day === 3)!;
    return { modelId, day3RocAuc: day3.auc, outcomes: day3.positives + day3.negatives };
  }

  private async modelOfClinic(clinicId: string, modelId: string): Promise<void> {
    const row = isUuid(modelId) ? await this.store.models.clinicModel(clinicId, modelId) : null;
    if (!row) throw new UserError('this model is not enabled for the clinic (put it in shadow mode first)');
  }
}

const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

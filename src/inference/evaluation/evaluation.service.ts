import { ClinicGrant, NetworkGrant } from '../../auth/grants';
import { Permission } from '../../auth/permissions';
import { AuditAction, type ModelVariant } from '../../entities';
import type { DataStore } from '../../entities/repositories';
import { UserError } from '../../platform/errors';
import { isUuid } from '../../platform/ids';
import { untrainedWarning } from '../provenance';
import { labelledTrajectory, type LaggingEmbryo } from './carry-forward';
import { evaluateTrajectories, type EvaluationMetrics } from './evaluation-metrics';

export interface EvaluationRequest {
  modelId: string;
  /** cycles inseminated at or after `from` and before `to` */
  from?: Date | null;
  to?: Date | null;
}

export interface ModelEvaluation {
  model: { id: string; name: string; version: string; variant: ModelVariant; planes: number[]; trained: boolean };
  /** true for a model without trained weights: every display of these numbers must say so */
  untrained: boolean;
  /** true for a model trained on synthetic images: its numbers say nothing about real embryos */
  synthetic: boolean;
  warning: string | null;
  /** the clinic evaluated; null: every clinic (network-wide) */
  clinicId: string | null;
  from: Date | null;
  to: Date | null;
  /** embryos in scope with a recorded outcome */
  embryosWithOutcome: number;
  /** of those, how many the model never scored (left out of every metric) */
  embryosNotScored: number;
  /**
   * Scored embryos whose predictions stop before the segments their frames and culture made
   * complete: left out of the days after their last scored segment instead of carried forward.
   */
  lagging: LaggingEmbryo[];
  metrics: EvaluationMetrics;
  evaluatedAt: Date;
}

/**
 * The paper's evaluation (DESIGN.md §7) of one model version on recorded outcomes: one clinic's
 * (a ClinicGrant with MANAGE) or every clinic's (a NetworkGrant). Reads `embryo.outcome` as recorded
 * by embryologists or imports, and the model's stored predictions; computes nothing new with the
 * model itself.
 */
export class EvaluationService {
  constructor(private readonly store: DataStore) {}

  async evaluate(request: EvaluationRequest, grant: ClinicGrant | NetworkGrant): Promise<ModelEvaluation> {
    let clinicId: string | null = null;
    if (ClinicGrant.isGenuine(grant)) clinicId = ClinicGrant.check(grant, Permission.MANAGE).clinicId;
    else NetworkGrant.check(grant);
    if (request.from && request.to && request.from >= request.to)
      throw new UserError('the period is empty: "from" must be before "to"');
    return this.store.transaction(
      async (tx) => {
        const model = isUuid(request.modelId) ? await tx.models.byId(request.modelId) : null;
        if (!model) throw new UserError(`model ${request.modelId} not found`);
        if (clinicId !== null && !isUuid(clinicId)) throw new UserError(`clinic ${clinicId} not found`);
        const rows = await tx.predictions.outcomesWithPredictions({
          modelId: model.id,
          clinicId,
          from: request.from,
          to: request.to,
        });
        // §7 carry-forward only for embryos whose culture ended (recorded) and whose predictions
        // reached its end; the others are reported as lagging (src/inference/evaluation/carry-forward.ts)
        const labelled = rows.filter((r) => r.segments.length > 0).map(labelledTrajectory);
        const trajectories = labelled.map((l) => l.trajectory);
        const lagging = labelled.flatMap((l) => (l.lagging ? [l.lagging] : []));
        const metrics = evaluateTrajectories(trajectories);
        const evaluation: ModelEvaluation = {
          model: {
            id: model.id,
            name: model.name,
            version: model.version,
            variant: model.variant,
            planes: model.planes,
            trained: model.trained,
          },
          untrained: !model.trained,
          synthetic: model.trained && Boolean(model.synthetic),
          warning: untrainedWarning(model),
          clinicId,
          from: request.from ?? null,
          to: request.to ?? null,
          embryosWithOutcome: rows.length,
          embryosNotScored: rows.length - trajectories.length,
          lagging,
          metrics,
          evaluatedAt: new Date(),
        };
        // Aggregates over patients' embryos are patient-level data: the read is audited.
        await tx.audit.append(grant.actor, {
          action: AuditAction.READ_EVALUATION,
          entity: 'model_version',
          entityId: model.id,
          clinicId,
          detail: { from: request.from ?? null, to: request.to ?? null, embryos: metrics.embryos },
        });
        return evaluation;
      },
      { isolation: 'REPEATABLE READ' },
    );
  }
}

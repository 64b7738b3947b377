import type { DataSource } from 'typeorm';
import type { ModelVariant } from '../../entities';
import { AuditAction, SYSTEM_ACTOR, type AuditActor } from '../../platform/audit/audit-actions';
import { writeAudit } from '../../platform/audit/audit-log';
import { UserError } from '../../platform/errors';
import { evaluateTrajectories, type EvaluationMetrics, type LabelledTrajectory } from '../metrics';
import { findModelById } from '../registry/model-registry.repository';
import { loadOutcomesWithPredictions } from './evaluation.repository';
import { isUuid } from '../../platform/ids';

export const UNTRAINED_WARNING = 'UNTRAINED MODEL: built without trained weights; these numbers say nothing about clinical performance';

export interface EvaluationRequest {
  modelId: string;
  /** one clinic's embryos; omitted = every clinic (operators only) */
  clinicId?: string | null;
  /** cycles inseminated at or after `from` and before `to` */
  from?: Date | null;
  to?: Date | null;
}

export interface ModelEvaluation {
  model: { id: string; name: string; version: string; variant: ModelVariant; planes: number[]; trained: boolean };
  /** true for a model without trained weights: every display of these numbers must say so */
  untrained: boolean;
  warning: string | null;
  clinicId: string | null;
  from: Date | null;
  to: Date | null;
  /** embryos in scope with a recorded outcome */
  embryosWithOutcome: number;
  /** of those, how many the model never scored (left out of every metric) */
  embryosNotScored: number;
  metrics: EvaluationMetrics;
  evaluatedAt: Date;
}

/**
 * The paper's evaluation (DESIGN.md §7) of one model version on a clinic's own recorded outcomes.
 * Reads `embryo.outcome` as recorded by embryologists or imports, and the model's stored
 * predictions; computes nothing new with the model itself.
 */
export class EvaluationService {
  constructor(private readonly dataSource: DataSource) {}

  async evaluate(request: EvaluationRequest, actor: AuditActor = SYSTEM_ACTOR): Promise<ModelEvaluation> {
    if (request.from && request.to && request.from >= request.to) throw new UserError('the period is empty: "from" must be before "to"');
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const model = isUuid(request.modelId) ? await findModelById(m, request.modelId) : null;
      if (!model) throw new UserError(`model ${request.modelId} not found`);
      if (request.clinicId && !isUuid(request.clinicId)) throw new UserError(`clinic ${request.clinicId} not found`);
      const rows = await loadOutcomesWithPredictions(m, request);
      // An embryo with a recorded outcome has finished culture, so its last prediction carries
      // forward to the days after its last scored segment (§7).
      const trajectories: LabelledTrajectory[] = rows
        .filter((r) => r.segments.length > 0)
        .map((r) => ({
          embryoId: r.embryoId,
          blastocyst: r.outcome === 'BLASTOCYST',
          cultureEnded: true,
          probabilities: new Map(r.segments.map((s, i) => [s, r.probabilities[i]])),
        }));
      const metrics = evaluateTrajectories(trajectories);
      const evaluation: ModelEvaluation = {
        model: { id: model.id, name: model.name, version: model.version, variant: model.variant, planes: model.planes, trained: model.trained },
        untrained: !model.trained,
        warning: model.trained ? null : UNTRAINED_WARNING,
        clinicId: request.clinicId ?? null,
        from: request.from ?? null,
        to: request.to ?? null,
        embryosWithOutcome: rows.length,
        embryosNotScored: rows.length - trajectories.length,
        metrics,
        evaluatedAt: new Date(),
      };
      // Aggregates over patients' embryos are patient-level data: the read is audited.
      await writeAudit(m, actor, {
        action: AuditAction.READ_EVALUATION,
        entity: 'model_version',
        entityId: model.id,
        clinicId: request.clinicId ?? null,
        detail: { from: request.from ?? null, to: request.to ?? null, embryos: metrics.embryos },
      });
      return evaluation;
    });
  }
}

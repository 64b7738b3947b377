import type { EntityManager } from 'typeorm';
import { ClinicGovernance } from '../clinic-governance.entity';
import { EmbryoAssessment, type AssessmentDecision } from '../embryo-assessment.entity';
import { ModelAcceptanceCriteria } from '../model-acceptance-criteria.entity';
import type { Outcome } from '../enums';
import { asEntities, selectList } from './entity-rows';
import { scopeCondition, scopedQuery, toPage, type ClinicScope, type Page } from './clinic-scope';

export interface NewAssessment {
  embryoId: string;
  clinicId: string;
  assessedBy: string | null;
  grade: string;
  decision: AssessmentDecision;
  modelVersionId: string | null;
  modelProbability: number | null;
  modelRank: number | null;
  modelRankOf: number | null;
  againstModel: boolean;
  reason: string | null;
}

/** The newest assessment of an embryo joined with the embryo's recorded outcome. */
export interface AssessmentWithOutcome {
  assessedBy: string | null;
  decision: AssessmentDecision;
  modelProbability: number | null;
  againstModel: boolean;
  outcome: Outcome;
}

/** Per-clinic oversight settings and embryologists' assessments (issue #16). */
export class GovernanceRepository {
  constructor(private readonly m: EntityManager) {}

  /** Settings rows of these clinics (a clinic without a row has every setting off). */
  async settingsOf(clinicIds: readonly string[]): Promise<ClinicGovernance[]> {
    const rows: object[] = await this.m.query(
      `SELECT ${selectList(this.m, ClinicGovernance, 'g')} FROM clinic_governance g WHERE g.clinic_id = ANY($1::uuid[])`,
      [clinicIds],
    );
    return asEntities(ClinicGovernance, rows);
  }

  async saveSettings(clinicId: string, settings: { assessmentFirst: boolean }, userId: string | null): Promise<void> {
    await this.m.query(
      `INSERT INTO clinic_governance (clinic_id, assessment_first, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT (clinic_id) DO UPDATE SET assessment_first = EXCLUDED.assessment_first,
         updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [clinicId, settings.assessmentFirst, userId],
    );
  }

  /** Sets or clears the kill switch; returns false when it already was in that state. */
  async setSuspension(clinicId: string, suspended: boolean, reason: string, userId: string | null): Promise<boolean> {
    const rows: unknown[] = await this.m.query(
      `INSERT INTO clinic_governance (clinic_id, scoring_suspended, suspended_reason, suspended_by, suspended_at, updated_by)
       VALUES ($1, $2, $3, $4, CASE WHEN $2 THEN now() END, $4)
       ON CONFLICT (clinic_id) DO UPDATE SET scoring_suspended = EXCLUDED.scoring_suspended,
         suspended_reason = EXCLUDED.suspended_reason, suspended_by = EXCLUDED.suspended_by,
         suspended_at = EXCLUDED.suspended_at, updated_by = EXCLUDED.updated_by, updated_at = now()
         WHERE clinic_governance.scoring_suspended IS DISTINCT FROM EXCLUDED.scoring_suspended
       RETURNING clinic_id`,
      [clinicId, suspended, suspended ? reason : null, userId],
    );
    return rows.length > 0;
  }

  /** Whether the clinic's kill switch is on (scoring paused, scores hidden). */
  async scoringSuspended(clinicId: string): Promise<boolean> {
    const rows: Array<{ s: boolean }> = await this.m.query(
      `SELECT scoring_suspended AS s FROM clinic_governance WHERE clinic_id = $1`,
      [clinicId],
    );
    return rows[0]?.s === true;
  }

  async saveCriteria(row: Omit<ModelAcceptanceCriteria, 'setAt'>): Promise<void> {
    await this.m.query(
      `INSERT INTO model_acceptance_criteria (clinic_id, model_version_id, min_day3_roc_auc, min_outcomes, max_drop_vs_active, set_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (clinic_id, model_version_id) DO UPDATE SET min_day3_roc_auc = EXCLUDED.min_day3_roc_auc,
         min_outcomes = EXCLUDED.min_outcomes, max_drop_vs_active = EXCLUDED.max_drop_vs_active,
         set_by = EXCLUDED.set_by, set_at = now()`,
      [row.clinicId, row.modelVersionId, row.minDay3RocAuc, row.minOutcomes, row.maxDropVsActive, row.setBy],
    );
  }

  criteriaOf(clinicId: string, modelVersionId: string): Promise<ModelAcceptanceCriteria | null> {
    return this.m.getRepository(ModelAcceptanceCriteria).findOneBy({ clinicId, modelVersionId });
  }

  /** The model the clinic used before its current active one: the inactive row activated last. */
  async previousActiveModel(clinicId: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.m.query(
      `SELECT model_version_id AS id FROM clinic_model
        WHERE clinic_id = $1 AND NOT active AND activated_at IS NOT NULL
        ORDER BY activated_at DESC LIMIT 1`,
      [clinicId],
    );
    return rows[0]?.id ?? null;
  }

  async insertAssessment(row: NewAssessment): Promise<EmbryoAssessment> {
    const saved = await this.m.getRepository(EmbryoAssessment).save(this.m.create(EmbryoAssessment, row));
    return saved;
  }

  /** The newest assessment of each embryo inside the scope (embryos never assessed are absent). */
  latestOf(scope: ClinicScope, embryoIds: readonly string[]): Promise<EmbryoAssessment[]> {
    return scopedQuery(this.m, EmbryoAssessment, 'a', scope)
      .distinctOn(['a.embryo_id'])
      .andWhere('a.embryo_id = ANY(CAST(:ids AS uuid[]))', { ids: embryoIds })
      .orderBy('a.embryo_id')
      .addOrderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .getMany();
  }

  /** Every assessment of one clinic (newest first), optionally of one embryo or one assessor. */
  async page(
    scope: ClinicScope,
    filter: { clinicId: string; embryoId?: string; assessedBy?: string },
    first: number,
    afterId: string | undefined,
  ): Promise<Page<EmbryoAssessment>> {
    const query = scopedQuery(this.m, EmbryoAssessment, 'a', scope).andWhere('a.clinic_id = :clinicId', {
      clinicId: filter.clinicId,
    });
    if (filter.embryoId) query.andWhere('a.embryo_id = :embryoId', { embryoId: filter.embryoId });
    if (filter.assessedBy) query.andWhere('a.assessed_by = :assessedBy', { assessedBy: filter.assessedBy });
    if (afterId)
      query.andWhere(
        '(a.created_at, a.id) < (SELECT b.created_at, b.id FROM embryo_assessment b WHERE b.id = :afterId)',
        { afterId },
      );
    const rows = await query
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(first + 1)
      .getMany();
    return toPage(rows, first);
  }

  /** The newest assessment of every assessed embryo of a clinic, with the embryo's outcome. */
  async latestWithOutcomes(scope: ClinicScope, clinicId: string): Promise<AssessmentWithOutcome[]> {
    const [condition, params] = scopeCondition('a.clinic_id', scope);
    const rows = await this.m
      .createQueryBuilder()
      .select([
        'DISTINCT ON (a.embryo_id) a.assessed_by AS assessed_by',
        'a.decision AS decision',
        'a.model_probability AS model_probability',
        'a.against_model AS against_model',
        'e.outcome AS outcome',
      ])
      .from(EmbryoAssessment, 'a')
      .innerJoin('embryo', 'e', 'e.id = a.embryo_id')
      .where(condition, params)
      .andWhere('a.clinic_id = :clinicId', { clinicId })
      .orderBy('a.embryo_id')
      .addOrderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .getRawMany<{
        assessed_by: string | null;
        decision: AssessmentDecision;
        model_probability: number | null;
        against_model: boolean;
        outcome: Outcome;
      }>();
    return rows.map((r) => ({
      assessedBy: r.assessed_by,
      decision: r.decision,
      modelProbability: r.model_probability === null ? null : Number(r.model_probability),
      againstModel: r.against_model,
      outcome: r.outcome,
    }));
  }

  /** The newest probability of `modelVersionId` for each embryo of a cycle (scored embryos only). */
  async latestScoresOfCycle(
    cycleId: string,
    modelVersionId: string,
  ): Promise<Array<{ embryoId: string; label: string; probability: number }>> {
    const rows: Array<{ embryo_id: string; label: string; probability: number }> = await this.m.query(
      `SELECT DISTINCT ON (e.id) e.id AS embryo_id, e.label, p.probability
         FROM embryo e JOIN prediction p ON p.embryo_id = e.id AND p.model_version_id = $2
        WHERE e.cycle_id = $1
        ORDER BY e.id, p.segment DESC`,
      [cycleId, modelVersionId],
    );
    return rows.map((r) => ({ embryoId: r.embryo_id, label: r.label, probability: Number(r.probability) }));
  }
}

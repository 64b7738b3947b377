import type { EntityManager } from 'typeorm';
import type { Outcome } from '../enums';
import { ModelMonitoringPoint } from '../model-monitoring-point.entity';
import type { OutcomeWithPredictions } from './prediction.repository';

/** The nightly monitoring series and the data a check reads (issue #16). */
export class MonitoringRepository {
  constructor(private readonly m: EntityManager) {}

  /** Every (clinic, model) to check: each clinic's active model and its shadow models. */
  async monitoredModels(): Promise<Array<{ clinicId: string; modelVersionId: string; role: 'active' | 'shadow' }>> {
    const rows: Array<{ clinic_id: string; model_version_id: string; active: boolean }> = await this.m.query(
      `SELECT clinic_id, model_version_id, active FROM clinic_model WHERE active OR shadow ORDER BY clinic_id, active DESC`,
    );
    return rows.map((r) => ({
      clinicId: r.clinic_id,
      modelVersionId: r.model_version_id,
      role: r.active ? 'active' : 'shadow',
    }));
  }

  async lastPoint(clinicId: string, modelVersionId: string): Promise<ModelMonitoringPoint | null> {
    return this.m
      .getRepository(ModelMonitoringPoint)
      .findOne({ where: { clinicId, modelVersionId }, order: { checkedAt: 'DESC', id: 'DESC' } });
  }

  /** The series of one clinic and model, newest first. */
  points(clinicId: string, modelVersionId: string, limit: number): Promise<ModelMonitoringPoint[]> {
    return this.m
      .getRepository(ModelMonitoringPoint)
      .find({ where: { clinicId, modelVersionId }, order: { checkedAt: 'DESC', id: 'DESC' }, take: limit });
  }

  async insertPoint(point: Omit<ModelMonitoringPoint, 'id'>): Promise<ModelMonitoringPoint> {
    return this.m.getRepository(ModelMonitoringPoint).save(this.m.create(ModelMonitoringPoint, point));
  }

  /**
   * Embryos of the clinic whose outcome was recorded after `since` (all when null; imported outcomes
   * without a time count from the embryo's creation), with the model's predictions by segment.
   */
  async outcomesSince(clinicId: string, modelVersionId: string, since: Date | null): Promise<OutcomeWithPredictions[]> {
    const rows: Array<{
      embryo_id: string;
      outcome: Exclude<Outcome, 'UNKNOWN'>;
      segments: number[] | null;
      probabilities: number[] | null;
      culture_ended_hpi: number | null;
      latest_frame_hpi: number | null;
    }> = await this.m.query(
      `SELECT e.id AS embryo_id, e.outcome,
              array_agg(p.segment ORDER BY p.segment) FILTER (WHERE p.id IS NOT NULL) AS segments,
              array_agg(p.probability ORDER BY p.segment) FILTER (WHERE p.id IS NOT NULL) AS probabilities,
              COALESCE(e.culture_ended_hpi, EXTRACT(EPOCH FROM (e.culture_ended_at - c.insemination_at)) / 3600.0)::double precision AS culture_ended_hpi,
              (SELECT max(f.hours_post_insemination) FROM frame f WHERE f.embryo_id = e.id AND f.hours_post_insemination < 168) AS latest_frame_hpi
         FROM embryo e
         JOIN cycle c ON c.id = e.cycle_id
         LEFT JOIN prediction p ON p.embryo_id = e.id AND p.model_version_id = $2
        WHERE e.clinic_id = $1 AND e.outcome IN ('BLASTOCYST', 'NOT_BLASTOCYST')
          AND ($3::timestamptz IS NULL OR COALESCE(e.outcome_recorded_at, e.created_at) > $3::timestamptz)
        GROUP BY e.id, c.id
        ORDER BY e.id`,
      [clinicId, modelVersionId, since],
    );
    return rows.map((r) => ({
      embryoId: r.embryo_id,
      clinicId,
      outcome: r.outcome,
      segments: (r.segments ?? []).map(Number),
      probabilities: (r.probabilities ?? []).map(Number),
      cultureEndedHpi:
        r.culture_ended_hpi === null || Number(r.culture_ended_hpi) < 0 ? null : Number(r.culture_ended_hpi),
      latestFrameHpi: r.latest_frame_hpi === null ? null : Number(r.latest_frame_hpi),
    }));
  }

  /** The latest probability of each embryo of the clinic that the model scored after `since` (all when null). */
  async latestScoresSince(clinicId: string, modelVersionId: string, since: Date | null): Promise<number[]> {
    const rows: Array<{ probability: number }> = await this.m.query(
      `SELECT DISTINCT ON (p.embryo_id) p.probability
         FROM prediction p JOIN embryo e ON e.id = p.embryo_id
        WHERE e.clinic_id = $1 AND p.model_version_id = $2
          AND p.embryo_id IN (SELECT q.embryo_id FROM prediction q
                               WHERE q.model_version_id = $2 AND ($3::timestamptz IS NULL OR q.created_at > $3::timestamptz))
        ORDER BY p.embryo_id, p.segment DESC`,
      [clinicId, modelVersionId, since],
    );
    return rows.map((r) => Number(r.probability));
  }

  /**
   * Each embryo's latest score as it stood when the model was activated in the clinic (what it
   * scored in shadow mode before going live); empty when it was never active or scored nothing before.
   */
  async latestScoresAtActivation(clinicId: string, modelVersionId: string): Promise<number[]> {
    const rows: Array<{ probability: number }> = await this.m.query(
      `SELECT DISTINCT ON (p.embryo_id) p.probability
         FROM prediction p
         JOIN embryo e ON e.id = p.embryo_id
         JOIN clinic_model cm ON cm.clinic_id = e.clinic_id AND cm.model_version_id = p.model_version_id
        WHERE e.clinic_id = $1 AND p.model_version_id = $2 AND cm.active AND cm.activated_at IS NOT NULL
          AND p.created_at <= cm.activated_at
        ORDER BY p.embryo_id, p.segment DESC`,
      [clinicId, modelVersionId],
    );
    return rows.map((r) => Number(r.probability));
  }

  async baseline(clinicId: string, modelVersionId: string): Promise<number[] | null> {
    const rows: Array<{ histogram: number[] }> = await this.m.query(
      `SELECT histogram FROM model_monitoring_baseline WHERE clinic_id = $1 AND model_version_id = $2`,
      [clinicId, modelVersionId],
    );
    return rows[0] ? rows[0].histogram.map(Number) : null;
  }

  async saveBaseline(clinicId: string, modelVersionId: string, histogram: number[]): Promise<void> {
    await this.m.query(
      `INSERT INTO model_monitoring_baseline (clinic_id, model_version_id, histogram) VALUES ($1, $2, $3)
       ON CONFLICT (clinic_id, model_version_id) DO NOTHING`,
      [clinicId, modelVersionId, histogram],
    );
  }
}

import { NetworkGrant } from '../../auth/grants';
import { AuditAction, type ModelMonitoringPoint } from '../../entities';
import type { DataStore } from '../../entities/repositories';
import type { Logger } from '../../platform/logger';
import type { MonitoringThresholds } from '../../platform/monitoring-config';
import { labelledTrajectory } from '../evaluation/carry-forward';
import { evaluateTrajectories } from '../evaluation/evaluation-metrics';
import { monitoringGauges } from './monitoring-gauges';
import { brierScore, histogram, populationStabilityIndex, reliabilityBins } from './monitoring-metrics';

export interface MonitoringAlert {
  metric: 'day3RocAuc' | 'brier' | 'psi';
  value: number;
  threshold: number;
}

/**
 * The nightly check of every clinic's active and shadow models (issue #16): performance on the
 * outcomes recorded since the previous check (ROC AUC at days 3/4/5, accuracy-curve AUC, Brier
 * score and reliability bins of each embryo's latest prediction) and the drift of scores against
 * the distribution at activation (PSI over ten bins: the scores of the model before it went live,
 * else what the first check saw).
 * Each check is stored as a point of a time series and set as Prometheus gauges; a threshold
 * crossed writes a MONITORING_ALERT audit event and a warning log line operators can alert on.
 * Runs under a NetworkGrant (the job's system access).
 */
export class ModelMonitoringService {
  constructor(
    private readonly store: DataStore,
    private readonly thresholds: MonitoringThresholds,
    private readonly log: Pick<Logger, 'warn' | 'info'>,
  ) {}

  async checkAll(grant: NetworkGrant, now = new Date()): Promise<ModelMonitoringPoint[]> {
    NetworkGrant.check(grant);
    const points: ModelMonitoringPoint[] = [];
    for (const target of await this.store.monitoring.monitoredModels())
      points.push(await this.check(grant, target, now));
    this.log.info({ checked: points.length }, 'model monitoring done');
    return points;
  }

  private async check(
    grant: NetworkGrant,
    target: { clinicId: string; modelVersionId: string; role: 'active' | 'shadow' },
    now: Date,
  ): Promise<ModelMonitoringPoint> {
    const { clinicId, modelVersionId, role } = target;
    const repo = this.store.monitoring;
    const since = (await repo.lastPoint(clinicId, modelVersionId))?.checkedAt ?? null;

    const rows = (await repo.outcomesSince(clinicId, modelVersionId, since)).filter((r) => r.segments.length > 0);
    const metrics = evaluateTrajectories(rows.map((r) => labelledTrajectory(r).trajectory));
    const auc = (day: number) => metrics.roc.find((r) => r.day === day)?.auc ?? null;
    const latest = rows.map((r) => r.probabilities[r.probabilities.length - 1]);
    const truth = rows.map((r) => r.outcome === 'BLASTOCYST');

    const scores = await repo.latestScoresSince(clinicId, modelVersionId, since);
    // PSI against the distribution at activation: what the model scored before it went live (in
    // shadow mode); without such scores, what monitoring first saw of the model in use.
    const atActivation = role === 'active' ? await repo.latestScoresAtActivation(clinicId, modelVersionId) : [];
    let baseline = atActivation.length > 0 ? histogram(atActivation) : await repo.baseline(clinicId, modelVersionId);
    if (!baseline) {
      // the distribution when monitoring first saw the model in use: every embryo's latest score so far
      baseline = histogram(await repo.latestScoresSince(clinicId, modelVersionId, null));
      if (baseline.some((n) => n > 0)) await repo.saveBaseline(clinicId, modelVersionId, baseline);
    }
    const psi = populationStabilityIndex(baseline, histogram(scores));
    const brier = brierScore(latest, truth);

    const t = this.thresholds;
    const alerts: MonitoringAlert[] = [];
    const day3 = auc(3);
    if (rows.length >= t.minOutcomes && day3 !== null && day3 < t.minDay3RocAuc)
      alerts.push({ metric: 'day3RocAuc', value: day3, threshold: t.minDay3RocAuc });
    if (rows.length >= t.minOutcomes && brier !== null && brier > t.maxBrier)
      alerts.push({ metric: 'brier', value: brier, threshold: t.maxBrier });
    if (psi !== null && psi > t.maxPsi) alerts.push({ metric: 'psi', value: psi, threshold: t.maxPsi });

    const point = await this.store.transaction(async (tx) => {
      const saved = await tx.monitoring.insertPoint({
        clinicId,
        modelVersionId,
        role,
        checkedAt: now,
        since,
        outcomes: rows.length,
        rocAucDay3: day3,
        rocAucDay4: auc(4),
        rocAucDay5: auc(5),
        accuracyAuc: metrics.accuracyAuc,
        brier,
        reliability: reliabilityBins(latest, truth),
        scores: scores.length,
        psi,
        alerts,
      });
      for (const alert of alerts)
        await tx.audit.append(grant.actor, {
          action: AuditAction.MONITORING_ALERT,
          entity: 'clinic_model',
          entityId: modelVersionId,
          clinicId,
          detail: { ...alert, role, outcomes: rows.length, pointId: saved.id },
        });
      return saved;
    });
    for (const alert of alerts)
      this.log.warn({ alert: 'model-monitoring', clinicId, modelVersionId, role, ...alert }, 'model monitoring alert');
    const labels = { clinic: clinicId, model: modelVersionId, role };
    const g = monitoringGauges();
    if (day3 !== null) g.day3RocAuc.set(labels, day3);
    if (brier !== null) g.brier.set(labels, brier);
    if (psi !== null) g.psi.set(labels, psi);
    g.alerts.set(labels, alerts.length);
    return point;
  }
}

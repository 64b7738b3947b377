import type { DataSource } from 'typeorm';
import { AuditEvent, type Clinic, type ModelVersion, type User } from '../../src/entities';
import { ModelMonitoringService } from '../../src/inference/monitoring/model-monitoring.service';
import {
  brierScore,
  histogram,
  populationStabilityIndex,
  PSI_EPSILON,
  reliabilityBins,
} from '../../src/inference/monitoring/monitoring-metrics';
import { processMetrics } from '../../src/platform/metrics';
import { monitoringThresholds } from '../../src/platform/monitoring-config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newMember } from '../helpers/factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';
import { enableModel, newModelVersion, newPredictions } from '../helpers/graphql-factories';

describe('monitoring figures', () => {
  it('Brier score, reliability bins and PSI match hand computations', () => {
    expect(brierScore([0.9, 0.4, 0.6, 0.1], [true, true, false, false])).toBeCloseTo(
      (0.01 + 0.36 + 0.36 + 0.01) / 4,
      12,
    );
    expect(brierScore([], [])).toBeNull();
    const bins = reliabilityBins([0.05, 0.15, 0.19, 1], [true, false, true, true]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ count: 1, meanPredicted: 0.05, observedRate: 1 });
    expect(bins[1].count).toBe(2);
    expect(bins[1].meanPredicted).toBeCloseTo(0.17, 12);
    expect(bins[1].observedRate).toBe(0.5);
    expect(bins[9]).toMatchObject({ count: 1, meanPredicted: 1, observedRate: 1 }); // 1.0 falls in the last bin
    expect(bins[5]).toMatchObject({ count: 0, meanPredicted: null, observedRate: null });
    expect(populationStabilityIndex([1, 1, 0], [1, 1, 0])).toBe(0);
    // shares 0.5/0.5 → 0.25/0.75: (0.25−0.5)·ln(0.5) + (0.75−0.5)·ln(1.5)
    expect(populationStabilityIndex([5, 5], [1, 3])).toBeCloseTo(-0.25 * Math.log(0.5) + 0.25 * Math.log(1.5), 12);
    expect(populationStabilityIndex([0, 0], [1, 1])).toBeNull();
  });

  it('reads its alert thresholds from the environment and refuses nonsense', () => {
    expect(monitoringThresholds({ MONITOR_MAX_PSI: '0.1', MONITOR_MIN_OUTCOMES: '25' })).toMatchObject({
      maxPsi: 0.1,
      minOutcomes: 25,
      minDay3RocAuc: 0.7,
    });
    expect(() => monitoringThresholds({ MONITOR_MIN_DAY3_ROC_AUC: '1.7' })).toThrow(/MONITOR_MIN_DAY3_ROC_AUC/);
  });
});

describe('nightly model monitoring', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let t: TestApi;
  let clinic: Clinic;
  let model: ModelVersion;
  let auditor: User;
  const warnings: Array<Record<string, unknown>> = [];
  let service: ModelMonitoringService;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = db.dataSource;
    t = await createTestApi(db);
    clinic = await newClinic(ds);
    auditor = await newMember(ds, clinic, 'AUDITOR');
    model = await newModelVersion(ds, { trained: true });
    await enableModel(ds, clinic, model, { active: true });
    service = new ModelMonitoringService(
      db.store,
      { minDay3RocAuc: 0.8, maxBrier: 0.25, maxPsi: 0.25, minOutcomes: 4 },
      { warn: (o: object) => void warnings.push(o as Record<string, unknown>), info: () => undefined },
    );
    const cycle = await newCycle(ds, clinic);
    for (const [outcome, p] of [
      ['BLASTOCYST', 0.9],
      ['BLASTOCYST', 0.4],
      ['NOT_BLASTOCYST', 0.6],
      ['NOT_BLASTOCYST', 0.1],
    ] as const) {
      const embryo = await newEmbryo(ds, cycle, { outcome, cultureEndedHpi: 168 });
      await newPredictions(ds, embryo, model, 28, () => p);
    }
  });
  afterAll(async () => {
    await t?.stop();
    await db?.destroy();
  });

  it('stores each check, alerts on thresholds crossed (audit + log line + gauge), and serves the series', async () => {
    const grant = db.services.system.withRequestId('monitor-test').network();
    // 1st check: the 4 outcomes. ROC AUC: pos {0.9, 0.4} vs neg {0.6, 0.1} → 3 of 4 pairs = 0.75 < 0.8
    const [first] = await service.checkAll(grant, new Date());
    expect(first).toMatchObject({
      role: 'active',
      since: null,
      outcomes: 4,
      rocAucDay3: 0.75,
      rocAucDay5: 0.75,
      scores: 4,
      psi: 0,
    });
    expect(first.brier).toBeCloseTo(0.185, 12);
    expect(first.accuracyAuc).toBeCloseTo((0.5 * 6.5) / 7, 12); // 2 of 4 right every day
    expect((first.reliability as Array<{ count: number }>).map((b) => b.count)).toEqual([0, 1, 0, 0, 1, 0, 1, 0, 0, 1]);
    expect(first.alerts).toEqual([{ metric: 'day3RocAuc', value: 0.75, threshold: 0.8 }]);

    // 2nd check: nothing new since the first
    const [second] = await service.checkAll(grant, new Date());
    expect(second).toMatchObject({
      since: first.checkedAt,
      outcomes: 0,
      rocAucDay3: null,
      brier: null,
      scores: 0,
      psi: null,
      alerts: [],
    });

    // new embryos all scored 0.95: the distribution moved from bins {1,4,6,9} to bin 9 only
    const cycle = await newCycle(ds, clinic);
    for (let i = 0; i < 4; i++) await newPredictions(ds, await newEmbryo(ds, cycle), model, 3, () => 0.95);
    const [third] = await service.checkAll(grant, new Date());
    const psi = 3 * (PSI_EPSILON - 0.25) * Math.log(PSI_EPSILON / 0.25) + 0.75 * Math.log(4);
    expect(third.scores).toBe(4);
    expect(third.psi).toBeCloseTo(psi, 9);
    expect(third.alerts).toEqual([{ metric: 'psi', value: third.psi, threshold: 0.25 }]);
    expect(histogram([0.95, 0.95])).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);

    const alerts = await ds
      .getRepository(AuditEvent)
      .find({ where: { action: 'MONITORING_ALERT' }, order: { id: 'ASC' } });
    expect(alerts.map((a) => [a.clinicId, a.entityId, a.userId, (a.detail as { metric: string }).metric])).toEqual([
      [clinic.id, model.id, null, 'day3RocAuc'],
      [clinic.id, model.id, null, 'psi'],
    ]);
    expect(warnings.map((w) => [w.alert, w.metric, w.clinicId])).toEqual([
      ['model-monitoring', 'day3RocAuc', clinic.id],
      ['model-monitoring', 'psi', clinic.id],
    ]);
    const exposed = await processMetrics().registry.metrics();
    expect(exposed).toContain(
      `amsnet_model_score_psi{clinic="${clinic.id}",model="${model.id}",role="active"} ${third.psi}`,
    );
    expect(exposed).toContain(
      `amsnet_model_day3_roc_auc{clinic="${clinic.id}",model="${model.id}",role="active"} 0.75`,
    );

    const SERIES =
      'query($c: ID!, $m: ID!) { modelMonitoring(clinicId: $c, modelId: $m) { outcomes rocAucDay3 psi alerts { metric } reliability { count } } }';
    const served = await t.gql(SERIES, { c: clinic.id, m: model.id }, auditor);
    expect(served.errors).toBeUndefined();
    expect(served.data.modelMonitoring.map((p: { outcomes: number }) => p.outcomes)).toEqual([0, 0, 4]); // newest first
    expect(served.data.modelMonitoring[2]).toMatchObject({ rocAucDay3: 0.75, alerts: [{ metric: 'day3RocAuc' }] });
    expect(codes(await t.gql(SERIES, { c: clinic.id, m: model.id }, await newMember(ds, clinic, 'CLINICIAN')))).toEqual(
      ['FORBIDDEN'],
    );
    expect(
      codes(await t.gql(SERIES, { c: clinic.id, m: model.id }, await newMember(ds, await newClinic(ds), 'ADMIN'))),
    ).toEqual(['NOT_FOUND']);
  });
});

describe('drift against the distribution at activation', () => {
  let db: TestDatabase;
  afterAll(async () => db?.destroy());

  it('compares scores with what the model scored in shadow mode before it went live', async () => {
    db = await createTestDatabase();
    const ds = db.dataSource;
    const clinic = await newClinic(ds);
    const model = await newModelVersion(ds, { trained: true });
    await enableModel(ds, clinic, model, { shadow: true });
    const cycle = await newCycle(ds, clinic);
    // in shadow mode: four embryos at 0.1 (bin 1)
    for (let i = 0; i < 4; i++) await newPredictions(ds, await newEmbryo(ds, cycle), model, 3, () => 0.1);
    await ds.query(
      `UPDATE clinic_model SET active = true, shadow = false,
              activated_at = (SELECT max(created_at) FROM prediction WHERE model_version_id = $2)
        WHERE clinic_id = $1 AND model_version_id = $2`,
      [clinic.id, model.id],
    );
    // live: four more at 0.95 (bin 9)
    for (let i = 0; i < 4; i++) await newPredictions(ds, await newEmbryo(ds, cycle), model, 3, () => 0.95);

    const service = new ModelMonitoringService(
      db.store,
      { minDay3RocAuc: 0.8, maxBrier: 0.25, maxPsi: 0.25, minOutcomes: 4 },
      { warn: () => undefined, info: () => undefined },
    );
    const [point] = await service.checkAll(db.services.system.withRequestId('monitor-test').network(), new Date());
    // all 8 latest scores (half bin 1, half bin 9) against the 4 at activation (all bin 1); a baseline
    // of "what the first check saw" would be the same 8 scores, PSI 0
    const psi = populationStabilityIndex([0, 4, 0, 0, 0, 0, 0, 0, 0, 0], [0, 4, 0, 0, 0, 0, 0, 0, 0, 4]);
    expect(point).toMatchObject({ role: 'active', scores: 8 });
    expect(psi).toBeGreaterThan(0.25);
    expect(point.psi).toBeCloseTo(psi!, 9);
    expect(point.alerts).toEqual([{ metric: 'psi', value: point.psi, threshold: 0.25 }]);
  });
});

import { AuditEvent, type Clinic } from '../../src/entities';
import { formatEvaluation } from '../../src/inference/evaluation/evaluation-format';
import { renderEvaluationSvg } from '../../src/inference/evaluation/evaluation-plot';
import type { EvaluationService } from '../../src/inference/evaluation/evaluation.service';
import { SYNTHETIC_WARNING, UNTRAINED_WARNING } from '../../src/inference/provenance';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo } from '../helpers/factories';
import { insertModelVersion, insertPredictions } from '../helpers/model-factories-registry';

const constant = (p: number, segments = 28) => Array.from({ length: 28 }, (_, k) => (k < segments ? p : null));

describe('EvaluationService', () => {
  let db: TestDatabase;
  let service: EvaluationService;
  let clinicA: Clinic;
  let clinicB: Clinic;
  let modelId: string;
  let untrainedId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    service = db.services.evaluation;
    const ds = db.dataSource;
    clinicA = await newClinic(ds);
    clinicB = await newClinic(ds);
    modelId = (await insertModelVersion(ds, { name: 'eval', version: '1', trained: true })).id;
    untrainedId = (await insertModelVersion(ds, { name: 'eval', version: 'random', trained: false })).id;
    const january = await newCycle(ds, clinicA, { inseminationAt: new Date('2026-01-10T08:00:00Z') });
    const march = await newCycle(ds, clinicA, { inseminationAt: new Date('2026-03-10T08:00:00Z') });
    const other = await newCycle(ds, clinicB, { inseminationAt: new Date('2026-01-10T08:00:00Z') });
    // clinic A, January: two right at every day, one wrong until day 5, one that ended early (segment 7) and is wrong
    const e1 = await newEmbryo(ds, january, { outcome: 'BLASTOCYST' });
    const e2 = await newEmbryo(ds, january, { outcome: 'NOT_BLASTOCYST' });
    const e3 = await newEmbryo(ds, january, { outcome: 'BLASTOCYST' });
    const e4 = await newEmbryo(ds, january, { outcome: 'NOT_BLASTOCYST', cultureEndedHpi: 48 });
    await insertPredictions(ds, e1.id, modelId, constant(0.9));
    await insertPredictions(ds, e2.id, modelId, constant(0.1));
    await insertPredictions(
      ds,
      e3.id,
      modelId,
      constant(0.3).map((p, k) => (k >= 19 ? 0.8 : p)),
    );
    await insertPredictions(ds, e4.id, modelId, constant(0.7, 8));
    // not counted: outcome unknown; outcome known but never scored (counted as such)
    await insertPredictions(ds, (await newEmbryo(ds, january, { outcome: 'UNKNOWN' })).id, modelId, constant(0.9));
    await newEmbryo(ds, january, { outcome: 'BLASTOCYST' });
    // clinic A, March: one more, right every day
    await insertPredictions(ds, (await newEmbryo(ds, march, { outcome: 'BLASTOCYST' })).id, modelId, constant(0.6));
    // clinic B: wrong every day
    await insertPredictions(ds, (await newEmbryo(ds, other, { outcome: 'BLASTOCYST' })).id, modelId, constant(0.2));
    // the untrained model's numbers for e1, e2
    await insertPredictions(ds, e1.id, untrainedId, constant(0.5));
    await insertPredictions(ds, e2.id, untrainedId, constant(0.5));
  });
  afterAll(async () => db.destroy());

  it('evaluates one clinic within a period, from recorded outcomes and stored predictions', async () => {
    const e = await service.evaluate(
      { modelId, from: new Date('2026-01-01'), to: new Date('2026-02-01') },
      db.services.system.withRequestId('r-eval').clinic(clinicA.id),
    );
    expect(e).toMatchObject({
      untrained: false,
      synthetic: false,
      warning: null,
      embryosWithOutcome: 5,
      embryosNotScored: 1,
    });
    expect(e.metrics).toMatchObject({ embryos: 4, blastocysts: 2, notBlastocysts: 2 });
    const day = (d: number) => e.metrics.days.find((x) => x.day === d)!;
    expect(day(2).accuracy).toBe(0.5); // e1, e2 right; e3 (0.3) and e4 (0.7 carried from segment 7) wrong
    expect(day(5).accuracy).toBe(0.75); // e3 turns right at segment 19
    expect(day(5)).toMatchObject({
      n: 4,
      truePositives: 2,
      falsePositives: 1,
      trueNegatives: 1,
      falseNegatives: 0,
      sensitivity: 1,
      specificity: 0.5,
    });
    expect(day(7).accuracy).toBe(0.75);
    // 0.5 on days 0.5…4.5, 0.75 on days 5…7: (0.5·6.5 + 0.25·(2 + 0.5/2)) / 7
    expect(e.metrics.accuracyAuc).toBeCloseTo((0.5 * 6.5 + 0.25 * 2.25) / 7, 12);
    // day 3: pos {0.9, 0.3} vs neg {0.1, 0.7} → pairs 1, 1, 1, 0 → 0.75; day 5: pos {0.9, 0.8} → 1
    expect(e.metrics.roc.map((r) => [r.day, r.auc])).toEqual([
      [3, 0.75],
      [4, 0.75],
      [5, 1],
    ]);
    const audit = await db.dataSource.getRepository(AuditEvent).findOneByOrFail({ requestId: 'r-eval' });
    expect(audit).toMatchObject({ action: 'READ_EVALUATION', entityId: modelId, clinicId: clinicA.id });
  });

  it('widens to the whole clinic and to every clinic when asked', async () => {
    expect((await service.evaluate({ modelId }, db.services.system.clinic(clinicA.id))).metrics.embryos).toBe(5);
    expect((await service.evaluate({ modelId }, db.services.system.network())).metrics.embryos).toBe(6);
    const onlyB = await service.evaluate({ modelId }, db.services.system.clinic(clinicB.id));
    expect(onlyB.metrics.days.every((d) => d.accuracy === 0)).toBe(true);
    expect(onlyB.metrics.roc.every((r) => r.auc === null)).toBe(true); // one class only
  });

  it('labels an untrained model wherever its numbers appear', async () => {
    const e = await service.evaluate({ modelId: untrainedId }, db.services.system.clinic(clinicA.id));
    expect(e).toMatchObject({ untrained: true, warning: UNTRAINED_WARNING, metrics: { embryos: 2 } });
    expect(formatEvaluation(e, 'table')).toContain('UNTRAINED');
    expect(JSON.parse(formatEvaluation(e, 'json'))).toMatchObject({ untrained: true, warning: UNTRAINED_WARNING });
    const csv = formatEvaluation(e, 'csv').trim().split('\n');
    expect(csv[0]).toContain('untrained');
    expect(csv.slice(1).every((line) => line.split(',')[3] === 'true')).toBe(true);
    expect(renderEvaluationSvg(e)).toContain(UNTRAINED_WARNING.slice(0, 20));
  });

  it('labels a model trained on synthetic data like an untrained one, and only that model', async () => {
    await db.dataSource.query(`UPDATE model_version SET provenance = 'trained', synthetic = true WHERE id = $1`, [
      modelId,
    ]);
    try {
      const e = await service.evaluate({ modelId }, db.services.system.clinic(clinicA.id));
      expect(e).toMatchObject({ untrained: false, synthetic: true, warning: SYNTHETIC_WARNING });
      const csv = formatEvaluation(e, 'csv').trim().split('\n');
      expect(csv[0].split(',')[4]).toBe('synthetic');
      expect(csv.slice(1).every((line) => line.split(',')[4] === 'true')).toBe(true);
      expect(renderEvaluationSvg(e)).toContain(SYNTHETIC_WARNING.slice(0, 20));
    } finally {
      await db.dataSource.query(`UPDATE model_version SET synthetic = false WHERE id = $1`, [modelId]);
    }
  });

  it('prints a Table-1-style row and draws the accuracy and ROC curves', async () => {
    const e = await service.evaluate(
      { modelId, from: new Date('2026-01-01'), to: new Date('2026-02-01') },
      db.services.system.clinic(clinicA.id),
    );
    const table = formatEvaluation(e, 'table');
    expect(table).toMatch(/Day0\.5 +Day1 +Day1\.5/);
    expect(table).toMatch(/accuracy %\s+50\.00\s+50\.00/);
    expect(table).toContain('Day3 0.750');
    expect(table).not.toContain('UNTRAINED');
    const svg = renderEvaluationSvg(e);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline[^>]*data-day="(\d)"/g)).toHaveLength(3);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('refuses an unknown model, a malformed clinic id and an empty period', async () => {
    await expect(
      service.evaluate({ modelId: '00000000-0000-0000-0000-000000000000' }, db.services.system.network()),
    ).rejects.toThrow(/model .* not found/);
    await expect(service.evaluate({ modelId }, db.services.system.clinic('lyon'))).rejects.toThrow(
      /clinic lyon not found/,
    );
    await expect(
      service.evaluate(
        { modelId, from: new Date('2026-02-01'), to: new Date('2026-01-01') },
        db.services.system.network(),
      ),
    ).rejects.toThrow(/period is empty/);
  });
});

import { JobQueue } from '../../src/jobs/job-queue';
import { enqueueScoringTick, startScoringScheduler } from '../../src/jobs/scheduler';
import { cronRunId } from '../../src/inference/scoring/scoring.service';
import { processMetrics } from '../../src/platform/metrics';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo } from '../helpers/factories';
import { registerActiveModel, tinyModel } from '../helpers/model-factories';
import { addFrames, everyTwoHours } from '../helpers/scoring-factories';
import { FAST, quietLog, startTestRuntime, waitForRun } from './job-test-kit';

let db: TestDatabase;
let queues: JobQueue[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  queues = [await JobQueue.open(db.url, { log: quietLog }), await JobQueue.open(db.url, { log: quietLog })];
});

afterAll(async () => {
  for (const q of queues) await q.stop();
  await db.destroy();
});

async function scoreClinicJobs(): Promise<Array<{ clinic_id: string; tick: string }>> {
  return db.dataSource.query(
    `SELECT data->>'clinicId' AS clinic_id, data->>'tick' AS tick FROM pgboss.job WHERE name = 'score-clinic' ORDER BY 2, 1`,
  );
}

describe('scoring scheduler', () => {
  it('two schedulers ticking together enqueue each clinic once per tick, and only clinics with an active model', async () => {
    const model = await tinyModel();
    const a = await newClinic(db.dataSource);
    const b = await newClinic(db.dataSource);
    await newClinic(db.dataSource); // no active model: nothing to score
    await registerActiveModel(db.dataSource, a, model);
    await registerActiveModel(db.dataSource, b, model);
    await db.dataSource.query(`DELETE FROM pgboss.job WHERE name = 'score-clinic'`);

    const tick = new Date('2026-11-27T02:00:00.000Z');
    const created = await Promise.all(
      queues.map((queue) =>
        enqueueScoringTick({ store: db.store, queue, log: quietLog }, new Date(tick.getTime() + 120)),
      ),
    );
    expect(created.reduce((x, y) => x + y, 0)).toBe(2);
    // the next day's tick is a new one
    await enqueueScoringTick(
      { store: db.store, queue: queues[0], log: quietLog },
      new Date('2026-11-28T02:00:00.000Z'),
    );
    const jobs = await scoreClinicJobs();
    expect(jobs).toHaveLength(4);
    expect(
      jobs
        .filter((j) => j.tick === tick.toISOString())
        .map((j) => j.clinic_id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
  });

  it('with node-cron every second, two running schedulers give one job per clinic and tick', async () => {
    await db.dataSource.query(`DELETE FROM pgboss.job WHERE name = 'score-clinic'`);
    const schedulers = queues.map((queue) =>
      startScoringScheduler({ store: db.store, queue, log: quietLog, cronExpression: '* * * * * *' }),
    );
    await new Promise((r) => setTimeout(r, 3200));
    for (const s of schedulers) await s.stop();
    await new Promise((r) => setTimeout(r, 300)); // a tick in flight finishes
    const jobs = await scoreClinicJobs();
    const perTick = new Map<string, number>();
    for (const j of jobs) perTick.set(j.tick, (perTick.get(j.tick) ?? 0) + 1);
    expect(perTick.size).toBeGreaterThanOrEqual(2);
    for (const count of perTick.values()) expect(count).toBe(2); // two clinics with an active model
  });

  it('a cron tick becomes one scoring run per clinic that a worker carries out', async () => {
    await db.dataSource.query(`DELETE FROM pgboss.job WHERE name = 'score-clinic'`);
    const clinic = await newClinic(db.dataSource);
    await registerActiveModel(db.dataSource, clinic, await tinyModel());
    const cycle = await newCycle(db.dataSource, clinic);
    const done = await newCycle(db.dataSource, clinic, { status: 'COMPLETED' });
    await addFrames(db.dataSource, await newEmbryo(db.dataSource, cycle), everyTwoHours(14), [-15, 0, 15]);
    await addFrames(db.dataSource, await newEmbryo(db.dataSource, done), everyTwoHours(14), [-15, 0, 15]); // not ACTIVE: left alone
    const runtime = await startTestRuntime(db, FAST);
    try {
      const tick = new Date('2026-11-27T02:00:00Z');
      await enqueueScoringTick({ store: db.store, queue: runtime.queue, log: quietLog }, tick);
      const run = await waitForRun(db.dataSource, cronRunId(clinic.id, tick.toISOString()));
      expect(run).toMatchObject({ status: 'SUCCEEDED', trigger: 'cron', embryosScored: 1, predictionsWritten: 2 });
      const runs = await db.dataSource.query(`SELECT count(*)::int AS n FROM scoring_run WHERE clinic_id = $1`, [
        clinic.id,
      ]);
      expect(runs[0].n).toBe(1);
      // the worker's metrics saw the jobs, the scored embryo and the model calls
      const exposed = await processMetrics().registry.metrics();
      expect(exposed).toMatch(/amsnet_jobs_completed_total\{queue="score-clinic",outcome="succeeded"\} [1-9]/);
      expect(exposed).toMatch(/amsnet_jobs_completed_total\{queue="score-embryos",outcome="succeeded"\} [1-9]/);
      expect(exposed).toMatch(/amsnet_scoring_embryos_total\{provider="cpu"\} [1-9]/);
      expect(exposed).toMatch(/amsnet_inference_duration_milliseconds_count\{provider="cpu"\} [1-9]/);
    } finally {
      await runtime.stop();
    }
  });
  it('scores a shadow (silent-mode) model beside the active one, each in its own run', async () => {
    await db.dataSource.query(`DELETE FROM pgboss.job WHERE name = 'score-clinic'`);
    const clinic = await newClinic(db.dataSource);
    const shadowModel = await registerActiveModel(db.dataSource, clinic, await tinyModel([-15, 0, 15], 7));
    const activeModel = await registerActiveModel(db.dataSource, clinic, await tinyModel([-15, 0, 15], 8));
    await db.dataSource.query(`UPDATE clinic_model SET shadow = true WHERE clinic_id = $1 AND model_version_id = $2`, [
      clinic.id,
      shadowModel,
    ]);
    const embryo = await newEmbryo(db.dataSource, await newCycle(db.dataSource, clinic));
    await addFrames(db.dataSource, embryo, everyTwoHours(14), [-15, 0, 15]);
    const runtime = await startTestRuntime(db, FAST);
    try {
      const tick = new Date('2026-11-28T02:00:00Z');
      await enqueueScoringTick({ store: db.store, queue: runtime.queue, log: quietLog }, tick);
      const jobs = await db.dataSource.query(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'score-clinic' AND data->>'clinicId' = $1`,
        [clinic.id],
      );
      expect(jobs[0].n).toBe(2);
      const activeRun = await waitForRun(db.dataSource, cronRunId(clinic.id, tick.toISOString()));
      const shadowRun = await waitForRun(db.dataSource, cronRunId(clinic.id, `${tick.toISOString()}:${shadowModel}`));
      expect(activeRun).toMatchObject({ status: 'SUCCEEDED', modelVersionId: activeModel, predictionsWritten: 2 });
      expect(shadowRun).toMatchObject({ status: 'SUCCEEDED', modelVersionId: shadowModel, predictionsWritten: 2 });
      const perModel = await db.dataSource.query(
        `SELECT model_version_id, count(*)::int AS n FROM prediction WHERE embryo_id = $1 GROUP BY 1 ORDER BY 1`,
        [embryo.id],
      );
      expect(perModel).toEqual(
        [
          { model_version_id: activeModel, n: 2 },
          { model_version_id: shadowModel, n: 2 },
        ].sort((a, b) => a.model_version_id.localeCompare(b.model_version_id)),
      );
    } finally {
      await runtime.stop();
    }
  });
});

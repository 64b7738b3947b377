import type { JobContext, JobHandlers, ScoreEmbryosPayload } from '../../src/jobs/job-registry';
import { MissingJobHandlerError } from '../../src/jobs/job-registry';
import type { JobRuntime } from '../../src/jobs/runtime';
import { UserError } from '../../src/platform/errors';
import { deterministicUuid } from '../../src/platform/ids';
import type { Clinic, Embryo } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newMember } from '../helpers/factories';
import { registerActiveModel, tinyModel } from '../helpers/model-factories';
import { addFrames, everyTwoHours, trajectories } from '../helpers/scoring-factories';
import { FAST, requestScoring, startTestRuntime, waitForRun, type TestRuntimeOptions } from './job-test-kit';

const PLANES = [-15, 0, 15];
let db: TestDatabase;
const runtimes: JobRuntime[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ poolSize: 8 });
});

afterAll(async () => {
  for (const r of runtimes) await r.stop();
  await db.destroy();
});

/** A clinic with the tiny model active and embryos labelled E1…En, each with frames up to `untilHpi`. */
async function clinicWithEmbryos(
  count: number,
  untilHpi = 26,
): Promise<{ clinic: Clinic; embryos: Embryo[]; modelId: string }> {
  const clinic = await newClinic(db.dataSource);
  const modelId = await registerActiveModel(db.dataSource, clinic, await tinyModel(PLANES));
  const cycle = await newCycle(db.dataSource, clinic);
  const embryos: Embryo[] = [];
  for (let i = 1; i <= count; i++) {
    const embryo = await newEmbryo(db.dataSource, cycle, { label: `E${i}` });
    await addFrames(db.dataSource, embryo, everyTwoHours(untilHpi, 1 + (i % 2) * 0.5), PLANES);
    embryos.push(embryo);
  }
  return { clinic, embryos, modelId };
}

async function startWorker(extra: TestRuntimeOptions = {}): Promise<JobRuntime> {
  const runtime = await startTestRuntime(db, { embryosPerJob: 1, ...FAST, ...extra });
  runtimes.push(runtime);
  return runtime;
}

async function stopWorker(runtime: JobRuntime): Promise<void> {
  runtimes.splice(runtimes.indexOf(runtime), 1);
  await runtime.stop();
}

describe('scoring through the job queue', () => {
  it('refuses a request for a clinic without an active model', async () => {
    const clinic = await newClinic(db.dataSource);
    await expect(requestScoring(db, { clinicId: clinic.id, requestedBy: null, trigger: 'cli' })).rejects.toThrow(
      new UserError('this clinic has no active model: an administrator must register and activate one before scoring'),
    );
    const [{ count }] = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM scoring_run WHERE clinic_id = $1`,
      [clinic.id],
    );
    expect(count).toBe(0);
  });

  it('refuses a scope outside the clinic, naming nothing of the other clinic', async () => {
    const mine = await clinicWithEmbryos(1);
    const theirs = await clinicWithEmbryos(1);
    await expect(
      requestScoring(db, {
        clinicId: mine.clinic.id,
        embryoIds: [theirs.embryos[0].id],
        requestedBy: null,
        trigger: 'request',
      }),
    ).rejects.toThrow(new UserError('scoring request: some embryos do not exist in this clinic'));
    await expect(
      requestScoring(db, {
        clinicId: mine.clinic.id,
        cycleId: theirs.embryos[0].cycleId,
        requestedBy: null,
        trigger: 'request',
      }),
    ).rejects.toThrow(new UserError('scoring request: no such cycle with embryos in this clinic'));
    await expect(requestScoring(db, { clinicId: 'not-a-uuid', requestedBy: null, trigger: 'request' })).rejects.toThrow(
      UserError,
    );
    const [{ count }] = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM scoring_run WHERE clinic_id IN ($1, $2)`,
      [mine.clinic.id, theirs.clinic.id],
    );
    expect(count).toBe(0);
  });

  it('refuses to start a worker that lacks a handler for a registered job', async () => {
    await expect(
      startTestRuntime(db, { wrapHandlers: (h) => ({ 'score-clinic': h['score-clinic'] }) }),
    ).rejects.toThrow(MissingJobHandlerError);
  });

  it('two workers on one queue score every embryo exactly once', async () => {
    const { clinic, embryos, modelId } = await clinicWithEmbryos(6);
    const handledBy = new Map<string, string[]>();
    const tracking = (name: string) => (h: JobHandlers) => ({
      ...h,
      'score-embryos': async (job: JobContext<ScoreEmbryosPayload>) => {
        for (const id of job.data.embryoIds) handledBy.set(id, [...(handledBy.get(id) ?? []), name]);
        return h['score-embryos'](job);
      },
    });
    const a = await startWorker({ wrapHandlers: tracking('a') });
    const b = await startWorker({ wrapHandlers: tracking('b') });
    const member = await newMember(db.dataSource, clinic, 'EMBRYOLOGIST');
    const run = await requestScoring(db, { clinicId: clinic.id, requestedBy: member.id, trigger: 'request' });
    expect(run.status).toBe('QUEUED');

    const done = await waitForRun(db.dataSource, run.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.embryosScored).toBe(6);
    expect(done.predictionsWritten).toBe(6 * 4); // frames up to 25 h: segments 0–3
    expect(done.executionProvider).toBe('cpu');
    expect(done.embryosPerSecond).toBeGreaterThan(0);
    for (const e of embryos) expect(handledBy.get(e.id)).toHaveLength(1);
    const traj = await trajectories(db.dataSource, clinic.id, modelId);
    expect(Object.values(traj).map((t) => t.map((p) => p.segment))).toEqual(Array(6).fill([0, 1, 2, 3]));
    const audit = await db.dataSource.query(`SELECT user_id, action FROM audit_event WHERE entity_id = $1`, [run.id]);
    expect(audit).toEqual([{ user_id: member.id, action: 'SCORING_REQUESTED' }]);

    // Scoring again adds nothing.
    const again = await requestScoring(db, { clinicId: clinic.id, requestedBy: null, trigger: 'cli' });
    const second = await waitForRun(db.dataSource, again.id);
    expect(second).toMatchObject({ status: 'SUCCEEDED', embryosScored: 0, predictionsWritten: 0 });
    await stopWorker(a);
    await stopWorker(b);
  });

  it('a job that crashes mid-batch is retried and ends exactly like a clean run', async () => {
    const clean = await clinicWithEmbryos(3);
    const crashed = await clinicWithEmbryos(3);
    let crashes = 0;
    const worker = await startWorker({
      embryosPerJob: 3,
      observer: {
        embryoCommitted: (embryoId) => {
          // Dies after the first embryo of the crashed clinic is committed, once.
          if (crashes === 0 && crashed.embryos.some((e) => e.id === embryoId)) {
            crashes++;
            throw new Error('worker died');
          }
        },
      },
    });
    const cleanRun = await requestScoring(db, { clinicId: clean.clinic.id, requestedBy: null, trigger: 'cli' });
    const crashRun = await requestScoring(db, { clinicId: crashed.clinic.id, requestedBy: null, trigger: 'cli' });
    const a = await waitForRun(db.dataSource, cleanRun.id);
    const b = await waitForRun(db.dataSource, crashRun.id);
    expect(crashes).toBe(1);
    expect(b.details).toMatchObject({ lastError: 'worker died' });
    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(b.predictionsWritten).toBe(a.predictionsWritten);
    expect(b.embryosScored).toBe(3);
    expect(await trajectories(db.dataSource, crashed.clinic.id, crashed.modelId)).toEqual(
      await trajectories(db.dataSource, clean.clinic.id, clean.modelId),
    );
    await stopWorker(worker);
  });

  it('after the last retry the job is failed in the queue and the run says why', async () => {
    const { clinic, embryos } = await clinicWithEmbryos(2);
    const poisoned = embryos[0].id;
    const worker = await startWorker({
      embryosPerJob: 1,
      policies: { ...FAST.policies, 'score-embryos': { retryLimit: 1, retryDelay: 1, retryBackoff: false } },
      observer: {
        beforeWrite: (id) => {
          if (id === poisoned) throw new Error('disk on fire');
        },
      },
    });
    const run = await requestScoring(db, { clinicId: clinic.id, requestedBy: null, trigger: 'cli' });
    const done = await waitForRun(db.dataSource, run.id);
    expect(done).toMatchObject({ status: 'PARTIAL', embryosScored: 1, embryosFailed: 1 });
    expect((done.details as { failures: unknown[] }).failures).toEqual([
      { embryoId: poisoned, reason: 'gave up after 2 attempts: disk on fire' },
    ]);
    const batchOfPoisoned = (
      await db.dataSource.query(`SELECT id FROM embryo WHERE clinic_id = $1 ORDER BY id`, [clinic.id])
    ).findIndex((r: { id: string }) => r.id === poisoned);
    const job = await worker.queue.getJob(
      'score-embryos',
      deterministicUuid(`score-embryos:${run.id}:${batchOfPoisoned}`),
    );
    expect(job).toMatchObject({ state: 'failed', retryCount: 1 });
    await stopWorker(worker);
  });

  it('re-queues a batch for the new model when the active model changes during the run', async () => {
    const { clinic } = await clinicWithEmbryos(2);
    const newModel = await tinyModel(PLANES, 2);
    let newModelId = '';
    const worker = await startWorker({
      wrapHandlers: (h) => ({
        ...h,
        'score-embryos': async (job: JobContext<ScoreEmbryosPayload>) => {
          if (!newModelId) newModelId = await registerActiveModel(db.dataSource, clinic, newModel);
          return h['score-embryos'](job);
        },
      }),
    });
    const run = await requestScoring(db, { clinicId: clinic.id, requestedBy: null, trigger: 'cli' });
    const done = await waitForRun(db.dataSource, run.id);
    expect(done.status).toBe('SUCCEEDED');
    const models = await db.dataSource.query(
      `SELECT DISTINCT model_version_id AS id FROM prediction WHERE scoring_run_id = $1`,
      [run.id],
    );
    expect(models).toEqual([{ id: newModelId }]);
    await stopWorker(worker);
  });

  it('a model that fails its contract gives a failed run with the reason, and the worker goes on', async () => {
    const broken = await newClinic(db.dataSource);
    await registerActiveModel(db.dataSource, broken, Buffer.from('not an onnx model at all'));
    const cycle = await newCycle(db.dataSource, broken);
    await addFrames(db.dataSource, await newEmbryo(db.dataSource, cycle), everyTwoHours(14), PLANES);
    const healthy = await clinicWithEmbryos(1);
    const worker = await startWorker();
    const badRun = await requestScoring(db, { clinicId: broken.id, requestedBy: null, trigger: 'cli' });
    const failed = await waitForRun(db.dataSource, badRun.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatch(/does not fit the AMSNet contract.*not a readable ONNX model/);
    const goodRun = await requestScoring(db, { clinicId: healthy.clinic.id, requestedBy: null, trigger: 'cli' });
    expect((await waitForRun(db.dataSource, goodRun.id)).status).toBe('SUCCEEDED');
    await stopWorker(worker);
  });

  it('scores only the embryos asked for, and the next segment when its frames arrive', async () => {
    const { clinic, embryos, modelId } = await clinicWithEmbryos(2, 14);
    const worker = await startWorker();
    const run = await requestScoring(db, {
      clinicId: clinic.id,
      embryoIds: [embryos[0].id],
      requestedBy: null,
      trigger: 'cli',
    });
    expect(await waitForRun(db.dataSource, run.id)).toMatchObject({
      status: 'SUCCEEDED',
      embryosScored: 1,
      predictionsWritten: 2,
    });
    await addFrames(db.dataSource, embryos[0], [19], PLANES);
    const next = await requestScoring(db, {
      clinicId: clinic.id,
      embryoIds: [embryos[0].id],
      requestedBy: null,
      trigger: 'cli',
    });
    expect(await waitForRun(db.dataSource, next.id)).toMatchObject({
      status: 'SUCCEEDED',
      embryosScored: 1,
      predictionsWritten: 1,
    });
    const traj = await trajectories(db.dataSource, clinic.id, modelId);
    expect(traj.E1.map((p) => p.segment)).toEqual([0, 1, 2]);
    expect(traj.E2).toBeUndefined();
    await stopWorker(worker);
  });
});

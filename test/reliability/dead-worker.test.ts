import { JobQueue } from '../../src/jobs/job-queue';
import { JOB_POLICIES } from '../../src/jobs/job-registry';
import { loadConfig } from '../../src/platform/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { requestScoring } from '../jobs/job-test-kit';
import { killAll, slowClinic, spawnAmsnet, trajectoryCheck, waitFor, waitForOutput, type Spawned } from './fault-kit';

/**
 * Workers as real processes (`amsnet worker`) on the test database, killed with SIGKILL in the
 * middle of a score-embryos batch: another worker must finish the run, without a duplicate or a
 * partial trajectory, and no run may stay RUNNING. Leases of 3 s and sweeps every second keep the
 * test short; the defaults are checked against the 2-minute target separately.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ poolSize: 4 });
});
afterAll(async () => {
  await killAll();
  await db.destroy();
});
afterEach(() => killAll());

const EMBRYOS = 8; // one job of 8 embryos (INFERENCE_MAX_BATCH 2 × 4 batches per job)

async function runRow(runId: string) {
  const [row] = await db.dataSource.query(`SELECT status, error, details FROM scoring_run WHERE id = $1`, [runId]);
  return row as { status: string; error: string | null; details: { failures?: Array<{ reason: string }> } };
}

/** Waits until a worker holds the run's batch and has committed part of it; returns that worker. */
async function holderMidBatch(runId: string, workers: Spawned[]): Promise<Spawned> {
  return waitFor(
    'a worker in the middle of the batch',
    async () => {
      const [held] = await db.dataSource.query(
        `SELECT l.pid FROM leased_job j JOIN process_lease l ON l.id = j.lease_id WHERE j.queue = 'score-embryos'`,
      );
      if (!held) return undefined;
      const [{ embryos }] = await db.dataSource.query(
        `SELECT count(DISTINCT embryo_id)::int AS embryos FROM prediction WHERE scoring_run_id = $1`,
        [runId],
      );
      if (embryos >= EMBRYOS)
        throw new Error('the batch finished before the worker could be killed: slow the model down');
      return embryos > 0 ? workers.find((w) => w.child.pid === held.pid) : undefined;
    },
    90_000,
    50,
  );
}

function startWorkers(): Spawned[] {
  return ['worker-a', 'worker-b'].map((name) => spawnAmsnet(name, ['worker'], { DATABASE_URL: db.url }));
}

it('the defaults hand a dead worker’s job on within the 2-minute target', () => {
  const config = loadConfig({});
  const policy = JOB_POLICIES['score-embryos'];
  // lease runs out + next sweep + the first retry's delay (backoff: up to twice retryDelay) + a poll
  const worstCaseSeconds = config.workerLeaseSeconds + config.sweepIntervalSeconds + 2 * policy.retryDelay + 2;
  expect(worstCaseSeconds).toBeLessThanOrEqual(120);
  expect(config.workerDrainSeconds).toBeLessThan(40); // docker/compose.yml stop_grace_period
});

it('SIGKILL of the worker holding a batch: another worker finishes the run, 0 duplicate and 0 partial trajectories', async () => {
  const { clinic, modelId } = await slowClinic(db.dataSource, EMBRYOS);
  const workers = startWorkers();
  for (const w of workers) await waitForOutput(w, /scoring worker started/);
  const run = await requestScoring(db, { clinicId: clinic.id, requestedBy: null, trigger: 'cli' });

  const holder = await holderMidBatch(run.id, workers);
  const survivor = workers.find((w) => w !== holder)!;
  holder.child.kill('SIGKILL');
  const killedAt = Date.now();
  await holder.exited;

  const done = await waitFor(
    'the run to finish',
    async () => {
      const row = await runRow(run.id);
      return row.status === 'RUNNING' || row.status === 'QUEUED' ? undefined : row;
    },
    120_000,
    200,
  );
  const recoverySeconds = (Date.now() - killedAt) / 1000;
  process.stdout.write(`dead worker: run finished ${recoverySeconds.toFixed(1)} s after the SIGKILL\n`);
  expect(done.status).toBe('SUCCEEDED');
  expect(recoverySeconds).toBeLessThan(120);
  const check = await trajectoryCheck(db.dataSource, clinic.id, modelId);
  expect(check.duplicates).toBe(0);
  expect(check.partial).toEqual([]);
  expect(new Set(Object.values(check.segments))).toEqual(new Set([Object.values(check.segments)[0]]));
  expect(Object.values(check.segments)[0]).toBeGreaterThan(0);
  expect(survivor.output()).toMatch(/sweeper: a process stopped heartbeating/);
  const [{ leases }] = await db.dataSource.query(`SELECT count(*)::int AS leases FROM process_lease WHERE pid = $1`, [
    holder.child.pid,
  ]);
  expect(leases).toBe(0);
  const [{ running }] = await db.dataSource.query(
    `SELECT count(*)::int AS running FROM scoring_run WHERE status IN ('RUNNING', 'QUEUED')`,
  );
  expect(running).toBe(0);

  // a clean stop (SIGTERM) releases the survivor's lease: nothing is left for a sweeper
  survivor.child.kill('SIGTERM');
  expect(await survivor.exited).toBe(0);
  const [{ left }] = await db.dataSource.query(`SELECT count(*)::int AS left FROM process_lease`);
  expect(left).toBe(0);
}, 240_000);

it('the last attempt of a batch dies with its worker: the run is closed with the reason, not left RUNNING', async () => {
  const { clinic } = await slowClinic(db.dataSource, EMBRYOS);
  const workers = startWorkers();
  for (const w of workers) await waitForOutput(w, /scoring worker started/);
  // batches planned from now on get no retry: the first attempt is the last
  await db.services.queue.get();
  const noRetries = await JobQueue.open(db.url, { policies: { 'score-embryos': { retryLimit: 0 } } });
  try {
    const run = await requestScoring(db, { clinicId: clinic.id, requestedBy: null, trigger: 'cli' });
    const holder = await holderMidBatch(run.id, workers);
    holder.child.kill('SIGKILL');
    const killedAt = Date.now();
    const done = await waitFor(
      'the run to be closed',
      async () => {
        const row = await runRow(run.id);
        return row.status === 'RUNNING' || row.status === 'QUEUED' ? undefined : row;
      },
      60_000,
      200,
    );
    process.stdout.write(
      `dead worker, last attempt: run closed ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the SIGKILL\n`,
    );
    expect(['PARTIAL', 'FAILED']).toContain(done.status);
    expect(done.details.failures?.length).toBeGreaterThan(0);
    expect(done.details.failures![0].reason).toMatch(/^interrupted: the worker process .+ stopped/);
  } finally {
    await noRetries.stop();
  }
}, 240_000);

it('SIGTERM drains: the batch in flight goes back to the queue within the drain time, another worker finishes it', async () => {
  const { clinic, modelId } = await slowClinic(db.dataSource, EMBRYOS);
  const workers = ['worker-c', 'worker-d'].map((name) =>
    spawnAmsnet(name, ['worker'], { DATABASE_URL: db.url, WORKER_DRAIN_SECONDS: '1' }),
  );
  for (const w of workers) await waitForOutput(w, /scoring worker started/);
  const run = await requestScoring(db, { clinicId: clinic.id, requestedBy: null, trigger: 'cli' });
  const holder = await holderMidBatch(run.id, workers);
  const stoppingAt = Date.now();
  holder.child.kill('SIGTERM');
  expect(await holder.exited).toBe(0);
  const stopSeconds = (Date.now() - stoppingAt) / 1000;
  process.stdout.write(`drain: worker stopped ${stopSeconds.toFixed(1)} s after SIGTERM (drain 1 s)\n`);
  expect(stopSeconds).toBeLessThan(10);
  const done = await waitFor(
    'the run to finish',
    async () => {
      const row = await runRow(run.id);
      return row.status === 'RUNNING' || row.status === 'QUEUED' ? undefined : row;
    },
    90_000,
    200,
  );
  expect(done.status).toBe('SUCCEEDED');
  const check = await trajectoryCheck(db.dataSource, clinic.id, modelId);
  expect(check.duplicates).toBe(0);
  expect(check.partial).toEqual([]);
}, 240_000);

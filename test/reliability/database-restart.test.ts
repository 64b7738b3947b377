import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clinic } from '../../src/entities';
import { JobQueue } from '../../src/jobs/job-queue';
import { StaleRunSweeper } from '../../src/jobs/stale-run-sweeper';
import { createLogger } from '../../src/platform/logger';
import { freePort } from '../helpers/cli';
import { startDedicatedPostgres, type DedicatedPostgres } from '../helpers/dedicated-postgres';
import { newClinic } from '../helpers/factories';
import { writeFolderExport } from '../helpers/ingest-fixtures';
import { killAll, slowClinic, spawnAmsnet, trajectoryCheck, waitFor, waitForOutput, type Spawned } from './fault-kit';

/**
 * A PostgreSQL of the test's own (never the shared test server) restarted under real processes:
 * `amsnet import folder`, `amsnet serve --no-worker` and `amsnet worker`.
 */
const EMBRYOS = 24;
const RUNS = 50;
const FRAMES_PER_EMBRYO = RUNS * 3;
let pg: DedicatedPostgres;
let dir: string;

beforeAll(async () => {
  pg = await startDedicatedPostgres();
  dir = await mkdtemp(join(tmpdir(), 'amsnet-restart-'));
  await writeFolderExport(
    dir,
    [-15, 0, 15],
    Array.from({ length: EMBRYOS }, (_, i) => ({
      name: `RS-${String(i + 1).padStart(2, '0')}`,
      well: i + 1,
      runs: Array.from({ length: RUNS }, (_, r) => r + 1),
    })),
  );
}, 120_000);
afterAll(async () => {
  await killAll();
  await pg?.destroy();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => killAll());

function importFolder(clinic: Clinic, env: Record<string, string> = {}): Spawned {
  return spawnAmsnet('import', ['import', 'folder', dir, '--clinic', clinic.code], { DATABASE_URL: pg.url, ...env });
}

/** Embryos committed so far (the report's items are written in groups, so they lag behind). */
async function storedItems(clinic: Clinic): Promise<number> {
  const [{ n }] = await pg.dataSource.query(`SELECT count(*)::int AS n FROM embryo WHERE clinic_id = $1`, [clinic.id]);
  return n;
}

/** Embryos in the clinic and how many of them are half-imported (fewer frames than the export has). */
async function embryoCounts(clinic: Clinic): Promise<{ embryos: number; halfImported: number }> {
  const [row] = await pg.dataSource.query(
    `SELECT count(*)::int AS embryos, count(*) FILTER (WHERE frames <> $2)::int AS "halfImported"
       FROM (SELECT e.id, count(f.*)::int AS frames FROM embryo e LEFT JOIN frame f ON f.embryo_id = e.id
              WHERE e.clinic_id = $1 GROUP BY e.id) x`,
    [clinic.id, FRAMES_PER_EMBRYO],
  );
  return row;
}

async function importRuns(clinic: Clinic): Promise<Array<{ status: string }>> {
  return pg.dataSource.query(`SELECT status FROM import_run WHERE clinic_id = $1 ORDER BY started_at`, [clinic.id]);
}

/** Waits until the query through the test's own pool works again after a restart. */
function reconnected(): Promise<true> {
  return waitFor(
    'the test pool to reconnect',
    () =>
      pg.dataSource.query('SELECT 1').then(
        () => true as const,
        () => false,
      ),
    30_000,
    200,
  );
}

function oneSweep(): Promise<unknown> {
  return (async () => {
    const queue = await JobQueue.open(pg.url);
    try {
      const sweeper = new StaleRunSweeper({
        store: pg.store,
        queue,
        log: createLogger('silent'),
        intervalSeconds: 60,
        onGaveUp: async () => undefined,
      });
      return await sweeper.sweep();
    } finally {
      await queue.stop();
    }
  })();
}

it('a restart during a folder import: the CLI waits, reconnects and completes the import', async () => {
  const clinic = await newClinic(pg.dataSource);
  const cli = importFolder(clinic);
  await waitFor(
    'two embryos committed',
    async () => (await storedItems(clinic)) >= 2 || cli.child.exitCode !== null,
    60_000,
    20,
  );
  expect(cli.child.exitCode).toBeNull(); // still importing: the restart lands in the middle
  const downAt = Date.now();
  await pg.restart(1500);
  process.stdout.write(`restart: database down for ${((Date.now() - downAt) / 1000).toFixed(1)} s\n`);
  const code = await cli.exited;
  const out = cli.output();
  expect(out).toMatch(/database unreachable: waiting up to 120 s/);
  expect(out).toMatch(/database back after [\d.]+ s; continuing/);
  expect(out).not.toMatch(/\n\s+at /); // no stack trace
  expect(out).toMatch(/\(folder\): SUCCEEDED/);
  expect(code).toBe(0);
  await reconnected();
  expect(await embryoCounts(clinic)).toEqual({ embryos: EMBRYOS, halfImported: 0 });
  expect(await importRuns(clinic)).toEqual([{ status: 'SUCCEEDED' }]);
  process.stdout.write(`restart during import: ${out.match(/database back after [\d.]+ s/)?.[0]}\n`);
}, 180_000);

it('a database away for longer than the import may wait: a report of what was stored and not, the run closed, a rerun completes', async () => {
  const clinic = await newClinic(pg.dataSource);
  const cli = importFolder(clinic, { DATABASE_WAIT_SECONDS: '2', WORKER_LEASE_SECONDS: '2' });
  await waitFor(
    'two embryos committed',
    async () => (await storedItems(clinic)) >= 2 || cli.child.exitCode !== null,
    60_000,
    20,
  );
  expect(cli.child.exitCode).toBeNull();
  await pg.stop();
  const code = await cli.exited;
  await pg.start();
  const out = cli.output();
  expect(code).toBe(1);
  expect(out).not.toMatch(/\n\s+at /);
  expect(out).toMatch(/\(folder\): FAILED \(interrupted\)/);
  expect(out).toMatch(/failed +embryo RS-\d+: not stored: the database was unreachable/);
  expect(out).toMatch(/failed +\(import\): stopped: the database was unreachable for more than 2 s/);
  expect(out).toMatch(/this report could not be saved/);
  await reconnected();
  const stored = await embryoCounts(clinic);
  expect(stored.halfImported).toBe(0);
  expect(stored.embryos).toBeGreaterThanOrEqual(2); // committed embryos stay
  expect(stored.embryos).toBeLessThan(EMBRYOS);
  // the import's lease is gone with it: the sweeper closes the run
  await new Promise((r) => setTimeout(r, 2500));
  await oneSweep();
  expect(await importRuns(clinic)).toEqual([{ status: 'FAILED' }]);

  const rerun = importFolder(clinic);
  expect(await rerun.exited).toBe(0);
  expect(await embryoCounts(clinic)).toEqual({ embryos: EMBRYOS, halfImported: 0 });
  expect(await importRuns(clinic)).toEqual([{ status: 'FAILED' }, { status: 'SUCCEEDED' }]);
}, 180_000);

it('an import killed with SIGKILL: the sweeper closes its run with the reason; a rerun resumes', async () => {
  const clinic = await newClinic(pg.dataSource);
  const cli = importFolder(clinic, { WORKER_LEASE_SECONDS: '2' });
  await waitFor(
    'two embryos committed',
    async () => (await storedItems(clinic)) >= 2 || cli.child.exitCode !== null,
    60_000,
    20,
  );
  cli.child.kill('SIGKILL');
  await cli.exited;
  expect(await importRuns(clinic)).toEqual([{ status: 'RUNNING' }]);
  await new Promise((r) => setTimeout(r, 2500));
  await oneSweep();
  const [run] = await pg.dataSource.query(
    `SELECT r.status, r.finished_at, i.reason FROM import_run r JOIN import_run_item i ON i.import_run_id = r.id
      WHERE r.clinic_id = $1 AND i.item = '(import)'`,
    [clinic.id],
  );
  expect(run.status).toBe('FAILED');
  expect(run.finished_at).not.toBeNull();
  expect(run.reason).toMatch(/^interrupted: the import process .+ stopped .*rerun the import to resume/);
  const [audit] = await pg.dataSource.query(
    `SELECT detail FROM audit_event WHERE action = 'IMPORT_RUN' AND clinic_id = $1`,
    [clinic.id],
  );
  expect(audit.detail.status).toBe('FAILED');
  expect((await embryoCounts(clinic)).halfImported).toBe(0);

  const rerun = importFolder(clinic);
  expect(await rerun.exited).toBe(0);
  expect(rerun.output()).toMatch(/items: \d+ stored, [1-9]\d* already stored/);
  expect(await embryoCounts(clinic)).toEqual({ embryos: EMBRYOS, halfImported: 0 });
}, 180_000);

it('a restart during scoring: API and worker stay up, /readyz goes 503 then 200, the run completes without duplicates', async () => {
  const { clinic, modelId } = await slowClinic(pg.dataSource, 8);
  const port = await freePort();
  const api = spawnAmsnet('api', ['serve', '--no-worker'], { DATABASE_URL: pg.url, PORT: String(port) });
  const worker = spawnAmsnet('worker', ['worker'], { DATABASE_URL: pg.url });
  await waitForOutput(worker, /scoring worker started/);
  await waitFor(
    'the API to be ready',
    () =>
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    60_000,
    200,
  );
  const run = await pg.services.scoring.request(pg.services.system.clinic(clinic.id), {}, 'cli');
  await waitFor(
    'scoring to be under way',
    async () => {
      const [{ n }] = await pg.dataSource.query(`SELECT count(*)::int AS n FROM prediction WHERE scoring_run_id = $1`, [
        run.id,
      ]);
      return n > 0;
    },
    90_000,
    50,
  );
  await pg.stop();
  const during = await fetch(`http://127.0.0.1:${port}/readyz`).then(
    (r) => r.status,
    () => 0,
  );
  await new Promise((r) => setTimeout(r, 1500));
  const restartedAt = Date.now();
  await pg.start();
  await waitFor(
    '/readyz 200 again',
    () =>
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    30_000,
    50,
  );
  process.stdout.write(
    `restart: /readyz 200 again ${Date.now() - restartedAt} ms after the database accepted connections\n`,
  );
  expect(during).toBe(503);
  await reconnected();
  const done = await waitFor(
    'the run to finish',
    async () => {
      const [row] = await pg.dataSource.query(`SELECT status FROM scoring_run WHERE id = $1`, [run.id]);
      return ['SUCCEEDED', 'PARTIAL', 'FAILED'].includes(row.status) ? row : undefined;
    },
    120_000,
    250,
  );
  process.stdout.write(
    `restart: scoring run ${done.status} ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart\n`,
  );
  expect(done.status).toBe('SUCCEEDED');
  expect(api.child.exitCode).toBeNull();
  expect(worker.child.exitCode).toBeNull();
  const check = await trajectoryCheck(pg.dataSource, clinic.id, modelId);
  expect(check.duplicates).toBe(0);
  expect(check.partial).toEqual([]);
  // and a request after the restart goes through the same processes
  const again = await pg.services.scoring.request(pg.services.system.clinic(clinic.id), {}, 'cli');
  await waitFor(
    'the second run',
    async () => {
      const [row] = await pg.dataSource.query(`SELECT status FROM scoring_run WHERE id = $1`, [again.id]);
      return row.status === 'SUCCEEDED';
    },
    60_000,
    250,
  );
  for (const p of [api, worker]) {
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }
}, 300_000);

/**
 * GraphQL API benchmark: the lab's cycle view (cycle → patient → embryos ranked by latest
 * probability → 28-point trajectories) through `amsnet`'s HTTP server on loopback, with autocannon
 * at 1, 10 and 50 connections, next to the same data read by one hand-written SQL query.
 * Seeds its own clinic (50 cycles × 10 embryos × 28 predictions) in a throw-away database.
 *
 *   node dist/bench/api.js [--seconds 5] [--connections 1,10,50]
 *   env: DATABASE_URL (a server to create the bench database on; default: embedded PostgreSQL
 *   in a temporary folder), AMSNET_BENCH_SECONDS, AMSNET_BENCH_CONNECTIONS
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'pg';
import { LocalTokenSigner } from '../src/auth/local-tokens';
import { loadConfig } from '../src/platform/config';
import { openAppDatabase } from '../src/app/database';
import { startHttpServer } from '../src/app/http-server';
import { createLogger } from '../src/platform/logger';
import { freePort } from '../src/platform/net/free-port';

// autocannon ships no types
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => AutocannonRun;
interface AutocannonResult {
  requests: { average: number; total: number };
  errors: number;
  non2xx: number;
  timeouts: number;
}
/** An EventEmitter that is also a promise of the result; 'response' carries each latency (ms). */
type AutocannonRun = PromiseLike<AutocannonResult> & {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
};

function arg(name: string, env: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  return process.env[env] ?? fallback;
}
const SECONDS = Number(arg('seconds', 'AMSNET_BENCH_SECONDS', '5'));
const CONNECTIONS = arg('connections', 'AMSNET_BENCH_CONNECTIONS', '1,10,50').split(',').map(Number);
const CYCLES = 50;
const EMBRYOS_PER_CYCLE = 10;
const SEGMENTS = 28;
const JWT_SECRET = randomBytes(32).toString('hex');

const CYCLE_VIEW = `query($id: ID!) { cycle(id: $id) { id externalId status patient { mrn }
  ranking { label warning entries { rank score { value label } embryo { id label outcome
    trajectory { warning model { id name version trained } points { segment hoursPostInsemination day probability imputed } } } } } } }`;

/** The same answer in one statement, as a hand-written report would read it. */
const CYCLE_VIEW_SQL = `
  SELECT c.id, c.external_id, c.status, p.mrn,
         coalesce(json_agg(json_build_object('id', e.id, 'label', e.label, 'outcome', e.outcome, 'points', t.points)
                  ORDER BY t.latest DESC NULLS LAST, e.label) FILTER (WHERE e.id IS NOT NULL), '[]') AS embryos
  FROM cycle c
  LEFT JOIN patient p ON p.id = c.patient_id
  LEFT JOIN embryo e ON e.cycle_id = c.id
  LEFT JOIN clinic_model cm ON cm.clinic_id = c.clinic_id AND cm.active
  LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object('segment', pr.segment, 'hpi', pr.hours_post_insemination, 'probability', pr.probability,
                    'imputed', coalesce((pr.inputs->>'imputed')::boolean, false)) ORDER BY pr.segment) AS points,
           (array_agg(pr.probability ORDER BY pr.segment DESC))[1] AS latest
    FROM prediction pr WHERE pr.embryo_id = e.id AND pr.model_version_id = cm.model_version_id
  ) t ON true
  WHERE c.id = $1 AND c.clinic_id = ANY($2::uuid[])
  GROUP BY c.id, p.mrn`;

async function benchDatabaseUrl(): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  const server = process.env.DATABASE_URL;
  if (server) {
    const name = `amsnet_bench_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(server);
    url.pathname = `/${name}`;
    return {
      env: { DATABASE_URL: url.toString() },
      cleanup: async () => {
        const c = new Client({ connectionString: server });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'amsnet-bench-api-'));
  await chmod(dir, 0o755); // the postgres system user (when running as root) must reach it
  return {
    env: { DATA_DIR: dir, EMBEDDED_PG_PORT: String(await freePort()) },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

async function seed(pool: Pool): Promise<{ clinicId: string; userId: string; cycleIds: string[] }> {
  const [{ id: clinicId }] = (
    await pool.query<{ id: string }>(`INSERT INTO clinic (code, name) VALUES ('bench', 'Bench clinic') RETURNING id`)
  ).rows;
  const [{ id: userId }] = (
    await pool.query<{ id: string }>(`INSERT INTO "user" (email) VALUES ('bench@example.org') RETURNING id`)
  ).rows;
  await pool.query(`INSERT INTO membership (user_id, clinic_id, role) VALUES ($1, $2, 'CLINICIAN')`, [
    userId,
    clinicId,
  ]);
  const [{ id: modelId }] = (
    await pool.query<{ id: string }>(
      `INSERT INTO model_version (name, version, sha256, variant, planes, input_size, contract, trained, onnx, size_bytes)
     VALUES ('amsnet-bench', '1', $1, 'amsnet', '{-15,0,15}', 224, '{}', true, '\\x00', 1) RETURNING id`,
      [randomBytes(32).toString('hex')],
    )
  ).rows;
  await pool.query(`INSERT INTO clinic_model (clinic_id, model_version_id, active) VALUES ($1, $2, true)`, [
    clinicId,
    modelId,
  ]);
  await pool.query(
    `
    WITH patients AS (
      INSERT INTO patient (clinic_id, mrn) SELECT $1, 'MRN-' || g FROM generate_series(1, $2::int) g RETURNING id, mrn),
    cycles AS (
      INSERT INTO cycle (clinic_id, patient_id, external_id, insemination_at, method)
      SELECT $1, id, 'CY-' || mrn, now() - interval '5 days', 'ICSI' FROM patients RETURNING id)
    INSERT INTO embryo (clinic_id, cycle_id, label, external_id)
    SELECT $1, c.id, 'A' || w, c.id || '-W' || w FROM cycles c, generate_series(1, $3::int) w`,
    [clinicId, CYCLES, EMBRYOS_PER_CYCLE],
  );
  await pool.query(
    `
    INSERT INTO prediction (embryo_id, model_version_id, segment, hours_post_insemination, probability, inputs)
    SELECT e.id, $2, s, 6 * (s + 1), random(), jsonb_build_object('imputed', s % 7 = 0, 'frames', '[]'::jsonb)
    FROM embryo e, generate_series(0, $3::int - 1) s WHERE e.clinic_id = $1`,
    [clinicId, modelId, SEGMENTS],
  );
  await pool.query('ANALYZE');
  const cycleIds = (
    await pool.query<{ id: string }>(`SELECT id FROM cycle WHERE clinic_id = $1 ORDER BY id`, [clinicId])
  ).rows.map((r) => r.id);
  return { clinicId, userId, cycleIds };
}

/** Closed-loop load: `connections` workers call `fn` back to back for `seconds`; latency percentiles in ms. */
async function closedLoop(connections: number, seconds: number, fn: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await fn(n++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { ...percentiles(latencies), rps: latencies.length / seconds };
}

function percentiles(latencies: number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

async function main(): Promise<void> {
  const log = createLogger('warn');
  const target = await benchDatabaseUrl();
  const config = loadConfig({ ...target.env, PORT: '0', JWT_SECRET, LOG_LEVEL: 'warn', NODE_ENV: 'production' });
  const db = await openAppDatabase(config, log, { migrate: true, poolSize: 20, applicationName: 'amsnet-bench' });
  const pool = new Pool({ connectionString: db.url, max: 20 });
  // an idle client dropped by the server must not end the process with an unhandled 'error'
  pool.on('error', (error) => log.warn({ err: error }, 'bench pool client failed'));
  try {
    const t0 = performance.now();
    const { clinicId, userId, cycleIds } = await seed(pool);
    process.stdout.write(
      `seeded ${CYCLES} cycles × ${EMBRYOS_PER_CYCLE} embryos × ${SEGMENTS} predictions in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    const http = await startHttpServer({
      config,
      dataSource: db.dataSource,
      log,
      jwtSecret: JWT_SECRET,
      host: '127.0.0.1',
    });
    const token = (await new LocalTokenSigner(JWT_SECRET, 3600).issue(userId)).token;
    try {
      const check = await fetch(`${http.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: CYCLE_VIEW, variables: { id: cycleIds[0] } }),
      }).then((r) => r.json() as Promise<{ data?: { cycle: { embryos: unknown[] } }; errors?: unknown }>);
      if (!check.data || check.data.cycle.embryos.length !== EMBRYOS_PER_CYCLE)
        throw new Error(`cycle view failed: ${JSON.stringify(check.errors)}`);

      const rows: string[] = [];
      for (const connections of CONNECTIONS) {
        const latencies: number[] = [];
        const run = autocannon({
          url: `${http.url}/graphql`,
          method: 'POST',
          connections,
          duration: SECONDS,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          // each request reads another cycle, so no result is served from a warm row cache only
          requests: [
            {
              setupRequest: (req: Record<string, unknown>) => ({
                ...req,
                body: JSON.stringify({
                  query: CYCLE_VIEW,
                  variables: { id: cycleIds[Math.floor(Math.random() * cycleIds.length)] },
                }),
              }),
            },
          ],
        });
        run.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
        const result = await run;
        const graphql = percentiles(latencies);
        if (result.errors || result.non2xx || result.timeouts)
          throw new Error(
            `GraphQL load had errors: ${JSON.stringify({ errors: result.errors, non2xx: result.non2xx, timeouts: result.timeouts })}`,
          );
        rows.push(
          row(
            'GraphQL cycle view (HTTP)',
            connections,
            graphql.p50,
            graphql.p95,
            graphql.p99,
            result.requests.total / SECONDS,
          ),
        );
        const sql = await closedLoop(connections, SECONDS, async (i) => {
          await pool.query(CYCLE_VIEW_SQL, [cycleIds[i % cycleIds.length], [clinicId]]);
        });
        rows.push(row('one SQL query (pg, no HTTP)', connections, sql.p50, sql.p95, sql.p99, sql.rps));
      }
      process.stdout.write(
        `\n${'what'.padEnd(30)} conns     p50 ms    p95 ms    p99 ms      req/s\n${rows.join('\n')}\n`,
      );
      process.stdout.write(
        'Each GraphQL request also authenticates, checks access and writes its READ_CYCLE audit row.\n',
      );
    } finally {
      // autocannon stops without waiting for answers still queued in the server: let them finish
      await new Promise((resolve) => setTimeout(resolve, 5000));
      await http.stop();
    }
  } finally {
    await pool.end();
    await db.close();
    await target.cleanup();
  }
}

function row(what: string, connections: number, p50: number, p95: number, p99: number, rps: number): string {
  const f = (n: number) => n.toFixed(1).padStart(9);
  return `${what.padEnd(30)} ${String(connections).padStart(5)} ${f(p50)} ${f(p95)} ${f(p99)} ${rps.toFixed(0).padStart(10)}`;
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

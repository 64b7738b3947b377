/**
 * GraphQL API benchmark: the lab's cycle view (cycle → patient → embryos ranked by latest
 * probability → 28-point trajectories) through `amsnet`'s HTTP server on loopback, with autocannon
 * (in a process of its own) at 1, 10 and 50 connections, next to
 *  - the equal-work baseline (bench/api-baseline.ts): a plain node:http endpoint in this process
 *    that verifies the same token, loads the memberships, checks the clinic, reads the same fields
 *    with hand-written SQL, writes the same audit row and answers the same JSON (checked equal);
 *  - one bare SQL query returning the same data (pg, no HTTP, no auth, no audit), for reference.
 * Then the targets of issue #18: a 12-embryo cycle at 10 connections (p95 < 50 ms) and a 100-embryo
 * cycle at 1 connection (< 150 ms). Every measurement is repeated `--runs` times, interleaved, and
 * the medians are printed. Seeds its own clinic in a throw-away database (bench/api-seed.ts).
 *
 *   node dist/bench/api.js [--seconds 5] [--connections 1,10,50] [--runs 3] [--pool N]
 *                          [--explain] (EXPLAIN (ANALYZE, BUFFERS) of the view's statements first)
 *                          [--profile DIR]  (CPU profile of the server during the GraphQL loads at
 *                          10 connections, written to DIR and summarised by package and function)
 *   env: DATABASE_URL (a server to create the bench database on; default: embedded PostgreSQL
 *   in a temporary folder), AMSNET_BENCH_SECONDS, AMSNET_BENCH_CONNECTIONS, AMSNET_BENCH_RUNS
 */
import './production-mode';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
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
import { startEqualWorkServer } from './api-baseline';
import { explainCycleView } from './api-explain';
import { loadInChild, type LoadResult } from './api-load';
import { CYCLE_VIEW, CYCLES, EMBRYOS_PER_CYCLE, SEGMENTS, seedCycleViews } from './api-seed';
import { formatSummary, summarise, type CpuProfile } from './cpu-profile-summary';

function arg(name: string, env: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  return process.env[env] ?? fallback;
}
const SECONDS = Number(arg('seconds', 'AMSNET_BENCH_SECONDS', '5'));
const CONNECTIONS = arg('connections', 'AMSNET_BENCH_CONNECTIONS', '1,10,50').split(',').map(Number);
const RUNS = Number(arg('runs', 'AMSNET_BENCH_RUNS', '3'));
const PROFILE_DIR = arg('profile', 'AMSNET_BENCH_PROFILE', '');
const POOL = arg('pool', 'DATABASE_POOL_SIZE', '');
const EXPLAIN = process.argv.includes('--explain');
const JWT_SECRET = randomBytes(32).toString('hex');

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

/** One measured line: what, at how many connections, in which run. */
interface Measurement extends Omit<LoadResult, 'requests'> {
  what: string;
  connections: number;
  run: number;
  /**
   * CPU time of this process (the server; the load generator runs in its own) per request, in ms.
   * Unlike throughput it hardly moves when other work shares the cores; PostgreSQL's is not counted.
   */
  cpuMs: number;
}

const GRAPHQL = 'GraphQL cycle view (HTTP)';
const BASELINE = 'equal-work baseline (HTTP)';
const BARE = 'one SQL query (pg, no HTTP)';
const TWELVE = '12-embryo cycle: GraphQL';
const TWELVE_BASE = '12-embryo cycle: baseline';
const HUNDRED = '100-embryo cycle: GraphQL';
const HUNDRED_BASE = '100-embryo cycle: baseline';

async function main(): Promise<void> {
  const log = createLogger('warn');
  const target = await benchDatabaseUrl();
  const env = { ...target.env, PORT: '0', JWT_SECRET, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
  const config = loadConfig(POOL ? { ...env, DATABASE_POOL_SIZE: POOL } : env);
  const db = await openAppDatabase(config, log, { migrate: true, applicationName: 'amsnet-bench' });
  const pool = new Pool({ connectionString: db.url, max: config.databasePoolSize });
  // an idle client dropped by the server must not end the process with an unhandled 'error'
  pool.on('error', (error) => log.warn({ err: error }, 'bench pool client failed'));
  try {
    const t0 = performance.now();
    const { clinicId, userId, cycleIds, twelveIds, hundredIds } = await seedCycleViews(pool);
    process.stdout.write(
      `seeded ${CYCLES} cycles × ${EMBRYOS_PER_CYCLE} embryos, 20 × 12 and 3 × 100, × ${SEGMENTS} predictions in ${((performance.now() - t0) / 1000).toFixed(1)} s; pool ${config.databasePoolSize} connections (app and baseline each)\n`,
    );
    if (EXPLAIN)
      for (const [what, cycleId] of [
        ['10-embryo cycle', cycleIds[0]],
        ['100-embryo cycle', hundredIds[0]],
      ])
        process.stdout.write(
          `EXPLAIN (ANALYZE, BUFFERS), ${what}:\n${await explainCycleView(pool, { userId, clinicId, cycleId })}\n`,
        );
    const http = await startHttpServer({
      config,
      dataSource: db.dataSource,
      log,
      jwtSecret: JWT_SECRET,
      host: '127.0.0.1',
    });
    const tokens = new LocalTokenSigner(JWT_SECRET, 3600);
    const baseline = await startEqualWorkServer(pool, tokens);
    const token = (await tokens.issue(userId)).token;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const bodies = (ids: string[]) => ids.map((id) => JSON.stringify({ query: CYCLE_VIEW, variables: { id } }));
    try {
      // the baseline must answer exactly what GraphQL answers, or it does not do the same work
      for (const [id, size] of [
        [cycleIds[0], EMBRYOS_PER_CYCLE],
        [hundredIds[0], 100],
      ] as const) {
        const [viaGraphql, viaBaseline] = await Promise.all(
          [`${http.url}/graphql`, baseline.url].map((url) =>
            fetch(url, { method: 'POST', headers, body: bodies([id])[0] }).then(async (r) =>
              (await r.text()).trimEnd(),
            ),
          ),
        );
        const parsed = JSON.parse(viaGraphql) as { data?: { cycle: { ranking: { entries: unknown[] } } } };
        if (parsed.data?.cycle.ranking.entries.length !== size)
          throw new Error(`cycle view failed: ${viaGraphql.slice(0, 500)}`);
        if (viaGraphql !== viaBaseline) {
          const at = [...viaGraphql].findIndex((ch, i) => ch !== viaBaseline[i]);
          throw new Error(
            `the baseline answers differently at ${at}:\n…${viaGraphql.slice(Math.max(0, at - 200), at + 200)}\n…${viaBaseline.slice(Math.max(0, at - 200), at + 200)}`,
          );
        }
      }

      const results: Measurement[] = [];
      const measure = async (what: string, connections: number, run: number, url: string, ids: string[]) => {
        const cpu = process.cpuUsage();
        const { requests, ...load } = await loadInChild({
          url,
          connections,
          seconds: SECONDS,
          headers,
          bodies: bodies(ids),
        });
        const used = process.cpuUsage(cpu);
        results.push({ what, connections, run, ...load, cpuMs: (used.user + used.system) / 1000 / requests });
      };
      // warm-up, not recorded: the first seconds of a fresh process measure the JIT compiler
      for (const url of [`${http.url}/graphql`, baseline.url])
        await loadInChild({ url, connections: 10, seconds: Math.min(3, SECONDS), headers, bodies: bodies(cycleIds) });
      const profiler = PROFILE_DIR ? new Session() : undefined;
      for (let run = 1; run <= RUNS; run++) {
        for (const connections of CONNECTIONS) {
          // GraphQL and the baseline alternate which goes first, so neither profits from a warmer cache
          const pair: Array<() => Promise<void>> = [
            async () => {
              const profiling = profiler && run === 1 && connections === 10;
              if (profiling) await startProfile(profiler);
              await measure(GRAPHQL, connections, run, `${http.url}/graphql`, cycleIds);
              if (profiling) await stopProfile(profiler, results.at(-1)!);
            },
            () => measure(BASELINE, connections, run, baseline.url, cycleIds),
          ];
          if (run % 2 === 0) pair.reverse();
          for (const step of pair) await step();
          const cpu = process.cpuUsage();
          const sql = await closedLoop(connections, SECONDS, async (i) => {
            await pool.query(CYCLE_VIEW_SQL, [cycleIds[i % cycleIds.length], [clinicId]]);
          });
          const used = process.cpuUsage(cpu);
          results.push({
            what: BARE,
            connections,
            run,
            ...sql,
            cpuMs: (used.user + used.system) / 1000 / (sql.rps * SECONDS),
          });
        }
        await measure(TWELVE, 10, run, `${http.url}/graphql`, twelveIds);
        await measure(TWELVE_BASE, 10, run, baseline.url, twelveIds);
        if (profiler && run === 1) await startProfile(profiler);
        await measure(HUNDRED, 1, run, `${http.url}/graphql`, hundredIds);
        if (profiler && run === 1) await stopProfile(profiler, results.at(-1)!);
        await measure(HUNDRED_BASE, 1, run, baseline.url, hundredIds);
        process.stdout.write(
          `run ${run}/${RUNS} done (load ${loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')})\n`,
        );
      }
      if (RUNS > 0) report(results);
    } finally {
      // autocannon stops without waiting for answers still queued in the server: let them finish
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await baseline.stop();
      await http.stop();
    }
  } finally {
    await pool.end();
    await db.close();
    await target.cleanup();
  }
}

async function startProfile(session: Session): Promise<void> {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
}

async function stopProfile(session: Session, measured: Measurement): Promise<void> {
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  session.disconnect();
  await mkdir(PROFILE_DIR, { recursive: true });
  const file = join(PROFILE_DIR, `api-${measured.what.replace(/\W+/g, '-')}-c${measured.connections}.cpuprofile`);
  await writeFile(file, JSON.stringify(profile));
  const requests = Math.round(measured.rps * SECONDS);
  process.stdout.write(
    `\nCPU profile of the server, ${measured.what} at ${measured.connections} connections (${file}):\n`,
  );
  process.stdout.write(`${formatSummary(summarise(profile), 25, requests)}\n\n`);
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function report(results: Measurement[]): void {
  const keys = [...new Map(results.map((r) => [`${r.what}@${r.connections}`, r])).values()];
  const medianOf = (what: string, connections: number) => {
    const runs = results.filter((r) => r.what === what && r.connections === connections);
    return {
      p50: median(runs.map((r) => r.p50)),
      p95: median(runs.map((r) => r.p95)),
      p99: median(runs.map((r) => r.p99)),
      rps: median(runs.map((r) => r.rps)),
      cpuMs: median(runs.map((r) => r.cpuMs)),
      all: runs.map((r) => r.rps.toFixed(0)).join('/'),
    };
  };
  const lines = keys.map((k) => {
    const m = medianOf(k.what, k.connections);
    return `${row(k.what, k.connections, m.p50, m.p95, m.p99, m.rps)} ${m.cpuMs.toFixed(2).padStart(9)}   ${m.all}`;
  });
  process.stdout.write(
    `\nmedians of ${RUNS} runs of ${SECONDS} s (load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )})\n${'what'.padEnd(30)} conns     p50 ms    p95 ms    p99 ms      req/s  CPU ms/req  req/s per run\n${lines.join('\n')}\n`,
  );
  process.stdout.write('\nGraphQL / equal-work baseline throughput (median of the per-run ratios):\n');
  for (const connections of CONNECTIONS) {
    const ratios = [...new Set(results.map((r) => r.run))].map((run) => {
      const at = (what: string) =>
        results.find((r) => r.what === what && r.connections === connections && r.run === run)!;
      return at(GRAPHQL).rps / at(BASELINE).rps;
    });
    const ratio = median(ratios);
    const verdict = connections === 1 ? '' : ratio >= 0.5 ? '   target ≥ 50 %: met' : '   target ≥ 50 %: NOT met';
    process.stdout.write(
      `  ${String(connections).padStart(3)} connections: ${(100 * ratio).toFixed(0)} % (runs: ${ratios.map((r) => (100 * r).toFixed(0)).join('/')})${verdict}\n`,
    );
  }
  process.stdout.write('\nServer CPU per request, GraphQL / equal-work baseline (median of the per-run ratios):\n');
  for (const connections of CONNECTIONS) {
    const ratios = [...new Set(results.map((r) => r.run))].map((run) => {
      const at = (what: string) =>
        results.find((r) => r.what === what && r.connections === connections && r.run === run)!;
      return at(GRAPHQL).cpuMs / at(BASELINE).cpuMs;
    });
    process.stdout.write(
      `  ${String(connections).padStart(3)} connections: ${median(ratios).toFixed(2)}× (runs: ${ratios.map((r) => r.toFixed(2)).join('/')}); the CPU-bound throughput ratio is its inverse, ${(100 / median(ratios)).toFixed(0)} %\n`,
    );
  }
  const twelve = medianOf(TWELVE, 10);
  const hundred = medianOf(HUNDRED, 1);
  process.stdout.write(
    `\ntargets:\n  12-embryo cycle, 10 connections: p95 ${twelve.p95.toFixed(1)} ms (target < 50 ms: ${twelve.p95 < 50 ? 'met' : 'NOT met'})\n` +
      `  100-embryo cycle, 1 connection: p50 ${hundred.p50.toFixed(1)} ms, p95 ${hundred.p95.toFixed(1)} ms (target < 150 ms: ${hundred.p95 < 150 ? 'met' : 'NOT met'})\n`,
  );
  process.stdout.write(
    'Both HTTP endpoints authenticate, load the memberships, check access and write a READ_CYCLE audit row per request.\n',
  );
}

function row(what: string, connections: number, p50: number, p95: number, p99: number, rps: number): string {
  const f = (n: number) => n.toFixed(1).padStart(9);
  return `${what.padEnd(30)} ${String(connections).padStart(5)} ${f(p50)} ${f(p95)} ${f(p99)} ${rps.toFixed(0).padStart(10)}`;
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

/**
 * Memory of an API process under load: this process serves the lab's cycle view (the bench:api
 * query) while a separate process (autocannon) drives it at N connections; resident set, V8 heap
 * and off-heap sizes are sampled during the load, after it, and after full garbage collections.
 * Tells a leak (heap used stays up after GC) from memory the runtime keeps for reuse (heap used
 * drops, resident stays: V8's reserved heap and malloc arenas are not handed back to the OS).
 *
 *   node --expose-gc dist/bench/api-memory.js [--seconds 60] [--connections 50] [--snapshot file]
 *   env: DATABASE_URL (default: embedded PostgreSQL in a temporary folder)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { Pool } from 'pg';
import { LocalTokenSigner } from '../src/auth/local-tokens';
import { openAppDatabase } from '../src/app/database';
import { startHttpServer } from '../src/app/http-server';
import { loadConfig } from '../src/platform/config';
import { createLogger } from '../src/platform/logger';
import { freePort } from '../src/platform/net/free-port';
import { CYCLE_VIEW, seedCycleViews } from './api-seed';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const SECONDS = Number(arg('seconds', '60'));
const CONNECTIONS = Number(arg('connections', '50'));
const SNAPSHOT = arg('snapshot', '');
const MB = 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;

function sample(label: string): string {
  const m = process.memoryUsage();
  const f = (n: number) => (n / MB).toFixed(0).padStart(6);
  return `${label.padEnd(28)} rss ${f(m.rss)}  heapTotal ${f(m.heapTotal)}  heapUsed ${f(m.heapUsed)}  external ${f(m.external)}  arrayBuffers ${f(m.arrayBuffers)}  (MB)`;
}

/** autocannon in its own process, so its memory is not counted as the server's. */
function load(url: string, token: string, cycleIds: string[]): Promise<number> {
  const script = `
    const autocannon = require('autocannon');
    const { url, token, ids, connections, duration, query } = JSON.parse(process.env.LOAD);
    autocannon({ url, method: 'POST', connections, duration,
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ query, variables: { id: ids[Math.floor(Math.random() * ids.length)] } }) }) }],
    }).then((r) => { process.stdout.write(JSON.stringify({ total: r.requests.total, errors: r.errors, non2xx: r.non2xx })); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], {
      cwd: join(__dirname, '..', '..'),
      env: {
        ...process.env,
        LOAD: JSON.stringify({
          url,
          token,
          ids: cycleIds,
          connections: CONNECTIONS,
          duration: SECONDS,
          query: CYCLE_VIEW,
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      const result = JSON.parse(out || '{}') as { total?: number; errors?: number; non2xx?: number };
      if (result.errors || result.non2xx) reject(new Error(`load had errors: ${out}`));
      else resolve(result.total ?? 0);
    });
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc');
  const log = createLogger('warn');
  const dir = await mkdtemp(join(tmpdir(), 'amsnet-bench-mem-'));
  await chmod(dir, 0o755);
  const jwtSecret = randomBytes(32).toString('hex');
  const env = process.env.DATABASE_URL ? {} : { DATA_DIR: dir, EMBEDDED_PG_PORT: String(await freePort()) };
  const config = loadConfig({ ...process.env, ...env, PORT: '0', JWT_SECRET: jwtSecret, LOG_LEVEL: 'warn' });
  const db = await openAppDatabase(config, log, { migrate: true, applicationName: 'amsnet-bench-memory' });
  const pool = new Pool({ connectionString: db.url, max: 2 });
  try {
    const { userId, cycleIds } = await seedCycleViews(pool);
    await pool.end();
    const http = await startHttpServer({ config, dataSource: db.dataSource, log, jwtSecret, host: '127.0.0.1' });
    const token = (await new LocalTokenSigner(jwtSecret, 3600).issue(userId)).token;
    try {
      gc();
      const lines = [sample('started, after GC')];
      const timer = setInterval(() => lines.push(sample(`under load`)), (SECONDS * 1000) / 4);
      const total = await load(`${http.url}/graphql`, token, cycleIds);
      clearInterval(timer);
      lines.push(sample(`load over (${total} requests)`));
      await pause(5000);
      gc();
      gc();
      lines.push(sample('after full GC'));
      await pause(10_000);
      gc();
      lines.push(sample('10 s idle, GC'));
      process.stdout.write(`${CONNECTIONS} connections for ${SECONDS} s\n${lines.join('\n')}\n`);
      if (SNAPSHOT) process.stdout.write(`heap snapshot: ${writeHeapSnapshot(SNAPSHOT)}\n`);
    } finally {
      await http.stop();
    }
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench:api-memory: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

/**
 * The load generator of bench/api.ts in a process of its own, so the server under test keeps its
 * event loop to itself (as behind a real network) and its CPU profile shows the server only.
 * `loadInChild` forks this file; the child runs autocannon and sends back latency percentiles.
 */
import { fork } from 'node:child_process';

export interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  /** Request bodies; each request takes one at random (each reads another cycle). */
  bodies: string[];
}

export interface LoadResult {
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  requests: number;
}

/** Runs `spec` in a child process; rejects when any request failed, timed out or was not 2xx. */
export function loadInChild(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answer: { result?: LoadResult; error?: string } = {};
    child.on('message', (m) => (answer = m as typeof answer));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (answer.result) resolve(answer.result);
      else reject(new Error(answer.error ?? `load generator exited with ${code}`));
    });
    child.send(spec);
  });
}

interface AutocannonResult {
  requests: { total: number };
  errors: number;
  non2xx: number;
  timeouts: number;
}
type AutocannonRun = PromiseLike<AutocannonResult> & {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
};

async function child(spec: LoadSpec): Promise<LoadResult> {
  // autocannon ships no types
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as (opts: Record<string, unknown>) => AutocannonRun;
  const latencies: number[] = [];
  const run = autocannon({
    url: spec.url,
    method: 'POST',
    connections: spec.connections,
    duration: spec.seconds,
    headers: spec.headers,
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => ({
          ...req,
          body: spec.bodies[Math.floor(Math.random() * spec.bodies.length)],
        }),
      },
    ],
  });
  run.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await run;
  if (result.errors || result.non2xx || result.timeouts)
    throw new Error(
      `load had errors: ${JSON.stringify({ errors: result.errors, non2xx: result.non2xx, timeouts: result.timeouts })}`,
    );
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    rps: result.requests.total / spec.seconds,
    requests: result.requests.total,
  };
}

if (process.argv.includes('--child')) {
  process.once('message', (spec) => {
    child(spec as LoadSpec).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (error: unknown) => process.send!({ error: String(error) }, () => process.exit(1)),
    );
  });
}

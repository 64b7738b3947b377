import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { buildAmsnetModel } from '../../src/inference/amsnet/build-model';
import type { Clinic } from '../../src/entities';
import { childEnv, startCli } from '../helpers/cli';
import { newClinic, newCycle, newEmbryo } from '../helpers/factories';
import { registerActiveModel } from '../helpers/model-factories';
import { addFrames, everyTwoHours } from '../helpers/scoring-factories';

export const PLANES = [-15, 0, 15];
/** Big enough input that a batch of embryos takes seconds on a CPU: a worker can be killed in the middle of one. */
const SLOW_INPUT = 96;
let slowModel: Promise<Uint8Array> | undefined;

/** A clinic with a slow-ish AMSNet active and `count` embryos with frames up to `untilHpi`. */
export async function slowClinic(
  ds: DataSource,
  count: number,
  untilHpi = 62,
): Promise<{ clinic: Clinic; modelId: string }> {
  slowModel ??= buildAmsnetModel({
    variant: 'amsnet',
    planes: PLANES,
    width: 16,
    blocks: [1, 1, 1, 1],
    inputSize: SLOW_INPUT,
    seed: 11,
  }).then((m) => m.onnx);
  const clinic = await newClinic(ds);
  const modelId = await registerActiveModel(ds, clinic, await slowModel, { planes: PLANES, inputSize: SLOW_INPUT });
  const cycle = await newCycle(ds, clinic);
  for (let i = 1; i <= count; i++) {
    const embryo = await newEmbryo(ds, cycle, { label: `E${i}` });
    await addFrames(ds, embryo, everyTwoHours(untilHpi, 1 + (i % 2) * 0.5), PLANES);
  }
  return { clinic, modelId };
}

export interface Spawned {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Short leases and sweeps, so a test waits seconds; everything else as in production.
 * AMSNET_FAULT_DEFAULT_RECOVERY=1 keeps the production lease and sweep interval (to measure them).
 */
export const FAST_RECOVERY = {
  ...(process.env.AMSNET_FAULT_DEFAULT_RECOVERY ? {} : { WORKER_LEASE_SECONDS: '3', SWEEP_INTERVAL_SECONDS: '1' }),
  WORKER_DRAIN_SECONDS: '20',
  INFERENCE_MAX_BATCH: '2',
  LOG_LEVEL: 'info',
};

const spawned: Spawned[] = [];

/** `amsnet ARGS` as a real process on `databaseUrl`; killed by killAll() if still running. */
export function spawnAmsnet(name: string, args: string[], env: Record<string, string | undefined>): Spawned {
  const started = startCli(args, childEnv({ ...FAST_RECOVERY, ...env }));
  const s = { name, ...started };
  spawned.push(s);
  return s;
}

export async function killAll(): Promise<void> {
  for (const s of spawned.splice(0)) {
    if (process.env.AMSNET_FAULT_LOGS)
      writeFileSync(join(process.env.AMSNET_FAULT_LOGS, `${s.name}-${s.child.pid}.log`), s.output());
    if (s.child.exitCode === null && s.child.signalCode === null) {
      s.child.kill('SIGKILL');
      await s.exited;
    }
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function waitForOutput(s: Spawned, pattern: RegExp, timeoutMs = 60_000): Promise<true> {
  return waitFor(
    `${s.name} to print ${pattern}`,
    async () => {
      if (s.child.exitCode !== null) throw new Error(`${s.name} exited early:\n${s.output().slice(-3000)}`);
      return pattern.test(s.output());
    },
    timeoutMs,
  );
}

/** Predictions of the run: rows, duplicates per (embryo, model, segment), and per-embryo segment lists. */
export async function trajectoryCheck(ds: DataSource, clinicId: string, modelId: string) {
  const [{ duplicates }] = await ds.query(
    `SELECT count(*)::int AS duplicates FROM (
       SELECT 1 FROM prediction p JOIN embryo e ON e.id = p.embryo_id
        WHERE e.clinic_id = $1 AND p.model_version_id = $2
        GROUP BY p.embryo_id, p.segment HAVING count(*) > 1) d`,
    [clinicId, modelId],
  );
  const rows: Array<{ label: string; segments: number[] }> = await ds.query(
    `SELECT e.label, coalesce(array_agg(p.segment ORDER BY p.segment) FILTER (WHERE p.segment IS NOT NULL), '{}') AS segments
       FROM embryo e LEFT JOIN prediction p ON p.embryo_id = e.id AND p.model_version_id = $2
      WHERE e.clinic_id = $1 GROUP BY e.label ORDER BY e.label`,
    [clinicId, modelId],
  );
  // a partial trajectory: segments missing before the last one written (a prefix is the only valid shape)
  const partial = rows.filter((r) => r.segments.some((s, i) => s !== i)).map((r) => r.label);
  return { duplicates, partial, segments: Object.fromEntries(rows.map((r) => [r.label, r.segments.length])) };
}

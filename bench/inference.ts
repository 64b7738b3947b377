/**
 * AMSNet inference benchmark: full-size amsnet, F=7, S=224, T=28 — a whole trajectory (chunks of
 * segments with carried state, chunk size and session settings as tuned for this host) against 28
 * streaming steps, and against the GFLOP/s of a large MatMul through ONNX Runtime on the same
 * machine in the same run. Figures are medians; every one carries the load average it was
 * measured under. Throughput counts the FLOPs the graph executes (amsnet/flops.ts).
 *
 *   node dist/bench/inference.js [--providers cpu] [--runs 3] [--steps 5] [--batch 1]
 *                                [--chunk auto|N] [--retune] [--profile] [--width 64 --blocks 3,4,6,3 --input-size 224]
 *   --chunk auto: this host's tuning from DATA_DIR/inference-tuning.json, measured now if absent (or --retune)
 *   --profile: ONNX Runtime's profiler over one whole trajectory: time by operator and slowest nodes
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { buildAmsnetModel } from '../src/inference/amsnet/build-model';
import { syntheticFrames } from '../src/inference/amsnet/calibrate-batch-norm';
import { executedGflopsPerStep, nominalGflopsPerStep } from '../src/inference/amsnet/flops';
import { hostFingerprint } from '../src/inference/host-fingerprint';
import { GraphBuilder } from '../src/inference/onnx/graph-builder';
import { AmsnetPredictor } from '../src/inference/predictor';
import { formatProfile, readProfile, summariseProfile } from '../src/inference/profile-summary';
import { type RunTuning, tuneRun } from '../src/inference/run-tuning';
import { type SessionTuning, defaultSessionTuning, sessionOptions } from '../src/inference/session-factory';
import { lookupTuning, saveTuning, tuningFilePath } from '../src/inference/tuning-cache';
import { loadConfig } from '../src/platform/config';
import { loadLine, loadTag, median } from './load';

function arg(name: string, env: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  return process.env[env] ?? fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const providers = arg('providers', 'AMSNET_BENCH_PROVIDERS', 'cpu').split(',');
const runs = Number(arg('runs', 'AMSNET_BENCH_RUNS', '3'));
const steps = Number(arg('steps', 'AMSNET_BENCH_STEPS', '5'));
const batch = Number(arg('batch', 'AMSNET_BENCH_BATCH', '1'));
const chunkArg = arg('chunk', 'AMSNET_BENCH_CHUNK', 'auto');
const width = Number(arg('width', 'AMSNET_BENCH_WIDTH', '64'));
const blocks = arg('blocks', 'AMSNET_BENCH_BLOCKS', '3,4,6,3').split(',').map(Number) as [
  number,
  number,
  number,
  number,
];
const inputSize = Number(arg('input-size', 'AMSNET_BENCH_INPUT_SIZE', '224'));
const T = 28;
const PLANES = [-45, -30, -15, 0, 15, 30, 45];

const rssGiB = () => process.resourceUsage().maxRSS / 1024 / 1024;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** GFLOP/s samples of an n×n·n×n MatMul: the machine's practical GEMM peak through ONNX Runtime. */
async function matmulGflops(tuning: SessionTuning, n = 2048, repeats = 5): Promise<number[]> {
  const g = new GraphBuilder();
  const a = g.input('a', [n, n]);
  const b = g.input('b', [n, n]);
  g.output('c', g.op('MatMul', [a, b]), [n, n]);
  const session = await ort.InferenceSession.create(g.encode(), sessionOptions(providers, tuning));
  const data = new Float32Array(n * n).fill(0.5);
  const feeds = { a: new ort.Tensor('float32', data, [n, n]), b: new ort.Tensor('float32', data, [n, n]) };
  await session.run(feeds);
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    out.push((2 * n ** 3) / ((performance.now() - t0) / 1000) / 1e9);
  }
  await session.release();
  return out;
}

async function main(): Promise<void> {
  const host = hostFingerprint();
  console.log(
    `${host.cpuModel} (${host.cpuFlags.join(' ') || 'no SIMD flags read'}), ${host.physicalCores} physical cores / ${host.logicalCpus} logical, ONNX Runtime ${host.ortVersion}`,
  );
  console.log(
    `${loadLine()}; providers ${providers.join(',')}, batch ${batch}, T ${T}, runs ${runs} (medians), steps ${steps}`,
  );
  let t0 = performance.now();
  const model = await buildAmsnetModel({ variant: 'amsnet', planes: PLANES, width, blocks, inputSize, seed: 1 });
  const buildMs = performance.now() - t0;
  const executed = executedGflopsPerStep(model.config);
  const nominal = nominalGflopsPerStep(model.config);

  // This host's tuning: cached per CPU, threads, ONNX Runtime build and model, else measured now.
  let tuning: RunTuning = { session: defaultSessionTuning(), embryoSegmentsPerRun: 8 };
  let tuningNote = 'fixed (--chunk), default session settings';
  if (chunkArg === 'auto') {
    const path = tuningFilePath(loadConfig(process.env).dataDir);
    let entry = flag('retune') ? undefined : lookupTuning(path, model.sha256, providers[0]);
    if (entry) tuningNote = `cached ${entry.measuredAt} in ${path}`;
    else {
      console.log('tuning this host (medians of 3 after a warm-up, ms per embryo-segment):');
      t0 = performance.now();
      entry = await tuneRun(model.onnx, {
        executionProviders: providers,
        onTrial: (t) =>
          console.log(
            `  ${t.what.padEnd(34)} ${t.msPerSegment.toFixed(0).padStart(6)} ms  [load ${t.loadAverage.toFixed(1)}]`,
          ),
      });
      saveTuning(path, entry);
      tuningNote = `measured now in ${s(performance.now() - t0)}${entry.underLoad ? ' UNDER LOAD' : ''}, saved to ${path}`;
    }
    tuning = entry.tuning;
  } else tuning.embryoSegmentsPerRun = Number(chunkArg);
  const st = tuning.session;
  console.log(
    `run settings: ${tuning.embryoSegmentsPerRun} embryo-segments per run, ${st.intraOpThreads} threads, spinning ${st.spinning ? 'on' : 'off'}, denormals as zero ${st.denormalAsZero ? 'on' : 'off'}, arena ${st.memArena ? 'on' : 'off'} (${tuningNote})`,
  );

  const peakBefore = await matmulGflops(st);
  const peakLoadBefore = loadTag(st.intraOpThreads);
  t0 = performance.now();
  const predictor = await AmsnetPredictor.load(model.onnx, {
    executionProviders: providers,
    maxBatch: batch,
    maxEmbryoSegmentsPerRun: tuning.embryoSegmentsPerRun,
    sessionTuning: st,
  });
  const loadMs = performance.now() - t0;
  const S = inputSize;
  const frames = syntheticFrames(model.config, batch, T, 3);
  const segment = (t: number) => {
    const one = new Float32Array(batch * 7 * S * S);
    for (let b = 0; b < batch; b++)
      one.set(frames.subarray((b * T + t) * 7 * S * S, (b * T + t + 1) * 7 * S * S), b * 7 * S * S);
    return one;
  };

  await predictor.predict(frames, batch, T); // warm-up: arena growth, kernel selection
  let state = (await predictor.step(segment(0), batch, null)).state;
  // Whole trajectories and streaming steps alternate, so neither profits from a quieter moment.
  const times: number[] = [];
  const stepTimes: number[] = [];
  let cpuInTrajectories = 0;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    t0 = performance.now();
    await predictor.predict(frames, batch, T);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuInTrajectories += c.user + c.system;
    for (let k = 0; k < steps; k++) {
      const next = segment(1 + ((i * steps + k) % (T - 1)));
      t0 = performance.now();
      state = (await predictor.step(next, batch, state)).state;
      stepTimes.push(performance.now() - t0);
    }
  }
  const modelLoad = loadTag(st.intraOpThreads);
  await predictor.close();
  const peakAfter = await matmulGflops(st);
  const peakSamples = [...peakBefore, ...peakAfter];
  const peak = median(peakSamples);

  const seqMs = median(times);
  const stepMs = median(stepTimes);
  const streamingMs = stepMs * T;
  const achieved = (executed * T * batch) / (seqMs / 1000);
  const cpuPerTrajectoryS = cpuInTrajectories / 1e6 / runs / batch;
  const rows: [string, string][] = [
    ['device / provider', predictor.executionProvider],
    ['model build (random, BN calibration)', s(buildMs)],
    ['model load (session)', s(loadMs)],
    ['GFLOP per time step (executed / nominal)', `${executed.toFixed(2)} / ${nominal.toFixed(2)}`],
    [
      'whole trajectory (T=28), median',
      `${s(seqMs / batch)} per trajectory (${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s)  ${modelLoad}`,
    ],
    [
      '28 streaming steps (median step × 28)',
      `${s(streamingMs)} (step ${stepMs.toFixed(0)} ms, ${stepTimes.length} steps)  → whole trajectory ${seqMs <= streamingMs ? 'faster' : 'SLOWER'} by ${((100 * Math.abs(streamingMs - seqMs)) / streamingMs).toFixed(1)} %  ${modelLoad}`,
    ],
    ['ms per time step (whole trajectory)', (seqMs / T / batch).toFixed(0)],
    [
      'CPU time per trajectory (all threads)',
      `${cpuPerTrajectoryS.toFixed(2)} s; wall × threads − CPU = time the threads waited (other processes, sync)`,
    ],
    ['achieved GFLOP/s (executed FLOPs)', `${achieved.toFixed(1)}  ${modelLoad}`],
    [
      'MatMul 2048² GFLOP/s, median (before | after)',
      `${peak.toFixed(1)} (${peakBefore.map((x) => x.toFixed(0)).join(' ')} ${peakLoadBefore} | ${peakAfter.map((x) => x.toFixed(0)).join(' ')} ${loadTag(st.intraOpThreads)})`,
    ],
    ['whole trajectory / MatMul peak', `${((achieved / peak) * 100).toFixed(0)} %`],
    ['peak RSS', `${rssGiB().toFixed(2)} GiB`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n'));

  if (flag('profile')) {
    const dir = mkdtempSync(join(tmpdir(), 'amsnet-profile-'));
    try {
      const profiled = await AmsnetPredictor.load(model.onnx, {
        executionProviders: providers,
        maxBatch: batch,
        maxEmbryoSegmentsPerRun: tuning.embryoSegmentsPerRun,
        sessionTuning: st,
        profilePrefix: join(dir, 'amsnet'),
      });
      await profiled.predict(frames, batch, T); // warm-up, left out of the summary
      const perTrajectoryRuns = Math.ceil(T / Math.max(1, Math.floor(tuning.embryoSegmentsPerRun / batch)));
      await profiled.predict(frames, batch, T);
      const stepRuns = 3;
      for (let k = 0; k < stepRuns; k++) await profiled.step(segment(0), batch, null);
      profiled.endProfiling();
      await profiled.close();
      const events = readProfile(
        join(
          dir,
          readdirSync(dir).find((f) => f.endsWith('.json'))!,
        ),
      );
      const runEvents = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
      // the whole trajectory's runs come before the single steps
      const trajectoryEvents = events.filter((e) => e.ts < runEvents[runEvents.length - stepRuns].ts);
      console.log(`\nprofile, one whole trajectory (${perTrajectoryRuns} session runs) ${loadTag(st.intraOpThreads)}:`);
      for (const line of formatProfile(summariseProfile(trajectoryEvents, perTrajectoryRuns))) console.log(line);
      console.log(`\nprofile, ${stepRuns} streaming steps (summed) ${loadTag(st.intraOpThreads)}:`);
      for (const line of formatProfile(summariseProfile(events, stepRuns))) console.log(line);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * AMSNet inference benchmark: full-size amsnet, F=7, S=224, T=28, whole trajectory and one
 * streaming step, against the peak GFLOP/s of a large MatMul through ONNX Runtime on the same
 * machine in the same run.
 *
 *   node dist/bench/inference.js [--providers cuda,cpu] [--runs 2] [--steps 3] [--batch 1] [--chunk 8]
 *   env: AMSNET_BENCH_PROVIDERS, AMSNET_BENCH_RUNS, AMSNET_BENCH_STEPS, AMSNET_BENCH_BATCH, AMSNET_BENCH_CHUNK
 * (--chunk: embryo-segments per session run, the predictor's maxEmbryoSegmentsPerRun)
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { buildAmsnetModel } from '../src/inference/amsnet/build-model';
import { syntheticFrames } from '../src/inference/amsnet/calibrate-batch-norm';
import { nominalGflopsPerStep } from '../src/inference/amsnet/flops';
import { GraphBuilder } from '../src/inference/onnx/graph-builder';
import { inspectModel } from '../src/inference/inspect-model';
import { AmsnetPredictor } from '../src/inference/predictor';
import { sessionOptions } from '../src/inference/session-factory';

function arg(name: string, env: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  return process.env[env] ?? fallback;
}

const providers = arg('providers', 'AMSNET_BENCH_PROVIDERS', 'cpu').split(',');
const runs = Number(arg('runs', 'AMSNET_BENCH_RUNS', '2'));
const steps = Number(arg('steps', 'AMSNET_BENCH_STEPS', '3'));
const batch = Number(arg('batch', 'AMSNET_BENCH_BATCH', '1'));
const chunk = Number(arg('chunk', 'AMSNET_BENCH_CHUNK', '8'));
const T = 28;
const PLANES = [-45, -30, -15, 0, 15, 30, 45];

const rssGiB = () => process.resourceUsage().maxRSS / 1024 / 1024;

/**
 * Best-of-n GFLOP/s of an n×n·n×n MatMul: the machine's practical peak for ONNX Runtime. On a
 * shared machine one sample can land in someone else's burst, so it is taken before and after
 * the model runs and the better one is kept.
 */
async function peakGflops(n = 2048, repeats = 8): Promise<number> {
  const g = new GraphBuilder();
  const a = g.input('a', [n, n]);
  const b = g.input('b', [n, n]);
  g.output('c', g.op('MatMul', [a, b]), [n, n]);
  const session = await ort.InferenceSession.create(g.encode(), sessionOptions(providers));
  const data = new Float32Array(n * n).fill(0.5);
  const feeds = { a: new ort.Tensor('float32', data, [n, n]), b: new ort.Tensor('float32', data, [n, n]) };
  await session.run(feeds);
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    best = Math.min(best, performance.now() - t0);
  }
  await session.release();
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

async function main(): Promise<void> {
  console.log(
    `cores ${availableParallelism()}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}, providers ${providers.join(',')}, batch ${batch}, T ${T}, embryo-segments per run ${chunk}, runs ${runs}, steps ${steps}`,
  );
  const peakBefore = await peakGflops();

  let t0 = performance.now();
  const model = await buildAmsnetModel({ variant: 'amsnet', planes: PLANES, seed: 1 });
  const buildMs = performance.now() - t0;
  const info = await inspectModel(model.onnx);
  const executedGflopsPerStep = info.gflopsPerStep ?? NaN;
  // Throughput is quoted against the network's nominal FLOPs (what the PyTorch reference counts),
  // not the fewer FLOPs this graph executes, so the figures compare like with like.
  const gflopsPerStep = nominalGflopsPerStep(model.config);

  t0 = performance.now();
  const predictor = await AmsnetPredictor.load(model.onnx, {
    executionProviders: providers,
    maxBatch: batch,
    maxEmbryoSegmentsPerRun: chunk,
  });
  const loadMs = performance.now() - t0;
  const S = 224;
  const frames = syntheticFrames(model.config, batch, T, 3);

  await predictor.predict(frames, batch, T); // warm-up: arena growth, kernel selection
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    await predictor.predict(frames, batch, T);
    times.push(performance.now() - t0);
  }
  const seqMs = Math.min(...times);
  const cpu = process.cpuUsage(cpu0);
  const cpuPerRunS = (cpu.user + cpu.system) / 1e6 / runs;

  // Streaming: one new segment for `batch` embryos, state carried from the previous step.
  const segment = frames.subarray(0, batch * 7 * S * S);
  let state = (await predictor.step(segment, batch, null)).state;
  const stepTimes: number[] = [];
  for (let i = 0; i < steps; i++) {
    t0 = performance.now();
    state = (await predictor.step(segment, batch, state)).state;
    stepTimes.push(performance.now() - t0);
  }
  const stepMs = Math.min(...stepTimes);
  await predictor.close();
  const peak = Math.max(peakBefore, await peakGflops());

  const perTrajectoryS = seqMs / 1000 / batch;
  const achieved = (gflopsPerStep * T * batch) / (seqMs / 1000);
  const rows: [string, string][] = [
    ['device / provider', predictor.executionProvider],
    ['model build (random, BN calibration)', `${(buildMs / 1000).toFixed(1)} s`],
    ['model load (sessions)', `${(loadMs / 1000).toFixed(1)} s`],
    ['parameters', `${(info.parameterCount / 1e6).toFixed(2)} M`],
    ['GFLOP per time step (nominal / executed)', `${gflopsPerStep.toFixed(2)} / ${executedGflopsPerStep.toFixed(2)}`],
    [
      'whole trajectory (T=28), best of runs',
      `${(seqMs / 1000).toFixed(2)} s (${times.map((t) => (t / 1000).toFixed(2)).join(', ')})`,
    ],
    ['s per trajectory', perTrajectoryS.toFixed(2)],
    [
      'CPU time per trajectory (all threads)',
      `${(cpuPerRunS / batch).toFixed(2)} s (system ${(cpu.system / 1e6 / runs / batch).toFixed(2)} s); other processes' load shows as wall > CPU/threads`,
    ],
    ['trajectories / s', (1 / perTrajectoryS).toFixed(3)],
    ['ms per time step (whole trajectory)', (seqMs / T / batch).toFixed(0)],
    [
      'streaming step (1 segment)',
      `${stepMs.toFixed(0)} ms  (${(seqMs / stepMs).toFixed(1)}× faster than a whole trajectory)`,
    ],
    ['achieved GFLOP/s (nominal FLOPs)', achieved.toFixed(1)],
    ['peak GFLOP/s (2048² MatMul)', `${peak.toFixed(1)}  → ${((achieved / peak) * 100).toFixed(0)} % of peak`],
    ['peak RSS', `${rssGiB().toFixed(2)} GiB`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

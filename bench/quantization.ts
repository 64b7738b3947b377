/**
 * int8 against float32 on this host: speed of a whole trajectory and of a streaming step (medians,
 * the two models alternating), the largest probability difference, and the evaluation metrics of
 * both side by side. The int8 model is a build option (`amsnet model build --quantize int8`),
 * used only where this bench shows it faster on the host, and never silently: its file says int8.
 *
 *   node dist/bench/quantization.js [--embryos 2] [--runs 3] [--calibration-segments 8]
 *                                   [--width 64 --blocks 3,4,6,3 --input-size 224]
 *   with a trained model and labelled frames (the only meaningful metrics):
 *   node dist/bench/quantization.js --model m.onnx --frames eval.npy --labels labels.json [--calibration calib.npy]
 *     eval.npy float32 [B,28,F,S,S]; labels.json [true,false,…] (blastocyst per embryo)
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildAmsnetModel, sha256Hex } from '../src/inference/amsnet/build-model';
import { syntheticFrames } from '../src/inference/amsnet/calibrate-batch-norm';
import { type EvaluationMetrics, evaluateTrajectories } from '../src/inference/evaluation/evaluation-metrics';
import { readNpy } from '../src/inference/npy';
import { AmsnetPredictor } from '../src/inference/predictor';
import { quantizeModel } from '../src/inference/quantize/quantize-model';
import { lookupTuning, tuningFilePath } from '../src/inference/tuning-cache';
import { loadConfig } from '../src/platform/config';
import { loadLine, loadTag, median } from './load';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const T = 28;
const runs = Number(arg('runs', '3'));
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  console.log(loadLine());
  let fp32: Uint8Array;
  let evalFrames: Float32Array;
  let embryos: number;
  let labels: boolean[];
  let calibration: { frames: Float32Array; batch: number; segments: number };
  let S: number;
  let F: number;
  const modelPath = process.argv.includes('--model') ? arg('model', '') : null;
  if (modelPath) {
    fp32 = readFileSync(modelPath);
    const frames = readNpy(readFileSync(arg('frames', '')));
    [embryos] = frames.shape;
    [, , F, S] = frames.shape;
    if (frames.shape[1] !== T) throw new Error(`--frames must be [B,${T},F,S,S]`);
    evalFrames = frames.data;
    labels = JSON.parse(readFileSync(arg('labels', ''), 'utf8')) as boolean[];
    if (labels.length !== embryos) throw new Error(`--labels holds ${labels.length} outcomes for ${embryos} embryos`);
    const c = process.argv.includes('--calibration') ? readNpy(readFileSync(arg('calibration', ''))) : frames;
    calibration = { frames: c.data, batch: c.shape[0], segments: c.shape[1] };
    console.log(`model ${modelPath}, ${embryos} labelled embryos from ${arg('frames', '')}`);
  } else {
    const width = Number(arg('width', '64'));
    const blocks = arg('blocks', '3,4,6,3').split(',').map(Number) as [number, number, number, number];
    S = Number(arg('input-size', '224'));
    const planes = [-45, -30, -15, 0, 15, 30, 45];
    F = planes.length;
    const built = await buildAmsnetModel({ variant: 'amsnet', planes, width, blocks, inputSize: S, seed: 1 });
    fp32 = built.onnx;
    embryos = Number(arg('embryos', '2'));
    evalFrames = syntheticFrames(built.config, embryos, T, 101);
    labels = Array.from({ length: embryos }, (_, i) => i % 2 === 0);
    const segments = Number(arg('calibration-segments', '8'));
    calibration = { frames: syntheticFrames(built.config, 1, segments, 3), batch: 1, segments };
    console.log(
      `UNTRAINED random amsnet width ${width} blocks ${blocks.join(',')} S ${S}; ${embryos} synthetic embryos with arbitrary labels: ` +
        'the metrics show whether int8 changes them, nothing clinical',
    );
  }

  let t0 = performance.now();
  const q = await quantizeModel(fp32, calibration);
  console.log(
    `quantised in ${s(performance.now() - t0)} (calibration ${calibration.batch}×${calibration.segments} segments) ${loadTag()}; ` +
      `${(fp32.length / 1e6).toFixed(1)} MB → ${(q.onnx.length / 1e6).toFixed(1)} MB`,
  );

  const tuned = lookupTuning(tuningFilePath(loadConfig(process.env).dataDir), sha256Hex(fp32), 'cpu')?.tuning;
  const options = {
    maxBatch: 1,
    sessionTuning: tuned?.session,
    maxEmbryoSegmentsPerRun: tuned?.embryoSegmentsPerRun ?? 4,
  };
  const models = {
    fp32: await AmsnetPredictor.load(fp32, options),
    int8: await AmsnetPredictor.load(q.onnx, options),
  };
  console.log(
    `run settings: ${options.maxEmbryoSegmentsPerRun} segments per run, ${tuned ? "this host's tuning of the float32 model" : 'default session settings (no tuning cached)'}`,
  );
  const image = F * S * S;
  const one = evalFrames.subarray(0, T * image);

  // Speed: the two models alternate, a warm-up each first.
  const time: Record<'fp32' | 'int8', { trajectory: number[]; step: number[] }> = {
    fp32: { trajectory: [], step: [] },
    int8: { trajectory: [], step: [] },
  };
  for (const m of [models.fp32, models.int8]) {
    await m.predict(one, 1, T);
    await m.step(one.subarray(0, image), 1, null);
  }
  for (let i = 0; i < runs; i++) {
    for (const k of ['fp32', 'int8'] as const) {
      t0 = performance.now();
      await models[k].predict(one, 1, T);
      time[k].trajectory.push(performance.now() - t0);
      t0 = performance.now();
      await models[k].step(one.subarray(0, image), 1, null);
      time[k].step.push(performance.now() - t0);
    }
  }
  const speedLoad = loadTag();

  // Probabilities and metrics over every embryo.
  const probs = {
    fp32: await models.fp32.predict(evalFrames, embryos, T),
    int8: await models.int8.predict(evalFrames, embryos, T),
  };
  let maxDiff = 0;
  let sameDecision = 0;
  for (let i = 0; i < probs.fp32.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(probs.fp32[i] - probs.int8[i]));
    if (probs.fp32[i] >= 0.5 === probs.int8[i] >= 0.5) sameDecision++;
  }
  const metrics = (p: Float32Array): EvaluationMetrics =>
    evaluateTrajectories(
      labels.map((blastocyst, b) => ({
        embryoId: `e${b}`,
        blastocyst,
        cultureEnded: true,
        probabilities: new Map(Array.from(p.subarray(b * T, (b + 1) * T), (v, k) => [k, v] as [number, number])),
      })),
    );
  const m = { fp32: metrics(probs.fp32), int8: metrics(probs.int8) };
  await models.fp32.close();
  await models.int8.close();

  const fmt = (x: number | null) => (x === null ? '—' : x.toFixed(3));
  const rows: [string, string, string][] = [
    ['', 'float32', 'int8 (static QDQ)'],
    ['whole trajectory, median', s(median(time.fp32.trajectory)), s(median(time.int8.trajectory))],
    ['streaming step, median', `${median(time.fp32.step).toFixed(0)} ms`, `${median(time.int8.step).toFixed(0)} ms`],
    ['accuracy-curve AUC', fmt(m.fp32.accuracyAuc), fmt(m.int8.accuracyAuc)],
    ...m.fp32.roc.map(
      (r, i) => [`ROC AUC day ${r.day}`, fmt(r.auc), fmt(m.int8.roc[i].auc)] as [string, string, string],
    ),
    ...[3, 5].map((day) => {
      const a = m.fp32.days.find((d) => d.day === day)!;
      const b = m.int8.days.find((d) => d.day === day)!;
      return [`accuracy day ${day}`, fmt(a.accuracy), fmt(b.accuracy)] as [string, string, string];
    }),
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const r of rows) console.log(`${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`);
  const speedup = median(time.fp32.trajectory) / median(time.int8.trajectory);
  const stepSpeedup = median(time.fp32.step) / median(time.int8.step);
  console.log(
    `\nspeed-up of int8 over float32 (above 1: int8 faster): whole trajectory ${speedup.toFixed(2)}×, streaming step ${stepSpeedup.toFixed(2)}× ${speedLoad}`,
  );
  console.log(
    `max |p(int8) − p(fp32)| = ${maxDiff.toFixed(4)} over ${probs.fp32.length} segment predictions; same decision at 0.5 in ${((100 * sameDecision) / probs.fp32.length).toFixed(1)} %`,
  );
  console.log(
    speedup > 1.05 && stepSpeedup > 1.05
      ? 'on this host int8 is faster: register the int8 build if its metrics above are acceptable'
      : 'on this host int8 is not clearly faster: keep the float32 model',
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { findTrainerPython, trainingPackageDir } from '../src/inference/training/python-trainer';

/**
 * `npm run bench:training`: training throughput of the PyTorch trainer in embryo-sequences per
 * second (T = 28, 7 planes, AMSNet), for the demo's size and the paper's, on this machine's CPU
 * (and its GPU when PyTorch sees one). Medians of a few SGD steps on random frames; the paper size
 * is timed on 2-step sequences and scaled to 28 (every layer's cost is linear in T).
 */
const SIZES = [
  {
    label: 'demo (width 8, blocks 1-1-1-1, 64 px)',
    args: ['--width', '8', '--blocks', '1,1,1,1', '--input-size', '64', '--batch-size', '4'],
  },
  {
    label: 'paper (width 64, blocks 3-4-6-3, 224 px)',
    args: [
      '--width',
      '64',
      '--blocks',
      '3,4,6,3',
      '--input-size',
      '224',
      '--batch-size',
      '1',
      '--steps-per-sequence',
      '2',
      '--runs',
      '2',
    ],
  },
];

function main(): void {
  const { python, torch } = findTrainerPython();
  const devices = ['cpu'];
  const cuda = spawnSync(python, ['-c', 'import torch; print(torch.cuda.is_available())'], { encoding: 'utf8' });
  if (cuda.stdout.trim() === 'True') devices.push('cuda');
  const threads = process.env.BENCH_THREADS ?? String(Math.min(2, cpus().length));
  console.log(`PyTorch ${torch}, ${cpus().length} CPU cores (${cpus()[0]?.model ?? '?'}), ${threads} threads`);
  for (const device of devices) {
    for (const size of SIZES) {
      const result = spawnSync(
        python,
        ['-m', 'amsnet_training.bench', '--device', device, '--threads', threads, ...size.args],
        { cwd: trainingPackageDir(), encoding: 'utf8', timeout: 900_000 },
      );
      if (result.status !== 0) {
        console.log(`${device}  ${size.label}: failed: ${result.stderr.trim().split('\n').slice(-1)[0]}`);
        continue;
      }
      const r = JSON.parse(result.stdout) as { sequencesPerSecond: number; secondsPerBatch: number; batchSize: number };
      console.log(
        `${device.padEnd(4)}  ${size.label.padEnd(42)}  ${r.sequencesPerSecond.toPrecision(3)} embryo-sequences/s  (${r.secondsPerBatch.toFixed(2)} s per batch of ${r.batchSize})`,
      );
    }
  }
}

main();

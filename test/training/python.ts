import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Debian's python3 (with python3-torch); the pyenv python3 first on PATH has no torch. */
export const PYTHON = process.env.AMSNET_PYTHON ?? '/usr/bin/python3';
export const TRAINING_DIR = join(__dirname, '..', '..', 'training');

/** Runs `python3 -m amsnet_training.<module> ARGS` in training/, failing with its stderr. */
export function runTrainingModule(module: string, args: string[], timeoutMs = 120_000): string {
  const result = spawnSync(PYTHON, ['-m', `amsnet_training.${module}`, ...args], {
    cwd: TRAINING_DIR,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (result.status !== 0)
    throw new Error(`python3 -m amsnet_training.${module} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

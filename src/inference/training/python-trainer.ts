import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../../platform/errors';

/** How to get PyTorch where it is missing: one line, the same everywhere. */
export const TORCH_MISSING =
  'amsnet train needs Python 3 with PyTorch and NumPy: install them (Debian/Ubuntu: apt-get install python3-torch python3-numpy) or set AMSNET_PYTHON to a python3 that has torch';

/** The `training/` folder holding the amsnet_training package, from src/ or dist/src/. */
export function trainingPackageDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'training', 'amsnet_training', 'train.py'))) return join(dir, 'training');
    dir = dirname(dir);
  }
  throw new UserError('the trainer (training/amsnet_training) is not part of this installation');
}

/**
 * The Python that runs the trainer: AMSNET_PYTHON, else Debian's /usr/bin/python3 (where
 * python3-torch installs), else python3 on PATH; the first that can import torch and numpy.
 */
export function findTrainerPython(env: NodeJS.ProcessEnv = process.env): { python: string; torch: string } {
  const candidates = env.AMSNET_PYTHON ? [env.AMSNET_PYTHON] : ['/usr/bin/python3', 'python3'];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (probe.status === 0) return { python, torch: probe.stdout.trim() };
  }
  throw new UserError(TORCH_MISSING);
}

export interface TrainerEvent {
  event: 'start' | 'batch' | 'epoch' | 'done';
  [field: string]: unknown;
}

/**
 * Runs `python3 -m amsnet_training.<module> ARGS --progress json`, passing each progress line to
 * `onEvent`. The trainer's one-line refusal (`amsnet-train: …`) becomes a UserError with its words.
 */
export function runTrainerModule(
  module: string,
  args: string[],
  onEvent: (e: TrainerEvent) => void,
  options: { env?: NodeJS.ProcessEnv; python?: string } = {},
): Promise<void> {
  const python = options.python ?? findTrainerPython(options.env).python;
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', `amsnet_training.${module}`, ...args], {
      cwd: trainingPackageDir(),
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        try {
          onEvent(JSON.parse(line) as TrainerEvent);
        } catch {
          // a stray line on stdout is not progress
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
    child.on('error', (error) => reject(new UserError(`cannot run ${python}: ${error.message}. ${TORCH_MISSING}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const refusal = stderr
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('amsnet-train: '));
      if (refusal) return reject(new UserError(refusal.slice('amsnet-train: '.length)));
      const last = stderr.trim().split('\n').slice(-1)[0] ?? '';
      reject(new UserError(`the trainer stopped (${signal ?? `exit ${code}`})${last ? `: ${last}` : ''}`));
    });
  });
}

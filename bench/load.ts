import { availableParallelism, loadavg } from 'node:os';
import { isUnderLoad } from '../src/inference/run-tuning';

/**
 * The 1-minute load average, to print next to every figure: on a shared machine a figure taken
 * while other work held the cores is an upper bound, and says so. `ownThreads` is what the
 * measured code itself keeps runnable (it counts in the load average too).
 */
export function loadTag(ownThreads = availableParallelism()): string {
  const l = loadavg()[0];
  return `[load ${l.toFixed(1)}${isUnderLoad(l, ownThreads) ? ', UNDER LOAD' : ''}]`;
}

export function loadLine(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${availableParallelism()} cores`;
}

export { median } from '../src/inference/run-tuning';

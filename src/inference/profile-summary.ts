import { readFileSync } from 'node:fs';

/** One event of ONNX Runtime's profile (Chrome trace format). */
export interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string; provider?: string };
}

export interface OpTime {
  op: string;
  ms: number;
  /** Of the kernel time of the summarised run. */
  share: number;
  count: number;
}

export interface ProfileSummary {
  /** Wall time of the summarised session run(s). */
  runMs: number;
  /** Time inside kernels; the rest of runMs is the executor's own work and waiting between kernels. */
  kernelMs: number;
  byOp: OpTime[];
  topNodes: { node: string; op: string; ms: number }[];
  /** NCHWc layout changes (ReorderInput/ReorderOutput) that ONNX Runtime inserted around blocked convs. */
  layoutMs: number;
}

export function readProfile(path: string): ProfileEvent[] {
  return JSON.parse(readFileSync(path, 'utf8')) as ProfileEvent[];
}

/**
 * Where the time of the last `runs` session runs of a profile went, by operator type and by node.
 * Earlier runs (warm-ups) are left out: they include arena growth and first-run kernel choices.
 */
export function summariseProfile(events: ProfileEvent[], runs = 1, topN = 8): ProfileSummary {
  const modelRuns = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  if (modelRuns.length === 0) throw new Error('the profile holds no session run');
  const kept = modelRuns.slice(-runs);
  const inKept = (e: ProfileEvent) => kept.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && inKept(e));
  const byOp = new Map<string, { us: number; count: number }>();
  const byNode = new Map<string, { us: number; op: string }>();
  for (const e of kernels) {
    const op = e.args?.op_name ?? 'unknown';
    const o = byOp.get(op) ?? { us: 0, count: 0 };
    o.us += e.dur;
    o.count++;
    byOp.set(op, o);
    const node = e.name.slice(0, -'_kernel_time'.length);
    const n = byNode.get(node) ?? { us: 0, op };
    n.us += e.dur;
    byNode.set(node, n);
  }
  const kernelUs = kernels.reduce((s, e) => s + e.dur, 0);
  return {
    runMs: kept.reduce((s, r) => s + r.dur, 0) / 1000,
    kernelMs: kernelUs / 1000,
    byOp: [...byOp]
      .map(([op, o]) => ({ op, ms: o.us / 1000, share: kernelUs ? o.us / kernelUs : 0, count: o.count }))
      .sort((a, b) => b.ms - a.ms),
    topNodes: [...byNode]
      .map(([node, n]) => ({ node, op: n.op, ms: n.us / 1000 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, topN),
    layoutMs: ((byOp.get('ReorderInput')?.us ?? 0) + (byOp.get('ReorderOutput')?.us ?? 0)) / 1000,
  };
}

/** The summary as text lines for a bench or CLI. */
export function formatProfile(s: ProfileSummary, topOps = 10): string[] {
  const lines = [
    `session run ${s.runMs.toFixed(0)} ms, in kernels ${s.kernelMs.toFixed(0)} ms (${((100 * s.kernelMs) / s.runMs).toFixed(0)} %), NCHWc layout changes ${s.layoutMs.toFixed(0)} ms`,
  ];
  for (const o of s.byOp.slice(0, topOps))
    lines.push(
      `  ${o.op.padEnd(22)} ${o.ms.toFixed(1).padStart(9)} ms ${(100 * o.share).toFixed(1).padStart(5)} %  ×${o.count}`,
    );
  lines.push('  slowest nodes:');
  for (const n of s.topNodes) lines.push(`    ${n.node} (${n.op}) ${n.ms.toFixed(1)} ms`);
  return lines;
}

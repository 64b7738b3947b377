/**
 * Self time of a V8 CPU profile (`node --cpu-prof`, or bench/api.ts --profile) by package and by
 * function: where a request's CPU goes (graphql-js, type-graphql, Apollo, pg, TypeORM, jose, our
 * own layers, JSON and other V8 built-ins, garbage collection).
 *
 *   node dist/bench/cpu-profile-summary.js FILE.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame belongs: an npm package, one of our layers, Node's core, or a V8 built-in. */
export function categoryOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    if (/^(parse|stringify|JSONParse|JSONStringify)$/.test(functionName)) return 'JSON (built-in)';
    return 'V8 built-ins';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) {
    if (pkg.startsWith('@apollo/') || pkg.startsWith('@as-integrations/')) return 'Apollo Server';
    if (/^(pg|pg-protocol|pg-types|pg-pool|postgres-[a-z]+|pgpass|pg-connection-string)$/.test(pkg))
      return 'pg (driver)';
    if (
      /^(express|body-parser|router|raw-body|iconv-lite|type-is|on-finished|finalhandler|send|content-type)$/.test(pkg)
    )
      return 'express (HTTP framework)';
    return pkg;
  }
  const own = /\/(?:dist\/)?(src|bench|migrations)\/(.*)$/.exec(url);
  if (own) {
    const [, root, path] = own;
    if (root !== 'src') return `app: ${root}`;
    if (/entities\/repositories\/audit/.test(path)) return 'app: audit';
    if (/^auth\//.test(path)) return 'app: auth';
    if (/^entities\//.test(path)) return 'app: entities/repositories';
    if (/^graphql\/access\//.test(path)) return 'app: graphql/access (scoped data, loaders)';
    if (/^graphql\/protection\//.test(path)) return 'app: graphql/protection (plugins)';
    if (/^graphql\//.test(path)) return 'app: graphql (resolvers, types)';
    if (/^platform\/(metrics|logger)/.test(path)) return 'app: metrics and logging';
    return `app: ${path.split('/')[0]}`;
  }
  if (url.startsWith('node:')) return 'Node core';
  return 'other';
}

export interface Summary {
  totalMs: number;
  byCategory: Array<{ name: string; ms: number }>;
  /** Node core and V8 built-ins charged to the nearest caller that is a package or our code. */
  byCaller: Array<{ name: string; ms: number }>;
  byFunction: Array<{ name: string; category: string; ms: number }>;
}

export function summarise(profile: CpuProfile): Summary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // a sample's time is the delta to the next sample
  for (let i = 0; i < profile.samples.length; i++) {
    const next = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + next);
  }
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const RUNTIME = new Set(['Node core', 'V8 built-ins', 'JSON (built-in)', 'V8/native (program)', 'other']);
  const callerOf = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const category = categoryOf(nodes.get(at)!.callFrame);
      if (!RUNTIME.has(category)) return category;
    }
    return 'Node core';
  };
  const byCaller = new Map<string, number>();
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, { category: string; ms: number }>();
  let totalMs = 0;
  for (const [id, us] of self) {
    const frame = nodes.get(id)!.callFrame;
    const category = categoryOf(frame);
    const ms = us / 1000;
    if (category === 'idle') continue;
    totalMs += ms;
    byCategory.set(category, (byCategory.get(category) ?? 0) + ms);
    const caller = callerOf(id);
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + ms);
    const file = frame.url.replace(/^.*\/(node_modules|dist|src|bench)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    const entry = byFunction.get(name) ?? { category, ms: 0 };
    entry.ms += ms;
    byFunction.set(name, entry);
  }
  return {
    totalMs,
    byCategory: [...byCategory].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms),
    byCaller: [...byCaller].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms),
    byFunction: [...byFunction].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.ms - a.ms),
  };
}

/** The summary as text; `requests` (when known) adds CPU per request. */
export function formatSummary(s: Summary, top = 25, requests?: number): string {
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)} %`;
  const perRequest = (ms: number) => (requests ? `${((1000 * ms) / requests).toFixed(0).padStart(7)} µs/req` : '');
  const lines = [
    `CPU (busy, idle excluded): ${s.totalMs.toFixed(0)} ms${requests ? ` over ${requests} requests = ${((1000 * s.totalMs) / requests).toFixed(0)} µs per request` : ''}`,
    '',
    'self time by package / layer:',
    ...s.byCategory.map(
      (c) => `  ${c.name.padEnd(44)} ${c.ms.toFixed(0).padStart(7)} ms ${pct(c.ms)} ${perRequest(c.ms)}`,
    ),
    '',
    'the same with Node core and V8 built-ins (streams, sockets, JSON, promises) charged to their caller:',
    ...s.byCaller.map(
      (c) => `  ${c.name.padEnd(44)} ${c.ms.toFixed(0).padStart(7)} ms ${pct(c.ms)} ${perRequest(c.ms)}`,
    ),
    '',
    `top ${top} functions by self time:`,
    ...s.byFunction.slice(0, top).map((f) => `  ${pct(f.ms)}  ${f.name.slice(0, 90).padEnd(90)} [${f.category}]`),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/cpu-profile-summary.js FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const i = process.argv.indexOf('--top');
  const top = i >= 0 ? Number(process.argv[i + 1]) : 25;
  process.stdout.write(`${formatSummary(summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile), top)}\n`);
}

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostFingerprint, physicalCores, tuningKey } from '../../src/inference/host-fingerprint';
import { AmsnetPredictor } from '../../src/inference/predictor';
import { formatProfile, readProfile, summariseProfile } from '../../src/inference/profile-summary';
import { isUnderLoad, median, tuneRun } from '../../src/inference/run-tuning';
import { lookupTuning, readTuningFile, saveTuning, tuningFilePath } from '../../src/inference/tuning-cache';
import { PLANES_3, buildTiny, frames } from './tiny-models';

describe('host fingerprint', () => {
  it('names the CPU, its SIMD extensions, the threads and the ONNX Runtime build', () => {
    const host = hostFingerprint();
    expect(host.cpuModel.length).toBeGreaterThan(0);
    expect(host.ortVersion).toMatch(/^\d+\.\d+/);
    expect(host.physicalCores).toBe(physicalCores());
    expect(host.physicalCores).toBeGreaterThanOrEqual(1);
    expect(host.physicalCores).toBeLessThanOrEqual(host.logicalCpus);
    expect([...host.cpuFlags].sort()).toEqual(host.cpuFlags);
    // the key changes with the model and with the host: a tuning never crosses either
    const key = tuningKey(host, 'a'.repeat(64), 'cpu');
    expect(tuningKey(host, 'b'.repeat(64), 'cpu')).not.toBe(key);
    expect(tuningKey({ ...host, cpuFlags: [...host.cpuFlags, 'avx512f'] }, 'a'.repeat(64), 'cpu')).not.toBe(key);
    expect(tuningKey(host, 'a'.repeat(64), 'cpu')).toBe(key);
  });
});

describe('run tuning', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'amsnet-tuning-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures settings and chunk sizes, keeps the fastest, and the cache gives it back on this host only', async () => {
    const model = await buildTiny('amsnet');
    const seen: string[] = [];
    const entry = await tuneRun(model.onnx, { chunks: [1, 2], repeats: 1, onTrial: (t) => seen.push(t.what) });
    expect(entry.modelSha256).toBe(model.sha256);
    expect(entry.provider).toBe('cpu');
    expect(seen[0]).toBe('default settings');
    expect(seen).toEqual(entry.trials.map((t) => t.what));
    expect(seen).toContain('1 segment per run');
    expect(seen).toContain('2 segments per run');
    expect([1, 2]).toContain(entry.tuning.embryoSegmentsPerRun);
    for (const t of entry.trials) expect(t.msPerSegment).toBeGreaterThan(0);
    // the chosen chunk is the fastest one, or within the 3 % noise margin of it with fewer segments
    const chunkTrials = entry.trials.filter((t) => t.what.endsWith('per run'));
    const chosen = chunkTrials.find((t) => t.embryoSegmentsPerRun === entry.tuning.embryoSegmentsPerRun)!;
    expect(chosen.msPerSegment).toBeLessThanOrEqual(Math.min(...chunkTrials.map((t) => t.msPerSegment)) / 0.97);

    const path = tuningFilePath(dir);
    expect(lookupTuning(path, model.sha256, 'cpu')).toBeUndefined();
    saveTuning(path, entry);
    expect(lookupTuning(path, model.sha256, 'cpu')?.tuning).toEqual(entry.tuning);
    expect(lookupTuning(path, 'f'.repeat(64), 'cpu')).toBeUndefined();
    expect(lookupTuning(path, model.sha256, 'cuda')).toBeUndefined();

    // a tuned predictor gives the same probabilities as the default one
    const x = frames(2 * 5 * PLANES_3.length * 32 * 32, 3);
    const tuned = await AmsnetPredictor.load(model.onnx, {
      sessionTuning: { ...entry.tuning.session, spinning: false, denormalAsZero: true, memArena: false },
      maxEmbryoSegmentsPerRun: entry.tuning.embryoSegmentsPerRun,
    });
    const plain = await AmsnetPredictor.load(model.onnx);
    const [a, b] = [await tuned.predict(x, 2, 5), await plain.predict(x, 2, 5)];
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    await tuned.close();
    await plain.close();
  });

  it('reads a corrupt or foreign cache file as empty, and replaces it on the next save', () => {
    const path = join(dir, 'corrupt.json');
    writeFileSync(path, '{"format": 1, "entr');
    expect(readTuningFile(path).entries).toEqual({});
    writeFileSync(path, JSON.stringify({ format: 99, entries: { x: {} } }));
    expect(readTuningFile(path).entries).toEqual({});
    writeFileSync(path, JSON.stringify({ format: 1, entries: { x: { tuning: { session: { intraOpThreads: -1 } } } } }));
    expect(lookupTuning(path, 'x', 'cpu')).toBeUndefined();
  });

  it('refuses chunk sizes that are not positive integers', async () => {
    const model = await buildTiny('tsm');
    await expect(tuneRun(model.onnx, { chunks: [0, 2] })).rejects.toThrow(/positive integers/);
  });

  it('median and load marking', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(isUnderLoad(1.9, 2)).toBe(false);
    expect(isUnderLoad(4, 2)).toBe(true);
  });
});

describe('profile summary', () => {
  it("attributes the last run's kernel time to operators from ONNX Runtime's own profile", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amsnet-profile-'));
    try {
      const model = await buildTiny('amsnet');
      const predictor = await AmsnetPredictor.load(model.onnx, { profilePrefix: join(dir, 'p') });
      const x = frames(4 * PLANES_3.length * 32 * 32, 5);
      await predictor.predict(x, 1, 4);
      await predictor.predict(x, 1, 4);
      predictor.endProfiling();
      await predictor.close();
      const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
      const events = readProfile(join(dir, file));
      const all = summariseProfile(events, 1000);
      const last = summariseProfile(events, 1);
      expect(last.kernelMs).toBeGreaterThan(0);
      expect(last.kernelMs).toBeLessThanOrEqual(last.runMs);
      expect(last.kernelMs).toBeLessThan(all.kernelMs); // the warm-up runs are left out
      expect(last.byOp.map((o) => o.op)).toContain('Conv');
      expect(last.byOp.reduce((s, o) => s + o.share, 0)).toBeCloseTo(1, 5);
      expect(formatProfile(last).join('\n')).toMatch(/Conv/);
      expect(() => summariseProfile([])).toThrow(/no session run/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

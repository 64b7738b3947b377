/**
 * Ingest throughput: imports a generated folder export (default 20 embryos × 7 planes × 300 runs of
 * 500×500 gray JPEG, as the EmbryoScope dataset) and compares frames/s with the raw sharp decode
 * rate of the same files, measured in the same run with the same parallelism.
 * Target: import ≥ 70 % of raw decode. Every file is read and a slice decoded first, and the
 * decode baselines run before and after the import and are averaged, so no side profits from
 * running second (warm page cache, libvips' thread pool).
 *
 *   npm run bench:ingest -- --embryos 4 --runs 40        (quick run)
 *   DATABASE_URL=postgres://… uses that server (a throw-away database is created and dropped);
 *   otherwise an embedded PostgreSQL starts in a temp folder.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { mapWithConcurrency } from '../src/ingest/frames/concurrency';
import { createServices } from '../src/app/services';
import { normaliseEncodedFrame } from '../src/ingest/frames/frame-normaliser';
import { arg, withBenchDatabase } from './bench-database';
import { loadLine, loadTag } from './load';

const EMBRYOS = Number(arg('embryos', '20'));
const RUNS = Number(arg('runs', '300'));
const SIZE = Number(arg('size', '500'));
/** Decodes in flight for the raw-decode baseline: the import's own setting (DECODE_CONCURRENCY). */
const CONCURRENCY = 4;
const PLANES: Record<number, string> = {
  [-45]: 'embryo_dataset_F-45',
  [-30]: 'embryo_dataset_F-30',
  [-15]: 'embryo_dataset_F-15',
  0: 'embryo_dataset',
  15: 'embryo_dataset_F15',
  30: 'embryo_dataset_F30',
  45: 'embryo_dataset_F45',
};

function texture(seed: number, n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = 64 + (x & 127);
  }
  return out;
}

/** Smooth textured gray JPEGs (~50 kB at 500², like real frames), every one different. */
async function generate(root: string): Promise<string[]> {
  const jobs: { path: string; seed: number }[] = [];
  for (let e = 0; e < EMBRYOS; e++) {
    const name = `BENCH-${e + 1}`;
    const times = ['frame_index,time'];
    for (const [plane, folder] of Object.entries(PLANES)) {
      await mkdir(join(root, folder, name), { recursive: true });
      for (let run = 1; run <= RUNS; run++) {
        jobs.push({
          path: join(root, folder, name, `D2016.01.07_S1_I1_WELL${e + 1}_RUN${run}.jpeg`),
          seed: e * 1e6 + run * 10 + Number(plane) + 50,
        });
      }
    }
    for (let run = 1; run <= RUNS; run++) times.push(`${run},${(run * 0.25).toFixed(2)}`);
    await mkdir(join(root, 'embryo_dataset_time_elapsed'), { recursive: true });
    await writeFile(join(root, 'embryo_dataset_time_elapsed', `${name}_timeElapsed.csv`), times.join('\n'));
  }
  const small = Math.max(8, Math.round(SIZE / 5));
  await mapWithConcurrency(jobs, CONCURRENCY, async (j) => {
    const jpeg = await sharp(texture(j.seed, small * small), { raw: { width: small, height: small, channels: 1 } })
      .resize(SIZE, SIZE, { kernel: 'cubic' })
      .toColourspace('b-w')
      .jpeg({ quality: 85 })
      .toBuffer();
    await writeFile(j.path, jpeg);
  });
  return jobs.map((j) => j.path);
}

async function main(): Promise<void> {
  const frames = EMBRYOS * 7 * RUNS;
  console.log(
    `${loadLine()}; ${EMBRYOS} embryos × 7 planes × ${RUNS} runs = ${frames} frames of ${SIZE}×${SIZE} gray JPEG`,
  );
  await withBenchDatabase('ingest', async ({ scratch, dataSource, url }) => {
    const exportDir = join(scratch, 'export');
    let t = performance.now();
    const files = await generate(exportDir);
    console.log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const clinic: { id: string }[] = await dataSource.query(
      `INSERT INTO clinic (code, name) VALUES ('bench', 'Bench') RETURNING id`,
    );

    // Raw decode: read + full decode to gray pixels, as many in flight as the import uses.
    const decodeAll = async () => {
      const t0 = performance.now();
      await mapWithConcurrency(files, CONCURRENCY, async (f) =>
        sharp(await readFile(f))
          .toColourspace('b-w')
          .raw()
          .toBuffer(),
      );
      return (performance.now() - t0) / 1000;
    };
    // The import's own per-frame work without the database: attributes the rest to PostgreSQL.
    const normaliseAll = async () => {
      const t0 = performance.now();
      await mapWithConcurrency(files, CONCURRENCY, async (f) => normaliseEncodedFrame(await readFile(f)));
      return (performance.now() - t0) / 1000;
    };
    // Warm-up, so that no measurement profits from running second: every file read once (page
    // cache) and a slice of them decoded (libvips' thread pool and caches, the JIT).
    t = performance.now();
    await mapWithConcurrency(files, CONCURRENCY, (f) => readFile(f));
    await mapWithConcurrency(files.slice(0, Math.max(20, files.length >> 4)), CONCURRENCY, async (f) =>
      normaliseEncodedFrame(await readFile(f)),
    );
    console.log(`warm-up ${((performance.now() - t) / 1000).toFixed(1)} s ${loadTag()}`);

    // The baselines run before and after the import (which can only run once) and are averaged.
    const decodeBefore = await decodeAll();
    const normaliseBefore = await normaliseAll();
    const beforeLoad = loadTag();

    t = performance.now();
    const { imports, system } = createServices({ dataSource, databaseUrl: url });
    const report = await imports.importFolder(exportDir, { grant: system.clinic(clinic[0].id) });
    const importS = (performance.now() - t) / 1000;
    const importLoad = loadTag();
    if (report.framesStored !== frames)
      throw new Error(`import stored ${report.framesStored} of ${frames} frames: ${report.status}`);

    t = performance.now();
    const again = await imports.importFolder(exportDir, { grant: system.clinic(clinic[0].id) });
    const rerunS = (performance.now() - t) / 1000;
    const rerunLoad = loadTag();
    await dataSource.destroy();

    const normaliseAfter = await normaliseAll();
    const decodeAfter = await decodeAll();
    const afterLoad = loadTag();
    const decodeS = (decodeBefore + decodeAfter) / 2;
    const normaliseS = (normaliseBefore + normaliseAfter) / 2;

    const rate = (n: number, s: number) => (n / s).toFixed(0).padStart(8);
    console.log('\n| step                          | seconds | frames/s | load |');
    console.log('| ----------------------------- | ------- | -------- | ---- |');
    console.log(
      `| raw sharp decode (read+decode)| ${decodeS.toFixed(2).padStart(7)} | ${rate(frames, decodeS)} | before ${decodeBefore.toFixed(2)} s ${beforeLoad}, after ${decodeAfter.toFixed(2)} s ${afterLoad} |`,
    );
    console.log(
      `| normalise only (no database)  | ${normaliseS.toFixed(2).padStart(7)} | ${rate(frames, normaliseS)} | before ${normaliseBefore.toFixed(2)} s, after ${normaliseAfter.toFixed(2)} s |`,
    );
    console.log(
      `| import (decode+hash+INSERT)   | ${importS.toFixed(2).padStart(7)} | ${rate(frames, importS)} | ${importLoad} |`,
    );
    console.log(
      `| re-import (all alreadyStored) | ${rerunS.toFixed(2).padStart(7)} | ${rate(again.framesAlreadyStored, rerunS)} | ${rerunLoad} |`,
    );
    const ratio = decodeS / importS;
    console.log(
      `\nimport / raw decode = ${(ratio * 100).toFixed(1)} % (target ≥ 70 %) ${ratio >= 0.7 ? 'MET' : 'NOT MET'}`,
    );
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

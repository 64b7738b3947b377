/**
 * Rescan cost of an import source: a folder export of 100,000 frames (100 embryos × 7 planes × 143
 * runs, by default) is imported once through the source (every frame really stored), then the
 * source is scanned again several times with nothing new. Each rescan lists the folder (readdir +
 * stat, by GNU find), and meanwhile reads the source's known folders (one small query); a folder whose digest of
 * paths, sizes and mtimes is the one recorded when all of it was stored is passed over, the rows of
 * the others are read and compared in memory: no file is read and nothing is decoded. Prints each
 * rescan, the median and the parts. Target: a few seconds.
 *
 *   npm run bench:source-rescan -- --embryos 100 --runs 143 --rescans 5 [--direct]
 *   DATABASE_URL=postgres://… uses that server (a throw-away database is created and dropped);
 *   otherwise an embedded PostgreSQL starts in a temp folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { createServices } from '../src/app/services';
import { listSourceFiles, walk, wantedBy } from '../src/ingest/sources/source-files';
import { listedFolders, triageFolders } from '../src/ingest/sources/folder-digests';
import { planScan } from '../src/ingest/sources/scan-plan';
import { arg, withBenchDatabase } from './bench-database';
import { loadLine, loadTag, median } from './load';

const EMBRYOS = Number(arg('embryos', '100'));
const RUNS = Number(arg('runs', '143'));
const RESCANS = Number(arg('rescans', '5'));
/**
 * --direct: instead of importing every frame first (≈ 5 min for 100,000 frames on 2 cores), record
 * the files as stored the way the first scan does. The rescan reads neither the frames nor their
 * table, so what it measures is the same; the first-import path is timed without --direct.
 */
const DIRECT = process.argv.includes('--direct');
const PLANES = ['embryo_dataset_F-45', 'embryo_dataset_F-30', 'embryo_dataset_F-15', 'embryo_dataset'];
PLANES.push('embryo_dataset_F15', 'embryo_dataset_F30', 'embryo_dataset_F45');

/** Small distinct gray JPEGs: the rescan never opens them, so their size does not matter here. */
async function generate(root: string): Promise<number> {
  const base = await sharp(Buffer.alloc(16 * 16, 128), { raw: { width: 16, height: 16, channels: 1 } })
    .jpeg()
    .toBuffer();
  let files = 0;
  await mkdir(join(root, 'embryo_dataset_time_elapsed'), { recursive: true });
  for (let e = 1; e <= EMBRYOS; e++) {
    for (const plane of PLANES) {
      const dir = join(root, plane, `R${e}`);
      await mkdir(dir, { recursive: true });
      const writes: Promise<void>[] = [];
      for (let run = 1; run <= RUNS; run++) {
        // a different comment per file keeps every image distinct (no content deduplication)
        const bytes = Buffer.concat([base.subarray(0, 2), comment(`${e}/${plane}/${run}`), base.subarray(2)]);
        writes.push(writeFile(join(dir, `D2016.01.07_S1_I1_WELL${e}_RUN${run}.jpeg`), bytes));
        files++;
      }
      await Promise.all(writes);
    }
    const times = [
      'frame_index,time',
      ...Array.from({ length: RUNS }, (_, i) => `${i + 1},${((i + 1) * 0.25).toFixed(2)}`),
    ];
    await writeFile(join(root, 'embryo_dataset_time_elapsed', `R${e}_timeElapsed.csv`), times.join('\n'));
  }
  return files;
}

/** A JPEG COM segment. */
function comment(text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const head = Buffer.from([0xff, 0xfe, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

const seconds = (since: number) => (performance.now() - since) / 1000;

async function main(): Promise<void> {
  const frames = EMBRYOS * PLANES.length * RUNS;
  console.log(`${loadLine()}; ${EMBRYOS} embryos × ${PLANES.length} planes × ${RUNS} runs = ${frames} frames`);
  await withBenchDatabase('rescan', async ({ scratch, dataSource, url }) => {
    const exportDir = join(scratch, 'export');
    let t = performance.now();
    await generate(exportDir);
    console.log(`generated in ${seconds(t).toFixed(1)} s`);

    const services = createServices({
      dataSource,
      databaseUrl: url,
      importSources: { roots: [scratch], settleSeconds: 0, failureAlertAfter: 3 },
    });
    const [clinic]: { id: string }[] = await dataSource.query(
      `INSERT INTO clinic (code, name) VALUES ('bench', 'Bench') RETURNING id`,
    );
    const grant = services.system.clinic(clinic.id);
    const source = await services.importSources.create(grant, {
      name: 'bench export',
      kind: 'FOLDER',
      path: exportDir,
      schedule: '* * * * *',
      scoreAfterImport: false,
    });

    t = performance.now();
    if (DIRECT) {
      const files = await listSourceFiles(exportDir, 'FOLDER');
      await services.store.importSources.recordFiles(
        source.id,
        files.map((f) => ({ ...f, status: 'stored' as const })),
      );
      await dataSource.query('VACUUM ANALYZE import_source_file'); // as autovacuum would after a large first scan
      console.log(`--direct: ${files.length} files recorded as stored in ${seconds(t).toFixed(1)} s`);
      // The first scan after that reads every file's row (no folder is known yet) and records the
      // folders' digests, as the first scan that imports them does; untimed in the median.
      t = performance.now();
      await services.importSourceScans.run({ sourceId: source.id });
      console.log(`first scan over the recorded files (writes the folder digests): ${seconds(t).toFixed(2)} s`);
    } else {
      const first = await services.importSourceScans.run({ sourceId: source.id });
      const [{ n: stored }]: { n: number }[] = await dataSource.query('SELECT count(*)::int AS n FROM frame');
      if (first.status !== 'scanned' || stored !== frames)
        throw new Error(`first scan stored ${stored} of ${frames} frames: ${JSON.stringify(first)}`);
      console.log(`first scan (imports every frame): ${seconds(t).toFixed(1)} s, ${stored} frames stored`);
    }

    // whole rescans, as the import-source job runs them (claim, scan, record, release)
    const totals: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < RESCANS; i++) {
      t = performance.now();
      const cpu = process.cpuUsage();
      const result = await services.importSourceScans.run({ sourceId: source.id });
      totals.push(seconds(t));
      const used = process.cpuUsage(cpu);
      cpus.push((used.user + used.system) / 1e6);
      if (result.filesImported !== 0 || result.filesUnchanged !== frames + EMBRYOS)
        throw new Error(`rescan was not a no-op: ${JSON.stringify(result)}`);
      console.log(`  rescan ${i + 1}: ${totals[i].toFixed(2)} s (node CPU ${cpus[i].toFixed(2)} s) ${loadTag(1)}`);
    }
    // where the time goes: the same steps one by one, as many times; and, for comparison under the
    // same load, what the rescan did before folder digests and GNU find (read every row, walk in-process)
    const parts = {
      list: [] as number[],
      database: [] as number[],
      compare: [] as number[],
      walk: [] as number[],
      everyRow: [] as number[],
      compareAll: [] as number[],
    };
    for (let i = 0; i < RESCANS; i++) {
      t = performance.now();
      const listed = await listSourceFiles(exportDir, 'FOLDER');
      parts.list.push(seconds(t));
      t = performance.now();
      const known = await services.store.importSources.folders(source.id);
      const db = seconds(t);
      t = performance.now();
      const triage = triageFolders(listedFolders(listed), known);
      const compare = seconds(t);
      t = performance.now();
      const seen = await services.store.importSources.seenFiles(source.id, triage.lookAt);
      parts.database.push(db + seconds(t));
      t = performance.now();
      planScan(triage.listedToCompare, seen, { kind: 'FOLDER', now: Date.now(), settleMs: 0 });
      parts.compare.push(compare + seconds(t));

      t = performance.now();
      (await walk(exportDir, wantedBy('FOLDER'))).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      parts.walk.push(seconds(t));
      t = performance.now();
      const every = await services.store.importSources.seenFiles(source.id);
      parts.everyRow.push(seconds(t));
      t = performance.now();
      planScan(listed, every, { kind: 'FOLDER', now: Date.now(), settleMs: 0 });
      parts.compareAll.push(seconds(t));
    }
    await services.close();

    const whole = median(totals);
    const m = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, median(v)])) as Record<
      keyof typeof parts,
      number
    >;
    console.log(`\nrescans of ${frames} stored frames (+${EMBRYOS} time files), nothing new:`);
    console.log(
      `median ${whole.toFixed(2)} s wall, ${median(cpus).toFixed(2)} s node CPU, over ${RESCANS} rescans ${loadTag(1)}`,
    );
    console.log(
      `parts (medians): list folder (GNU find) ${m.list.toFixed(2)} s, database (known folders + rows of changed ones) ${m.database.toFixed(3)} s, ` +
        `folder digests + compare ${m.compare.toFixed(3)} s, other (lease, claim, health) ${Math.max(0, whole - m.list - m.database - m.compare).toFixed(2)} s ` +
        `(in the rescan, the listing and the database run at once)`,
    );
    console.log(
      `the same steps as before (medians, same load): walk in this process (readdir + stat, sorted) ${m.walk.toFixed(2)} s, ` +
        `read every row ${m.everyRow.toFixed(2)} s, compare every file ${m.compareAll.toFixed(3)} s; ` +
        `sum ${(m.walk + m.everyRow + m.compareAll).toFixed(2)} s ${loadTag(1)}`,
    );
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Rescan cost of an import source: a folder export of 100,000 frames (100 embryos × 7 planes × 143
 * runs, by default) is imported once through the source (every frame really stored), then the
 * source is scanned again several times with nothing new. Each rescan lists the folder, reads what
 * the source has seen (one query) and compares path, size and mtime in memory: no file is read and
 * nothing is decoded. Prints each rescan and the median. Target: a few seconds.
 *
 *   npm run bench:source-rescan -- --embryos 100 --runs 143 --rescans 5 [--direct]
 *   DATABASE_URL=postgres://… uses that server (a throw-away database is created and dropped);
 *   otherwise an embedded PostgreSQL starts in a temp folder.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import sharp from 'sharp';
import { createAppDataSource } from '../src/app/database';
import { createServices } from '../src/app/services';
import { listSourceFiles } from '../src/ingest/sources/source-files';
import { planScan } from '../src/ingest/sources/scan-plan';
import { startEmbeddedPostgres } from '../src/platform/database/embedded-postgres';
import { createLogger } from '../src/platform/logger';
import { freePort } from '../src/platform/net/free-port';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

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
const log = createLogger('warn');

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const frames = EMBRYOS * PLANES.length * RUNS;
  console.log(
    `cores ${availableParallelism()}, ${EMBRYOS} embryos × ${PLANES.length} planes × ${RUNS} runs = ${frames} frames`,
  );
  const scratch = await mkdtemp(join(tmpdir(), 'amsnet-bench-rescan-'));
  await chmod(scratch, 0o755);
  let embedded: { url: string; stop(): Promise<void> } | undefined;
  let admin: Client | undefined;
  const dbName = `amsnet_bench_rescan_${process.pid}`;
  try {
    const exportDir = join(scratch, 'export');
    let t = performance.now();
    await generate(exportDir);
    console.log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      embedded = await startEmbeddedPostgres(join(scratch, 'db'), await freePort(), log);
      adminUrl = embedded.url;
    }
    admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    const dataSource = createAppDataSource({
      url: url.toString(),
      poolSize: 4,
      applicationName: 'amsnet-bench-rescan',
    });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const services = createServices({
      dataSource,
      databaseUrl: url.toString(),
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
      console.log(
        `--direct: ${files.length} files recorded as stored in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
    } else {
      const first = await services.importSourceScans.run({ sourceId: source.id });
      const firstS = (performance.now() - t) / 1000;
      const [{ n: stored }]: { n: number }[] = await dataSource.query('SELECT count(*)::int AS n FROM frame');
      if (first.status !== 'scanned' || stored !== frames)
        throw new Error(`first scan stored ${stored} of ${frames} frames: ${JSON.stringify(first)}`);
      console.log(`first scan (imports every frame): ${firstS.toFixed(1)} s, ${stored} frames stored`);
    }

    const totals: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < RESCANS; i++) {
      t = performance.now();
      const cpu = process.cpuUsage();
      const result = await services.importSourceScans.run({ sourceId: source.id });
      const s = (performance.now() - t) / 1000;
      const used = process.cpuUsage(cpu);
      cpus.push((used.user + used.system) / 1e6);
      if (result.filesImported !== 0 || result.filesUnchanged !== frames + EMBRYOS)
        throw new Error(`rescan was not a no-op: ${JSON.stringify(result)}`);
      totals.push(s);
    }
    // where the time goes, once more by parts
    t = performance.now();
    const listed = await listSourceFiles(exportDir, 'FOLDER');
    const listS = (performance.now() - t) / 1000;
    t = performance.now();
    const seen = await services.store.importSources.seenFiles(source.id);
    const seenS = (performance.now() - t) / 1000;
    t = performance.now();
    planScan(listed, seen, { kind: 'FOLDER', now: Date.now(), settleMs: 0 });
    const planS = (performance.now() - t) / 1000;
    await services.close();
    await dataSource.destroy();

    console.log(`\nrescans of ${frames} stored frames (+${EMBRYOS} time files), nothing new:`);
    console.log(
      totals.map((s, i) => `  rescan ${i + 1}: ${s.toFixed(2)} s (node CPU ${cpus[i].toFixed(2)} s)`).join('\n'),
    );
    console.log(
      `median ${median(totals).toFixed(2)} s wall, ${median(cpus).toFixed(2)} s node CPU, over ${RESCANS} rescans (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`,
    );
    console.log(
      `parts: list folder (readdir + stat) ${listS.toFixed(2)} s, read seen files ${seenS.toFixed(2)} s, compare ${planS.toFixed(3)} s`,
    );
  } finally {
    await admin?.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin?.end();
    await embedded?.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

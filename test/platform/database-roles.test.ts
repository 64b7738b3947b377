import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import { ALLOW_AUDIT_LOG_DROP } from '../../migrations/audit-log-guard';
import { openAppDatabase } from '../../src/app/database';
import { JobQueue } from '../../src/jobs/job-queue';
import { loadConfig } from '../../src/platform/config';
import { canTamperWithAuditLog } from '../../src/platform/database/application-role';
import type { OpenDatabase } from '../../src/platform/database/open-database';
import type { Logger } from '../../src/platform/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/** A logger that keeps the warnings it was given (the rest is dropped). */
function recordingLog(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const log = {
    warn: (a: unknown, b?: unknown) => warnings.push(String(typeof a === 'string' ? a : b)),
    info: () => undefined,
    debug: () => undefined,
    error: () => undefined,
  } as unknown as Logger;
  return { log, warnings };
}

/**
 * Least privilege: migrations run as the schema's owner (DATABASE_OWNER_URL), the application as
 * DATABASE_URL's role, which may append to the audit log and read it, and nothing more there.
 */
describe('database roles: owner migrates, the application only appends to the audit log', () => {
  let db: TestDatabase;
  let admin: Client;
  const role = `amsnet_app_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let app: OpenDatabase;
  const { log, warnings } = recordingLog();

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = new Client({ connectionString: process.env.AMSNET_TEST_ADMIN_URL }); // outlives the test database
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    const appUrl = new URL(db.url);
    appUrl.username = role;
    appUrl.password = password;
    const config = loadConfig({ DATABASE_URL: appUrl.toString(), DATABASE_OWNER_URL: db.url });
    app = await openAppDatabase(config, log, { migrate: true, poolSize: 2, warnWhenPrivileged: true });
  });
  afterAll(async () => {
    await app?.close();
    await db.destroy(); // drops the grants with the database
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  const denied = (ds: DataSource, sql: string, message: RegExp) =>
    expect(ds.query(sql)).rejects.toThrow(
      expect.objectContaining({ constructor: QueryFailedError, message: expect.stringMatching(message) }),
    );

  it('connects as its own role, which may append to and read the audit log', async () => {
    expect((await app.dataSource.query(`SELECT current_user AS u`))[0].u).toBe(role);
    await app.dataSource.query(`INSERT INTO audit_event (action, entity) VALUES ('TEST', 'clinic')`);
    expect((await app.dataSource.query(`SELECT count(*)::int AS n FROM audit_event`))[0].n).toBeGreaterThan(0);
    expect(await canTamperWithAuditLog(app.dataSource)).toBe(false);
    expect(await canTamperWithAuditLog(db.dataSource)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('cannot update, delete, truncate, unhook or drop the audit log, nor move its chain', async () => {
    const ds = app.dataSource;
    await denied(ds, `UPDATE audit_event SET action = 'X'`, /permission denied for table audit_event/);
    await denied(ds, `DELETE FROM audit_event`, /permission denied for table audit_event/);
    await denied(ds, `TRUNCATE audit_event`, /permission denied for table audit_event/);
    await denied(
      ds,
      `ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update`,
      /must be owner of table audit_event/,
    );
    await denied(ds, `ALTER TABLE audit_event DISABLE TRIGGER audit_event_chain`, /must be owner of table audit_event/);
    await denied(ds, `DROP TABLE audit_event`, /must be owner of table audit_event/);
    await denied(
      ds,
      `DROP TRIGGER audit_event_no_update ON audit_event`,
      /must be owner of (table|relation) audit_event/,
    );
    await denied(ds, `UPDATE audit_chain_head SET seq = 0`, /permission denied for table audit_chain_head/);
    await denied(
      ds,
      `INSERT INTO audit_chain_head VALUES ('x', 0, 'x')`,
      /permission denied for table audit_chain_head/,
    );
    await denied(ds, `SET session_replication_role = replica`, /permission denied/);
    await denied(ds, `DELETE FROM typeorm_migrations`, /permission denied for table typeorm_migrations/);
    await denied(ds, `CREATE TABLE public.intruder (id int)`, /permission denied for schema public/);
  });

  it('reads and writes the rows of the data tables, and deletes only what the application deletes', async () => {
    const ds = app.dataSource;
    const [clinic] = await ds.query(`INSERT INTO clinic (code, name) VALUES ('roles-ok', 'Roles') RETURNING id`);
    await ds.query(`UPDATE clinic SET name = 'Renamed' WHERE id = $1`, [clinic.id]);
    const [user] = await ds.query(`INSERT INTO "user" (email) VALUES ('roles@example.org') RETURNING id`);
    await ds.query(`INSERT INTO membership (user_id, clinic_id, role) VALUES ($1, $2, 'CLINICIAN')`, [
      user.id,
      clinic.id,
    ]);
    await ds.query(`DELETE FROM membership WHERE user_id = $1`, [user.id]); // revoking a membership
    await ds.query(`DELETE FROM scoring_stream_state WHERE segments = 0`);
    for (const table of ['clinic', 'patient', 'frame_image', 'prediction', 'scoring_run', 'import_run']) {
      await denied(ds, `DELETE FROM ${table}`, new RegExp(`permission denied for table ${table}`));
    }
    await denied(ds, `TRUNCATE clinic CASCADE`, /permission denied for table clinic/);
  });

  it('owns the job queue’s schema (pg-boss creates its tables there)', async () => {
    const [row] = await db.dataSource.query(
      `SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'pgboss'`,
    );
    expect(row).toEqual({ owner: role });
    const queue = await JobQueue.open(app.url, { poolSize: 1 });
    await queue.stop();
    const [job] = await db.dataSource.query(
      `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'pgboss.job'::regclass`,
    );
    expect(job).toEqual({ owner: role });
  });

  it('an api or worker given only the application role starts when the owner has migrated (compose)', async () => {
    const config = loadConfig({ DATABASE_URL: app.url });
    const started = await openAppDatabase(config, log, { migrate: true, poolSize: 1, warnWhenPrivileged: true });
    try {
      expect((await started.dataSource.query(`SELECT current_user AS u`))[0].u).toBe(role);
    } finally {
      await started.close();
    }
    expect(warnings).toEqual([]);
  });

  it('keeps the grants right across a revert and a new migration (run by the owner)', async () => {
    await app.asOwner((owner) => owner.undoLastMigration({ transaction: 'each' }), { [ALLOW_AUDIT_LOG_DROP]: 'on' });
    await app.asOwner((owner) => owner.runMigrations({ transaction: 'each' }));
    await app.dataSource.query(`INSERT INTO audit_event (action, entity) VALUES ('TEST', 'clinic')`);
    await denied(app.dataSource, `UPDATE audit_event SET action = 'X'`, /permission denied for table audit_event/);
    await denied(app.dataSource, `UPDATE audit_chain_head SET seq = 0`, /permission denied for table audit_chain_head/);
  });

  it('with one DATABASE_URL only: works as before, and says the audit log is not protected', async () => {
    const single = recordingLog();
    const config = loadConfig({ DATABASE_URL: db.url });
    const one = await openAppDatabase(config, single.log, { migrate: true, poolSize: 1, warnWhenPrivileged: true });
    try {
      await one.dataSource.query(`INSERT INTO audit_event (action, entity) VALUES ('TEST', 'clinic')`);
    } finally {
      await one.close();
    }
    expect(single.warnings).toEqual([expect.stringMatching(/owns the audit log.*DATABASE_OWNER_URL/)]);
  });
});

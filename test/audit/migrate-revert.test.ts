import { createAppDataSource } from '../../src/app/database';
import { childEnv, runCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/** Reverting migrations never drops the audit log (or its hash chain) as a side effect. */
describe('migrate --revert and the audit log', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    // The chain's migration is reverted last-first: undo the migrations that came after it.
    const ds = createAppDataSource({ url: db.url, poolSize: 1 });
    await ds.initialize();
    try {
      const last = async () =>
        ((await ds.query(`SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1`)) as { name: string }[])[0]
          .name;
      while (!(await last()).startsWith('AuditHashChain')) await ds.undoLastMigration({ transaction: 'each' });
    } finally {
      await ds.destroy();
    }
  });
  afterAll(async () => db.destroy());

  const hasChain = async () =>
    (
      await db.dataSource.query(
        `SELECT 1 FROM information_schema.columns WHERE table_name = 'audit_event' AND column_name = 'hash'`,
      )
    ).length === 1;

  it('refuses to revert the audit log’s migration on a plain connection', async () => {
    const ds = createAppDataSource({ url: db.url, poolSize: 1 });
    await ds.initialize();
    try {
      await expect(ds.undoLastMigration({ transaction: 'each' })).rejects.toThrow(/would drop the audit log/);
    } finally {
      await ds.destroy();
    }
    expect(await hasChain()).toBe(true);
  });

  it('`migrate --revert` refuses without --drop-audit-log and reverts with it', async () => {
    await db.dataSource.query(`INSERT INTO audit_event (action, entity) VALUES ('TEST', 'clinic')`);
    const env = childEnv({ DATABASE_URL: db.url });
    const refused = await runCli(['migrate', '--revert'], { env });
    expect(refused.stderr).toMatch(
      /^amsnet: reverting AuditHashChain\d+ would drop the audit log or its hash chain: refused \(pass --drop-audit-log/,
    );
    expect(refused.code).toBe(1);
    expect(await hasChain()).toBe(true);

    const lone = await runCli(['migrate', '--drop-audit-log'], { env });
    expect(lone.stderr).toMatch(/--drop-audit-log is an option of --revert only/);
    expect(await hasChain()).toBe(true);

    const reverted = await runCli(['migrate', '--revert', '--drop-audit-log'], { env });
    expect(reverted.stdout).toContain('reverted the last migration');
    expect(reverted.code).toBe(0);
    expect(await hasChain()).toBe(false);
    expect(Number((await db.dataSource.query(`SELECT count(*) AS n FROM audit_event`))[0].n)).toBe(1);
  });
});

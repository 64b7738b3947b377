import type { AccountsService } from '../../src/accounts/accounts.service';
import { ensureFirstStartAdmin } from '../../src/accounts/first-start';
import { verifyPassword } from '../../src/auth/password';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic } from '../helpers/factories';

describe('AccountsService', () => {
  let db: TestDatabase;
  let accounts: AccountsService;
  beforeAll(async () => {
    db = await createTestDatabase();
    accounts = db.services.accounts;
  });
  afterAll(async () => db.destroy());

  it('stores an argon2id hash, never the password, and audits the creation', async () => {
    const clinic = await newClinic(db.dataSource);
    const password = 'correct horse battery staple';
    const user = await accounts.createUser(
      { email: 'Embryo.Logist@Clinic.example', password },
      { clinic: { grant: db.services.system.clinic(clinic.id), role: 'EMBRYOLOGIST' } },
    );
    expect(user.email).toBe('embryo.logist@clinic.example');
    const [row] = await db.dataSource.query(`SELECT * FROM "user" WHERE id = $1`, [user.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(row)).not.toContain(password);
    expect(await verifyPassword(row.password_hash, password)).toBe(true);
    expect(await verifyPassword(row.password_hash, 'wrong password!')).toBe(false);
    const [membership] = await db.dataSource.query(`SELECT role FROM membership WHERE user_id = $1`, [user.id]);
    expect(membership.role).toBe('EMBRYOLOGIST');
    const actions = (
      await db.dataSource.query(`SELECT action FROM audit_event WHERE entity_id = $1 ORDER BY id`, [user.id])
    ).map((r: { action: string }) => r.action);
    expect(actions).toEqual(['USER_CREATED', 'MEMBERSHIP_GRANTED']);
  });

  it('refuses a duplicate e-mail, a short password and a bad clinic code', async () => {
    await accounts.createUser(
      { email: 'dup@example.org', password: 'long enough password' },
      { network: db.services.system.network() },
    );
    await expect(
      accounts.createUser(
        { email: 'DUP@example.org', password: 'long enough password' },
        { network: db.services.system.network() },
      ),
    ).rejects.toThrow(/already exists/);
    await expect(
      accounts.createUser({ email: 'short@example.org', password: 'short' }, { network: db.services.system.network() }),
    ).rejects.toThrow(/at least 12/);
    await expect(
      accounts.createClinic({ code: 'no spaces!', name: 'x' }, db.services.system.network()),
    ).rejects.toThrow(/clinic code/);
  });
});

describe('first start', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase()));
  afterAll(async () => db.destroy());

  it('creates the demo clinic and one admin on an empty database, once, even when raced', async () => {
    const results = await Promise.all([ensureFirstStartAdmin(db.services), ensureFirstStartAdmin(db.services)]);
    const created = results.filter((r) => r !== undefined);
    expect(created).toHaveLength(1);
    const admin = created[0]!;
    const [row] = await db.dataSource.query(
      `SELECT u.password_hash, u.network_admin, m.role FROM "user" u JOIN membership m ON m.user_id = u.id WHERE u.email = $1`,
      [admin.email],
    );
    expect(row.role).toBe('ADMIN');
    expect(await verifyPassword(row.password_hash, admin.password)).toBe(true);
    expect(await ensureFirstStartAdmin(db.services)).toBeUndefined();
  });
});

import { LoginRateLimiter } from '../../src/auth/login-rate-limiter';
import { AuditEvent, type Clinic } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic } from '../helpers/factories';
import { newPasswordUser } from '../helpers/graphql-factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';

/**
 * Abuse of the public `login` mutation (issue 17): the audit rows one address can make the server
 * write, what a failed sign-in stores, aliases and parallel attempts, and the limit shared by
 * several API processes (each TestApi has its own limiter object, as a process would).
 */
const PASSWORD = 'correct horse battery staple';
const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';

let db: TestDatabase;
let clinic: Clinic;
const apis: TestApi[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  clinic = await newClinic(db.dataSource);
});
afterAll(async () => {
  for (const api of apis) await api.stop();
  await db?.destroy();
});

async function api(address: string, options: Parameters<typeof createTestApi>[1] = {}): Promise<TestApi> {
  const created = await createTestApi(db, { address, ...options });
  apis.push(created);
  return created;
}

const failedRows = async (address: string) =>
  (await db.dataSource.getRepository(AuditEvent).findBy({ action: 'LOGIN_FAILED' })).filter(
    (e) => (e.detail as { address?: string }).address === address,
  );

describe('LOGIN_FAILED audit rows', () => {
  it('writes one row per throttled window, not one per attempt: 100 failures from one address', async () => {
    const address = '203.0.113.10';
    const t = await api(address); // default limits: 5 per e-mail, 20 per address, 15 min
    const seen: string[] = [];
    for (let i = 0; i < 100; i++)
      seen.push(...codes(await t.gql(LOGIN, { e: `spray-${i}@example.org`, p: 'wrong-wrong-wrong' })));
    expect(seen.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(20);
    expect(seen.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(80);
    const rows = await failedRows(address);
    // before: 100 rows (one per attempt); after: 20 failures + 1 for the throttled window
    expect(rows).toHaveLength(21);
    expect(rows.filter((r) => (r.detail as { reason?: string }).reason === 'rate-limited')).toHaveLength(1);
  });

  it('writes at most limit + 1 rows for one e-mail hammered from one address', async () => {
    const address = '203.0.113.11';
    const t = await api(address);
    for (let i = 0; i < 30; i++) await t.gql(LOGIN, { e: 'target@example.org', p: `guess-${i}-guess` });
    expect(await failedRows(address)).toHaveLength(5 + 1);
  });

  it('never stores what was typed when it is not an e-mail address (a password in the wrong field)', async () => {
    const address = '203.0.113.12';
    const t = await api(address);
    expect(codes(await t.gql(LOGIN, { e: 'Tr0ub4dor&3-secret', p: 'x' }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await t.gql(LOGIN, { e: 'someone@example.org', p: 'x' }))).toEqual(['UNAUTHENTICATED']);
    const rows = await failedRows(address);
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows)).not.toContain('Tr0ub4dor');
    expect(rows.map((r) => (r.detail as { email: string | null }).email).sort()).toEqual([null, 'someone@example.org']);
    // and the limiter's own table keeps e-mails only as hashes
    const keys: { key: string }[] = await db.dataSource.query('SELECT key FROM login_attempt');
    expect(JSON.stringify(keys)).not.toMatch(/Tr0ub4dor|someone@/i);
  });
});

describe('one operation, one credential check', () => {
  it('refuses aliased logins in one operation before any password is checked', async () => {
    const address = '203.0.113.20';
    const t = await api(address);
    const aliases = Array.from(
      { length: 3 },
      (_, i) => `a${i}: login(email: "x${i}@example.org", password: "p") { token }`,
    );
    const result = await t.gql(`mutation { ${aliases.join(' ')} }`);
    expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(result.errors![0].message).toMatch(/"login" may appear only once/);
    // through a fragment too
    const viaFragment = await t.gql(
      'mutation { ...L a: login(email: "y@example.org", password: "p") { token } } fragment L on Mutation { login(email: "z@example.org", password: "p") { token } }',
    );
    expect(codes(viaFragment)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await failedRows(address)).toHaveLength(0);
  });

  it('refuses more than 20 root fields in one operation, and accepts 20', async () => {
    const t = await api('203.0.113.21');
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `h${i}: health { status }`).join(' ');
    expect(codes(await t.gql(`{ ${fields(21)} }`))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes(await t.gql(`{ ${fields(20)} }`))).toEqual([]);
  });
});

describe('the rate limit, reserved before the password check and shared through PostgreSQL', () => {
  it('lets exactly the limit through when 20 wrong attempts arrive at once', async () => {
    const t = await api('203.0.113.30');
    const user = await newPasswordUser(db.dataSource, PASSWORD, { clinic, role: 'CLINICIAN' });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.gql(LOGIN, { e: user.email, p: `wrong-${i}-wrong` })),
    );
    const seen = results.flatMap(codes);
    // before: all 20 passed the check (recorded only after the slow argon2 verify)
    expect(seen.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(seen.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(15);
    expect(codes(await t.gql(LOGIN, { e: user.email, p: PASSWORD }))).toEqual(['TOO_MANY_REQUESTS']);
  });

  it('counts failures made through one API process in another', async () => {
    const first = await api('203.0.113.31');
    const second = await api('203.0.113.32');
    const user = await newPasswordUser(db.dataSource, PASSWORD);
    for (let i = 0; i < 5; i++) await first.gql(LOGIN, { e: user.email, p: 'wrong-wrong-wrong' });
    expect(codes(await second.gql(LOGIN, { e: user.email, p: PASSWORD }))).toEqual(['TOO_MANY_REQUESTS']);
  });

  it('a success clears the e-mail count (not the address one) and takes its own reservation back', async () => {
    const t = await api('203.0.113.33');
    const user = await newPasswordUser(db.dataSource, PASSWORD);
    for (let i = 0; i < 4; i++) await t.gql(LOGIN, { e: user.email, p: 'wrong-wrong-wrong' });
    expect(codes(await t.gql(LOGIN, { e: user.email, p: PASSWORD }))).toEqual([]);
    for (let i = 0; i < 4; i++) await t.gql(LOGIN, { e: user.email, p: 'wrong-wrong-wrong' });
    expect(codes(await t.gql(LOGIN, { e: user.email, p: PASSWORD }))).toEqual([]);
    const [{ count }] = await db.dataSource.query(
      "SELECT count(*)::int AS count FROM login_attempt WHERE key = 'address:203.0.113.33'",
    );
    expect(count).toBe(8);
  });

  it('limits per address across e-mails and forgets failures after the window', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const limiter = new LoginRateLimiter(
      db.services.store,
      { windowSeconds: 60, maxFailuresPerEmail: 5, maxFailuresPerAddress: 3 },
      () => now,
    );
    for (const email of ['a@x.example', 'b@x.example', 'c@x.example'])
      expect((await limiter.reserve(email, '10.9.9.1')).ok).toBe(true);
    const refused = await limiter.reserve('d@x.example', '10.9.9.1');
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 60, firstInWindow: true });
    expect(await limiter.reserve('d@x.example', '10.9.9.1')).toMatchObject({ ok: false, firstInWindow: false });
    expect((await limiter.reserve('d@x.example', '10.9.9.2')).ok).toBe(true);
    now += 61_000;
    expect((await limiter.reserve('e@x.example', '10.9.9.1')).ok).toBe(true);
  });
});

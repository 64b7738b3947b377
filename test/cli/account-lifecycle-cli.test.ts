import { User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic } from '../helpers/factories';
import { newPasswordUser } from '../helpers/graphql-factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';
import { childEnv, runCli } from '../helpers/cli';

/** `amsnet user reset-password|disable|enable|sessions|sign-out`: the operator's account lifecycle. */
let db: TestDatabase;
let t: TestApi;

beforeAll(async () => {
  db = await createTestDatabase();
  t = await createTestApi(db);
});
afterAll(async () => {
  await t?.stop();
  await db?.destroy();
});

const cli = (...args: string[]) => runCli(['user', ...args], { env: childEnv({ DATABASE_URL: db.url }) });
const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token mustChangePassword } }';

it('resets a password to a temporary one that must be changed, disables, enables and lists sessions', async () => {
  const clinic = await newClinic(db.dataSource);
  const user = await newPasswordUser(db.dataSource, 'the original passphrase', { clinic, role: 'CLINICIAN' });
  const signedIn = await t.gql(LOGIN, { e: user.email, p: 'the original passphrase' });
  expect(signedIn.errors).toBeUndefined();

  const sessions = await cli('sessions', '--email', user.email);
  expect(sessions.code).toBe(0);
  expect(sessions.stdout).toMatch(/signed in .* expires .* from 127\.0\.0\.1/);

  const reset = await cli('reset-password', '--email', user.email.toUpperCase());
  expect(reset.code).toBe(0);
  const temporary = /: (\S+)\s*$/.exec(reset.stdout)?.[1];
  expect(temporary).toHaveLength(20);
  await expect(t.gql('{ me { id } }', {}, signedIn.data.login.token)).rejects.toThrow(/invalid or expired token/);
  expect((await t.gql(LOGIN, { e: user.email, p: temporary })).data.login.mustChangePassword).toBe(true);
  expect((await cli('sessions', '--email', user.email)).stdout).toMatch(/signed in/);
  expect((await cli('sign-out', '--email', user.email)).code).toBe(0);
  expect((await cli('sessions', '--email', user.email)).stdout).toContain('no active session');

  expect((await cli('disable', '--email', user.email)).stdout).toContain('disabled');
  expect((await db.dataSource.getRepository(User).findOneByOrFail({ id: user.id })).disabled).toBe(true);
  expect(codes(await t.gql(LOGIN, { e: user.email, p: temporary }))).toEqual(['UNAUTHENTICATED']);
  expect((await cli('enable', '--email', user.email)).stdout).toContain('enabled');
  expect(codes(await t.gql(LOGIN, { e: user.email, p: temporary }))).toEqual([]);
});

it('names an unknown e-mail in one line and exits non-zero', async () => {
  const result = await cli('disable', '--email', 'nobody@example.org');
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('no user with e-mail nobody@example.org');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

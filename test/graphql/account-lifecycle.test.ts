import { ensureFirstStartAdmin } from '../../src/accounts/first-start';
import { AuditEvent, type Clinic, type User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newMember, newMembership } from '../helpers/factories';
import { newPasswordUser } from '../helpers/graphql-factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';

/**
 * The account lifecycle of issue 17 through the API: own password change, administrator reset with
 * a temporary password, disable/enable, sessions, revocation of tokens (password change, disable,
 * role change), the maximum age of a session, and the first-start password.
 */
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase 42';
const LOGIN =
  'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresAt mustChangePassword } }';
const CHANGE =
  'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token mustChangePassword } }';
const ME = '{ me { id } }';

let db: TestDatabase;
let t: TestApi;
let clinicA: Clinic;
let clinicB: Clinic;
let adminA: User;
let adminB: User;
let networkAdmin: User;

beforeAll(async () => {
  db = await createTestDatabase();
  t = await createTestApi(db, {
    sessionMaxAgeSeconds: 3600,
    loginRateLimits: { windowSeconds: 60, maxFailuresPerEmail: 50, maxFailuresPerAddress: 1000 },
  });
  clinicA = await newClinic(db.dataSource);
  clinicB = await newClinic(db.dataSource);
  adminA = await newMember(db.dataSource, clinicA, 'ADMIN');
  adminB = await newMember(db.dataSource, clinicB, 'ADMIN');
  networkAdmin = await newMember(db.dataSource, clinicA, 'CLINICIAN', { networkAdmin: true });
});
afterAll(async () => {
  await t?.stop();
  await db?.destroy();
});

async function signIn(email: string, password: string) {
  const result = await t.gql(LOGIN, { e: email, p: password });
  expect(result.errors).toBeUndefined();
  return result.data.login as { token: string; expiresAt: string; mustChangePassword: boolean };
}

const actions = async (userId: string) =>
  (await db.dataSource.getRepository(AuditEvent).findBy({ entityId: userId })).map((e) => e.action);

describe('changePassword', () => {
  it('needs the current password, revokes every other token and returns one of a new session', async () => {
    const user = await newPasswordUser(db.dataSource, PASSWORD, { clinic: clinicA, role: 'CLINICIAN' });
    const first = await signIn(user.email, PASSWORD);
    const second = await signIn(user.email, PASSWORD);
    const wrong = await t.gql(CHANGE, { c: 'not my password!', n: NEW_PASSWORD }, first.token);
    expect(codes(wrong)).toEqual(['BAD_USER_INPUT']);
    expect(codes(await t.gql(CHANGE, { c: PASSWORD, n: 'short' }, first.token))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await t.gql(ME, {}, second.token))).toEqual([]); // nothing changed yet

    const changed = await t.gql(CHANGE, { c: PASSWORD, n: NEW_PASSWORD }, first.token);
    expect(changed.errors).toBeUndefined();
    await expect(t.gql(ME, {}, first.token)).rejects.toThrow(/invalid or expired token/);
    await expect(t.gql(ME, {}, second.token)).rejects.toThrow(/invalid or expired token/);
    expect((await t.gql(ME, {}, changed.data.changePassword.token)).data.me.id).toBe(user.id);
    expect(codes(await t.gql(LOGIN, { e: user.email, p: PASSWORD }))).toEqual(['UNAUTHENTICATED']);
    await signIn(user.email, NEW_PASSWORD);
    expect(await actions(user.id)).toEqual(expect.arrayContaining(['PASSWORD_CHANGE_FAILED', 'PASSWORD_CHANGED']));
  });

  it('lists only the sessions still valid, marking the current one', async () => {
    const user = await newPasswordUser(db.dataSource, PASSWORD);
    const one = await signIn(user.email, PASSWORD);
    await signIn(user.email, PASSWORD);
    const sessions = (await t.gql('{ mySessions { id current expiresAt } }', {}, one.token)).data.mySessions;
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    await t.gql('mutation { revokeSessions { id } }', {}, one.token);
    await expect(t.gql(ME, {}, one.token)).rejects.toThrow(/invalid or expired token/);
    const again = await signIn(user.email, PASSWORD);
    expect((await t.gql('{ mySessions { id } }', {}, again.token)).data.mySessions).toHaveLength(1);
  });
});

describe('administrator reset, disable and enable', () => {
  it('a reset gives a temporary password that allows nothing but changing it', async () => {
    const user = await newPasswordUser(db.dataSource, PASSWORD, { clinic: clinicA, role: 'EMBRYOLOGIST' });
    const before = await signIn(user.email, PASSWORD);
    const reset = await t.gql(
      'mutation($u: ID!) { resetUserPassword(userId: $u) { temporaryPassword user { id mustChangePassword } } }',
      { u: user.id },
      adminA,
    );
    expect(reset.errors).toBeUndefined();
    const temporary = reset.data.resetUserPassword.temporaryPassword as string;
    expect(reset.data.resetUserPassword.user).toEqual({ id: user.id, mustChangePassword: true });
    await expect(t.gql(ME, {}, before.token)).rejects.toThrow(/invalid or expired token/);

    const signedIn = await signIn(user.email, temporary);
    expect(signedIn.mustChangePassword).toBe(true);
    const refused = await t.gql('{ clinics { id } }', {}, signedIn.token);
    expect(codes(refused)).toEqual(['PASSWORD_CHANGE_REQUIRED']);
    expect(codes(await t.gql(ME, {}, signedIn.token))).toEqual([]);
    const changed = await t.gql(CHANGE, { c: temporary, n: NEW_PASSWORD }, signedIn.token);
    expect(changed.data.changePassword.mustChangePassword).toBe(false);
    expect(codes(await t.gql('{ clinics { id } }', {}, changed.data.changePassword.token))).toEqual([]);
    expect(await actions(user.id)).toEqual(expect.arrayContaining(['PASSWORD_RESET', 'PASSWORD_CHANGED']));
  });

  it('disabling revokes the tokens at once and refuses sign-in; enabling allows it again', async () => {
    const user = await newPasswordUser(db.dataSource, PASSWORD, { clinic: clinicA, role: 'CLINICIAN' });
    const session = await signIn(user.email, PASSWORD);
    const disabled = await t.gql('mutation($u: ID!) { disableUser(userId: $u) { disabled } }', { u: user.id }, adminA);
    expect(disabled.data.disableUser.disabled).toBe(true);
    await expect(t.gql(ME, {}, session.token)).rejects.toThrow(/invalid or expired token/);
    expect(codes(await t.gql(LOGIN, { e: user.email, p: PASSWORD }))).toEqual(['UNAUTHENTICATED']);
    await t.gql('mutation($u: ID!) { enableUser(userId: $u) { disabled } }', { u: user.id }, adminA);
    await signIn(user.email, PASSWORD);
    expect(await actions(user.id)).toEqual(expect.arrayContaining(['USER_DISABLED', 'USER_ENABLED']));
  });

  it("an ADMIN reaches only its clinics' users: another clinic's is NOT_FOUND, a shared one FORBIDDEN", async () => {
    const ofB = await newMember(db.dataSource, clinicB, 'CLINICIAN');
    const shared = await newMember(db.dataSource, clinicA, 'CLINICIAN');
    await newMembership(db.dataSource, shared, clinicB, 'CLINICIAN');
    const clinician = await newMember(db.dataSource, clinicA, 'CLINICIAN');
    const disable = 'mutation($u: ID!) { disableUser(userId: $u) { id } }';
    expect(codes(await t.gql(disable, { u: ofB.id }, adminA))).toEqual(['NOT_FOUND']);
    expect(codes(await t.gql(disable, { u: '00000000-0000-4000-8000-000000000000' }, adminA))).toEqual(['NOT_FOUND']);
    expect(codes(await t.gql(disable, { u: shared.id }, adminA))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(disable, { u: networkAdmin.id }, adminA))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(disable, { u: adminA.id }, clinician))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(disable, { u: adminA.id }, adminA))).toEqual(['FORBIDDEN']); // not oneself
    expect(codes(await t.gql('query($u: ID!) { userSessions(userId: $u) { id } }', { u: ofB.id }, adminA))).toEqual([
      'NOT_FOUND',
    ]);
    // the other way: B's admin and a network admin
    expect(codes(await t.gql(disable, { u: ofB.id }, adminB))).toEqual([]);
    expect(codes(await t.gql(disable, { u: shared.id }, networkAdmin))).toEqual([]);
  });
});

describe('role changes and session age', () => {
  it("changing or revoking a user's role revokes its tokens", async () => {
    const user = await newPasswordUser(db.dataSource, PASSWORD, { clinic: clinicA, role: 'CLINICIAN' });
    const session = await signIn(user.email, PASSWORD);
    const grant =
      'mutation($u: ID!, $c: ID!) { grantMembership(userId: $u, clinicId: $c, role: EMBRYOLOGIST) { role } }';
    expect((await t.gql(grant, { u: user.id, c: clinicA.id }, adminA)).data.grantMembership.role).toBe('EMBRYOLOGIST');
    await expect(t.gql(ME, {}, session.token)).rejects.toThrow(/invalid or expired token/);
    const again = await signIn(user.email, PASSWORD);
    await t.gql(
      'mutation($u: ID!, $c: ID!) { revokeMembership(userId: $u, clinicId: $c) }',
      { u: user.id, c: clinicA.id },
      adminA,
    );
    await expect(t.gql(ME, {}, again.token)).rejects.toThrow(/invalid or expired token/);
  });

  it('refreshToken never extends a session past its maximum age from the sign-in', async () => {
    const user = await newPasswordUser(db.dataSource, PASSWORD);
    const signedIn = await signIn(user.email, PASSWORD);
    const refreshed = await t.gql('mutation { refreshToken { token expiresAt } }', {}, signedIn.token);
    expect(refreshed.errors).toBeUndefined();
    const signInTime = Date.now();
    expect(Date.parse(refreshed.data.refreshToken.expiresAt)).toBeLessThanOrEqual(signInTime + 3600 * 1000);

    const tokens = t.api.services.tokens;
    const old = new Date(Date.now() - 3600 * 1000 + 30_000); // 30 s of the 1 h left
    const nearlyOld = await tokens.issue(user.id, { signedInAt: old, sessionId: undefined });
    expect(Date.parse((await tokens.issue(user.id, { signedInAt: old })).expiresAt.toISOString())).toBeLessThanOrEqual(
      old.getTime() + 3600 * 1000,
    );
    expect(codes(await t.gql('mutation { refreshToken { token } }', {}, nearlyOld.token))).toEqual(['UNAUTHENTICATED']);
    await expect(tokens.issue(user.id, { signedInAt: new Date(Date.now() - 2 * 3600 * 1000) })).rejects.toThrow(
      /maximum age/,
    );
  });
});

describe('the first-start administrator', () => {
  it('must choose its own password at the first sign-in', async () => {
    const fresh = await createTestDatabase();
    const api = await createTestApi(fresh);
    try {
      const admin = (await ensureFirstStartAdmin(fresh.services))!;
      const first = await api.gql(LOGIN, { e: admin.email, p: admin.password });
      expect(first.data.login.mustChangePassword).toBe(true);
      const token = first.data.login.token as string;
      expect(codes(await api.gql('{ clinics { id } }', {}, token))).toEqual(['PASSWORD_CHANGE_REQUIRED']);
      const changed = await api.gql(CHANGE, { c: admin.password, n: NEW_PASSWORD }, token);
      expect(changed.errors).toBeUndefined();
      expect(codes(await api.gql('{ clinics { id } }', {}, changed.data.changePassword.token))).toEqual([]);
      const again = await api.gql(LOGIN, { e: admin.email, p: NEW_PASSWORD });
      expect(again.data.login.mustChangePassword).toBe(false);
    } finally {
      await api.stop();
      await fresh.destroy();
    }
  });
});

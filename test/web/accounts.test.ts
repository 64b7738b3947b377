import type { Browser } from 'playwright-core';
import { ensureFirstStartAdmin, type FirstStartAdmin } from '../../src/accounts/first-start';
import { User } from '../../src/entities';
import { newClinic, newMember } from '../helpers/factories';
import { newPasswordUser } from '../helpers/graphql-factories';
import { startHttpServer, type HttpServer } from '../../src/app/http-server';
import { loadConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createTestApi, TEST_JWT_SECRET } from '../helpers/graphql-client';
import {
  BROWSER_TEST_TIMEOUT_MS,
  launchChromium,
  openSession,
  screenshot,
  showPage,
  signIn,
  type BrowserSession,
} from './support/browser';

const OWN_PASSWORD = 'my own passphrase 2026';

/**
 * Accounts in the web app (real Chromium, real server): the first-start administrator must choose
 * its own password at the sign-in page; an administrator resets a password and disables a user
 * from the Users page; a user invited by another clinic accepts the invitation.
 */
let db: TestDatabase;
let http: HttpServer;
let chromium: Browser;
let admin: FirstStartAdmin;
const sessions: BrowserSession[] = [];

jest.setTimeout(BROWSER_TEST_TIMEOUT_MS);

beforeAll(async () => {
  db = await createTestDatabase();
  admin = (await ensureFirstStartAdmin(db.services))!;
  const config = loadConfig({ PORT: '0', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent' });
  http = await startHttpServer({ config, dataSource: db.dataSource, log: createLogger('silent'), host: '127.0.0.1' });
  chromium = await launchChromium();
}, 120_000);

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await chromium?.close();
  await http?.stop();
  await db?.destroy();
});

it('asks for a new password after a temporary one, then signs in with it', async () => {
  const session = await openSession(chromium, http.url);
  sessions.push(session);
  const page = await session.newPage();
  await page.goto(`${http.url}/`);
  await page.getByLabel('E-mail').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();

  await page.getByLabel('New password', { exact: true }).fill(OWN_PASSWORD);
  await page.getByLabel('New password again').fill('not the same passphrase');
  await page.getByRole('button', { name: 'Save and sign in' }).click();
  await page.getByText('The two new passwords are not the same.').waitFor();

  await page.getByLabel('New password again').fill(OWN_PASSWORD);
  await page.getByRole('button', { name: 'Save and sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
  await screenshot(page, 'first-start-password-changed');

  // the temporary password no longer works; the new one does, without the extra step
  const login = async (password: string) =>
    (await (
      await fetch(`${http.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { mustChangePassword } }',
          variables: { e: admin.email, p: password },
        }),
      })
    ).json()) as { data: { login: { mustChangePassword: boolean } } | null };
  expect((await login(admin.password)).data).toBeNull();
  expect((await login(OWN_PASSWORD)).data?.login.mustChangePassword).toBe(false);
});

it('lets an administrator reset a password and disable a user from the Users page', async () => {
  const member = await newPasswordUser(db.dataSource, 'the member passphrase', {
    clinic: admin.clinic,
    role: 'CLINICIAN',
  });
  const session = await openSession(chromium, http.url);
  sessions.push(session);
  const page = await session.newPage();
  await signIn(page, http.url, admin.email, OWN_PASSWORD); // chosen in the test above
  await showPage(page, '/admin/users');
  const row = page.getByRole('row', { name: new RegExp(member.email) });
  await row.getByRole('button', { name: 'Reset password…' }).click();
  await page.getByRole('button', { name: 'Reset password', exact: true }).click();
  const shown = await page.getByTestId('temporary-password').locator('code').textContent();
  expect(shown).toHaveLength(20);

  await row.getByRole('button', { name: 'Disable…' }).click();
  await page.getByRole('button', { name: 'Disable', exact: true }).click();
  await row.getByText('disabled').waitFor();
  await screenshot(page, 'accounts-admin-reset-disable');
  expect((await db.dataSource.getRepository(User).findOneByOrFail({ id: member.id })).disabled).toBe(true);
  await row.getByRole('button', { name: 'Enable' }).click();
  await row.getByText('active').waitFor();
});

it('shows an invitation of another clinic to the invited user, who accepts it', async () => {
  const other = await newClinic(db.dataSource, { name: 'Other IVF Clinic' });
  const otherAdmin = await newMember(db.dataSource, other, 'ADMIN');
  const api = await createTestApi(db);
  try {
    const invited = await api.gql(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      { i: { email: admin.email, clinicId: other.id, role: 'AUDITOR' } },
      otherAdmin,
    );
    expect(invited.errors).toBeUndefined();
  } finally {
    await api.stop();
  }
  const session = await openSession(chromium, http.url);
  sessions.push(session);
  const page = await session.newPage();
  await signIn(page, http.url, admin.email, OWN_PASSWORD);
  const card = page.getByTestId('invitations');
  await card.getByText('Other IVF Clinic invites you as auditor.').waitFor();
  await card.getByRole('button', { name: 'Accept' }).click();
  await card.waitFor({ state: 'detached' });
  await page.getByTestId('clinic-select').waitFor();
  expect(await page.getByTestId('clinic-select').locator('option').allTextContents()).toContain('Other IVF Clinic');
});

it("lets a user change its own password and end its sessions from My account; other sessions' tokens stop working", async () => {
  const passphrase = 'the embryologist passphrase';
  const member = await newPasswordUser(db.dataSource, passphrase, { clinic: admin.clinic, role: 'EMBRYOLOGIST' });
  const open = async () => {
    const session = await openSession(chromium, http.url);
    sessions.push(session);
    const page = await session.newPage();
    return { session, page };
  };
  const elsewhere = await open(); // the same user on another workstation
  await signIn(elsewhere.page, http.url, member.email, passphrase);
  const here = await open();
  await signIn(here.page, http.url, member.email, passphrase);
  await here.page.getByRole('link', { name: /Embryologist/ }).click(); // the name in the header
  await here.page.getByRole('heading', { name: 'My account' }).waitFor();
  const table = here.page.getByTestId('my-sessions');
  await table.waitFor();
  expect(await table.locator('tbody tr').count()).toBe(2);
  expect(await table.getByText('this one').count()).toBe(1);

  const form = here.page.getByRole('form', { name: 'Change your password' });
  const change = async (current: string, next: string, repeated = next) => {
    await form.getByLabel('Current password').fill(current);
    await form.getByLabel('New password (at least 12 characters)').fill(next);
    await form.getByLabel('New password again').fill(repeated);
    await form.getByRole('button', { name: 'Change password' }).click();
  };
  await change(passphrase, 'a brand new passphrase', 'not the same one at all');
  await here.page.getByText('The two new passwords are not the same.').waitFor();
  await change('a wrong current passphrase', 'a brand new passphrase');
  await here.page
    .getByRole('alert')
    .getByText(/current password/i)
    .waitFor();
  await change(passphrase, 'a brand new passphrase');
  await here.page.getByText('Your password is changed; every other session of yours has ended.').waitFor();
  await screenshot(here.page, 'account-password-changed');
  // this tab goes on with the new session's token; the other workstation's is refused at its next request
  await showPage(here.page, '/lab');
  await here.page.getByText(/No active cycles in/).waitFor(); // answered with the new token
  await elsewhere.page.reload();
  await elsewhere.page.getByText('Your session has ended. Please sign in again.').waitFor();

  await showPage(here.page, '/account');
  await here.page.getByRole('button', { name: 'Sign out everywhere…' }).click();
  await here.page
    .getByRole('dialog', { name: 'Sign out everywhere?' })
    .getByRole('button', { name: 'Sign out everywhere' })
    .click();
  await here.page.getByText('You are signed out on every device.').waitFor();
  await signIn(here.page, http.url, member.email, 'a brand new passphrase');
  expect([...here.session.problems, ...elsewhere.session.problems]).toEqual([]);
});

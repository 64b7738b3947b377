import type { Browser } from 'playwright-core';
import { ensureFirstStartAdmin, type FirstStartAdmin } from '../../src/accounts/first-start';
import { startHttpServer, type HttpServer } from '../../src/app/http-server';
import { loadConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_JWT_SECRET } from '../helpers/graphql-client';
import {
  BROWSER_TEST_TIMEOUT_MS,
  launchChromium,
  openSession,
  screenshot,
  type BrowserSession,
} from './support/browser';

/**
 * The first-start administrator signs in with the password printed on the console and must choose
 * its own before anything else, from the sign-in page itself (real Chromium, real server).
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

  await page.getByLabel('New password', { exact: true }).fill('my own passphrase 2026');
  await page.getByLabel('New password again').fill('not the same passphrase');
  await page.getByRole('button', { name: 'Save and sign in' }).click();
  await page.getByText('The two new passwords are not the same.').waitFor();

  await page.getByLabel('New password again').fill('my own passphrase 2026');
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
  expect((await login('my own passphrase 2026')).data?.login.mustChangePassword).toBe(false);
});

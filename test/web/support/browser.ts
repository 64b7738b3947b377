import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it when missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '..', '..', '..', 'test-artifacts', 'web');

/** Flags that work on a closed network: no background connections to Google's hosts. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  context: BrowserContext;
  /** Requests to any origin but the server's, console errors, page errors, CSP violations. */
  problems: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** One Chromium per test file (Playwright gives it a fresh, temporary --user-data-dir). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/**
 * A fresh browser context (its own cookies, storage and cache) at 1366×768 for one server. Every
 * request to another origin is refused and recorded (the app must ship every asset), and so are
 * console errors (CSP violations among them) and uncaught page errors.
 */
export async function openSession(
  browser: Browser,
  baseUrl: string,
  options: { extraHTTPHeaders?: Record<string, string> } = {},
): Promise<BrowserSession> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    extraHTTPHeaders: options.extraHTTPHeaders,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const origin = new URL(baseUrl).origin;
  const problems: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin) return route.continue();
    problems.push(`request to another origin: ${url}`);
    return route.abort('blockedbyclient');
  });
  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error' && !expectedError(m.text()))
        problems.push(`console error on ${page.url()}: ${m.text().slice(0, 300)}`);
    });
    page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    problems,
    async newPage() {
      const page = context.pages().find((p) => p.url() === 'about:blank') ?? (await context.newPage());
      return page;
    },
    async close() {
      await context.close();
    },
  };
}

/** Chromium logs failed HTTP responses to the console; the tests provoke some on purpose (wrong password is a 200, not one of them). */
function expectedError(text: string): boolean {
  return /Failed to load resource: the server responded with a status of (401|403|404)/.test(text);
}

export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Moves the signed-in app to another of its pages the way its links do (no reload of the app). */
export async function showPage(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    history.pushState(null, '', to);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

/**
 * A fresh browser context on the server (kept in `sessions` for closing after the file), signed in
 * as `account` when one is given.
 */
export async function openSignedIn(
  browser: Browser,
  baseUrl: string,
  sessions: BrowserSession[],
  account?: { email: string; password: string },
  options: Parameters<typeof openSession>[2] = {},
): Promise<{ page: Page; session: BrowserSession }> {
  const session = await openSession(browser, baseUrl, options);
  sessions.push(session);
  const page = await session.newPage();
  if (account) await signIn(page, baseUrl, account.email, account.password);
  return { page, session };
}

/** The page links the header offers, in order. */
export const navLinks = (page: Page) =>
  page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents();

/** Under a loaded CI machine a browser test of several pages needs more than Jest's default. */
export const BROWSER_TEST_TIMEOUT_MS = 150_000;

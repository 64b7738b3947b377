/// <reference lib="dom" />
// (functions handed to page.evaluate run in the browser)
/**
 * Web app benchmark: how soon the lab page of a 12-embryo cycle is interactive in Debian's
 * Chromium, served by `amsnet`'s HTTP server from the demo lab (the real demo: 224 px frames,
 * the demo AMSNet scored through the queue). The figure is the page's own `lab-cycle-ready` mark:
 * milliseconds from the start of navigation until the ranked embryos are rendered with their
 * handlers (HTML, scripts, the session's `me` query, the cycle query, React's render). One cold load
 * (empty browser cache), then the median of warm loads (a lab workstation reopening the page).
 *
 *   node dist/bench/web-lab.js [--runs 7] [--screenshots docs/screenshots]
 *   env: DATABASE_URL (default: embedded PostgreSQL in a temporary folder), CHROMIUM_PATH (/usr/bin/chromium)
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { openAppDatabase } from '../src/app/database';
import { startHttpServer } from '../src/app/http-server';
import { startJobs } from '../src/app/jobs';
import { createServices } from '../src/app/services';
import { DemoLabService } from '../src/demo/demo-lab.service';
import { demoRequest } from '../src/demo/demo-defaults';
import { loadConfig } from '../src/platform/config';
import { createLogger } from '../src/platform/logger';
import { freePort } from '../src/platform/net/free-port';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const RUNS = Number(arg('runs', '7'));
const SCREENSHOTS = arg('screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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
const EMAIL = 'bench-admin@example.org';
const PASSWORD = randomBytes(12).toString('hex');

async function readyAfter(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.getByTestId('ranked-embryos').waitFor();
  return page.evaluate(() => performance.getEntriesByName('lab-cycle-ready')[0]?.startTime ?? Number.NaN);
}

async function main(): Promise<void> {
  const log = createLogger('warn');
  const dir = await mkdtemp(join(tmpdir(), 'amsnet-bench-web-'));
  await chmod(dir, 0o755); // the postgres system user (when running as root) must reach it
  const env = process.env.DATABASE_URL ? {} : { DATA_DIR: dir, EMBEDDED_PG_PORT: String(await freePort()) };
  const config = loadConfig({
    ...env,
    PORT: '0',
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    DATA_DIR: dir,
  });
  const db = await openAppDatabase(config, log, { migrate: true, poolSize: 10, applicationName: 'amsnet-bench-web' });
  const profile = await mkdtemp(join(tmpdir(), 'amsnet-bench-chromium-'));
  try {
    const t0 = performance.now();
    const services = createServices({ dataSource: db.dataSource, databaseUrl: db.url, log });
    const jobs = await startJobs(
      { services, databaseUrl: db.url, config, log },
      { worker: true, scheduler: false, queue: { pollingIntervalSeconds: 0.5 } },
    );
    const request = demoRequest({ patients: 2, embryos: { min: 12, max: 12 } });
    const demo = await new DemoLabService(services).seed(request, services.system.withRequestId('bench-web'));
    await jobs.stop();
    await services.accounts.createUser(
      { email: EMAIL, password: PASSWORD, displayName: 'Bench administrator' },
      { clinic: { grant: services.system.clinic(demo.clinic.id), role: 'ADMIN' } },
    );
    process.stdout.write(
      `demo lab: ${demo.written.embryos} embryos, ${demo.written.frames * 7} images at ${request.lab.imageSize} px, seeded and scored in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );

    const http = await startHttpServer({ config, dataSource: db.dataSource, services, log, host: '127.0.0.1' });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1366, height: 768 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${http.url}/`);
      await page.getByLabel('E-mail').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('active-cycles').waitFor();
      const cycleUrl = `${http.url}/lab/cycles/${demo.labViewCycle.id}`;
      await readyAfter(page, cycleUrl);
      const embryos = await page.getByTestId('ranked-embryos').locator('tbody tr').count();
      if (embryos !== 12) throw new Error(`expected a 12-embryo cycle, found ${embryos}`);

      // cold: nothing of the app in the browser cache
      const session = await context.newCDPSession(page);
      await session.send('Network.clearBrowserCache');
      const cold = await readyAfter(page, cycleUrl);
      const warm: number[] = [];
      for (let i = 0; i < RUNS; i++) warm.push(await readyAfter(page, cycleUrl));
      warm.sort((a, b) => a - b);
      const median = warm[Math.floor(warm.length / 2)];
      process.stdout.write(`\nlab page, 12-embryo cycle, 1366×768, Chromium ${context.browser()?.version() ?? ''}\n`);
      process.stdout.write(`  cold load (empty cache): ${cold.toFixed(0)} ms to interactive\n`);
      process.stdout.write(
        `  warm loads (${RUNS}): median ${median.toFixed(0)} ms, min ${warm[0].toFixed(0)} ms, max ${warm[warm.length - 1].toFixed(0)} ms\n`,
      );

      if (SCREENSHOTS) await takeScreenshots(page, http.url, demo.labViewCycle.id, demo.model.id, SCREENSHOTS);
    } finally {
      await context.close();
      await http.stop();
    }
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  }
}

/** The README's pictures: the ranked lab, an embryo of the finished cycle (phases, outcome), the evaluation. */
async function takeScreenshots(page: Page, base: string, cycleId: string, modelId: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await page.goto(`${base}/lab/cycles/${cycleId}`);
  await page.getByTestId('ranked-embryos').waitFor();
  await page.screenshot({ path: join(dir, 'lab-cycle.png') });
  await page.goto(`${base}/lab`);
  await page.getByRole('link', { name: 'DEMO-C01' }).click(); // the finished cycle: phases annotated, outcomes recorded
  await page.getByTestId('ranked-embryos').waitFor();
  const links = page.getByTestId('ranked-embryos').getByRole('link');
  await links.first().click();
  await page.getByTestId('viewer-image').waitFor();
  await page.getByTestId('viewer-slider').fill('14');
  await page.waitForTimeout(500);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(dir, 'embryo-viewer.png') });
  await page.goto(`${base}/models/${modelId}/evaluation`);
  await page.getByTestId('accuracy-table').waitFor();
  await page.screenshot({ path: join(dir, 'model-evaluation.png'), fullPage: true });
  process.stdout.write(`screenshots in ${dir}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

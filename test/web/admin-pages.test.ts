import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { AuditAction, Clinic, ClinicModel, ImportSource } from '../../src/entities';
import { ModelMonitoringService } from '../../src/inference/monitoring/model-monitoring.service';
import { newUser } from '../helpers/factories';
import { age } from '../helpers/ingest-fixtures';
import { tinyModel } from '../helpers/model-factories';
import { insertModelVersion } from '../helpers/model-factories-registry';
import {
  BROWSER_TEST_TIMEOUT_MS,
  launchChromium,
  navLinks,
  openSignedIn,
  screenshot,
  showPage,
  type BrowserSession,
} from './support/browser';
import { PASSWORD, startWebLab, type Account, type WebLab } from './support/web-lab';

/**
 * The administrator's and auditor's pages in Debian's Chromium against the real server: import
 * sources (a refused folder, add, pause, edit, "scan now" and its per-item report, remove), device
 * credentials (the token shown once works for STOW-RS until revoked), the kill switch (an
 * embryologist's cycle page hides every score, with the reason) and assessment first, a model's
 * monitoring series, activation against acceptance criteria with an override and a rollback, the
 * agreement figures, a cycle's status, and registering a model file. Other roles are not offered
 * these pages.
 */
let lab: WebLab;
let chromium: Browser;
let base: string;
const sessions: BrowserSession[] = [];
const saved = { ...process.env };

jest.setTimeout(BROWSER_TEST_TIMEOUT_MS);

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'amsnet-web-admin-'));
  await mkdir(join(base, 'root', 'drop'), { recursive: true });
  process.env.IMPORT_ROOTS = join(base, 'root'); // read by the services when the lab starts
  lab = await startWebLab({ patients: 1, embryosPerCycle: { min: 3, max: 3 } });
  chromium = await launchChromium();
}, 240_000);

afterAll(async () => {
  process.env = saved;
  await Promise.all(sessions.map((s) => s.close()));
  await chromium?.close();
  await lab?.stop();
  await rm(base, { recursive: true, force: true });
});

const open = (account: Pick<Account, 'email' | 'password'>) => openSignedIn(chromium, lab.url, sessions, account);

const sourcesOfClinicA = () => lab.ds.getRepository(ImportSource).findBy({ clinicId: lab.clinicA.id });

/** Clinic A's audit rows of these actions, oldest first, with the reason each recorded. */
const auditReasons = (...actions: string[]): Promise<{ action: string; reason: string }[]> =>
  lab.ds.query(
    `SELECT action, detail->>'reason' AS reason FROM audit_event WHERE clinic_id = $1 AND action = ANY($2) ORDER BY id`,
    [lab.clinicA.id, actions],
  );

/** A STOW-RS request with a device's token: 401 when the token is refused, 415 for this body otherwise. */
async function stowWith(token: string): Promise<number> {
  const response = await fetch(`${lab.url}/dicomweb/studies`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
    body: 'not DICOM',
  });
  return response.status;
}

describe("the administrator's and auditor's pages: import, safety, models, agreement, cycle status", () => {
  it('offers them to administrators only; other roles get "not available" at their addresses', async () => {
    const admin = await open(lab.users.ADMIN);
    expect(await navLinks(admin.page)).toEqual([
      'Lab',
      'Runs',
      'Models',
      'Import',
      'Safety',
      'Users',
      'Agreement',
      'Audit log',
    ]);
    const embryologist = await open(lab.users.EMBRYOLOGIST);
    expect(await navLinks(embryologist.page)).toEqual(['Lab', 'Runs']);
    for (const path of ['/admin/import', '/admin/safety', `/models/${lab.demo.model.id}/monitoring`]) {
      await showPage(embryologist.page, path);
      await embryologist.page.getByRole('heading', { name: 'Not available for your role' }).waitFor();
    }
    expect([...admin.session.problems, ...embryologist.session.problems]).toEqual([]);
  });

  it('adds, pauses, edits, reports a scan of and removes an import source', async () => {
    const { page, session } = await open(lab.users.ADMIN);
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByTestId('no-sources').waitFor();
    await page.getByText('Add a source').click();
    const form = page.getByRole('form', { name: 'New import source' });
    await form.getByLabel('Name').fill('Drop folder 1');
    await form.getByLabel('Kind').selectOption('DICOM');
    // a folder outside IMPORT_ROOTS: the server's reason, and nothing added
    await form.getByLabel(/Folder on the server/).fill(base);
    await form.getByRole('button', { name: 'Add source' }).click();
    await form
      .getByRole('alert')
      .getByText(/outside the allowed import roots/)
      .waitFor();
    expect(await sourcesOfClinicA()).toHaveLength(0);

    await form.getByLabel(/Folder on the server/).fill(join(base, 'root', 'drop'));
    await form.getByRole('button', { name: 'Add source' }).click();
    await page.getByText('Drop folder 1 is added').waitFor();
    const table = page.getByTestId('sources-table');
    const row = table.getByRole('row', { name: /Drop folder 1/ });
    expect(await row.getByTestId('source-health').innerText()).toMatch(/healthy/);
    expect(await row.innerText()).toMatch(/no scan yet/);

    await row.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Drop folder 1 is paused: no scans.').waitFor();
    await row.getByText('paused', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Resume' }).click();
    await page.getByText('Drop folder 1 is scanned again.').waitFor();

    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit Drop folder 1' });
    await edit.getByLabel(/Schedule/).fill('every minute');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByRole('alert').waitFor(); // the server refuses the schedule, in words
    await edit.getByLabel(/Schedule/).fill('*/10 * * * *');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Drop folder 1 is saved.').waitFor();
    await row.getByText('*/10 * * * *').waitFor();

    // "Scan now" of a file that is not DICOM: skipped, reported per item with its reason
    await writeFile(join(base, 'root', 'drop', 'broken.dcm'), 'this is not a DICOM file');
    await age(join(base, 'root', 'drop'));
    await row.getByRole('button', { name: 'Scan now' }).click();
    await page.getByText('A scan of Drop folder 1 is queued').waitFor();
    // the job the button queued, run as the worker's handler runs it (this lab has no worker)
    const [source] = await sourcesOfClinicA();
    const [job] = await lab.ds.query(`SELECT id, data FROM pgboss.job WHERE name = 'import-source'`);
    expect(job.data).toEqual({ sourceId: source.id, retryFailed: false });
    await lab.db.services.importSourceScans.run(job.data, job.id);
    await page.reload();
    const scanned = page.getByTestId('sources-table').getByRole('row', { name: /Drop folder 1/ });
    const lastRun = scanned.getByTestId('source-last-run');
    await lastRun.waitFor();
    expect(await lastRun.innerText()).toMatch(/0 stored · 0 already stored · 1 skipped · 0 failed/);
    await lastRun.getByText('1 not stored: why').click();
    expect(await lastRun.getByRole('listitem').innerText()).toMatch(/^broken\.dcm: .*DICOM/i);
    await screenshot(page, 'admin-import-sources');

    await scanned.getByRole('button', { name: 'Remove…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the source?' });
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Drop folder 1 is removed').waitFor();
    await page.getByTestId('no-sources').waitFor();
    expect(session.problems).toEqual([]);
  });

  it('creates a device credential whose token, shown once, works for STOW-RS until it is revoked', async () => {
    const { page, session } = await open(lab.users.ADMIN);
    await showPage(page, '/admin/import');
    const devices = page.getByTestId('device-credentials');
    await devices.getByLabel('Device name').fill('Incubator 2');
    await devices.getByRole('button', { name: 'Create credential' }).click();
    const token = (await devices.getByTestId('device-token').locator('code').innerText()).trim();
    expect(token.length).toBeGreaterThan(20);
    expect(await stowWith(token)).toBe(415); // accepted as a device; this body is not a multipart of DICOM
    expect(await stowWith(`${token}x`)).toBe(401);

    const row = devices.getByTestId('credentials-table').getByRole('row', { name: /Incubator 2/ });
    await row.getByText('active').waitFor();
    await page.reload(); // the token is never shown again
    await page.getByTestId('credentials-table').waitFor();
    expect(await page.getByTestId('device-token').count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toContain(token);

    await page.getByTestId('credentials-table').getByRole('button', { name: 'Revoke…' }).click();
    await page.getByRole('dialog', { name: 'Revoke the credential?' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Incubator 2 is refused from its next request on.').waitFor();
    await page
      .getByTestId('credentials-table')
      .getByText(/revoked/)
      .waitFor();
    expect(await stowWith(token)).toBe(401);
    expect(session.problems).toEqual([]);
  });

  it("suspends scoring with a reason (every score hidden on an embryologist's cycle page), resumes it, and toggles assessment first", async () => {
    const admin = await open(lab.users.ADMIN);
    const embryologist = await open(lab.users.EMBRYOLOGIST);
    const cyclePath = `/lab/cycles/${lab.demo.labViewCycle.id}`;
    const probabilities = (page: Page) => page.getByTestId('latest-probability').allInnerTexts();

    await showPage(embryologist.page, cyclePath);
    await embryologist.page.getByTestId('ranked-embryos').waitFor();
    expect((await probabilities(embryologist.page)).some((p) => p.endsWith('%'))).toBe(true);
    expect(await embryologist.page.getByRole('button', { name: 'Mark completed…' }).count()).toBe(0); // ADMIN only

    await admin.page.getByRole('link', { name: 'Safety' }).click();
    const killSwitch = admin.page.getByTestId('kill-switch');
    expect(await killSwitch.getByTestId('suspension').innerText()).toBe('Scoring runs normally.');
    const suspendButton = killSwitch.getByRole('button', { name: 'Suspend scoring…' });
    expect(await suspendButton.isDisabled()).toBe(true); // no reason yet
    await killSwitch.getByLabel(/Reason/).fill('drift alarm on day-3 AUC');
    await suspendButton.click();
    const dialog = admin.page.getByRole('dialog', { name: 'Suspend scoring?' });
    await dialog.getByText('Reason: drift alarm on day-3 AUC').waitFor();
    await dialog.getByRole('button', { name: 'Suspend scoring' }).click();
    await killSwitch.getByText('Scoring is suspended').waitFor();
    const notice = await killSwitch.getByTestId('suspension').innerText();
    expect(notice).toContain('drift alarm on day-3 AUC');
    expect(notice).toContain(lab.users.ADMIN.email);
    await screenshot(admin.page, 'admin-safety-suspended');

    await embryologist.page.reload();
    await embryologist.page.getByTestId('ranked-embryos').waitFor();
    expect(await embryologist.page.getByTestId('scores-withheld').innerText()).toBe(
      "Scores not shown: scoring suspended by the clinic's administrators: drift alarm on day-3 AUC.",
    );
    expect(new Set(await probabilities(embryologist.page))).toEqual(new Set(['not shown']));

    await killSwitch.getByLabel(/Reason/).fill('drift explained: a new culture medium batch');
    await killSwitch.getByRole('button', { name: 'Resume scoring…' }).click();
    await admin.page.getByRole('dialog', { name: 'Resume scoring?' }).getByRole('button', { name: 'Resume' }).click();
    await killSwitch.getByText('Scoring runs normally.').waitFor();
    await embryologist.page.reload();
    await embryologist.page.getByTestId('ranked-embryos').waitFor();
    expect(await embryologist.page.getByTestId('scores-withheld').count()).toBe(0);
    expect((await probabilities(embryologist.page)).some((p) => p.endsWith('%'))).toBe(true);

    // assessment first: on hides the unassessed embryos' scores from the embryologist, off shows them again
    const assessment = admin.page.getByTestId('assessment-first');
    await assessment.getByRole('button', { name: 'Turn assessment first on…' }).click();
    await admin.page
      .getByRole('dialog', { name: 'Turn assessment first on?' })
      .getByRole('button', { name: 'Turn on' })
      .click();
    await assessment.getByRole('button', { name: 'Turn assessment first off…' }).waitFor();
    await embryologist.page.reload();
    await embryologist.page
      .getByTestId('scores-withheld')
      .getByText(/assessment first/)
      .waitFor();
    await assessment.getByRole('button', { name: 'Turn assessment first off…' }).click();
    await admin.page
      .getByRole('dialog', { name: 'Turn assessment first off?' })
      .getByRole('button', { name: 'Turn off' })
      .click();
    await assessment.getByRole('button', { name: 'Turn assessment first on…' }).waitFor();

    expect(await auditReasons(AuditAction.MODEL_SUSPENDED, AuditAction.MODEL_RESUMED)).toEqual([
      { action: AuditAction.MODEL_SUSPENDED, reason: 'drift alarm on day-3 AUC' },
      { action: AuditAction.MODEL_RESUMED, reason: 'drift explained: a new culture medium batch' },
    ]);
    expect([...admin.session.problems, ...embryologist.session.problems]).toEqual([]);
  });

  it("shows a model's monitoring checks, newest first, from the Models page", async () => {
    const { page, session } = await open(lab.users.ADMIN);
    await showPage(page, `/models/${lab.demo.model.id}/monitoring`);
    await page.getByTestId('no-monitoring').waitFor();
    const monitoring = new ModelMonitoringService(
      lab.db.store,
      { minDay3RocAuc: 0.8, maxBrier: 0.25, maxPsi: 0.25, minOutcomes: 1 },
      { warn: () => undefined, info: () => undefined },
    );
    const points = (await monitoring.checkAll(lab.db.services.system.network())).filter(
      (p) => p.modelVersionId === lab.demo.model.id,
    );
    expect(points).toHaveLength(1);

    await showPage(page, '/models');
    await page.getByTestId('models-table').getByRole('link', { name: 'Monitoring' }).click();
    const table = page.getByTestId('monitoring-table');
    await table.waitFor();
    const rows = await table.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(points.length);
    expect(rows[0]).toContain('active');
    expect(rows[0]).toContain(String(points[0].scores));
    await page.getByTestId('provenance-banner').waitFor(); // the demo model is untrained: said above the numbers
    expect(session.problems).toEqual([]);
  });

  it('holds a shadow model to its acceptance criteria at activation (an override needs a reason), then rolls back', async () => {
    const candidate = await insertModelVersion(lab.ds, { name: 'amsnet-candidate', version: '2026-12', trained: true });
    const { page, session } = await open(lab.users.ADMIN);
    await page.getByRole('link', { name: 'Models' }).click();
    const row = (name: string) => page.getByTestId('models-table').locator('tr', { hasText: name });
    await row('amsnet-candidate').getByRole('button', { name: 'Shadow…' }).click();
    await page
      .getByRole('dialog', { name: 'Score this model in shadow mode?' })
      .getByRole('button', { name: 'Start shadow mode' })
      .click();
    await page.getByText(/scored in shadow mode/).waitFor();

    await row('amsnet-candidate').getByRole('button', { name: 'Acceptance…' }).click();
    const card = page.getByTestId('acceptance-card');
    await card.getByText(/No acceptance criteria recorded/).waitFor();
    await card.getByLabel('Day-3 ROC AUC at least').fill('0.9');
    await card.getByLabel('On at least this many local outcomes').fill('500');
    await card.getByRole('button', { name: 'Record criteria' }).click();
    await card.getByText('criteria not met').waitFor();
    expect(await card.getByTestId('acceptance-unmet').innerText()).toMatch(/at least 500 needed/);

    await row('amsnet-candidate').getByRole('button', { name: 'Activate…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Activate this model?' });
    await dialog.getByTestId('acceptance-unmet').waitFor();
    const anyway = dialog.getByRole('button', { name: 'Activate anyway' });
    expect(await anyway.isDisabled()).toBe(true); // no reason yet
    await dialog.getByLabel(/Reason to activate/).fill('validated on the partner lab data set');
    await screenshot(page, 'admin-activation-criteria-unmet');
    await anyway.click();
    await page.getByText('amsnet-candidate 2026-12: now the active model (criteria overridden).').waitFor();
    const activeModel = async () =>
      (await lab.ds.getRepository(ClinicModel).findOneByOrFail({ clinicId: lab.clinicA.id, active: true }))
        .modelVersionId;
    expect(await activeModel()).toBe(candidate.id);

    await page.getByRole('button', { name: 'Roll back to the previous model…' }).click();
    const rollback = page.getByRole('dialog', { name: 'Roll back to the previous model?' });
    expect(await rollback.getByRole('button', { name: 'Roll back' }).isDisabled()).toBe(true);
    await rollback.getByLabel(/Reason/).fill('embryologists report implausible day-2 scores');
    await rollback.getByRole('button', { name: 'Roll back' }).click();
    await page.getByText(/is back on the model it used before amsnet-candidate 2026-12/).waitFor();
    expect(await activeModel()).toBe(lab.demo.model.id);

    expect(await auditReasons(AuditAction.MODEL_ACTIVATION_OVERRIDDEN, AuditAction.MODEL_ROLLED_BACK)).toEqual([
      { action: AuditAction.MODEL_ACTIVATION_OVERRIDDEN, reason: 'validated on the partner lab data set' },
      { action: AuditAction.MODEL_ROLLED_BACK, reason: 'embryologists report implausible day-2 scores' },
    ]);
    expect(session.problems).toEqual([]);
  });

  it("shows an auditor how an embryologist's decision went against the model's ranking", async () => {
    const embryologist = await open(lab.users.EMBRYOLOGIST);
    await showPage(embryologist.page, `/lab/cycles/${lab.demo.labViewCycle.id}`);
    // the embryo ranked second: transferring it goes against the model, so a reason is required
    await embryologist.page.getByTestId('ranked-embryos').locator('tbody tr').nth(1).getByRole('link').first().click();
    const form = embryologist.page.getByTestId('assessment');
    await form.getByLabel('Grade').fill('4AA');
    await form.getByTestId('assessment-decision').selectOption('TRANSFER');
    await form.getByLabel(/Reason/).fill('better expansion on the last frames');
    await form.getByRole('button', { name: 'Record assessment' }).click();
    await form.getByText(/against the model: better expansion on the last frames/).waitFor();

    const auditor = await open(lab.users.AUDITOR);
    await auditor.page.getByRole('link', { name: 'Agreement' }).click();
    const table = auditor.page.getByTestId('agreement-table');
    await table.waitFor();
    const cells = async (name: RegExp | string) =>
      (await table.getByRole('row', { name }).getByRole('cell').allInnerTexts()).slice(0, 4);
    // assessed, with a model score, against the model, followed the model
    expect(await cells(/The whole clinic/)).toEqual(['1', '1', '1', '0.0 %']);
    expect(await cells(lab.users.EMBRYOLOGIST.email)).toEqual(['1', '1', '1', '0.0 %']);
    expect([...embryologist.session.problems, ...auditor.session.problems]).toEqual([]);
  });

  it('lets an administrator complete a cycle (it leaves the lab) and reopen it, each after confirmation', async () => {
    const { page, session } = await open(lab.users.ADMIN);
    const cycle = lab.demo.labViewCycle;
    await showPage(page, `/lab/cycles/${cycle.id}`);
    await page.getByRole('button', { name: 'Mark completed…' }).click();
    await page.getByRole('dialog', { name: 'Mark completed?' }).getByRole('button', { name: 'Mark completed' }).click();
    await page.getByTestId('cycle-status').getByText('Status: completed').waitFor();
    const labLink = page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Lab' });
    await labLink.click();
    await page
      .getByTestId('active-cycles')
      .or(page.getByText(/No active cycles in/))
      .waitFor();
    expect(await page.getByRole('link', { name: cycle.externalId }).count()).toBe(0);

    await showPage(page, `/lab/cycles/${cycle.id}`);
    await page.getByRole('button', { name: 'Reopen…' }).click();
    await page.getByRole('dialog', { name: 'Reopen?' }).getByRole('button', { name: 'Reopen' }).click();
    await page.getByTestId('cycle-status').getByText('Status: active').waitFor();
    await labLink.click();
    await page.getByRole('link', { name: cycle.externalId }).waitFor();
    const changes = await lab.ds.query(
      `SELECT detail FROM audit_event WHERE entity_id = $1 AND action = $2 ORDER BY id`,
      [cycle.id, AuditAction.CYCLE_STATUS_CHANGED],
    );
    expect(changes.map((c: { detail: unknown }) => c.detail)).toEqual([
      { from: 'ACTIVE', to: 'COMPLETED' },
      { from: 'COMPLETED', to: 'ACTIVE' },
    ]);
    expect(session.problems).toEqual([]);
  });

  it("registers a model file from the server's model folder, after the server checked it; refuses junk and paths outside", async () => {
    const models = join(lab.dataDir, 'models');
    await mkdir(models, { recursive: true });
    const file = `web-register-${randomBytes(4).toString('hex')}.onnx`;
    await writeFile(join(models, file), await tinyModel([-15, 0, 15], 21));
    await writeFile(join(models, `junk-${file}`), 'not an ONNX model');
    const { page, session } = await open(lab.users.ADMIN);
    await showPage(page, '/models');
    await page.getByText('Register a model file').click();
    const form = page.getByRole('form', { name: 'Register a model file' });
    const register = async (serverPath: string, name: string) => {
      await form.getByLabel(/File in the server/).fill(serverPath);
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByLabel('Version').fill('2026-12');
      await form.getByRole('button', { name: 'Check and register' }).click();
    };
    await register('../secret.txt', 'escape');
    await form
      .getByRole('alert')
      .getByText(/without "\.\." or an absolute path/)
      .waitFor();
    await register(`junk-${file}`, 'junk');
    await form.getByRole('alert').waitFor();
    await register(file, 'amsnet-web-registered');
    await page.getByText('amsnet-web-registered 2026-12 is registered').waitFor();
    const row = page.getByTestId('models-table').locator('tr', { hasText: 'amsnet-web-registered' });
    await row.getByText('Untrained (random weights)').waitFor(); // the file's own metadata says so
    await register(file, 'the same bytes again');
    await page.getByText('These bytes were registered already, as amsnet-web-registered 2026-12.').waitFor();
    const names = await lab.ds.query(
      `SELECT name FROM model_version WHERE name IN ('escape', 'junk', 'the same bytes again')`,
    );
    expect(names).toEqual([]);
    expect(session.problems).toEqual([]);
  });

  it('lets a network administrator create a clinic and work in it; a clinic administrator is not offered the page', async () => {
    const email = `network-admin-${randomBytes(3).toString('hex')}@example.org`;
    await newUser(lab.ds, { email, password: PASSWORD, networkAdmin: true, displayName: 'Network administrator' });
    const { page, session } = await open({ email, password: PASSWORD });
    // all nine pages, the clinic and the user (a long name) share one header line at 1366 × 768
    const header = (await page.locator('header.app-header').boundingBox())!;
    const pagesNav = (await page.getByRole('navigation', { name: 'Pages' }).boundingBox())!;
    const signOut = (await page.getByRole('button', { name: 'Sign out' }).boundingBox())!;
    expect(Math.abs(signOut.y + signOut.height / 2 - (pagesNav.y + pagesNav.height / 2))).toBeLessThan(8);
    expect(header.height).toBeLessThan(64);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Clinics' }).click();
    const table = page.getByTestId('clinics-table');
    await table.getByText(lab.clinicA.name).waitFor();
    const form = page.getByRole('form', { name: 'New clinic' });
    await form.getByLabel(/Code/).fill(lab.clinicA.code); // taken
    await form.getByLabel('Name').fill('Lyon IVF Centre');
    await form.getByRole('button', { name: 'Create clinic' }).click();
    await form.getByRole('alert').waitFor();
    await form.getByLabel(/Code/).fill('lyon-web');
    await form.getByRole('button', { name: 'Create clinic' }).click();
    await page.getByText('Lyon IVF Centre is created.').waitFor();
    expect(await lab.ds.getRepository(Clinic).countBy({ code: 'lyon-web' })).toBe(1);
    await table
      .getByRole('row', { name: /Lyon IVF Centre/ })
      .getByRole('button', { name: 'Work in this clinic' })
      .click();
    const select = page.getByTestId('clinic-select');
    expect(await select.locator('option:checked').innerText()).toBe('Lyon IVF Centre');
    expect(session.problems).toEqual([]);
  });
});

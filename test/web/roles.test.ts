/// <reference lib="dom" />
// (functions handed to page.evaluate run in the browser)
import type { Browser, Page } from 'playwright-core';
import { ClinicModel, Membership, User } from '../../src/entities';
import { insertModelVersion } from '../helpers/model-factories-registry';
import {
  BROWSER_TEST_TIMEOUT_MS,
  launchChromium,
  navLinks,
  openSession,
  openSignedIn,
  screenshot,
  showPage,
  type BrowserSession,
} from './support/browser';
import { startWebLab, type Account, type WebLab } from './support/web-lab';

/**
 * Roles and clinics in the web app, in Debian's Chromium against the real server: each role is
 * offered only its pages (and the API refuses the rest anyway), a clinic's users never see
 * another clinic, administrators manage users and models with confirmation, and a site's identity
 * provider can sign people in (a proxy adding the bearer token, or a pasted token).
 */
let lab: WebLab;
let chromium: Browser;
const sessions: BrowserSession[] = [];

jest.setTimeout(BROWSER_TEST_TIMEOUT_MS);

beforeAll(async () => {
  lab = await startWebLab({ patients: 1, embryosPerCycle: { min: 3, max: 3 } });
  chromium = await launchChromium();
}, 240_000);

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await chromium?.close();
  await lab?.stop();
});

const open = (account?: Account, options: Parameters<typeof openSession>[2] = {}) =>
  openSignedIn(chromium, lab.url, sessions, account, options);

/** A GraphQL call from inside the page, with the token the app holds, as a curious user could make it. */
function callApiFromPage(page: Page, query: string, variables: Record<string, unknown>) {
  return page.evaluate(
    async ({ query, variables }) => {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${sessionStorage.getItem('amsnet.token')}`,
        },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    },
    { query, variables },
  );
}

describe('roles and clinics in the web app', () => {
  it('offers a clinician the lab and runs only, no outcome form, and the API refuses the admin mutation anyway', async () => {
    const { page, session } = await open(lab.users.CLINICIAN);
    expect(await navLinks(page)).toEqual(['Lab', 'Runs']);
    await page.getByRole('link', { name: lab.demo.labViewCycle.externalId }).click();
    await page.getByTestId('ranked-embryos').waitFor();
    expect(await page.getByRole('button', { name: /request scoring/i }).count()).toBe(0);
    await page.getByTestId('ranked-embryos').getByRole('link').first().click();
    await page.getByTestId('viewer-image').waitFor();
    expect(await page.getByTestId('outcome-current').isVisible()).toBe(true);
    expect(await page.getByTestId('outcome-select').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Record assessment' }).count()).toBe(0); // embryologists assess
    expect(await page.getByTestId('assessment').isVisible()).toBe(true);
    await screenshot(page, '11-clinician-embryo');

    for (const path of ['/models', '/admin/users', '/admin/audit']) {
      await showPage(page, path);
      await page.getByRole('heading', { name: 'Not available for your role' }).waitFor();
    }

    const grant = await callApiFromPage(
      page,
      'mutation($c: ID!, $u: ID!) { grantMembership(clinicId: $c, userId: $u, role: ADMIN) { id } }',
      {
        c: lab.clinicA.id,
        u: lab.users.CLINICIAN.user.id,
      },
    );
    expect(grant.errors[0].extensions.code).toBe('FORBIDDEN');
    const activate = await callApiFromPage(
      page,
      'mutation($c: ID!, $m: ID!) { activateModel(clinicId: $c, modelId: $m) { active } }',
      {
        c: lab.clinicA.id,
        m: lab.demo.model.id,
      },
    );
    expect(activate.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await lab.ds.getRepository(Membership).findOneByOrFail({ userId: lab.users.CLINICIAN.user.id })).role).toBe(
      'CLINICIAN',
    );
    expect(session.problems).toEqual([]);
  });

  it('takes an auditor straight to the audit log; the agreement figures are the only other page offered', async () => {
    const { page, session } = await open(lab.users.AUDITOR);
    expect(await navLinks(page)).toEqual(['Agreement', 'Audit log']);
    await page.getByTestId('audit-table').waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/audit');
    await showPage(page, '/lab');
    await page.getByRole('heading', { name: 'Not available for your role' }).waitFor();
    expect(session.problems).toEqual([]);
  });

  it('never shows a user of clinic A anything of clinic B, on any page', async () => {
    const { page, session } = await open(lab.users.ADMIN);
    const cycleId = lab.demo.labViewCycle.id;
    await showPage(page, `/lab/cycles/${cycleId}`);
    const embryoPath = await page.getByTestId('ranked-embryos').getByRole('link').first().getAttribute('href');
    const pages: [string, string][] = [
      ['/lab', 'active-cycles'],
      [`/lab/cycles/${cycleId}`, 'ranked-embryos'],
      [embryoPath!, 'viewer-image'],
      ['/runs', 'scoring-runs'],
      ['/models', 'models-table'],
      [`/models/${lab.demo.model.id}/evaluation`, 'accuracy-table'],
      ['/admin/import', 'device-credentials'],
      ['/admin/safety', 'kill-switch'],
      ['/admin/users', 'members-table'],
      ['/admin/audit', 'audit-table'],
    ];
    for (const [path, testId] of pages) {
      await showPage(page, path);
      await page.getByTestId(testId).first().waitFor();
      const text = await page.locator('body').innerText();
      for (const marker of lab.clinicB.markers)
        expect({ path, leaked: text.includes(marker) ? marker : null }).toEqual({ path, leaked: null });
    }
    expect(await page.getByTestId('clinic-select').count()).toBe(0); // one clinic: nothing to switch to
    for (const path of [`/lab/cycles/${lab.clinicB.cycleId}`, `/embryos/${lab.clinicB.embryoId}`]) {
      await showPage(page, path);
      await page.getByText('Not found: it does not exist, or it is not in a clinic of yours.').waitFor();
    }
    // and the other way round
    const other = await open(lab.clinicB.user);
    await other.page.getByTestId('active-cycles').waitFor();
    const text = await other.page.locator('body').innerText();
    expect(text).toContain('OTHER-CYCLE-42');
    expect(text).not.toContain(lab.demo.labViewCycle.externalId);
    expect(text).not.toContain(lab.clinicA.name);
    expect([...session.problems, ...other.session.problems]).toEqual([]);
  });

  it('lets an administrator create a user, change a role and remove a member after confirmation', async () => {
    const { page, session } = await open(lab.users.ADMIN);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByTestId('members-table').waitFor();
    await page.getByText('Create a user').click();
    await page.getByLabel('E-mail').fill('new.embryologist@clinic-a.example.org');
    await page.getByLabel('Name').fill('New Embryologist');
    await page.locator('select[name=role]').selectOption('EMBRYOLOGIST');
    await page.getByLabel(/^Password/).fill('a long enough password');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('new.embryologist@clinic-a.example.org is added to').waitFor();
    const created = await lab.ds
      .getRepository(User)
      .findOneByOrFail({ email: 'new.embryologist@clinic-a.example.org' });
    expect(
      (await lab.ds.getRepository(Membership).findOneByOrFail({ userId: created.id, clinicId: lab.clinicA.id })).role,
    ).toBe('EMBRYOLOGIST');

    await page.getByLabel('Role of new.embryologist@clinic-a.example.org').selectOption('CLINICIAN');
    await page.getByText('new.embryologist@clinic-a.example.org is now clinician.').waitFor();
    expect((await lab.ds.getRepository(Membership).findOneByOrFail({ userId: created.id })).role).toBe('CLINICIAN');

    const row = page.getByTestId('members-table').locator('tr', { hasText: 'new.embryologist@clinic-a.example.org' });
    await row.getByRole('button', { name: 'Remove from clinic…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove from the clinic?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await lab.ds.getRepository(Membership).countBy({ userId: created.id })).toBe(1);
    await row.getByRole('button', { name: 'Remove from clinic…' }).click();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('new.embryologist@clinic-a.example.org no longer has a role').waitFor();
    expect(await lab.ds.getRepository(Membership).countBy({ userId: created.id })).toBe(0);
    expect(session.problems).toEqual([]);
  });

  it('activates a model and puts one in shadow mode, each after confirmation', async () => {
    const candidate = await insertModelVersion(lab.ds, {
      name: 'amsnet-candidate',
      version: '2026-12',
      variant: 'amsnet',
      trained: true,
      planes: [-45, -30, -15, 0, 15, 30, 45],
    });
    const { page, session } = await open(lab.users.ADMIN);
    await page.getByRole('link', { name: 'Models' }).click();
    const row = (name: string) => page.getByTestId('models-table').locator('tr', { hasText: name });
    await row('amsnet-candidate').getByRole('button', { name: 'Activate…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Activate this model?' });
    expect(await dialog.textContent()).toMatch(/becomes the one active model of Demo IVF Laboratory/);
    await screenshot(page, '12-models-confirm-activation');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await lab.ds.getRepository(ClinicModel).countBy({ modelVersionId: candidate.id })).toBe(0);

    await row('amsnet-candidate').getByRole('button', { name: 'Activate…' }).click();
    await dialog.getByRole('button', { name: 'Activate', exact: true }).click();
    await page.getByText('amsnet-candidate 2026-12: now the active model.').waitFor();
    expect(
      await lab.ds
        .getRepository(ClinicModel)
        .findOneByOrFail({ modelVersionId: candidate.id, clinicId: lab.clinicA.id }),
    ).toMatchObject({ active: true });

    await row('amsnet-demo').getByRole('button', { name: 'Shadow…' }).click();
    await page
      .getByRole('dialog', { name: 'Score this model in shadow mode?' })
      .getByRole('button', { name: 'Start shadow mode' })
      .click();
    await page.getByText(/scored in shadow mode/).waitFor();
    expect(
      await lab.ds
        .getRepository(ClinicModel)
        .findOneByOrFail({ modelVersionId: lab.demo.model.id, clinicId: lab.clinicA.id }),
    ).toMatchObject({ active: false, shadow: true });
    await row('amsnet-demo').getByRole('button', { name: 'Stop shadow…' }).waitFor();
    expect(session.problems).toEqual([]);
  });

  it("signs in through the hospital's identity provider: a proxy that adds the bearer token, or a pasted token", async () => {
    const token = await lab.token(lab.users.EMBRYOLOGIST.user);
    // a reverse proxy in front of the server adds the IdP's token to every request: no sign-in page at all
    const proxied = await open(undefined, { extraHTTPHeaders: { authorization: `Bearer ${token}` } });
    await proxied.page.goto(`${lab.url}/`);
    await proxied.page.getByTestId('active-cycles').waitFor();
    expect(await navLinks(proxied.page)).toEqual(['Lab', 'Runs']);

    const pasted = await open();
    await pasted.page.goto(`${lab.url}/`);
    await pasted.page.getByText("Sign in with a token from the hospital's identity provider").click();
    await pasted.page.getByLabel(/Bearer token/).fill('not-a-token');
    await pasted.page.getByRole('button', { name: 'Use token' }).click();
    await pasted.page.getByText(/token was refused/).waitFor();
    await pasted.page.getByLabel(/Bearer token/).fill(token);
    await pasted.page.getByRole('button', { name: 'Use token' }).click();
    await pasted.page.getByTestId('active-cycles').waitFor();
    expect([...proxied.session.problems, ...pasted.session.problems]).toEqual([]);
  });
});

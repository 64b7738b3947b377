import { ensureFirstStartAdmin, type FirstStartAdmin } from '../../src/accounts/first-start';
import { DemoLabService, type SeedDemoLabRequest } from '../../src/demo/demo-lab.service';
import {
  CHANGE_PASSWORD_MUTATION,
  LAB_VIEW_QUERY,
  LOGIN_MUTATION,
  demoInstructions,
} from '../../src/demo/demo-instructions';
import { UNTRAINED_WARNING } from '../../src/inference/provenance';
import { planDemoLab } from '../../src/demo/synthetic';
import { startJobs } from '../../src/app/jobs';
import type { JobRuntime } from '../../src/jobs/runtime';
import { loadConfig } from '../../src/platform/config';
import { UserError } from '../../src/platform/errors';
import { createLogger } from '../../src/platform/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newMember } from '../helpers/factories';
import { createTestApi, type TestApi } from '../helpers/graphql-client';

/**
 * `amsnet demo` end to end at reduced size: synthetic export → real folder and cycle sheet
 * imports → untrained AMSNet registered and activated → scored by a real worker through the queue
 * → the lab view over GraphQL ranks embryos with trajectories labelled untrained.
 */
const REQUEST: SeedDemoLabRequest = {
  clinicCode: 'demo',
  lab: {
    seed: 11,
    frameMinutes: 360,
    imageSize: 96,
    patients: 2,
    embryosPerCycle: { min: 3, max: 3 },
    referenceTime: new Date('2026-03-10T12:00:00Z'),
  },
  model: { width: 8, blocks: [1, 1, 1, 1], inputSize: 32, seed: 3 },
  scoring: 'wait',
  scoringTimeoutMs: 120_000,
};

describe('amsnet demo (reduced size)', () => {
  let db: TestDatabase;
  let jobs: JobRuntime;
  let api: TestApi;
  let admin: FirstStartAdmin;
  let service: DemoLabService;
  let result: Awaited<ReturnType<DemoLabService['seed']>>;
  const log = createLogger('silent');

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 8 });
    admin = (await ensureFirstStartAdmin(db.services))!;
    jobs = await startJobs(
      {
        services: db.services,
        databaseUrl: db.url,
        log,
        config: loadConfig({ DATA_DIR: '/tmp/amsnet-demo-test', INFERENCE_MAX_BATCH: '4' }),
      },
      { worker: true, scheduler: false, queue: { pollingIntervalSeconds: 0.5 } },
    );
    service = new DemoLabService(db.services);
    result = await service.seed(REQUEST, db.services.system.withRequestId('demo-test'));
    api = await createTestApi(db);
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    await jobs?.stop();
    await db?.destroy();
  });

  it('imports every generated embryo and frame, and scores them all through the queue', () => {
    expect(result.written.embryos).toBe(6);
    expect(result.folderImport.counts.failed).toBe(0);
    expect(result.folderImport.framesStored).toBe(result.written.frames * 7);
    expect(result.sheetImport.counts.failed).toBe(0);
    expect(result.model.trained).toBe(false);
    expect(result.scoringRun.status).toBe('SUCCEEDED');
    expect(result.scoringRun.embryosScored).toBe(6);
  });

  it('serves the lab view: embryos ranked by latest score, ranking, scores and trajectories labelled untrained', async () => {
    const login = await api.gql(LOGIN_MUTATION, { email: admin.email, password: admin.password });
    expect(login.errors).toBeUndefined();
    expect(login.data.login.mustChangePassword).toBe(true); // the first-start password is temporary
    const changed = await api.gql(
      CHANGE_PASSWORD_MUTATION,
      { current: admin.password, new: 'the demo administrator chose this' },
      login.data.login.token as string,
    );
    expect(changed.errors).toBeUndefined();
    const token = changed.data.changePassword.token as string;
    const view = await api.gql(LAB_VIEW_QUERY, { cycleId: result.labViewCycle.id }, token);
    expect(view.errors).toBeUndefined();
    const ranking = view.data.cycle.ranking as {
      label: string;
      warning: string;
      entries: Array<{
        rank: number;
        score: { value: number; label: string };
        embryo: { outcome: string; trajectory: any };
      }>;
    };
    expect(ranking.warning).toBe(UNTRAINED_WARNING);
    expect(ranking.label).toContain(UNTRAINED_WARNING);
    expect(ranking.entries).toHaveLength(3);
    expect(ranking.entries.map((e) => e.rank)).toEqual([1, 2, 3]);
    const latest = ranking.entries.map((e) => e.score.value);
    expect(latest).toEqual([...latest].sort((a, b) => b - a));
    for (const { embryo: e, score } of ranking.entries) {
      expect(score.label).toBe(ranking.label);
      expect(e.trajectory.model.trained).toBe(false);
      expect(e.trajectory.warning).toMatch(/untrained|not trained/i);
      // Day-5 culture (118 h): segments 0…18 are complete.
      expect(e.trajectory.points.map((p: { segment: number }) => p.segment)).toEqual(
        Array.from({ length: 19 }, (_, k) => k),
      );
      for (const p of e.trajectory.points) expect(p.probability).toBeGreaterThanOrEqual(0);
      for (const p of e.trajectory.points) expect(p.probability).toBeLessThanOrEqual(1);
      expect(score.value).toBe(e.trajectory.points[e.trajectory.points.length - 1].probability);
      expect(e.outcome).toBe('UNKNOWN'); // still in culture
    }
  });

  it('records outcomes from the annotations of the finished cycle only, matching the generated story', async () => {
    const plan = planDemoLab(REQUEST.lab);
    const rows: Array<{ external_id: string; outcome: string }> = await db.dataSource.query(
      `SELECT e.external_id, e.outcome FROM embryo e JOIN cycle c ON c.id = e.cycle_id WHERE c.clinic_id = $1 ORDER BY 1`,
      [result.clinic.id],
    );
    const expected = plan.cycles.flatMap((c) =>
      c.embryos.map((e) => ({ external_id: e.externalId, outcome: e.outcome ?? 'UNKNOWN' })),
    );
    expect(rows).toEqual(expected.sort((a, b) => a.external_id.localeCompare(b.external_id)));
    expect(plan.cycles[0].embryos.some((e) => e.outcome === 'BLASTOCYST')).toBe(true);
  });

  it('prints where to look: the GraphQL URL, the login and a ready lab-view query for a real cycle', () => {
    const text = demoInstructions(result, { graphqlUrl: 'http://localhost:4000/graphql', admin });
    expect(text).toContain('http://localhost:4000/graphql');
    expect(text).toContain(admin.email);
    expect(text).toContain(admin.password);
    expect(text).toContain(result.labViewCycle.id);
    expect(text).toMatch(/UNTRAINED/);
  });

  it('refuses to seed the same clinic twice, and hides the demo from users of other clinics', async () => {
    await expect(service.seed(REQUEST, db.services.system.withRequestId('demo-test'))).rejects.toThrow(UserError);
    await expect(service.seed(REQUEST, db.services.system.withRequestId('demo-test'))).rejects.toThrow(
      /already holds the demo lab/,
    );
    const other = await newClinic(db.dataSource);
    const outsider = await newMember(db.dataSource, other, 'ADMIN');
    const view = await api.gql(LAB_VIEW_QUERY, { cycleId: result.labViewCycle.id }, outsider);
    expect(view.data?.cycle ?? null).toBeNull();
    expect(view.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

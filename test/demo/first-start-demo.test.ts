import { seedDemoOnFirstStart } from '../../src/app/demo';
import { demoRequest } from '../../src/demo/demo-defaults';
import { DEMO_MODEL } from '../../src/demo/demo-model';
import { loadConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

describe('demo on first start', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('seeds nothing in production', async () => {
    await seedDemoOnFirstStart({
      services: db.services,
      databaseUrl: db.url,
      log: createLogger('silent'),
      admin: { email: 'a@b.c', password: 'x' },
      workerRunning: false,
      config: loadConfig({ NODE_ENV: 'production', DATA_DIR: '/tmp/unused' }),
    });
    const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM cycle`);
    const [{ m }] = await db.dataSource.query(`SELECT count(*)::int AS m FROM model_version`);
    expect([n, m]).toEqual([0, 0]);
  });

  it('never takes the server down: a failing demo is logged, not thrown', async () => {
    const errors: unknown[] = [];
    const log = createLogger('silent');
    log.error = ((obj: unknown) => void errors.push(obj)) as typeof log.error;
    const closed = await createTestDatabase();
    await closed.destroy(); // the database is gone: every step would fail
    await expect(
      seedDemoOnFirstStart({
        services: closed.services,
        databaseUrl: closed.url,
        log,
        admin: { email: 'a@b.c', password: 'x' },
        workerRunning: false,
        config: loadConfig({ DATA_DIR: '/tmp/unused' }),
      }),
    ).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});

describe('demo request defaults', () => {
  it('is quick by default and runs at the incubator rate with fullRate; explicit choices win', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const quick = demoRequest({}, now);
    expect([quick.lab.frameMinutes, quick.lab.imageSize, quick.lab.patients, quick.scoring, quick.clinicCode]).toEqual([
      360,
      224,
      4,
      'wait',
      'demo',
    ]);
    expect(quick.model).toEqual(DEMO_MODEL);
    const full = demoRequest({ fullRate: true }, now);
    expect([full.lab.frameMinutes, full.lab.imageSize]).toEqual([10, 500]);
    const chosen = demoRequest({ fullRate: true, frameMinutes: 30, wait: false, model: { width: 32 } }, now);
    expect([
      chosen.lab.frameMinutes,
      chosen.lab.imageSize,
      chosen.scoring,
      chosen.model.width,
      chosen.model.inputSize,
    ]).toEqual([30, 500, 'queue', 32, DEMO_MODEL.inputSize]);
  });
});

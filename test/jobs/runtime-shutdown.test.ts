import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTestRuntime, testConfig } from './job-test-kit';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.destroy();
});

it('stopping the runtime closes every queue connection (a database shutdown afterwards hurts nobody)', async () => {
  const runtime = await startTestRuntime(db, {
    config: testConfig({ scoringCron: '* * * * * *' }),
    scheduler: true,
    pollingIntervalSeconds: 0.5,
  });
  await new Promise((r) => setTimeout(r, 1500));
  await runtime.stop();
  // the client has closed its connections; the server's backends exit a moment later
  const queueSessions = () =>
    db.dataSource.query(
      `SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'amsnet-queue%'`,
    );
  let rows = await queueSessions();
  for (let wait = 0; rows.length > 0 && wait < 20; wait++) {
    await new Promise((r) => setTimeout(r, 250));
    rows = await queueSessions();
  }
  expect(rows).toEqual([]);
});

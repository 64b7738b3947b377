import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { DemoLabService, type DemoLabResult, type SeedDemoLabRequest } from '../../../src/demo/demo-lab.service';
import { Clinic, type Role, type User } from '../../../src/entities';
import { startHttpServer, type HttpServer } from '../../../src/app/http-server';
import { startJobs } from '../../../src/app/jobs';
import { loadConfig } from '../../../src/platform/config';
import { createLogger } from '../../../src/platform/logger';
import { DEFAULT_WEB_BUNDLE_DIR } from '../../../src/web/web-bundle';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { newClinic, newCycle, newEmbryo, newMember, newPatient } from '../../helpers/factories';
import { TEST_JWT_SECRET } from '../../helpers/graphql-client';

export const PASSWORD = 'correct horse battery staple';

export interface Account {
  user: User;
  email: string;
  password: string;
}

export interface WebLab {
  db: TestDatabase;
  ds: DataSource;
  http: HttpServer;
  url: string;
  /** The server's DATA_DIR (its model folder is `models/` inside). */
  dataDir: string;
  demo: DemoLabResult;
  /** The demo clinic (clinic A) and its members, one per role (none of them a network admin). */
  clinicA: Clinic;
  users: Record<Role, Account>;
  /** Another clinic with records whose names must never show to clinic A. */
  clinicB: { clinic: Clinic; cycleId: string; embryoId: string; user: Account; markers: string[] };
  token(user: User): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The real server (API, frames, web app) on the test file's own database, with a small demo lab
 * seeded through the real import and scoring paths (a worker scores it through the queue), the
 * demo clinic's members per role, and a second clinic. 20–90 s on 2 cores, depending on their load.
 */
export async function startWebLab(
  lab: Pick<SeedDemoLabRequest['lab'], 'patients' | 'embryosPerCycle'>,
): Promise<WebLab> {
  if (!existsSync(join(DEFAULT_WEB_BUNDLE_DIR, 'index.html'))) {
    throw new Error(`the web app is not built (${DEFAULT_WEB_BUNDLE_DIR}): run \`npm run build\` (npm test does it)`);
  }
  const log = createLogger('silent');
  const db = await createTestDatabase({ poolSize: 10 });
  const ds = db.dataSource;
  const config = loadConfig({
    PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    DATA_DIR: '/tmp/amsnet-web-test',
  });
  const jobs = await startJobs(
    { services: db.services, databaseUrl: db.url, config, log },
    { worker: true, scheduler: false, queue: { pollingIntervalSeconds: 0.5 } },
  );
  const request: SeedDemoLabRequest = {
    clinicCode: 'demo',
    lab: {
      seed: 11,
      frameMinutes: 360,
      imageSize: 64,
      patients: lab.patients,
      embryosPerCycle: lab.embryosPerCycle,
      referenceTime: new Date(),
    },
    model: { width: 8, blocks: [1, 1, 1, 1], inputSize: 32, seed: 3 },
    scoring: 'wait',
    scoringTimeoutMs: 180_000,
  };
  const demo = await new DemoLabService(db.services).seed(request, db.services.system.withRequestId('web-test-demo'));
  await jobs.stop();
  process.stdout.write(`demo lab for the web tests seeded in ${JSON.stringify(demo.seconds)} s\n`);
  const http = await startHttpServer({ config, dataSource: ds, services: db.services, log, host: '127.0.0.1' });

  const clinicA = demo.clinic;
  const users = {} as Record<Role, Account>;
  for (const role of ['ADMIN', 'EMBRYOLOGIST', 'CLINICIAN', 'AUDITOR'] as const) {
    const email = `${role.toLowerCase()}@clinic-a.example.org`;
    users[role] = {
      user: await newMember(ds, clinicA, role, { email, password: PASSWORD, displayName: `A ${role.toLowerCase()}` }),
      email,
      password: PASSWORD,
    };
  }
  const clinicBRow = await newClinic(ds, { code: 'other-hospital', name: 'Other Hospital IVF' });
  const patientB = await newPatient(ds, clinicBRow, { mrn: 'MRN-OTHER-777', displayName: 'Other, Zelda' });
  const cycleB = await newCycle(ds, clinicBRow, {
    patient: patientB,
    externalId: 'OTHER-CYCLE-42',
    inseminationAt: new Date(Date.now() - 3 * 86_400_000),
  });
  const embryoB = await newEmbryo(ds, cycleB, { label: 'Z9', externalId: 'OTHER-EMBRYO-9' });
  const emailB = 'admin@other-hospital.example.org';
  const userB = await newMember(ds, clinicBRow, 'ADMIN', { email: emailB, password: PASSWORD });

  return {
    db,
    ds,
    http,
    url: http.url,
    dataDir: config.dataDir,
    demo,
    clinicA,
    users,
    clinicB: {
      clinic: clinicBRow,
      cycleId: cycleB.id,
      embryoId: embryoB.id,
      user: { user: userB, email: emailB, password: PASSWORD },
      markers: ['Other Hospital IVF', 'OTHER-CYCLE-42', 'MRN-OTHER-777', 'Other, Zelda', 'OTHER-EMBRYO-9', emailB],
    },
    token: async (user) => (await http.api.services.tokens.issue(user.id)).token,
    async stop() {
      await http.stop();
      await db.destroy();
    },
  };
}

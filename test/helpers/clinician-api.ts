import type { DataSource } from 'typeorm';
import type { Clinic, ModelVersion, User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from './database';
import { newClinic, newMember } from './factories';
import { createTestApi, type TestApi } from './graphql-client';
import { enableModel, newModelVersion } from './graphql-factories';

/**
 * The real API over a test database with one clinic, a CLINICIAN and an active trained model: what
 * the cycle-view tests read through. `recorded` answers the SQL statements a call ran.
 */
export interface ClinicianApi {
  db: TestDatabase;
  ds: DataSource;
  t: TestApi;
  clinic: Clinic;
  clinician: User;
  model: ModelVersion;
  recorded<T>(run: () => Promise<T>): Promise<{ result: T; sql: string[] }>;
  stop(): Promise<void>;
}

export async function clinicianApi(): Promise<ClinicianApi> {
  let recording: string[] | null = null;
  const db = await createTestDatabase({ onQuery: (sql) => recording?.push(sql) });
  const ds = db.dataSource;
  const t = await createTestApi(db);
  const clinic = await newClinic(ds);
  const clinician = await newMember(ds, clinic, 'CLINICIAN');
  const model = await newModelVersion(ds, { trained: true });
  await enableModel(ds, clinic, model, { active: true });
  return {
    db,
    ds,
    t,
    clinic,
    clinician,
    model,
    async recorded(run) {
      const sql: string[] = [];
      recording = sql;
      try {
        return { result: await run(), sql };
      } finally {
        recording = null;
      }
    },
    async stop() {
      await t.stop();
      await db.destroy();
    },
  };
}

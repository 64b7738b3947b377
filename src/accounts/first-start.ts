import type { DataSource } from 'typeorm';
import { Clinic, User } from '../entities';
import { SYSTEM_ACTOR } from '../platform/audit/audit-actions';
import { AccountsService } from './accounts.service';
import { generatePassword } from './password';

export interface FirstStartAdmin {
  clinic: Clinic;
  email: string;
  /** Shown once; only its hash is stored. */
  password: string;
}

const FIRST_START_LOCK = 7_246_100;

/**
 * On an empty database (no user at all), creates the `demo` clinic and its administrator with a
 * one-time password. Returns undefined when users already exist. Safe when several processes start
 * together: an advisory lock lets one of them do it.
 */
export async function ensureFirstStartAdmin(dataSource: DataSource): Promise<FirstStartAdmin | undefined> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [FIRST_START_LOCK]);
    if ((await dataSource.getRepository(User).count()) > 0) return undefined;
    const accounts = new AccountsService(dataSource);
    const clinic =
      (await dataSource.getRepository(Clinic).findOneBy({ code: 'demo' })) ??
      (await accounts.createClinic({ code: 'demo', name: 'Demo IVF Laboratory' }, SYSTEM_ACTOR));
    const password = generatePassword();
    const email = 'admin@demo.local';
    await accounts.createUser(
      { email, password, displayName: 'Demo administrator', networkAdmin: true, membership: { clinicId: clinic.id, role: 'ADMIN' } },
      SYSTEM_ACTOR,
    );
    return { clinic, email, password };
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [FIRST_START_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

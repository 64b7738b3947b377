import type { PrivilegedAccess } from '../auth/privileged-access';
import type { Clinic } from '../entities';
import type { DataStore } from '../entities/repositories';
import type { AccountsService } from './accounts.service';
import { generatePassword } from '../auth/password';

export interface FirstStartAdmin {
  clinic: Clinic;
  email: string;
  /** Shown once; only its hash is stored. */
  password: string;
}

const FIRST_START_LOCK = 7_246_100;

/**
 * On an empty database (no user at all), creates the `demo` clinic and its administrator with a
 * one-time password that must be changed at the first sign-in. Returns undefined when users already exist. Safe when several processes start
 * together: an advisory lock lets one of them do it.
 */
export async function ensureFirstStartAdmin(deps: {
  store: DataStore;
  accounts: AccountsService;
  system: PrivilegedAccess;
}): Promise<FirstStartAdmin | undefined> {
  const { store, accounts, system } = deps;
  return store.exclusively(FIRST_START_LOCK, async () => {
    if ((await store.accounts.countUsers()) > 0) return undefined;
    const clinic =
      (await store.clinics.byCode('demo')) ??
      (await accounts.createClinic({ code: 'demo', name: 'Demo IVF Laboratory' }, system.network()));
    const password = generatePassword();
    const email = 'admin@demo.local';
    await accounts.createUser(
      // printed on the console: known to whoever reads the log, so the administrator must replace it
      { email, password, displayName: 'Demo administrator', networkAdmin: true, mustChangePassword: true },
      { network: system.network(), clinic: { grant: system.clinic(clinic.id), role: 'ADMIN' } },
    );
    return { clinic, email, password };
  });
}

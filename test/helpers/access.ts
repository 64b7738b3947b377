import { Authenticator } from '../../src/auth/authenticator';
import { LocalTokenSigner } from '../../src/auth/local-tokens';
import type { User } from '../../src/entities';
import { ClinicAccess } from '../../src/graphql/access/clinic-access';
import type { TestDatabase } from './database';

/**
 * The access layer as one request of `user` sees it, for tests that act as a user outside the
 * API: its grants carry the user and the request id, exactly as a resolver's would.
 */
export async function accessOf(
  db: Pick<TestDatabase, 'store'>,
  user: Pick<User, 'id'>,
  requestId = 'test-request',
): Promise<ClinicAccess> {
  const authenticator = new Authenticator(db.store.accounts, new LocalTokenSigner('x'.repeat(32), 60), undefined);
  return new ClinicAccess(await authenticator.principalOf(user.id, 'password'), requestId, db.store.clinics);
}

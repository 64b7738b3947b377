import type { Role } from '../entities';

/** Who is calling: an active user and the roles it holds, per clinic id. */
export interface Principal {
  userId: string;
  email: string;
  networkAdmin: boolean;
  /** clinic id → role. A network admin is ADMIN of every clinic whatever is listed here. */
  roles: ReadonlyMap<string, Role>;
  /** How the caller proved who it is. */
  via: 'password' | 'oidc';
}

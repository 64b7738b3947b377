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
  /** A temporary password (first start, reset): nothing is allowed but choosing a new one. */
  mustChangePassword: boolean;
  /** Local tokens: the sign-in they belong to, and when it happened (renewals keep it). */
  session?: { id: string | undefined; signedInAt: Date; tokenVersion: number };
}

import type { DataSource } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { Permission, roleAllows } from '../../auth/permissions';
import { Clinic, type Role } from '../../entities';
import type { AuditActor } from '../../platform/audit/audit-actions';
import { isUuid } from '../../platform/ids';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors';

/**
 * Clinics a query may touch, as SQL parameters: `all` for a network admin, otherwise the listed ids.
 * Every scoped query adds `(:all OR x.clinic_id = ANY(:clinicIds))` (see scopeCondition).
 */
export interface ClinicScope {
  all: boolean;
  clinicIds: string[];
}

/**
 * Proof that the caller holds a permission in one clinic. Only ClinicAccess makes them; services
 * that change clinic data take one instead of a bare clinic id, so no code path can write into a
 * clinic that was not checked first.
 */
export class ClinicGrant {
  private constructor(
    readonly clinicId: string,
    readonly permission: Permission,
    readonly actor: AuditActor,
  ) {}

  /** @internal used by ClinicAccess only */
  static issue(clinicId: string, permission: Permission, actor: AuditActor): ClinicGrant {
    return new ClinicGrant(clinicId, permission, actor);
  }
}

export { isUuid };

/**
 * The caller's rights, per request, built from its memberships (DESIGN.md §8). A network admin is
 * ADMIN of every clinic. Rules: a clinic where the caller has no role does not exist for it
 * (NOT_FOUND, same as a missing id); a role without the permission inside an own clinic is FORBIDDEN.
 */
export class ClinicAccess {
  constructor(
    private caller: Principal | undefined,
    readonly requestId: string,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * After a successful `login` in this request, the rest of the request (the AuthPayload's user and
   * memberships) runs as the user who just signed in. Only an anonymous request can adopt one.
   */
  adopt(principal: Principal): void {
    if (this.caller && this.caller.userId !== principal.userId) throw new Error('request already runs as another user');
    this.caller = principal;
  }

  get authenticated(): boolean {
    return this.caller !== undefined;
  }

  get principal(): Principal {
    if (!this.caller) throw new UnauthenticatedError();
    return this.caller;
  }

  get actor(): AuditActor {
    return { userId: this.principal.userId, requestId: this.requestId };
  }

  get isNetworkAdmin(): boolean {
    return this.principal.networkAdmin;
  }

  /** The caller's role in a clinic, or undefined when the clinic is invisible to it. */
  roleIn(clinicId: string): Role | undefined {
    if (this.principal.networkAdmin) return 'ADMIN';
    return this.principal.roles.get(clinicId);
  }

  allows(clinicId: string, permission: Permission): boolean {
    const role = this.roleIn(clinicId);
    return role !== undefined && roleAllows(role, permission);
  }

  /** Clinics where the caller holds `permission`. */
  scopeFor(permission: Permission): ClinicScope {
    if (this.principal.networkAdmin) return { all: true, clinicIds: [] };
    const clinicIds = [...this.principal.roles].filter(([, role]) => roleAllows(role, permission)).map(([id]) => id);
    return { all: false, clinicIds };
  }

  /** Clinics where the caller has any role: rows outside them are NOT_FOUND. */
  visibleScope(): ClinicScope {
    if (this.principal.networkAdmin) return { all: true, clinicIds: [] };
    return { all: false, clinicIds: [...this.principal.roles.keys()] };
  }

  /**
   * For a row already found inside the visible scope: FORBIDDEN unless the role allows it.
   */
  assertAllowed(clinicId: string, permission: Permission): void {
    if (this.roleIn(clinicId) === undefined) throw new NotFoundError('record');
    if (!this.allows(clinicId, permission)) throw new ForbiddenError();
  }

  /**
   * A grant for one clinic given by id (mutations and list filters): NOT_FOUND when the clinic is
   * missing or not the caller's, FORBIDDEN when the role lacks the permission.
   */
  async requireClinic(clinicId: string, permission: Permission): Promise<ClinicGrant> {
    const visible = isUuid(clinicId) && this.roleIn(clinicId) !== undefined;
    // a network admin sees every clinic that exists; others only their own (which exist by FK)
    if (!visible || (this.principal.networkAdmin && !(await this.dataSource.getRepository(Clinic).existsBy({ id: clinicId })))) {
      throw new NotFoundError('clinic');
    }
    if (!this.allows(clinicId, permission)) throw new ForbiddenError();
    return ClinicGrant.issue(clinicId, permission, this.actor);
  }

  /** A grant for a row whose clinic was read through the visible scope. */
  grantFor(clinicId: string, permission: Permission): ClinicGrant {
    this.assertAllowed(clinicId, permission);
    return ClinicGrant.issue(clinicId, permission, this.actor);
  }

  /** Network-wide operations (creating clinics): network admins only. */
  requireNetworkAdmin(): void {
    if (!this.principal.networkAdmin) throw new ForbiddenError('only network administrators may do this');
  }
}

/** SQL condition restricting `alias.clinic_id` to a scope; parameters are named per prefix. */
export function scopeCondition(column: string, scope: ClinicScope, prefix = 'scope'): [string, Record<string, unknown>] {
  return [
    `(:${prefix}All OR ${column} = ANY(CAST(:${prefix}Ids AS uuid[])))`,
    { [`${prefix}All`]: scope.all, [`${prefix}Ids`]: scope.clinicIds },
  ];
}

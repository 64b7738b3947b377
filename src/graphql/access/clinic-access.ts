import {
  issueClinicGrant,
  issueModelRegistrationGrant,
  issueNetworkGrant,
  type ClinicGrant,
  type ModelRegistrationGrant,
  type NetworkGrant,
} from '../../auth/grants';
import { Permission, roleAllows } from '../../auth/permissions';
import type { Principal } from '../../auth/principal';
import type { UserAuthority } from '../../clinic-data/account-lifecycle.service';
import type { AuditActor, Role } from '../../entities';
import type { ClinicScope } from '../../entities/repositories';
import { isUuid } from '../../platform/ids';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors';

/**
 * What a device authenticated by its credential (STOW-RS) may do: store DICOM (LAB_WORK) in the one
 * clinic the credential was created for, audited as the system with the request's id.
 */
export function deviceImportGrant(clinicId: string, actor: AuditActor): ClinicGrant {
  return issueClinicGrant(clinicId, Permission.LAB_WORK, actor);
}

/**
 * The caller's rights, per request, built from its memberships (DESIGN.md §8). A network admin is
 * ADMIN of every clinic. Rules: a clinic where the caller has no role does not exist for it
 * (NOT_FOUND, same as a missing id); a role without the permission inside an own clinic is FORBIDDEN.
 * The only place besides privileged system access that issues grants.
 */
export class ClinicAccess {
  constructor(
    private caller: Principal | undefined,
    readonly requestId: string,
    private readonly clinics: { exists(id: string): Promise<boolean> },
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

  /** For a row already found inside the visible scope: FORBIDDEN unless the role allows it. */
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
    if (!visible || (this.principal.networkAdmin && !(await this.clinics.exists(clinicId)))) {
      throw new NotFoundError('clinic');
    }
    if (!this.allows(clinicId, permission)) throw new ForbiddenError();
    return issueClinicGrant(clinicId, permission, this.actor);
  }

  /** A grant for a row whose clinic was read through the visible scope. */
  grantFor(clinicId: string, permission: Permission): ClinicGrant {
    this.assertAllowed(clinicId, permission);
    return issueClinicGrant(clinicId, permission, this.actor);
  }

  /** Network-wide operations (creating clinics, network-wide audit log): network admins only. */
  requireNetworkAdmin(): NetworkGrant {
    if (!this.principal.networkAdmin) throw new ForbiddenError('only network administrators may do this');
    return issueNetworkGrant(this.actor);
  }

  /** Network admin, or ADMIN of at least one clinic. */
  get administersAny(): boolean {
    const scope = this.scopeFor(Permission.MANAGE);
    return scope.all || scope.clinicIds.length > 0;
  }

  /** Whose accounts the caller administers (reset, disable, sessions): see AccountLifecycleService. */
  userAuthority(): UserAuthority {
    if (this.principal.networkAdmin) return { network: issueNetworkGrant(this.actor) };
    const clinics = this.scopeFor(Permission.MANAGE).clinicIds.map((id) =>
      issueClinicGrant(id, Permission.MANAGE, this.actor),
    );
    if (clinics.length === 0) throw new ForbiddenError('only administrators may manage users');
    return { clinics };
  }

  /** Whom the caller may give a role: anyone (network admin), or users already in a clinic it administers. */
  membershipReach(): NetworkGrant | { clinicIds: readonly string[] } {
    if (this.principal.networkAdmin) return issueNetworkGrant(this.actor);
    return { clinicIds: this.scopeFor(Permission.MANAGE).clinicIds };
  }

  /** Model versions belong to no clinic: a network admin or an ADMIN of any clinic registers them. */
  requireModelRegistrar(): ModelRegistrationGrant {
    if (!this.administersAny) throw new ForbiddenError('only administrators may register models');
    return issueModelRegistrationGrant(this.actor);
  }
}

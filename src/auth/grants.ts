import type { AuditActor } from '../entities';
import type { Permission } from './permissions';

/*
 * Grants are proofs that an access check passed. Services that change data (or read it across
 * clinics) take one instead of a bare id, so no code path acts in a clinic it was not checked for.
 * The classes are nominal (private constructors and members: no object literal passes for one) and
 * only two places mint them, through the issue* functions below: the per-request access layer
 * (src/graphql/access/clinic-access.ts) and privileged system access (./privileged-access.ts).
 * The layering check in npm test refuses any other importer of those functions.
 */

let mintClinic: (clinicId: string, permission: Permission | 'ALL', actor: AuditActor) => ClinicGrant;
let mintNetwork: (actor: AuditActor) => NetworkGrant;
let mintRegistration: (actor: AuditActor) => ModelRegistrationGrant;

/** The holder may exercise `permission` in one clinic (privileged access: every permission). */
export class ClinicGrant {
  private readonly kind = 'clinic';

  private constructor(
    readonly clinicId: string,
    private readonly permission: Permission | 'ALL',
    readonly actor: AuditActor,
  ) {}

  static {
    mintClinic = (clinicId, permission, actor) => new ClinicGrant(clinicId, permission, actor);
  }

  covers(permission: Permission): boolean {
    return this.permission === 'ALL' || this.permission === permission;
  }

  /** Services check what they were handed: a grant for another permission is a bug, not a user error. */
  require(permission: Permission): this {
    if (!this.covers(permission)) throw new Error(`a ${this.permission} grant does not cover ${permission}`);
    return this;
  }
}

/** The holder administers the whole network: clinics, users without a clinic, network admins, every clinic's data at once. */
export class NetworkGrant {
  private readonly kind = 'network';

  private constructor(readonly actor: AuditActor) {}

  static {
    mintNetwork = (actor) => new NetworkGrant(actor);
  }
}

/** The holder may register model versions (which belong to no clinic): a network admin or an ADMIN of any clinic. */
export class ModelRegistrationGrant {
  private readonly kind = 'model-registration';

  private constructor(readonly actor: AuditActor) {}

  static {
    mintRegistration = (actor) => new ModelRegistrationGrant(actor);
  }
}

export function issueClinicGrant(clinicId: string, permission: Permission | 'ALL', actor: AuditActor): ClinicGrant {
  return mintClinic(clinicId, permission, actor);
}

export function issueNetworkGrant(actor: AuditActor): NetworkGrant {
  return mintNetwork(actor);
}

export function issueModelRegistrationGrant(actor: AuditActor): ModelRegistrationGrant {
  return mintRegistration(actor);
}

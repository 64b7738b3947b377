import type { AuditActor } from '../entities';
import type { Permission } from './permissions';

/*
 * Grants are proofs that an access check passed. Services that change data (or read it across
 * clinics) take one instead of a bare id, so no code path acts in a clinic it was not checked for.
 * The classes are nominal twice over: private constructors and members make the type checker refuse
 * any look-alike, and the `check` functions that services call first refuse, at run time, anything
 * but an object these constructors made (an ES private field cannot be forged). Only two places
 * mint them, through the issue* functions below: the per-request access layer
 * (src/graphql/access/clinic-access.ts) and privileged system access (./privileged-access.ts).
 * The layering check in npm test refuses any other importer of those functions.
 */

let mintClinic: (clinicId: string, permission: Permission | 'ALL', actor: AuditActor) => ClinicGrant;
let mintNetwork: (actor: AuditActor) => NetworkGrant;
let mintRegistration: (actor: AuditActor) => ModelRegistrationGrant;

const forged = (what: string) => new Error(`not a ${what} issued by the access layer`);

/** The holder may exercise `permission` in one clinic (privileged access: every permission). */
export class ClinicGrant {
  readonly #permission: Permission | 'ALL';

  private constructor(
    readonly clinicId: string,
    permission: Permission | 'ALL',
    readonly actor: AuditActor,
  ) {
    this.#permission = permission;
  }

  static {
    mintClinic = (clinicId, permission, actor) => new ClinicGrant(clinicId, permission, actor);
  }

  covers(permission: Permission): boolean {
    return this.#permission === 'ALL' || this.#permission === permission;
  }

  static isGenuine(value: unknown): value is ClinicGrant {
    return typeof value === 'object' && value !== null && #permission in value;
  }

  /**
   * What a service does first with the grant it was handed: a look-alike or a grant for another
   * permission is a bug of the caller, refused before any data is touched.
   */
  static check(grant: ClinicGrant, permission: Permission): ClinicGrant {
    if (!ClinicGrant.isGenuine(grant)) throw forged('clinic grant');
    if (!grant.covers(permission)) throw new Error(`a ${grant.#permission} grant does not cover ${permission}`);
    return grant;
  }
}

/** The holder administers the whole network: clinics, users without a clinic, network admins, every clinic's data at once. */
export class NetworkGrant {
  readonly #network = true;

  private constructor(readonly actor: AuditActor) {}

  static {
    mintNetwork = (actor) => new NetworkGrant(actor);
  }

  static isGenuine(value: unknown): value is NetworkGrant {
    return typeof value === 'object' && value !== null && #network in value;
  }

  static check(grant: NetworkGrant): NetworkGrant {
    if (!NetworkGrant.isGenuine(grant)) throw forged('network grant');
    return grant;
  }
}

/** The holder may register model versions (which belong to no clinic): a network admin or an ADMIN of any clinic. */
export class ModelRegistrationGrant {
  readonly #registration = true;

  private constructor(readonly actor: AuditActor) {}

  static {
    mintRegistration = (actor) => new ModelRegistrationGrant(actor);
  }

  static check(grant: ModelRegistrationGrant): ModelRegistrationGrant {
    if (!(typeof grant === 'object' && grant !== null && #registration in grant))
      throw forged('model registration grant');
    return grant;
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

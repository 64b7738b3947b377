import type { AuditActor, Clinic } from '../entities';
import { UserError } from '../platform/errors';
import { isUuid } from '../platform/ids';
import {
  issueClinicGrant,
  issueModelRegistrationGrant,
  issueNetworkGrant,
  type ClinicGrant,
  type ModelRegistrationGrant,
  type NetworkGrant,
} from './grants';

/** How privileged access finds a clinic named on the command line. */
export interface ClinicLookup {
  byCode(code: string): Promise<Clinic | null>;
}

/**
 * Privileged system access: the operator at the command line, the scheduler and the workers act in
 * any clinic without a user's role, audited as the system (user null). Only the composition root
 * (src/app) creates one and hands it to the CLI and the jobs; the API never holds one (the layering
 * check in npm test enforces both). It is never a default argument: whoever acts with it says so.
 */
export class PrivilegedAccess {
  private constructor(
    readonly actor: AuditActor,
    private readonly clinics: ClinicLookup,
  ) {}

  static forSystem(clinics: ClinicLookup, requestId: string | null = null): PrivilegedAccess {
    return new PrivilegedAccess({ userId: null, requestId }, clinics);
  }

  /** The same access with its own request id in the audit log (a demo run, one CLI operation). */
  withRequestId(requestId: string): PrivilegedAccess {
    return new PrivilegedAccess({ userId: null, requestId }, this.clinics);
  }

  /** Every permission in the clinic with this id (services report a clinic that does not exist). */
  clinic(clinicId: string): ClinicGrant {
    return issueClinicGrant(clinicId, 'ALL', this.actor);
  }

  /** The clinic a `--clinic` option names: by code (as everywhere in the CLI) or by id. */
  async clinicNamed(codeOrId: string): Promise<ClinicGrant> {
    if (isUuid(codeOrId)) return this.clinic(codeOrId);
    const clinic = await this.clinics.byCode(codeOrId);
    if (!clinic) throw new UserError(`no clinic with code "${codeOrId}"`);
    return this.clinic(clinic.id);
  }

  network(): NetworkGrant {
    return issueNetworkGrant(this.actor);
  }

  modelRegistration(): ModelRegistrationGrant {
    return issueModelRegistrationGrant(this.actor);
  }
}

import type { AuditActor } from '../platform/audit/audit-actions';

/**
 * What a service needs to know about an already-checked permission: the clinic it covers and who
 * acts. The API's access layer (src/graphql/access/clinic-access.ts, ClinicGrant) is the only
 * producer in the API; the CLI builds one for the operator (system actor).
 */
export interface CheckedClinic {
  readonly clinicId: string;
  readonly actor: AuditActor;
}

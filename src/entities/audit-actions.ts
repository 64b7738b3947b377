/**
 * Every kind of audit event, as typed constants: a read of patient-level data or a change.
 * Add new actions here; nothing writes a free-form action string.
 */
export const AuditAction = {
  // reads of patient-level data
  READ_CYCLE: 'READ_CYCLE',
  READ_CYCLES: 'READ_CYCLES',
  READ_EMBRYO: 'READ_EMBRYO',
  READ_PATIENT: 'READ_PATIENT',
  READ_FRAME_IMAGE: 'READ_FRAME_IMAGE',
  READ_AUDIT_LOG: 'READ_AUDIT_LOG',
  READ_IMPORT_RUNS: 'READ_IMPORT_RUNS',
  READ_EVALUATION: 'READ_EVALUATION',
  EXPORT_DATASET: 'EXPORT_DATASET',
  // authentication
  LOGIN_SUCCEEDED: 'LOGIN_SUCCEEDED',
  LOGIN_FAILED: 'LOGIN_FAILED',
  // changes
  CLINIC_CREATED: 'CLINIC_CREATED',
  USER_CREATED: 'USER_CREATED',
  MEMBERSHIP_GRANTED: 'MEMBERSHIP_GRANTED',
  MEMBERSHIP_REVOKED: 'MEMBERSHIP_REVOKED',
  PATIENT_CREATED: 'PATIENT_CREATED',
  PATIENT_UPDATED: 'PATIENT_UPDATED',
  CYCLE_CREATED: 'CYCLE_CREATED',
  CYCLE_UPDATED: 'CYCLE_UPDATED',
  CYCLE_STATUS_CHANGED: 'CYCLE_STATUS_CHANGED',
  OUTCOME_RECORDED: 'OUTCOME_RECORDED',
  IMPORT_RUN: 'IMPORT_RUN',
  SCORING_REQUESTED: 'SCORING_REQUESTED',
  MODEL_REGISTERED: 'MODEL_REGISTERED',
  MODEL_REGISTRATION_REFUSED: 'MODEL_REGISTRATION_REFUSED',
  MODEL_ACTIVATED: 'MODEL_ACTIVATED',
  MODEL_SHADOW_SET: 'MODEL_SHADOW_SET',
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

/** Who did it: a user (`userId`), or the system itself (the CLI operator, the scheduler, a worker: null). */
export interface AuditActor {
  userId: string | null;
  requestId?: string | null;
}

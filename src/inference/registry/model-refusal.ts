import { AuditAction, type AuditActor } from '../../entities';
import type { AuditRepository } from '../../entities/repositories';
import { UserError } from '../../platform/errors';

/**
 * Why a model file was refused, as a fixed code: what the audit log keeps. The message shown to
 * the person registering may name parts of the file; the code never carries anything from it.
 */
export const REFUSAL_REASONS = [
  'empty-file',
  'external-data',
  'ort-format',
  'unreadable',
  'contract',
  'segment-length',
  'load-failed',
  'run-failed',
  'output-count',
  'not-a-probability',
  'not-causal',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** A model file refused at registration; the message starts with "model refused:". */
export class ModelRefusedError extends UserError {
  override name = 'ModelRefusedError';
  constructor(
    readonly reason: RefusalReason,
    detail: string,
  ) {
    super(`model refused: ${detail}`);
  }
}

export interface RefusedRegistration {
  name: string;
  version: string;
  sha256: string;
  sizeBytes: number;
  reason: RefusalReason;
}

/**
 * Appends the audit event of a refused registration: who tried, which file (by sha256), and the
 * reason code. It commits on its own, since nothing else is written for a refused file.
 */
export async function auditRefusedRegistration(
  audit: AuditRepository,
  actor: AuditActor,
  refused: RefusedRegistration,
): Promise<void> {
  await audit.append(actor, {
    action: AuditAction.MODEL_REGISTRATION_REFUSED,
    entity: 'model_version',
    entityId: null,
    detail: { ...refused },
  });
}

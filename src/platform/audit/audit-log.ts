import type { EntityManager } from 'typeorm';
import { AuditEvent } from '../../entities';
import type { AuditAction, AuditActor } from './audit-actions';

export interface AuditRecord {
  action: AuditAction;
  entity: string;
  entityId?: string | null;
  clinicId?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * Appends audit events. Pass the EntityManager of the transaction that makes the change, so the
 * event and the change commit (or roll back) together.
 */
export async function writeAudit(manager: EntityManager, actor: AuditActor, records: AuditRecord | AuditRecord[]): Promise<void> {
  const list = Array.isArray(records) ? records : [records];
  if (list.length === 0) return;
  await manager.insert(
    AuditEvent,
    list.map((r) => ({
      userId: actor.userId,
      requestId: actor.requestId ?? null,
      action: r.action,
      entity: r.entity,
      entityId: r.entityId ?? null,
      clinicId: r.clinicId ?? null,
      detail: (r.detail ?? {}) as object, // jsonb; TypeORM's deep-partial type cannot express unknown values
    })),
  );
}

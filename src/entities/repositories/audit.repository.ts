import type { EntityManager } from 'typeorm';
import { AuditEvent } from '../audit-event.entity';
import type { AuditAction, AuditActor } from '../audit-actions';
import { scopeCondition, toPage, type ClinicScope, type Page } from './clinic-scope';

export interface AuditRecord {
  action: AuditAction;
  entity: string;
  entityId?: string | null;
  clinicId?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * The append-only audit log. Append through the repositories of the transaction that makes the
 * change, so the event and the change commit (or roll back) together.
 */
export class AuditRepository {
  constructor(private readonly m: EntityManager) {}

  async append(actor: AuditActor, records: AuditRecord | AuditRecord[]): Promise<void> {
    const list = Array.isArray(records) ? records : [records];
    if (list.length === 0) return;
    await this.m.insert(
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

  /**
   * Oldest first within [from, to), after the event `afterId` (ids are monotonic). `clinicId` null:
   * events of no clinic (sign-ins), which only the scope `all` reaches.
   */
  async page(
    scope: ClinicScope,
    filter: { clinicId: string | null; from?: Date; to?: Date },
    first: number,
    afterId: string | undefined,
  ): Promise<Page<AuditEvent>> {
    const [condition, params] = scopeCondition('a.clinic_id', scope);
    const query = this.m.getRepository(AuditEvent).createQueryBuilder('a').where(condition, params);
    if (filter.clinicId === null) query.andWhere('a.clinic_id IS NULL');
    else query.andWhere('a.clinic_id = :clinicId', { clinicId: filter.clinicId });
    if (filter.from) query.andWhere('a.at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('a.at < :to', { to: filter.to });
    if (afterId) query.andWhere('a.id > :afterId', { afterId });
    const rows = await query
      .orderBy('a.id', 'ASC')
      .limit(first + 1)
      .getMany();
    return toPage(rows, first);
  }
}

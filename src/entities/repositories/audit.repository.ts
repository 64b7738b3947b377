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

  /**
   * Writes `records` in one statement, in their order (each links to the one before it in its
   * clinic's chain). Hand-written SQL: every audited read writes here, and TypeORM's insert builder
   * (with its RETURNING of generated columns) cost more than the statement itself.
   */
  async append(actor: AuditActor, records: AuditRecord | AuditRecord[]): Promise<void> {
    const list = Array.isArray(records) ? records : [records];
    if (list.length === 0) return;
    await this.m.query(
      `INSERT INTO audit_event (user_id, request_id, action, entity, entity_id, clinic_id, detail)
       SELECT $1::uuid, $2::text, r.action, r.entity, r.entity_id, r.clinic_id, r.detail
       FROM unnest($3::text[], $4::text[], $5::text[], $6::uuid[], $7::jsonb[])
         WITH ORDINALITY AS r (action, entity, entity_id, clinic_id, detail, n)
       ORDER BY r.n`,
      [
        actor.userId,
        actor.requestId ?? null,
        list.map((r) => r.action),
        list.map((r) => r.entity),
        list.map((r) => r.entityId ?? null),
        list.map((r) => r.clinicId ?? null),
        list.map((r) => JSON.stringify(r.detail ?? {})),
      ],
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

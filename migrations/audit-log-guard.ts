import type { QueryRunner } from 'typeorm';
import { UserError } from '../src/platform/errors';

/** The session setting that allows reverting a migration which would drop the audit log or its chain. */
export const ALLOW_AUDIT_LOG_DROP = 'amsnet.allow_audit_log_drop';

/**
 * Called first by every `down` that would destroy audit events or their tamper evidence. The audit
 * log is a legal record: it goes only when the connection says so explicitly (`amsnet migrate
 * --revert --drop-audit-log` sets it), never as a side effect of reverting a schema change.
 */
export async function refuseUnlessAuditLogDropAllowed(q: QueryRunner, migration: string): Promise<void> {
  const [row] = (await q.query(`SELECT current_setting($1, true) AS allowed`, [ALLOW_AUDIT_LOG_DROP])) as {
    allowed: string | null;
  }[];
  if (row?.allowed !== 'on') {
    throw new AuditLogDropRefused(migration);
  }
}

export class AuditLogDropRefused extends UserError {
  constructor(readonly migration: string) {
    super(
      `reverting ${migration} would drop the audit log or its hash chain: refused (pass --drop-audit-log to do it anyway)`,
    );
  }
}

import type { DataSource } from 'typeorm';
import type { AuditRecord } from '../../platform/audit/audit-log';
import { writeAudit } from '../../platform/audit/audit-log';
import type { ClinicAccess } from './clinic-access';

/**
 * Audit of reads: one event per patient-level read operation (a `cycle(id)` query, a page of
 * `cycles`, an image), not one per field. Written before the data leaves the server; if the
 * audit cannot be written the read fails.
 */
export class ReadAuditor {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: ClinicAccess,
  ) {}

  record(records: AuditRecord | AuditRecord[]): Promise<void> {
    return writeAudit(this.dataSource.manager, this.access.actor, records);
  }
}

import { parse } from 'csv-parse/sync';
import { readFile } from 'node:fs/promises';
import { isReservedCycleExternalId } from '../../clinic-data/clinical-rules';
import { CYCLE_METHODS, UNASSIGNED_CYCLE_EXTERNAL_ID, type CycleMethod } from '../../entities';
import { UserError } from '../../platform/errors';

export const CYCLE_SHEET_COLUMNS = [
  'mrn',
  'patient_name',
  'cycle_id',
  'insemination_at',
  'method',
  'embryo_label',
  'embryo_external_id',
] as const;

/** A validated sheet row. */
export interface CycleSheetRow {
  mrn: string;
  patientName: string | null;
  cycleExternalId: string;
  inseminationAt: Date;
  method: CycleMethod | null;
  embryo: { externalId: string; label: string } | null;
}

export type ParsedRow =
  { line: number; row: CycleSheetRow; error: null } | { line: number; row: null; error: string; cycle: string };

/** ISO 8601 date-time with an explicit zone: a time without one is ambiguous in a hospital. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export function parseInseminationTime(text: string): Date | string {
  if (!ISO_WITH_ZONE.test(text))
    return `insemination_at "${text}" is not an ISO 8601 date-time with a zone (e.g. 2026-01-05T09:30:00+01:00)`;
  const [date] = text.split(/[T ]/);
  const at = new Date(text.replace(' ', 'T'));
  // Date accepts 2026-02-30 by rolling over; a calendar date that does not exist is an error.
  const [y, m, d] = date.split('-').map(Number);
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (Number.isNaN(at.getTime()) || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) {
    return `insemination_at "${text}" is not a valid date`;
  }
  return at;
}

function validate(record: Record<string, string>): CycleSheetRow | string {
  const get = (k: string) => (record[k] ?? '').trim();
  const mrn = get('mrn');
  const cycleExternalId = get('cycle_id');
  if (!mrn) return 'mrn is empty';
  if (!cycleExternalId) return 'cycle_id is empty';
  if (isReservedCycleExternalId(cycleExternalId)) return `cycle_id "${UNASSIGNED_CYCLE_EXTERNAL_ID}" is reserved`;
  const inseminationAt = parseInseminationTime(get('insemination_at'));
  if (typeof inseminationAt === 'string') return inseminationAt;
  const methodText = get('method').toUpperCase();
  if (methodText && !(CYCLE_METHODS as readonly string[]).includes(methodText))
    return `method "${get('method')}" must be IVF or ICSI`;
  const externalId = get('embryo_external_id');
  const label = get('embryo_label');
  if (label && !externalId) return 'embryo_label given without embryo_external_id';
  return {
    mrn,
    patientName: get('patient_name') || null,
    cycleExternalId,
    inseminationAt,
    method: (methodText || null) as CycleMethod | null,
    embryo: externalId ? { externalId, label: label || externalId } : null,
  };
}

/** Reads and validates a cycle sheet; a bad row becomes an error for that row, a bad header refuses the file. */
export async function readCycleSheet(path: string): Promise<ParsedRow[]> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read ${path}: ${e.code ?? e.message}`);
  });
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as { record: Record<string, string>; info: { lines: number } }[];
  } catch (error) {
    throw new UserError(`${path} is not valid CSV: ${(error as Error).message}`);
  }
  const header = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, 1)[0]
    .split(',')
    .map((c) => c.trim().toLowerCase());
  const missing = CYCLE_SHEET_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length)
    throw new UserError(
      `${path}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${CYCLE_SHEET_COLUMNS.join(',')})`,
    );
  return records.map(({ record, info }) => {
    const line = info.lines;
    const row = validate(record);
    return typeof row === 'string'
      ? { line, row: null, error: row, cycle: (record.cycle_id ?? '').trim() }
      : { line, row, error: null };
  });
}

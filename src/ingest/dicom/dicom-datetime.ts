/**
 * DICOM date-times (DT `YYYYMMDDHHMMSS.FFFFFF&ZZXX`, or DA + TM) to instants. The zone comes from the
 * value's own suffix, else from TimezoneOffsetFromUTC (0008,0201), else UTC: the importer never uses
 * the server's local zone, so the same file gives the same instant on every machine.
 */
const DT = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,6}))?([+-]\d{4})?$/;

function offsetMinutes(zone: string | undefined): number | null {
  if (!zone) return null;
  const m = /^([+-])(\d{2})(\d{2})$/.exec(zone.trim());
  if (!m) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

export function parseDicomDateTime(value: string | undefined, timezoneOffset?: string): Date | null {
  const m = value ? DT.exec(value.trim()) : null;
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  const local = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Math.round(Number(`0.${frac}`) * 1000),
  );
  if (Number.isNaN(local)) return null;
  const offset = offsetMinutes(zone) ?? offsetMinutes(timezoneOffset) ?? 0;
  return new Date(local - offset * 60_000);
}

/** DA `YYYYMMDD` + TM `HHMMSS.FFFFFF` (TM may be shortened or use colons in old files). */
export function parseDicomDateAndTime(
  date: string | undefined,
  time: string | undefined,
  timezoneOffset?: string,
): Date | null {
  if (!date) return null;
  const t = (time ?? '').trim().replace(/:/g, '');
  return parseDicomDateTime(`${date.trim()}${t}`, timezoneOffset);
}

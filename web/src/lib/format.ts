const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });

export const formatDateTime = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—');
export const formatDate = (iso: string | null | undefined) => (iso ? date.format(new Date(iso)) : '—');

/** 0.8312 → "83.1 %"; null → "—". */
export const percent = (p: number | null | undefined, digits = 1) =>
  p === null || p === undefined ? '—' : `${(p * 100).toFixed(digits)} %`;

/** A metric (AUC, Brier, PSI) to three decimals; `missing` when there is none. */
export const metric = (v: number | null | undefined, missing = '—') =>
  v === null || v === undefined ? missing : v.toFixed(3);

export const hours = (hpi: number) => `${hpi.toFixed(1)} h`;

/** Hours since insemination. */
export function hoursOfCulture(inseminationAt: string | null | undefined, now = Date.now()): number | undefined {
  return inseminationAt ? (now - new Date(inseminationAt).getTime()) / 3_600_000 : undefined;
}

/** "Day 5 (118 h)": day 0 is insemination, day N is around N × 24 hours of culture (labs' convention). */
export function dayOfCulture(inseminationAt: string | null | undefined, now = Date.now()): string {
  const h = hoursOfCulture(inseminationAt, now);
  return h === undefined ? 'no insemination time' : `Day ${Math.round(h / 24)} (${Math.floor(h)} h)`;
}

export const OUTCOME_LABEL: Record<string, string> = {
  BLASTOCYST: 'Blastocyst',
  NOT_BLASTOCYST: 'Not a blastocyst',
  UNKNOWN: 'Not recorded',
};

export const ROLE_LABEL: Record<string, string> = {
  ADMIN: 'Administrator',
  EMBRYOLOGIST: 'Embryologist',
  CLINICIAN: 'Clinician',
  AUDITOR: 'Auditor',
};

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

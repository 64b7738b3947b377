/** A value of a CSV cell. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return, which some treat
 * the same) as a formula: an embryo id, model name or label typed by someone else could then
 * fetch data or run commands on the computer of whoever opens the export. Such text cells get a
 * leading apostrophe, which spreadsheets show as text. Numbers (a negative one included) stay
 * numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: quoted where needed, formula-like text neutralised. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (no line break). */
export function csvLine(values: CsvValue[]): string {
  return values.map(csvCell).join(',');
}

/**
 * Clinics a query may touch: `all` for a network admin, otherwise the listed ids. Every scoped
 * read adds `(:all OR x.clinic_id = ANY(:clinicIds))` (see scopeCondition).
 */
export interface ClinicScope {
  all: boolean;
  clinicIds: string[];
}

import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** SQL condition restricting `column` to a scope; parameters are named per prefix. */
export function scopeCondition(
  column: string,
  scope: ClinicScope,
  prefix = 'scope',
): [string, Record<string, unknown>] {
  return [
    `(:${prefix}All OR ${column} = ANY(CAST(:${prefix}Ids AS uuid[])))`,
    { [`${prefix}All`]: scope.all, [`${prefix}Ids`]: scope.clinicIds },
  ];
}

/** A query of `entity` (as `alias`) already restricted to the scope on `alias.clinic_id`. */
export function scopedQuery<T extends ObjectLiteral>(
  m: EntityManager,
  entity: new () => T,
  alias: string,
  scope: ClinicScope,
): SelectQueryBuilder<T> {
  const [condition, params] = scopeCondition(`${alias}.clinic_id`, scope);
  return m.getRepository(entity).createQueryBuilder(alias).where(condition, params);
}

/** One page of a list read with LIMIT size + 1: the extra row only says that there is a next page. */
export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
}

export function toPage<T>(rows: T[], size: number): Page<T> {
  return { nodes: rows.slice(0, size), hasNextPage: rows.length > size };
}

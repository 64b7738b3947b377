import type { EntityManager } from 'typeorm';

/*
 * Reads on the API's hot path (every cycle view) in hand-written SQL straight into the entity
 * classes: PostgreSQL already returns each column under its property name, so a row only needs
 * `Object.assign`. TypeORM's query builder rebuilt and re-parsed the SQL text of each query and
 * hydrated rows column by column, several times the cost of the query itself (bench:api --profile).
 * The column lists come from the entities' metadata, so a new column is read without changing
 * the SQL, and columns that are not selected by default (password hashes, model bytes) stay out.
 */

const lists = new Map<string, string>();

/** `alias."column" AS "prefix" || "property", …` for every column `entity` selects by default. */
export function selectList(m: EntityManager, entity: new () => object, alias: string, prefix = ''): string {
  const key = `${entity.name}\u0000${alias}\u0000${prefix}`;
  let list = lists.get(key);
  if (list === undefined) {
    const seen = new Set<string>();
    list = m.connection
      .getMetadata(entity)
      // a join column without a @Column of its own is named after its relation: not a property to fill
      .columns.filter((c) => c.isSelect && c.propertyName !== c.relationMetadata?.propertyName)
      .filter((c) => !seen.has(c.databaseName) && seen.add(c.databaseName))
      .map((c) => `${alias}."${c.databaseName}" AS "${prefix}${c.propertyName}"`)
      .join(', ');
    lists.set(key, list);
  }
  return list;
}

/** Rows selected with `selectList` as instances of `entity`. */
export function asEntities<T extends object>(entity: new () => T, rows: object[]): T[] {
  return rows.map((row) => Object.assign(new entity(), row));
}

/**
 * The columns of a joined row that `selectList(m, entity, alias, prefix)` selected, as an instance
 * of `entity` (prefix '': the columns without one; prefixes end in '.', property names have none).
 * Null when `present` (a non-null column) is NULL: an outer join that found no row.
 */
export function entityFromRow<T extends object>(
  entity: new () => T,
  row: Record<string, unknown>,
  prefix = '',
  present = 'id',
): T | null {
  if (row[prefix + present] === null) return null;
  const instance = new entity() as Record<string, unknown>;
  for (const key in row) {
    if (prefix ? key.startsWith(prefix) : !key.includes('.')) instance[key.slice(prefix.length)] = row[key];
  }
  return instance as T;
}

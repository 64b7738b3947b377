/** A row with the same unique key exists already (found by the database, e.g. when two writers race). */
export class DuplicateRecordError extends Error {
  override name = 'DuplicateRecordError';
  constructor(readonly constraint: string) {
    super(`duplicate key (${constraint})`);
  }
}

/** Runs a write and turns Postgres unique_violation (23505) of one of `constraints` into a DuplicateRecordError. */
export async function refusingDuplicates<T>(constraints: readonly string[], write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const e = error as {
      code?: string;
      driverError?: { code?: string; constraint?: string };
      constraint?: string;
    } | null;
    const code = e?.driverError?.code ?? e?.code;
    const name = e?.driverError?.constraint ?? e?.constraint;
    if (code === '23505' && name !== undefined && constraints.includes(name)) throw new DuplicateRecordError(name);
    throw error;
  }
}

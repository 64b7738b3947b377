import type { TestDatabase } from '../../helpers/database';

/** Everything an import writes for a clinic, without generated ids and timestamps, in a stable order. */
export async function importedRows(
  db: TestDatabase,
  clinicId: string,
): Promise<{ embryos: unknown[]; frames: { external_id: string }[]; phases: unknown[] }> {
  const embryos = await db.dataSource.query(
    `SELECT e.external_id, e.label, e.outcome, e.outcome_source, c.external_id AS cycle FROM embryo e JOIN cycle c ON c.id = e.cycle_id
     WHERE e.clinic_id = $1 ORDER BY e.external_id`,
    [clinicId],
  );
  const frames = await db.dataSource.query(
    `SELECT e.external_id, f.hours_post_insemination, f.focal_plane_um, f.run, f.width, f.height, f.sha256, f.source, f.acquired_at
     FROM frame f JOIN embryo e ON e.id = f.embryo_id WHERE e.clinic_id = $1
     ORDER BY e.external_id, f.hours_post_insemination, f.focal_plane_um`,
    [clinicId],
  );
  const phases = await db.dataSource.query(
    `SELECT e.external_id, p.phase, p.first_run, p.last_run, p.start_hpi, p.end_hpi FROM embryo_phase p JOIN embryo e ON e.id = p.embryo_id
     WHERE e.clinic_id = $1 ORDER BY e.external_id, p.phase`,
    [clinicId],
  );
  return { embryos, frames, phases };
}

import type { EntityManager } from 'typeorm';
import type { FrameRef } from '../sampling/timeline';

/** An embryo that goes into a dataset: its recorded outcome, its patient and how long it was observed. */
export interface ExportableEmbryo {
  embryoId: string;
  label: string;
  externalId: string;
  cycleExternalId: string;
  /** null for embryos still waiting in the clinic's `unassigned` cycle */
  patientId: string | null;
  outcome: 'BLASTOCYST' | 'NOT_BLASTOCYST';
  latestFrameHpi: number | null;
  cultureEndedHpi: number | null;
}

/** Embryos of a clinic with a recorded outcome, in a stable order. */
export async function exportableEmbryos(m: EntityManager, clinicId: string, period: { from?: Date | null; to?: Date | null }): Promise<ExportableEmbryo[]> {
  const rows: Array<{ id: string; label: string; external_id: string; cycle_external_id: string; patient_id: string | null; outcome: ExportableEmbryo['outcome']; latest: number | null; ended: number | null }> = await m.query(
    `SELECT e.id, e.label, e.external_id, c.external_id AS cycle_external_id, c.patient_id, e.outcome,
            (SELECT max(f.hours_post_insemination) FROM frame f WHERE f.embryo_id = e.id) AS latest,
            COALESCE(e.culture_ended_hpi, EXTRACT(EPOCH FROM (e.culture_ended_at - c.insemination_at)) / 3600.0)::double precision AS ended
       FROM embryo e
       JOIN cycle c ON c.id = e.cycle_id
      WHERE e.clinic_id = $1 AND e.outcome IN ('BLASTOCYST', 'NOT_BLASTOCYST')
        AND ($2::timestamptz IS NULL OR COALESCE(c.insemination_at, e.created_at) >= $2::timestamptz)
        AND ($3::timestamptz IS NULL OR COALESCE(c.insemination_at, e.created_at) < $3::timestamptz)
      ORDER BY e.id`,
    [clinicId, period.from ?? null, period.to ?? null],
  );
  return rows.map((r) => ({
    embryoId: r.id,
    label: r.label,
    externalId: r.external_id,
    cycleExternalId: r.cycle_external_id,
    patientId: r.patient_id,
    outcome: r.outcome,
    latestFrameHpi: r.latest === null ? null : Number(r.latest),
    cultureEndedHpi: r.ended === null || Number(r.ended) < 0 ? null : Number(r.ended),
  }));
}

/** Frame references (no pixels) of one embryo. */
export async function embryoFrameRefs(m: EntityManager, embryoId: string): Promise<FrameRef[]> {
  const rows: Array<{ id: string; hpi: number; plane: number; sha256: string }> = await m.query(
    `SELECT id::text AS id, hours_post_insemination AS hpi, focal_plane_um AS plane, sha256
       FROM frame WHERE embryo_id = $1 ORDER BY hours_post_insemination, focal_plane_um`,
    [embryoId],
  );
  return rows.map((r) => ({ frameId: r.id, hpi: Number(r.hpi), planeUm: r.plane, sha256: r.sha256.trim() }));
}

export async function imageBytes(m: EntityManager, sha256s: string[]): Promise<Map<string, Buffer>> {
  const rows: Array<{ sha256: string; bytes: Buffer }> = await m.query(`SELECT sha256, bytes FROM frame_image WHERE sha256 = ANY($1::char(64)[])`, [sha256s]);
  return new Map(rows.map((r) => [r.sha256.trim(), r.bytes]));
}

import type { EntityManager } from 'typeorm';
import { Clinic, Cycle, ScoringRun, type RunStatus } from '../entities';

/** The few reads the demo orchestration needs; every write goes through the real services. */
export async function findClinicByCode(m: EntityManager, code: string): Promise<Clinic | null> {
  return m.getRepository(Clinic).findOneBy({ code });
}

export async function findCycle(m: EntityManager, clinicId: string, externalId: string): Promise<Cycle | null> {
  return m.getRepository(Cycle).findOneBy({ clinicId, externalId });
}

export async function readScoringRun(m: EntityManager, id: string): Promise<ScoringRun | null> {
  return m.getRepository(ScoringRun).findOneBy({ id });
}

export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'PARTIAL', 'FAILED'];

/** Embryos of the clinic and how many have a prediction of the model, per cycle external id. */
export async function scoredEmbryosByCycle(
  m: EntityManager,
  clinicId: string,
  modelVersionId: string,
): Promise<Array<{ cycleExternalId: string; embryos: number; scored: number; predictions: number }>> {
  const rows: Array<{ external_id: string; embryos: string; scored: string; predictions: string }> = await m.query(
    `SELECT c.external_id,
            count(DISTINCT e.id)::text AS embryos,
            count(DISTINCT p.embryo_id)::text AS scored,
            count(p.id)::text AS predictions
       FROM cycle c
       JOIN embryo e ON e.cycle_id = c.id
       LEFT JOIN prediction p ON p.embryo_id = e.id AND p.model_version_id = $2
      WHERE c.clinic_id = $1
      GROUP BY c.external_id
      ORDER BY c.external_id`,
    [clinicId, modelVersionId],
  );
  return rows.map((r) => ({ cycleExternalId: r.external_id, embryos: Number(r.embryos), scored: Number(r.scored), predictions: Number(r.predictions) }));
}

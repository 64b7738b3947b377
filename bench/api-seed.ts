import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

/** The data of the API benchmarks (bench/api.ts, bench/api-memory.ts): one clinic's lab. */
export const CYCLES = 50;
export const EMBRYOS_PER_CYCLE = 10;
export const SEGMENTS = 28;

/** The lab's cycle view, as the web app asks for it. */
export const CYCLE_VIEW = `query($id: ID!) { cycle(id: $id) { id externalId status patient { mrn }
  ranking { label warning entries { rank score { value label } embryo { id label outcome
    trajectory { warning model { id name version trained } points { segment hoursPostInsemination day probability imputed } } } } } } }`;

/**
 * Seeds a clinic with CYCLES cycles × EMBRYOS_PER_CYCLE embryos × SEGMENTS predictions and a
 * CLINICIAN, plus the cycles of the targets of issue #18: 20 cycles of 12 embryos and 3 of 100
 * (a large clinic's "today" view), all with full SEGMENTS-point trajectories.
 */
export async function seedCycleViews(
  pool: Pool,
): Promise<{ clinicId: string; userId: string; cycleIds: string[]; twelveIds: string[]; hundredIds: string[] }> {
  const [{ id: clinicId }] = (
    await pool.query<{ id: string }>(`INSERT INTO clinic (code, name) VALUES ('bench', 'Bench clinic') RETURNING id`)
  ).rows;
  const [{ id: userId }] = (
    await pool.query<{ id: string }>(`INSERT INTO "user" (email) VALUES ('bench@example.org') RETURNING id`)
  ).rows;
  await pool.query(`INSERT INTO membership (user_id, clinic_id, role) VALUES ($1, $2, 'CLINICIAN')`, [
    userId,
    clinicId,
  ]);
  const [{ id: modelId }] = (
    await pool.query<{ id: string }>(
      `INSERT INTO model_version (name, version, sha256, variant, planes, input_size, contract, trained, onnx, size_bytes)
     VALUES ('amsnet-bench', '1', $1, 'amsnet', '{-15,0,15}', 224, '{}', true, '\\x00', 1) RETURNING id`,
      [randomBytes(32).toString('hex')],
    )
  ).rows;
  await pool.query(`INSERT INTO clinic_model (clinic_id, model_version_id, active) VALUES ($1, $2, true)`, [
    clinicId,
    modelId,
  ]);
  const cycleIds = await seedCycles(pool, {
    clinicId,
    modelId,
    prefix: 'CY',
    cycles: CYCLES,
    embryos: EMBRYOS_PER_CYCLE,
  });
  const twelveIds = await seedCycles(pool, { clinicId, modelId, prefix: 'T', cycles: 20, embryos: 12 });
  const hundredIds = await seedCycles(pool, { clinicId, modelId, prefix: 'H', cycles: 3, embryos: 100 });
  await pool.query('ANALYZE');
  return { clinicId, userId, cycleIds, twelveIds, hundredIds };
}

/**
 * `cycles` cycles (each with its own patient) of `embryos` embryos, each scored by the model at
 * SEGMENTS segments (a full 7-day trajectory); every 7th point imputed. Returns the cycle ids.
 */
async function seedCycles(
  pool: Pool,
  o: { clinicId: string; modelId: string; prefix: string; cycles: number; embryos: number },
): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `
    WITH patients AS (
      INSERT INTO patient (clinic_id, mrn) SELECT $1, $2 || '-MRN-' || g FROM generate_series(1, $3::int) g RETURNING id, mrn),
    cycles AS (
      INSERT INTO cycle (clinic_id, patient_id, external_id, insemination_at, method)
      SELECT $1, id, 'CY-' || mrn, now() - interval '5 days', 'ICSI' FROM patients RETURNING id)
    SELECT id FROM cycles ORDER BY id`,
    [o.clinicId, o.prefix, o.cycles],
  );
  const ids = rows.map((r) => r.id);
  await pool.query(
    `INSERT INTO embryo (clinic_id, cycle_id, label, external_id)
     SELECT $1, c, 'A' || w, c || '-W' || w FROM unnest($2::uuid[]) c, generate_series(1, $3::int) w`,
    [o.clinicId, ids, o.embryos],
  );
  await pool.query(
    `
    INSERT INTO prediction (embryo_id, model_version_id, segment, hours_post_insemination, probability, inputs)
    SELECT e.id, $2, s, 6 * (s + 1), random(), jsonb_build_object('imputed', s % 7 = 0, 'frames', '[]'::jsonb)
    FROM embryo e, generate_series(0, $3::int - 1) s WHERE e.cycle_id = ANY($1::uuid[])`,
    [ids, o.modelId, SEGMENTS],
  );
  return ids;
}

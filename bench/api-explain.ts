/**
 * `bench:api --explain`: EXPLAIN (ANALYZE, BUFFERS) of every statement one cycle view runs, with
 * the parameters it runs them with, so a missing index shows as a sequential scan here first.
 * The statements are those of the repositories (src/entities/repositories) on the GraphQL path.
 */
import type { Pool } from 'pg';

export async function explainCycleView(
  pool: Pool,
  ids: { userId: string; clinicId: string; cycleId: string },
): Promise<string> {
  const one = async <T>(sql: string, params: unknown[]) => (await pool.query<T & object>(sql, params)).rows;
  const [cycle] = await one<{ patient_id: string }>(`SELECT patient_id FROM cycle WHERE id = $1`, [ids.cycleId]);
  const embryoIds = (await one<{ id: string }>(`SELECT id FROM embryo WHERE cycle_id = $1`, [ids.cycleId])).map(
    (r) => r.id,
  );
  const [active] = await one<{ model_version_id: string }>(
    `SELECT model_version_id FROM clinic_model WHERE clinic_id = $1 AND active`,
    [ids.clinicId],
  );
  const scope = [false, [ids.clinicId]];
  const statements: Array<[string, string, unknown[]]> = [
    [
      'user with memberships (auth)',
      `SELECT u.*, m.* FROM "user" u LEFT JOIN membership m ON m.user_id = u.id WHERE u.id = $1`,
      [ids.userId],
    ],
    [
      'cycle by id',
      `SELECT c.* FROM cycle c WHERE ($1::boolean OR c.clinic_id = ANY($2::uuid[])) AND c.id = ANY($3::uuid[])`,
      [...scope, [ids.cycleId]],
    ],
    [
      'patient',
      `SELECT p.* FROM patient p WHERE ($1::boolean OR p.clinic_id = ANY($2::uuid[])) AND p.id = ANY($3::uuid[])`,
      [...scope, [cycle.patient_id]],
    ],
    [
      'embryos of the cycle',
      `SELECT e.* FROM embryo e WHERE ($1::boolean OR e.clinic_id = ANY($2::uuid[])) AND e.cycle_id = ANY($3::uuid[]) ORDER BY e.label, e.id`,
      [...scope, [ids.cycleId]],
    ],
    [
      "clinic's models",
      `SELECT cm.*, mv.name FROM clinic_model cm JOIN model_version mv ON mv.id = cm.model_version_id
       WHERE ($1::boolean OR cm.clinic_id = ANY($2::uuid[])) AND cm.clinic_id = ANY($3::uuid[]) ORDER BY mv.created_at DESC, cm.id`,
      [...scope, [ids.clinicId]],
    ],
    ['oversight settings', `SELECT g.* FROM clinic_governance g WHERE g.clinic_id = ANY($1::uuid[])`, [[ids.clinicId]]],
    [
      'predictions of the embryos',
      `SELECT p.embryo_id, json_agg(json_build_array(p.segment, p.probability, p.inputs::text) ORDER BY p.segment)
       FROM prediction p JOIN embryo e ON e.id = p.embryo_id
       WHERE ($1::boolean OR e.clinic_id = ANY($2::uuid[])) AND e.id = ANY($3::uuid[])
         AND (p.embryo_id, p.model_version_id) IN (SELECT * FROM unnest($3::uuid[], $4::uuid[])) GROUP BY p.embryo_id`,
      [...scope, embryoIds, embryoIds.map(() => active.model_version_id)],
    ],
  ];
  const out: string[] = [];
  for (const [what, sql, params] of statements) {
    const plan = (await one<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).map(
      (r) => r['QUERY PLAN'],
    );
    const scans = plan.filter((l) => /Scan/.test(l)).map((l) => l.trim().replace(/\s+\(cost=.*$/, ''));
    const time = plan.find((l) => /Execution Time/.test(l))?.trim();
    const buffers = plan.find((l) => /Buffers:/.test(l))?.trim();
    out.push(`  ${what}: ${time}; ${buffers ?? 'no buffers'}\n      ${scans.join('\n      ')}`);
  }
  return out.join('\n');
}

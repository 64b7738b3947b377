import type { DataSource } from 'typeorm';
import { AuditEvent, type Clinic, type ModelVersion, type User } from '../../src/entities';
import { clinicianApi, type ClinicianApi } from '../helpers/clinician-api';
import { newClinic, newCycle, newEmbryo, newMember, newPatient } from '../helpers/factories';
import { codes, type TestApi } from '../helpers/graphql-client';
import { newPredictions } from '../helpers/graphql-factories';

/*
 * The paths issue #18 made cheaper keep their behaviour: the read events of one request are written
 * together (one INSERT) and withheld answers stay withheld when they cannot be; memberships are read
 * on every request (a revoked one stops working at once); a 100-embryo cycle comes back whole and
 * ranked; GraphQL answers are still `no-store`; prediction inputs still come when asked for.
 */

let fixture: ClinicianApi;
let ds: DataSource;
let t: TestApi;
let clinic: Clinic;
let clinician: User;
let model: ModelVersion;

beforeAll(async () => {
  fixture = await clinicianApi();
  ({ ds, t, clinic, clinician, model } = fixture);
});
afterAll(async () => {
  await fixture?.stop();
});

const recorded = <T>(run: () => Promise<T>) => fixture.recorded(run);

const auditInserts = (sql: string[]) => sql.filter((q) => /INSERT INTO audit_event/i.test(q));

describe('read events of one request', () => {
  it('are written in one statement, one event per read, with the request id', async () => {
    const patient = await newPatient(ds, clinic);
    const cycle = await newCycle(ds, clinic, { patient });
    const embryo = await newEmbryo(ds, cycle);
    const { result, sql } = await recorded(() =>
      t.gql(
        `query($c: ID!, $p: ID!, $e: ID!) { cycle(id: $c) { id } patient(id: $p) { id } embryo(id: $e) { id } }`,
        { c: cycle.id, p: patient.id, e: embryo.id },
        clinician,
        'req-three-reads',
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(auditInserts(sql)).toHaveLength(1);
    const events = await ds
      .getRepository(AuditEvent)
      .find({ where: { requestId: 'req-three-reads' }, order: { id: 'ASC' } });
    expect(events.map((e) => [e.action, e.entityId, e.clinicId, e.userId]).sort()).toEqual(
      [
        ['READ_CYCLE', cycle.id, clinic.id, clinician.id],
        ['READ_EMBRYO', embryo.id, clinic.id, clinician.id],
        ['READ_PATIENT', patient.id, clinic.id, clinician.id],
      ].sort(),
    );
  });

  it('withhold the whole answer when they cannot be written, and leave no event behind', async () => {
    const cycle = await newCycle(ds, clinic);
    await ds.query(`
      CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$;
      CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_event
        FOR EACH ROW WHEN (NEW.request_id = 'req-audit-fails') EXECUTE FUNCTION test_refuse_audit();`);
    try {
      const result = await t.gql(
        `query($id: ID!) { cycle(id: $id) { id externalId } }`,
        { id: cycle.id },
        clinician,
        'req-audit-fails',
      );
      expect(codes(result)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(result.data ?? null).toBeNull();
      expect(JSON.stringify(result)).not.toContain(cycle.externalId);
    } finally {
      await ds.query(`DROP TRIGGER test_refuse_audit ON audit_event; DROP FUNCTION test_refuse_audit();`);
    }
    expect(await ds.getRepository(AuditEvent).countBy({ requestId: 'req-audit-fails' })).toBe(0);
  });

  it('are not written for a read that found nothing', async () => {
    const result = await t.gql(
      `query($id: ID!) { cycle(id: $id) { id } }`,
      { id: '00000000-0000-4000-8000-000000000000' },
      clinician,
      'req-not-found',
    );
    expect(codes(result)).toEqual(['NOT_FOUND']);
    expect(await ds.getRepository(AuditEvent).countBy({ requestId: 'req-not-found' })).toBe(0);
  });
});

describe('memberships', () => {
  it('are read on every request: a membership removed takes effect on the next request with the same token', async () => {
    const other = await newClinic(ds);
    const member = await newMember(ds, other, 'CLINICIAN');
    const cycle = await newCycle(ds, other);
    const token = await t.tokenFor(member);
    const query = `query($id: ID!) { cycle(id: $id) { id } }`;
    expect((await t.gql(query, { id: cycle.id }, token)).data?.cycle.id).toBe(cycle.id);
    // behind the application's back (no token version bump): only a fresh read of the memberships sees it
    await ds.query(`DELETE FROM membership WHERE user_id = $1`, [member.id]);
    expect(codes(await t.gql(query, { id: cycle.id }, token))).toEqual(['NOT_FOUND']);
  });
});

describe('a cycle of 100 embryos', () => {
  it('returns every embryo, ranked by latest probability with full trajectories, unscored last', async () => {
    const cycle = await newCycle(ds, clinic);
    await ds.query(
      `INSERT INTO embryo (clinic_id, cycle_id, label, external_id)
       SELECT $1, $2::uuid, 'E' || lpad(w::text, 3, '0'), $2::text || '-' || w FROM generate_series(1, 100) w`,
      [clinic.id, cycle.id],
    );
    // embryo E00w ends at w / 1000 (E100 unscored); every point but the last is 0.5
    await ds.query(
      `INSERT INTO prediction (embryo_id, model_version_id, segment, hours_post_insemination, probability, inputs)
       SELECT e.id, $2, s, 6 * (s + 1), CASE WHEN s = 27 THEN substr(e.label, 2)::int / 1000.0 ELSE 0.5 END,
              jsonb_build_object('imputed', s = 3, 'frames', '[]'::jsonb)
       FROM embryo e, generate_series(0, 27) s WHERE e.cycle_id = $1 AND e.label <> 'E100'`,
      [cycle.id, model.id],
    );
    const result = await t.gql(
      `query($id: ID!) { cycle(id: $id) { ranking { entries { rank score { value } embryo { label
         trajectory { points { segment probability imputed } probabilities imputed } } } } } }`,
      { id: cycle.id },
      clinician,
    );
    expect(result.errors).toBeUndefined();
    const entries = result.data.cycle.ranking.entries;
    expect(entries).toHaveLength(100);
    const expected = Array.from({ length: 99 }, (_, i) => `E${String(99 - i).padStart(3, '0')}`);
    expect(entries.slice(0, 99).map((e: any) => e.embryo.label)).toEqual(expected);
    expect(entries.slice(0, 99).map((e: any) => e.rank)).toEqual(Array.from({ length: 99 }, (_, i) => i + 1));
    expect(entries[0].score.value).toBeCloseTo(0.099);
    expect(entries[99]).toMatchObject({
      rank: null,
      score: null,
      embryo: { label: 'E100', trajectory: { points: [] } },
    });
    for (const e of entries.slice(0, 99)) {
      expect(e.embryo.trajectory.points).toHaveLength(28);
      expect(e.embryo.trajectory.points.map((p: any) => p.segment)).toEqual(Array.from({ length: 28 }, (_, k) => k));
      expect(e.embryo.trajectory.imputed).toEqual(Array.from({ length: 28 }, (_, k) => k === 3));
      expect(e.embryo.trajectory.points[3].imputed).toBe(true);
    }
  });
});

describe('GraphQL answers', () => {
  it('are not stored by browsers or proxies', async () => {
    const response = await t.api.apollo.executeOperation(
      { query: '{ health { status } }' },
      {
        contextValue: await t.api.createContext({ authorization: undefined, address: '127.0.0.1', requestId: 'r' }),
      },
    );
    expect(response.http.headers.get('cache-control')).toBe('no-store');
  });

  it('still carry prediction inputs and runtime when asked for (parsed only then)', async () => {
    const cycle = await newCycle(ds, clinic);
    const embryo = await newEmbryo(ds, cycle);
    await newPredictions(ds, embryo, model, 2, () => 0.4);
    await ds.query(
      `UPDATE prediction SET inputs = $2::jsonb, runtime = $3::jsonb WHERE embryo_id = $1 AND segment = 1`,
      [
        embryo.id,
        JSON.stringify({ frames: [{ frameId: '42', hpi: 11.5, planeUm: 0, imputed: 'missing plane' }], imputed: true }),
        JSON.stringify({ onnxRuntime: '1.30.0', executionProvider: 'cpu', preprocessing: 'p1' }),
      ],
    );
    const result = await t.gql(
      `query($id: ID!) { embryo(id: $id) { trajectory { points { segment imputed
         inputs { frameId hoursPostInsemination focalPlaneUm imputed imputedBecause } runtime { onnxRuntime executionProvider } } } } }`,
      { id: embryo.id },
      clinician,
    );
    expect(result.errors).toBeUndefined();
    const [, second] = result.data.embryo.trajectory.points;
    expect(second).toEqual({
      segment: 1,
      imputed: true,
      inputs: [
        { frameId: '42', hoursPostInsemination: 11.5, focalPlaneUm: 0, imputed: true, imputedBecause: 'missing plane' },
      ],
      runtime: { onnxRuntime: '1.30.0', executionProvider: 'cpu' },
    });
  });
});

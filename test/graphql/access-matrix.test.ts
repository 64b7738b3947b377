import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  ScoringRun,
  type Clinic,
  type Cycle,
  type Embryo,
  type ModelVersion,
  type Patient,
  type User,
} from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import {
  newClinic,
  newCycle,
  newEmbryo,
  newFrame,
  newMember,
  newMembership,
  newPatient,
  newUser,
} from '../helpers/factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';
import {
  enableModel,
  newImportRun,
  newModelVersion,
  newPredictions,
  newScoringRun,
} from '../helpers/graphql-factories';

/**
 * DESIGN.md §8 as a table: every query, nested field and mutation, run as each role of the own
 * clinic, an admin of another clinic, a network admin and nobody. Allowed → no error; denied by
 * role inside the own clinic → FORBIDDEN; anything of another clinic → NOT_FOUND; no token →
 * UNAUTHENTICATED.
 */
type Actor = 'ADMIN' | 'EMBRYOLOGIST' | 'CLINICIAN' | 'AUDITOR' | 'OTHER_CLINIC_ADMIN' | 'NETWORK_ADMIN' | 'ANONYMOUS';
const ACTORS: Actor[] = [
  'ADMIN',
  'EMBRYOLOGIST',
  'CLINICIAN',
  'AUDITOR',
  'OTHER_CLINIC_ADMIN',
  'NETWORK_ADMIN',
  'ANONYMOUS',
];
type Outcome = 'ok' | 'FORBIDDEN' | 'NOT_FOUND' | 'UNAUTHENTICATED';

/** Expected outcome per actor for an operation on clinic A that the listed roles may perform. */
function allowedFor(...roles: Actor[]): Record<Actor, Outcome> {
  const result = {} as Record<Actor, Outcome>;
  for (const actor of ACTORS) {
    if (actor === 'ANONYMOUS') result[actor] = 'UNAUTHENTICATED';
    else if (actor === 'NETWORK_ADMIN') result[actor] = 'ok';
    else if (actor === 'OTHER_CLINIC_ADMIN') result[actor] = roles.includes('OTHER_CLINIC_ADMIN') ? 'ok' : 'NOT_FOUND';
    else result[actor] = roles.includes(actor) ? 'ok' : 'FORBIDDEN';
  }
  return result;
}
const READ = allowedFor('ADMIN', 'EMBRYOLOGIST', 'CLINICIAN');
const LAB = allowedFor('ADMIN', 'EMBRYOLOGIST');
const MANAGE = allowedFor('ADMIN');
const AUDIT = allowedFor('ADMIN', 'AUDITOR');
const ANY_MEMBER = allowedFor('ADMIN', 'EMBRYOLOGIST', 'CLINICIAN', 'AUDITOR');
const ANY_USER = allowedFor('ADMIN', 'EMBRYOLOGIST', 'CLINICIAN', 'AUDITOR', 'OTHER_CLINIC_ADMIN');
/** Shadow (silent) models exist for clinic admins only: to other readers they are "not found". */
const SHADOW: Record<Actor, Outcome> = { ...MANAGE, EMBRYOLOGIST: 'NOT_FOUND', CLINICIAN: 'NOT_FOUND' };
const NETWORK_ONLY: Record<Actor, Outcome> = { ...allowedFor(), OTHER_CLINIC_ADMIN: 'FORBIDDEN' };

interface World {
  a: Clinic;
  b: Clinic;
  patient: Patient;
  cycle: Cycle;
  embryo: Embryo;
  frameId: string;
  active: ModelVersion;
  shadow: ModelVersion;
  modelOfB: ModelVersion;
  spare: User;
  importSourceId: string;
}

interface Case {
  name: string;
  query: string;
  vars: (w: World) => Promise<Record<string, unknown>> | Record<string, unknown>;
  expect: Record<Actor, Outcome>;
}

const CASES: Case[] = [
  // queries
  { name: 'me', query: '{ me { id memberships { role clinic { id } } } }', vars: () => ({}), expect: ANY_USER },
  { name: 'clinics', query: '{ clinics { id myRole } }', vars: () => ({}), expect: ANY_USER },
  {
    name: 'clinic(id)',
    query: 'query($id: ID!) { clinic(id: $id) { id code } }',
    vars: (w) => ({ id: w.a.id }),
    expect: ANY_MEMBER,
  },
  {
    name: 'clinicMembers',
    query: 'query($c: ID!) { clinicMembers(clinicId: $c) { id email } }',
    vars: (w) => ({ c: w.a.id }),
    expect: MANAGE,
  },
  {
    name: 'cycles(clinicId)',
    query: 'query($c: ID!) { cycles(clinicId: $c) { edges { node { id } } } }',
    vars: (w) => ({ c: w.a.id }),
    expect: READ,
  },
  {
    name: 'cycle(id)',
    query: 'query($id: ID!) { cycle(id: $id) { id externalId } }',
    vars: (w) => ({ id: w.cycle.id }),
    expect: READ,
  },
  {
    name: 'cycle.patient / ranking / trajectory (nested)',
    query:
      'query($id: ID!) { cycle(id: $id) { patient { mrn } ranking { label entries { rank score { value label } embryo { id trajectory { model { id trained } points { segment probability } } } } } } }',
    vars: (w) => ({ id: w.cycle.id }),
    expect: READ,
  },
  {
    name: 'embryo(id)',
    query: 'query($id: ID!) { embryo(id: $id) { id label outcome phases { phase } } }',
    vars: (w) => ({ id: w.embryo.id }),
    expect: READ,
  },
  {
    name: 'embryo.cycle.patient (nested)',
    query: 'query($id: ID!) { embryo(id: $id) { cycle { id patient { id mrn } } } }',
    vars: (w) => ({ id: w.embryo.id }),
    expect: READ,
  },
  {
    name: 'embryo.frames',
    query: 'query($id: ID!) { embryo(id: $id) { frames(first: 5) { edges { node { id imageUrl } } } } }',
    vars: (w) => ({ id: w.embryo.id }),
    expect: READ,
  },
  {
    name: 'embryo.trajectory(shadow model)',
    query: 'query($id: ID!, $m: ID!) { embryo(id: $id) { trajectory(modelId: $m) { model { id shadow } } } }',
    vars: (w) => ({ id: w.embryo.id, m: w.shadow.id }),
    expect: SHADOW,
  },
  {
    name: 'patient(id)',
    query: 'query($id: ID!) { patient(id: $id) { id mrn displayName } }',
    vars: (w) => ({ id: w.patient.id }),
    expect: READ,
  },
  {
    name: 'scoringRuns',
    query: 'query($c: ID!) { scoringRuns(clinicId: $c) { edges { node { id status } } } }',
    vars: (w) => ({ c: w.a.id }),
    expect: READ,
  },
  {
    name: 'importRuns',
    query: 'query($c: ID!) { importRuns(clinicId: $c) { edges { node { id items { item status reason } } } } }',
    vars: (w) => ({ c: w.a.id }),
    expect: READ,
  },
  {
    name: 'auditEvents',
    query: 'query($c: ID!) { auditEvents(clinicId: $c, first: 5) { edges { node { id action } } } }',
    vars: (w) => ({ c: w.a.id }),
    expect: AUDIT,
  },
  {
    name: 'auditEvents(network-wide)',
    query: '{ auditEvents(first: 5) { edges { node { id action } } } }',
    vars: () => ({}),
    expect: NETWORK_ONLY,
  },
  {
    name: 'importSources (health, lastRuns)',
    query:
      'query($c: ID!) { importSources(clinicId: $c) { id health { consecutiveFailures } lastRuns { id items { item } } } }',
    vars: (w) => ({ c: w.a.id }),
    expect: READ,
  },
  {
    name: 'deviceCredentials',
    query: 'query($c: ID!) { deviceCredentials(clinicId: $c) { id name } }',
    vars: (w) => ({ c: w.a.id }),
    expect: MANAGE,
  },
  // mutations
  {
    name: 'setImportSourcePaused',
    query: 'mutation($id: ID!) { setImportSourcePaused(id: $id, paused: false) { id paused } }',
    vars: (w) => ({ id: w.importSourceId }),
    expect: MANAGE,
  },
  {
    name: 'scanImportSource',
    query: 'mutation($id: ID!) { scanImportSource(id: $id) }',
    vars: (w) => ({ id: w.importSourceId }),
    expect: MANAGE,
  },
  {
    name: 'createDeviceCredential',
    query: 'mutation($c: ID!) { createDeviceCredential(clinicId: $c, name: "scope") { token } }',
    vars: (w) => ({ c: w.a.id }),
    expect: MANAGE,
  },
  {
    name: 'createClinic',
    query: 'mutation($code: String!) { createClinic(input: { code: $code, name: "New" }) { id } }',
    vars: () => ({ code: `n-${randomUUID().slice(0, 8)}` }),
    expect: NETWORK_ONLY,
  },
  {
    name: 'createUser',
    query: 'mutation($e: String!, $c: ID!) { createUser(input: { email: $e, clinicId: $c, role: CLINICIAN }) { id } }',
    vars: (w) => ({ e: `${randomUUID()}@example.org`, c: w.a.id }),
    expect: MANAGE,
  },
  {
    name: 'grantMembership',
    query: 'mutation($u: ID!, $c: ID!) { grantMembership(userId: $u, clinicId: $c, role: CLINICIAN) { role } }',
    // a user already in the clinic (one from elsewhere is NOT_FOUND: membership-leaks.test.ts)
    vars: async (w) => ({ u: (await newMember(ds, w.a, 'AUDITOR')).id, c: w.a.id }),
    expect: MANAGE,
  },
  {
    name: 'revokeMembership',
    query: 'mutation($u: ID!, $c: ID!) { revokeMembership(userId: $u, clinicId: $c) }',
    vars: async (w) => ({ u: (await newMember(ds, w.a, 'CLINICIAN')).id, c: w.a.id }),
    expect: MANAGE,
  },
  {
    name: 'createPatient',
    query: 'mutation($c: ID!, $m: String!) { createPatient(input: { clinicId: $c, mrn: $m }) { id } }',
    vars: (w) => ({ c: w.a.id, m: `M-${randomUUID()}` }),
    expect: MANAGE,
  },
  {
    name: 'createCycle',
    query:
      'mutation($c: ID!, $p: ID!, $x: String!) { createCycle(input: { clinicId: $c, patientId: $p, externalId: $x, method: ICSI }) { id } }',
    vars: (w) => ({ c: w.a.id, p: w.patient.id, x: `X-${randomUUID()}` }),
    expect: MANAGE,
  },
  {
    name: 'updateCycle',
    query: 'mutation($id: ID!) { updateCycle(id: $id, input: { method: IVF }) { id method } }',
    vars: (w) => ({ id: w.cycle.id }),
    expect: MANAGE,
  },
  {
    name: 'setCycleStatus',
    query: 'mutation($id: ID!) { setCycleStatus(id: $id, status: ACTIVE) { status } }',
    vars: (w) => ({ id: w.cycle.id }),
    expect: MANAGE,
  },
  {
    name: 'recordOutcome',
    query: 'mutation($id: ID!) { recordOutcome(embryoId: $id, outcome: BLASTOCYST) { outcome } }',
    vars: (w) => ({ id: w.embryo.id }),
    expect: LAB,
  },
  {
    name: 'requestScoring(cycleId)',
    query: 'mutation($id: ID!) { requestScoring(input: { cycleId: $id }) { id status } }',
    vars: (w) => ({ id: w.cycle.id }),
    expect: LAB,
  },
  {
    name: 'requestScoring(embryoIds)',
    query: 'mutation($id: ID!) { requestScoring(input: { embryoIds: [$id] }) { id status } }',
    vars: (w) => ({ id: w.embryo.id }),
    expect: LAB,
  },
];

let db: TestDatabase;
let ds: DataSource;
let t: TestApi;
let world: World;
const users = {} as Record<Actor, User | null>;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = db.dataSource;
  // the scoring queue belongs to the scoring work; here a requester that writes the QUEUED run row
  t = await createTestApi(db, {
    scoringRequester: async (input) =>
      ds.getRepository(ScoringRun).save({
        clinicId: input.clinicId,
        trigger: input.trigger,
        requestedBy: input.requestedBy,
        status: 'QUEUED',
        scope: { cycleId: input.cycleId ?? null, embryoIds: input.embryoIds ?? null },
      }),
  });
  const a = await newClinic(ds);
  const b = await newClinic(ds);
  for (const role of ['ADMIN', 'EMBRYOLOGIST', 'CLINICIAN', 'AUDITOR'] as const)
    users[role] = await newMember(ds, a, role);
  users.OTHER_CLINIC_ADMIN = await newMember(ds, b, 'ADMIN');
  users.NETWORK_ADMIN = await newUser(ds, { networkAdmin: true });
  users.ANONYMOUS = null;
  const patient = await newPatient(ds, a);
  const cycle = await newCycle(ds, a, { patient });
  const embryo = await newEmbryo(ds, cycle, { label: 'A1' });
  const frame = await newFrame(ds, embryo);
  const active = await newModelVersion(ds);
  const shadow = await newModelVersion(ds);
  const modelOfB = await newModelVersion(ds);
  await enableModel(ds, a, active, { active: true });
  await enableModel(ds, a, shadow, { shadow: true });
  await enableModel(ds, b, modelOfB, { active: true });
  await newPredictions(ds, embryo, active, 8);
  await newPredictions(ds, embryo, shadow, 8);
  await newScoringRun(ds, a);
  await newImportRun(ds, a, [{ item: 'E1/F0', status: 'failed', reason: 'not an image' }]);
  // a second admin so that revoking memberships never hits the "last administrator" rule
  await newMember(ds, a, 'ADMIN');
  // straight through the repository: the path check (IMPORT_ROOTS) is not what this table tests
  const source = await db.store.importSources.create({
    clinicId: a.id,
    name: 'export',
    kind: 'FOLDER',
    path: '/srv/exports/a',
    schedule: '*/5 * * * *',
    scoreAfterImport: true,
    createdBy: null,
  });
  world = {
    a,
    b,
    patient,
    cycle,
    embryo,
    frameId: frame.id,
    active,
    shadow,
    modelOfB,
    spare: await newUser(ds),
    importSourceId: source.id,
  };
});

afterAll(async () => {
  await t?.stop();
  await db?.destroy();
});

describe.each(CASES)('$name', (c) => {
  it.each(ACTORS)('as %s', async (actor) => {
    const result = await t.gql(c.query, await c.vars(world), users[actor]);
    const expected = c.expect[actor];
    if (expected === 'ok') {
      expect(result.errors).toBeUndefined();
      expect(result.data).toBeTruthy();
    } else {
      expect(codes(result)).toContain(expected);
      // a denied operation reveals nothing: no data of clinic A in the answer
      expect(JSON.stringify(result.data ?? null)).not.toContain(world.cycle.id);
      expect(JSON.stringify(result.data ?? null)).not.toContain(world.embryo.id);
    }
  });
});

describe('isolation beyond the table', () => {
  it('answers an id of another clinic exactly like a missing id', async () => {
    const other = users.OTHER_CLINIC_ADMIN!;
    const q = 'query($id: ID!) { cycle(id: $id) { id } }';
    const foreign = await t.gql(q, { id: world.cycle.id }, other);
    const missing = await t.gql(q, { id: randomUUID() }, other);
    const malformed = await t.gql(q, { id: 'not-a-uuid' }, other);
    expect(foreign.errors?.[0]).toEqual(missing.errors?.[0]);
    expect(malformed.errors?.[0].message).toBe(missing.errors?.[0].message);
    expect(codes(foreign)).toEqual(['NOT_FOUND']);
  });

  it("lists without a clinic filter hold only the caller's clinics", async () => {
    const cycleOfB = await newCycle(ds, world.b);
    const q = '{ cycles(first: 100) { edges { node { id } } } }';
    const idsOf = async (actor: Actor) =>
      (await t.gql(q, {}, users[actor])).data.cycles.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(await idsOf('OTHER_CLINIC_ADMIN')).toEqual([cycleOfB.id]);
    expect(await idsOf('CLINICIAN')).toContain(world.cycle.id);
    expect(await idsOf('CLINICIAN')).not.toContain(cycleOfB.id);
    expect(await idsOf('AUDITOR')).toEqual([]); // auditors read the audit log, not patient data
    expect(await idsOf('NETWORK_ADMIN')).toEqual(expect.arrayContaining([world.cycle.id, cycleOfB.id]));
  });

  it('does not show a model of another clinic on an own embryo, nor a shadow model to non-admins', async () => {
    const q =
      'query($id: ID!, $m: ID) { embryo(id: $id) { trajectory(modelId: $m) { model { id } } latestScore(modelId: $m) { value } } }';
    expect(codes(await t.gql(q, { id: world.embryo.id, m: world.modelOfB.id }, users.ADMIN))).toContain('NOT_FOUND');
    expect(codes(await t.gql(q, { id: world.embryo.id, m: world.shadow.id }, users.CLINICIAN))).toContain('NOT_FOUND');
    const own = await t.gql(q, { id: world.embryo.id, m: null }, users.CLINICIAN);
    expect(own.data.embryo.trajectory.model.id).toBe(world.active.id);
  });

  it('refuses a patient of another clinic when creating a cycle, and a membership in another clinic', async () => {
    const patientOfB = await newPatient(ds, world.b);
    const create =
      'mutation($c: ID!, $p: ID!) { createCycle(input: { clinicId: $c, patientId: $p, externalId: "X-1" }) { id } }';
    expect(codes(await t.gql(create, { c: world.a.id, p: patientOfB.id }, users.ADMIN))).toEqual(['NOT_FOUND']);
    const grant = 'mutation($u: ID!, $c: ID!) { grantMembership(userId: $u, clinicId: $c, role: ADMIN) { role } }';
    expect(codes(await t.gql(grant, { u: users.ADMIN!.id, c: world.b.id }, users.ADMIN))).toEqual(['NOT_FOUND']);
  });

  it("sees memberships of other users only in the caller's clinics", async () => {
    const both = await newMember(ds, world.a, 'CLINICIAN');
    await newMembership(ds, both, world.b, 'AUDITOR');
    const result = await t.gql('{ me { memberships { clinic { id } } } }', {}, both);
    expect(result.data.me.memberships.map((m: { clinic: { id: string } }) => m.clinic.id).sort()).toEqual(
      [world.a.id, world.b.id].sort(),
    );
  });
});

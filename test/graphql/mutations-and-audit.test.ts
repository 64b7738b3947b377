import type { DataSource } from 'typeorm';
import { AuditEvent, Cycle, Embryo, Membership, Patient, type Clinic, type User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newMember, newPatient } from '../helpers/factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';
import { enableModel, newImportRun, newModelVersion } from '../helpers/graphql-factories';
import { ScoringRun } from '../../src/entities';

let db: TestDatabase;
let ds: DataSource;
let t: TestApi;
let clinic: Clinic;
let admin: User;
let embryologist: User;
let auditor: User;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = db.dataSource;
  t = await createTestApi(db, {
    scoringRequester: async (input) =>
      ds.getRepository(ScoringRun).save({
        clinicId: input.clinicId,
        trigger: input.trigger,
        requestedBy: input.requestedBy,
        status: 'QUEUED',
        scope: { cycleId: input.cycleId ?? null },
      }),
  });
  clinic = await newClinic(ds);
  admin = await newMember(ds, clinic, 'ADMIN');
  embryologist = await newMember(ds, clinic, 'EMBRYOLOGIST');
  auditor = await newMember(ds, clinic, 'AUDITOR');
});
afterAll(async () => {
  await t?.stop();
  await db?.destroy();
});

const eventsOf = (requestId: string) =>
  ds.getRepository(AuditEvent).find({ where: { requestId }, order: { id: 'ASC' } });

describe('changes are made in one transaction with their audit event', () => {
  it('creates a patient and a cycle, audited with user, clinic and request id', async () => {
    const p = await t.gql(
      'mutation($c: ID!) { createPatient(input: { clinicId: $c, mrn: "MRN-1", displayName: "A. Patient" }) { id mrn } }',
      { c: clinic.id },
      admin,
      'req-p',
    );
    expect(p.errors).toBeUndefined();
    expect(await eventsOf('req-p')).toEqual([
      expect.objectContaining({
        action: 'PATIENT_CREATED',
        entityId: p.data.createPatient.id,
        clinicId: clinic.id,
        userId: admin.id,
      }),
    ]);
    const dup = await t.gql(
      'mutation($c: ID!) { createPatient(input: { clinicId: $c, mrn: "MRN-1" }) { id } }',
      { c: clinic.id },
      admin,
      'req-dup',
    );
    expect(dup.errors![0]).toMatchObject({
      message: 'a patient with MRN "MRN-1" already exists in this clinic',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(await eventsOf('req-dup')).toEqual([]);
    expect(await ds.getRepository(Patient).countBy({ clinicId: clinic.id, mrn: 'MRN-1' })).toBe(1);

    const c = await t.gql(
      'mutation($c: ID!, $p: ID!) { createCycle(input: { clinicId: $c, patientId: $p, externalId: "CY-1", inseminationAt: "2026-01-05T09:00:00Z", method: ICSI }) { id status patient { mrn } } }',
      { c: clinic.id, p: p.data.createPatient.id },
      admin,
      'req-c',
    );
    expect(c.data.createCycle).toMatchObject({ status: 'ACTIVE', patient: { mrn: 'MRN-1' } });
    expect((await eventsOf('req-c')).map((e) => e.action)).toEqual(['CYCLE_CREATED']);
  });

  it('updates a cycle and records what changed; a status change is its own event', async () => {
    const cycle = await newCycle(ds, clinic, { method: 'ICSI' });
    const u = await t.gql(
      'mutation($id: ID!) { updateCycle(id: $id, input: { method: IVF, externalId: "RENAMED" }) { method externalId } }',
      { id: cycle.id },
      admin,
      'req-u',
    );
    expect(u.data.updateCycle).toEqual({ method: 'IVF', externalId: 'RENAMED' });
    const [updated] = await eventsOf('req-u');
    expect(updated).toMatchObject({
      action: 'CYCLE_UPDATED',
      detail: {
        before: { method: 'ICSI', externalId: cycle.externalId },
        after: { method: 'IVF', externalId: 'RENAMED' },
      },
    });
    await t.gql(
      'mutation($id: ID!) { setCycleStatus(id: $id, status: COMPLETED) { status } }',
      { id: cycle.id },
      admin,
      'req-s',
    );
    expect(await eventsOf('req-s')).toEqual([
      expect.objectContaining({ action: 'CYCLE_STATUS_CHANGED', detail: { from: 'ACTIVE', to: 'COMPLETED' } }),
    ]);
    expect((await ds.getRepository(Cycle).findOneByOrFail({ id: cycle.id })).status).toBe('COMPLETED');
  });

  it('refuses to rename a cycle onto an existing external id, changing nothing', async () => {
    const one = await newCycle(ds, clinic, { externalId: 'KEEP-1' });
    await newCycle(ds, clinic, { externalId: 'KEEP-2' });
    const r = await t.gql(
      'mutation($id: ID!) { updateCycle(id: $id, input: { externalId: "KEEP-2" }) { id } }',
      { id: one.id },
      admin,
      'req-clash',
    );
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect((await ds.getRepository(Cycle).findOneByOrFail({ id: one.id })).externalId).toBe('KEEP-1');
    expect(await eventsOf('req-clash')).toEqual([]);
  });

  it('records an outcome with who and when', async () => {
    const embryo = await newEmbryo(ds, await newCycle(ds, clinic));
    const r = await t.gql(
      'mutation($id: ID!) { recordOutcome(embryoId: $id, outcome: NOT_BLASTOCYST) { outcome outcomeRecordedAt } }',
      { id: embryo.id },
      embryologist,
      'req-o',
    );
    expect(r.data.recordOutcome.outcome).toBe('NOT_BLASTOCYST');
    const row = await ds.getRepository(Embryo).findOneByOrFail({ id: embryo.id });
    expect(row).toMatchObject({ outcome: 'NOT_BLASTOCYST', outcomeRecordedBy: embryologist.id, outcomeSource: 'user' });
    expect(await eventsOf('req-o')).toEqual([
      expect.objectContaining({
        action: 'OUTCOME_RECORDED',
        entityId: embryo.id,
        detail: { from: 'UNKNOWN', to: 'NOT_BLASTOCYST' },
      }),
    ]);
  });

  it('hands a scoring request to the queue with the checked clinic and the caller, and refuses an ambiguous request', async () => {
    const cycle = await newCycle(ds, clinic);
    const r = await t.gql(
      'mutation($id: ID!) { requestScoring(input: { cycleId: $id }) { id status trigger } }',
      { id: cycle.id },
      embryologist,
    );
    expect(r.data.requestScoring).toMatchObject({ status: 'QUEUED', trigger: 'request' });
    expect(await ds.getRepository(ScoringRun).findOneByOrFail({ id: r.data.requestScoring.id })).toMatchObject({
      clinicId: clinic.id,
      requestedBy: embryologist.id,
    });
    expect(codes(await t.gql('mutation { requestScoring(input: {}) { id } }', {}, embryologist))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(
      codes(await t.gql('mutation { requestScoring(input: { embryoIds: [] }) { id } }', {}, embryologist)),
    ).toEqual(['BAD_USER_INPUT']);
  });

  it('grants, changes and revokes memberships but never removes the last administrator', async () => {
    const lone = await newClinic(ds);
    const loneAdmin = await newMember(ds, lone, 'ADMIN');
    const r = await t.gql(
      'mutation($u: ID!, $c: ID!) { revokeMembership(userId: $u, clinicId: $c) }',
      { u: loneAdmin.id, c: lone.id },
      loneAdmin,
    );
    expect(r.errors![0]).toMatchObject({
      message: 'a clinic must keep at least one administrator',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(await ds.getRepository(Membership).countBy({ clinicId: lone.id })).toBe(1);
    const newcomer = await newMember(ds, clinic, 'CLINICIAN');
    const g = await t.gql(
      'mutation($u: ID!, $c: ID!) { grantMembership(userId: $u, clinicId: $c, role: EMBRYOLOGIST) { role clinic { id } } }',
      { u: newcomer.id, c: clinic.id },
      admin,
      'req-g',
    );
    expect(g.data.grantMembership).toEqual({ role: 'EMBRYOLOGIST', clinic: { id: clinic.id } });
    expect(await eventsOf('req-g')).toEqual([
      expect.objectContaining({
        action: 'MEMBERSHIP_GRANTED',
        detail: { role: 'EMBRYOLOGIST', previousRole: 'CLINICIAN' },
      }),
    ]);
    const v = await t.gql(
      'mutation($u: ID!, $c: ID!) { revokeMembership(userId: $u, clinicId: $c) }',
      { u: newcomer.id, c: clinic.id },
      admin,
    );
    expect(v.data.revokeMembership).toBe(true);
    // the revoked user's next request no longer sees the clinic
    expect(codes(await t.gql('query($id: ID!) { clinic(id: $id) { id } }', { id: clinic.id }, newcomer))).toEqual([
      'NOT_FOUND',
    ]);
  });
});

describe('reads of patient-level data are audited', () => {
  it.each([
    [
      'patient',
      'READ_PATIENT',
      'query($id: ID!) { patient(id: $id) { mrn } }',
      async () => (await newPatient(ds, clinic)).id,
    ],
    [
      'embryo',
      'READ_EMBRYO',
      'query($id: ID!) { embryo(id: $id) { label } }',
      async () => (await newEmbryo(ds, await newCycle(ds, clinic))).id,
    ],
    [
      'cycle',
      'READ_CYCLE',
      'query($id: ID!) { cycle(id: $id) { externalId } }',
      async () => (await newCycle(ds, clinic)).id,
    ],
  ])('%s(id) writes %s', async (name, action, query, makeId) => {
    const id = await makeId();
    const requestId = `req-read-${name}`;
    expect((await t.gql(query, { id }, embryologist, requestId)).errors).toBeUndefined();
    expect(await eventsOf(requestId)).toEqual([
      expect.objectContaining({ action, entityId: id, clinicId: clinic.id, userId: embryologist.id }),
    ]);
  });

  it('a denied read writes no data event', async () => {
    const cycle = await newCycle(ds, clinic);
    expect(
      codes(await t.gql('query($id: ID!) { cycle(id: $id) { id } }', { id: cycle.id }, auditor, 'req-denied')),
    ).toEqual(['FORBIDDEN']);
    expect(await eventsOf('req-denied')).toEqual([]);
  });

  it('a page of cycles writes one READ_CYCLES event naming the cycles shown', async () => {
    const c = await newClinic(ds);
    const reader = await newMember(ds, c, 'CLINICIAN');
    const cycles = [await newCycle(ds, c), await newCycle(ds, c)];
    await t.gql('{ cycles { edges { node { id } } } }', {}, reader, 'req-list');
    const events = await eventsOf('req-list');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'READ_CYCLES', clinicId: c.id });
    expect((events[0].detail.cycleIds as string[]).sort()).toEqual(cycles.map((x) => x.id).sort());
  });
});

describe('auditEvents', () => {
  it("lets an auditor page through its clinic's events only, within a time range, and audits that too", async () => {
    const other = await newClinic(ds);
    await newMember(ds, other, 'ADMIN');
    await t.gql(
      'mutation($c: ID!) { createPatient(input: { clinicId: $c, mrn: "OTHER-1" }) { id } }',
      { c: other.id },
      await newMember(ds, other, 'ADMIN'),
    );
    const q =
      'query($c: ID!, $after: String, $from: DateTimeISO) { auditEvents(clinicId: $c, first: 3, after: $after, from: $from) { edges { node { id clinicId action } } pageInfo { hasNextPage endCursor } } }';
    const before = (
      await ds.getRepository(AuditEvent).find({ where: { clinicId: clinic.id }, order: { id: 'ASC' } })
    ).map((e) => e.id);
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r: any = await t.gql(q, { c: clinic.id, after }, auditor);
      expect(r.errors).toBeUndefined();
      for (const e of r.data.auditEvents.edges) {
        expect(e.node.clinicId).toBe(clinic.id);
        ids.push(e.node.id);
      }
      if (!r.data.auditEvents.pageInfo.hasNextPage) break;
      after = r.data.auditEvents.pageInfo.endCursor;
    }
    // every event of the clinic, oldest first, each once; pages also show the READ_AUDIT_LOG events that paging wrote
    expect(before.length).toBeGreaterThan(6);
    expect(ids.slice(0, before.length)).toEqual(before);
    expect(new Set(ids).size).toBe(ids.length);
    const future = await t.gql(
      q,
      { c: clinic.id, from: new Date(Date.now() + 3_600_000).toISOString() },
      auditor,
      'req-audit',
    );
    expect(future.data.auditEvents.edges).toEqual([]);
    expect(await eventsOf('req-audit')).toEqual([
      expect.objectContaining({ action: 'READ_AUDIT_LOG', clinicId: clinic.id, userId: auditor.id }),
    ]);
  });

  it('import runs carry their per-item report, and reading them is audited', async () => {
    await newImportRun(ds, clinic, [
      { item: 'E7/F12.png', status: 'failed', reason: 'not a PNG' },
      { item: 'E7/F13.png', status: 'stored' },
    ]);
    const r = await t.gql(
      'query($c: ID!) { importRuns(clinicId: $c) { edges { node { kind status items { item status reason } } } } }',
      { c: clinic.id },
      embryologist,
      'req-imports',
    );
    expect(await eventsOf('req-imports')).toEqual([
      expect.objectContaining({ action: 'READ_IMPORT_RUNS', clinicId: clinic.id, userId: embryologist.id }),
    ]);
    expect(r.data.importRuns.edges[0].node).toEqual({
      kind: 'FOLDER',
      status: 'PARTIAL',
      items: [
        { item: 'E7/F12.png', status: 'failed', reason: 'not a PNG' },
        { item: 'E7/F13.png', status: 'stored', reason: null },
      ],
    });
  });
});

describe('requestScoring through the jobs module (src/jobs/scoring-requests.ts)', () => {
  let real: TestApi;
  beforeAll(async () => {
    real = await createTestApi(db); // default requester: the real queue (pg-boss in this database)
  });
  afterAll(async () => {
    await real.stop();
    await db.services.queue.close();
  });

  it("queues a run for the clinic's active model, audited once", async () => {
    const lab = await newClinic(ds);
    const model = await newModelVersion(ds);
    await enableModel(ds, lab, model, { active: true });
    const cycle = await newCycle(ds, lab);
    await newEmbryo(ds, cycle);
    const member = await newMember(ds, lab, 'EMBRYOLOGIST');
    const r = await real.gql(
      'mutation($id: ID!) { requestScoring(input: { cycleId: $id }) { id status modelVersionId } }',
      { id: cycle.id },
      member,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.requestScoring).toMatchObject({ status: 'QUEUED', modelVersionId: model.id });
    const events = await ds
      .getRepository(AuditEvent)
      .findBy({ action: 'SCORING_REQUESTED', entityId: r.data.requestScoring.id });
    expect(events).toEqual([expect.objectContaining({ clinicId: lab.id, userId: member.id })]);
  });

  it('explains why a clinic without an active model cannot score', async () => {
    const bare = await newClinic(ds);
    const cycle = await newCycle(ds, bare);
    await newEmbryo(ds, cycle);
    const r = await real.gql(
      'mutation($id: ID!) { requestScoring(input: { cycleId: $id }) { id } }',
      { id: cycle.id },
      await newMember(ds, bare, 'ADMIN'),
    );
    expect(r.errors![0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringMatching(/no active model/),
    });
  });
});

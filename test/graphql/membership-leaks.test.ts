import type { Clinic, User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newMember, newMembership } from '../helpers/factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';

/**
 * The two leaks a black-box run found (issue 17): a clinic ADMIN pulling another clinic's user into
 * its clinic to read its name and e-mail, and createUser telling which e-mails exist elsewhere.
 */
const GRANT = 'mutation($u: ID!, $c: ID!, $r: Role!) { grantMembership(userId: $u, clinicId: $c, role: $r) { role } }';
const MEMBERS = 'query($c: ID!) { clinicMembers(clinicId: $c) { id email displayName } }';
const CREATE = `mutation($i: CreateUserInput!) {
  createUser(input: $i) { id email displayName networkAdmin disabled memberships { role clinic { id } } }
}`;

let db: TestDatabase;
let t: TestApi;
let clinicA: Clinic;
let clinicB: Clinic;
let clinicC: Clinic;
let adminA: User;
let userB: User;
let networkAdmin: User;

beforeAll(async () => {
  db = await createTestDatabase();
  t = await createTestApi(db);
  clinicA = await newClinic(db.dataSource);
  clinicB = await newClinic(db.dataSource);
  clinicC = await newClinic(db.dataSource);
  adminA = await newMember(db.dataSource, clinicA, 'ADMIN');
  await newMembership(db.dataSource, adminA, clinicC, 'ADMIN');
  userB = await newMember(db.dataSource, clinicB, 'EMBRYOLOGIST', { displayName: 'Dr. Secret of B' });
  networkAdmin = await newMember(db.dataSource, clinicA, 'CLINICIAN', { networkAdmin: true });
});
afterAll(async () => {
  await t?.stop();
  await db?.destroy();
});

const memberIds = async (clinic: Clinic, as: User) =>
  ((await t.gql(MEMBERS, { c: clinic.id }, as)).data.clinicMembers as { id: string }[]).map((m) => m.id);

describe('grantMembership', () => {
  it("answers NOT_FOUND to a clinic ADMIN naming another clinic's user, exactly as for a missing id", async () => {
    const theirs = await t.gql(GRANT, { u: userB.id, c: clinicA.id, r: 'CLINICIAN' }, adminA);
    const missing = await t.gql(
      GRANT,
      { u: '00000000-0000-4000-8000-000000000001', c: clinicA.id, r: 'CLINICIAN' },
      adminA,
    );
    expect(codes(theirs)).toEqual(['NOT_FOUND']);
    expect(theirs.errors![0].message).toBe(missing.errors![0].message);
    const members = JSON.stringify((await t.gql(MEMBERS, { c: clinicA.id }, adminA)).data);
    expect(members).not.toContain(userB.email);
    expect(members).not.toContain('Dr. Secret of B');
  });

  it('lets a clinic ADMIN bring in a user of another clinic it administers, and a network admin anyone', async () => {
    const ofC = await newMember(db.dataSource, clinicC, 'CLINICIAN');
    expect(codes(await t.gql(GRANT, { u: ofC.id, c: clinicA.id, r: 'CLINICIAN' }, adminA))).toEqual([]);
    expect(await memberIds(clinicA, adminA)).toContain(ofC.id);
    const other = await newMember(db.dataSource, clinicB, 'CLINICIAN');
    expect(codes(await t.gql(GRANT, { u: other.id, c: clinicA.id, r: 'AUDITOR' }, networkAdmin))).toEqual([]);
    expect(await memberIds(clinicA, adminA)).toContain(other.id);
  });
});

describe('createUser', () => {
  it("answers an e-mail of another clinic's user with the same shape as a new one, and shows nothing of that user", async () => {
    const fresh = await t.gql(
      CREATE,
      { i: { email: 'brand.new@example.org', displayName: 'Typed name', clinicId: clinicA.id, role: 'CLINICIAN' } },
      adminA,
    );
    const existing = await t.gql(
      CREATE,
      { i: { email: userB.email, displayName: 'Typed name', clinicId: clinicA.id, role: 'CLINICIAN' } },
      adminA,
    );
    expect(fresh.errors).toBeUndefined();
    expect(existing.errors).toBeUndefined();
    const shape = (u: Record<string, unknown>) => ({ ...u, id: typeof u.id, email: typeof u.email });
    expect(shape(existing.data.createUser)).toEqual(shape(fresh.data.createUser));
    expect(existing.data.createUser).toMatchObject({
      email: userB.email,
      displayName: 'Typed name',
      memberships: [{ role: 'CLINICIAN', clinic: { id: clinicA.id } }],
    });
    expect(existing.data.createUser.id).not.toBe(userB.id);
    expect(JSON.stringify(existing)).not.toContain('Dr. Secret of B');
    // no membership without the user's consent
    expect(await memberIds(clinicA, adminA)).not.toContain(userB.id);
  });

  it('turns into a membership only when the invited user accepts', async () => {
    const invitations = await t.gql('{ myInvitations { id role clinic { id } } }', {}, userB);
    expect(invitations.data.myInvitations).toEqual([
      { id: expect.any(String), role: 'CLINICIAN', clinic: { id: clinicA.id } },
    ]);
    const id = invitations.data.myInvitations[0].id as string;
    // nobody else can accept it
    expect(
      codes(await t.gql('mutation($i: ID!) { acceptInvitation(invitationId: $i) { role } }', { i: id }, adminA)),
    ).toEqual(['NOT_FOUND']);
    const accepted = await t.gql('mutation($i: ID!) { acceptInvitation(invitationId: $i) { role } }', { i: id }, userB);
    expect(accepted.data.acceptInvitation.role).toBe('CLINICIAN');
    expect(await memberIds(clinicA, adminA)).toContain(userB.id);
    expect((await t.gql('{ myInvitations { id } }', {}, userB)).data.myInvitations).toEqual([]);
  });

  it('still tells a network admin, who sees every user anyway, that the e-mail exists', async () => {
    const again = await t.gql(
      CREATE,
      { i: { email: userB.email, clinicId: clinicB.id, role: 'CLINICIAN' } },
      networkAdmin,
    );
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
  });
});

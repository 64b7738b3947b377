import type { Clinic, User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newMember } from '../helpers/factories';
import { createTestApi, type TestApi } from '../helpers/graphql-client';

/** A variable the schema cannot coerce (unknown enum value, wrong type) is the caller's mistake: BAD_USER_INPUT with the reason. */
describe('variables that do not fit the schema', () => {
  let db: TestDatabase;
  let t: TestApi;
  let clinic: Clinic;
  let embryologist: User;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApi(db);
    clinic = await newClinic(db.dataSource);
    embryologist = await newMember(db.dataSource, clinic, 'EMBRYOLOGIST');
  });
  afterAll(async () => {
    await t?.stop();
    await db?.destroy();
  });

  it('answers an unknown enum value and a wrongly typed variable as BAD_USER_INPUT, naming the value', async () => {
    const embryo = await newEmbryo(db.dataSource, await newCycle(db.dataSource, clinic));
    const mutation = 'mutation($e: ID!, $o: Outcome!) { recordOutcome(embryoId: $e, outcome: $o) { id outcome } }';
    const unknown = await t.gql(mutation, { e: embryo.id, o: 'MAYBE' }, embryologist);
    expect(unknown.data).toBeUndefined();
    expect(unknown.errors).toHaveLength(1);
    expect(unknown.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0].message).toMatch(/MAYBE/);
    const wrongType = await t.gql(mutation, { e: embryo.id, o: 42 }, embryologist);
    expect(wrongType.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    const good = await t.gql(mutation, { e: embryo.id, o: 'BLASTOCYST' }, embryologist);
    expect(good.data.recordOutcome).toEqual({ id: embryo.id, outcome: 'BLASTOCYST' });
  });
});

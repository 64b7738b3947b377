import { getIntrospectionQuery } from 'graphql';
import type { User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newMember } from '../helpers/factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';

/**
 * The standard introspection query (what GraphiQL and codegen send) was refused in development by
 * the cost limit ("query is too complex (46580; …)"). Introspection is now exempt from the cost
 * estimate where it is enabled, and bounded by its shape instead; every other query keeps both
 * limits, and production keeps introspection off.
 */
let db: TestDatabase;
let dev: TestApi;
let prod: TestApi;
let clinician: User;

beforeAll(async () => {
  db = await createTestDatabase();
  dev = await createTestApi(db);
  prod = await createTestApi(db, { production: true });
  clinician = await newMember(db.dataSource, await newClinic(db.dataSource), 'CLINICIAN');
});
afterAll(async () => {
  await dev?.stop();
  await prod?.stop();
  await db?.destroy();
});

const FULL_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});

describe('introspection in development', () => {
  it('answers the standard introspection query, signed in or not', async () => {
    for (const as of [clinician, null]) {
      for (const query of [getIntrospectionQuery(), FULL_INTROSPECTION]) {
        const result = await dev.gql(query, {}, as);
        expect(result.errors).toBeUndefined();
        expect(result.data.__schema.queryType.name).toBe('Query');
        expect(result.data.__schema.types.map((t: { name: string }) => t.name)).toEqual(
          expect.arrayContaining(['Embryo', 'Trajectory', 'ModelEvaluation']),
        );
      }
    }
  });

  it('still refuses introspection nested beyond the standard query: lists inside lists, or too deep', async () => {
    const listsFourDeep = '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }';
    const result = await dev.gql(listsFourDeep, {}, clinician);
    expect(result.data).toBeUndefined();
    expect(result.errors![0]).toMatchObject({
      message: expect.stringMatching(/with lists 4 deep; the limits are 15 and 3/),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const ofTypes = `{ __type(name: "Embryo") { ${'ofType { '.repeat(16)}name${' }'.repeat(16)} } }`;
    const deep = await dev.gql(ofTypes, {}, clinician);
    expect(deep.data).toBeUndefined();
    expect(deep.errors![0]).toMatchObject({
      message: expect.stringMatching(/introspection query is nested 18 levels deep/),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('keeps the cost and depth limits for every other query, also when it asks for introspection fields too', async () => {
    const wide =
      '{ cycles(first: 100) { edges { node { embryos { trajectory { points { segment day probability imputed computedAt } } } } } } }';
    expect((await dev.gql(wide, {}, clinician)).errors![0].message).toMatch(/too complex/);
    const mixed = `{ __schema { types { name } } cycles(first: 100) { edges { node { embryos { trajectory { points { segment day probability imputed computedAt } } } } } } }`;
    expect((await dev.gql(mixed, {}, clinician)).errors![0].message).toMatch(/too complex/);
    const deep =
      '{ cycles { edges { node { embryos { cycle { embryos { cycle { embryos { cycle { embryos { id } } } } } } } } } } }';
    expect((await dev.gql(deep, {}, clinician)).errors![0].message).toMatch(/nested \d+ levels deep/);
  });
});

describe('introspection in production', () => {
  it('is refused, the standard query included', async () => {
    expect(codes(await prod.gql(getIntrospectionQuery(), {}, clinician))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes(await prod.gql(getIntrospectionQuery(), {}, null))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

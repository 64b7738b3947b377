import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compiledExecutor, CompiledSerializers } from '../../src/graphql/compiled-executor';
import { buildApiSchema } from '../../src/graphql/schema';
import { clinicianApi, type ClinicianApi } from '../helpers/clinician-api';
import { newCycle, newEmbryo, newMember, newPatient } from '../helpers/factories';
import { newPredictions } from '../helpers/graphql-factories';

/*
 * The API executes queries with graphql-jit (src/graphql/compiled-executor.ts). Every answer must be
 * the one graphql-js gives for the same document, variables and caller: data, errors (message,
 * path, locations, code) and their order. Both run here side by side on the real schema and data.
 */

let fixture: ClinicianApi;
let schema: GraphQLSchema;
let token: string;
let cycleId: string;
let embryoId: string;

beforeAll(async () => {
  fixture = await clinicianApi();
  schema = await buildApiSchema();
  const { ds, clinic, model } = fixture;
  // characters a serializer must escape exactly as JSON.stringify does
  const patient = await newPatient(ds, clinic, {
    mrn: 'MRN "7"\\ \n\t\u0001 é 𝛼 </script>',
    displayName: 'Ünïcødé "name"',
  });
  const cycle = await newCycle(ds, clinic, { patientId: patient.id });
  for (let i = 0; i < 4; i++) {
    const embryo = await newEmbryo(ds, cycle, { label: `J${i}` });
    if (i < 3)
      await newPredictions(
        ds,
        embryo,
        model,
        28,
        (k) => (k + i) / 40,
        (k) => k === 5,
      );
    if (i === 0) embryoId = embryo.id;
  }
  cycleId = cycle.id;
  token = await fixture.t.tokenFor(fixture.clinician);
});
afterAll(async () => {
  await fixture?.stop();
});

const context = (as = token) =>
  fixture.t.api.createContext({ authorization: `Bearer ${as}`, address: '127.0.0.1', requestId: 'jit-test' });

/** What a client sees of a result: data and errors as JSON. */
const asClientSees = (result: ExecutionResult) =>
  JSON.parse(
    JSON.stringify({
      data: result.data,
      errors: result.errors?.map((e) => ({
        message: e.message,
        path: e.path,
        locations: e.locations,
        original: e.originalError?.constructor.name,
      })),
    }),
  );

async function bothWays(query: string, variables: Record<string, unknown> = {}, operationName?: string) {
  const document = parse(query);
  const serializers = new CompiledSerializers();
  const run = compiledExecutor(schema, { serializers, compileAt: 1 });
  const request = async () =>
    ({ document, operationName, request: { variables }, context: await context() }) as unknown as Parameters<
      typeof run
    >[0];
  const compiled = await run(await request());
  if (!compiled.errors) {
    // the answer's bytes: whoever writes them (the operation's generated serializer where there is
    // one, else JSON.stringify), they are exactly what JSON.stringify writes
    const answer = { data: compiled.data };
    expect(serializers.stringifyResult(answer)).toBe(`${JSON.stringify(answer)}\n`);
  }
  const interpreted = await execute({
    schema,
    document,
    contextValue: await context(),
    variableValues: variables,
    operationName,
  });
  return { compiled: asClientSees(compiled), interpreted: asClientSees(interpreted) };
}

/** name, query, variables, operation name, how many errors the answer has */
const CASES: Array<[string, string, () => Record<string, unknown>, string | undefined, number]> = [
  [
    'the lab cycle view with trajectories, inputs and runtime',
    `query($id: ID!) { cycle(id: $id) { id externalId status patient { mrn displayName }
      ranking { label warning provenance model { id name version trained }
        entries { rank score { value label segment hoursPostInsemination }
          embryo { id label outcome trajectory { label segments probabilities imputed
            points { segment hoursPostInsemination day probability imputed computedAt
              inputs { frameId imputed imputedBecause } runtime { onnxRuntime } } } } } } } }`,
    () => ({ id: cycleId }),
    undefined,
    0,
  ],
  [
    'another clinic (or no) record: NOT_FOUND with its path, beside data that resolved',
    `query($id: ID!, $other: ID!) { here: cycle(id: $id) { id } missing: cycle(id: $other) { id } }`,
    () => ({ id: cycleId, other: '00000000-0000-4000-8000-000000000000' }),
    undefined,
    1,
  ],
  [
    'a malformed id is a BAD_USER_INPUT error, not a crash',
    `query($id: ID!) { embryo(id: $id) { id } }`,
    () => ({ id: 'not-a-uuid' }),
    undefined,
    1,
  ],
  [
    'fragments, aliases, __typename, @include and @skip with variables, enum arguments',
    `query View($id: ID!, $withPoints: Boolean!, $noLabel: Boolean!) {
      cycle(id: $id) { __typename ...Basics byLabel: embryos(orderBy: LABEL) { label @skip(if: $noLabel) id }
        ranking { entries { embryo { trajectory { points @include(if: $withPoints) { segment } } } } } } }
     fragment Basics on Cycle { id status }`,
    () => ({ id: cycleId, withPoints: false, noLabel: true }),
    'View',
    0,
  ],
  [
    'a connection with its page arguments, and the caller',
    `query($first: Int) { cycles(first: $first) { totalCount pageInfo { hasNextPage endCursor } nodes { id embryos { id } } }
      me { email memberships { role clinic { id code } } } }`,
    () => ({ first: 1 }),
    undefined,
    0,
  ],
  [
    'one embryo with its cycle, phases and latest score',
    `query($id: ID!) { embryo(id: $id) { id label cycle { id } phases { phase } latestScore { value label } } }`,
    () => ({ id: embryoId }),
    undefined,
    0,
  ],
];

describe('compiled execution (graphql-jit) answers exactly as graphql-js', () => {
  // (each case as one array argument: a test function of four parameters would be taken for `done`)
  it.each(CASES.map((c) => [c[0], c]))('%s', async (_name, [, query, variables, operationName, errors]) => {
    const { compiled, interpreted } = await bothWays(query, variables(), operationName);
    expect(compiled).toEqual(interpreted);
    // not vacuous: the answers hold what each case is about (its errors, or data without errors)
    expect(compiled.errors?.length ?? 0).toBe(errors);
    if (errors === 0) expect(Object.keys(compiled.data).length).toBeGreaterThan(0);
  });

  it("writes the lab's cycle view (no date fields) with its generated serializer, byte for byte", async () => {
    const serializers = new CompiledSerializers();
    const run = compiledExecutor(schema, { serializers, compileAt: 1 });
    const result = await run({
      document: parse(`query($id: ID!) { cycle(id: $id) { id externalId status patient { mrn displayName }
        ranking { label warning entries { rank score { value label } embryo { id label outcome
          trajectory { warning model { id name version trained } points { segment hoursPostInsemination day probability imputed } } } } } } }`),
      request: { variables: { id: cycleId } },
      context: await context(),
    } as unknown as Parameters<typeof run>[0]);
    expect(result.errors).toBeUndefined();
    const answer = { data: result.data };
    expect(serializers.serializerOf(answer)).toBeDefined();
    const bytes = serializers.stringifyResult(answer);
    expect(bytes).toBe(`${JSON.stringify(answer)}\n`);
    expect(bytes).toContain('\\"7\\"'); // the MRN's quotes, escaped
    // a plugin's replacement answer (another object) is written by JSON.stringify
    expect(serializers.serializerOf({ data: { ...result.data } })).toBeUndefined();
  });

  it('interprets a document on its first run and compiles it on the second (the default)', async () => {
    const serializers = new CompiledSerializers();
    const run = compiledExecutor(schema, { serializers });
    const document = parse(`query($id: ID!) { cycle(id: $id) { id patient { mrn } embryos { label } } }`);
    const once = async () =>
      run({ document, request: { variables: { id: cycleId } }, context: await context() } as unknown as Parameters<
        typeof run
      >[0]);
    const first = await once();
    const second = await once();
    expect(second).toEqual(first);
    // only a compiled operation's answer has a generated serializer: the first was interpreted
    expect(serializers.serializerOf({ data: first.data })).toBeUndefined();
    expect(serializers.serializerOf({ data: second.data })).toBeDefined();
  });

  it('runs mutations on graphql-js, so an omitted input field keeps its default', async () => {
    // graphql-jit would refuse this variable: CreateUserInput.networkAdmin (Boolean! = false) is omitted
    const admin = await newMember(fixture.ds, fixture.clinic, 'ADMIN');
    const serializers = new CompiledSerializers();
    const run = compiledExecutor(schema, { serializers, compileAt: 1 });
    const result = await run({
      document: parse(`mutation($i: CreateUserInput!) { createUser(input: $i) { email } }`),
      request: {
        variables: { i: { email: 'jit.default@example.org', clinicId: fixture.clinic.id, role: 'CLINICIAN' } },
      },
      context: await context(await fixture.t.tokenFor(admin)),
    } as unknown as Parameters<typeof run>[0]);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ createUser: { email: 'jit.default@example.org' } });
  });
});

import {
  buildSchema,
  getNamedType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { buildApiSchema } from '../../src/graphql/schema';

/*
 * A probability is never served unlabelled by any GraphQL path (issue #16): every object type that
 * carries a model's number either has its label beside it (warning, label, provenance), or is
 * reachable only through fields of a type that has them (a trajectory's points under the trajectory).
 */

const LABEL_FIELDS = ['warning', 'label', 'provenance'];

/** A model's number: a Float named like a probability, or the value of a score. */
function carriesProbability(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): boolean {
  if (getNamedType(field.type).name !== 'Float') return false;
  return /probabilit/i.test(field.name) || (/score/i.test(type.name) && field.name === 'value');
}

function labelled(type: GraphQLObjectType): boolean {
  const fields = type.getFields();
  return LABEL_FIELDS.every((name) => name in fields);
}

/** "Type.field" of every path by which a probability reaches a client without its label. */
function unlabelledProbabilityPaths(schema: GraphQLSchema): string[] {
  const objects = Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'),
  );
  const carriers = objects.filter((t) => Object.values(t.getFields()).some((f) => carriesProbability(t, f)));
  const problems: string[] = [];
  for (const carrier of carriers) {
    if (labelled(carrier)) continue;
    const references = objects.flatMap((parent) =>
      Object.values(parent.getFields())
        .filter((f) => getNamedType(f.type) === carrier)
        .map((f) => ({ parent, field: f })),
    );
    if (references.length === 0) problems.push(`${carrier.name} (unreachable but unlabelled)`);
    for (const { parent, field } of references)
      if (!labelled(parent)) problems.push(`${parent.name}.${field.name} → ${carrier.name}`);
  }
  return problems;
}

describe('labelled probabilities', () => {
  it('finds no GraphQL path that serves a probability without model provenance and warning', async () => {
    const schema = await buildApiSchema();
    expect(unlabelledProbabilityPaths(schema)).toEqual([]);
    // and the walk does look at the fields that carry them
    const names = Object.values(schema.getTypeMap())
      .filter((t): t is GraphQLObjectType => isObjectType(t))
      .filter((t) => Object.values(t.getFields()).some((f) => carriesProbability(t, f)))
      .map((t) => t.name)
      .sort();
    expect(names).toEqual(expect.arrayContaining(['Score', 'TrajectoryPoint']));
    expect(schema.getType('Embryo')).toBeDefined();
    expect(Object.keys((schema.getType('Embryo') as GraphQLObjectType).getFields())).not.toContain('latestProbability');
  });

  it('reports a bare probability and an unlabelled parent (the walk can fail)', () => {
    const schema = buildSchema(`
      type Query { embryo: Embryo }
      type Embryo { latestProbability: Float, trajectory: Trajectory, score: Score }
      type Trajectory { points: [Point!]! }
      type Point { probability: Float! }
      type Score { value: Float!, warning: String, label: String!, provenance: String! }
    `);
    expect(unlabelledProbabilityPaths(schema).sort()).toEqual(['Query.embryo → Embryo', 'Trajectory.points → Point']);
  });
});

import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { HealthResolver } from './resolvers/health.resolver';

// Every resolver class of the API. One line each.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const RESOLVERS: NonEmptyArray<Function> = [HealthResolver];

/** Builds the executable schema once per process. */
export function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: RESOLVERS, validate: true });
}

import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildApiSchema } from './schema';

/** The API's schema as SDL, sorted, as committed in schema.graphql (a test keeps them equal). */
export async function printApiSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildApiSchema()))}\n`;
}

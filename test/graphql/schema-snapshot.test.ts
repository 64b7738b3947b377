import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printApiSchema } from '../../src/graphql/print-schema';

const FILE = join(__dirname, '..', '..', 'schema.graphql');

describe('schema.graphql', () => {
  it('matches the schema the code builds (UPDATE_SCHEMA=1 rewrites it)', async () => {
    const printed = await printApiSchema();
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(FILE, printed);
    expect(readFileSync(FILE, 'utf8')).toBe(printed);
  });

  it('keeps the contract names of the issue', async () => {
    const sdl = await printApiSchema();
    for (const fragment of [
      'login(email: String!, password: String!): AuthPayload!',
      'cycles(after: String, clinicId: ID, first: Int, patientMrn: String, status: CycleStatus): CycleConnection!',
      'embryos(orderBy: EmbryoOrder! = LABEL): [Embryo!]!',
      'trajectory(modelId: ID): Trajectory',
      'requestScoring(input: ScoringRequestInput!): ScoringRun!',
      'auditEvents(after: String, clinicId: ID, first: Int, from: DateTimeISO, to: DateTimeISO): AuditEventConnection!',
    ]) {
      expect(sdl).toContain(fragment);
    }
  });
});

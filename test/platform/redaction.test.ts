import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Clinic } from '../../src/entities';
import type { EmbryoScoringService } from '../../src/inference/scoring/embryo-scoring.service';
import { ScoringRunsService } from '../../src/inference/scoring/scoring-runs.service';
import { ScoringService } from '../../src/inference/scoring/scoring.service';
import { createLogger } from '../../src/platform/logger';
import { safeErrorText, serializeError } from '../../src/platform/safe-error';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic } from '../helpers/factories';
import { enableModel, newModelVersion, newScoringRun } from '../helpers/graphql-factories';

const MRN = 'MRN-SECRET-0042';
const NAME = 'Ada Secretperson';

/** Every line a logger at `debug` writes. */
function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: createLogger('debug', 'test', stream), text: () => lines.join('') };
}

/**
 * Database errors carry the values of the statement (parameters, `detail`, quoted values in the
 * message). Stored reasons and logs, at every level, describe them by SQLSTATE and constraint only.
 */
describe('database errors in stored reasons and logs', () => {
  let db: TestDatabase;
  let clinic: Clinic;
  let dir: string;
  const failingQuery = () =>
    db.dataSource.query(`SELECT $1::uuid, $2::text`, [MRN, NAME]).then(
      () => {
        throw new Error('expected the query to fail');
      },
      (error: unknown) => error,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    clinic = await newClinic(db.dataSource);
    dir = await mkdtemp(join(tmpdir(), 'amsnet-redact-'));
  });
  afterAll(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('describes a real database error without its values, in text and in the log serializer', async () => {
    const error = await failingQuery();
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).toContain(MRN); // what leaked
    expect(safeErrorText(error)).toBe('database error 22P02 (invalid data)');
    const serialized = JSON.stringify(serializeError(error));
    expect(serialized).not.toContain(MRN);
    expect(serialized).not.toContain(NAME);
    expect(serialized).toContain('[2 redacted]');
    expect(serialized).toContain('SELECT $1::uuid');
  });

  it('logs no parameter at any level, even debug', async () => {
    const { log, text } = capturedLogger();
    const error = await failingQuery();
    log.error({ err: error }, 'failed');
    log.debug({ err: error }, 'failed (debug)');
    log.warn({ err: new Error('wrapper', { cause: error }) }, 'wrapped');
    await new Promise((r) => setImmediate(r));
    expect(text()).toContain('22P02');
    expect(text()).not.toContain(MRN);
    expect(text()).not.toContain(NAME);
  });

  it('stores a safe reason for a cycle sheet row the database refused', async () => {
    // A database refusal whose message and detail quote the row's values, as PostgreSQL's own
    // "invalid input syntax …: "value"" messages do.
    await db.dataSource.query(`
      CREATE FUNCTION refuse_patient() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'patient % refused', NEW.mrn USING ERRCODE = '22023', DETAIL = 'name ' || NEW.display_name; END $$;
      CREATE TRIGGER refuse_patient BEFORE INSERT ON patient FOR EACH ROW EXECUTE FUNCTION refuse_patient()`);
    try {
      const sheet = join(dir, 'cycles.csv');
      await writeFile(
        sheet,
        `mrn,patient_name,cycle_id,insemination_at,method,embryo_label,embryo_external_id\n${MRN},${NAME},CY-9,2026-02-01T09:00:00Z,IVF,,\n`,
      );
      const report = await db.services.imports.importCycleSheet(sheet, { grant: db.services.system.clinic(clinic.id) });
      expect(report.items).toEqual([
        { item: 'row 2 (cycle CY-9)', status: 'failed', reason: 'not stored: database error 22023 (invalid data)' },
      ]);
      const stored = JSON.stringify(
        await db.dataSource.query(`SELECT reason FROM import_run_item WHERE import_run_id = $1`, [report.importRunId]),
      );
      expect(stored).not.toContain(MRN);
      expect(stored).not.toContain(NAME);
    } finally {
      await db.dataSource.query(`DROP TRIGGER refuse_patient ON patient; DROP FUNCTION refuse_patient()`);
    }
  });

  it('stores a safe reason in the scoring run when a batch fails on the database, and logs none of its values', async () => {
    const model = await newModelVersion(db.dataSource);
    await enableModel(db.dataSource, clinic, model, { active: true });
    const run = await newScoringRun(db.dataSource, clinic, { status: 'RUNNING', modelVersionId: model.id } as never);
    const { log, text } = capturedLogger();
    // The inference side stands in: the batch fails on a real database error carrying patient values.
    const scoring = {
      scoreEmbryos: async () => {
        await db.dataSource.query(`SELECT $1::uuid, $2::text`, [MRN, NAME]);
        throw new Error('unreachable');
      },
    } as unknown as EmbryoScoringService;
    const service = new ScoringService({
      store: db.store,
      runs: new ScoringRunsService(db.store),
      scoring,
      queue: { enqueueBatch: async () => undefined },
      log,
      embryosPerBatch: 4,
    });
    const batch = {
      scoringRunId: run.id,
      clinicId: clinic.id,
      modelVersionId: model.id,
      embryoIds: [],
      batchId: 'b1',
    };
    await expect(service.scoreBatch(batch, { retryCount: 0, retryLimit: 1 })).rejects.toThrow();
    await expect(service.scoreBatch(batch, { retryCount: 1, retryLimit: 1 })).rejects.toThrow();
    await new Promise((r) => setImmediate(r));
    const [stored] = await db.dataSource.query(`SELECT error, details FROM scoring_run WHERE id = $1`, [run.id]);
    expect(stored.details.lastError).toBe('database error 22P02 (invalid data)');
    expect(JSON.stringify(stored)).not.toContain(MRN);
    expect(text()).toContain('22P02');
    expect(text()).not.toContain(MRN);
    expect(text()).not.toContain(NAME);
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amsnetProgram } from '../../src/app/cli';
import { Embryo } from '../../src/entities';
import { EmbryoScoringService } from '../../src/inference/scoring/embryo-scoring.service';
import { PredictorCache } from '../../src/inference/scoring/model-cache';
import { ScoringRunsService } from '../../src/inference/scoring/scoring-runs.service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic } from '../helpers/factories';
import { writeFolderExport, type EmbryoSpec } from '../helpers/ingest-fixtures';
import { tinyModel } from '../helpers/model-factories-registry';

/**
 * The whole loop on a seeded clinic, with every colleague's real code: a folder export (frames and
 * annotations) is imported, a tiny model built by the project's builder is registered and
 * activated, the scoring service scores every embryo, the annotations' outcomes stand as recorded
 * outcomes, and `amsnet evaluate` reports the §7 metrics.
 */
describe('import → score → outcomes → evaluate', () => {
  let db: TestDatabase;
  let dir: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'amsnet-e2e-'));
  });
  afterAll(async () => {
    process.env = savedEnv;
    await rm(dir, { recursive: true, force: true });
    await db.destroy();
  });

  async function runCli(args: string[]): Promise<string> {
    let out = '';
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    const log = jest
      .spyOn(console, 'log')
      .mockImplementation((...parts: unknown[]) => void (out += parts.join(' ') + '\n'));
    try {
      await amsnetProgram()
        .exitOverride()
        .parseAsync(['node', 'amsnet', ...args]);
    } finally {
      write.mockRestore();
      log.mockRestore();
    }
    return out;
  }

  it('evaluates the model that scored the clinic, from the CLI and the service alike', async () => {
    const ds = db.dataSource;
    const clinic = await newClinic(ds);

    // 1. import: 6 embryos, one frame every 3 h up to 168 h at 0 µm; three annotated as blastocysts
    const runs = Array.from({ length: 57 }, (_, i) => i);
    const specs: EmbryoSpec[] = Array.from({ length: 6 }, (_, i) => ({
      name: `E${i + 1}`,
      well: i + 1,
      runs,
      hours: (run: number) => run * 3,
      size: 40,
      phases:
        i % 2 === 0
          ? [
              ['t2', 8, 9],
              ['tB', 40, 56],
            ]
          : [
              ['t2', 8, 9],
              ['t4', 12, 14],
            ],
    }));
    await writeFolderExport(join(dir, 'export'), [0], specs);
    const { imports, registry, evaluation, system } = db.services;
    const report = await imports.importFolder(join(dir, 'export'), { grant: system.clinic(clinic.id) });
    expect(report.counts.failed).toBe(0);
    const embryos = await ds.getRepository(Embryo).findBy({ clinicId: clinic.id });
    expect(embryos.map((e) => e.outcome).sort()).toEqual([
      'BLASTOCYST',
      'BLASTOCYST',
      'BLASTOCYST',
      'NOT_BLASTOCYST',
      'NOT_BLASTOCYST',
      'NOT_BLASTOCYST',
    ]);

    // 2. register + activate a real tiny model (random weights: untrained)
    const { model } = await registry.register(
      await tinyModel({ variant: 'tsm', planes: [0], seed: 3 }),
      { name: 'e2e', version: '1' },
      system.modelRegistration(),
    );
    await registry.activate(model.id, system.clinic(clinic.id));

    // 3. score with the scoring service
    const predictors = new PredictorCache(db.store.models, { executionProviders: ['cpu'], maxBatch: 3 });
    const run = await new ScoringRunsService(db.store).create({
      clinicId: clinic.id,
      modelVersionId: model.id,
      trigger: 'test',
      requestedBy: null,
      scope: {},
    });
    const scored = await new EmbryoScoringService(db.store, predictors).scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: model.id,
      scoringRunId: run!.id,
      embryoIds: embryos.map((e) => e.id),
    });
    expect(scored.outcomes.filter((o) => o.status !== 'scored')).toEqual([]);
    const [{ count }] = await ds.query(`SELECT count(*)::int AS count FROM prediction WHERE model_version_id = $1`, [
      model.id,
    ]);
    expect(count).toBe(6 * 28);

    // 4. evaluate through the CLI (JSON) and check it against the stored predictions, independently
    process.env.DATABASE_URL = db.url;
    process.env.LOG_LEVEL = 'silent';
    const json = JSON.parse(
      await runCli([
        'evaluate',
        '--model',
        model.id,
        '--clinic',
        clinic.code,
        '--format',
        'json',
        '--plot',
        join(dir, 'eval.svg'),
      ]),
    );
    expect(json).toMatchObject({
      untrained: true,
      embryosWithOutcome: 6,
      embryosNotScored: 0,
      metrics: { embryos: 6, blastocysts: 3, notBlastocysts: 3 },
    });
    const rows: Array<{ segment: number; probability: number; outcome: string }> = await ds.query(
      `SELECT p.segment, p.probability, e.outcome FROM prediction p JOIN embryo e ON e.id = p.embryo_id WHERE p.model_version_id = $1`,
      [model.id],
    );
    for (const day of [0.5, 3, 5, 7]) {
      const atDay = rows.filter((r) => r.segment === 4 * day - 1);
      const right = atDay.filter((r) => r.probability >= 0.5 === (r.outcome === 'BLASTOCYST')).length;
      expect(json.metrics.days.find((d: { day: number }) => d.day === day).accuracy).toBeCloseTo(right / 6, 12);
    }
    const svg = await readFile(join(dir, 'eval.svg'), 'utf8');
    expect(svg).toContain('UNTRAINED');

    // the table names the model as untrained; the service returns the same numbers
    const table = await runCli(['evaluate', '--model', model.id, '--clinic', clinic.id]);
    expect(table).toMatch(/UNTRAINED MODEL/);
    const direct = await evaluation.evaluate({ modelId: model.id }, system.clinic(clinic.id));
    expect(direct.metrics.accuracyAuc).toBeCloseTo(json.metrics.accuracyAuc, 12);
  });
});

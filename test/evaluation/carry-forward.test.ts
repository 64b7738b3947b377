import type { Clinic } from '../../src/entities';
import { formatEvaluation } from '../../src/inference/evaluation/evaluation-format';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo } from '../helpers/factories';
import { insertModelVersion, insertPredictions } from '../helpers/model-factories-registry';
import { addFrames } from '../helpers/scoring-factories';

const first = (p: number, segments: number) => Array.from({ length: 28 }, (_, k) => (k < segments ? p : null));

/*
 * §7: the last prediction stands in for later days only when culture ended (recorded) and the model
 * scored up to that end. Four embryos, all wrong-then-unknown: which days count each is the test.
 */
describe('evaluation carry-forward rule', () => {
  let db: TestDatabase;
  let clinic: Clinic;
  let modelId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    const ds = db.dataSource;
    clinic = await newClinic(ds);
    modelId = (await insertModelVersion(ds, { name: 'carry', version: '1', trained: true })).id;
    const cycle = await newCycle(ds, clinic, { inseminationAt: new Date('2026-01-10T08:00:00Z') });
    // ended at 48 h, scored segments 0–7 (all that culture allowed): carried forward to day 7
    const ended = await newEmbryo(ds, cycle, { outcome: 'BLASTOCYST', cultureEndedHpi: 48 });
    // ended at 120 h by wall clock (day 5), frames to 119 h, but only segments 0–7 scored: lagging
    const lagging = await newEmbryo(ds, cycle, {
      outcome: 'BLASTOCYST',
      cultureEndedAt: new Date('2026-01-15T08:00:00Z'),
    });
    await addFrames(ds, lagging, [1, 47, 119], [0]);
    // no recorded end, frames to 47 h, segments 0–7 scored: up to date, but nothing to carry
    const running = await newEmbryo(ds, cycle, { outcome: 'BLASTOCYST' });
    await addFrames(ds, running, [1, 47], [0]);
    // no recorded end, frames to 100 h, only 0–7 scored: lagging without a recorded end
    const behind = await newEmbryo(ds, cycle, { outcome: 'BLASTOCYST' });
    await addFrames(ds, behind, [1, 100], [0]);
    for (const [name, embryo] of Object.entries({ ended, lagging, running, behind })) {
      ids[name] = embryo.id;
      await insertPredictions(ds, embryo.id, modelId, first(0.9, 8));
    }
  });
  afterAll(async () => db?.destroy());

  it('carries forward only for ended, fully scored embryos and reports the lagging ones', async () => {
    const e = await db.services.evaluation.evaluate({ modelId }, db.services.system.clinic(clinic.id));
    const day = (d: number) => e.metrics.days.find((x) => x.day === d)!;
    expect(day(2).n).toBe(4); // segment 7: every embryo has it
    expect(day(2.5).n).toBe(1); // segment 9: only the ended one, carried
    expect(day(7).n).toBe(1);
    expect(day(7).accuracy).toBe(1);
    expect(e.lagging.sort((a, b) => a.embryoId.localeCompare(b.embryoId))).toEqual(
      [
        { embryoId: ids.lagging, scoredSegments: 8, completeSegments: 20, cultureEnded: true },
        { embryoId: ids.behind, scoredSegments: 8, completeSegments: 16, cultureEnded: false },
      ].sort((a, b) => a.embryoId.localeCompare(b.embryoId)),
    );
    expect(formatEvaluation(e, 'table')).toMatch(/2 embryo\(s\) with predictions lagging behind their culture/);
  });
});

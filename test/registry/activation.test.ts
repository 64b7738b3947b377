import { AuditEvent, ClinicModel } from '../../src/entities';
import { Permission } from '../../src/auth/permissions';
import type { ModelRegistryService } from '../../src/inference/registry/model-registry.service';
import { accessOf } from '../helpers/access';
import { UserError } from '../../src/platform/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newMember } from '../helpers/factories';
import { insertModelVersion } from '../helpers/model-factories-registry';

describe('activating models per clinic', () => {
  let db: TestDatabase;
  let registry: ModelRegistryService;
  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    registry = db.services.registry;
  });
  afterAll(async () => db.destroy());

  const activeRows = (clinicId: string) => db.dataSource.getRepository(ClinicModel).findBy({ clinicId, active: true });

  it('activates one model, then replaces it, auditing each change', async () => {
    const clinic = await newClinic(db.dataSource);
    const admin = await newMember(db.dataSource, clinic, 'ADMIN');
    const as = (requestId: string) =>
      accessOf(db, admin, requestId).then((access) => access.requireClinic(clinic.id, Permission.MANAGE));
    const [a, b] = [await insertModelVersion(db.dataSource), await insertModelVersion(db.dataSource)];
    await registry.activate(a.id, await as('r1'));
    expect((await registry.activeModelFor(clinic.id))?.id).toBe(a.id);
    const row = await registry.activate(b.id, await as('r2'));
    expect(row).toMatchObject({ modelVersionId: b.id, active: true, shadow: false, activatedBy: admin.id });
    expect((await activeRows(clinic.id)).map((r) => r.modelVersionId)).toEqual([b.id]);
    // activating the active model again changes nothing and writes no event
    await registry.activate(b.id, await as('r3'));
    const events = await db.dataSource
      .getRepository(AuditEvent)
      .find({ where: { clinicId: clinic.id, action: 'MODEL_ACTIVATED' }, order: { id: 'ASC' } });
    expect(events.map((e) => [e.entityId, e.detail.previousModelVersionId, e.userId])).toEqual([
      [a.id, null, admin.id],
      [b.id, a.id, admin.id],
    ]);
  });

  it('keeps clinics independent', async () => {
    const [c1, c2] = [await newClinic(db.dataSource), await newClinic(db.dataSource)];
    const [a, b] = [await insertModelVersion(db.dataSource), await insertModelVersion(db.dataSource)];
    await registry.activate(a.id, db.services.system.clinic(c1.id));
    await registry.activate(b.id, db.services.system.clinic(c2.id));
    expect((await registry.activeModelFor(c1.id))?.id).toBe(a.id);
    expect((await registry.activeModelFor(c2.id))?.id).toBe(b.id);
  });

  it('leaves exactly one active model when many activations race for one clinic', async () => {
    const clinic = await newClinic(db.dataSource);
    const models = await Promise.all(Array.from({ length: 8 }, () => insertModelVersion(db.dataSource)));
    for (let round = 0; round < 3; round++) {
      const results = await Promise.allSettled(
        models.map((m) => registry.activate(m.id, db.services.system.clinic(clinic.id))),
      );
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const active = await activeRows(clinic.id);
      expect(active).toHaveLength(1);
      expect(models.map((m) => m.id)).toContain(active[0].modelVersionId);
    }
  });

  it('refuses an unknown clinic or model with a clear message and changes nothing', async () => {
    const clinic = await newClinic(db.dataSource);
    const model = await insertModelVersion(db.dataSource);
    await expect(
      registry.activate(model.id, db.services.system.clinic('00000000-0000-0000-0000-000000000000')),
    ).rejects.toThrow(new UserError('clinic 00000000-0000-0000-0000-000000000000 not found'));
    await expect(registry.activate('not-a-uuid', db.services.system.clinic(clinic.id))).rejects.toThrow(
      /model not-a-uuid not found/,
    );
    expect(await activeRows(clinic.id)).toEqual([]);
  });
});

describe('shadow (silent) models', () => {
  let db: TestDatabase;
  let registry: ModelRegistryService;
  beforeAll(async () => {
    db = await createTestDatabase();
    registry = db.services.registry;
  });
  afterAll(async () => db.destroy());

  it('scores a shadow model beside the active one without making it active', async () => {
    const clinic = await newClinic(db.dataSource);
    const [live, candidate] = [
      await insertModelVersion(db.dataSource),
      await insertModelVersion(db.dataSource, { trained: false }),
    ];
    await registry.activate(live.id, db.services.system.clinic(clinic.id));
    const row = await registry.setShadow(candidate.id, db.services.system.clinic(clinic.id), true);
    expect(row).toMatchObject({ active: false, shadow: true });
    expect((await registry.activeModelFor(clinic.id))?.id).toBe(live.id);
    expect((await registry.scoredModelsFor(clinic.id)).map((m) => m.id)).toEqual([live.id, candidate.id]);
    const shadowEvents = await db.dataSource
      .getRepository(AuditEvent)
      .findBy({ clinicId: clinic.id, action: 'MODEL_SHADOW_SET' });
    expect(shadowEvents).toHaveLength(1);
  });

  it('refuses to put the active model in shadow mode; activating a shadow model ends its silence', async () => {
    const clinic = await newClinic(db.dataSource);
    const [live, candidate] = [await insertModelVersion(db.dataSource), await insertModelVersion(db.dataSource)];
    await registry.activate(live.id, db.services.system.clinic(clinic.id));
    await expect(registry.setShadow(live.id, db.services.system.clinic(clinic.id), true)).rejects.toThrow(
      /active model/,
    );
    await registry.setShadow(candidate.id, db.services.system.clinic(clinic.id), true);
    const activated = await registry.activate(candidate.id, db.services.system.clinic(clinic.id));
    expect(activated).toMatchObject({ active: true, shadow: false });
    const listed = (await registry.list({ clinicIds: [clinic.id] })).filter((r) => r.clinics.length > 0);
    expect(listed.map((r) => [r.model.id, r.clinics[0].active, r.clinics[0].shadow]).sort()).toEqual(
      [
        [live.id, false, false],
        [candidate.id, true, false],
      ].sort(),
    );
  });

  it('turns shadow mode off', async () => {
    const clinic = await newClinic(db.dataSource);
    const candidate = await insertModelVersion(db.dataSource);
    await registry.setShadow(candidate.id, db.services.system.clinic(clinic.id), true);
    expect(await registry.setShadow(candidate.id, db.services.system.clinic(clinic.id), false)).toMatchObject({
      shadow: false,
      active: false,
    });
    expect(await registry.scoredModelsFor(clinic.id)).toEqual([]);
  });
});

import { AuditAction } from '../../src/entities';
import { NETWORK_CHAIN } from '../../src/entities/repositories';
import { childEnv, runCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic } from '../helpers/factories';

/**
 * The audit log's hash chain: every event links to the one before it in its clinic's chain (or the
 * network chain), and `amsnet audit verify` names the first link that a table owner broke.
 */
describe('audit log hash chain', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase()));
  afterAll(async () => db.destroy());

  const system = { userId: null, requestId: null };
  const append = (clinicId: string | null, n = 1) =>
    db.store.audit.append(
      system,
      Array.from({ length: n }, (_, i) => ({
        action: AuditAction.READ_CYCLE,
        entity: 'test',
        entityId: String(i),
        clinicId,
        detail: { i, note: 'ünïcode ✓', nested: { b: 1, a: [1, 2] } },
      })),
    );
  /** As the table's owner, behind the append-only trigger's back. */
  const asOwner = (sql: string, params: unknown[] = []) =>
    db.dataSource.transaction(async (m) => {
      await m.query('ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update');
      await m.query(sql, params);
      await m.query('ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update');
    });
  const eventsOf = async (clinicId: string) =>
    (
      (await db.dataSource.query(`SELECT id, chain_seq FROM audit_event WHERE clinic_id = $1 ORDER BY chain_seq`, [
        clinicId,
      ])) as { id: string; chain_seq: string }[]
    ).map((r) => ({ id: r.id, seq: Number(r.chain_seq) }));

  it('links every event of a clinic, and of the network, into an intact chain', async () => {
    const a = await newClinic(db.dataSource);
    const b = await newClinic(db.dataSource);
    await append(a.id, 3);
    await append(b.id, 2);
    await append(null, 2);
    await append(a.id, 1);
    expect((await eventsOf(a.id)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(await db.store.auditChain.verify(a.id)).toMatchObject({ events: 4, broken: null });
    expect(await db.store.auditChain.verify(b.id)).toMatchObject({ events: 2, broken: null });
    expect(await db.store.auditChain.verify(NETWORK_CHAIN)).toMatchObject({ broken: null });
    expect(await db.store.auditChain.chains()).toEqual(expect.arrayContaining([NETWORK_CHAIN, a.id, b.id]));
  });

  it('stays one chain under concurrent appends of one clinic', async () => {
    const clinic = await newClinic(db.dataSource);
    await Promise.all(
      Array.from({ length: 24 }, () =>
        db.store.transaction(async (tx) => {
          await tx.audit.append(system, { action: AuditAction.READ_CYCLE, entity: 'test', clinicId: clinic.id });
        }),
      ),
    );
    expect((await eventsOf(clinic.id)).map((e) => e.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(await db.store.auditChain.verify(clinic.id)).toMatchObject({ events: 24, broken: null });
  });

  it('lets concurrent REPEATABLE READ transactions of one clinic append (retried on a moved chain head)', async () => {
    const clinic = await newClinic(db.dataSource);
    await append(clinic.id, 1);
    await Promise.all(
      Array.from({ length: 6 }, () =>
        db.store.transaction(
          async (tx) => {
            await tx.clinics.byId(clinic.id); // the snapshot is taken before the append
            await new Promise((r) => setTimeout(r, 20));
            await tx.audit.append(system, { action: AuditAction.READ_EVALUATION, entity: 'test', clinicId: clinic.id });
          },
          { isolation: 'REPEATABLE READ' },
        ),
      ),
    );
    expect(await db.store.auditChain.verify(clinic.id)).toMatchObject({ events: 7, broken: null });
  });

  it('ignores chain values the inserting code sets itself', async () => {
    const clinic = await newClinic(db.dataSource);
    await append(clinic.id, 1);
    await db.dataSource.query(
      `INSERT INTO audit_event (action, entity, clinic_id, chain_seq, prev_hash, hash) VALUES ('X', 'test', $1, 99, 'forged', 'forged')`,
      [clinic.id],
    );
    expect(await db.store.auditChain.verify(clinic.id)).toMatchObject({ events: 2, broken: null });
  });

  it('names the event whose content an owner changed', async () => {
    const clinic = await newClinic(db.dataSource);
    await append(clinic.id, 5);
    const events = await eventsOf(clinic.id);
    await asOwner(`UPDATE audit_event SET detail = '{"i": 99}' WHERE id = $1`, [events[2].id]);
    expect((await db.store.auditChain.verify(clinic.id)).broken).toEqual({
      seq: 3,
      eventId: events[2].id,
      problem: `event ${events[2].id} was changed after it was written`,
    });
  });

  it('names the link after an event an owner deleted, and events deleted from the end', async () => {
    const middle = await newClinic(db.dataSource);
    await append(middle.id, 4);
    const events = await eventsOf(middle.id);
    await asOwner(`DELETE FROM audit_event WHERE id = $1`, [events[1].id]);
    expect((await db.store.auditChain.verify(middle.id)).broken).toMatchObject({
      seq: 2,
      eventId: events[2].id,
      problem: expect.stringContaining('event 2 is missing'),
    });

    const end = await newClinic(db.dataSource);
    await append(end.id, 3);
    const last = (await eventsOf(end.id))[2];
    await asOwner(`DELETE FROM audit_event WHERE id = $1`, [last.id]);
    expect((await db.store.auditChain.verify(end.id)).broken).toMatchObject({
      seq: 3,
      eventId: null,
      problem: expect.stringContaining('missing'),
    });
  });

  it('names an event whose hash an owner recomputed after changing it (the next link breaks)', async () => {
    const clinic = await newClinic(db.dataSource);
    await append(clinic.id, 3);
    const events = await eventsOf(clinic.id);
    await asOwner(`UPDATE audit_event SET entity = 'forged', hash = repeat('f', 64) WHERE id = $1`, [events[0].id]);
    const broken = (await db.store.auditChain.verify(clinic.id)).broken;
    expect(broken?.eventId).toBe(events[0].id);
  });

  it('`amsnet audit verify` says OK for an intact chain and names the first broken link (exit 3)', async () => {
    const clinic = await newClinic(db.dataSource, { code: 'chain-cli' });
    await append(clinic.id, 3);
    const env = childEnv({ DATABASE_URL: db.url });
    const ok = await runCli(['audit', 'verify', '--clinic', 'chain-cli'], { env });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/^clinic chain-cli: OK, 3 events, newest hash [0-9a-f]{64}\n$/);
    expect(ok.code).toBe(0);

    const events = await eventsOf(clinic.id);
    await asOwner(`UPDATE audit_event SET action = 'NOTHING_TO_SEE' WHERE id = $1`, [events[1].id]);
    const broken = await runCli(['audit', 'verify'], { env });
    expect(broken.stdout).toContain(`clinic chain-cli: BROKEN at link 2: event ${events[1].id} was changed`);
    expect(broken.code).toBe(3);
  });
});

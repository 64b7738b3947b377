import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditEvent, type Clinic, type User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newMember } from '../helpers/factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';
import { age } from '../helpers/ingest-fixtures';
import { FAST, startTestRuntime } from '../jobs/job-test-kit';

const SOURCE_FIELDS = `id clinicId name kind path schedule scoreAfterImport paused
  health { healthy lastSuccessAt consecutiveFailures lastError }
  lastRuns(first: 3) { id status items { item status } }`;

describe('import sources and device credentials over GraphQL', () => {
  let base: string;
  let db: TestDatabase;
  let t: TestApi;
  let clinic: Clinic;
  let other: Clinic;
  let admin: User;
  let embryologist: User;
  let otherAdmin: User;
  const saved = { ...process.env };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'amsnet-sources-api-'));
    await mkdir(join(base, 'root', 'export'), { recursive: true });
    process.env.IMPORT_ROOTS = join(base, 'root');
    db = await createTestDatabase();
    t = await createTestApi(db);
    clinic = await newClinic(db.dataSource);
    other = await newClinic(db.dataSource);
    admin = await newMember(db.dataSource, clinic, 'ADMIN');
    embryologist = await newMember(db.dataSource, clinic, 'EMBRYOLOGIST');
    otherAdmin = await newMember(db.dataSource, other, 'ADMIN');
  });

  afterAll(async () => {
    process.env = saved;
    await t?.stop();
    await db?.destroy();
    await rm(base, { recursive: true, force: true });
  });

  const create = (as: User, over: Record<string, unknown> = {}) =>
    t.gql(
      `mutation ($input: CreateImportSourceInput!) { createImportSource(input: $input) { ${SOURCE_FIELDS} } }`,
      {
        input: {
          clinicId: clinic.id,
          name: 'export',
          kind: 'FOLDER',
          path: join(base, 'root', 'export'),
          schedule: '*/5 * * * *',
          ...over,
        },
      },
      as,
    );

  it('an ADMIN creates, lists, changes, pauses and removes a source; another clinic sees "not found"', async () => {
    expect(codes(await create(embryologist))).toEqual(['FORBIDDEN']);
    expect(codes(await create(otherAdmin))).toEqual(['NOT_FOUND']);
    const outside = await create(admin, { path: base });
    expect(codes(outside)).toEqual(['BAD_USER_INPUT']);
    expect(outside.errors![0].message).toMatch(/outside the allowed import roots/);

    const created = await create(admin);
    expect(created.errors).toBeUndefined();
    const source = created.data.createImportSource;
    expect(source).toMatchObject({
      clinicId: clinic.id,
      kind: 'FOLDER',
      paused: false,
      scoreAfterImport: true,
      health: { healthy: true, lastSuccessAt: null, consecutiveFailures: 0 },
      lastRuns: [],
    });

    const list = `query ($c: ID!) { importSources(clinicId: $c) { ${SOURCE_FIELDS} } }`;
    expect((await t.gql(list, { c: clinic.id }, embryologist)).data.importSources).toHaveLength(1);
    expect(codes(await t.gql(list, { c: clinic.id }, otherAdmin))).toEqual(['NOT_FOUND']);

    const pause = `mutation ($id: ID!) { setImportSourcePaused(id: $id, paused: true) { paused } }`;
    expect(codes(await t.gql(pause, { id: source.id }, otherAdmin))).toEqual(['NOT_FOUND']);
    expect(codes(await t.gql(pause, { id: source.id }, embryologist))).toEqual(['FORBIDDEN']);
    expect((await t.gql(pause, { id: source.id }, admin)).data.setImportSourcePaused.paused).toBe(true);

    const update = `mutation ($id: ID!, $s: String) { updateImportSource(id: $id, input: { schedule: $s }) { schedule } }`;
    expect(codes(await t.gql(update, { id: source.id, s: '0 3 * * *' }, otherAdmin))).toEqual(['NOT_FOUND']);
    expect(codes(await t.gql(update, { id: source.id, s: 'every day' }, admin))).toEqual(['BAD_USER_INPUT']);
    expect((await t.gql(update, { id: source.id, s: '0 3 * * *' }, admin)).data.updateImportSource.schedule).toBe(
      '0 3 * * *',
    );

    const remove = `mutation ($id: ID!) { removeImportSource(id: $id) { id } }`;
    expect(codes(await t.gql(remove, { id: source.id }, otherAdmin))).toEqual(['NOT_FOUND']);
    expect((await t.gql(remove, { id: source.id }, admin)).data.removeImportSource.id).toBe(source.id);
    const actions = (
      await db.dataSource.getRepository(AuditEvent).find({ where: { entityId: source.id }, order: { id: 'ASC' } })
    ).map((e) => [e.action, e.userId]);
    expect(actions).toEqual([
      ['IMPORT_SOURCE_CREATED', admin.id],
      ['IMPORT_SOURCE_PAUSED', admin.id],
      ['IMPORT_SOURCE_CHANGED', admin.id],
      ['IMPORT_SOURCE_REMOVED', admin.id],
    ]);
  });

  it('an ADMIN creates a device credential (token once, hash stored) and revokes it; audited; other clinics cannot', async () => {
    const createCredential = `mutation ($c: ID!) { createDeviceCredential(clinicId: $c, name: "microscope 1") { token credential { id name revokedAt } } }`;
    expect(codes(await t.gql(createCredential, { c: clinic.id }, embryologist))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(createCredential, { c: clinic.id }, otherAdmin))).toEqual(['NOT_FOUND']);
    const created = (await t.gql(createCredential, { c: clinic.id }, admin)).data.createDeviceCredential;
    expect(created.token).toMatch(/^amsdev_[A-Za-z0-9_-]{43}$/);
    const [row] = await db.dataSource.query('SELECT token_hash FROM device_credential WHERE id = $1', [
      created.credential.id,
    ]);
    expect(row.token_hash).not.toContain(created.token.slice(7));
    expect((await db.services.deviceCredentials.authenticate(created.token))?.clinicId).toBe(clinic.id);

    const list = `query ($c: ID!) { deviceCredentials(clinicId: $c) { id } }`;
    expect((await t.gql(list, { c: clinic.id }, admin)).data.deviceCredentials).toHaveLength(1);
    expect(codes(await t.gql(list, { c: clinic.id }, otherAdmin))).toEqual(['NOT_FOUND']);
    expect(codes(await t.gql(list, { c: clinic.id }, embryologist))).toEqual(['FORBIDDEN']);

    const revoke = `mutation ($id: ID!) { revokeDeviceCredential(id: $id) { revokedAt } }`;
    expect(codes(await t.gql(revoke, { id: created.credential.id }, otherAdmin))).toEqual(['NOT_FOUND']);
    expect(
      (await t.gql(revoke, { id: created.credential.id }, admin)).data.revokeDeviceCredential.revokedAt,
    ).not.toBeNull();
    expect(await db.services.deviceCredentials.authenticate(created.token)).toBeNull();
    const actions = (
      await db.dataSource
        .getRepository(AuditEvent)
        .find({ where: { entityId: created.credential.id }, order: { id: 'ASC' } })
    ).map((e) => e.action);
    expect(actions).toEqual(['DEVICE_CREDENTIAL_CREATED', 'DEVICE_CREDENTIAL_REVOKED']);
  });

  it('an ADMIN\'s "scan now" queues the scheduler\'s job, audited; a worker runs it and the scan shows in lastRuns', async () => {
    const folder = join(base, 'root', 'drop');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'broken.dcm'), 'not DICOM at all');
    await age(folder);
    const created = await create(admin, { name: 'drop', kind: 'DICOM', path: folder });
    const source = created.data.createImportSource;
    const scan = `mutation ($id: ID!) { scanImportSource(id: $id) }`;
    expect(codes(await t.gql(scan, { id: source.id }, embryologist))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(scan, { id: source.id }, otherAdmin))).toEqual(['NOT_FOUND']);
    await t.gql(
      `mutation ($id: ID!) { setImportSourcePaused(id: $id, paused: true) { paused } }`,
      { id: source.id },
      admin,
    );
    const paused = await t.gql(scan, { id: source.id }, admin);
    expect(codes(paused)).toEqual(['BAD_USER_INPUT']);
    expect(paused.errors![0].message).toMatch(/paused: resume it first/);
    await t.gql(
      `mutation ($id: ID!) { setImportSourcePaused(id: $id, paused: false) { paused } }`,
      { id: source.id },
      admin,
    );

    const jobId = (await t.gql(scan, { id: source.id }, admin)).data.scanImportSource;
    const [job] = await db.dataSource.query('SELECT name, data FROM pgboss.job WHERE id = $1', [jobId]);
    expect(job).toEqual({ name: 'import-source', data: { sourceId: source.id, retryFailed: false } });
    const [audit] = await db.dataSource
      .getRepository(AuditEvent)
      .find({ where: { entityId: source.id, action: 'IMPORT_SOURCE_SCAN_REQUESTED' } });
    expect(audit).toMatchObject({ userId: admin.id, clinicId: clinic.id, detail: { jobId, retryFailed: false } });

    const runtime = await startTestRuntime(db, { pollingIntervalSeconds: FAST.pollingIntervalSeconds });
    try {
      const lastRuns = `query ($c: ID!) { importSources(clinicId: $c) { id lastRuns(first: 1) { status skipped items { item status reason } } } }`;
      const deadline = Date.now() + 30_000;
      let runs: { skipped: number; items: { item: string; status: string; reason: string }[] }[] = [];
      while (runs.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        const sources = (await t.gql(lastRuns, { c: clinic.id }, admin)).data.importSources;
        runs = sources.find((s: { id: string }) => s.id === source.id).lastRuns;
      }
      expect(runs).toHaveLength(1);
      expect(runs[0].skipped).toBe(1);
      expect(runs[0].items[0]).toMatchObject({ item: join(folder, 'broken.dcm'), status: 'skipped' });
    } finally {
      await runtime.stop();
    }
  });
});

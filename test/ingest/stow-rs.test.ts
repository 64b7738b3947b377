import { randomUUID } from 'node:crypto';
import { startHttpServer, type HttpServer } from '../../src/app/http-server';
import { AuditEvent, type Clinic } from '../../src/entities';
import { loadConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { FULL_REASON_TAG } from '../../src/graphql/http/stow-rs.route';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newPatient } from '../helpers/factories';
import { registerActiveModel, tinyModel } from '../helpers/model-factories';
import { noise } from '../helpers/ingest-fixtures';
import { dicomFile, type DicomItem } from './support/dicom-writer';

const VL_MICROSCOPIC = '1.2.840.10008.5.1.4.1.1.77.1.2';
const STUDY = '1.2.826.0.1.3680043.10.200';
const SERIES = '1.2.826.0.1.3680043.10.200.1';
const uid = (n: number) => `1.2.826.0.1.3680043.10.200.1.${n}`;

/** A real single-frame 8-bit VL microscopic image of the study, acquired `hours` after 09:00. */
function instance(n: number, over: Record<string, [string, unknown]> = {}): Buffer {
  return dicomFile({
    '00080016': ['UI', VL_MICROSCOPIC],
    '00080018': ['UI', uid(n)],
    '0008002A': ['DT', `202601051${n}0000`],
    '00100020': ['LO', 'PAT-1'],
    '0020000D': ['UI', STUDY],
    '0020000E': ['UI', SERIES],
    '00280002': ['US', 1],
    '00280004': ['CS', 'MONOCHROME2'],
    '00280010': ['US', 16],
    '00280011': ['US', 16],
    '00280100': ['US', 8],
    '00280101': ['US', 8],
    '00280103': ['US', 0],
    '0048021A': ['SQ', [{ '0040074A': ['DS', '0'] }]],
    '7FE00010': ['OB', noise(n, 256)],
    ...over,
  } as DicomItem);
}

/** A multipart/related body as a DICOMweb client sends it. */
function multipart(parts: { bytes: Buffer; type?: string }[], boundary = `b-${randomUUID()}`) {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${p.type ?? 'application/dicom'}\r\n\r\n`));
    chunks.push(p.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: Buffer.concat(chunks),
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
  };
}

describe('DICOMweb STOW-RS', () => {
  let db: TestDatabase;
  let http: HttpServer;
  let clinic: Clinic;
  let other: Clinic;
  let token: string;
  let otherToken: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    clinic = await newClinic(db.dataSource);
    other = await newClinic(db.dataSource);
    const patient = await newPatient(db.dataSource, clinic, { mrn: 'PAT-1' });
    await newCycle(db.dataSource, clinic, {
      patient,
      externalId: STUDY,
      inseminationAt: new Date('2026-01-05T09:00:00Z'),
    });
    token = (await db.services.deviceCredentials.create(db.services.system.clinic(clinic.id), 'scope 1')).token;
    otherToken = (await db.services.deviceCredentials.create(db.services.system.clinic(other.id), 'scope B')).token;
    http = await startHttpServer({
      config: loadConfig({ PORT: '0', LOG_LEVEL: 'silent', STOW_MAX_INSTANCES: '6', STOW_MAX_MEGABYTES: '1' }),
      dataSource: db.dataSource,
      services: db.services,
      log: createLogger('silent'),
      host: '127.0.0.1',
      jwtSecret: 'x'.repeat(40),
    });
  });

  afterAll(async () => {
    await http?.stop();
    await db?.destroy();
  });

  const post = (body: Buffer, contentType: string, bearer: string | null, requestId = randomUUID()) =>
    fetch(`${http.url}/dicomweb/studies`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-request-id': requestId,
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: new Uint8Array(body),
    });
  const framesOf = async (c: Clinic) =>
    Number(
      (
        await db.dataSource.query(
          'SELECT count(*) AS n FROM frame f JOIN embryo e ON e.id = f.embryo_id WHERE e.clinic_id = $1',
          [c.id],
        )
      )[0].n,
    );

  it('stores good instances, accepts a duplicate, fails corrupt and foreign-patient ones with reasons (202)', async () => {
    const good = instance(1);
    const corrupt = instance(3).subarray(0, 300);
    const foreign = instance(4, { '00100020': ['LO', 'SOMEONE-ELSE'] });
    const { body, contentType } = multipart([
      { bytes: good },
      { bytes: instance(2) },
      { bytes: good }, // the same instance twice
      { bytes: corrupt },
      { bytes: foreign },
    ]);
    const requestId = randomUUID();
    const response = await post(body, contentType, token, requestId);
    expect(response.status).toBe(202);
    expect(response.headers.get('content-type')).toMatch(/^application\/dicom\+json/);
    const json = await response.json();
    const referenced = json['00081199'].Value.map((i: any) => i['00081155'].Value[0]);
    expect(referenced).toEqual([uid(1), uid(2), uid(1)]);
    expect(json['00081199'].Value[0]['00081150'].Value).toEqual([VL_MICROSCOPIC]);
    const failed = json['00081198'].Value;
    expect(failed).toHaveLength(2);
    expect(failed[0]['00081197'].Value).toEqual([0xc000]);
    expect(failed[0][FULL_REASON_TAG].Value[0]).toMatch(/truncated or corrupt/);
    expect(failed[1]['00081155'].Value).toEqual([uid(4)]);
    expect(failed[1]['00081197'].Value).toEqual([0x0110]);
    expect(failed[1][FULL_REASON_TAG].Value[0]).toMatch(/patient PAT-1, but the file says PatientID SOMEONE-ELSE/);
    expect(await framesOf(clinic)).toBe(2);

    // one import run of the clinic, audited as the device's request (system actor, request id)
    const [event] = await db.dataSource.getRepository(AuditEvent).findBy({ action: 'IMPORT_RUN', requestId });
    expect(event).toMatchObject({ clinicId: clinic.id, userId: null });
    expect(event.detail.source).toMatch(/STOW-RS from device "scope 1"/);

    // sending all of it again stores nothing new; only the bad ones fail again
    const again = await post(body, contentType, token);
    expect(again.status).toBe(202);
    expect(await framesOf(clinic)).toBe(2);

    // all good: 200
    const ok = multipart([{ bytes: instance(5) }]);
    expect((await post(ok.body, ok.contentType, token)).status).toBe(200);
    expect(await framesOf(clinic)).toBe(3);
  });

  it("a credential stores into its own clinic only: the same study from another clinic's device fails (409)", async () => {
    const before = await framesOf(clinic);
    const { body, contentType } = multipart([{ bytes: instance(6) }]);
    const response = await post(body, contentType, otherToken);
    expect(response.status).toBe(409);
    const json = await response.json();
    expect(json['00081199']).toBeUndefined();
    expect(json['00081198'].Value[0][FULL_REASON_TAG].Value[0]).toMatch(/import its cycle sheet first/);
    expect(await framesOf(clinic)).toBe(before);
    expect(await framesOf(other)).toBe(0);
  });

  it('refuses what is not a proper request before reading any instance', async () => {
    const one = multipart([{ bytes: instance(7) }]);
    expect((await post(one.body, one.contentType, null)).status).toBe(401);
    const unknown = await post(one.body, one.contentType, 'amsdev_notarealtoken');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toMatch(/^Bearer/);
    // a user's JWT is not a device credential
    expect((await post(one.body, one.contentType, 'eyJhbGciOiJIUzI1NiJ9.e30.x')).status).toBe(401);
    expect((await post(one.body, 'application/dicom', token)).status).toBe(415);
    expect((await post(one.body, 'multipart/related; type="application/dicom+json"; boundary=x', token)).status).toBe(
      415,
    );
    const seven = multipart(Array.from({ length: 7 }, (_, i) => ({ bytes: instance(20 + i) })));
    const tooMany = await post(seven.body, seven.contentType, token);
    expect(tooMany.status).toBe(413);
    expect((await tooMany.json()).error.message).toMatch(/more than 6 instances/);
    const big = multipart([{ bytes: Buffer.alloc(1024 * 1024 + 10) }]);
    expect((await post(big.body, big.contentType, token)).status).toBe(413);
    const truncated = one.body.subarray(0, one.body.length - 20);
    expect((await post(truncated, one.contentType, token)).status).toBe(400);

    // a revoked credential is refused at once
    const { credential, token: shortLived } = await db.services.deviceCredentials.create(
      db.services.system.clinic(clinic.id),
      'temporary',
    );
    expect((await post(one.body, one.contentType, shortLived)).status).toBe(200);
    await db.services.deviceCredentials.revoke(db.services.system.clinic(clinic.id), credential.id);
    expect((await post(one.body, one.contentType, shortLived)).status).toBe(401);
  });

  it('scoring follows a push: exactly the embryos that got new frames; a duplicate push asks for nothing', async () => {
    await registerActiveModel(db.dataSource, clinic, await tinyModel());
    const importRuns = async () =>
      db.dataSource.query(
        `SELECT id, scope, requested_by FROM scoring_run WHERE clinic_id = $1 AND trigger = 'import' ORDER BY created_at`,
        [clinic.id],
      ) as Promise<{ id: string; scope: { embryoIds: string[] }; requested_by: string | null }[]>;
    const embryoOf = async (series: string) =>
      (
        await db.dataSource.query('SELECT id FROM embryo WHERE clinic_id = $1 AND external_id = $2', [
          clinic.id,
          series,
        ])
      )[0].id as string;
    const secondSeries = `${SERIES}.2`;
    const at = (hour: number): Record<string, [string, unknown]> => ({ '0008002A': ['DT', `20260105${hour}0000`] });
    const ofSecond = (n: number, hour: number) =>
      instance(n, { ...at(hour), '0020000E': ['UI', secondSeries], '00080018': ['UI', `${uid(n)}.2`] });
    const { body, contentType } = multipart([{ bytes: instance(40, at(18)) }, { bytes: ofSecond(41, 18) }]);
    const requestId = randomUUID();
    expect((await post(body, contentType, token, requestId)).status).toBe(200);
    const runs = await importRuns();
    expect(runs).toHaveLength(1);
    expect([...runs[0].scope.embryoIds].sort()).toEqual([await embryoOf(SERIES), await embryoOf(secondSeries)].sort());
    expect(runs[0].requested_by).toBeNull();
    const [requested] = await db.dataSource
      .getRepository(AuditEvent)
      .findBy({ action: 'SCORING_REQUESTED', entityId: runs[0].id });
    expect(requested).toMatchObject({ requestId, clinicId: clinic.id, userId: null });

    // the same instances again: nothing new stored, no scoring asked for
    expect((await post(body, contentType, token)).status).toBe(200);
    expect(await importRuns()).toHaveLength(1);
    // a later frame of the second embryo, with one already stored of the first: scoring of the second only
    const later = multipart([{ bytes: instance(40, at(18)) }, { bytes: ofSecond(42, 19) }]);
    expect((await post(later.body, later.contentType, token)).status).toBe(200);
    expect((await importRuns()).map((r) => r.scope.embryoIds)).toEqual([
      runs[0].scope.embryoIds,
      [await embryoOf(secondSeries)],
    ]);
  });

  it('refuses the DICOM JSON metadata + bulk data form with 415 and a message that says what to send', async () => {
    const { body } = multipart([{ bytes: Buffer.from('[{}]'), type: 'application/dicom+json' }]);
    const response = await post(body, 'multipart/related; type="application/dicom+json"; boundary=x', token);
    expect(response.status).toBe(415);
    expect((await response.json()).error.message).toBe(
      'send multipart/related; type="application/dicom" (DICOM JSON/XML metadata with bulk data is not supported)',
    );
  });
});

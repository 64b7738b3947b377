import { startHttpServer, type HttpServer } from '../../src/app/http-server';
import { openAppDatabase } from '../../src/app/database';
import { AuditEvent } from '../../src/entities';
import { loadConfig } from '../../src/platform/config';
import { apiSessionSettings } from '../../src/platform/database/session-settings';
import { createLogger } from '../../src/platform/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newFrame, newMember } from '../helpers/factories';
import { createTestApi, TEST_JWT_SECRET } from '../helpers/graphql-client';
import { pngBytes } from '../helpers/graphql-factories';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let db: TestDatabase;
beforeAll(async () => (db = await createTestDatabase()));
afterAll(async () => db.destroy());

async function serve(env: Record<string, string>): Promise<HttpServer> {
  const config = loadConfig({ PORT: '0', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', ...env });
  return startHttpServer({ config, dataSource: db.dataSource, log: createLogger('silent'), host: '127.0.0.1' });
}

const post = (http: HttpServer, query: string, headers: Record<string, string> = {}) =>
  fetch(`${http.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'apollo-require-preflight': '1', ...headers },
    body: JSON.stringify({ query }),
  });

describe('schema suggestions ("Did you mean …")', () => {
  it('are given in development and hidden in production', async () => {
    const dev = await createTestApi(db);
    const prod = await createTestApi(db, { production: true });
    try {
      const typo = '{ healt }';
      expect((await dev.gql(typo)).errors?.[0].message).toMatch(/Did you mean "health"\?/);
      const hidden = (await prod.gql(typo)).errors?.[0].message;
      expect(hidden).toMatch(/Cannot query field "healt"/);
      expect(hidden).not.toMatch(/Did you mean/);
    } finally {
      await dev.stop();
      await prod.stop();
    }
  });
});

describe('anonymous introspection', () => {
  const INTROSPECT = '{ __schema { queryType { name } } }';

  it('is off in production unless GRAPHQL_INTROSPECTION enables it', async () => {
    const off = await serve({ NODE_ENV: 'production' });
    const on = await serve({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' });
    try {
      const refused = await post(off, INTROSPECT);
      expect(JSON.stringify(await refused.json())).not.toContain('"Query"');
      const allowed = await post(on, INTROSPECT);
      expect(await allowed.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    } finally {
      await off.stop();
      await on.stop();
    }
  });

  it('can be turned off outside production too', async () => {
    const off = await serve({ GRAPHQL_INTROSPECTION: 'false' });
    try {
      expect(JSON.stringify(await (await post(off, INTROSPECT)).json())).not.toContain('"Query"');
    } finally {
      await off.stop();
    }
  });
});

describe('X-Request-Id from clients', () => {
  it('is kept when it is a plain token of at most 64 characters, replaced by a new UUID otherwise, in the audit log too', async () => {
    const http = await serve({});
    try {
      const clinic = await newClinic(db.dataSource);
      const reader = await newMember(db.dataSource, clinic, 'CLINICIAN');
      const token = (await http.api.services.tokens.issue(reader.id)).token;
      const frame = await newFrame(
        db.dataSource,
        await newEmbryo(db.dataSource, await newCycle(db.dataSource, clinic)),
        {
          bytes: await pngBytes(16),
          width: 16,
          height: 16,
        },
      );
      const read = async (requestId: string) => {
        const response = await fetch(`${http.url}/frames/${frame.id}.png`, {
          headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId },
        });
        expect(response.status).toBe(200);
        return response.headers.get('x-request-id')!;
      };
      expect(await read('proxy-7f3a.12:x_y')).toBe('proxy-7f3a.12:x_y');
      for (const bad of ['a'.repeat(65), 'evil id', '<script>alert(1)</script>', 'semi;colon', "it's"]) {
        const used = await read(bad);
        expect(used).toMatch(UUID);
        const events = await db.dataSource.getRepository(AuditEvent).findBy({ requestId: used });
        expect(events).toHaveLength(1);
      }
      const stored = (await db.dataSource.query(`SELECT request_id FROM audit_event WHERE entity_id = $1`, [
        frame.id,
      ])) as {
        request_id: string;
      }[];
      expect(stored.map((r) => r.request_id).filter((id) => id !== 'proxy-7f3a.12:x_y')).toEqual(
        Array(5).fill(expect.stringMatching(UUID)),
      );
    } finally {
      await http.stop();
    }
  });
});

describe('statement_timeout of API queries', () => {
  it('ends a query that runs longer than API_STATEMENT_TIMEOUT_MS, and is off with 0', async () => {
    const config = loadConfig({ DATABASE_URL: db.url, API_STATEMENT_TIMEOUT_MS: '300' });
    expect(apiSessionSettings(config)).toEqual({ statement_timeout: '300ms' });
    expect(apiSessionSettings(loadConfig({ API_STATEMENT_TIMEOUT_MS: '0' }))).toBeUndefined();
    expect(apiSessionSettings(loadConfig({}))).toEqual({ statement_timeout: '30000ms' });
    const api = await openAppDatabase(config, createLogger('silent'), {
      poolSize: 1,
      settings: apiSessionSettings(config),
    });
    try {
      expect(await api.dataSource.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '300ms' }]);
      await expect(api.dataSource.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/);
    } finally {
      await api.close();
    }
  });
});

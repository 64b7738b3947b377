import * as jose from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { LOCAL_TOKEN_AUDIENCE, LOCAL_TOKEN_ISSUER } from '../../src/auth/local-tokens';
import { OidcVerifier } from '../../src/auth/oidc-verifier';
import { AuditEvent, User, type Clinic } from '../../src/entities';
import { loadConfig } from '../../src/platform/config';
import { startHttpServer, type HttpServer } from '../../src/app/http-server';
import { createLogger } from '../../src/platform/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newMember, newUser } from '../helpers/factories';
import { newPasswordUser } from '../helpers/graphql-factories';
import { codes, createTestApi, TEST_JWT_SECRET, type TestApi } from '../helpers/graphql-client';

const PASSWORD = 'correct horse battery staple';

/** A stand-in for the hospital's identity provider: discovery document + JWKS, on loopback. */
async function startIdentityProvider() {
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256');
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
    else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (
    claims: jose.JWTPayload,
    options: { key?: jose.CryptoKey; audience?: string; expiresIn?: string } = {},
  ) =>
    new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(options.audience ?? 'amsnet')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.key ?? privateKey);
  return { issuer, sign, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let db: TestDatabase;
let ds: DataSource;
let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
let http: HttpServer;
let clinic: Clinic;
let passwordUser: User;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = db.dataSource;
  idp = await startIdentityProvider();
  clinic = await newClinic(ds);
  passwordUser = await newPasswordUser(ds, PASSWORD, { clinic, role: 'EMBRYOLOGIST' });
  const config = loadConfig({
    PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    OIDC_ISSUER: idp.issuer,
    OIDC_AUDIENCE: 'amsnet',
    LOG_LEVEL: 'silent',
  });
  http = await startHttpServer({ config, dataSource: ds, log: createLogger('silent'), host: '127.0.0.1' });
});
afterAll(async () => {
  await http?.stop();
  await idp?.close();
  await db?.destroy();
});

async function post(body: unknown, token?: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${http.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}
const LOGIN =
  'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresAt user { id email memberships { role clinic { id } } } } }';
const ME = '{ me { id email } }';

describe('password login over HTTP', () => {
  it('returns a short-lived token that authenticates the next requests', async () => {
    const { json } = await post({ query: LOGIN, variables: { e: passwordUser.email.toUpperCase(), p: PASSWORD } });
    expect(json.errors).toBeUndefined();
    const { token, expiresAt, user } = json.data.login;
    expect(user.id).toBe(passwordUser.id);
    expect(user.memberships).toEqual([{ role: 'EMBRYOLOGIST', clinic: { id: clinic.id } }]);
    const ttl = new Date(expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(3000 * 1000);
    expect(ttl).toBeLessThanOrEqual(3600 * 1000);
    const me = await post({ query: ME }, token);
    expect(me.json.data.me).toEqual({ id: passwordUser.id, email: passwordUser.email });
    const refreshed = await post({ query: 'mutation { refreshToken { token user { id } } }' }, token);
    expect(refreshed.json.data.refreshToken.user.id).toBe(passwordUser.id);
    const success = await ds.getRepository(AuditEvent).findBy({ action: 'LOGIN_SUCCEEDED', userId: passwordUser.id });
    expect(success).toHaveLength(1);
  });

  it('answers an unknown e-mail and a wrong password the same way', async () => {
    const wrong = await post({ query: LOGIN, variables: { e: passwordUser.email, p: 'wrong password!!' } });
    const unknown = await post({ query: LOGIN, variables: { e: 'nobody@example.org', p: 'wrong password!!' } });
    expect(wrong.json.errors).toEqual(unknown.json.errors);
    expect(wrong.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(wrong.json.data).toBeNull();
    expect(await ds.getRepository(AuditEvent).countBy({ action: 'LOGIN_FAILED' })).toBeGreaterThanOrEqual(2);
    // failed sign-ins belong to no clinic: network admins review them through auditEvents without clinicId
    const networkAdmin = await newUser(ds, { networkAdmin: true });
    const token = (await http.api.services.tokens.issue(networkAdmin.id)).token;
    const log = await post({ query: '{ auditEvents(first: 100) { edges { node { action detail } } } }' }, token);
    expect(log.json.data.auditEvents.edges.map((e: any) => e.node)).toEqual(
      expect.arrayContaining([
        { action: 'LOGIN_FAILED', detail: expect.objectContaining({ email: 'nobody@example.org' }) },
      ]),
    );
  });

  it('refuses batched operations (several in one body)', async () => {
    const batch = [LOGIN, LOGIN].map((query) => ({ query, variables: { e: 'batch@example.org', p: 'x' } }));
    const response = await fetch(`${http.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    expect(response.status).toBe(400);
    const [{ count }] = await ds.query(
      "SELECT count(*)::int AS count FROM audit_event WHERE detail->>'email' = 'batch@example.org'",
    );
    expect(count).toBe(0);
  });

  it('allows only health and login without a token', async () => {
    const health = await post({ query: '{ health { status } }' });
    expect(health.json.data.health.status).toBe('ok');
    const me = await post({ query: ME });
    expect(me.status).toBe(401);
    expect(me.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const mixed = await post({ query: '{ health { status } clinics { id } }' });
    expect(mixed.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(mixed.json.data).toBeUndefined();
  });
});

describe('refused tokens', () => {
  const key = new TextEncoder().encode(TEST_JWT_SECRET);
  const local = (claims: jose.JWTPayload = {}) =>
    new jose.SignJWT({ ver: 0, auth_time: Math.floor(Date.now() / 1000), ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(LOCAL_TOKEN_ISSUER)
      .setAudience(LOCAL_TOKEN_AUDIENCE)
      .setSubject(passwordUser.id);

  it.each([
    [
      'expired',
      async () =>
        local()
          .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
          .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
          .sign(key),
    ],
    [
      'forged (other secret)',
      async () =>
        local()
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('x'.repeat(48))),
    ],
    [
      'unsigned (alg none)',
      async () =>
        new jose.UnsecuredJWT({ sub: passwordUser.id })
          .setIssuer(LOCAL_TOKEN_ISSUER)
          .setAudience(LOCAL_TOKEN_AUDIENCE)
          .setExpirationTime('5m')
          .encode(),
    ],
    ['without expiry', async () => local().sign(key)],
    ['without a token version', async () => local({ ver: undefined }).setExpirationTime('5m').sign(key)],
    [
      'of a session older than its maximum age',
      async () =>
        local({ auth_time: Math.floor(Date.now() / 1000) - 13 * 3600 })
          .setExpirationTime('5m')
          .sign(key),
    ],
    [
      'of an unknown issuer',
      async () => local().setIssuer('https://elsewhere.example').setExpirationTime('5m').sign(key),
    ],
    ['not a JWT', async () => 'abc.def'],
  ])('refuses a token that is %s with 401 UNAUTHENTICATED', async (_name, make) => {
    const { status, json } = await post({ query: '{ health { status } }' }, await make());
    expect(status).toBe(401);
    expect(json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(json)).not.toMatch(/stack|JWS|JWT|signature/i);
  });

  it('refuses a valid token of a user disabled since', async () => {
    const user = await newMember(ds, clinic, 'CLINICIAN');
    const token = await local().setSubject(user.id).setExpirationTime('5m').sign(key);
    expect((await post({ query: ME }, token)).status).toBe(200);
    await ds.getRepository(User).update(user.id, { disabled: true });
    expect((await post({ query: ME }, token)).status).toBe(401);
  });
});

describe('OIDC bearer tokens', () => {
  it('maps a token of the identity provider to the user with that e-mail', async () => {
    const user = await newMember(ds, clinic, 'CLINICIAN', { email: `oidc-${Date.now()}@hospital.example` });
    const token = await idp.sign({ email: user.email.toUpperCase(), email_verified: true, sub: 'idp-123' });
    const { json } = await post({ query: ME }, token);
    expect(json.data.me).toEqual({ id: user.id, email: user.email });
  });

  it.each([
    ['an unknown e-mail', async () => idp.sign({ email: 'stranger@hospital.example' })],
    [
      'another audience',
      async () => idp.sign({ email: passwordUser.email, email_verified: true }, { audience: 'other-app' }),
    ],
    [
      'a key not in the JWKS',
      async () => idp.sign({ email: passwordUser.email }, { key: (await jose.generateKeyPair('RS256')).privateKey }),
    ],
    ['an expired token', async () => idp.sign({ email: passwordUser.email }, { expiresIn: '-1m' })],
    ['no e-mail claim', async () => idp.sign({ sub: 'x' })],
    [
      'an e-mail the provider has not verified',
      async () => idp.sign({ email: passwordUser.email, email_verified: false }),
    ],
    // mapped by e-mail: a provider that does not say the address is verified does not vouch for it
    ['an e-mail without email_verified', async () => idp.sign({ email: passwordUser.email })],
    ['email_verified as a string', async () => idp.sign({ email: passwordUser.email, email_verified: 'true' })],
  ])('refuses %s', async (_name, make) => {
    const { status, json } = await post({ query: ME }, await make());
    expect(status).toBe(401);
    expect(json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('never turns a token of the identity provider into a local session (refreshToken refuses it)', async () => {
    const user = await newMember(ds, clinic, 'CLINICIAN', { email: `oidc-r-${Date.now()}@hospital.example` });
    const token = await idp.sign({ email: user.email, email_verified: true, sub: 'idp-456' }, { expiresIn: '5m' });
    expect((await post({ query: ME }, token)).json.data.me.id).toBe(user.id);
    const refreshed = await post({ query: 'mutation { refreshToken { token } }' }, token);
    expect(refreshed.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(refreshed.json.errors[0].message).toMatch(/identity provider/);
    expect(refreshed.json.data).toBeNull();
  });

  it('reads the e-mail from a configured claim path', async () => {
    const verifier = new OidcVerifier({ issuer: idp.issuer, audience: 'amsnet', emailClaim: 'ext.mail' });
    expect(
      await verifier.verifyEmail(await idp.sign({ ext: { mail: 'Someone@Hospital.example' }, email_verified: true })),
    ).toBe('someone@hospital.example');
    await expect(
      verifier.verifyEmail(await idp.sign({ email: 'someone@hospital.example', email_verified: true })),
    ).rejects.toThrow(/ext\.mail/);
  });
});

describe('login rate limits', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi(db, {
      loginRateLimits: { windowSeconds: 60, maxFailuresPerEmail: 3, maxFailuresPerAddress: 1000 },
    });
  });
  afterAll(() => t.stop());

  it('refuses further attempts for an e-mail after repeated failures, even with the right password', async () => {
    const user = await newPasswordUser(ds, PASSWORD);
    for (let i = 0; i < 3; i++)
      expect(codes(await t.gql(LOGIN, { e: user.email, p: 'wrong-wrong-wrong' }))).toEqual(['UNAUTHENTICATED']);
    const blocked = await t.gql(LOGIN, { e: user.email, p: PASSWORD });
    expect(codes(blocked)).toEqual(['TOO_MANY_REQUESTS']);
    expect(blocked.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // an unknown e-mail is limited the same way (the answer does not reveal which exist)
    for (let i = 0; i < 3; i++) await t.gql(LOGIN, { e: 'ghost@example.org', p: 'wrong-wrong-wrong' });
    expect(codes(await t.gql(LOGIN, { e: 'ghost@example.org', p: 'wrong-wrong-wrong' }))).toEqual([
      'TOO_MANY_REQUESTS',
    ]);
  });
});

describe('client address behind a reverse proxy (TRUST_PROXY)', () => {
  // Failed logins with a different unknown e-mail each time, so only the per-address limit (20) applies.
  async function failLogins(
    server: HttpServer,
    forwardedFor: string,
    count: number,
    prefix: string,
  ): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ query: LOGIN, variables: { e: `${prefix}-${i}@example.org`, p: 'wrong-wrong-wrong' } }),
      });
      const json = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      seen.push(json.errors?.[0]?.extensions?.code ?? 'OK');
    }
    return seen;
  }

  async function serverWith(env: Record<string, string>): Promise<HttpServer> {
    const config = loadConfig({ PORT: '0', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', ...env });
    return startHttpServer({ config, dataSource: ds, log: createLogger('silent'), host: '127.0.0.1' });
  }

  it('with TRUST_PROXY=loopback, limits each forwarded client on its own', async () => {
    const server = await serverWith({ TRUST_PROXY: 'loopback' });
    try {
      expect(new Set(await failLogins(server, '203.0.113.7', 20, 'proxy-a'))).toEqual(new Set(['UNAUTHENTICATED']));
      expect(await failLogins(server, '203.0.113.7', 1, 'proxy-a2')).toEqual(['TOO_MANY_REQUESTS']);
      expect(await failLogins(server, '203.0.113.8', 1, 'proxy-b')).toEqual(['UNAUTHENTICATED']);
    } finally {
      await server.stop();
    }
  });

  it('without it, a forged X-Forwarded-For does not escape the limit of the real address', async () => {
    const server = await serverWith({});
    try {
      await failLogins(server, '198.51.100.1', 20, 'direct-a');
      expect(await failLogins(server, '198.51.100.2', 1, 'direct-b')).toEqual(['TOO_MANY_REQUESTS']);
    } finally {
      await server.stop();
    }
  });
});

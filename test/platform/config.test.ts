import { loadConfig } from '../../src/platform/config';
import { ConfigError } from '../../src/platform/errors';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: undefined,
      port: 4000,
      jwtSecret: undefined,
      scoringCron: '0 2 * * *',
      ortExecutionProviders: ['cpu'],
      logLevel: 'info',
      production: false,
      oidc: undefined,
      imageMaxMegapixels: 64,
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('reads valid values', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/amsnet',
      PORT: '8080',
      SCORING_CRON: '*/15 * * * *',
      ORT_EXECUTION_PROVIDERS: 'cuda, cpu',
      LOG_LEVEL: 'DEBUG',
      JWT_SECRET: 'x'.repeat(40),
      OIDC_ISSUER: 'https://idp.hospital.example',
      OIDC_AUDIENCE: 'amsnet',
      NODE_ENV: 'production',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u:p@db:5432/amsnet',
      port: 8080,
      scoringCron: '*/15 * * * *',
      ortExecutionProviders: ['cuda', 'cpu'],
      logLevel: 'debug',
      production: true,
      oidc: { issuer: 'https://idp.hospital.example', audience: 'amsnet', emailClaim: 'email' },
    });
  });

  it('reads TRUST_PROXY as express expects it, and only when it names the proxy', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toEqual(['10.0.0.0/8', 'loopback']);
    // "any proxy" would let every client choose its address (and its login limit) with X-Forwarded-For
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/must name the proxy/);
    expect(() => loadConfig({ TRUST_PROXY: '2' })).toThrow(/must name the proxy/);
  });

  it('requires OIDC_AUDIENCE with OIDC_ISSUER, and https:// outside development on localhost', () => {
    const idp = { OIDC_ISSUER: 'https://idp.hospital.example' };
    expect(() => loadConfig(idp)).toThrow(/OIDC_AUDIENCE is required/);
    expect(loadConfig({ ...idp, OIDC_AUDIENCE: 'amsnet' }).oidc?.audience).toBe('amsnet');
    const plain = { OIDC_ISSUER: 'http://idp.hospital.example', OIDC_AUDIENCE: 'amsnet' };
    expect(() => loadConfig(plain)).toThrow(/OIDC_ISSUER must be an https:\/\/ URL/);
    const local = { OIDC_ISSUER: 'http://127.0.0.1:8080/realm', OIDC_AUDIENCE: 'amsnet' };
    expect(loadConfig(local).oidc?.issuer).toBe(local.OIDC_ISSUER);
    expect(() => loadConfig({ ...local, NODE_ENV: 'production' })).toThrow(/https:\/\//);
  });

  it('reads the session age and the sign-in limits', () => {
    expect(loadConfig({}).sessionMaxAgeSeconds).toBe(12 * 3600);
    expect(loadConfig({}).loginRateLimits).toEqual({
      windowSeconds: 900,
      maxFailuresPerEmail: 5,
      maxFailuresPerAddress: 20,
    });
    expect(loadConfig({ LOGIN_MAX_FAILURES_PER_ADDRESS: '500' }).loginRateLimits.maxFailuresPerAddress).toBe(500);
  });

  it.each([
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['DATABASE_URL', 'not a url'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['SCORING_CRON', 'every night'],
    ['ORT_EXECUTION_PROVIDERS', 'tpu'],
    ['LOG_LEVEL', 'loud'],
    ['JWT_SECRET', 'short'],
    ['INFERENCE_MAX_BATCH', '0'],
    ['OIDC_ISSUER', 'idp'],
    ['DICOM_FOCAL_PLANE_TAG', 'xyz'],
    ['TRUST_PROXY', 'the load balancer'],
    ['TRUST_PROXY', 'true'],
    ['SESSION_MAX_AGE_SECONDS', '10'],
    ['LOGIN_MAX_FAILURES_PER_EMAIL', '0'],
    ['IMAGE_MAX_MEGAPIXELS', '0'],
    ['IMAGE_MAX_MEGAPIXELS', '1000'],
  ])('names %s when its value %p is bad', (variable, bad) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: bad });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(variable);
  });
});

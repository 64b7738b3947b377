import { loadConfig } from '../../src/platform/config';
import { ConfigError } from '../../src/platform/errors';

describe('configuration of the database roles and production hardening', () => {
  it('reads the owner URL from DATABASE_OWNER_URL or MIGRATION_DATABASE_URL, only beside DATABASE_URL', () => {
    const app = 'postgres://amsnet_app:p@db:5432/amsnet';
    const owner = 'postgres://amsnet:p@db:5432/amsnet';
    expect(loadConfig({ DATABASE_URL: app }).databaseOwnerUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: app, DATABASE_OWNER_URL: owner }).databaseOwnerUrl).toBe(owner);
    expect(loadConfig({ DATABASE_URL: app, MIGRATION_DATABASE_URL: owner }).databaseOwnerUrl).toBe(owner);
    expect(() => loadConfig({ DATABASE_OWNER_URL: owner })).toThrow(
      new ConfigError('DATABASE_OWNER_URL', 'needs DATABASE_URL too (the role the application connects as)'),
    );
    expect(() => loadConfig({ DATABASE_URL: app, DATABASE_OWNER_URL: 'mysql://x' })).toThrow(/DATABASE_OWNER_URL/);
  });

  it('turns introspection off in production unless GRAPHQL_INTROSPECTION says otherwise', () => {
    expect(loadConfig({}).graphqlIntrospection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).graphqlIntrospection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).graphqlIntrospection).toBe(true);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'off' }).graphqlIntrospection).toBe(false);
    expect(() => loadConfig({ GRAPHQL_INTROSPECTION: 'maybe' })).toThrow(/GRAPHQL_INTROSPECTION must be true or false/);
  });

  it('reads the API statement timeout, 30 s by default, 0 for none', () => {
    expect(loadConfig({}).apiStatementTimeoutMs).toBe(30_000);
    expect(loadConfig({ API_STATEMENT_TIMEOUT_MS: '0' }).apiStatementTimeoutMs).toBe(0);
    expect(() => loadConfig({ API_STATEMENT_TIMEOUT_MS: '-5' })).toThrow(/API_STATEMENT_TIMEOUT_MS/);
  });
});

import { isConnectionLost } from '../../src/platform/database/reconnect';
import { childEnv, freePort, runCli } from '../helpers/cli';

describe('a database that cannot be reached', () => {
  it('a CLI command says so in one line, without a stack trace', async () => {
    const port = await freePort(); // nothing listens there
    const result = await runCli(['import', 'folder', '/nonexistent', '--clinic', 'x'], {
      env: childEnv({ DATABASE_URL: `postgres://amsnet:pw@127.0.0.1:${port}/amsnet`, LOG_LEVEL: 'silent' }),
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => l.trim());
    expect(lines).toEqual([
      expect.stringMatching(
        /^amsnet: the database is unreachable \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); check that PostgreSQL runs/,
      ),
    ]);
  });

  it('tells lost connections from errors of the statement', () => {
    const lost = [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      new Error('Connection terminated unexpectedly'),
      // TypeORM, after the connection of a unit of work emitted an error
      new Error(
        'Database connection provided by a query runner was already released, cannot continue to use its querying methods anymore.',
      ),
      // TypeORM's wrapper around the driver's error
      Object.assign(new Error('Query failed'), { driverError: Object.assign(new Error('x'), { code: '08006' }) }),
    ];
    for (const error of lost) expect(isConnectionLost(error)).toBe(true);
    const notLost = [
      Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
      Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }),
      new Error('no clinic with code "x"'),
      undefined,
    ];
    for (const error of notLost) expect(isConnectionLost(error)).toBe(false);
  });
});

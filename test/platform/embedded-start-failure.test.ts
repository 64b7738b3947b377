import { explainServerOutput } from '../../src/platform/database/embedded/start-failure';

/** What initdb/postgres print when they fail, turned into one line with a remedy. */
describe('explaining a failed embedded PostgreSQL start', () => {
  const context = { port: 54329, clusterDir: '/data/postgres' };
  const explain = (...output: string[]) => explainServerOutput('postgres', output, context).message;

  it('names a missing library', () => {
    expect(
      explain(
        'postgres: error while loading shared libraries: libicuuc.so.60: cannot open shared object file: No such file or directory',
      ),
    ).toMatch(/needs the system library libicuuc\.so\.60, which is missing\. Install it/);
  });

  it('names a taken port, a full disk and a server of another major version', () => {
    expect(
      explain(
        'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use',
        'FATAL:  could not create any TCP/IP sockets',
      ),
    ).toMatch(/port 54329 on 127\.0\.0\.1 is already in use.*EMBEDDED_PG_PORT/);
    expect(
      explain(
        '2026-01-01 00:00:00.000 UTC [7] FATAL:  could not write lock file "postmaster.pid": No space left on device',
      ),
    ).toMatch(/no space left on the disk that holds \/data\/postgres\. Free some disk space/);
    expect(
      explain(
        'FATAL:  database files are incompatible with server',
        'DETAIL:  The data directory was initialized by PostgreSQL version 16, which is not compatible with this version 18.4.',
      ),
    ).toMatch(/created by PostgreSQL 16, this build runs 18\.4\. Start it with the matching version/);
  });

  it('otherwise quotes the last FATAL line, without its timestamp, on one line', () => {
    const message = explain(
      'LOG:  starting',
      '2026-01-01 00:00:00.000 UTC [7] FATAL:  something new\nand odd',
      'LOG:  database system is shut down',
    );
    expect(message).toBe(
      'embedded PostgreSQL could not start: postgres failed: something new and odd. Run with LOG_LEVEL=debug to see the server output, or set DATABASE_URL to use another PostgreSQL server.',
    );
  });
});

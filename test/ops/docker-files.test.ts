import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml'; // a dev dependency: only the tests parse YAML
import { loadConfig } from '../../src/platform/config';
import { all, parseDockerfile, type DockerStage } from './dockerfile-parser';

const loadYaml = (path: string) => yaml.load(readFileSync(path, 'utf8')) as Record<string, any>;

const root = join(__dirname, '..', '..');
const docker = (name: string) => join(root, 'docker', name);
const last = (stages: DockerStage[]) => stages[stages.length - 1];

/** Files COPY'd from the build context must exist, or the build fails on the first line. */
function copiedContextPaths(stages: DockerStage[]): string[] {
  return stages.flatMap((s) =>
    all(s, 'COPY')
      .filter((c) => !c.args.startsWith('--from'))
      .flatMap((c) => c.args.split(/\s+/).slice(0, -1)),
  );
}

describe.each([
  ['Dockerfile', 'cpu'],
  ['Dockerfile.gpu', 'cuda,cpu'],
])('docker/%s', (file, providers) => {
  const stages = parseDockerfile(docker(file));
  const runtime = last(stages);

  it('builds in stages and ships only the compiled program with production dependencies', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((s) => s.name === 'build')!;
    expect(all(build, 'RUN').some((r) => /tsc -p tsconfig\.build\.json/.test(r.args))).toBe(true);
    const installs = stages.flatMap((s) => all(s, 'RUN')).filter((r) => /npm ci/.test(r.args));
    const runtimeDeps = installs.filter((r) => /--omit=dev/.test(r.args));
    expect(runtimeDeps.length).toBe(1);
    expect(all(runtime, 'COPY').some((c) => /--from=build \/app\/dist/.test(c.args))).toBe(true);
    expect(all(runtime, 'COPY').some((c) => /\bsrc\b/.test(c.args))).toBe(false); // no TypeScript sources at run time
  });

  it('runs as a non-root user with a health check on /readyz', () => {
    const user = all(runtime, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0].args).not.toMatch(/^(root|0)(:|$)/);
    const userIndex = runtime.instructions.indexOf(user[0]);
    // Nothing after USER may need root.
    expect(runtime.instructions.slice(userIndex).filter((i) => i.keyword === 'RUN')).toEqual([]);
    const health = all(runtime, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0].args).toContain('/readyz');
    expect(all(runtime, 'ENTRYPOINT')[0].args).toBe('["node", "bin/amsnet.js"]');
  });

  it(`selects the execution providers ${providers}`, () => {
    const env = all(runtime, 'ENV')
      .map((e) => e.args)
      .join(' ');
    expect(env).toMatch(new RegExp(`ORT_EXECUTION_PROVIDERS=${providers}(\\s|$)`));
    expect(env).toMatch(/NODE_ENV=production/);
  });

  it('copies only files that exist in the build context', () => {
    for (const path of copiedContextPaths(stages)) {
      expect([path, existsSync(join(root, path))]).toEqual([path, true]);
    }
  });
});

describe('docker/Dockerfile.gpu', () => {
  const stages = parseDockerfile(docker('Dockerfile.gpu'));

  it('runs on a CUDA 12 runtime with cuDNN and installs the CUDA provider of onnxruntime-node at build time', () => {
    expect(last(stages).from).toMatch(/^nvidia\/cuda:12\.[\d.]+-cudnn-runtime-/);
    const deps = stages.find((s) => all(s, 'RUN').some((r) => /--omit=dev/.test(r.args)))!;
    const env = all(deps, 'ENV')
      .map((e) => e.args)
      .join(' ');
    expect(env).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    const install = all(deps, 'RUN').find((r) => /npm ci/.test(r.args))!;
    // package.json says false (CPU machines); the image flips it before `npm ci`.
    expect(install.args).toMatch(/npm pkg set allowScripts\.onnxruntime-node=true\s*&&\s*npm ci/);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.allowScripts['onnxruntime-node']).toBe(false);
  });
});

describe('docker/compose.yml', () => {
  const compose = loadYaml(docker('compose.yml'));
  const services = compose.services as Record<string, any>;

  it('has PostgreSQL with a named volume and a health check', () => {
    const pg = services.postgres;
    expect(pg.image).toMatch(/^postgres:\d+/);
    const [volume] = (pg.volumes as string[])[0].split(':');
    expect(Object.keys(compose.volumes)).toContain(volume);
    expect(pg.healthcheck.test.join(' ')).toContain('pg_isready');
  });

  it('migrates once before the api and the workers start', () => {
    expect(services.migrate.command).toEqual(['migrate']);
    expect(services.migrate.restart).toBe('no');
    expect(services.migrate.depends_on.postgres.condition).toBe('service_healthy');
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on.migrate.condition).toBe('service_completed_successfully');
    }
  });

  it('runs a scalable worker: no fixed name, no published port, the worker command', () => {
    const worker = services.worker;
    expect(worker.command).toEqual(['worker']);
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(services.api.command).toEqual(['serve', '--no-worker']);
    expect(services.api.ports.length).toBe(1);
  });

  it('gives every program process the same database and JWT secret, and builds the image from the repository', () => {
    for (const name of ['migrate', 'api', 'worker']) {
      expect(services[name].environment.DATABASE_URL).toMatch(
        /^postgres:\/\/amsnet_app:\$\{AMSNET_APP_PASSWORD:\?[^}]+\}@postgres:5432\/amsnet$/,
      );
      expect(services[name].environment.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
      expect(services[name].image).toBe('amsnet-clinic:latest');
    }
    expect(services.migrate.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
  });

  it('migrates as the owner role; the api and workers connect as the application role only', () => {
    expect(services.migrate.environment.DATABASE_OWNER_URL).toMatch(
      /^postgres:\/\/amsnet:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/amsnet$/,
    );
    for (const name of ['api', 'worker']) {
      expect(Object.keys(services[name].environment)).not.toContain('DATABASE_OWNER_URL');
      expect(JSON.stringify(services[name].environment)).not.toContain('POSTGRES_PASSWORD');
    }
    const init = (services.postgres.volumes as string[]).find((v) => v.endsWith(':/docker-entrypoint-initdb.d:ro'));
    expect(init).toBeDefined();
    const script = readFileSync(join(root, 'docker', init!.split(':')[0], '10-application-role.sh'), 'utf8');
    expect(script).toMatch(/CREATE ROLE amsnet_app LOGIN PASSWORD :'app_password'/);
    expect(script).toMatch(/CREATE SCHEMA pgboss AUTHORIZATION amsnet_app/);
    expect(services.postgres.environment.AMSNET_APP_PASSWORD).toMatch(/^\$\{AMSNET_APP_PASSWORD:\?/);
  });

  it('gives api and workers a stop timeout longer than the worker drain, so a redeploy never SIGKILLs a job', () => {
    const seconds = (v: string) => Number(/^(\d+)s$/.exec(v)?.[1] ?? NaN);
    const drain = Number(/:-(\d+)\}$/.exec(services.worker.environment.WORKER_DRAIN_SECONDS)?.[1]);
    expect(drain).toBe(loadConfig({}).workerDrainSeconds);
    for (const name of ['api', 'worker'])
      expect(seconds(services[name].stop_grace_period)).toBeGreaterThanOrEqual(drain + 10);
    expect(services.api.environment.NODE_OPTIONS).toMatch(/--max-old-space-size=\d+/);
  });

  it('has a GPU overlay that builds the CUDA image for the workers and reserves a GPU', () => {
    const gpu = loadYaml(docker('compose.gpu.yml'));
    expect(gpu.services.worker.build.dockerfile).toBe('docker/Dockerfile.gpu');
    expect(gpu.services.worker.environment.ORT_EXECUTION_PROVIDERS).toBe('cuda,cpu');
    expect(gpu.services.worker.deploy.resources.reservations.devices[0].capabilities).toEqual(['gpu']);
  });
});

describe('.dockerignore', () => {
  it('keeps local state, builds and dependencies out of the build context', () => {
    const entries = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const path of ['node_modules', 'dist', '.data', '.git']) expect(entries).toContain(path);
  });
});

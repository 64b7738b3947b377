import type { Command } from 'commander';
import { IMPORT_KINDS, type ImportKind, type ImportSource } from '../../entities';
import { healthOf } from '../../ingest/sources/import-sources.service';
import { UserError } from '../../platform/errors';
import type { CliRuntime } from '../runtime';

interface ClinicOption {
  clinic: string;
}

function kindOf(raw: string): ImportKind {
  const kind = raw.toUpperCase();
  if (!(IMPORT_KINDS as readonly string[]).includes(kind))
    throw new UserError(`--kind must be one of ${IMPORT_KINDS.map((k) => k.toLowerCase()).join(', ')} (got "${raw}")`);
  return kind as ImportKind;
}

function printSource(s: ImportSource): void {
  const h = healthOf(s);
  console.log(
    `${s.id}  ${s.name}  ${s.kind.toLowerCase()}  ${s.path}  "${s.schedule}"${s.paused ? '  PAUSED' : ''}${s.scoreAfterImport ? '' : '  (no scoring)'}`,
  );
  console.log(
    `    last success: ${h.lastSuccessAt?.toISOString() ?? 'never'}, failures in a row: ${h.consecutiveFailures}` +
      (h.lastError ? `, last error: ${h.lastError}` : ''),
  );
}

/**
 * `amsnet sources …` (import sources a clinic's folders are scanned from) and `amsnet devices …`
 * (credentials for DICOMweb STOW-RS). The operator acts through privileged system access, audited
 * with user null.
 */
export function registerSourceCommands(program: Command, runtime: CliRuntime): void {
  const sources = program
    .command('sources')
    .description('import sources: folders under IMPORT_ROOTS scanned on a schedule (new files only)');
  const withClinic = (cmd: Command) => cmd.requiredOption('--clinic <code-or-id>', 'clinic code or id');

  withClinic(sources.command('list').description("the clinic's sources with their health")).action(
    (opts: ClinicOption) =>
      runtime.withApp(async ({ services }) => {
        const list = await services.importSources.list(await services.system.clinicNamed(opts.clinic));
        if (list.length === 0) console.log('no import sources');
        list.forEach(printSource);
      }),
  );

  withClinic(
    sources
      .command('add')
      .description('adds a source (its folder must lie inside IMPORT_ROOTS)')
      .requiredOption('--name <name>', 'a name unique in the clinic')
      .requiredOption(
        '--kind <kind>',
        'folder (EmbryoScope export), pdb (slide files), dicom (drop folder), cycles (sheets)',
      )
      .requiredOption('--path <folder>', 'absolute folder on this server')
      .option('--schedule <cron>', 'five-field cron expression', '*/5 * * * *')
      .option('--no-score', 'do not score the embryos an import gave new frames'),
  ).action((opts: ClinicOption & { name: string; kind: string; path: string; schedule: string; score: boolean }) =>
    runtime.withApp(async ({ services }) => {
      const source = await services.importSources.create(await services.system.clinicNamed(opts.clinic), {
        name: opts.name,
        kind: kindOf(opts.kind),
        path: opts.path,
        schedule: opts.schedule,
        scoreAfterImport: opts.score,
      });
      printSource(source);
    }),
  );

  withClinic(
    sources
      .command('set <id>')
      .description("changes a source's name, folder, schedule or scoring")
      .option('--name <name>')
      .option('--path <folder>')
      .option('--schedule <cron>')
      .option('--score', 'score embryos with new frames after each import')
      .option('--no-score', 'do not score after imports'),
  ).action((id: string, opts: ClinicOption & { name?: string; path?: string; schedule?: string; score?: boolean }) =>
    runtime.withApp(async ({ services }) => {
      const source = await services.importSources.update(await services.system.clinicNamed(opts.clinic), id, {
        name: opts.name,
        path: opts.path,
        schedule: opts.schedule,
        scoreAfterImport: opts.score,
      });
      printSource(source);
    }),
  );

  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    withClinic(sources.command(`${name} <id>`).description(paused ? 'stops the scans' : 'scans again')).action(
      (id: string, opts: ClinicOption) =>
        runtime.withApp(async ({ services }) => {
          printSource(
            await services.importSources.setPaused(await services.system.clinicNamed(opts.clinic), id, paused),
          );
        }),
    );
  }

  withClinic(sources.command('remove <id>').description('removes a source (its imports stay)')).action(
    (id: string, opts: ClinicOption) =>
      runtime.withApp(async ({ services }) => {
        const source = await services.importSources.remove(await services.system.clinicNamed(opts.clinic), id);
        console.log(`removed import source ${source.id} (${source.name})`);
      }),
  );

  withClinic(
    sources
      .command('scan <id>')
      .description('scans a source now, in this process (as a scheduled tick would)')
      .option('--retry-failed', 'take files that failed before again even if unchanged'),
  ).action((id: string, opts: ClinicOption & { retryFailed?: boolean }) =>
    runtime.withApp(async ({ services }) => {
      const source = await services.importSources.get(await services.system.clinicNamed(opts.clinic), id);
      const result = await services.importSourceScans.run({ sourceId: source.id, retryFailed: opts.retryFailed });
      console.log(JSON.stringify(result, null, 2));
      if (result.status !== 'scanned') process.exitCode = 1;
    }),
  );

  const devices = program
    .command('devices')
    .description('device credentials for DICOMweb STOW-RS (POST /dicomweb/studies)');
  withClinic(
    devices.command('add').description('creates a credential; prints its token once').requiredOption('--name <name>'),
  ).action((opts: ClinicOption & { name: string }) =>
    runtime.withApp(async ({ services }) => {
      const { credential, token } = await services.deviceCredentials.create(
        await services.system.clinicNamed(opts.clinic),
        opts.name,
      );
      console.log(`device credential ${credential.id} (${credential.name})`);
      console.log(`token (shown once, store it in the device): ${token}`);
    }),
  );
  withClinic(devices.command('list').description("the clinic's device credentials")).action((opts: ClinicOption) =>
    runtime.withApp(async ({ services }) => {
      for (const d of await services.deviceCredentials.list(await services.system.clinicNamed(opts.clinic)))
        console.log(
          `${d.id}  ${d.name}  created ${d.createdAt.toISOString()}  last used ${d.lastUsedAt?.toISOString() ?? 'never'}${d.revokedAt ? `  REVOKED ${d.revokedAt.toISOString()}` : ''}`,
        );
    }),
  );
  withClinic(devices.command('revoke <id>').description('refuses the device from its next request on')).action(
    (id: string, opts: ClinicOption) =>
      runtime.withApp(async ({ services }) => {
        const d = await services.deviceCredentials.revoke(await services.system.clinicNamed(opts.clinic), id);
        console.log(`revoked device credential ${d.id} (${d.name})`);
      }),
  );
}

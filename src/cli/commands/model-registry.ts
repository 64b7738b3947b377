import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MODEL_VARIANTS, type ModelVariant } from '../../entities';
import { provenanceLabel } from '../../inference/provenance';
import { provenanceFromManifest, readTrainingManifest } from '../../inference/training/training-manifest';
import { UserError } from '../../platform/errors';
import type { CliRuntime } from '../runtime';

/** `--planes -15,0,15` → [-15, 0, 15] */
export function parsePlanes(value: string): number[] {
  const planes = value.split(',').map((p) => Number(p.trim()));
  if (value.trim() === '' || planes.some((p) => !Number.isInteger(p)))
    throw new InvalidArgumentError('expected whole µm separated by commas, e.g. -15,0,15');
  return planes;
}

function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive whole number');
  return Number(value);
}

interface RegisterOptions {
  manifest?: string;
  weightsSha256?: string;
  name: string;
  version: string;
  trained?: boolean;
  planes?: number[];
  variant?: ModelVariant;
  inputSize?: number;
}

/**
 * `amsnet model register|activate|shadow|list`: the registry side of the `model` group (the
 * inference module adds `build` and `inspect` to the same group). The CLI acts as the operator
 * (privileged system access: user null in the audit log).
 */
export function registerModelRegistryCommands(program: Command, runtime: CliRuntime): void {
  const model =
    program.commands.find((c) => c.name() === 'model') ??
    program.command('model').description('build, register and activate AMSNet models');

  model
    .command('register')
    .description(
      'check an ONNX model against the AMSNet contract (load + one tiny input) and store it; the same file twice gives the existing version',
    )
    .argument('<file>', 'the .onnx file')
    .requiredOption('--name <name>', 'model name, e.g. "amsnet-f7"')
    .requiredOption('--version <version>', 'version label, e.g. "2026-11"')
    .addOption(
      new Option(
        '--trained',
        'state that the weights are trained (for a file without amsnet metadata; a file marked untrained is refused)',
      ).conflicts('untrained'),
    )
    .addOption(
      new Option('--untrained', 'state that the weights are random (numbers get an "untrained" label everywhere)'),
    )
    .option('--planes <um>', 'focal planes in µm, ascending (for a file without amsnet metadata)', parsePlanes)
    .addOption(
      new Option('--variant <variant>', 'network variant (for a file without amsnet metadata)').choices([
        ...MODEL_VARIANTS,
      ]),
    )
    .option(
      '--input-size <pixels>',
      'side S of the input frames (for a file without amsnet metadata)',
      parsePositiveInt,
    )
    .option(
      '--manifest <file>',
      'the manifest.json of `amsnet train`: registers the model as trained, with that manifest (and synthetic if its data was)',
    )
    .option('--weights-sha256 <hex>', 'sha256 of the weights the graph was built from (imported weights)')
    .action(async (file: string, opts: RegisterOptions & { untrained?: boolean }) => {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (error) {
        throw new UserError(
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
      const trained = opts.trained ? true : opts.untrained ? false : undefined;
      const provenance = opts.manifest
        ? provenanceFromManifest(await readTrainingManifest(opts.manifest))
        : opts.weightsSha256
          ? { weightsSha256: opts.weightsSha256.toLowerCase() }
          : undefined;
      await runtime.withApp(async ({ services }) => {
        const { model: version, created } = await services.registry.register(
          bytes,
          {
            name: opts.name,
            version: opts.version,
            trained,
            planes: opts.planes,
            variant: opts.variant,
            inputSize: opts.inputSize,
            provenance,
          },
          services.system.modelRegistration(),
        );
        const what = `${version.name} ${version.version} (${version.variant}, planes ${version.planes.join(',')}, ${version.inputSize}px${version.trained ? `, ${provenanceLabel(version)}` : ', UNTRAINED'})`;
        console.log(
          created
            ? `registered ${what}\nid ${version.id}\nsha256 ${version.sha256}`
            : `already registered as ${what}\nid ${version.id}\nsha256 ${version.sha256}`,
        );
      });
    });

  model
    .command('activate')
    .description(
      "make a model version the clinic's one active model (the previous one is deactivated in the same transaction)",
    )
    .requiredOption('--model <id>', 'model version id')
    .requiredOption('--clinic <code>', 'clinic code or id')
    .action(async (opts: { model: string; clinic: string }) => {
      await runtime.withApp(async ({ services }) => {
        const grant = await services.system.clinicNamed(opts.clinic);
        await services.registry.activate(opts.model, grant);
        const active = (await services.registry.activeModelFor(grant.clinicId))!;
        console.log(
          `clinic ${opts.clinic}: active model ${active.name} ${active.version} (${active.id})${active.trained ? '' : ' — UNTRAINED: not for clinical use'}`,
        );
      });
    });

  model
    .command('shadow')
    .description('score a model for a clinic in silent mode (numbers visible to admins only) or, with --off, stop')
    .requiredOption('--model <id>', 'model version id')
    .requiredOption('--clinic <code>', 'clinic code or id')
    .option('--off', 'turn silent mode off')
    .action(async (opts: { model: string; clinic: string; off?: boolean }) => {
      await runtime.withApp(async ({ services }) => {
        const grant = await services.system.clinicNamed(opts.clinic);
        await services.registry.setShadow(opts.model, grant, !opts.off);
        console.log(`clinic ${opts.clinic}: model ${opts.model} ${opts.off ? 'no longer in' : 'now in'} shadow mode`);
      });
    });

  if (!model.commands.some((c) => c.name() === 'list')) {
    model
      .command('list')
      .description('registered model versions, newest first, with the clinics that use them')
      .action(async () => {
        await runtime.withApp(async ({ services }) => {
          const listed = await services.registry.list();
          if (listed.length === 0) console.log('no models registered');
          for (const { model: v, clinics } of listed) {
            const uses = clinics
              .filter((c) => c.active || c.shadow)
              .map((c) => `${c.clinicId}${c.active ? ' (active)' : ' (shadow)'}`);
            console.log(
              `${v.id}  ${v.name} ${v.version}  ${v.variant} [${v.planes.join(',')}] ${v.inputSize}px  ${provenanceLabel(v)}  sha256 ${v.sha256.slice(0, 12)}…${uses.length ? `  clinics: ${uses.join(', ')}` : ''}`,
            );
          }
        });
      });
  }
}

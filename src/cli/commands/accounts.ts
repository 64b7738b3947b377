import { Option, type Command } from 'commander';
import { ROLES, type Role } from '../../entities';
import { UserError } from '../../platform/errors';
import { promptPassword, readPasswordFromStdin } from '../read-password';
import type { CliRuntime } from '../runtime';

export function registerAccountCommands(program: Command, runtime: CliRuntime): void {
  const clinic = program.command('clinic').description('manage clinics');
  clinic
    .command('add')
    .description('create a clinic')
    .requiredOption('--code <code>', 'short unique code, e.g. "lyon"')
    .requiredOption('--name <name>', 'display name')
    .action(async (opts: { code: string; name: string }) => {
      await runtime.withApp(async ({ services }) => {
        const created = await services.accounts.createClinic(opts, services.system.network());
        console.log(`clinic ${created.code} created (id ${created.id})`);
      });
    });

  const user = program.command('user').description('manage users');
  user
    .command('add')
    .description('create a user with a role in one clinic (password hashed with argon2id)')
    .requiredOption('--email <email>', 'login e-mail')
    .requiredOption('--clinic <code>', 'clinic code')
    .addOption(new Option('--role <role>', 'role in the clinic').choices([...ROLES]).makeOptionMandatory())
    .option('--network-admin', 'administrator of every clinic')
    .option('--name <name>', 'display name')
    .option('--password-stdin', 'read the password from standard input instead of prompting')
    .action(
      async (opts: {
        email: string;
        clinic: string;
        role: Role;
        networkAdmin?: boolean;
        name?: string;
        passwordStdin?: boolean;
      }) => {
        const password = opts.passwordStdin ? await readPasswordFromStdin() : await promptPassword('Password: ');
        await runtime.withApp(async ({ services }) => {
          const { system } = services;
          const target = await services.store.clinics.byCode(opts.clinic);
          if (!target) throw new UserError(`no clinic with code "${opts.clinic}"`);
          const created = await services.accounts.createUser(
            { email: opts.email, password, displayName: opts.name ?? null, networkAdmin: !!opts.networkAdmin },
            { network: system.network(), clinic: { grant: system.clinic(target.id), role: opts.role } },
          );
          console.log(
            `user ${created.email} created (id ${created.id}) as ${opts.role} of ${target.code}${created.networkAdmin ? ', network admin' : ''}`,
          );
        });
      },
    );
}

import { Option, type Command } from 'commander';
import { AccountsService } from '../../accounts/accounts.service';
import { ROLES, type Role } from '../../entities';
import { SYSTEM_ACTOR } from '../../platform/audit/audit-actions';
import { withApp } from '../app-context';
import { promptPassword, readPasswordFromStdin } from '../read-password';

export function registerAccountCommands(program: Command): void {
  const clinic = program.command('clinic').description('manage clinics');
  clinic
    .command('add')
    .description('create a clinic')
    .requiredOption('--code <code>', 'short unique code, e.g. "lyon"')
    .requiredOption('--name <name>', 'display name')
    .action(async (opts: { code: string; name: string }) => {
      await withApp(async ({ dataSource }) => {
        const created = await new AccountsService(dataSource).createClinic(opts, SYSTEM_ACTOR);
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
    .action(async (opts: { email: string; clinic: string; role: Role; networkAdmin?: boolean; name?: string; passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? await readPasswordFromStdin() : await promptPassword('Password: ');
      await withApp(async ({ dataSource }) => {
        const accounts = new AccountsService(dataSource);
        const target = await accounts.clinicByCode(opts.clinic);
        const created = await accounts.createUser(
          { email: opts.email, password, displayName: opts.name ?? null, networkAdmin: !!opts.networkAdmin, membership: { clinicId: target.id, role: opts.role } },
          SYSTEM_ACTOR,
        );
        console.log(`user ${created.email} created (id ${created.id}) as ${opts.role} of ${target.code}${created.networkAdmin ? ', network admin' : ''}`);
      });
    });
}

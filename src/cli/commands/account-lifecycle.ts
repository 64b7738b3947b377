import type { Command } from 'commander';
import { UserError } from '../../platform/errors';
import type { CliContext, CliRuntime } from '../runtime';

/**
 * `amsnet user reset-password|disable|enable|sessions|sign-out`: the operator's side of the
 * account lifecycle (the API offers the same to administrators). Audited as the system.
 */
export function registerAccountLifecycleCommands(program: Command, runtime: CliRuntime): void {
  const user = program.commands.find((c) => c.name() === 'user') ?? program.command('user').description('manage users');

  const withUser = (email: string, work: (app: CliContext, userId: string) => Promise<void>) =>
    runtime.withApp(async (app) => {
      const found = await app.services.store.accounts.byEmail(email.trim().toLowerCase());
      if (!found) throw new UserError(`no user with e-mail ${email}`);
      await work(app, found.id);
    });

  user
    .command('reset-password')
    .description('give a user a temporary password (printed once) that it must change at its next sign-in')
    .requiredOption('--email <email>', 'the user')
    .action(async (opts: { email: string }) => {
      await withUser(opts.email, async ({ services }, userId) => {
        const { user: changed, temporaryPassword } = await services.accountLifecycle.resetPassword(userId, {
          network: services.system.network(),
        });
        console.log(
          `temporary password of ${changed.email} (shown once, to be changed at sign-in): ${temporaryPassword}`,
        );
      });
    });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    user
      .command(name)
      .description(disabled ? 'disable a user: its tokens stop working at once' : 'enable a disabled user again')
      .requiredOption('--email <email>', 'the user')
      .action(async (opts: { email: string }) => {
        await withUser(opts.email, async ({ services }, userId) => {
          const changed = await services.accountLifecycle.setDisabled(userId, disabled, {
            network: services.system.network(),
          });
          console.log(`user ${changed.email} ${changed.disabled ? 'disabled' : 'enabled'}`);
        });
      });
  }

  user
    .command('sessions')
    .description("list a user's sessions whose tokens may still be valid")
    .requiredOption('--email <email>', 'the user')
    .action(async (opts: { email: string }) => {
      await withUser(opts.email, async ({ services }, userId) => {
        const sessions = await services.accountLifecycle.sessions(userId, { network: services.system.network() });
        if (sessions.length === 0) console.log('no active session');
        for (const s of sessions)
          console.log(
            `${s.id}  signed in ${s.signedInAt.toISOString()}  expires ${s.expiresAt.toISOString()}  from ${s.address ?? '?'}`,
          );
      });
    });

  user
    .command('sign-out')
    .description('end every session of a user (all its tokens stop working)')
    .requiredOption('--email <email>', 'the user')
    .action(async (opts: { email: string }) => {
      await withUser(opts.email, async ({ services }, userId) => {
        await services.accountLifecycle.revokeSessions(userId, { network: services.system.network() });
        console.log(`every session of ${opts.email} ended`);
      });
    });
}

import type { Command } from 'commander';
import { NETWORK_CHAIN, type ChainVerification } from '../../entities/repositories';
import type { CliRuntime } from '../runtime';

/** Exit status of `audit verify` when a chain is broken (1 stays "the command failed"). */
export const AUDIT_BROKEN_EXIT_CODE = 3;

export function registerAuditCommands(program: Command, runtime: CliRuntime): void {
  const audit = program.command('audit').description('the audit log');
  audit
    .command('verify')
    .description(
      'check the audit log’s hash chains (one per clinic, one for the network) and name the first broken link',
    )
    .option('--clinic <code>', 'only this clinic’s chain (code or id)')
    .action(async (opts: { clinic?: string }) => {
      const intact = await runtime.withApp(async ({ services }) => {
        const chains = opts.clinic
          ? [(await services.system.clinicNamed(opts.clinic)).clinicId]
          : await services.store.auditChain.chains();
        let allIntact = true;
        for (const chain of chains) {
          const result = await services.store.auditChain.verify(chain);
          const clinic = chain === NETWORK_CHAIN ? null : await services.store.clinics.byId(chain);
          const name = clinic ? `clinic ${clinic.code}` : chain === NETWORK_CHAIN ? 'network' : `clinic ${chain}`;
          console.log(describe(name, result));
          if (result.broken) allIntact = false;
        }
        if (chains.length === 0) console.log('the audit log is empty');
        return allIntact;
      });
      if (!intact) process.exitCode = AUDIT_BROKEN_EXIT_CODE;
    });
}

function describe(name: string, result: ChainVerification): string {
  if (result.broken) {
    const { seq, problem } = result.broken;
    return `${name}: BROKEN at link ${seq}: ${problem}`;
  }
  const head = result.headHash ? `, newest hash ${result.headHash}` : '';
  return `${name}: OK, ${result.events} event${result.events === 1 ? '' : 's'}${head}`;
}

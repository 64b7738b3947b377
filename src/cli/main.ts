import { Command } from 'commander';
import { commandModules } from './commands';
import type { CliRuntime } from './runtime';

/** Builds the `amsnet` program; each command group lives in its own file under ./commands. */
export function buildProgram(runtime: CliRuntime): Command {
  const program = new Command('amsnet')
    .description('amsnet-clinic: early blastocyst prediction from IVF time-lapse images')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  for (const register of commandModules) register(program, runtime);
  return program;
}

import { Command } from 'commander';
import { commandModules } from './commands';

/** Builds the `amsnet` program; each command group lives in its own file under ./commands. */
export function buildProgram(): Command {
  const program = new Command('amsnet')
    .description('amsnet-clinic: early blastocyst prediction from IVF time-lapse images')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  for (const register of commandModules) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}

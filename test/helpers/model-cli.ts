import { Command } from 'commander';
import { registerModelCommands } from '../../src/cli/commands/model';
import { registerModelTuneCommand } from '../../src/cli/commands/model-tune';

/** Runs `amsnet model …` in this process (no build needed); resolves to what it printed on stdout. */
export async function runModelCli(args: string[]): Promise<string> {
  const program = new Command('amsnet').exitOverride();
  registerModelCommands(program);
  registerModelTuneCommand(program);
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = jest.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await program.parseAsync(['node', 'amsnet', ...args]);
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
  return lines.join('\n');
}

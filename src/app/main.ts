import { amsnetProgram } from './cli';

/** The `amsnet` command (bin/amsnet.js runs the compiled form of this). */
export async function main(argv: string[]): Promise<void> {
  await amsnetProgram().parseAsync(argv);
}

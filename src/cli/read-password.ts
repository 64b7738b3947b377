import { createInterface } from 'node:readline';
import { UserError } from '../platform/errors';

/** Reads a password from standard input (first line), for --password-stdin and scripts. */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
  if (!password) throw new UserError('no password on standard input');
  return password;
}

/** Prompts on the terminal without echoing what is typed. */
export async function promptPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) throw new UserError('no terminal to prompt on: pass the password with --password-stdin');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  let prompted = false;
  output._writeToOutput = (s: string) => {
    if (!prompted) {
      process.stdout.write(s);
      prompted = true;
    }
  };
  try {
    return await new Promise<string>((resolve) => rl.question(prompt, resolve));
  } finally {
    rl.close();
    process.stdout.write('\n');
  }
}

// Runs the CLI in process with captured stdout/stderr (test helper).
import { run as cliRun } from '../../cli/main.js';
import { COMMANDS } from '../../cli/commands.js';

export const COMMANDS_FOR_TESTS = COMMANDS.map((c) => c.name);

export async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await cliRun(argv, { out: (s) => (out += s.endsWith('\n') ? s : s + '\n'), err: (s) => (err += s.endsWith('\n') ? s : s + '\n') });
  return { code, out, err };
}

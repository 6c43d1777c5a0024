/**
 * `lql`, the command line: a thin shell over the language and simulator
 * modules (see ../shared/spec/CLI.md for the contract).
 *
 * Input: argv. Output: results on stdout, messages on stderr, and the exit
 * code: 0 success, 1 wrong input (diagnostics, failed tests, bad data),
 * 2 usage error. Invariant: no command lets an exception escape as a stack
 * trace; every problem is reported in plain words with file:line:col; a
 * closed output pipe ends the command quietly (exit 0).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';
import { COMMANDS, type Command } from './commands.js';

import { UsageError, ExitError } from './errors.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'lql — the Lead Qualification Language',
    '',
    'Usage: lql <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `lql <command> --help` for a command\'s options.',
    'Exit codes: 0 success, 1 wrong input (diagnostics, failed tests, bad data), 2 usage error.',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  const lines = [`Usage: lql ${c.usage}`, '', c.summary, ''];
  if (c.description) lines.push(c.description, '');
  const opts = Object.entries(c.options);
  if (opts.length) {
    lines.push('Options:');
    for (const [name, o] of opts) {
      const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;
      lines.push(`  ${flag.padEnd(30)} ${o.help}`);
    }
  }
  lines.push(`  ${'    --help'.padEnd(30)} show this help`);
  return lines.join('\n');
}

export async function run(argv: string[], io: { out: (s: string) => void; err: (s: string) => void } = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0]) {
      const c = COMMANDS.find((x) => x.name === rest[0]);
      if (c) {
        io.out(commandHelp(c));
        return 0;
      }
    }
    (name ? io.out : io.err)(mainHelp());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.out(version());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    const near = COMMANDS.map((c) => c.name).filter((n) => n.startsWith(name.slice(0, 2)));
    io.err(`lql: unknown command '${name}'.${near.length ? ` Did you mean '${near[0]}'?` : ''}\n\n${mainHelp()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(cmd));
    return 0;
  }
  const config: ParseArgsConfig = {
    args: rest,
    allowPositionals: true,
    strict: true,
    options: Object.fromEntries(
      Object.entries(cmd.options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
    ),
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(config);
  } catch (e) {
    io.err(`lql ${cmd.name}: ${(e as Error).message.replace(/\. To specify a positional.*$/s, '.')}\n\n${commandHelp(cmd)}`);
    return 2;
  }
  try {
    return await cmd.run({ values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals }, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`lql ${cmd.name}: ${e.message}\n\nRun 'lql ${cmd.name} --help' for usage.`);
      return 2;
    }
    if (e instanceof ExitError) return e.code;
    io.err(`lql ${cmd.name}: ${(e as Error)?.message ?? String(e)}`);
    return 1;
  }
}

/**
 * stdout and stderr of the process. A reader that stops early (`lql score ...
 * | head`) closes the pipe: the command then stops writing and exits 0
 * without a word, as command-line tools do.
 */
function defaultIo(): { out: (s: string) => void; err: (s: string) => void } {
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.listenerCount('error')) {
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') throw e;
      });
    }
  }
  return {
    out: (s) => {
      if (process.stdout.destroyed) throw new ExitError(0);
      process.stdout.write(s.endsWith('\n') ? s : s + '\n');
      if (process.stdout.destroyed) throw new ExitError(0);
    },
    err: (s) => {
      if (!process.stderr.destroyed) process.stderr.write(s.endsWith('\n') ? s : s + '\n');
    },
  };
}

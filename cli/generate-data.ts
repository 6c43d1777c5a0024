/**
 * `npm run gen -- --leads N [--seed S] [--out DIR] [--events-per-lead K] [--days D]`:
 * writes DIR/leads.csv and DIR/events.csv of ACME-like history (generate.ts).
 *
 * Input: command-line arguments. Output: two CSV files, written as every
 * file LQL writes (cli/files.ts: a temporary file renamed into place once
 * both are complete, so an error leaves earlier files as they were), and a
 * one-line summary on stdout; exit 2 on a usage error, 1 when a file cannot
 * be written.
 */
import { generate, writeCsv } from '../simulator/generate.js';
import { InputError } from './errors.js';
import { openOutput } from './files.js';

const USAGE = 'usage: lql-gen --leads N [--seed S] [--out DIR] [--events-per-lead K] [--days D]';

export function main(argv: string[]): number {
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (!a.startsWith('--') || i + 1 >= argv.length) {
      process.stderr.write(`lql-gen: unexpected argument ${JSON.stringify(a)}\n${USAGE}\n`);
      return 2;
    }
    opts[a.slice(2)] = argv[++i]!;
  }
  const num = (k: string, d: number): number => {
    if (opts[k] === undefined) return d;
    const v = Number(opts[k]!.replace(/_/g, ''));
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} needs a non-negative number, got ${JSON.stringify(opts[k])}`);
    return v;
  };
  for (const k of Object.keys(opts)) {
    if (!['leads', 'seed', 'out', 'events-per-lead', 'days'].includes(k)) {
      process.stderr.write(`lql-gen: unknown option --${k}\n${USAGE}\n`);
      return 2;
    }
  }
  try {
    const t0 = Date.now();
    const gen = generate({
      leads: num('leads', 1000),
      seed: num('seed', 1),
      eventsPerLead: num('events-per-lead', 20),
      days: num('days', 365),
    });
    const files = writeCsv(gen, opts.out ?? 'data', openOutput);
    process.stdout.write(
      `wrote ${gen.leads.n} leads to ${files.leads} and ${gen.events.times.length} events to ${files.events} in ${Date.now() - t0} ms\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    process.stderr.write(`lql-gen: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
}

/**
 * `npm run gen -- --leads N [--seed S] [--out DIR] [--events-per-lead K] [--days D]`:
 * writes DIR/leads.csv and DIR/events.csv of ACME-like history (generate.ts).
 *
 * Input: command-line arguments. Output: two CSV files and a one-line
 * summary on stdout; exit 2 on a usage error.
 */
import { generate, writeCsv } from './generate.js';

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
    const files = writeCsv(gen, opts.out ?? 'data');
    process.stdout.write(
      `wrote ${gen.leads.n} leads to ${files.leads} and ${gen.events.times.length} events to ${files.events} in ${Date.now() - t0} ms\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`lql-gen: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));

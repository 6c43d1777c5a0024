/**
 * `--engine duckdb` for `lql simulate` and `lql score`: the backtest runs
 * inside embedded DuckDB over the files themselves (simulator/simulate-duckdb.ts,
 * docs/sql.md).
 * Input: the IR (and baseline IR) and the command's options.
 * Output: the same Report / rows as the JS engine.
 * Invariants: data problems are printed exactly as the JS engine prints them
 * (`file:line:col: error CODE: message`, exit 1); `--lenient` is refused
 * (exit 2): skipping rows exactly as the JS loader does is not offered here.
 */
import type { Skipped } from '../simulator/skipped.js';
import type { IR } from '../language/compile/ir.js';
import type { Args } from './commands.js';
import type { Report } from '../simulator/metrics.js';
import type { ScoreRow } from '../simulator/simulate.js';
import { InputError, UsageError, dataErrorText } from './errors.js';
import { formatDiagnostics } from './print.js';
import { DataError } from '../simulator/data/errors.js';
import { readOptions } from './sim-commands.js';
import type { DuckDBRunOptions } from '../simulator/simulate-duckdb.js';

function s(v: Args['values'][string]): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Where the command prints messages (the JS engine prints data warnings there); stderr when not given. */
type ErrIo = { err: (s: string) => void } | undefined;

function runOptions(ir: IR, args: Args, asOf: number | undefined, io: ErrIo): DuckDBRunOptions {
  if (args.values.lenient) {
    throw new UsageError(
      '--lenient is not available with --engine duckdb: the DuckDB engine stops at the first bad row (reported with its line and column) ' +
        'so that its report always equals the JS engine\'s. Fix the file, or use --engine js --lenient to skip bad rows.',
    );
  }
  if (args.values['date-format']) {
    throw new UsageError(
      '--date-format is not available with --engine duckdb: the exported SQL reads ISO 8601 dates and epoch milliseconds only. ' +
        'Use --engine js (the default) for dates written with slashes.',
    );
  }
  const leads = s(args.values.leads);
  if (!leads) throw new UsageError('missing --leads FILE.');
  for (const f of [leads, s(args.values.events)]) {
    if (f && /\.(parquet|pq|arrow|feather|ipc|arrows)$/i.test(f)) {
      throw new UsageError(`--engine duckdb reads CSV and JSON Lines files; ${f} is a Parquet or Arrow file: run it with --engine js (the default).`);
    }
  }
  return {
    ir,
    leads,
    events: s(args.values.events) ?? null,
    id: s(args.values.id),
    outcome: s(args.values.outcome),
    missing: s(args.values.missing)?.split(',').map((x) => x.trim()).filter(Boolean),
    asOf,
    ...readOptions(args),
    onWarnings: (ws) => (io ? io.err(formatDiagnostics(ws, leads, null)) : process.stderr.write(formatDiagnostics(ws, leads, null) + '\n')),
  };
}

/** Run `f`; turn the engine's errors into the CLI's messages (as the JS engine prints them). */
async function cli<T>(leadsFile: string, f: () => Promise<T>): Promise<T> {
  const { DuckDBEngineError, MissingColumnsError } = await import('../simulator/simulate-duckdb.js');
  try {
    return await f();
  } catch (e) {
    // --lenient is refused with this engine: point at the JS engine for skipping rows
    if (e instanceof DataError) throw new InputError(dataErrorText(e, leadsFile).replace('use --lenient', 'use --engine js --lenient'));
    if (e instanceof MissingColumnsError) throw new InputError(formatDiagnostics(e.diagnostics, leadsFile, null));
    if (e instanceof DuckDBEngineError) throw new InputError(formatDiagnostics(e.diagnostics, leadsFile, null));
    throw e;
  }
}

export async function simulateWithDuckDB(ir: IR, args: Args, opts: { asOf?: number; baseline?: IR; io?: ErrIo }): Promise<Report> {
  const run = runOptions(ir, args, opts.asOf, opts.io);
  const { simulateDuckDB } = await import('../simulator/simulate-duckdb.js');
  return cli(run.leads, async () => (await simulateDuckDB({ ...run, baseline: opts.baseline })).report);
}

export async function scoreRowsWithDuckDB(ir: IR, args: Args, opts: { asOf?: number; io?: ErrIo; onSkipped?: (s: Skipped) => void }): Promise<ScoreRow[]> {
  const run = runOptions(ir, args, opts.asOf, opts.io);
  const { scoreRowsDuckDB } = await import('../simulator/simulate-duckdb.js');
  return cli(run.leads, () => scoreRowsDuckDB({ ...run, ...(opts.onSkipped ? { onSkipped: opts.onSkipped } : {}) }));
}

/**
 * The data commands of `lql`: `simulate` (backtest), `score` (one row per
 * lead) and `suggest` (points from close rates, thresholds for a goal).
 *
 * Input: a ruleset file and data files (CSV/JSONL; see spec/DATA.md).
 * Output: a human report (default) or JSON on stdout; data problems as
 * `file:line:col: error CODE: message` on stderr with exit 1.
 * Invariant: metrics are never printed for data with silently dropped rows:
 * skipped rows (`--lenient`) and events of unknown leads are always shown.
 */
import { nearest, suggest as suggestName } from '../language/shared/names.js';
import { openOutput, refuseOutputOverInput } from './files.js';
import type { Command, Io, Args, OptionSpec } from './commands.js';
import { UsageError, InputError, dataErrorText, guard, timeOption } from './errors.js';
import { escapeControls, formatDiagnostics } from './print.js';
import { skippedOf, skippedText, type Skipped } from '../simulator/skipped.js';
import { diag } from '../language/diagnostics/registry.js';
import { pointRange } from '../language/diagnostics/diagnostic.js';
import { DataError } from '../simulator/data/errors.js';
import type { EventTable, LeadTable, LoadOptions } from '../simulator/data/table.js';
import type { IR } from '../language/compile/ir.js';
import type { DateOrder } from '../language/shared/values.js';
import { columnTypes, type ScoreRow } from '../simulator/simulate.js';
import { printReport } from './report.js';
// The data readers and the engine are loaded when a data command runs
// (dynamic imports), so commands without data start quickly.

export const DATA_OPTIONS = {
  leads: { type: 'string', arg: 'FILE', help: 'leads table: CSV (, or ;), JSON Lines, Parquet (.parquet) or Arrow (.arrow, .feather)' },
  events: { type: 'string', arg: 'FILE', help: 'events table (lead_id, type, at): CSV, JSON Lines, Parquet or Arrow; without it the data is a snapshot' },
  id: { type: 'string', arg: 'COL', help: "id column (default 'id'; '@row' numbers the rows 1, 2, ...)" },
  outcome: { type: 'string', arg: 'COL', help: "outcome column (default 'outcome')" },
  missing: { type: 'string', arg: 'A,B', help: 'values that mean missing, e.g. Select,unknown' },
  lenient: { type: 'boolean', help: 'skip bad rows and count them in the report instead of stopping' },
  'date-format': { type: 'string', arg: 'MDY|DMY', help: 'read dates written with slashes (04/01/2025, 04/01/2025 11:40) as month/day/year or day/month/year' },
  'event-lead': { type: 'string', arg: 'COL', help: "events: the column holding the lead id (default 'lead_id')" },
  'event-type': { type: 'string', arg: 'COL', help: "events: the column holding the activity (default 'type')" },
  'event-time': { type: 'string', arg: 'COL', help: "events: the column holding the time (default 'at')" },
  'as-of': { type: 'string', arg: 'DATE', help: 'evaluate open leads as of this date (default: the latest date in the data)' },
  engine: {
    type: 'string',
    arg: 'js|duckdb|clickhouse',
    help:
      'js (default): fastest, least memory; duckdb: the same report from the exported SQL query run in embedded DuckDB, to cross-check the SQL export (slower, more memory); ' +
      'clickhouse: the same report from the ClickHouse query run in embedded ClickHouse (needs the chdb package: npm install chdb)',
  },
  'no-cache': { type: 'boolean', help: 'parse the data files even if the columnar cache holds them (see `lql cache`)' },
} satisfies Record<string, OptionSpec>;

export interface LoadedData {
  leads: LeadTable;
  events: EventTable | null;
}

function s(v: Args['values'][string]): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * How the files are read beyond their columns' types: `--date-format` (slash
 * dates in every date column and event time) and the events' column names.
 */
export function readOptions(args: Args): Pick<LoadOptions, 'dateFormat' | 'eventColumns'> {
  const raw = s(args.values['date-format']);
  let dateFormat: DateOrder | undefined;
  if (raw !== undefined) {
    const f = raw.toUpperCase();
    if (f !== 'MDY' && f !== 'DMY') throw new UsageError(`--date-format must be MDY (04/01/2025 is April 1) or DMY (04/01/2025 is January 4), got '${raw}'.`);
    dateFormat = f;
  }
  const lead = s(args.values['event-lead']);
  const type = s(args.values['event-type']);
  const time = s(args.values['event-time']);
  const picked = [lead, type, time].filter((x) => x !== undefined);
  if (new Set(picked).size < picked.length) throw new UsageError('--event-lead, --event-type and --event-time must name three different columns.');
  const eventColumns = picked.length ? { ...(lead ? { lead } : {}), ...(type ? { type } : {}), ...(time ? { time } : {}) } : undefined;
  return { ...(dateFormat ? { dateFormat } : {}), ...(eventColumns ? { eventColumns } : {}) };
}

/** How `loadData` reads the files beyond the options. */
export interface LoadHow {
  /** threads that read the cache entries with this one (see simulator/replay-threads.ts) */
  threads?: import('../simulator/replay-threads.js').ReplayThreads;
  /** read only the columns the ruleset reads (besides id, outcome and dates): for commands that use nothing else */
  ruleColumnsOnly?: boolean;
  /** other rulesets run on the same data (`--baseline`): their columns are read too */
  alsoFor?: IR[];
}

/** Load the data named by the options, typed by the ruleset; print data errors and stop on them. */
export async function loadData(ir: IR, args: Args, io: Io, how: LoadHow = {}): Promise<LoadedData> {
  const threads = how.threads;
  const leadsFile = s(args.values.leads);
  if (!leadsFile) throw new UsageError('missing --leads FILE.');
  // every attribute the ruleset reads is read as its type (declared, or from its use: `zip starts with "0"` makes zip text)
  const types = columnTypes(ir);
  const opts: LoadOptions = {
    id: s(args.values.id),
    outcome: s(args.values.outcome),
    missing: s(args.values.missing)?.split(',').map((x) => x.trim()).filter(Boolean),
    lenient: !!args.values.lenient,
    types,
    // a wide CRM export: the columns no rule reads are never parsed
    ...(how.ruleColumnsOnly ? { only: [...new Set([ir, ...(how.alsoFor ?? [])].flatMap((r) => Object.keys(columnTypes(r))))] } : {}),
    ...readOptions(args),
  };
  const { readLeadsFile, readEventsFile, eventsAhead, fileSize } = await import('../simulator/data/files.js');
  // cache entries are read by every thread of the replay when there are several
  const cache = args.values['no-cache'] ? false : threads ? { share: threads.share } : {};
  const { progressBar } = await import('../simulator/data/progress.js');
  const ev = s(args.values.events);
  const evOptions = { lenient: opts.lenient, ...readOptions(args) };
  // when the leads file is parsed, a large events file is read at the same time on another core
  const ahead: { read: Awaited<ReturnType<typeof eventsAhead>> } = { read: null };
  const readAhead = ev
    ? async () => {
        // a problem with the events file is reported when they are read, after the leads' own
        ahead.read = await eventsAhead(ev, ir.activities, evOptions, fileSize(leadsFile)).catch(() => null);
      }
    : undefined;
  try {
    const bar = progressBar({ label: leadsFile });
    const leads = await readLeadsFile(leadsFile, { ...opts, onProgress: bar.onProgress }, cache, readAhead);
    bar.finish();
    let events: EventTable | null = null;
    if (ev) {
      const bar2 = progressBar({ label: ev });
      ahead.read?.onProgress(bar2.onProgress);
      events = await readEventsFile(ev, leads, ir.activities, { ...evOptions, onProgress: bar2.onProgress }, cache, ahead.read);
      bar2.finish();
      // activities the data never has, and types the ruleset does not declare (events of unknown leads are in the report)
      const { eventWarnings } = await import('../simulator/data/events.js');
      const ew = eventWarnings(events).filter((d) => d.code !== 'LQL519');
      if (ew.length) io.err(formatDiagnostics(ew, ev, null));
    }
    // Undeclared names are read from the data: each must be a column (a typo would
    // otherwise read as missing on every lead). Declared attributes the file lacks
    // are only warned about: the ruleset says what it expects, the export may omit it.
    // the id, the outcome and the dates: in the file, but not attribute columns of the table
    const special = new Set([opts.id === '@row' ? '' : (opts.id ?? 'id'), opts.outcome ?? 'outcome', 'created_at', 'closed_at']);
    const absent = ir.attributes.filter((a) => !leads.columns.has(a.name) && !special.has(a.name));
    // every other column of the file (also those not read: see `ruleColumnsOnly`)
    const have = leads.header.filter((h) => !special.has(h));
    const near = (name: string) => {
      const n = nearest(name, have);
      return n.length ? ` The nearest columns are ${n.map((c) => '`' + c + '`').join(', ')}.` : '';
    };
    const top = pointRange(1, 1);
    const warnings = absent.filter((x) => x.declared).map((a) => diag('LQL521', top, { column: a.name, hint: near(a.name) }, { file: leadsFile }));
    if (warnings.length) io.err(formatDiagnostics(warnings, leadsFile, null));
    const unknown = absent.filter((a) => !a.declared).map((a) => diag('LQL210', top, { name: a.name, hint: near(a.name) }, { file: leadsFile }));
    if (unknown.length) throw new InputError(formatDiagnostics(unknown, leadsFile, null));
    return { leads, events };
  } catch (e) {
    if (e instanceof DataError) throw new InputError(dataErrorText(e, leadsFile));
    throw e;
  } finally {
    // the leads failed: the events read ahead are not needed
    ahead.read?.cancel();
  }
}

async function withRuleset(args: Args, io: Io): Promise<{ file: string; ir: IR }> {
  const { loadRuleset } = await import('./commands.js');
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'expected one ruleset file.' : 'missing FILE.');
  const file = args.positionals[0]!;
  const r = loadRuleset(file, io, { warnings: false });
  return { file, ir: r.ir! };
}

/**
 * Threads for a replay: started at once when the events file is large enough for them to pay (a
 * snapshot's threads start when the cache reads its leads: parsed leads are replayed on one thread).
 */
async function replayThreads(args: Args): Promise<import('../simulator/replay-threads.js').ReplayThreads> {
  const { ReplayThreads } = await import('../simulator/replay-threads.js');
  const { fileSize } = await import('../simulator/data/files.js');
  const threads = new ReplayThreads();
  const events = s(args.values.events);
  if (events && fileSize(events) >= 32 << 20) threads.start();
  return threads;
}

/**
 * Run a command with the replay's threads for the JS engine started first, so that their start-up
 * (each loads its own modules) overlaps reading and compiling the ruleset; closed however the command
 * ends. Other engines, and an option the command will refuse, get none.
 */
async function withThreadsAhead(
  args: Args,
  f: (ahead: import('../simulator/replay-threads.js').ReplayThreads | undefined) => Promise<number>,
): Promise<number> {
  let ahead: import('../simulator/replay-threads.js').ReplayThreads | undefined;
  try {
    ahead = engineOf(args) === 'js' && s(args.values['split-at']) === undefined ? await replayThreads(args) : undefined;
  } catch {
    ahead = undefined; // a bad --engine (or file) is reported by the command itself, in its usual order
  }
  try {
    return await f(ahead);
  } finally {
    await ahead?.close();
  }
}

function engineOf(args: Args): 'js' | 'duckdb' | 'clickhouse' {
  const e = s(args.values.engine) ?? 'js';
  if (e !== 'js' && e !== 'duckdb' && e !== 'clickhouse') throw new UsageError(`--engine must be js, duckdb or clickhouse (got '${e}').`);
  return e;
}

/**
 * `--engine clickhouse`: the files are loaded as the JS engine loads them, then scored in embedded
 * ClickHouse (simulator/simulate-clickhouse.ts). chdb is looked for before the files are read.
 */
async function withClickHouse<T>(f: (ch: typeof import('../simulator/simulate-clickhouse.js')) => Promise<T>): Promise<T> {
  const ch = await import('../simulator/simulate-clickhouse.js');
  try {
    await ch.requireChdb();
    return await f(ch);
  } catch (e) {
    if (e instanceof ch.ClickHouseMissingError) throw new InputError(formatDiagnostics(e.diagnostics, '', null).replace(/^:1:1: /, ''));
    if (e instanceof ch.ClickHouseEngineError) throw new InputError(e.message);
    throw e;
  }
}


export const simulateCommand: Command = {
  name: 'simulate',
  usage: 'simulate FILE --leads CSV|JSONL [--events CSV|JSONL] [--id COL] [--outcome COL] [--baseline FILE2 | --split-at DATE] [--json | --format text|json|markdown] [--require GATE]... [--lenient]',
  summary: 'backtest a ruleset on historical leads: per stage reached, precision, recall, lift',
  description:
    '--format markdown prints a pull-request comment (with --baseline: the deltas, the leads that entered and\n' +
    'left each stage, and the rules diff). --require "MQL precision >= 0.70" (repeatable) exits 1 when a gate\n' +
    'fails, naming it; metrics: reached, won, lost, precision, precision_low, precision_high, recall, lift;\n' +
    'add "change" to gate the change against --baseline ("SQL reached change <= 50"); rates as 0.7 or 70%.',
  options: {
    ...DATA_OPTIONS,
    baseline: { type: 'string', arg: 'FILE2', help: 'the rules in use today: adds their report, the deltas and the leads that changed' },
    json: { type: 'boolean', help: 'print the report as JSON (the documented contract); same as --format json' },
    format: { type: 'string', arg: 'text|json|markdown', help: 'the report\'s form (default text); markdown is a pull-request comment' },
    require: { type: 'string', multiple: true, arg: 'GATE', help: 'a gate like "MQL precision >= 0.70": exit 1 naming it when it fails (repeatable)' },
    changes: { type: 'string', arg: 'N', help: 'with --baseline: list at most N changed leads in the text or markdown report (default 20)' },
    'split-at': { type: 'string', arg: 'DATE', help: 'report the leads created before DATE and those created from DATE on, side by side' },
  },
  run: (args, io) =>
    withThreadsAhead(args, (ahead) =>
    guard(io, async () => {
      const format = s(args.values.format) ?? (args.values.json ? 'json' : 'text');
      if (!['text', 'json', 'markdown'].includes(format)) throw new UsageError(`--format must be text, json or markdown (got '${format}').`);
      if (args.values.json && format !== 'json') throw new UsageError('use either --json or --format, not both.');
      const { parseGate, validateGates, evaluateGates, formatGateLines } = await import('./gates.js');
      const gateTexts = (args.values.require as string[] | undefined) ?? [];
      const gates = gateTexts.map(parseGate);
      const changesOpt = s(args.values.changes);
      const changes = changesOpt === undefined ? 20 : Number(changesOpt);
      if (!Number.isInteger(changes) || changes < 0) throw new UsageError(`--changes must be a whole number (got '${changesOpt}').`);
      const { ir, file } = await withRuleset(args, io);
      let baseline: IR | undefined;
      const bfile = s(args.values.baseline);
      if (bfile) {
        const { loadRuleset } = await import('./commands.js');
        baseline = loadRuleset(bfile, io, { warnings: false }).ir!;
      }
      validateGates(gates, ir.stages.map((x) => x.name), !!baseline);
      const asOf = timeOption('as-of', s(args.values['as-of']));
      const splitAt = timeOption('split-at', s(args.values['split-at']));
      if (splitAt !== undefined) {
        if (baseline || gates.length || format === 'markdown' || engineOf(args) !== 'js')
          throw new UsageError('--split-at shows one ruleset on two periods: use it without --baseline, --require, --format markdown and --engine duckdb or clickhouse.');
        const data = await loadData(ir, args, io, { ruleColumnsOnly: true });
        const { simulateSplit } = await import('../simulator/simulate.js');
        const split = simulateSplit(ir, data.leads, data.events, splitAt, { asOf });
        if (!split) throw new InputError(splitProblem(data.leads, splitAt, 'split-at'));
        const { printSplitReport } = await import('./report.js');
        io.out(format === 'json' ? JSON.stringify(split, null, 2) : printSplitReport(split));
        return 0;
      }
      let report: import('../simulator/metrics.js').Report;
      if (engineOf(args) === 'duckdb') {
        const { simulateWithDuckDB } = await import('./duckdb-commands.js');
        report = await simulateWithDuckDB(ir, args, { asOf, baseline, io });
      } else if (engineOf(args) === 'clickhouse') {
        report = await withClickHouse(async (ch) => {
          const data = await loadData(ir, args, io, { ruleColumnsOnly: true, ...(baseline ? { alsoFor: [baseline] } : {}) });
          return (await ch.simulateClickHouse(ir, data.leads, data.events, { asOf, baseline })).report;
        });
      } else {
        // the replay runs on every core when the events are many (started early, the threads' start-up overlaps the reading)
        const threads = ahead ?? (await replayThreads(args));
        try {
          const data = await loadData(ir, args, io, { threads, ruleColumnsOnly: true, ...(baseline ? { alsoFor: [baseline] } : {}) });
          const { simulateFullOn } = await import('../simulator/simulate.js');
          report = (await simulateFullOn(threads, ir, data.leads, data.events, { asOf, baseline })).report;
        } finally {
          await threads.close();
        }
      }
      const results = evaluateGates(gates, report);
      if (format === 'json') io.out(JSON.stringify(report, null, 2));
      else if (format === 'markdown') {
        const { markdownReport } = await import('./report-markdown.js');
        const { readText } = await import('./commands.js');
        io.out(markdownReport({ report, file, text: readText(file), ...(bfile ? { baselineFile: bfile, baselineText: readText(bfile) } : {}), gates: results, changes }));
      } else io.out(printReport(report, { changes }));
      if (results.length) io.err(formatGateLines(results).join('\n'));
      const failed = results.filter((r) => !r.passed);
      if (failed.length) {
        io.err(`lql simulate: ${failed.length} gate${failed.length === 1 ? '' : 's'} failed: ${failed.map((r) => `"${r.gate.text}"`).join(', ')}`);
        return 1;
      }
      return 0;
    })),
};

export const scoreCommand: Command = {
  name: 'score',
  usage: 'score FILE --leads ... [--events ...] [--as-of DATE] [-o OUT.csv|OUT.jsonl]',
  summary: 'score every lead: one row with id, every score, band, stage, route and stage times',
  options: {
    ...DATA_OPTIONS,
    out: { type: 'string', short: 'o', arg: 'OUT', help: 'write CSV (.csv) or JSON Lines (.jsonl) to this file (default: CSV on stdout)' },
    jsonl: { type: 'boolean', help: 'print JSON Lines instead of CSV' },
  },
  run: (args, io) =>
    withThreadsAhead(args, (ahead) =>
    guard(io, async () => {
      const out = s(args.values.out);
      if (out) refuseOutputOverInput(out, { 'the ruleset': args.positionals[0], 'the leads file': s(args.values.leads), 'the events file': s(args.values.events) });
      const { ir } = await withRuleset(args, io);
      const asOf = timeOption('as-of', s(args.values['as-of']));
      const { exportNames, rowAt, writeRows } = await import('../simulator/score-export.js');
      let count: number;
      let row: (i: number) => ScoreRow;
      let skipped: Skipped | undefined;
      if (engineOf(args) === 'duckdb') {
        const { scoreRowsWithDuckDB } = await import('./duckdb-commands.js');
        const rows = await scoreRowsWithDuckDB(ir, args, { asOf, io, onSkipped: (x) => (skipped = x) });
        count = rows.length;
        row = (i) => rows[i]!;
      } else if (engineOf(args) === 'clickhouse') {
        const r = await withClickHouse(async (ch) => {
          const data = await loadData(ir, args, io, { ruleColumnsOnly: true });
          return { st: await ch.replayClickHouse(ir, data.leads, data.events, { asOf, useClosedAt: false }), skipped: skippedOf(data.leads, data.events) };
        });
        count = r.st.n;
        row = (i) => rowAt(r.st, i);
        skipped = r.skipped;
      } else {
        // as in simulate: a large history from the cache is replayed on every core
        const threads = ahead ?? (await replayThreads(args));
        let st: import('../simulator/replay.js').ScoredTable;
        let data: LoadedData;
        try {
          data = await loadData(ir, args, io, { threads, ruleColumnsOnly: true });
          st = await threads.replay(ir, data.leads, data.events, { asOf, useClosedAt: false });
        } finally {
          await threads.close();
        }
        count = st.n;
        row = (i) => rowAt(st, i);
        skipped = skippedOf(data.leads, data.events);
      }
      const format = args.values.jsonl || (out ? /\.jsonl?$/i.test(out) : false) ? 'jsonl' : 'csv';
      if (skipped) printSkipped(io, skipped, format === 'jsonl');
      const names = exportNames(ir);
      if (out) {
        // rows go to a temporary file beside OUT, renamed over it when complete
        const f = openOutput(out);
        try {
          writeRows(format, names, count, row, (piece) => f.write(piece));
          f.commit();
        } finally {
          f.abort();
        }
        io.err(`wrote ${count} rows to ${out}`);
      } else writeRows(format, names, count, row, (piece) => io.out(piece));
      return 0;
    })),
};

/**
 * What a run did not use, on stderr (stdout keeps the data): text lines, or
 * one JSON line `{"skipped": {...}}` when the output is JSON Lines. Nothing
 * when nothing was skipped.
 */
function printSkipped(io: Io, skipped: Skipped, json: boolean): void {
  const lines = skippedText(skipped);
  if (!lines.length) return;
  io.err(json ? JSON.stringify({ skipped }) : lines.map(escapeControls).join('\n'));
}

/** Why a date split has an empty side, in the user's words. */
function splitProblem(leads: LeadTable, at: number, option: string): string {
  let dated = 0;
  let before = 0;
  for (let i = 0; i < leads.n; i++) {
    const c = leads.createdAt[i]!;
    if (c === c) {
      dated++;
      if (c < at) before++;
    }
  }
  const day = new Date(at).toISOString().slice(0, 10);
  if (!dated) return `--${option} needs the date each lead was created: ${leads.file} has no created_at values.`;
  return before === 0
    ? `--${option} ${day}: no lead was created before that date; pick a later one.`
    : `--${option} ${day}: no lead was created on or after that date; pick an earlier one.`;
}

/** A comma-separated list of lead columns from an option; an unknown name is a usage error naming the nearest columns. */
function columnList(args: Args, name: string, leads: LeadTable): string[] {
  const raw = s(args.values[name]);
  if (raw === undefined) return [];
  const names = raw.split(',').map((x) => x.trim()).filter(Boolean);
  const have = [...leads.columns.keys()];
  for (const c of names) {
    if (!leads.columns.has(c)) {
      const near = suggestName(c, have);
      throw new UsageError(`--${name}: the leads file has no column '${c}'.${near.length ? ` Did you mean '${near[0]}'?` : ''}`);
    }
  }
  return names;
}

export const suggestCommand: Command = {
  name: 'suggest',
  usage: 'suggest FILE --leads ... [--events ...] [--precision P | --capacity N/week] [--stage NAME] [--exclude A,B] [--include A,B] [--train-until DATE]',
  summary: 'close rate per activity and attribute value vs the base rate, suggested points and stage thresholds',
  options: {
    ...DATA_OPTIONS,
    precision: { type: 'string', arg: 'P', help: 'propose a stage threshold reaching this precision (e.g. 0.6 or 60%)' },
    capacity: { type: 'string', arg: 'N/week', help: 'propose a stage threshold for this sales capacity (e.g. 40/week)' },
    stage: { type: 'string', arg: 'NAME', help: 'the stage to tune (default: the first stage after the lowest, e.g. MQL)' },
    exclude: { type: 'string', arg: 'A,B', help: 'columns never given points (ids and outcome leaks are left out already)' },
    include: { type: 'string', arg: 'A,B', help: 'columns given points even though they look like an id or an outcome leak' },
    'train-until': { type: 'string', arg: 'DATE', help: 'learn from the leads created before DATE only, and check the result on the leads created from DATE on' },
    json: { type: 'boolean', help: 'print JSON' },
  },
  run: (args, io) =>
    guard(io, async () => {
      const { ir } = await withRuleset(args, io);
      const data = await loadData(ir, args, io);
      const precisionRaw = s(args.values.precision);
      const capacityRaw = s(args.values.capacity);
      if (precisionRaw && capacityRaw) throw new UsageError('use either --precision or --capacity, not both.');
      let precision: number | undefined;
      if (precisionRaw) {
        precision = precisionRaw.endsWith('%') ? Number(precisionRaw.slice(0, -1)) / 100 : Number(precisionRaw);
        if (!(precision > 0 && precision <= 1)) throw new UsageError(`--precision must be between 0 and 1 (or 0% and 100%), got '${precisionRaw}'.`);
      }
      let capacity: number | undefined;
      if (capacityRaw) {
        const m = /^(\d+(?:\.\d+)?)\s*(?:\/\s*(week|wk|w|day|d|month|mo))?$/i.exec(capacityRaw);
        if (!m) throw new UsageError(`--capacity must look like 40/week, got '${capacityRaw}'.`);
        const per = (m[2] ?? 'week').toLowerCase();
        capacity = Number(m[1]) * (per.startsWith('d') ? 7 : per.startsWith('m') ? 7 / 30.4375 : 1);
      }
      const { suggest, printSuggestions } = await import('../simulator/suggest.js');
      const asOf = timeOption('as-of', s(args.values['as-of']));
      const exclude = columnList(args, 'exclude', data.leads);
      const include = columnList(args, 'include', data.leads);
      const sopts = { precision, capacityPerWeek: capacity, stage: s(args.values.stage), asOf, exclude, include };
      const until = timeOption('train-until', s(args.values['train-until']));
      if (until !== undefined) {
        const { suggestValidated, printValidated } = await import('../simulator/suggest.js');
        const v = suggestValidated(ir, data.leads, data.events, until, sopts);
        if (!v) throw new InputError(splitProblem(data.leads, until, 'train-until'));
        const skipped = skippedOf(data.leads, data.events);
        if (!args.values.json) printSkipped(io, skipped, false);
        io.out(args.values.json ? JSON.stringify({ ...v, skipped }, null, 2) : printValidated(v));
        return 0;
      }
      const result = suggest(ir, data.leads, data.events, sopts);
      const skipped = skippedOf(data.leads, data.events);
      if (!args.values.json) printSkipped(io, skipped, false);
      io.out(args.values.json ? JSON.stringify({ ...result, skipped }, null, 2) : printSuggestions(result));
      return 0;
    }),
};

/**
 * The ClickHouse backtest: `lql simulate --engine clickhouse` and `lql score
 * --engine clickhouse`. The files are read by the JS loader (so every value,
 * message and `--lenient` skip is the JS engine's), the typed columns go to
 * embedded ClickHouse (the `chdb` package) through a tab-separated temporary
 * file per table (read with `file()`), and every lead is scored there by the ruleset's exported SQL in the
 * ClickHouse dialect (language/compile/emit-sql.ts). Only the per-lead
 * results (scores, band / stage / route codes, stage times, activity
 * presence) come back, into the typed arrays of a ScoredTable, for the same
 * `computeReport` the JS engine uses.
 *
 * Input: a ruleset's IR (and optionally a baseline IR), the loaded LeadTable
 * and EventTable (simulator/data), asOf and the closed_at rule as for
 * `replay`.
 * Output: `replayClickHouse` -> a ScoredTable equal to `replay`'s;
 * `simulateClickHouse` -> the Report of spec/CLI.md (with `baseline`,
 * `delta`, `changes`), as `simulateFull`.
 * Invariants:
 * - each attribute is written as the text that the query's reader for the
 *   type it is read as turns into exactly the value the JS kernel reads
 *   (`columnAs`, the kernel's own conversion): numbers as JS prints them,
 *   dates as epoch ms, booleans as true/false; missing values are NULL;
 * - leads are keyed by their row number and come back in file order;
 * - without chdb installed, `ClickHouseMissingError` (LQL611), never a crash;
 *   the embedded database lives in a temporary folder removed on every path.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IR, IRType } from '../language/compile/ir.js';
import { exportSql, type SqlColumn, type SqlExport } from '../language/compile/emit-sql.js';
import { diag } from '../language/diagnostics/registry.js';
import { pointRange, type Diagnostic } from '../language/diagnostics/diagnostic.js';
import type { EventTable, LeadTable } from './data/table.js';
import { columnAs } from './kernel/kernel-runtime.js';
import { activityIndexes, type KernelMode } from './kernel/emit-kernel.js';
import { defaultAsOf, replayMode, type ScoredTable } from './replay.js';
import { engineQueryOptions, resultSink } from './sql-results.js';
import { reportOf, withBaseline } from './simulate.js';
import type { Report } from './metrics.js';

/** The part of chdb's Session this engine uses. */
interface ChdbSession {
  query(sql: string, format?: string): string;
  close(): void;
}

/** chdb is not installed (it is kept out of the dependencies: ~550 MB, Linux and macOS builds only). */
export class ClickHouseMissingError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(reason: string) {
    const d = diag('LQL611', pointRange(1, 1), { reason });
    super(d.message);
    this.name = 'ClickHouseMissingError';
    this.diagnostics = [d];
  }
}

/** The query failed inside ClickHouse (a fault of the export, reported with the engine's own words). */
export class ClickHouseEngineError extends Error {
  constructor(readonly reason: string) {
    super(`ClickHouse could not score the leads: ${reason}`);
    this.name = 'ClickHouseEngineError';
  }
}

const CHDB = 'chdb';

/** chdb's Session class; ClickHouseMissingError when the package is not installed. */
export async function requireChdb(): Promise<new () => ChdbSession> {
  try {
    return ((await import(/* @vite-ignore */ CHDB)) as { Session: new () => ChdbSession }).Session;
  } catch (e) {
    const first = ((e as Error).message ?? String(e)).split('\n')[0]!.trim();
    throw new ClickHouseMissingError(first.replace(/ imported from .*$/, ''));
  }
}

/** A new embedded ClickHouse in a temporary folder. */
async function openChdb(): Promise<ChdbSession> {
  const Session = await requireChdb();
  return new Session();
}

export interface ClickHouseReplayOptions {
  mode?: KernelMode;
  asOf?: number;
  /** apply the closed_at rules (default true) */
  useClosedAt?: boolean;
}

/** ClickHouse `TabSeparated` text of one cell (\N is NULL). */
function tsv(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\t\n\r\0]/.test(v)
    ? v.replace(/[\\\t\n\r\0]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\0'))
    : v;
}

const READ_TYPES: IRType[] = ['number', 'text', 'bool', 'date'];

/** The (attribute, type) readings the query of `ir` makes, in a fixed order. */
function readings(ir: IR, events: boolean): { name: string; type: IRType }[] {
  const seen = new Set<string>();
  exportSql(ir, {
    dialect: 'clickhouse',
    asOf: 0,
    eventsTable: events ? 'e' : null,
    columnFor: (name, type) => {
      seen.add(`${type}\u0000${name}`);
      return name;
    },
  });
  const out: { name: string; type: IRType }[] = [];
  for (const a of ir.attributes) for (const t of READ_TYPES) if (seen.has(`${t}\u0000${a.name}`)) out.push({ name: a.name, type: t });
  return out;
}

/** Text of lead i's value of `name` read as `type`, as the kernel converts it. */
function canonical(leads: LeadTable, name: string, type: IRType): (i: number) => string | null {
  const c = columnAs(leads, name, leads.columns.get(name), type, leads.n);
  if (c.type === 'text') return (i) => (c.codes[i]! >= 0 ? c.dict[c.codes[i]!]! : null);
  if (c.type === 'bool') return (i) => (c.values[i] === 1 ? 'true' : c.values[i] === 0 ? 'false' : null);
  const v = c.values;
  return (i) => (v[i] === v[i] ? String(v[i]) : null);
}

/**
 * Tab-separated rows for a table, written to a temporary file in pieces of
 * 200,000 rows and read by ClickHouse with `file()` in one INSERT (ten times
 * faster than sending the text through chdb's insert).
 */
class TsvFile {
  private lines: string[] = [];
  private readonly path: string;
  constructor(
    private readonly s: ChdbSession,
    private readonly table: string,
    private readonly structure: string,
    dir: string,
  ) {
    this.path = join(dir, `${table}.tsv`);
    writeFileSync(this.path, '');
  }
  add(line: string): void {
    if (this.lines.push(line) >= 200_000) this.write();
  }
  private write(): void {
    if (this.lines.length) appendFileSync(this.path, this.lines.join('\n') + '\n');
    this.lines = [];
  }
  /** Writes the rest and loads the file into the table (`select`: the columns to insert, from the file's). */
  load(select = '*'): void {
    this.write();
    this.s.query(`INSERT INTO ${q(this.table)} SELECT ${select} FROM file(${chLit(this.path)}, 'TabSeparated', ${chLit(this.structure)})`);
  }
}

const chLit = (s: string) => "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
const q = (s: string) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';

/** Write the leads (and events) into tables of `s`; returns the column of each reading. */
function loadTables(s: ChdbSession, dir: string, irs: IR[], leads: LeadTable, events: EventTable | null, activities: readonly string[]): Map<string, string> {
  const reads: { name: string; type: IRType }[] = [];
  const colOf = new Map<string, string>();
  for (const ir of irs)
    for (const r of readings(ir, !!events)) {
      const key = `${r.type}\u0000${r.name}`;
      if (colOf.has(key)) continue;
      colOf.set(key, `a${reads.length}`);
      reads.push(r);
    }
  const cols = ['"__lql_row" Int64', '"__lql_closed_ms" Nullable(Int64)', ...reads.map((_, j) => `"a${j}" Nullable(String)`)];
  s.query(`CREATE TABLE "lql_leads" (${cols.join(', ')}) ENGINE = Memory`);
  const getters = reads.map((r) => canonical(leads, r.name, r.type));
  const leadRows = new TsvFile(s, 'lql_leads', cols.join(', '), dir);
  const closed = leads.closedAt;
  for (let i = 0; i < leads.n; i++) {
    let line = `${i + 1}\t${closed[i] === closed[i] ? String(closed[i]) : '\\N'}`;
    for (const g of getters) line += '\t' + tsv(g(i));
    leadRows.add(line);
  }
  leadRows.load();
  if (events) {
    s.query(`CREATE TABLE "lql_ev" ("lead_id" Int64, "type" String, "at" Int64) ENGINE = Memory`);
    // a time is written as two small integers (seconds-ish and the rest): printing a 13-digit double is the slow part
    const evCols = '"lead_id" Int64, "type" String, "hi" Int64, "lo" Int64';
    const acts = activityIndexes(events, activities);
    const names = activities.map(tsv);
    const ev = new TsvFile(s, 'lql_ev', evCols, dir);
    const { offsets, times } = events;
    for (let i = 0; i < leads.n; i++) {
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
        const a = acts[j]!;
        if (a < 0) continue;
        const t = times[j]!;
        const hi = Math.floor(t / 1e9);
        ev.add(`${i + 1}\t${names[a]}\t${hi}\t${t - hi * 1e9}`);
      }
    }
    ev.load('"lead_id", "type", "hi" * 1000000000 + "lo"');
  }
  return colOf;
}

/** Run one scoring query and read its rows into a ScoredTable. */
function scoreIn(
  s: ChdbSession,
  ir: IR,
  leads: LeadTable,
  hasEvents: boolean,
  colOf: Map<string, string>,
  run: { mode: KernelMode; asOf: number; useClosedAt: boolean; untimed: boolean },
): { scored: ScoredTable; sql: string } {
  const events = run.mode === 'events' && hasEvents;
  const opts = engineQueryOptions({
    dialect: 'clickhouse',
    asOf: run.asOf,
    mode: run.mode,
    events,
    closedAt: run.useClosedAt,
    columnFor: (name, type) => {
      const c = colOf.get(`${type}\u0000${name}`);
      if (c === undefined) throw new Error(`internal: attribute ${name} as ${type} was not loaded`);
      return c;
    },
  });
  const exp = exportSql(ir, opts);
  const errors = exp.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new ClickHouseEngineError(errors.map((d) => `${d.code} ${d.message}`).join('; '));
  let text: string;
  try {
    text = runInSteps(s, exp.parts!);
  } catch (e) {
    throw new ClickHouseEngineError(((e as Error).message ?? String(e)).replace(/\s+/g, ' ').trim());
  }
  return { scored: toScored(ir, leads, text, exp.columns, run), sql: exp.sql };
}

/**
 * Run the query with every CTE that is read more than once stored first as a
 * table of its name: ClickHouse computes a CTE again at each use (and plans
 * the whole inlined tree), so the replay's shared parts would otherwise be
 * computed up to five times. The tables are dropped afterwards.
 */
function runInSteps(s: ChdbSession, parts: NonNullable<SqlExport['parts']>): string {
  const settings = parts.settings ? '\n' + parts.settings : '';
  const uses = (name: string, text: string) => text.split(`FROM ${q(name)}`).length - 1 + text.split(`JOIN ${q(name)}`).length - 1;
  const pending: { name: string; body: string }[] = [];
  const stored: string[] = [];
  const withClause = () => (pending.length ? `WITH\n${pending.map((c) => `${q(c.name)} AS (\n${c.body}\n)`).join(',\n')}\n` : '');
  try {
    parts.ctes.forEach((c, k) => {
      const later =
        parts.ctes
          .slice(k + 1)
          .map((x) => x.body)
          .join('\n') +
        '\n' +
        parts.select;
      if (uses(c.name, later) > 1) {
        s.query(`CREATE TABLE ${q(c.name)} ENGINE = Memory AS ${withClause()}SELECT * FROM (\n${c.body}\n) AS "m"${settings}`);
        stored.push(c.name);
      } else pending.push(c);
    });
    return s.query(`${withClause()}${parts.select}${settings}`, 'TabSeparated');
  } finally {
    for (const name of stored) s.query(`DROP TABLE IF EXISTS ${q(name)}`);
  }
}

function toScored(ir: IR, leads: LeadTable, text: string, columns: SqlColumn[], run: { mode: KernelMode; asOf: number; untimed: boolean }): ScoredTable {
  const n = leads.n;
  const { sinks, table } = resultSink(ir, columns, n);
  let row = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (row >= n) throw new ClickHouseEngineError(`more result rows than the ${n} leads`);
    const cells = text.slice(start, end).split('\t');
    for (let ci = 0; ci < sinks.length; ci++) {
      const sink = sinks[ci];
      if (!sink) continue;
      const c = cells[ci];
      sink(row, c === undefined || c === '\\N' ? null : Number(c));
    }
    row++;
    start = end + 1;
  }
  if (row !== n) throw new ClickHouseEngineError(`${row} result rows for ${n} leads`);
  const st = table({ mode: run.mode, asOf: run.asOf, ids: leads.ids, outcome: leads.outcome });
  if (run.untimed) st.untimed = true;
  return st;
}

/** The run's mode and asOf, as `replay` takes them. */
function runOf(ir: IR, leads: LeadTable, events: EventTable | null | undefined, opts: ClickHouseReplayOptions) {
  const mode = replayMode(events, opts);
  const found = opts.asOf ?? defaultAsOf(leads, mode === 'events' ? events : null, ir.activities);
  const untimed = found !== found;
  return { mode, asOf: untimed ? 0 : found, untimed, useClosedAt: opts.useClosedAt !== false };
}

async function withTables<T>(
  irs: IR[],
  leads: LeadTable,
  events: EventTable | null | undefined,
  f: (s: ChdbSession, colOf: Map<string, string>) => T,
): Promise<{ value: T; loadMs: number; scoreMs: number }> {
  const t0 = performance.now();
  const s = await openChdb();
  const dir = mkdtempSync(join(tmpdir(), 'lql-clickhouse-'));
  try {
    const activities = [...new Set(irs.flatMap((ir) => ir.activities))];
    const colOf = loadTables(s, dir, irs, leads, events ?? null, activities);
    const t1 = performance.now();
    const value = f(s, colOf);
    return { value, loadMs: t1 - t0, scoreMs: performance.now() - t1 };
  } finally {
    s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Score every lead inside ClickHouse: the ScoredTable `replay` gives. */
export async function replayClickHouse(ir: IR, leads: LeadTable, events?: EventTable | null, opts: ClickHouseReplayOptions = {}): Promise<ScoredTable> {
  const run = runOf(ir, leads, events, opts);
  return (await withTables([ir], leads, events, (s, colOf) => scoreIn(s, ir, leads, !!events, colOf, run).scored)).value;
}

export interface ClickHouseSimulateResult {
  report: Report;
  scored: ScoredTable;
  baselineScored?: ScoredTable;
  timings: { loadMs: number; scoreMs: number };
}

/** Backtest a ruleset inside ClickHouse: the same Report as `simulateFull` of the JS engine. */
export async function simulateClickHouse(
  ir: IR,
  leads: LeadTable,
  events: EventTable | null | undefined,
  opts: { asOf?: number; baseline?: IR; bins?: number; maxChanges?: number } = {},
): Promise<ClickHouseSimulateResult> {
  const run = runOf(ir, leads, events, { asOf: opts.asOf });
  const irs = opts.baseline ? [ir, opts.baseline] : [ir];
  const r = await withTables(irs, leads, events, (s, colOf) => {
    const scored = scoreIn(s, ir, leads, !!events, colOf, run).scored;
    // as simulateFull: the baseline runs at the asOf the ruleset's run found
    const baselineScored = opts.baseline ? scoreIn(s, opts.baseline, leads, !!events, colOf, { ...run, untimed: false }).scored : undefined;
    return { scored, baselineScored };
  });
  const { scored, baselineScored } = r.value;
  let report = reportOf(ir, scored, leads, events, opts.bins);
  if (opts.baseline && baselineScored) {
    const baseline = reportOf(opts.baseline, baselineScored, leads, events, opts.bins);
    report = withBaseline({ report, scored }, { report: baseline, scored: baselineScored }, opts.maxChanges);
  }
  return { report, scored, baselineScored, timings: { loadMs: r.loadMs, scoreMs: r.scoreMs } };
}

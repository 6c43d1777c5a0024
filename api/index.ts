/**
 * The LQL library API: `import { check, compile, simulate, score } from 'lql'`.
 *
 * Input: ruleset source text, and for `simulate`/`score` the leads (and
 * events) as file paths (CSV, JSON Lines, Parquet, Arrow) or arrays of
 * records. Output: `check` gives the diagnostics; `compile` a scorer
 * function (or, with a `target`, the exported ES module, CommonJS module,
 * SQL query or IR as text); `simulate` the backtest report (the
 * `lql simulate --json` contract); `score` one row per lead.
 * Invariants: the same modules as the `lql` command, so the same answers;
 * a ruleset with errors or bad data throws an `LqlError` whose
 * `diagnostics` say what and where (never a result computed on dropped
 * rows); nothing is printed.
 */
import { compileSource, COMPILER_VERSION } from '../language/index.js';
import { compileScorer } from '../language/compile/emit-js.js';
import { parseTimeText } from '../language/shared/values.js';
import type { Diagnostic } from '../language/diagnostics/diagnostic.js';
import type { IR } from '../language/compile/ir.js';
import type { Scorer, ScoreFn, RulesetInfo, LeadEvent, EventTime, ScoreResult } from '../language/shared/result-types.js';
import type { Report } from '../simulator/metrics.js';
import type { ScoreRow } from '../simulator/simulate.js';
import type { DataSource } from '../simulator/data/source.js';
import type { EventTable, LeadTable, LoadOptions } from '../simulator/data/table.js';

export type { Diagnostic, IR, Report, ScoreRow, Scorer, ScoreFn, RulesetInfo, LeadEvent, EventTime, ScoreResult };

/** A ruleset with errors, bad data or an unknown column: `diagnostics` has each problem with its code and place. */
export class LqlError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(message);
    this.name = 'LqlError';
  }
}

function describe(ds: readonly Diagnostic[], file?: string): string {
  return ds.map((d) => `${file ? `${file}:` : ''}${d.range.start.line}:${d.range.start.column}: ${d.severity} ${d.code}: ${d.message}`).join('\n');
}

export interface CheckResult {
  /** no errors (warnings allowed) */
  ok: boolean;
  errors: number;
  warnings: number;
  /** every error and warning, in source order (lines and columns 1-based) */
  diagnostics: Diagnostic[];
}

/** Parse and check a ruleset: every error and warning in one pass. Never throws. */
export function check(source: string): CheckResult {
  const r = compileSource(source);
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  return { ok: errors === 0, errors, warnings: r.diagnostics.filter((d) => d.severity === 'warning').length, diagnostics: r.diagnostics };
}

function irOf(source: string, what = 'ruleset'): IR {
  const r = compileSource(source);
  if (!r.ir) {
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    throw new LqlError(`the ${what} has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${describe(errors)}`, errors);
  }
  return r.ir;
}

export interface CompileOptions {
  /** `esm`/`cjs`: a standalone module's text; `sql`: one query; `json`: the IR; default: a scorer to call */
  target?: 'esm' | 'cjs' | 'sql' | 'json';
  /** for `sql`: `duckdb` (default), `postgres` or `clickhouse` */
  dialect?: 'duckdb' | 'postgres' | 'clickhouse';
  /** for `sql`: evaluate as of this time (default: the latest event in the tables) */
  asOf?: string | number | Date;
}

/** Compile a ruleset to a scorer: `compile(src).score(lead, events, asOf)`. Throws LqlError on errors. */
export function compile(source: string): Scorer;
/** Compile a ruleset to exported text: an ES or CommonJS module, a SQL query, or the IR as JSON. */
export function compile(source: string, options: CompileOptions & { target: 'esm' | 'cjs' | 'sql' | 'json' }): Promise<string>;
export function compile(source: string, options?: CompileOptions): Scorer | Promise<string> {
  const ir = irOf(source);
  if (!options?.target) return compileScorer(ir);
  return exportText(ir, options);
}

async function exportText(ir: IR, o: CompileOptions): Promise<string> {
  switch (o.target) {
    case 'json':
      return JSON.stringify(ir, null, 2) + '\n';
    case 'sql': {
      const { emitSql, SqlExportError } = await import('../language/compile/emit-sql.js');
      const asOf = o.asOf === undefined ? undefined : toTime(o.asOf, 'asOf');
      try {
        return emitSql(ir, { dialect: o.dialect ?? 'duckdb', ...(asOf !== undefined ? { asOf } : {}) } as Parameters<typeof emitSql>[1]);
      } catch (e) {
        if (e instanceof SqlExportError) throw new LqlError(`the ruleset cannot be exported as SQL:\n${describe(e.diagnostics)}`, e.diagnostics);
        throw e;
      }
    }
    default: {
            const { emitModule } = await import('../language/compile/emit-js.js');
      return emitModule(ir, { format: o.target === 'cjs' ? 'cjs' : 'esm', compilerVersion: COMPILER_VERSION });
    }
  }
}

function toTime(v: string | number | Date, name: string): number {
  // the one time reader of every command (ISO 8601, UTC without an offset, or epoch ms)
  const t = v instanceof Date ? v.getTime() : typeof v === 'number' ? (Number.isSafeInteger(v) ? v : NaN) : (parseTimeText(v) ?? NaN);
  if (!Number.isFinite(t)) throw new LqlError(`${name}: '${String(v)}' is not a date (use 2026-01-10 or 2026-01-10T09:30:00Z).`, []);
  return t;
}

/** Leads or events: a file path, or records (`{ id, outcome, ... }`; events `{ lead_id, type, at }`). */
export type Data = string | readonly Record<string, unknown>[];

export interface DataOptions {
  leads: Data;
  events?: Data;
  /** the id column (default `id`; `@row` numbers the rows) */
  id?: string;
  /** the outcome column (default `outcome`) */
  outcome?: string;
  /** values read as missing, e.g. ['Select', 'unknown'] */
  missing?: string[];
  /** skip bad rows and count them in the report instead of throwing */
  lenient?: boolean;
  /** evaluate as of this time (default: the latest date in the data) */
  asOf?: string | number | Date;
}

export interface SimulateOptions extends DataOptions {
  /** the rules in use today: the report gets `baseline`, `delta` and `changes` */
  baseline?: string;
}

function recordsSource(name: string, rows: readonly Record<string, unknown>[]): DataSource {
  return { name, text: rows.map((r) => JSON.stringify(r)).join('\n') + '\n', format: 'jsonl' };
}

async function loadAll(ir: IR, o: DataOptions): Promise<{ leads: LeadTable; events: EventTable | null }> {
  const { DataError, badRowsSummary } = await import('../simulator/data/errors.js');
  const { loadLeads } = await import('../simulator/data/leads.js');
  const { loadEvents } = await import('../simulator/data/events.js');
  const types: Record<string, 'text' | 'number' | 'bool' | 'date'> = Object.create(null);
  for (const a of ir.attributes) if (a.declared) types[a.name] = a.type;
  const opts: LoadOptions = { types, lenient: !!o.lenient, ...(o.id ? { id: o.id } : {}), ...(o.outcome ? { outcome: o.outcome } : {}), ...(o.missing ? { missing: o.missing } : {}) };
  try {
    let leads: LeadTable;
    if (typeof o.leads === 'string') leads = await (await import('../simulator/data/files.js')).loadLeadsFile(o.leads, opts);
    else leads = await loadLeads(recordsSource('leads', o.leads), opts);
    let events: EventTable | null = null;
    if (o.events !== undefined) {
      if (typeof o.events === 'string') events = await (await import('../simulator/data/files.js')).loadEventsFile(o.events, leads, ir.activities, { lenient: opts.lenient });
      else events = await loadEvents(recordsSource('events', o.events), leads, ir.activities, { lenient: opts.lenient });
    }
    // A name the ruleset reads from the data must be a column (a typo would read as missing on every lead).
    const file = typeof o.leads === 'string' ? o.leads : 'leads';
    const unknown = ir.attributes.filter((a) => !a.declared && !leads.columns.has(a.name) && a.name !== 'created_at' && a.name !== 'closed_at' && !leads.header.includes(a.name));
    if (unknown.length) {
      const { diag } = await import('../language/diagnostics/registry.js');
      const { pointRange } = await import('../language/diagnostics/diagnostic.js');
      const ds = unknown.map((a) => diag('LQL210', pointRange(1, 1), { name: a.name, hint: '' }, { file }));
      throw new LqlError(describe(ds, file), ds);
    }
    return { leads, events };
  } catch (e) {
    if (e instanceof DataError) {
      // how many rows are bad in all (the diagnostics list the first few)
      const count = e.badRows === null ? '' : `\n${badRowsSummary(e.diagnostics, e.badRows)}`;
      throw new LqlError(`bad data:\n${describe(e.diagnostics)}${count}`, e.diagnostics);
    }
    throw e;
  }
}

/** Backtest a ruleset on historical leads: the `lql simulate --json` report. */
export async function simulate(source: string, options: SimulateOptions): Promise<Report> {
  const ir = irOf(source);
  const baseline = options.baseline === undefined ? undefined : irOf(options.baseline, 'baseline ruleset');
  const data = await loadAll(ir, options);
  const { simulateFull } = await import('../simulator/simulate.js');
  const asOf = options.asOf === undefined ? undefined : toTime(options.asOf, 'asOf');
  return simulateFull(ir, data.leads, data.events, { ...(asOf !== undefined ? { asOf } : {}), ...(baseline ? { baseline } : {}) }).report;
}

/** Score every lead: one row with its id, every score, band, stage, route and stage times (as `lql score`). */
export async function score(source: string, options: DataOptions): Promise<ScoreRow[]> {
  const ir = irOf(source);
  const data = await loadAll(ir, options);
  const { scoredRows } = await import('../simulator/simulate.js');
  const { replay } = await import('../simulator/replay.js');
  const asOf = options.asOf === undefined ? undefined : toTime(options.asOf, 'asOf');
  return scoredRows(replay(ir, data.leads, data.events, { ...(asOf !== undefined ? { asOf } : {}), useClosedAt: false }));
}

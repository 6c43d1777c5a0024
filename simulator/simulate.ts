/**
 * The simulator's one entry point, used by the CLI (`lql simulate`,
 * `lql score`), the browser worker and the tests.
 *
 * Input: a ruleset's IR, a LeadTable, an optional EventTable (event history;
 * without it the data is a snapshot), options.
 * Output: `simulate` -> the Report of spec/CLI.md (`simulate --json`), with
 * `baseline`, `delta` and `changes` when a baseline IR is given;
 * `scoreAll` -> one row per lead (id, every score, band labels, stage,
 * route, stage times) for `lql score`.
 * Invariants: simulation applies the closed_at rules of docs/semantics.md
 * ("In the simulator"); `scoreAll` by default does not (it answers what the
 * compiled scorer answers for each lead at the run's asOf: `--as-of`, else
 * the latest timestamp in the data). Maps keyed by user names in rows are
 * null-prototype objects.
 */
import { skippedOf } from './skipped.js';
import type { IR } from '../language/compile/ir.js';
import type { AttrType } from '../language/syntax/ast.js';
import type { EventTable, LeadTable } from './data/table.js';
import { computeReport, type Report } from './metrics.js';
import { replay, type ReplayOptions, type ScoredTable } from './replay.js';
import { leadChanges, reportDelta } from './compare.js';
import { dataWeeks } from './time.js';
import { eventRows, leadRows, scoredRowsOf, splitByCreation } from './split.js';
import { rowAt } from './score-export.js';

export interface SimulateOptions extends ReplayOptions {
  /** the rules in use today: adds `baseline`, `delta` and `changes` */
  baseline?: IR;
  /** target histogram bins per score (default 10) */
  bins?: number;
  /** at most this many changed leads listed (default all) */
  maxChanges?: number;
}

export interface SimulateResult {
  report: Report;
  scored: ScoredTable;
  baselineScored?: ScoredTable;
}

/**
 * The types the data readers read a ruleset's columns as: every attribute it
 * reads, declared or typed by its use (`zip starts with "0"` makes zip text),
 * so `02134` stays `02134` (docs/semantics.md, "Reading values"). Columns the
 * ruleset never reads are typed from their data.
 */
export function columnTypes(ir: IR): Record<string, AttrType> {
  const types = Object.create(null) as Record<string, AttrType>;
  for (const a of ir.attributes) types[a.name] = a.type;
  return types;
}

function rejected(leads: LeadTable, events?: EventTable | null) {
  return { rows: leads.rejected.rows, events: events ? events.rejected.rows : 0 };
}

/**
 * Report from an already scored table. `previous`: an earlier report of the
 * same tables (same mode), whose parts with unchanged inputs are reused.
 */
export function reportOf(
  ir: IR,
  scored: ScoredTable,
  leads: LeadTable,
  events?: EventTable | null,
  bins?: number,
  previous?: { report: Report; scored: ScoredTable },
): Report {
  const report = computeReport(scored, {
    ruleset: ir.name,
    rejected: rejected(leads, events),
    unknownLeadEvents: events ? events.unknownLeads.events : 0,
    time: { createdAt: leads.createdAt, weeks: dataWeeks(leads, scored.mode === 'events' ? (events ?? null) : null) },
    ...(bins !== undefined ? { bins } : {}),
    ...(previous && previous.scored.mode === scored.mode ? { previous } : {}),
  });
  report.skipped = skippedOf(leads, events);
  return report;
}

/**
 * The report compared with the rules in use today: `baseline`, `delta` and
 * (up to `maxChanges`; none with null) the leads whose stage changed.
 * Returns a copy.
 */
export function withBaseline(
  current: { report: Report; scored: ScoredTable },
  baseline: { report: Report; scored: ScoredTable },
  maxChanges: number | null = Infinity,
): Report {
  return {
    ...current.report,
    baseline: baseline.report,
    delta: reportDelta(current.report, baseline.report, { current: current.scored, baseline: baseline.scored }),
    ...(maxChanges !== null ? { changes: leadChanges(current.scored, baseline.scored, maxChanges) } : {}),
  };
}

/**
 * Column types a ruleset reads differently from how a table was read
 * (`attribute x: text` over a column inferred as bool): the types to read
 * the file again with, or null when every column the ruleset reads already
 * has its type.
 */
export function retypedColumns(ir: IR, leads: LeadTable): Record<string, AttrType> | null {
  const types = Object.create(null) as Record<string, AttrType>;
  let differs = false;
  for (const a of ir.attributes) {
    const col = leads.columns.get(a.name);
    if (!col) continue;
    types[a.name] = a.type;
    if (col.type !== a.type) differs = true;
  }
  return differs ? types : null;
}

/** Backtest a ruleset and keep the per-lead results too. */
export function simulateFull(ir: IR, leads: LeadTable, events?: EventTable | null, opts: SimulateOptions = {}): SimulateResult {
  const scored = replay(ir, leads, events, opts);
  const report = reportOf(ir, scored, leads, events, opts.bins);
  if (!opts.baseline) return { report, scored };
  return withBaselineRun(opts.baseline, replay(opts.baseline, leads, events, baselineOptions(opts, scored)), leads, events, opts, { report, scored });
}

/** A replay that may run on several threads (simulator/replay-threads.ts, Node only). */
export interface ThreadedReplay {
  replay(ir: IR, leads: LeadTable, events: EventTable | null | undefined, opts: ReplayOptions): Promise<ScoredTable>;
  /** group the table's scores for the report's ranking on other threads meanwhile (when they can) */
  rankAhead?(table: ScoredTable): void;
}

/** `simulateFull`, its replays run by `threads` (the same results). */
export async function simulateFullOn(
  threads: ThreadedReplay,
  ir: IR,
  leads: LeadTable,
  events?: EventTable | null,
  opts: SimulateOptions = {},
): Promise<SimulateResult> {
  const scored = await threads.replay(ir, leads, events, opts);
  threads.rankAhead?.(scored);
  const report = reportOf(ir, scored, leads, events, opts.bins);
  if (!opts.baseline) return { report, scored };
  const baselineScored = await threads.replay(opts.baseline, leads, events, baselineOptions(opts, scored));
  threads.rankAhead?.(baselineScored);
  return withBaselineRun(opts.baseline, baselineScored, leads, events, opts, { report, scored });
}

/** The baseline's replay options: the run's asOf and mode, no progress. */
function baselineOptions(opts: SimulateOptions, scored: ScoredTable): ReplayOptions {
  const bopts: ReplayOptions = { ...opts, asOf: scored.asOf, mode: scored.mode };
  delete bopts.onProgress;
  return bopts;
}

/** The result with the baseline's report, from its replay. */
function withBaselineRun(
  baseline: IR,
  baselineScored: ScoredTable,
  leads: LeadTable,
  events: EventTable | null | undefined,
  opts: SimulateOptions,
  current: { report: Report; scored: ScoredTable },
): SimulateResult {
  const report = reportOf(baseline, baselineScored, leads, events, opts.bins);
  return { report: withBaseline(current, { report, scored: baselineScored }, opts.maxChanges), scored: current.scored, baselineScored };
}

export interface SplitReport {
  ruleset: string | null;
  /** the date (ISO 8601): `before` holds the leads created before it, `after` those created at or after it */
  splitAt: string;
  /** leads without created_at, in neither part */
  undated: number;
  before: Report;
  after: Report;
}

/**
 * Backtest once, then report the leads created before a date and those
 * created at or after it side by side (same asOf, same rules); null when
 * either side has no lead.
 */
export function simulateSplit(ir: IR, leads: LeadTable, events: EventTable | null | undefined, at: number, opts: SimulateOptions = {}): SplitReport | null {
  const split = splitByCreation(leads, at);
  if (!split.before.length || !split.after.length) return null;
  const scored = replay(ir, leads, events, opts);
  const part = (rows: Int32Array) => reportOf(ir, scoredRowsOf(scored, rows), leadRows(leads, rows), events ? eventRows(events, rows) : null, opts.bins);
  return { ruleset: ir.name, splitAt: new Date(at).toISOString(), undated: split.undated, before: part(split.before), after: part(split.after) };
}

/** Backtest a ruleset: the report of spec/CLI.md. */
export function simulate(ir: IR, leads: LeadTable, events?: EventTable | null, opts: SimulateOptions = {}): Report {
  return simulateFull(ir, leads, events, opts).report;
}

export interface ScoreRow {
  id: string;
  /** the lead's known outcome: won, lost, or open (no outcome yet) */
  outcome?: 'won' | 'lost' | 'open';
  scores: Record<string, number>;
  bands: Record<string, string>;
  stage: string;
  route: string | null;
  /** epoch ms each stage was first reached, null when not reached */
  reached: Record<string, number | null>;
}

/** Rows of a scored table, in lead order. */
export function scoredRows(st: ScoredTable): ScoreRow[] {
  const rows: ScoreRow[] = [];
  for (let i = 0; i < st.n; i++) rows.push(rowAt(st, i));
  return rows;
}

/**
 * Score every lead (`lql score`). By default every lead is evaluated at the
 * run's asOf with all its events up to then, as the compiled scorer would;
 * pass `useClosedAt: true` for the simulator's closed_at rules.
 */
export function scoreAll(ir: IR, leads: LeadTable, events?: EventTable | null, opts: ReplayOptions = {}): ScoreRow[] {
  return scoredRows(replay(ir, leads, events, { useClosedAt: false, ...opts }));
}

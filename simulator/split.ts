/**
 * Splitting a history at a date: the leads created before it and those
 * created at or after it, for `simulate --split-at` (is the ruleset as good
 * on recent leads?) and `suggest --train-until` (learn on earlier leads,
 * check on later ones).
 *
 * Input: a LeadTable (with created_at), its EventTable, a ScoredTable, a
 * date (epoch ms). Output: row indexes of each side, and tables or scored
 * tables holding only those rows, in the same order.
 * Invariants: a lead belongs to `before` when created_at < date, to
 * `after` when created_at >= date; a lead without created_at belongs to
 * neither (counted in `undated`); sub-tables share dictionaries with the
 * original; events stay in CSR order.
 */
import type { Column, EventTable, LeadTable } from './data/table.js';
import type { ScoredTable } from './replay.js';

export interface DateSplit {
  at: number;
  before: Int32Array;
  after: Int32Array;
  undated: number;
}

/** Which leads were created before `at` and which at or after it. */
export function splitByCreation(leads: LeadTable, at: number): DateSplit {
  const b: number[] = [];
  const a: number[] = [];
  let undated = 0;
  for (let i = 0; i < leads.n; i++) {
    const c = leads.createdAt[i]!;
    if (c !== c) undated++;
    else if (c < at) b.push(i);
    else a.push(i);
  }
  return { at, before: Int32Array.from(b), after: Int32Array.from(a), undated };
}

function pick<T extends Float64Array | Int32Array | Uint8Array | Int8Array>(arr: T, rows: Int32Array): T {
  const out = new (arr.constructor as new (n: number) => T)(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = arr[rows[k]!]!;
  return out;
}

function pickColumn(col: Column, rows: Int32Array): Column {
  switch (col.type) {
    case 'text':
      return { type: 'text', codes: pick(col.codes, rows), dict: col.dict };
    case 'bool':
      return { type: 'bool', values: pick(col.values, rows) };
    default:
      return { type: col.type, values: pick(col.values, rows) } as Column;
  }
}

/** A LeadTable of the given rows only. */
export function leadRows(leads: LeadTable, rows: Int32Array): LeadTable {
  const columns = new Map<string, Column>();
  for (const [name, col] of leads.columns) columns.set(name, pickColumn(col, rows));
  return {
    ...leads,
    n: rows.length,
    ids: Array.from(rows, (i) => leads.ids[i]!),
    lines: pick(leads.lines, rows),
    outcome: pick(leads.outcome, rows),
    createdAt: pick(leads.createdAt, rows),
    closedAt: pick(leads.closedAt, rows),
    columns,
  };
}

/** The EventTable of the given leads (in the order of `rows`). */
export function eventRows(events: EventTable, rows: Int32Array): EventTable {
  const offsets = new Int32Array(rows.length + 1);
  let total = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    total += events.offsets[i + 1]! - events.offsets[i]!;
    offsets[k + 1] = total;
  }
  const types = new Int32Array(total);
  const times = new Float64Array(total);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    const from = events.offsets[i]!;
    const len = events.offsets[i + 1]! - from;
    types.set(events.types.subarray(from, from + len), offsets[k]!);
    times.set(events.times.subarray(from, from + len), offsets[k]!);
  }
  return { ...events, offsets, types, times };
}

/** A ScoredTable of the given rows only (same names, asOf and mode). */
export function scoredRowsOf(st: ScoredTable, rows: Int32Array): ScoredTable {
  return {
    ...st,
    n: rows.length,
    ids: Array.from(rows, (i) => st.ids[i]!),
    outcome: pick(st.outcome, rows),
    scores: st.scores.map((a) => pick(a, rows)),
    bands: st.bands.map((a) => pick(a, rows)),
    stage: pick(st.stage, rows),
    reached: st.reached.map((a) => pick(a, rows)),
    route: pick(st.route, rows),
    did: st.did.map((a) => pick(a, rows)),
  };
}

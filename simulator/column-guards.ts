/**
 * Column guards for `lql suggest`: which lead columns must not earn points
 * because they identify rows (ids) or give the outcome away (leaks).
 *
 * Input: a LeadTable and the user's overrides (`exclude`, `include`: column
 * names). Output: the excluded columns, each with a reason and the evidence
 * in plain words, and the columns that the rules would have excluded but the
 * user kept (`include`).
 * Rules (docs/decisions.md, "Suggest: ids and leaks"):
 * - id: a text column with one value per row for at least 95% of its
 *   present values (e-mail-like columns are grouped by domain instead), or
 *   a number column that rises (or falls) strictly with the row order in at
 *   least 98% of neighbouring rows, or whose values are whole numbers,
 *   distinct for at least 99% of rows (a counter);
 * - leak: near-perfect values — a value (a text value, true/false, a fifth
 *   of a number column, or "missing") holding at least 1% of the decided
 *   leads (and at least 10), at least 97% of which share one outcome, with
 *   odds at least 10 times (or at most a tenth of) the base odds — that
 *   together hold at least 5% of the decided leads; or a ranking of won vs
 *   lost by the column alone with ROC AUC of at least 0.9 (values ordered
 *   by close rate; numbers by value), on at least 30 won and 30 lost leads.
 * Invariants: pure; only decided leads (won or lost) are used for leaks;
 * columns are listed in file order.
 */
import type { Column, LeadTable } from './data/table.js';
import { auc } from './ranking.js';

export type ExclusionReason = 'id' | 'leak' | 'user';

export interface Exclusion {
  column: string;
  reason: ExclusionReason;
  /** why, in plain words, e.g. `"Closed by Horizzon": 356 of 358 decided leads won (99.4%)` */
  evidence: string;
}

export interface ColumnScreen {
  excluded: Exclusion[];
  /** columns the rules flag but the user kept with `include` */
  kept: Exclusion[];
}

export interface ScreenOptions {
  exclude?: string[];
  include?: string[];
}

const ID_DISTINCT = 0.95;
const ID_MONOTONIC = 0.98;
const ID_COUNTER = 0.99;
const PURE_SHARE = 0.97;
const PURE_MIN_SHARE = 0.01;
const PURE_MIN_LEADS = 10;
const PURE_ODDS = 10;
const LEAK_COVER = 0.05;
const LEAK_AUC = 0.9;
const AUC_MIN_CLASS = 30;

function pct1(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function isEmailLike(col: Extract<Column, { type: 'text' }>, counts: Int32Array): boolean {
  let withAt = 0;
  let total = 0;
  col.dict.forEach((x, k) => {
    total += counts[k]!;
    if (x.includes('@')) withAt += counts[k]!;
  });
  return total > 0 && withAt >= 0.8 * total;
}

/** The id test for one column: evidence, or null. */
export function idEvidence(col: Column, n: number): string | null {
  if (col.type === 'text') {
    const counts = new Int32Array(col.dict.length);
    let present = 0;
    for (let i = 0; i < n; i++) {
      const c = col.codes[i]!;
      if (c >= 0) {
        counts[c]! += 1; // a code indexes the column's dictionary
        present++;
      }
    }
    if (present < 20 || isEmailLike(col, counts)) return null;
    let distinct = 0;
    for (const c of counts) if (c > 0) distinct++;
    return distinct >= ID_DISTINCT * present ? `${distinct} different values in ${present} rows: it names each lead` : null;
  }
  if (col.type !== 'number') return null;
  const v = col.values;
  let prev = NaN;
  let pairs = 0;
  let up = 0;
  let down = 0;
  let present = 0;
  let whole = true;
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (x !== x) continue;
    present++;
    if (!Number.isInteger(x)) whole = false;
    seen.add(x);
    if (prev === prev) {
      pairs++;
      if (x > prev) up++;
      else if (x < prev) down++;
    }
    prev = x;
  }
  if (present < 20) return null;
  if (up >= ID_MONOTONIC * pairs) return `rises with the row order in ${pct1(up / pairs)} of rows: a running number`;
  if (down >= ID_MONOTONIC * pairs) return `falls with the row order in ${pct1(down / pairs)} of rows: a running number`;
  if (whole && seen.size >= ID_COUNTER * present) return `${seen.size} different whole numbers in ${present} rows: it numbers the leads`;
  return null;
}

interface Group {
  label: string;
  won: number;
  lost: number;
}

/** Distinct cut points cutting a number column's present values into q groups of about equal size. */
export function quantileEdges(values: Float64Array, q: number): number[] {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) present.push(values[i]!);
  if (!present.length) return [];
  present.sort((a, b) => a - b);
  const edges: number[] = [];
  for (let k = 1; k < q; k++) {
    const v = present[Math.min(present.length - 1, Math.floor((k * present.length) / q))]!;
    if (!edges.includes(v)) edges.push(v);
  }
  return edges.filter((e) => e > present[0]!);
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(+v.toPrecision(4));
}

function groupsOf(col: Column, out: Int8Array, n: number): Group[] {
  const tally = (labels: string[], key: (i: number) => number): Group[] => {
    const g = labels.map((label) => ({ label, won: 0, lost: 0 }));
    for (let i = 0; i < n; i++) {
      const o = out[i];
      if (o !== 1 && o !== 0) continue;
      const k = key(i);
      if (o === 1) g[k]!.won++;
      else g[k]!.lost++;
    }
    return g;
  };
  if (col.type === 'text') {
    const m = col.dict.length;
    return tally([...col.dict.map((x) => JSON.stringify(x)), 'missing'], (i) => (col.codes[i]! >= 0 ? col.codes[i]! : m));
  }
  if (col.type === 'bool') return tally(['true', 'false', 'missing'], (i) => (col.values[i] === 1 ? 0 : col.values[i] === 0 ? 1 : 2));
  const v = col.values;
  const edges = quantileEdges(v, 5);
  const labels = [...edges.map((e, k) => (k === 0 ? `below ${num(e)}` : `${num(edges[k - 1]!)} to below ${num(e)}`)), edges.length ? `${num(edges[edges.length - 1]!)} or more` : 'any value', 'missing'];
  return tally(labels, (i) => {
    const x = v[i]!;
    if (x !== x) return labels.length - 1;
    let k = 0;
    while (k < edges.length && x >= edges[k]!) k++;
    return k;
  });
}

/** The leak test for one column: evidence, or null. */
export function leakEvidence(col: Column, out: Int8Array, n: number): string | null {
  if (col.type === 'date') return null;
  const groups = groupsOf(col, out, n);
  let won = 0;
  let lost = 0;
  for (const g of groups) {
    won += g.won;
    lost += g.lost;
  }
  const decided = won + lost;
  if (!won || !lost) return null;
  const baseOdds = won / lost;
  const pure = groups.filter((g) => {
    const d = g.won + g.lost;
    if (d < PURE_MIN_LEADS || d < PURE_MIN_SHARE * decided) return false;
    const share = Math.max(g.won, g.lost) / d;
    if (share < PURE_SHARE) return false;
    const odds = g.lost ? g.won / g.lost : Infinity;
    return odds >= PURE_ODDS * baseOdds || odds <= baseOdds / PURE_ODDS;
  });
  const cover = pure.reduce((a, g) => a + g.won + g.lost, 0);
  if (cover >= LEAK_COVER * decided) {
    pure.sort((a, b) => b.won + b.lost - (a.won + a.lost));
    const shown = pure.slice(0, 3).map((g) => {
      const d = g.won + g.lost;
      return g.won >= g.lost ? `${g.label}: ${g.won} of ${d} won (${pct1(g.won / d)})` : `${g.label}: ${g.lost} of ${d} lost (${pct1(g.lost / d)})`;
    });
    return `${shown.join('; ')}${pure.length > 3 ? `; and ${pure.length - 3} more such values` : ''} — ${pct1(cover / decided)} of decided leads are in values that give the outcome away`;
  }
  if (won < AUC_MIN_CLASS || lost < AUC_MIN_CLASS) return null;
  let score: Float64Array;
  if (col.type === 'number') {
    score = col.values;
  } else {
    const rateOf = groups.map((g) => (g.won + g.lost ? g.won / (g.won + g.lost) : 0));
    score = new Float64Array(n);
    const key =
      col.type === 'text'
        ? (i: number) => (col.codes[i]! >= 0 ? col.codes[i]! : col.dict.length)
        : (i: number) => (col.values[i] === 1 ? 0 : col.values[i] === 0 ? 1 : 2);
    for (let i = 0; i < n; i++) score[i] = rateOf[key(i)]!;
  }
  const a = auc(score, out);
  if (!a) return null;
  const best = Math.max(a.auc, 1 - a.auc);
  return best >= LEAK_AUC ? `on its own it ranks won above lost leads with ROC AUC ${best.toFixed(2)} (0.5 is chance, 1 is perfect)` : null;
}

/** Screen the lead columns for ids and leaks, with the user's overrides. */
export function screenColumns(leads: LeadTable, opts: ScreenOptions = {}): ColumnScreen {
  const exclude = new Set(opts.exclude ?? []);
  const include = new Set(opts.include ?? []);
  const excluded: Exclusion[] = [];
  const kept: Exclusion[] = [];
  for (const [name, col] of leads.columns) {
    if (exclude.has(name)) {
      excluded.push({ column: name, reason: 'user', evidence: 'excluded with --exclude' });
      continue;
    }
    const id = idEvidence(col, leads.n);
    const found: Exclusion | null = id
      ? { column: name, reason: 'id', evidence: id }
      : (() => {
          const leak = leakEvidence(col, leads.outcome, leads.n);
          return leak ? { column: name, reason: 'leak' as const, evidence: leak } : null;
        })();
    if (!found) continue;
    (include.has(name) ? kept : excluded).push(found);
  }
  return { excluded, kept };
}

/**
 * Metrics: a ScoredTable -> the simulation report of spec/CLI.md
 * (`simulate --json`), plus the score distribution by outcome and the
 * weekly stage volume.
 *
 * Input: a ScoredTable (replay.ts), the ruleset name, the rejected counts.
 * Output: a plain-JSON Report. Counts are exact integers; rates are plain
 * numbers, `null` where the denominator is 0 (no decided outcome).
 * Invariants:
 * - baseRate = won / (won + lost) over all leads;
 * - per stage: reached = leads that reached it (before close, see
 *   docs/semantics.md), open leads count in `reached` but not in precision's
 *   denominator; precision = won / (won + lost) among reached, with a 95%
 *   Wilson interval; recall = won / all won; lift = precision / baseRate;
 * - stages are listed furthest first, as declared; routes and bands in
 *   declaration order; activities in declaration order (event mode only);
 * - weekly volume buckets each non-lowest stage's reached time by ISO week
 *   (Monday 00:00 UTC), event mode only;
 * - keys that come from user names are only used in `bands` (as the
 *   contract requires); those objects have no prototype;
 * - with `previous` (an earlier report of the same leads, same options),
 *   a score's histogram is reused when its values are all equal, and an
 *   activity's metrics when its flags are the same array: the report is
 *   the same as computed afresh.
 */
import type { ScoredTable } from './replay.js';
import { medianDays, monthly, type Monthly } from './time.js';
import { ranking, type LiftRow } from './ranking.js';

/** What reaching a stage means: the leads that reached it, their outcomes, precision (with its 95% interval) and recall. */
export interface Reach {
  reached: number;
  won: number;
  lost: number;
  precision: number | null;
  precisionCI: [number, number] | null;
  recall: number | null;
}

export interface StageMetrics extends Reach {
  name: string;
  lift: number | null;
  /** reached / the weeks the data covers; null when the data has no dates (a snapshot) */
  perWeek?: number | null;
  /** median days from created_at to reaching the stage (event history only) */
  medianDays?: number | null;
}

/** How well one score ranks won above lost leads. */
export interface ScoreRanking {
  name: string;
  /** ROC AUC (0.5 chance, 1 perfect), null without won and lost leads */
  auc: number | null;
  /** DeLong 95% interval */
  aucCI: [number, number] | null;
  /** close rate by decile of the score among decided leads, highest first */
  deciles: LiftRow[];
}

export interface GroupMetrics {
  leads: number;
  won: number;
  lost: number;
  closeRate: number | null;
}

export interface RouteMetrics extends GroupMetrics {
  name: string;
}

export interface BandMetrics extends GroupMetrics {
  label: string;
}

export interface ActivityMetrics extends GroupMetrics {
  name: string;
  /** closeRate / baseRate */
  ratio: number | null;
}

export interface Histogram {
  name: string;
  /** bin i covers [edges[i], edges[i+1]) (the last bin includes its upper edge) */
  edges: number[];
  won: number[];
  lost: number[];
  open: number[];
  mean: { won: number | null; lost: number | null; open: number | null };
}

export interface WeeklyVolume {
  /** ISO weeks, e.g. `2026-W02`, with their Monday (YYYY-MM-DD), consecutive */
  weeks: { week: string; start: string }[];
  /** per non-lowest stage, furthest first: leads that reached it in each week */
  stages: { name: string; counts: number[] }[];
}

export interface Report {
  ruleset: string | null;
  mode: 'events' | 'snapshot';
  /** the run's evaluation time for open leads (ISO 8601) */
  asOf: string;
  leads: number;
  won: number;
  lost: number;
  open: number;
  baseRate: number | null;
  stages: StageMetrics[];
  routes: RouteMetrics[];
  bands: Record<string, BandMetrics[]>;
  activities: ActivityMetrics[];
  rejected: { rows: number; events: number };
  /** events whose lead_id is not in the leads table */
  unknownLeadEvents: number;
  /** everything the run did not use: skipped rows, events of unknown leads, events of undeclared types (simulator/skipped.ts) */
  skipped?: import('./skipped.js').Skipped;
  scoreDistribution: Histogram[];
  weekly: WeeklyVolume | null;
  /** weeks the data covers (the denominator of every per-week figure); null without dates */
  weeks?: number | null;
  /** per score: ROC AUC with its interval and the lift table */
  ranking?: ScoreRanking[];
  /** per month of creation: leads, and per stage reached, won, lost (null without created_at) */
  monthly?: Monthly | null;
  baseline?: Report;
  delta?: import('./compare.js').ReportDelta;
  changes?: import('./compare.js').LeadChanges;
}

export interface MetricsOptions {
  ruleset?: string | null;
  rejected?: { rows: number; events: number };
  unknownLeadEvents?: number;
  /** target number of histogram bins per score (default 10) */
  bins?: number;
  /** the report of an earlier table of the same leads (same outcome array), computed with the same options: parts whose inputs are unchanged are reused */
  previous?: { report: Report; scored: ScoredTable };
  /** the leads' creation times and the weeks the data covers (time.ts): per-week figures, days to stage, monthly rows */
  time?: { createdAt: Float64Array; weeks: number | null };
}

const Z95 = 1.959963984540054;

/** 95% Wilson score interval for k successes out of n; null when n = 0. */
export function wilson(k: number, n: number, z = Z95): [number, number] | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const den = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

export function rate(won: number, lost: number): number | null {
  return won + lost > 0 ? won / (won + lost) : null;
}

/**
 * A stage's reach in a replay of `n` leads: `at[i]` is when lead i reached it (NaN: never; null: no lead did),
 * or every lead with `everyone` (the lowest stage); recall is measured against `allWon` won leads.
 */
export function reachOf(at: Float64Array | null, everyone: boolean, outcome: Int8Array, n: number, allWon: number): Reach {
  let reached = 0;
  let won = 0;
  let lost = 0;
  for (let i = 0; i < n; i++) {
    if (everyone || (at !== null && at[i] === at[i])) {
      reached++;
      if (outcome[i] === 1) won++;
      else if (outcome[i] === 0) lost++;
    }
  }
  return { reached, won, lost, precision: rate(won, lost), precisionCI: wilson(won, won + lost), recall: allWon ? won / allWon : null };
}

function group(won: number, lost: number, leads: number): GroupMetrics {
  return { leads, won, lost, closeRate: rate(won, lost) };
}

/** Compute the report of one scored table. */
export function computeReport(st: ScoredTable, opts: MetricsOptions = {}): Report {
  const n = st.n;
  const out = st.outcome;
  let won = 0;
  let lost = 0;
  for (let i = 0; i < n; i++) {
    if (out[i] === 1) won++;
    else if (out[i] === 0) lost++;
  }
  const open = n - won - lost;
  const baseRate = rate(won, lost);

  const stages: StageMetrics[] = st.stageNames.map((name, k) => {
    const r = st.reached[k]!;
    const low = k === st.stageNames.length - 1;
    const reach = reachOf(r, low, out, n, won);
    const { precision } = reach;
    const m: StageMetrics = {
      name,
      ...reach,
      lift: precision !== null && baseRate !== null && baseRate > 0 ? precision / baseRate : null,
    };
    if (opts.time) {
      m.perWeek = opts.time.weeks === null ? null : reach.reached / opts.time.weeks;
      m.medianDays = st.mode === 'events' && !low ? medianDays(r, opts.time.createdAt) : null;
    }
    return m;
  });

  const rl = st.routeNames.length;
  const rc = new Int32Array(rl * 3);
  for (let i = 0; i < n; i++) {
    const r = st.route[i]!;
    if (r < 0) continue;
    rc[r * 3 + 1 - out[i]!]! += 1; // r < rl; won, lost, open = outcome 1, 0, -1
  }
  const routes: RouteMetrics[] = st.routeNames.map((name, r) => ({
    name,
    ...group(rc[r * 3]!, rc[r * 3 + 1]!, rc[r * 3]! + rc[r * 3 + 1]! + rc[r * 3 + 2]!),
  }));

  const bands: Record<string, BandMetrics[]> = Object.create(null) as Record<string, BandMetrics[]>;
  st.bandNames.forEach((bname, b) => {
    const labels = st.bandLabels[b]!;
    const c = new Int32Array(labels.length * 3);
    const g = st.bands[b]!;
    for (let i = 0; i < n; i++) c[g[i]! * 3 + 1 - out[i]!]! += 1; // g[i] < labels.length; won, lost, open
    bands[bname] = labels.map((label, k) => ({
      label,
      ...group(c[k * 3]!, c[k * 3 + 1]!, c[k * 3]! + c[k * 3 + 1]! + c[k * 3 + 2]!),
    }));
  });

  const prev = opts.previous && opts.previous.scored.outcome === out && opts.previous.scored.n === n ? opts.previous : undefined;
  const activities: ActivityMetrics[] =
    st.mode === 'events'
      ? st.activityNames.map((name, a) => {
          const d = st.did[a]!;
          const pa = prev && prev.scored.mode === 'events' ? prev.scored.did.indexOf(d) : -1;
          const same = pa >= 0 ? prev!.report.activities[pa] : undefined;
          if (same && same.name === name) return { ...same };
          // the leads that did it (flags of 0 or 1) by outcome + 1: open, lost, won (no branch per lead)
          const k = new Int32Array(3);
          for (let i = 0; i < n; i++) k[out[i]! + 1]! += d[i]!;
          const g = group(k[2]!, k[1]!, k[0]! + k[1]! + k[2]!);
          return {
            name,
            ...g,
            ratio: g.closeRate !== null && baseRate !== null && baseRate > 0 ? g.closeRate / baseRate : null,
          };
        })
      : [];

  // the monthly table before the ranking: a ranking another thread computes may keep this one waiting
  const months = opts.time ? { weeks: opts.time.weeks, monthly: monthly(st, opts.time.createdAt) } : {};
  return {
    ruleset: opts.ruleset ?? null,
    mode: st.mode,
    asOf: isoOrNull(st.asOf),
    leads: n,
    won,
    lost,
    open,
    baseRate,
    stages,
    routes,
    bands,
    activities,
    rejected: opts.rejected ?? { rows: 0, events: 0 },
    unknownLeadEvents: opts.unknownLeadEvents ?? 0,
    scoreDistribution: st.scoreNames.map((name, s) => {
      const ps = prev ? prev.scored.scoreNames.indexOf(name) : -1;
      const ph = ps >= 0 ? prev!.report.scoreDistribution.find((h) => h.name === name) : undefined;
      if (ph && sameValues(prev!.scored.scores[ps]!, st.scores[s]!)) return { ...ph };
      return histogram(name, st.scores[s]!, out, opts.bins ?? 10);
    }),
    weekly: st.mode === 'events' ? weekly(st) : null,
    ranking: st.scoreNames.map((name, s) => {
      const ps = prev ? prev.scored.scoreNames.indexOf(name) : -1;
      const pr = ps >= 0 ? prev!.report.ranking?.find((h) => h.name === name) : undefined;
      if (pr && sameValues(prev!.scored.scores[ps]!, st.scores[s]!)) return { ...pr };
      const { auc: a, deciles } = ranking(st.scores[s]!, out);
      return { name, auc: a ? a.auc : null, aucCI: a ? a.ci : null, deciles };
    }),
    ...months,
  };
}

/** Equal arrays (NaN equals NaN). */
function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (x === x || y === y)) return false;
  }
  return true;
}

function isoOrNull(t: number): string {
  return Number.isFinite(t) && Math.abs(t) < 8.64e15 ? new Date(t).toISOString() : String(t);
}

/** A "nice" bin width (1, 2 or 5 times a power of ten) giving about `target` bins. */
export function niceStep(span: number, target: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, target);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** Histogram of one score by outcome, on nice bin edges. */
export function histogram(name: string, v: Float64Array, out: Int8Array, target: number): Histogram {
  const n = v.length;
  let min = Infinity;
  let max = -Infinity;
  const sum = [0, 0, 0];
  const cnt = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
    const o = 1 - out[i]!; // won, lost, open
    sum[o]! += x;
    cnt[o]!++;
  }
  const mean = {
    won: cnt[0] ? sum[0]! / cnt[0]! : null,
    lost: cnt[1] ? sum[1]! / cnt[1]! : null,
    open: cnt[2] ? sum[2]! / cnt[2]! : null,
  };
  if (n === 0 || !Number.isFinite(min) || !Number.isFinite(max)) {
    return { name, edges: [], won: [], lost: [], open: [], mean };
  }
  const step = niceStep(max - min, target);
  const lo = Math.floor(min / step) * step;
  let bins = Math.max(1, Math.ceil((max - lo) / step));
  if (lo + bins * step <= max) bins++;
  bins = Math.min(bins, 1000);
  const edges: number[] = [];
  for (let k = 0; k <= bins; k++) edges.push(+(lo + k * step).toPrecision(12));
  // counts per bin: won, lost, open
  const counts = [new Float64Array(bins), new Float64Array(bins), new Float64Array(bins)];
  const edge = Float64Array.from(edges);
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    let k = Math.floor((x - lo) / step);
    if (k >= bins) k = bins - 1;
    if (k < 0) k = 0;
    // keep bins consistent with the printed edges
    while (k > 0 && x < edge[k]!) k--;
    while (k < bins - 1 && x >= edge[k + 1]!) k++;
    counts[1 - out[i]!]![k]!++; // won, lost, open
  }
  const [won, lost, open] = counts.map((c) => Array.from(c)) as [number[], number[], number[]];
  return { name, edges, won, lost, open, mean };
}

const WEEK = 7 * 86_400_000;
/** 1970-01-05 was a Monday. */
const MONDAY0 = 4 * 86_400_000;

/** Index of the ISO week (Monday 00:00 UTC) containing t. */
export function weekIndex(t: number): number {
  return Math.floor((t - MONDAY0) / WEEK);
}

/** ISO week label (`2026-W02`) and Monday date of week index w. */
export function weekLabel(w: number): { week: string; start: string } {
  const monday = MONDAY0 + w * WEEK;
  const thursday = new Date(monday + 3 * 86_400_000);
  const year = thursday.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const num = Math.floor((thursday.getTime() - jan1) / WEEK) + 1;
  return {
    week: `${year}-W${String(num).padStart(2, '0')}`,
    start: new Date(monday).toISOString().slice(0, 10),
  };
}

function weekly(st: ScoredTable): WeeklyVolume {
  const nst = st.stageNames.length;
  let wmin = Infinity;
  let wmax = -Infinity;
  for (let k = 0; k < nst - 1; k++) {
    const r = st.reached[k]!;
    for (let i = 0; i < st.n; i++) {
      const t = r[i]!;
      if (t === t) {
        const w = weekIndex(t);
        if (w < wmin) wmin = w;
        if (w > wmax) wmax = w;
      }
    }
  }
  if (!Number.isFinite(wmin)) return { weeks: [], stages: st.stageNames.slice(0, -1).map((name) => ({ name, counts: [] })) };
  // consecutive weeks (capped at ~20 years)
  wmin = Math.max(wmin, wmax - 1043);
  const len = wmax - wmin + 1;
  const weeks = Array.from({ length: len }, (_, k) => weekLabel(wmin + k));
  const stages = st.stageNames.slice(0, -1).map((name, k) => {
    const counts = new Array<number>(len).fill(0);
    const r = st.reached[k]!;
    for (let i = 0; i < st.n; i++) {
      const t = r[i]!;
      if (t === t) {
        const w = weekIndex(t) - wmin;
        if (w >= 0) counts[w]!++;
      }
    }
    return { name, counts };
  });
  return { weeks, stages };
}

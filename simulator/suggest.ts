/**
 * Suggest: points from close rates, and stage thresholds for a goal
 * (`lql suggest`).
 *
 * Input: a ruleset's IR, a LeadTable, an optional EventTable, options (a
 * target precision or a sales capacity per week, the stage to tune, asOf).
 * Output: a SuggestResult:
 * - per activity (event history: leads with at least one replayed event,
 *   strictly before closed_at when known) and per attribute value (the top
 *   values of text columns, or of `domain(x)` for e-mail-like columns with
 *   many distinct values; quantile bins of number columns; true/false of
 *   bool columns): leads, won, lost, close rate with a 95% Wilson interval,
 *   ratio to the base rate, a small-sample warning (fewer than 30 decided
 *   leads), and suggested points;
 * - a ready-to-paste LQL snippet of those points;
 * - for the stage to tune (default: the one just above the lowest, usually
 *   MQL): each comparison of a score with a number in its condition, swept
 *   over thresholds (multiples of the current one and quantiles of the
 *   score at asOf), with reached,
 *   precision, recall and volume per week at each, and the threshold that
 *   best meets the goal.
 * How points are computed ("Points from close rates", DOMAIN.md): the close
 * rate of the leads who did it is first shrunk toward the base rate by
 * adding 10 pseudo-leads at the base rate ((won + 10 * base) / (decided +
 * 10)), so that a handful of leads cannot produce a large weight; then
 * points = round(10 * log2(shrunk rate / base rate)), clamped to [-50, 50].
 * An action with 2x the base close rate earns +10, 4x earns +20, half earns
 * -10. A suggestion is `significant` when the Wilson interval excludes the
 * base rate.
 * Invariants: pure (no printing); the sweep reruns the kernel on a copy of
 * the IR with one threshold changed, never mutating the caller's IR.
 */
import type { IR } from '../language/compile/ir.js';
import { compileKernel } from './kernel/emit-kernel.js';
import { KEYWORDS } from '../language/syntax/tokens.js';
import type { EventTable, LeadTable } from './data/table.js';
import { rate, wilson } from './metrics.js';
import { replay, type ScoredTable } from './replay.js';
import { quantileEdges, screenColumns, type Exclusion } from './column-guards.js';
import { dataWeeks } from './time.js';
import { eventRows, leadRows, splitByCreation } from './split.js';
import { computeReport, type StageMetrics } from './metrics.js';
import { compileSource } from '../language/index.js';
import {
  stageComparisons,
  stageFigures,
  sweepNow,
  sweepStage,
  sweepTotals,
  thresholdRounder,
  withStageThresholds,
  type StageComparison,
  type ThresholdCandidate,
  type ThresholdSweep,
} from './thresholds.js';

const SMALL_SAMPLE = 30;

export interface SuggestOptions {
  /** goal: the lowest precision acceptable for the stage */
  precision?: number;
  /** goal: leads per week the sales team can take */
  capacityPerWeek?: number;
  /** the stage to tune (default: the one above the lowest) */
  stage?: string;
  asOf?: number;
  /** fewer decided leads than this get a warning (default 30) */
  minSample?: number;
  /** text values listed per column (default 8) */
  topValues?: number;
  /** number columns are cut into this many quantile bins (default 5) */
  quantiles?: number;
  /** columns never given points */
  exclude?: string[];
  /** columns given points even when they look like ids or leaks */
  include?: string[];
}

export interface Suggestion {
  kind: 'activity' | 'attribute';
  /** activity or attribute name */
  name: string;
  /** the LQL condition or rule text this row is about, e.g. `industry == "services"`, `once demo_request` */
  condition: string;
  leads: number;
  won: number;
  lost: number;
  closeRate: number | null;
  closeRateCI: [number, number] | null;
  ratio: number | null;
  points: number;
  significant: boolean;
  warning: string | null;
}

export type { ThresholdCandidate, ThresholdSweep } from './thresholds.js';

export interface ThresholdProposal {
  stage: string;
  goal: { precision: number } | { capacityPerWeek: number } | null;
  /** weeks covered by the data (volume per week = reached / weeks, as in `simulate`); null without dates */
  weeks: number | null;
  /** one sweep per comparison of a score with a number, the others kept as they are */
  sweeps: ThresholdSweep[];
  /** with two or more comparisons: all of them scaled together (`threshold` is the factor) */
  joint: ThresholdSweep | null;
  /** the plain answer: the goal met (and how), or why it cannot be */
  verdict: string;
  /** the best setting that meets the goal: one threshold per comparison, in `sweeps` order; null when none */
  best: { setting: string; values: number[] } | null;
}

export interface SuggestResult {
  ruleset: string | null;
  leads: number;
  decided: number;
  won: number;
  baseRate: number | null;
  activities: Suggestion[];
  attributes: Suggestion[];
  snippet: string;
  thresholds: ThresholdProposal | null;
  /** columns left out of the attribute values: ids, outcome leaks, and those named in `exclude` */
  excluded: Exclusion[];
  /** columns that look like ids or leaks but were kept with `include` */
  included: Exclusion[];
}

const SHRINK = 10;
const MAX_POINTS = 50;

/** Suggested points for a group's close rate against the base rate (see the header). */
export function suggestedPoints(won: number, lost: number, baseRate: number | null): number {
  if (baseRate === null || baseRate <= 0 || baseRate >= 1) return 0;
  const shrunk = (won + SHRINK * baseRate) / (won + lost + SHRINK);
  const p = Math.round(10 * Math.log2(shrunk / baseRate));
  return Math.max(-MAX_POINTS, Math.min(MAX_POINTS, p)) || 0;
}

/** A name as written in LQL (backticks when it is not a plain identifier or is a keyword). */
export function lqlName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.includes(name) ? name : '`' + name.replace(/`/g, '') + '`';
}

function lqlNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(+v.toPrecision(6));
}

function row(
  kind: Suggestion['kind'],
  name: string,
  condition: string,
  out: Int8Array,
  member: (i: number) => boolean,
  baseRate: number | null,
  minSample: number,
): Suggestion {
  let leads = 0;
  let won = 0;
  let lost = 0;
  for (let i = 0; i < out.length; i++) {
    if (!member(i)) continue;
    leads++;
    if (out[i] === 1) won++;
    else if (out[i] === 0) lost++;
  }
  const closeRate = rate(won, lost);
  const ci = wilson(won, won + lost);
  const ratio = closeRate !== null && baseRate !== null && baseRate > 0 ? closeRate / baseRate : null;
  const decided = won + lost;
  return {
    kind,
    name,
    condition,
    leads,
    won,
    lost,
    closeRate,
    closeRateCI: ci,
    ratio,
    points: suggestedPoints(won, lost, baseRate),
    significant: ci !== null && baseRate !== null && (ci[0] > baseRate || ci[1] < baseRate),
    warning: decided < minSample ? `only ${decided} decided lead${decided === 1 ? '' : 's'}: too few to trust` : null,
  };
}

export function suggest(ir: IR, leads: LeadTable, events?: EventTable | null, opts: SuggestOptions = {}): SuggestResult {
  const minSample = opts.minSample ?? 30;
  const kernel = compileKernel(ir);
  const scored = replay(kernel, leads, events, opts.asOf !== undefined ? { asOf: opts.asOf } : {});
  const out = leads.outcome;
  let won = 0;
  let lost = 0;
  for (let i = 0; i < leads.n; i++) {
    if (out[i] === 1) won++;
    else if (out[i] === 0) lost++;
  }
  const baseRate = rate(won, lost);

  const activities: Suggestion[] =
    scored.mode === 'events'
      ? scored.activityNames.map((name, a) => row('activity', name, `once ${lqlName(name)}`, out, (i) => scored.did[a]![i] === 1, baseRate, minSample))
      : [];

  const attributes: Suggestion[] = [];
  const topN = opts.topValues ?? 8;
  const screen = screenColumns(leads, { exclude: opts.exclude, include: opts.include });
  const skip = new Set(screen.excluded.map((e) => e.column));
  for (const [name, col] of leads.columns) {
    if (skip.has(name)) continue;
    const ln = lqlName(name);
    if (col.type === 'text') {
      const counts = new Int32Array(col.dict.length);
      for (let i = 0; i < leads.n; i++) {
        const code = col.codes[i]!;
        if (code >= 0) counts[code]! += 1; // a code indexes the column's dictionary
      }
      const distinct = counts.reduce((a, c) => a + (c > 0 ? 1 : 0), 0);
      if (distinct > 50) {
        // many distinct values: group e-mail-like columns by domain(), skip the others (ids, names)
        const dom = col.dict.map((x) => {
          const at = x.lastIndexOf('@');
          return at < 0 ? null : x.slice(at + 1).toLowerCase();
        });
        const withAt = dom.reduce((a, d, k) => a + (d !== null ? counts[k]! : 0), 0);
        if (withAt < 0.8 * counts.reduce((a, c) => a + c, 0)) continue;
        const byDom = new Map<string, number>();
        dom.forEach((d, k) => d !== null && byDom.set(d, (byDom.get(d) ?? 0) + counts[k]!));
        const top = [...byDom].sort((x, y) => y[1] - x[1]).slice(0, topN);
        for (const [d] of top) {
          const member = Uint8Array.from(dom, (x) => (x === d ? 1 : 0));
          attributes.push(
            row('attribute', name, `domain(${ln}) == ${JSON.stringify(d)}`, out, (i) => col.codes[i]! >= 0 && member[col.codes[i]!] === 1, baseRate, minSample),
          );
        }
        continue;
      }
      const order = Array.from(counts.keys())
        .filter((k) => counts[k]! > 0)
        .sort((x, y) => counts[y]! - counts[x]!)
        .slice(0, topN);
      for (const k of order) {
        attributes.push(row('attribute', name, `${ln} == ${JSON.stringify(col.dict[k])}`, out, (i) => col.codes[i] === k, baseRate, minSample));
      }
      attributes.push(row('attribute', name, `${ln} is missing`, out, (i) => col.codes[i]! < 0, baseRate, minSample));
    } else if (col.type === 'number') {
      const edges = quantileEdges(col.values, opts.quantiles ?? 5);
      const v = col.values;
      const bounds = [-Infinity, ...edges, Infinity];
      for (let b = 0; b + 1 < bounds.length; b++) {
        const lo = bounds[b]!;
        const hi = bounds[b + 1]!;
        const cond =
          lo === -Infinity && hi === Infinity
            ? `${ln} is present`
            : lo === -Infinity
              ? `${ln} < ${lqlNumber(hi)}`
              : hi === Infinity
                ? `${ln} >= ${lqlNumber(lo)}`
                : `${ln} >= ${lqlNumber(lo)} and ${ln} < ${lqlNumber(hi)}`;
        attributes.push(row('attribute', name, cond, out, (i) => v[i]! >= lo && v[i]! < hi, baseRate, minSample));
      }
      attributes.push(row('attribute', name, `${ln} is missing`, out, (i) => v[i] !== v[i], baseRate, minSample));
    } else if (col.type === 'bool') {
      const v = col.values;
      attributes.push(row('attribute', name, ln, out, (i) => v[i] === 1, baseRate, minSample));
      attributes.push(row('attribute', name, `not ${ln}`, out, (i) => v[i] === 0, baseRate, minSample));
    }
  }
  for (const list of [activities, attributes]) {
    for (let k = list.length - 1; k >= 0; k--) if (list[k]!.leads === 0) list.splice(k, 1);
  }

  const thresholds = proposeThresholds(ir, leads, events ?? null, scored, opts);
  const result: SuggestResult = {
    ruleset: ir.name,
    leads: leads.n,
    decided: won + lost,
    won,
    baseRate,
    activities,
    attributes,
    snippet: '',
    thresholds,
    excluded: screen.excluded,
    included: screen.kept,
  };
  result.snippet = snippet(result);
  return result;
}

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`;
}

function comment(s: Suggestion): string {
  const parts = [`${pct(s.closeRate)} close rate`, s.ratio === null ? '' : `${s.ratio.toFixed(2)}x base`, `n=${s.won + s.lost}`];
  if (s.warning) parts.push('small sample');
  else if (!s.significant) parts.push('not significant');
  return parts.filter(Boolean).join(', ');
}

/** The suggestions as LQL, ready to paste (rules with 0 points are left out). */
export function snippet(r: SuggestResult): string {
  const lines: string[] = [];
  lines.push(`# Suggested from ${r.decided} leads with a decided outcome (base close rate ${pct(r.baseRate)}).`);
  lines.push('# points = round(10 * log2(close rate / base rate)); close rates are shrunk toward the base for small samples.');
  const rule = (s: Suggestion, text: string) => {
    const p = `${s.points > 0 ? '+' : ''}${s.points}`;
    return `  ${p.padStart(3)} ${text}`.padEnd(48) + `  # ${comment(s)}`;
  };
  const acts = r.activities.filter((s) => s.points !== 0);
  if (acts.length) {
    lines.push('engagement {');
    for (const s of acts) lines.push(rule(s, s.condition));
    lines.push('}');
  }
  const attrs = r.attributes.filter((s) => s.points !== 0);
  if (attrs.length) {
    lines.push('fit {');
    for (const s of attrs) lines.push(rule(s, `when ${s.condition}`));
    lines.push('}');
  }
  if (!acts.length && !attrs.length) lines.push('# (no action or attribute value differs enough from the base rate)');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// Stage thresholds

function proposeThresholds(ir: IR, leads: LeadTable, events: EventTable | null, scored: ScoredTable, opts: SuggestOptions): ThresholdProposal | null {
  if (ir.stages.length < 2) return null;
  const k = opts.stage !== undefined ? ir.stages.findIndex((s) => s.name === opts.stage) : ir.stages.length - 2;
  if (k < 0 || k >= ir.stages.length - 1) return null;
  const stage = ir.stages[k]!;
  const refs = stageComparisons(stage.cond);
  const goal: ThresholdProposal['goal'] =
    opts.precision !== undefined ? { precision: opts.precision } : opts.capacityPerWeek !== undefined ? { capacityPerWeek: opts.capacityPerWeek } : null;
  const totals = sweepTotals(leads, events, scored);
  const weeks = totals.weeks;

  const replayed = (x: IR) => replay(x, leads, events, { asOf: scored.asOf, mode: scored.mode });
  /** Replay with some thresholds of the stage's condition changed; the stage's figures. */
  const evaluate = (values: Map<StageComparison, number>, threshold: number, setting?: string): ThresholdCandidate =>
    stageFigures(replayed(withStageThresholds(ir, k, values)), k, threshold, totals, setting);
  const meets = (c: ThresholdCandidate): boolean =>
    goal === null
      ? false
      : 'precision' in goal
        ? c.precision !== null && c.precision >= goal.precision
        : c.reached > 0 && c.perWeek !== null && c.perWeek <= goal.capacityPerWeek;
  const best = (cs: ThresholdCandidate[]) =>
    cs.filter(meets).reduce<ThresholdCandidate | null>((a, b) => (!a || b.reached > a.reached || (b.reached === a.reached && b.won > a.won) ? b : a), null);
  const describe = (c: ThresholdCandidate, text: string) =>
    `${text}: ${c.reached} leads${c.perWeek !== null ? ` (${c.perWeek.toFixed(1)}/week)` : ''}, precision ${pct(c.precision)}${c.won + c.lost > 0 && c.won + c.lost < SMALL_SAMPLE ? ' (small sample)' : ''}, recall ${pct(c.recall)}`;
  const scoresOf = (ref: StageComparison) => scored.scores[scored.scoreNames.indexOf(ref.score)] ?? [];
  const niceFor = (ref: StageComparison) => thresholdRounder(ref, scoresOf(ref));
  const capacityNeedsDates = goal !== null && 'capacityPerWeek' in goal && weeks === null;

  const sweeps: ThresholdSweep[] = sweepNow(sweepStage(ir, k, scored, totals), replayed)!.map((s, i) => {
    const ref = refs[i]!;
    const b = best(s.candidates);
    const note = !goal
      ? 'no goal given: pass a target precision or a capacity per week'
      : capacityNeedsDates
        ? 'no per-week figures: the data has no dates'
        : b
          ? describe(b, `${ref.score} ${ref.op} ${lqlNumber(b.threshold)}`)
          : 'precision' in goal
            ? `no threshold of ${ref.score} alone reaches precision ${pct(goal.precision)}`
            : `no threshold of ${ref.score} alone keeps ${stage.name} at or under ${goal.capacityPerWeek}/week`;
    return { ...s, recommended: b ? b.threshold : null, note };
  });

  // the whole condition: every threshold in it scaled by the same factor
  let joint: ThresholdSweep | null = null;
  if (refs.length >= 2) {
    const nices = refs.map(niceFor);
    const candidates = [0.5, 0.625, 0.75, 0.875, 1, 1.125, 1.25, 1.5, 1.75, 2, 2.5, 3, 4].map((f) => {
      const values = new Map(refs.map((ref, i) => [ref, f === 1 ? ref.value : nices[i]!(ref.value * f)] as const));
      return evaluate(values, f, refs.map((ref) => `${ref.score} ${ref.op} ${lqlNumber(values.get(ref)!)}`).join(', '));
    });
    const b = best(candidates);
    joint = {
      stage: stage.name,
      comparison: refs.map((r) => r.text).join(', '),
      score: '',
      op: '',
      current: 1,
      candidates,
      recommended: b ? b.threshold : null,
      note: b ? describe(b, b.setting!) : 'no common scaling of the thresholds meets the goal',
    };
  }

  // the plain answer: can the goal be met by any setting tried, and with which
  let verdict: string;
  let bestSetting: ThresholdProposal['best'] = null;
  const all = [
    ...sweeps.flatMap((s, si) =>
      s.candidates.map((c) => ({ c, text: `${s.score} ${s.op} ${lqlNumber(c.threshold)}`, values: refs.map((r, i) => (i === si ? c.threshold : r.value)) })),
    ),
    ...(joint
      ? joint.candidates.map((c) => ({ c, text: c.setting!, values: refs.map((r) => (c.threshold === 1 ? r.value : niceFor(r)(r.value * c.threshold))) }))
      : []),
  ];
  if (!goal) verdict = 'No goal given: pass --precision P or --capacity N/week for a recommendation.';
  else if (!refs.length) verdict = `The condition of ${stage.name} has no comparison of a score with a number to tune.`;
  else if (capacityNeedsDates)
    verdict = `--capacity cannot be checked: the data has no dates (no created_at column and no event times), so there are no weeks to count ${stage.name}s in. Use --precision, or add created_at.`;
  else {
    const ok = all.filter((x) => meets(x.c));
    if (ok.length) {
      const top = ok.reduce((a, b) => (b.c.reached > a.c.reached || (b.c.reached === a.c.reached && b.c.won > a.c.won) ? b : a));
      verdict = `Goal met: ${describe(top.c, top.text)}.`;
      bestSetting = { setting: top.text, values: top.values };
    } else if ('precision' in goal) {
      const top = all.reduce((a, b) => ((b.c.precision ?? -1) > (a.c.precision ?? -1) ? b : a));
      verdict = `The goal cannot be met: no setting tried gives ${stage.name} a precision of ${pct(goal.precision)}. The highest is ${describe(top.c, top.text)}.`;
    } else {
      const top = all.filter((x) => x.c.reached > 0).reduce((a, b) => (b.c.reached < a.c.reached ? b : a), all[0]!);
      verdict = `The goal cannot be met: no setting tried keeps ${stage.name} at or under ${goal.capacityPerWeek}/week. The fewest is ${describe(top.c, top.text)}; the condition needs more than higher thresholds (another requirement, or a stricter segment).`;
    }
  }
  return { stage: stage.name, goal, weeks, sweeps, joint, verdict, best: bestSetting };
}

/** A copy of the IR with the thresholds of one stage's comparisons set to `values` (in the order `suggest` sweeps them). */
export function withThresholds(ir: IR, stageName: string, values: number[]): IR {
  const k = ir.stages.findIndex((s) => s.name === stageName);
  const refs = stageComparisons(ir.stages[k]?.cond ?? null);
  const set = new Map<StageComparison, number>();
  refs.forEach((ref, i) => {
    const v = values[i];
    if (v !== undefined) set.set(ref, v);
  });
  return k < 0 ? structuredClone(ir) : withStageThresholds(ir, k, set);
}

export interface ValidatedSuggestion {
  /** ISO date: points and thresholds are learned from the leads created before it */
  trainUntil: string;
  train: { leads: number; decided: number };
  test: { leads: number; decided: number };
  /** the suggestions learned from the earlier leads only */
  learned: SuggestResult;
  /** the tuned stage on the later leads: the current rules and the rules with the learned thresholds */
  check: { stage: string; setting: string | null; current: StageMetrics; suggested: StageMetrics | null; goalMet: boolean | null } | null;
  /**
   * The suggested ruleset: the learned points (the same suggestions as
   * `learned.snippet`) in place of the rules of the ruleset's `fit` and
   * `engagement` blocks, and thresholds for the tuned stage learned on the
   * earlier leads for the goal (without one: at least the current rules'
   * precision on the earlier leads); null when no stage can be tuned.
   */
  ruleset: LearnedRuleset | null;
}

export interface LearnedRuleset {
  /** the blocks whose rules were replaced by the learned points */
  replaced: ('fit' | 'engagement')[];
  /** learned points the ruleset has no block for (not applied) */
  notApplied: ('fit' | 'engagement')[];
  /** the goal the thresholds were learned for */
  goal: { precision: number } | { capacityPerWeek: number };
  /** the learned thresholds of the stage, or null (no setting met the goal on the earlier leads: the current ones are kept) */
  setting: string | null;
  /** the tuned stage on the later leads with the learned points and thresholds */
  later: StageMetrics;
  /** the same on the earlier leads (what it was fitted to) */
  earlier: StageMetrics;
  /** whether it meets the goal on the later leads */
  goalMet: boolean;
}

/**
 * The IR with the rules of its `fit` and `engagement` blocks replaced by the
 * suggested points (decay kept); attributes the new rules read are added.
 */
export function withLearnedPoints(
  ir: IR,
  r: SuggestResult,
  leads: LeadTable,
): { ir: IR; replaced: ('fit' | 'engagement')[]; notApplied: ('fit' | 'engagement')[] } {
  const used = new Set([...r.attributes.filter((x) => x.points !== 0).map((x) => x.name)]);
  const decl: string[] = [];
  for (const name of used) {
    const col = leads.columns.get(name);
    decl.push(`attribute ${lqlName(name)}: ${col ? col.type : 'text'}`);
  }
  if (ir.activities.length) decl.push(`activity ${ir.activities.map(lqlName).join(', ')}`);
  const src = `${decl.join('\n')}\n${r.snippet}\n`;
  const compiled = compileSource(src);
  const copy = structuredClone(ir) as IR;
  const replaced: ('fit' | 'engagement')[] = [];
  const notApplied: ('fit' | 'engagement')[] = [];
  if (!compiled.ir) return { ir: copy, replaced, notApplied: ['fit', 'engagement'] };
  // ids of the new nodes follow the ruleset's own (every id stays unique)
  const offset = copy.maxId;
  const shift = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(shift);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'id' && typeof v === 'number') (node as Record<string, number>).id = v + offset;
        else shift(v);
      }
    }
  };
  for (const learned of compiled.ir.scores) {
    if (learned.kind !== 'block' || (learned.block !== 'fit' && learned.block !== 'engagement')) continue;
    const target = copy.scores.find((x) => x.kind === 'block' && x.block === learned.block);
    if (!target || target.kind !== 'block') {
      notApplied.push(learned.block);
      continue;
    }
    shift(learned.rules);
    target.rules = learned.rules.map((rule, index) => ({ ...rule, index }));
    replaced.push(learned.block);
  }
  copy.maxId = offset + compiled.ir.maxId;
  for (const a of compiled.ir.attributes) if (!copy.attributes.some((b) => b.name === a.name)) copy.attributes.push(a);
  return { ir: copy, replaced, notApplied };
}

/**
 * Learn on the leads created before `until` (events up to then only), and
 * check the learned thresholds beside the current ones on the leads created
 * from `until` on; null when either side has no lead.
 */
export function suggestValidated(
  ir: IR,
  leads: LeadTable,
  events: EventTable | null | undefined,
  until: number,
  opts: SuggestOptions = {},
): ValidatedSuggestion | null {
  const split = splitByCreation(leads, until);
  if (!split.before.length || !split.after.length) return null;
  const trainLeads = leadRows(leads, split.before);
  const trainEvents = events ? eventRows(events, split.before) : null;
  const learned = suggest(ir, trainLeads, trainEvents, { ...opts, asOf: until });
  const decided = (t: LeadTable) => {
    let d = 0;
    for (let i = 0; i < t.n; i++) if (t.outcome[i] !== -1) d++;
    return d;
  };
  const testLeads = leadRows(leads, split.after);
  const testEvents = events ? eventRows(events, split.after) : null;
  let check: ValidatedSuggestion['check'] = null;
  const t = learned.thresholds;
  if (t) {
    const stageOf = (rules: IR) => {
      const st = replay(rules, testLeads, testEvents, opts.asOf !== undefined ? { asOf: opts.asOf } : {});
      const rep = computeReport(st, {
        ruleset: rules.name,
        time: { createdAt: testLeads.createdAt, weeks: dataWeeks(testLeads, st.mode === 'events' ? testEvents : null) },
      });
      return rep.stages.find((s) => s.name === t.stage)!;
    };
    const current = stageOf(ir);
    const suggested = t.best ? stageOf(withThresholds(ir, t.stage, t.best.values)) : null;
    const goal = t.goal;
    const goalMet =
      !suggested || !goal
        ? null
        : 'precision' in goal
          ? suggested.precision !== null && suggested.precision >= goal.precision
          : suggested.perWeek !== null && suggested.perWeek !== undefined && suggested.reached > 0 && suggested.perWeek <= goal.capacityPerWeek;
    check = { stage: t.stage, setting: t.best ? t.best.setting : null, current, suggested, goalMet };
  }
  let ruleset: LearnedRuleset | null = null;
  if (t) {
    // the learned points, then thresholds for them learned on the same earlier leads
    const points = withLearnedPoints(ir, learned, trainLeads);
    const stageOn = (rules: IR, ls: LeadTable, es: EventTable | null, asOf: number | undefined) => {
      const st = replay(rules, ls, es, asOf !== undefined ? { asOf } : {});
      const rep = computeReport(st, { ruleset: rules.name, time: { createdAt: ls.createdAt, weeks: dataWeeks(ls, st.mode === 'events' ? es : null) } });
      return rep.stages.find((x) => x.name === t.stage)!;
    };
    const today = stageOn(ir, trainLeads, trainEvents, until);
    const goal = t.goal ?? { precision: today.precision ?? 0 };
    const tuned = suggest(points.ir, trainLeads, trainEvents, {
      ...opts,
      asOf: until,
      stage: t.stage,
      ...('precision' in goal ? { precision: goal.precision, capacityPerWeek: undefined } : { capacityPerWeek: goal.capacityPerWeek, precision: undefined }),
    });
    const best = tuned.thresholds?.best ?? null;
    const final = best ? withThresholds(points.ir, t.stage, best.values) : points.ir;
    const later = stageOn(final, testLeads, testEvents, opts.asOf);
    const earlier = stageOn(final, trainLeads, trainEvents, until);
    const goalMet =
      'precision' in goal
        ? later.precision !== null && later.precision >= goal.precision
        : later.perWeek !== null && later.perWeek !== undefined && later.reached > 0 && later.perWeek <= goal.capacityPerWeek;
    ruleset = { replaced: points.replaced, notApplied: points.notApplied, goal, setting: best ? best.setting : null, later, earlier, goalMet };
  }
  return {
    trainUntil: new Date(until).toISOString(),
    train: { leads: trainLeads.n, decided: decided(trainLeads) },
    test: { leads: testLeads.n, decided: decided(testLeads) },
    learned,
    check,
    ruleset,
  };
}

/** The validation in words: what was learned on earlier leads and how it does on later ones. */
export function printValidated(v: ValidatedSuggestion): string {
  const day = v.trainUntil.slice(0, 10);
  const out: string[] = [];
  out.push(`Learned from the ${v.train.leads} leads created before ${day} (${v.train.decided} decided; events up to ${day} only).`, '');
  out.push(printSuggestions(v.learned), '');
  out.push(`Checked on the ${v.test.leads} leads created from ${day} on (${v.test.decided} decided):`);
  const c = v.check;
  if (!c) {
    out.push('  (no stage to tune)');
    return out.join('\n');
  }
  const cell = (s: StageMetrics) => {
    const d = s.won + s.lost;
    const ci = s.precisionCI ? ` (${pct(s.precisionCI[0])}–${pct(s.precisionCI[1])})` : '';
    return `${String(s.reached).padStart(8)}  ${(s.perWeek === null || s.perWeek === undefined ? '–' : s.perWeek.toFixed(1)).padStart(8)}  ${(pct(s.precision) + (d > 0 && d < SMALL_SAMPLE ? '*' : '') + ci).padEnd(24)}  ${pct(s.recall).padStart(6)}`;
  };
  const L = v.ruleset;
  const rows: [string, StageMetrics | null][] = [[`current ${c.stage}`, c.current]];
  rows.push([
    c.suggested
      ? `learned thresholds: ${c.setting}`
      : `learned thresholds: ${v.learned.thresholds?.goal ? 'none met the goal on the earlier leads' : 'none (no goal given)'}`,
    c.suggested,
  ]);
  if (L) rows.push([`${L.replaced.length ? `learned points (${L.replaced.join(', ')})` : 'current points'} + ${L.setting ?? 'current thresholds'}`, L.later]);
  const w = Math.max(40, ...rows.map((r) => r[0].length + 1));
  out.push(`  ${'rules'.padEnd(w)}   reached  per week  precision (95% CI)        recall`);
  for (const [label, m] of rows) out.push(m ? `  ${label.padEnd(w)}${cell(m)}` : `  ${label}`);
  if (c.goalMet !== null)
    out.push(
      '',
      c.goalMet
        ? 'The learned thresholds still meet the goal on the later leads.'
        : 'The learned thresholds do NOT meet the goal on the later leads: they were fitted to the earlier ones.',
    );
  if (L) {
    const goal =
      'precision' in L.goal
        ? `a precision of at least ${pct(L.goal.precision)}${v.learned.thresholds?.goal ? '' : " (no goal given: the current rules' precision on the earlier leads)"}`
        : `at most ${L.goal.capacityPerWeek}/week`;
    out.push(
      `The suggested ruleset has the learned points in place of the rules of ${L.replaced.length ? L.replaced.join(' and ') : 'no block'}, and thresholds learned for ${goal}. ` +
        (L.goalMet ? 'It meets that goal on the later leads.' : 'It does NOT meet that goal on the later leads.'),
    );
    if (!L.setting) out.push('  No threshold met the goal on the earlier leads with the learned points; the current thresholds were kept.');
    if (L.notApplied.length) out.push(`  The ruleset has no ${L.notApplied.join(' or ')} block: those learned points are not in it.`);
  }
  if ([c.current, c.suggested, L?.later].some((s) => s && s.won + s.lost > 0 && s.won + s.lost < SMALL_SAMPLE))
    out.push(`* fewer than ${SMALL_SAMPLE} decided leads: a small sample.`);
  return out.join('\n');
}

/** A human-readable rendering of a SuggestResult. */
export function printSuggestions(r: SuggestResult): string {
  const out: string[] = [];
  out.push(`${r.ruleset ?? 'ruleset'}: ${r.leads} leads, ${r.decided} decided, base close rate ${pct(r.baseRate)}`);
  const table = (title: string, rows: Suggestion[]) => {
    if (!rows.length) return;
    out.push('', title);
    for (const s of rows) {
      const ci = s.closeRateCI ? `[${pct(s.closeRateCI[0])}, ${pct(s.closeRateCI[1])}]` : '';
      out.push(
        `  ${s.condition.padEnd(44)} n=${String(s.won + s.lost).padStart(6)}  ${pct(s.closeRate).padStart(6)} ${ci.padEnd(17)} ${s.ratio === null ? '' : s.ratio.toFixed(2) + 'x'}  ${s.points > 0 ? '+' : ''}${s.points}${s.warning ? '  (' + s.warning + ')' : ''}`,
      );
    }
  };
  table('Activities (close rate of leads who did it):', r.activities);
  table('Attribute values:', r.attributes);
  if (r.excluded.length) {
    out.push('', 'Columns left out (no points suggested):');
    const why = { id: 'identifies leads', leak: 'looks like an outcome leak (filled in after the result is known?)', user: 'excluded' } as const;
    for (const e of r.excluded) out.push(`  ${lqlName(e.column)}: ${why[e.reason]}: ${e.evidence}`);
    out.push('  Use --include COLUMN to score one anyway, --exclude COLUMN to leave out more.');
  }
  if (r.included.length) {
    out.push('', 'Kept with --include although they look suspicious:');
    for (const e of r.included) out.push(`  ${lqlName(e.column)} (${e.reason === 'id' ? 'an id' : 'a possible leak'}): ${e.evidence}`);
  }
  out.push('', r.snippet);
  if (r.thresholds) {
    const t = r.thresholds;
    out.push(
      '',
      `Thresholds for stage ${t.stage} (${t.weeks === null ? 'the data has no dates: no per-week figures' : `${t.weeks.toFixed(1)} weeks of data`}):`,
    );
    if (!t.sweeps.length) out.push('  (its condition has no comparison of a score with a number)');
    const rate = (c: ThresholdCandidate) => pct(c.precision) + (c.precision !== null && c.won + c.lost < SMALL_SAMPLE ? '*' : '');
    const rows = (s: ThresholdSweep, label: (c: ThresholdCandidate) => string, width: number) => {
      for (const c of s.candidates) {
        const mark = c.threshold === s.recommended ? ' <- suggested' : c.threshold === s.current ? ' (current)' : '';
        out.push(
          `    ${label(c).padStart(width)}  ${String(c.reached).padStart(8)}  ${(c.perWeek === null ? '–' : c.perWeek.toFixed(1)).padStart(8)}  ${rate(c).padStart(9)}  ${pct(c.recall).padStart(6)}${mark}`,
        );
      }
      out.push(`    ${s.note}`);
    };
    for (const s of t.sweeps) {
      out.push(`  ${s.comparison} (now ${lqlNumber(s.current)}), the rest of the condition unchanged:`);
      out.push('    threshold   reached  per week  precision  recall');
      rows(s, (c) => lqlNumber(c.threshold), 9);
    }
    if (t.joint) {
      const w = Math.max(...t.joint.candidates.map((c) => (c.setting ?? '').length));
      out.push(`  The whole condition, every threshold scaled together (now ${t.joint.comparison}):`);
      out.push(`    ${'setting'.padStart(w)}   reached  per week  precision  recall`);
      rows(t.joint, (c) => c.setting ?? '', w);
    }
    if (t.sweeps.some((s) => s.candidates.some((c) => c.precision !== null && c.won + c.lost < SMALL_SAMPLE)))
      out.push(`  * fewer than ${SMALL_SAMPLE} decided leads: a small sample.`);
    out.push('', t.verdict);
  }
  return out.join('\n');
}

/**
 * Stage thresholds: the comparisons of a score with a number in a stage's
 * condition, copies of the IR with some of them changed, the candidate
 * thresholds to try, and the stage's figures after a replay.
 *
 * Input: an IR, a stage index, a scored table (replay.ts). Output: plain
 * data (`StageComparison`, `ThresholdCandidate`, `ThresholdSweep`) read by
 * `lql suggest` (suggest.ts) and by the playground's sweep. The sweep of a
 * stage (`sweepStage`) is one generator for both: it yields each copy to
 * replay and is resumed with the replay, which each caller makes its own
 * way (`lql suggest` at once, the playground in chunks in the background).
 * Invariants: the caller's IR is never changed (edits are made on a deep
 * copy, found by the path recorded in each comparison); rates with no
 * decided lead, and per-week figures without dates, are null.
 */
import type { IR, IRCond } from '../language/compile/ir.js';
import type { EventTable, LeadTable } from './data/table.js';
import { reachOf, type Reach } from './metrics.js';
import type { ScoredTable } from './replay.js';
import { dataWeeks } from './time.js';

/** A comparison `score OP number` (or `number OP score`) in a stage condition, and where it is. */
export interface StageComparison {
  /** property path from the stage's condition to the comparison node */
  path: (string | number)[];
  score: string;
  op: string;
  /** which side holds the number */
  numSide: 'left' | 'right';
  value: number;
  /** the comparison as written, e.g. `engagement >= 40` */
  text: string;
}

export interface ThresholdCandidate extends Reach {
  threshold: number;
  /** reached / the weeks the data covers; null when the data has no dates */
  perWeek: number | null;
  /** for the whole-condition sweep: the thresholds of this setting, e.g. `fit >= 38, engagement >= 50` */
  setting?: string;
}

export interface ThresholdSweep {
  /** the stage whose condition holds the comparison */
  stage: string;
  /** the comparison as written, e.g. `engagement >= 40` */
  comparison: string;
  score: string;
  op: string;
  current: number;
  candidates: ThresholdCandidate[];
  /** the threshold that best meets the goal, or null (no goal, or none meets it) */
  recommended: number | null;
  note: string;
}

/** The comparisons of a score with a number (`>=`, `>`, `<=`, `<`) in a stage condition, in source order. */
export function stageComparisons(cond: IRCond | null): StageComparison[] {
  const out: StageComparison[] = [];
  const visit = (c: IRCond, path: (string | number)[]): void => {
    if (c.k === 'and' || c.k === 'or') c.args.forEach((a, i) => visit(a, [...path, 'args', i]));
    else if (c.k === 'not') visit(c.arg, [...path, 'arg']);
    else if (c.k === 'cmp' && ['>=', '>', '<=', '<'].includes(c.op)) {
      if (c.left.k === 'score' && c.right.k === 'num') {
        out.push({ path, score: c.left.name, op: c.op, numSide: 'right', value: c.right.value, text: c.src.text });
      } else if (c.right.k === 'score' && c.left.k === 'num') {
        out.push({ path, score: c.right.name, op: c.op, numSide: 'left', value: c.left.value, text: c.src.text });
      }
    }
  };
  if (cond) visit(cond, []);
  return out;
}

/** The node at `path` from `root`, or undefined when the path does not lead to an object. */
function nodeAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const p of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[p];
  }
  return node;
}

/**
 * A copy of the IR with the given comparisons of stage `k` set to new
 * thresholds (comparisons from `stageComparisons` of that stage's condition).
 */
export function withStageThresholds(ir: IR, k: number, values: ReadonlyMap<StageComparison, number>): IR {
  const copy = structuredClone(ir);
  const cond = copy.stages[k]?.cond ?? null;
  for (const [ref, v] of values) {
    const cmp = nodeAt(cond, ref.path) as IRCond | undefined;
    if (cmp?.k !== 'cmp') throw new Error(`internal error: no comparison at ${ref.path.join('.')} in stage ${k}`);
    const side = cmp[ref.numSide];
    if (side.k !== 'num') throw new Error(`internal error: the comparison ${ref.text} has no number on the ${ref.numSide}`);
    side.value = v;
  }
  return copy;
}

/** Rounds a threshold as a person would write it: whole numbers on wide scales, two digits otherwise. */
export function thresholdRounder(ref: StageComparison, scores: ArrayLike<number>): (v: number) => number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] ?? NaN;
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const wide = hi - lo > 20 || Math.abs(ref.value) >= 10;
  return (v) => (wide ? Math.round(v) : +v.toPrecision(2));
}

/**
 * The thresholds to try for one comparison, ascending: the current one,
 * multiples of it, the deciles of the score at asOf and its 99th percentile.
 */
export function candidateThresholds(ref: StageComparison, scores: ArrayLike<number>): number[] {
  const vals = Array.from(scores).sort((a, b) => a - b);
  const nice = thresholdRounder(ref, vals);
  const cands = new Set<number>([ref.value]);
  if (ref.value !== 0) for (const m of [0.25, 0.5, 0.75, 0.875, 1.125, 1.25, 1.5, 2, 3]) cands.add(nice(ref.value * m));
  for (let q = 1; q < 10; q++) {
    const v = vals[Math.floor((q * vals.length) / 10)];
    if (v !== undefined) cands.add(nice(v));
  }
  cands.add(nice(vals[Math.max(0, vals.length - 1 - Math.floor(vals.length / 100))] ?? ref.value));
  return [...cands].sort((a, b) => a - b);
}

/** Leads with a known `won` outcome. */
export function wonLeads(outcome: ArrayLike<number>): number {
  let won = 0;
  for (let i = 0; i < outcome.length; i++) if (outcome[i] === 1) won++;
  return won;
}

/** Stage `k`'s figures in a replay: leads that reached it, their outcomes, precision, recall and volume. */
export function stageFigures(
  st: ScoredTable,
  k: number,
  threshold: number,
  totals: { won: number; weeks: number | null },
  setting?: string,
): ThresholdCandidate {
  const reach = reachOf(st.reached[k] ?? null, false, st.outcome, st.n, totals.won);
  return {
    threshold,
    ...(setting !== undefined ? { setting } : {}),
    ...reach,
    perWeek: totals.weeks === null ? null : reach.reached / totals.weeks,
  };
}

/** What a stage's figures are measured against: the won leads, and the weeks the data covers (null without dates). */
export function sweepTotals(leads: LeadTable, events: EventTable | null, scored: ScoredTable): { won: number; weeks: number | null } {
  return { won: wonLeads(leads.outcome), weeks: dataWeeks(leads, scored.mode === 'events' ? events : null) };
}

/** The stage a sweep is about: `name` when it is one above the lowest, else the one just above the lowest; -1 with fewer than two stages. */
export function sweepStageIndex(ir: IR, name?: string): number {
  const k = name !== undefined ? ir.stages.findIndex((s) => s.name === name) : -1;
  return k >= 0 && k < ir.stages.length - 1 ? k : ir.stages.length - 2;
}

/**
 * The sweep of every comparison in stage `k`'s condition, one threshold at a
 * time (the others as written): for each candidate threshold, the stage's
 * figures in a replay of the IR with that threshold. Yields each IR to
 * replay and expects the replay back (`base` itself stands for the current
 * threshold); a null answer stops the sweep, which then returns null.
 * `recommended` and `note` are left for the caller (it knows the goal).
 */
export function* sweepStage(
  ir: IR,
  k: number,
  base: ScoredTable,
  totals: { won: number; weeks: number | null },
): Generator<IR, ThresholdSweep[] | null, ScoredTable | null> {
  const stage = ir.stages[k];
  if (!stage) return [];
  const sweeps: ThresholdSweep[] = [];
  for (const ref of stageComparisons(stage.cond)) {
    const candidates: ThresholdCandidate[] = [];
    for (const thr of candidateThresholds(ref, base.scores[base.scoreNames.indexOf(ref.score)] ?? [])) {
      const st = thr === ref.value ? base : yield withStageThresholds(ir, k, new Map([[ref, thr]]));
      if (!st) return null;
      candidates.push(stageFigures(st, k, thr, totals));
    }
    sweeps.push({ stage: stage.name, comparison: ref.text, score: ref.score, op: ref.op, current: ref.value, candidates, recommended: null, note: '' });
  }
  return sweeps;
}

/** Run a sweep with replays made at once. */
export function sweepNow<T>(sweep: Generator<IR, T, ScoredTable | null>, replay: (ir: IR) => ScoredTable): T {
  let step = sweep.next();
  while (!step.done) step = sweep.next(replay(step.value));
  return step.value;
}

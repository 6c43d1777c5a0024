/**
 * Types of a scorer's results, shared by the JS scorer (`emit-js.ts`), the
 * reference interpreter, the CLI (`lql explain`, `lql score`), the worker and
 * the tests. They live below both routes to the meaning, so neither imports
 * the other.
 *
 * Input/Output: types only. Invariants: a `ScoreResult` is what both the
 * in-process scorer (`compileScorer`) and the exported module's `score()`
 * return; maps keyed by user names (`scores`, `bands`, `reached`) are
 * null-prototype objects, so `__proto__` and `constructor` are ordinary keys.
 *
 * ## The explain trace
 * With `compileScorer(ir, { explain: true })`, a result also carries
 * `explain`, recorded at the final evaluation point (`asOf`):
 * - `rules`: every rule of every score block, in declaration order, with
 *   whether it fired, its contribution (`points`, after decay and `max`;
 *   0 when it did not fire) and what it read: the condition tree of a `when`
 *   rule, the number of events in the window for `per`/`once` activity
 *   rules, the attribute's value for `per ATTRIBUTE` rules;
 * - `stages`: every stage, furthest first, with the time it was first
 *   reached (or null) and its condition tree as evaluated at `asOf`;
 * - `routes`: every route entry with its condition tree at `asOf` and
 *   whether it was the one chosen;
 * - `history`: every evaluation point in time order (distinct event times
 *   up to `asOf`, then `asOf`), with the stages first reached there, lowest
 *   first.
 * A condition tree (`ExplainCond`) mirrors the IR condition: `id` and `src`
 * are the IR node's, `value` its truth, `args` its sub-conditions (`and`,
 * `or`, `not`), `reads` the values a leaf read, each with the id and source
 * text of the IR value node and its actual value (`null` when missing; dates
 * as epoch ms). In explain mode every sub-condition is evaluated (no
 * short-circuit), so the whole tree can be shown; results are unchanged
 * because evaluation has no side effects.
 */

export type EventTime = string | number | Date;

export interface LeadEvent {
  type: string;
  at: EventTime;
}

export interface Reason {
  /** the score block's name */
  score: string;
  /** the rule's contribution, after decay and `max` (never 0) */
  points: number;
  /** the rule's source line */
  line: number;
  /** the rule's source text */
  rule: string;
}

export interface ExplainValue {
  /** IR node id of the value read */
  id: number;
  /** its source text */
  src: string;
  type: 'number' | 'text' | 'bool' | 'date';
  /** the actual value; null when missing; dates as epoch ms */
  value: number | string | boolean | null;
}

export interface ExplainCond {
  /** IR node id */
  id: number;
  /** the condition's source text */
  src: string;
  line: number;
  /** its truth value */
  value: boolean;
  /** values a leaf condition read (empty for and/or/not) */
  reads: ExplainValue[];
  /** sub-conditions of and/or/not (empty for a leaf) */
  args: ExplainCond[];
}

export interface ExplainRule {
  score: string;
  /** index of the rule within its block */
  index: number;
  line: number;
  rule: string;
  kind: 'when' | 'perActivity' | 'once' | 'perAttribute';
  fired: boolean;
  points: number;
  /** `when` rules: the condition tree */
  cond: ExplainCond | null;
  /** `per`/`once` activity rules: events in the window at asOf */
  events: number | null;
  /** `per ATTRIBUTE` rules: the attribute's value (null when missing) */
  value: number | null;
}

export interface ExplainStage {
  name: string;
  /** epoch ms the stage was first reached, or null */
  reached: number | null;
  /** the stage condition at asOf; null for the `otherwise` stage */
  cond: ExplainCond | null;
}

export interface ExplainRoute {
  action: string;
  line: number;
  /** null for the `otherwise` entry */
  cond: ExplainCond | null;
  chosen: boolean;
}

export interface ExplainPoint {
  /** epoch ms */
  at: number;
  /** stages first reached at this point, lowest first */
  reached: string[];
}

export interface ExplainTrace {
  /** epoch ms of the final evaluation point */
  asOf: number;
  rules: ExplainRule[];
  stages: ExplainStage[];
  routes: ExplainRoute[];
  history: ExplainPoint[];
}

export interface ScoreResult {
  scores: Record<string, number>;
  bands: Record<string, string>;
  /** the furthest stage reached ("" when the ruleset declares no stages) */
  stage: string;
  /** epoch ms each stage was first reached, or null */
  reached: Record<string, number | null>;
  route: string | null;
  reasons: Reason[];
  explain?: ExplainTrace;
}

export interface RulesetInfo {
  name: string;
  /** furthest first, as declared */
  stages: string[];
  /** every score, in declaration order */
  scores: string[];
  /** each band's labels, highest first */
  bands: Record<string, string[]>;
}

export type ScoreFn = (lead: Record<string, unknown>, events?: readonly LeadEvent[] | null, asOf?: EventTime | null) => ScoreResult;

export interface Scorer {
  score: ScoreFn;
  ruleset: RulesetInfo;
  /** the emitted scorer body (the same text the exported module contains) */
  source: string;
}

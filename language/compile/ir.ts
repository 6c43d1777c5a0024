/**
 * The LQL intermediate representation: a checked ruleset with every name
 * resolved and every type known. This is what `lql compile --target json`
 * writes (documented in docs/ir.md) and what every back end reads: the JS
 * emitter (object scorer), the columnar kernel emitter (simulator) and the
 * SQL emitter.
 *
 * Input: produced by `lower.ts` from a Program that checked without errors.
 * Invariants:
 * - plain JSON data (no functions, no cycles, no undefined; `null` for absent);
 * - segments and lists are inlined: a condition never refers to a segment
 *   or list by name;
 * - `order` lists scores and bands so that each only depends on earlier ones;
 * - `stages` is furthest first, as declared; the last one has `cond: null`;
 * - `routes` ends with an `otherwise` entry (cond null) when declared;
 * - every condition and value node carries `id` (unique in the ruleset, for
 *   explain mode) and `src` (its source text and line).
 */

export type IRType = 'number' | 'text' | 'bool' | 'date';

export interface IRSrc {
  /** 1-based source line */
  line: number;
  /** 1-based source column */
  col: number;
  /** the source text of the node, whitespace-normalised */
  text: string;
}

export interface IRAttribute {
  name: string;
  type: IRType;
  /** declared with `attribute`, or inferred from use */
  declared: boolean;
}

// ---------------------------------------------------------------------------
// Values: each evaluates to a number, text, bool, date (epoch ms) or missing.

export type IRValue =
  | { k: 'attr'; id: number; src: IRSrc; name: string; type: IRType }
  | { k: 'score'; id: number; src: IRSrc; name: string }
  /** a band's label, as text */
  | { k: 'band'; id: number; src: IRSrc; name: string }
  | { k: 'num'; id: number; src: IRSrc; value: number }
  | { k: 'str'; id: number; src: IRSrc; value: string }
  | { k: 'date'; id: number; src: IRSrc; value: number }
  | { k: 'bool'; id: number; src: IRSrc; value: boolean }
  /** lower-case of a text value (missing stays missing) */
  | { k: 'lower'; id: number; src: IRSrc; arg: IRValue }
  /** part after the last `@`, lower-cased; missing if no `@` or arg missing */
  | { k: 'domain'; id: number; src: IRSrc; arg: IRValue }
  /** number of events of the activity at or before asOf (and within the window if any) */
  | { k: 'count'; id: number; src: IRSrc; activity: string; windowMs: number | null }
  /** (asOf - date attribute) / 1 day; missing if the attribute is missing */
  | { k: 'daysSince'; id: number; src: IRSrc; attr: string }
  /** (asOf - time of latest event of the activity) / 1 day; missing if none */
  | { k: 'daysSinceLast'; id: number; src: IRSrc; activity: string }
  /** the current furthest stage name (tests and routes only) */
  | { k: 'stage'; id: number; src: IRSrc }
  /** the route action (tests only) */
  | { k: 'route'; id: number; src: IRSrc };

/** The type of value compared: decides coercion of both sides. */
export type IRCmpType = 'number' | 'text' | 'bool' | 'date';

export type IRCond =
  | { k: 'and'; id: number; src: IRSrc; args: IRCond[] }
  | { k: 'or'; id: number; src: IRSrc; args: IRCond[] }
  | { k: 'not'; id: number; src: IRSrc; arg: IRCond }
  | { k: 'const'; id: number; src: IRSrc; value: boolean }
  /** false if either side is missing */
  | { k: 'cmp'; id: number; src: IRSrc; op: '==' | '!=' | '<' | '<=' | '>' | '>='; type: IRCmpType; left: IRValue; right: IRValue }
  /** false if value is missing; `not in` is lowered to not(in) */
  | { k: 'in'; id: number; src: IRSrc; type: IRCmpType; value: IRValue; items: (string | number | boolean)[] }
  /** inclusive; false if any side is missing */
  | { k: 'between'; id: number; src: IRSrc; type: IRCmpType; value: IRValue; low: IRValue; high: IRValue }
  /** case-sensitive; false if either side is missing */
  | { k: 'text'; id: number; src: IRSrc; op: 'contains' | 'starts_with' | 'ends_with'; value: IRValue; arg: IRValue }
  /** RE2 search anywhere in the text; flags subset of "iu"; false if missing */
  | { k: 'matches'; id: number; src: IRSrc; value: IRValue; pattern: string; flags: string }
  /** `is present`; `is missing` is lowered to not(present) */
  | { k: 'present'; id: number; src: IRSrc; value: IRValue }
  /** at least one event of the activity at or before asOf */
  | { k: 'has'; id: number; src: IRSrc; activity: string }
  /** the stage has been reached at or before this evaluation */
  | { k: 'reached'; id: number; src: IRSrc; stage: string }
  /** a bool attribute is true (missing is false) */
  | { k: 'truthy'; id: number; src: IRSrc; value: IRValue };

export type IRArith =
  | { k: 'add' | 'sub' | 'mul'; id: number; src: IRSrc; left: IRArith; right: IRArith }
  | { k: 'neg'; id: number; src: IRSrc; arg: IRArith }
  | { k: 'num'; id: number; src: IRSrc; value: number }
  | { k: 'score'; id: number; src: IRSrc; name: string }
  /** numeric attribute; missing counts 0 */
  | { k: 'attr'; id: number; src: IRSrc; name: string; type: 'number' };

export interface IRRuleBase {
  /** index of the rule within its block */
  index: number;
  points: number;
  src: IRSrc;
}

export type IRRule =
  /** points if cond holds (never decayed) */
  | (IRRuleBase & { k: 'when'; cond: IRCond })
  /** points per event in the window, decayed if the block decays, then clamped to max */
  | (IRRuleBase & { k: 'perActivity'; activity: string; windowMs: number | null; max: number | null })
  /** points if at least one event in the window (latest event's decay weight), then clamped */
  | (IRRuleBase & { k: 'once'; activity: string; windowMs: number | null; max: number | null })
  /** points times a numeric attribute (missing counts 0), then clamped */
  | (IRRuleBase & { k: 'perAttribute'; attr: string; max: number | null });

export interface IRBlockScore {
  kind: 'block';
  name: string;
  block: 'fit' | 'engagement' | 'score';
  /** half-life in ms, or null when the block does not decay */
  halfLifeMs: number | null;
  rules: IRRule[];
  src: IRSrc;
}

export interface IRDerivedScore {
  kind: 'derived';
  name: string;
  expr: IRArith;
  src: IRSrc;
}

export type IRScore = IRBlockScore | IRDerivedScore;

export interface IRBand {
  name: string;
  /** what the band reads: a score, or a numeric attribute (missing -> the otherwise label) */
  source: { k: 'score'; name: string } | { k: 'attr'; name: string };
  /** descending thresholds; the last has min null (otherwise) */
  labels: { label: string; min: number | null }[];
  src: IRSrc;
}

export interface IRStage {
  name: string;
  /** null for the `otherwise` stage (the last) */
  cond: IRCond | null;
  src: IRSrc;
}

export interface IRRoute {
  action: string;
  cond: IRCond | null;
  src: IRSrc;
}

export interface IRTest {
  name: string;
  lead: Record<string, string | number | boolean | null>;
  /** event times as epoch ms */
  events: { type: string; at: number }[];
  /** epoch ms; null = time of the last event, or 0 with none */
  at: number | null;
  expects: { cond: IRCond; src: IRSrc }[];
  src: IRSrc;
}

export interface IR {
  format: 'lql-ir';
  version: 1;
  name: string | null;
  attributes: IRAttribute[];
  activities: string[];
  scores: IRScore[];
  bands: IRBand[];
  /** evaluation order: each entry depends only on earlier ones */
  order: IROrder[];
  stages: IRStage[];
  routes: IRRoute[];
  tests: IRTest[];
  /** highest id used by any node */
  maxId: number;
}

/** One entry of `IR.order`. */
export interface IROrder {
  kind: 'score' | 'band';
  name: string;
}

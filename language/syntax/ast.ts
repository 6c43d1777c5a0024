/**
 * The LQL abstract syntax tree.
 *
 * Input: produced by `parser.ts` from source text. Output: consumed by the
 * checker, the reference interpreter, the formatter and the language service.
 * Invariants: every node has a `range` into the source it came from (1-based
 * line and column, 0-based offsets, end exclusive); the tree is plain data
 * (no classes, no cycles), so it can be posted to a worker or printed as JSON.
 * A node produced by error recovery may have `missing: true` parts, which the
 * checker does not report twice.
 */

export interface Pos {
  /** 0-based character offset */
  offset: number;
  /** 1-based line */
  line: number;
  /** 1-based column (in UTF-16 code units) */
  column: number;
}

export interface Range {
  start: Pos;
  /** exclusive */
  end: Pos;
}

export interface NodeBase {
  range: Range;
}

/** An identifier, plain (`employees`) or quoted in backticks (`` `Lead Origin` ``). */
export interface Name extends NodeBase {
  kind: 'Name';
  text: string;
  quoted: boolean;
}

export interface Comment extends NodeBase {
  kind: 'Comment';
  /** text after `#` */
  text: string;
}

// ---------------------------------------------------------------------------
// Literals

export interface NumberLit extends NodeBase {
  kind: 'Number';
  value: number;
  /** as written, e.g. `5_000` */
  raw: string;
}

export interface StringLit extends NodeBase {
  kind: 'String';
  value: string;
}

export interface BoolLit extends NodeBase {
  kind: 'Bool';
  value: boolean;
}

export interface DateLit extends NodeBase {
  kind: 'Date';
  /** epoch milliseconds (UTC when no offset was written); NaN if invalid */
  value: number;
  raw: string;
}

export type DurationUnit = 'minute' | 'hour' | 'day' | 'week';

export interface DurationLit extends NodeBase {
  kind: 'Duration';
  amount: number;
  unit: DurationUnit;
  /** the unit word as written (`days`, `week`) */
  unitRaw: string;
  /** length in milliseconds */
  ms: number;
}

export interface RegexLit extends NodeBase {
  kind: 'Regex';
  pattern: string;
  flags: string;
  raw: string;
}

/** Points of a rule: an explicit sign and a number: `+30`, `-50`, `+0.5`. */
export interface PointsLit extends NodeBase {
  kind: 'Points';
  value: number;
  raw: string;
}

export type Literal = NumberLit | StringLit | BoolLit | DateLit;

// ---------------------------------------------------------------------------
// Values (operands of conditions)

/** A reference to a declared name or an attribute. `stage` and `route` are refs too. */
export interface Ref extends NodeBase {
  kind: 'Ref';
  name: Name;
}

/** `lower(x)`, `domain(email)`; the callee is kept as written for did-you-mean. */
export interface Call extends NodeBase {
  kind: 'Call';
  callee: Name;
  args: Value[];
}

/** `count(web_visit)`, `count(web_visit in last 30 days)` */
export interface Count extends NodeBase {
  kind: 'Count';
  activity: Name;
  window: DurationLit | null;
}

/** `days since created_at` (last=false) or `days since last demo_request` (last=true) */
export interface DaysSince extends NodeBase {
  kind: 'DaysSince';
  target: Name;
  last: boolean;
}

/** `[A, B]` or `["gmail.com", "yahoo.com"]`: items are literals or bare names (band labels). */
export interface ListLit extends NodeBase {
  kind: 'ListLit';
  items: (Literal | Ref)[];
}

export type Value = Ref | Call | Count | DaysSince | NumberLit | StringLit | BoolLit | DateLit;

// ---------------------------------------------------------------------------
// Conditions

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface Or extends NodeBase {
  kind: 'Or';
  left: Expr;
  right: Expr;
}

export interface And extends NodeBase {
  kind: 'And';
  left: Expr;
  right: Expr;
}

export interface Not extends NodeBase {
  kind: 'Not';
  operand: Expr;
}

/** `( cond )`: kept so that the formatter and explain output keep the user's grouping. */
export interface Paren extends NodeBase {
  kind: 'Paren';
  inner: Expr;
}

export interface Compare extends NodeBase {
  kind: 'Compare';
  op: CompareOp;
  left: Value;
  right: Value;
}

/** `x in [..]`, `x in freemail`, `x not in ...` */
export interface In extends NodeBase {
  kind: 'In';
  value: Value;
  list: ListLit | Ref;
  negated: boolean;
}

/** `x between A and B` (inclusive) */
export interface Between extends NodeBase {
  kind: 'Between';
  value: Value;
  low: Value;
  high: Value;
}

export type TextOp = 'contains' | 'starts_with' | 'ends_with';

export interface TextTest extends NodeBase {
  kind: 'TextTest';
  op: TextOp;
  value: Value;
  arg: Value;
}

export interface Matches extends NodeBase {
  kind: 'Matches';
  value: Value;
  regex: RegexLit;
}

/** `x is missing` (missing=true) / `x is present` (missing=false) */
export interface Presence extends NodeBase {
  kind: 'Presence';
  value: Value;
  missing: boolean;
}

/** A value used on its own as a condition: a segment, an activity, a stage, a bool attribute. */
export interface Truthy extends NodeBase {
  kind: 'Truthy';
  value: Value;
}

export type Expr = Or | And | Not | Paren | Compare | In | Between | TextTest | Matches | Presence | Truthy;

// ---------------------------------------------------------------------------
// Arithmetic (derived scores only)

export interface ArithBinary extends NodeBase {
  kind: 'ArithBinary';
  op: '+' | '-' | '*';
  left: Arith;
  right: Arith;
}

export interface ArithParen extends NodeBase {
  kind: 'ArithParen';
  inner: Arith;
}

export interface ArithNeg extends NodeBase {
  kind: 'ArithNeg';
  operand: Arith;
}

export type Arith = ArithBinary | ArithParen | ArithNeg | NumberLit | Ref;

// ---------------------------------------------------------------------------
// Rules inside score blocks

/** `+30 when CONDITION` */
export interface WhenRule extends NodeBase {
  kind: 'WhenRule';
  points: PointsLit;
  cond: Expr;
}

/** `+2 per web_visit in last 30 days, max 20` (target: activity or numeric attribute) */
export interface PerRule extends NodeBase {
  kind: 'PerRule';
  points: PointsLit;
  target: Name;
  window: DurationLit | null;
  max: NumberLit | null;
}

/** `+15 once pricing_page_view in last 7 days, max 10` */
export interface OnceRule extends NodeBase {
  kind: 'OnceRule';
  points: PointsLit;
  target: Name;
  window: DurationLit | null;
  max: NumberLit | null;
}

/** `decay half-life 30 days` */
export interface DecayClause extends NodeBase {
  kind: 'Decay';
  halfLife: DurationLit;
}

export type Rule = WhenRule | PerRule | OnceRule;

// ---------------------------------------------------------------------------
// Declarations

export interface RulesetDecl extends NodeBase {
  kind: 'Ruleset';
  name: StringLit;
}

export interface AttributeDecl extends NodeBase {
  kind: 'Attribute';
  name: Name;
  /** as written; the checker reports anything but text | number | bool | date */
  type: Name;
}

export interface ActivityDecl extends NodeBase {
  kind: 'Activity';
  names: Name[];
}

export interface ListDecl extends NodeBase {
  kind: 'List';
  name: Name;
  items: Literal[];
}

export interface SegmentDecl extends NodeBase {
  kind: 'Segment';
  name: Name;
  cond: Expr;
}

/** `fit { }`, `engagement { }`, `score NAME { }` */
export interface ScoreBlock extends NodeBase {
  kind: 'ScoreBlock';
  block: 'fit' | 'engagement' | 'score';
  /** for `fit`/`engagement`, a Name spanning the keyword */
  name: Name;
  /** rules and decay clauses in source order */
  items: (Rule | DecayClause)[];
}

/** `score total = fit + engagement` */
export interface DerivedScoreDecl extends NodeBase {
  kind: 'DerivedScore';
  name: Name;
  expr: Arith;
}

export interface BandEntry extends NodeBase {
  kind: 'BandEntry';
  label: Name;
  /** null for `otherwise` */
  threshold: NumberLit | null;
  /** true when the threshold was written with a sign, e.g. `>= -10` */
}

export interface BandDecl extends NodeBase {
  kind: 'Band';
  name: Name;
  source: Name;
  entries: BandEntry[];
}

export interface StageEntry extends NodeBase {
  kind: 'StageEntry';
  name: Name;
  /** null for `otherwise` */
  cond: Expr | null;
}

export interface StagesDecl extends NodeBase {
  kind: 'Stages';
  entries: StageEntry[];
}

export interface RouteEntry extends NodeBase {
  kind: 'RouteEntry';
  action: StringLit;
  /** null for `otherwise` */
  cond: Expr | null;
}

export interface RouteDecl extends NodeBase {
  kind: 'Route';
  entries: RouteEntry[];
}

export interface TestLeadField extends NodeBase {
  kind: 'TestLeadField';
  key: Name;
  value: Literal;
}

export interface TestEvent extends NodeBase {
  kind: 'TestEvent';
  type: Name;
  at: DateLit;
}

export interface Expect extends NodeBase {
  kind: 'Expect';
  cond: Expr;
}

export interface TestDecl extends NodeBase {
  kind: 'Test';
  name: StringLit;
  lead: TestLeadField[];
  events: TestEvent[];
  at: DateLit | null;
  expects: Expect[];
}

export type Decl =
  | RulesetDecl
  | AttributeDecl
  | ActivityDecl
  | ListDecl
  | SegmentDecl
  | ScoreBlock
  | DerivedScoreDecl
  | BandDecl
  | StagesDecl
  | RouteDecl
  | TestDecl;

export interface Program extends NodeBase {
  kind: 'Program';
  decls: Decl[];
  comments: Comment[];
}

export type AttrType = 'text' | 'number' | 'bool' | 'date';

/**
 * Nesting levels of one condition or derived score, segments written in
 * place (the checker counts them; the parser reports text nested far deeper
 * than this, which would exhaust its stack, with the same message).
 */
export const MAX_DEPTH = 200;

export const DURATION_MS: Record<DurationUnit, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

export const DAY_MS = 86_400_000;

/**
 * The reference interpreter: LQL's meaning, as a small tree-walking evaluator.
 *
 * Input: a Program that checked without errors, the attribute types the
 * checker found, one lead (a record of raw values), its events and `asOf`.
 * Output: a ScoreResult — every score, every band, the stage, the time each
 * stage was first reached, the route and the reasons.
 * Invariants:
 * - implements docs/semantics.md literally and naively: everything is
 *   recomputed from the tree at every evaluation point; clarity over speed;
 * - pure: the lead and events are never modified; no global state except a
 *   cache of compiled regexes keyed by pattern and flags;
 * - terminates on any tree: a cycle among segments or derived scores (which
 *   the checker rejects) raises an Error instead of recursing forever;
 * - result records are null-prototype objects.
 * The compiled scorer, the simulator's columnar kernel and the SQL export are
 * tested against this module.
 */
import { RE2JS } from 're2js';
import {
  DAY_MS,
  type Arith,
  type AttrType,
  type BandDecl,
  type DerivedScoreDecl,
  type Expr,
  type ListDecl,
  type ListLit,
  type Name,
  type Program,
  type Ref,
  type RouteDecl,
  type Rule,
  type ScoreBlock,
  type SegmentDecl,
  type StageEntry,
  type StagesDecl,
  type Value,
} from '../syntax/ast.js';
import { nodeText } from './print.js';
import { decayWeight, domainOf, ownValue, readAs, round9, toEpochMs, type Val } from '../shared/values.js';

// One result shape for every engine: the interpreter answers in the type the
// compiled scorer returns (types only; its evaluation stays independent).
import type { Reason, ScoreResult, LeadEvent } from '../shared/result-types.js';
export type { Reason, ScoreResult, LeadEvent };

// ---------------------------------------------------------------------------
// Names: one namespace of declarations; anything else is an attribute.

type Binding =
  | { k: 'list'; decl: ListDecl }
  | { k: 'segment'; decl: SegmentDecl }
  | { k: 'block'; decl: ScoreBlock }
  | { k: 'derived'; decl: DerivedScoreDecl }
  | { k: 'band'; decl: BandDecl }
  | { k: 'stage'; entry: StageEntry }
  | { k: 'activity' }
  | { k: 'builtin'; name: 'stage' | 'route' }
  | { k: 'attribute'; type: AttrType };

/** The declarations of a program, indexed by name. */
export class Names {
  readonly decls = new Map<string, Binding>();
  readonly blocks: ScoreBlock[] = [];
  readonly derived: DerivedScoreDecl[] = [];
  readonly bands: BandDecl[] = [];
  readonly stages: StageEntry[] = [];
  readonly route: RouteDecl | null = null;

  constructor(
    program: Program,
    readonly attributeTypes: ReadonlyMap<string, AttrType>,
  ) {
    let route: RouteDecl | null = null;
    const add = (name: Name, b: Binding) => {
      if (!this.decls.has(name.text)) this.decls.set(name.text, b);
    };
    for (const d of program.decls) {
      switch (d.kind) {
        case 'List':
          add(d.name, { k: 'list', decl: d });
          break;
        case 'Segment':
          add(d.name, { k: 'segment', decl: d });
          break;
        case 'ScoreBlock':
          this.blocks.push(d);
          add(d.name, { k: 'block', decl: d });
          break;
        case 'DerivedScore':
          this.derived.push(d);
          add(d.name, { k: 'derived', decl: d });
          break;
        case 'Band':
          this.bands.push(d);
          add(d.name, { k: 'band', decl: d });
          break;
        case 'Stages':
          if (this.stages.length === 0) {
            for (const e of (d as StagesDecl).entries) {
              this.stages.push(e);
              add(e.name, { k: 'stage', entry: e });
            }
          }
          break;
        case 'Activity':
          for (const n of d.names) add(n, { k: 'activity' });
          break;
        case 'Route':
          if (route === null) route = d;
          break;
        default:
          break;
      }
    }
    this.route = route;
  }

  /** What a name refers to. Unquoted `stage` and `route` are the built-ins. */
  resolve(name: Name): Binding {
    if (!name.quoted && (name.text === 'stage' || name.text === 'route')) return { k: 'builtin', name: name.text };
    const b = this.decls.get(name.text);
    if (b) return b;
    return { k: 'attribute', type: this.attributeTypes.get(name.text) ?? 'text' };
  }
}

// ---------------------------------------------------------------------------
// The evaluation environment: one lead, at one evaluation time.

interface TimedEvent {
  type: string;
  t: number;
}

export class Env {
  /** score values memoised at this evaluation time (cleared by `at`) */
  private scoreMemo = new Map<string, number>();
  private inProgress = new Set<string>();
  /** the current evaluation time, epoch ms */
  t = 0;
  /** each stage's first time, as of the current evaluation */
  reached = new Map<string, number | null>();
  /** the route action, readable in test conditions */
  route: string | null = null;

  constructor(
    readonly names: Names,
    readonly lead: Record<string, unknown>,
    /** readable events, sorted by time (stable) */
    readonly events: TimedEvent[],
  ) {}

  at(t: number): void {
    this.t = t;
    this.scoreMemo.clear();
  }

  // --- events -----------------------------------------------------------------

  /** events of an activity at or before t, and after t - window when a window is given */
  eventsOf(activity: string, windowMs: number | null): TimedEvent[] {
    return this.events.filter(
      (e) => e.type === activity && e.t <= this.t && (windowMs === null || e.t > this.t - windowMs),
    );
  }

  // --- attributes ---------------------------------------------------------------

  attr(name: string, type: AttrType): Val {
    return readAs(ownValue(this.lead, name), type);
  }

  // --- scores -------------------------------------------------------------------

  /** The value of a score (block or derived) at the current time. */
  score(name: string): number {
    const memo = this.scoreMemo.get(name);
    if (memo !== undefined) return memo;
    if (this.inProgress.has(name)) throw new Error(`score ${name} depends on itself`);
    this.inProgress.add(name);
    try {
      const b = this.names.decls.get(name);
      let v = 0;
      if (b?.k === 'block') v = this.blockContributions(b.decl).reduce((s, c) => s + c.points, 0);
      else if (b?.k === 'derived') v = this.arith(b.decl.expr);
      v = round9(v); // "Numbers, exactly": 9 decimals, no -0
      this.scoreMemo.set(name, v);
      return v;
    } finally {
      this.inProgress.delete(name);
    }
  }

  /** Each rule of a block with its contribution at the current time. */
  blockContributions(block: ScoreBlock): { rule: Rule; points: number }[] {
    let halfLifeMs: number | null = null;
    for (const item of block.items) if (item.kind === 'Decay') halfLifeMs = item.halfLife.ms;
    const weight = (eventT: number) => (halfLifeMs === null ? 1 : decayWeight(this.t - eventT, halfLifeMs));
    const out: { rule: Rule; points: number }[] = [];
    for (const item of block.items) {
      if (item.kind === 'Decay') continue;
      let c = 0;
      const n = item.points.value;
      if (item.kind === 'WhenRule') {
        c = this.cond(item.cond) ? n : 0;
      } else {
        const target = this.names.resolve(item.target);
        const windowMs = item.window ? item.window.ms : null;
        if (target.k === 'activity') {
          const evs = this.eventsOf(item.target.text, windowMs);
          if (item.kind === 'PerRule') {
            for (const e of evs) c += n * weight(e.t);
          } else if (evs.length > 0) {
            c = n * weight(evs[evs.length - 1]!.t);
          }
        } else if (target.k === 'attribute' && item.kind === 'PerRule') {
          const x = this.attr(item.target.text, 'number');
          c = x === null ? 0 : n * (x as number);
        }
        if (item.max) {
          const m = Math.abs(item.max.value);
          c = Math.min(m, Math.max(-m, c));
        }
      }
      out.push({ rule: item, points: c });
    }
    return out;
  }

  arith(a: Arith): number {
    switch (a.kind) {
      case 'Number':
        return a.value;
      case 'ArithParen':
        return this.arith(a.inner);
      case 'ArithNeg':
        return -this.arith(a.operand);
      case 'ArithBinary': {
        const l = this.arith(a.left);
        const r = this.arith(a.right);
        return a.op === '+' ? l + r : a.op === '-' ? l - r : l * r;
      }
      case 'Ref': {
        const b = this.names.resolve(a.name);
        if (b.k === 'block' || b.k === 'derived') return this.score(a.name.text);
        if (b.k === 'attribute') return (this.attr(a.name.text, 'number') as number | null) ?? 0;
        return 0;
      }
    }
  }

  /** A band's label at the current time. */
  band(decl: BandDecl): string {
    const src = this.names.resolve(decl.source);
    let v: number | null;
    if (src.k === 'block' || src.k === 'derived') v = this.score(decl.source.text);
    else if (src.k === 'attribute') v = this.attr(decl.source.text, 'number') as number | null;
    else v = null;
    for (const e of decl.entries) {
      if (e.threshold === null) return e.label.text;
      if (v !== null && v >= e.threshold.value) return e.label.text;
    }
    const last = decl.entries[decl.entries.length - 1];
    return last ? last.label.text : '';
  }

  /** The furthest stage reached so far, or null. */
  furthest(): string | null {
    for (const s of this.names.stages) if (this.reached.get(s.name.text) != null) return s.name.text;
    return null;
  }

  // --- values -------------------------------------------------------------------

  /** The static type of a value node. */
  typeOf(v: Value): AttrType {
    switch (v.kind) {
      case 'Number':
        return 'number';
      case 'String':
        return 'text';
      case 'Bool':
        return 'bool';
      case 'Date':
        return 'date';
      case 'Call':
        return 'text';
      case 'Count':
      case 'DaysSince':
        return 'number';
      case 'Ref': {
        const b = this.names.resolve(v.name);
        switch (b.k) {
          case 'attribute':
            return b.type;
          case 'block':
          case 'derived':
            return 'number';
          case 'band':
          case 'builtin':
            return 'text';
          default:
            return 'bool';
        }
      }
    }
  }

  /** Evaluate a value node at the current time (null = missing). */
  value(v: Value): Val {
    switch (v.kind) {
      case 'Number':
      case 'String':
      case 'Bool':
      case 'Date':
        return v.value;
      case 'Call': {
        const arg = v.args[0];
        if (!arg) return null;
        const s = readAs(this.value(arg), 'text') as string | null;
        if (s === null) return null;
        if (v.callee.text === 'lower') return s.toLowerCase();
        if (v.callee.text === 'domain') return domainOf(s);
        return null;
      }
      case 'Count':
        return this.eventsOf(v.activity.text, v.window ? v.window.ms : null).length;
      case 'DaysSince': {
        let time: number | null;
        if (v.last) {
          const evs = this.eventsOf(v.target.text, null);
          time = evs.length ? evs[evs.length - 1]!.t : null;
        } else {
          time = this.attr(v.target.text, 'date') as number | null;
        }
        return time === null ? null : (this.t - time) / DAY_MS;
      }
      case 'Ref':
        return this.ref(v);
    }
  }

  private ref(r: Ref): Val {
    const b = this.names.resolve(r.name);
    switch (b.k) {
      case 'attribute':
        return this.attr(r.name.text, b.type);
      case 'block':
      case 'derived':
        return this.score(r.name.text);
      case 'band':
        return this.band(b.decl);
      case 'segment':
        return this.segment(b.decl);
      case 'activity':
        return this.eventsOf(r.name.text, null).length >= 1;
      case 'stage':
        return this.reached.get(r.name.text) != null;
      case 'builtin':
        return b.name === 'stage' ? this.furthest() : this.route;
      case 'list':
        return null;
    }
  }

  private segmentStack = new Set<SegmentDecl>();

  private segment(decl: SegmentDecl): boolean {
    if (this.segmentStack.has(decl)) throw new Error(`segment ${decl.name.text} depends on itself`);
    this.segmentStack.add(decl);
    try {
      return this.cond(decl.cond);
    } finally {
      this.segmentStack.delete(decl);
    }
  }

  /**
   * The labels a value can be compared with, when it is a band (its labels) or
   * the built-in `stage` (the stage names); null otherwise.
   */
  labelsOf(v: Value): Set<string> | null {
    if (v.kind !== 'Ref') return null;
    const b = this.names.resolve(v.name);
    if (b.k === 'band') return new Set(b.decl.entries.map((e) => e.label.text));
    if (b.k === 'builtin' && b.name === 'stage') return new Set(this.names.stages.map((s) => s.name.text));
    return null;
  }

  /** Is this operand a label (`A` in `grade == A`) given the other operand? */
  isLabel(v: Value | Ref, other: Value): boolean {
    if (v.kind !== 'Ref') return false;
    const labels = this.labelsOf(other);
    return labels !== null && labels.has(v.name.text);
  }

  /** Literals and labels are constants; everything else reads the lead. */
  isConstant(v: Value, other: Value): boolean {
    return isLiteral(v) || this.isLabel(v, other);
  }

  /** An operand's type and value within a comparison against `other`. */
  operand(v: Value, other: Value): { type: AttrType; val: Val } {
    if (this.isLabel(v, other)) return { type: 'text', val: (v as Ref).name.text };
    return { type: this.typeOf(v), val: this.value(v) };
  }

  /**
   * The type two operands are compared as: the type of the first one that is
   * not a constant (left first), else the left literal's type.
   */
  compareType(left: Value, right: Value): AttrType {
    if (!this.isConstant(left, right)) return this.typeOf(left);
    if (!this.isConstant(right, left)) return this.typeOf(right);
    return this.isLabel(left, right) ? 'text' : this.typeOf(left);
  }

  // --- conditions ---------------------------------------------------------------

  cond(e: Expr): boolean {
    switch (e.kind) {
      case 'Or':
        return this.cond(e.left) || this.cond(e.right);
      case 'And':
        return this.cond(e.left) && this.cond(e.right);
      case 'Not':
        return !this.cond(e.operand);
      case 'Paren':
        return this.cond(e.inner);
      case 'Compare': {
        const type = this.compareType(e.left, e.right);
        const l = convert(this.operand(e.left, e.right), type);
        const r = convert(this.operand(e.right, e.left), type);
        return compare(e.op, l, r, type);
      }
      case 'In': {
        const hit = this.inList(e.value, e.list);
        return e.negated ? !hit : hit;
      }
      case 'Between': {
        const type = isLiteral(e.value) ? this.typeOf(e.low) : this.typeOf(e.value);
        const read = (v: Value) => convert({ type: this.typeOf(v), val: this.value(v) }, type);
        const x = read(e.value), lo = read(e.low), hi = read(e.high);
        return compare('>=', x, lo, type) && compare('<=', x, hi, type);
      }
      case 'TextTest': {
        const s = readAs(this.value(e.value), 'text') as string | null;
        const a = e.arg.kind === 'String' ? e.arg.value : (readAs(this.value(e.arg), 'text') as string | null);
        if (s === null || a === null) return false;
        if (e.op === 'contains') return s.includes(a);
        if (e.op === 'starts_with') return s.startsWith(a);
        return s.endsWith(a);
      }
      case 'Matches': {
        const s = readAs(this.value(e.value), 'text') as string | null;
        if (s === null) return false;
        return regex(e.regex.pattern, e.regex.flags).matcher(s).find();
      }
      case 'Presence': {
        const present = this.value(e.value) !== null;
        return e.missing ? !present : present;
      }
      case 'Truthy': {
        const v = this.value(e.value);
        return typeof v === 'boolean' ? v : readAs(v, 'bool') === true;
      }
    }
  }

  /** `value in list` (before `not`): false when the value is missing. */
  inList(value: Value, list: ListLit | Ref): boolean {
    const type = this.typeOf(value);
    const x = readAs(this.value(value), type) ?? null;
    if (x === null) return false;
    const labels = this.labelsOf(value);
    let items: Val[];
    if (list.kind === 'Ref') {
      const b = this.names.resolve(list.name);
      if (b.k !== 'list') return false;
      items = b.decl.items.map((l) => l.value);
    } else {
      items = list.items.map((i) => {
        if (i.kind !== 'Ref') return i.value;
        if (labels !== null && labels.has(i.name.text)) return i.name.text;
        return this.value(i);
      });
    }
    return items.some((item) => {
      const y = item === null ? null : readAs(item, type);
      return y !== null && y === x;
    });
  }
}

function isLiteral(v: Value): boolean {
  return v.kind === 'Number' || v.kind === 'String' || v.kind === 'Bool' || v.kind === 'Date';
}

/** Convert an operand to the comparison type (same type: unchanged). */
function convert(o: { type: AttrType; val: Val }, type: AttrType): Val {
  if (o.val === null) return null;
  if (o.type === type) return o.val;
  return readAs(o.val, type);
}

/** A comparison of two values of one type; false when either is missing. */
function compare(op: string, l: Val, r: Val, type: AttrType): boolean {
  if (l === null || r === null) return false;
  if (op === '==') return l === r;
  if (op === '!=') return l !== r;
  if (type !== 'number' && type !== 'date') return false;
  const a = l as number, b = r as number;
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
  return false;
}

const regexCache = new Map<string, RE2JS>();

/** A compiled RE2 regex for a pattern and LQL flags (`i`, `u`), cached. */
function regex(pattern: string, flags: string): RE2JS {
  const key = flags + '/' + pattern;
  let re = regexCache.get(key);
  if (!re) {
    re = RE2JS.compile(pattern, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
    regexCache.set(key, re);
  }
  return re;
}

// ---------------------------------------------------------------------------
// The scoring function.

/**
 * The events that count, sorted by time (stable: same-time events keep input
 * order): those of a declared activity whose time is readable. Others are
 * ignored entirely (they are not evaluation points either).
 */
export function prepareEvents(names: Names, events: readonly LeadEvent[]): TimedEvent[] {
  const out: TimedEvent[] = [];
  for (const e of events) {
    const t = toEpochMs(e.at);
    if (t !== null && typeof e.type === 'string' && names.decls.get(e.type)?.k === 'activity') {
      out.push({ type: e.type, t });
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

/** `asOf` as epoch ms: as given, else the latest event time, else 0. */
export function resolveAsOf(events: TimedEvent[], asOf?: string | number | Date): number {
  if (asOf === undefined) return events.length ? events[events.length - 1]!.t : 0;
  const t = toEpochMs(asOf);
  if (t === null) throw new RangeError(`asOf is not a readable time: ${String(asOf)}`);
  return t;
}

function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Evaluate a lead against a ruleset: the whole meaning of LQL.
 * `source` is the ruleset's text, used for the reasons' rule text (without it
 * the rule is printed back from the tree).
 */
export function interpret(
  program: Program,
  attributeTypes: ReadonlyMap<string, AttrType>,
  lead: Record<string, unknown>,
  events: { type: string; at: string | number | Date }[],
  asOf?: string | number | Date,
  source?: string,
): ScoreResult {
  const names = new Names(program, attributeTypes);
  const timed = prepareEvents(names, events);
  const asOfMs = resolveAsOf(timed, asOf);
  const env = new Env(names, lead, timed);
  evaluate(env, asOfMs);
  return result(env, source);
}

/**
 * Replay the stages over the evaluation points up to asOf, leave `env` at
 * asOf with the final reached times and the route set.
 */
export function evaluate(env: Env, asOfMs: number): void {
  const stages = env.names.stages; // furthest first
  for (const s of stages) env.reached.set(s.name.text, null);
  const points: number[] = [];
  for (const e of env.events) {
    if (e.t > asOfMs) break;
    if (points.length === 0 || points[points.length - 1] !== e.t) points.push(e.t);
  }
  if (points.length === 0 || points[points.length - 1]! < asOfMs) points.push(asOfMs);
  for (const t of points) {
    env.at(t);
    for (let i = stages.length - 1; i >= 0; i--) {
      const s = stages[i]!;
      if (env.reached.get(s.name.text) != null) continue;
      if (s.cond === null || env.cond(s.cond)) {
        for (let j = i; j < stages.length; j++) {
          const below = stages[j]!.name.text;
          if (env.reached.get(below) == null) env.reached.set(below, t);
        }
      }
    }
  }
  env.at(asOfMs);
  env.route = null;
  const route = env.names.route;
  if (route) {
    for (const r of route.entries) {
      if (r.cond === null || env.cond(r.cond)) {
        env.route = r.action.value;
        break;
      }
    }
  }
}

/** The ScoreResult of an environment left at asOf by `evaluate`. */
export function result(env: Env, source?: string): ScoreResult {
  const names = env.names;
  const scores = nullRecord<number>();
  const reasons: Reason[] = [];
  for (const b of names.blocks) {
    scores[b.name.text] = env.score(b.name.text);
    for (const c of env.blockContributions(b)) {
      const points = round9(c.points);
      if (points !== 0) {
        reasons.push({ score: b.name.text, points, line: c.rule.range.start.line, rule: nodeText(c.rule, source) });
      }
    }
  }
  for (const d of names.derived) scores[d.name.text] = env.score(d.name.text);
  const bands = nullRecord<string>();
  for (const b of names.bands) bands[b.name.text] = env.band(b);
  const reached = nullRecord<number | null>();
  for (const s of names.stages) reached[s.name.text] = env.reached.get(s.name.text) ?? null;
  return { scores, bands, stage: env.furthest() ?? '', reached, route: env.route, reasons };
}

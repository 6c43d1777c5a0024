/**
 * The columnar kernel emitter: IR -> a JS function (source text run through
 * `new Function`) that scores a whole LeadTable (and its EventTable) by
 * reading the typed arrays directly, with no object per lead.
 *
 * Input: a checked IR (ir.ts). `compileKernel(ir)` emits the code once;
 * `bind(input)` resolves it against one dataset (columns coerced to the
 * ruleset's types, text literals resolved to dictionary codes, text tests,
 * `matches`, `lower` and `domain` evaluated once per dictionary entry into
 * lookup tables), allocates the outputs, and returns `run(lo, hi)` which
 * scores leads lo..hi-1 (so callers can run in chunks, report progress and
 * cancel between chunks).
 * Output (per lead, preallocated typed arrays): every score (Float64Array,
 * `ir.scores` order), every band's label index (Int32Array, `ir.bands`
 * order), the stage index into `ir.stages` (0 = furthest), the time each
 * stage was first reached (Float64Array per stage, NaN = not reached) and
 * the route index into `ir.routes` (-1 = none).
 * Invariants:
 * - semantics are exactly docs/semantics.md, including "In the simulator":
 *   a lead with a known closed_at is evaluated at asOf = closed_at with only
 *   its events strictly before closed_at, and (event mode) a stage counts
 *   only if reached strictly before closed_at; the lowest stage always
 *   counts. The route is evaluated at asOf and reads the stage as counted.
 *   In snapshot mode the single evaluation point is asOf (closed_at when
 *   known) and no reached-before filter applies (there is no time order);
 * - event mode is incremental: running decay factors per half-life, one
 *   trailing pointer per window length, stage conditions evaluated at each
 *   distinct time of an event of a declared activity (other event types are
 *   skipped) until no further stage can be reached: the furthest is reached,
 *   or a stage's time-independent conjuncts (e.g. `fit >= 30`) are false for
 *   the lead; after that only the running state is advanced, to give the
 *   final scores at asOf. Running decay factors use exp(-dt ln2 / half-life)
 *   (equal to 0.5 ^ (dt / half-life) within 1e-15 relative); `once` weights
 *   use 0.5 ^ (dt / half-life) exactly as the object scorer does;
 * - the generated code contains no user text at all: names become indexes,
 *   literals become numbers or dictionary codes bound at run time; numeric
 *   constants (thresholds, points, caps) are read from the context, so
 *   rulesets differing only in numbers share one compiled kernel;
 * - reuse (`previous`, event mode): a bind whose code, data, asOf, columns,
 *   tables and codes equal an earlier complete run's reuses that run's final
 *   scores when the constants the scores read are unchanged (each lead's
 *   events are then replayed only until no further stage can be reached),
 *   or when only `per`/`once` rules' points or caps changed and the lead
 *   never did their activities (`did`); other leads are replayed in full.
 *   The outputs are exactly those of a fresh run. Not offered when a score
 *   reads the funnel or a route reads event state directly.
 */
import type { IR, IRArith, IRBand, IRCond, IRRule, IRScore, IRType, IRValue } from '../../language/compile/ir.js';
import type { EventTable, LeadTable } from '../data/table.js';
import { columnAs, regexTest, textOp, KERNEL_RUNTIME, type TypedColumn } from './kernel-runtime.js';
import { parseIsoDate } from '../data/values.js';
import { analyseIR, condReads, condReadsKind, itemKey, type ItemKey } from '../../language/compile/analysis.js';
import { arithJs } from '../../language/compile/js-arith.js';

export type KernelMode = 'snapshot' | 'events';

export interface KernelInput {
  leads: LeadTable;
  /** required in event mode */
  events?: EventTable | null;
  mode: KernelMode;
  /** evaluation time (epoch ms) of leads without a known closed_at */
  asOf: number;
  /** apply the closed_at rules of docs/semantics.md "In the simulator" (default true) */
  useClosedAt?: boolean;
  /**
   * An earlier complete run (event mode): when its signature matches this
   * bind's except for constants no score reads (stage and route thresholds,
   * band thresholds no score reads), its final scores are reused.
   */
  previous?: KernelReuse;
  /** where the output arrays come from (default: new arrays); arrays it hands out must be zero-filled */
  alloc?: OutputAllocator;
  /**
   * Activity flags (`ir.activities` order: 1 if the lead has an event of it
   * before its evaluation time) for these leads, events, asOf and closed_at
   * rule: with them, a replay after an edit of an activity rule's points or
   * cap reuses the scores of the leads that never did that activity.
   */
  did?: Uint8Array[];
}

/** A source of zero-filled output arrays of length n (e.g. recycled from runs no longer needed). */
export interface OutputAllocator {
  f64(n: number): Float64Array;
  i32(n: number): Int32Array;
}

const NEW_ARRAYS: OutputAllocator = { f64: (n) => new Float64Array(n), i32: (n) => new Int32Array(n) };

export interface KernelOutput {
  n: number;
  scores: Float64Array[];
  bands: Int32Array[];
  stage: Int32Array;
  reached: Float64Array[];
  route: Int32Array;
}

/**
 * What a bound kernel's final scores depend on: the compiled code, the
 * dataset, the evaluation time, the bound columns, tables and codes, and the
 * constants the score definitions read. Opaque: compared by `bind`.
 */
export interface KernelSignature {
  readonly fns: object;
  readonly leads: LeadTable;
  readonly events: EventTable | null;
  readonly mode: KernelMode;
  readonly asOf: number;
  readonly useClosed: boolean;
  /** the declared activities, in order (events map to them by name) */
  readonly activities: string;
  readonly cols: readonly object[];
  readonly tables: readonly Uint8Array[];
  readonly codes: readonly number[];
  readonly scoreNums: readonly number[];
}

/** The final scores of an earlier complete run over all leads, and what they depend on. */
export interface KernelReuse {
  signature: KernelSignature;
  scores: Float64Array[];
}

/** Same code, data, time and bound inputs (the score constants aside). */
function sameInputs(a: KernelSignature, b: KernelSignature): boolean {
  const same = <T>(x: readonly T[], y: readonly T[]) => x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  return a.fns === b.fns && a.leads === b.leads && a.events === b.events && a.mode === b.mode && Object.is(a.asOf, b.asOf)
    && a.useClosed === b.useClosed && a.activities === b.activities && same(a.cols, b.cols) && same(a.tables, b.tables) && same(a.codes, b.codes)
    && a.scoreNums.length === b.scoreNums.length;
}

export interface BoundKernel {
  out: KernelOutput;
  /** what this run's final scores depend on (pass with `out.scores` as a later bind's `previous`) */
  signature: KernelSignature;
  /**
   * this run reads final scores from `previous` and replays those leads'
   * events only until their stages are settled (the others, `fullLeads` of
   * them, are replayed in full: they did an activity whose rule changed)
   */
  reusing: boolean;
  /** leads replayed in full (all of them when not reusing) */
  fullLeads: number;
  /** score leads lo .. hi-1 into `out` */
  run(lo: number, hi: number): void;
  /**
   * The same run for another thread (`simulator/replay-threads.ts`): the
   * generated source, which of its functions to call and everything that
   * function reads, as structured-cloneable data (typed arrays over a
   * SharedArrayBuffer are shared, others copied; dictionaries the code never
   * reads are left out). Null for a reusing run (it reads `previous`).
   */
  portable(): PortableKernel | null;
}

/** A bound kernel as data: `new Function('R', source)(KERNEL_RUNTIME)[fn](ctx, lo, hi)` runs it. */
export interface PortableKernel {
  source: string;
  fn: 'snapshot' | 'events';
  ctx: KernelContext;
}

export interface CompiledKernel {
  ir: IR;
  /** the generated source (for inspection and tests) */
  source: string;
  bind(input: KernelInput): BoundKernel;
}

/** An IR construct the kernel cannot run (e.g. `route` outside tests). */
export class KernelError extends Error {}

// ---------------------------------------------------------------------------
// Emission

type TextFn = 'lower' | 'domain';

/** What a value compiles to. */
type V =
  | { t: 'num'; e: string; present: string }
  | { t: 'bool'; e: string }
  | { t: 'boolc'; v: boolean }
  | { t: 'numc'; v: number }
  | { t: 'strc'; v: string }
  | { t: 'tcol'; col: number; chain: TextFn[] }
  | { t: 'band'; band: number }
  | { t: 'stage' };

/** Compiled kernels by their source text (constants live in the context). */
const compiledKernels = new Map<string, KernelFns>();

/** Per-event activity indexes, by events table (weakly) and declared activities. */
const actCache = new WeakMap<EventTable, Map<string, Int8Array | Int16Array | Int32Array>>();

/**
 * Each event's index in `activities` (-1: an undeclared type), so the kernel
 * reads one array per event rather than the type and then its mapping. Built
 * once per events table and activity list (a re-run after an edit reuses it).
 */
export function activityIndexes(ev: EventTable, activities: readonly string[]): Int8Array | Int16Array | Int32Array {
  const key = activities.join('\u0000');
  let byKey = actCache.get(ev);
  if (!byKey) actCache.set(ev, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const tmap = ev.typeNames.map((name) => activities.indexOf(name));
  const m = activities.length;
  let out: Int8Array | Int16Array | Int32Array;
  if (tmap.every((a, c) => a === c)) {
    // every type is the activity of its own index (the readers code the activities first,
    // and the data has no other type): the type codes are the indexes, no copy
    out = ev.types;
  } else {
    // in shared memory when the table is (a replay on threads shares it, see simulator/replay-threads.ts)
    const n = ev.types.length;
    const width = m < 127 ? 1 : m < 32_767 ? 2 : 4;
    const buf =
      typeof SharedArrayBuffer !== 'undefined' && ev.types.buffer instanceof SharedArrayBuffer ? new SharedArrayBuffer(n * width) : new ArrayBuffer(n * width);
    out = width === 1 ? new Int8Array(buf) : width === 2 ? new Int16Array(buf) : new Int32Array(buf);
    const types = ev.types;
    for (let j = 0; j < types.length; j++) out[j] = tmap[types[j]!]!;
  }
  if (byKey.size >= 8) byKey.clear();
  byKey.set(key, out);
  return out;
}

/** Per-dictionary lookup tables, by dictionary (weakly) and predicate key. */
const tableCache = new WeakMap<string[], Map<string, Uint8Array>>();

/** A per-dictionary-entry table to build at bind time. */
interface TableSpec {
  col: number;
  chain: TextFn[];
  pred: (s: string | null) => boolean;
  /** what the predicate tests, exactly: equal keys give equal tables for one dictionary */
  key: string;
}

/** A text literal to resolve to a dictionary code at bind time. */
interface CodeSpec {
  col: number;
  value: string;
}

interface AttrSlot {
  name: string;
  type: IRType;
}

/** An event accumulator: count or decayed sum of one activity, maybe windowed. */
interface Acc {
  act: number;
  win: number | null; // window ms
  hl: number | null; // half-life ms
}

const DAY = 86_400_000;

function numLit(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  if (Object.is(v, -0)) return '(-0)';
  return v < 0 ? `(${String(v)})` : String(v);
}

class Emitter {
  readonly attrs: AttrSlot[] = [];
  readonly attrIndex = new Map<string, number>();
  readonly tables: TableSpec[] = [];
  readonly codes: CodeSpec[] = [];
  /**
   * Numeric constants of conditions, band thresholds, points and caps, read
   * from the context rather than written into the code: a ruleset that
   * differs only in a threshold or a rule's points compiles to the same
   * kernel text, so the already compiled (and JIT-warmed) kernel is reused
   * after such an edit.
   */
  readonly nums: number[] = [];

  num(v: number): string {
    this.nums.push(v);
    return `NUM${this.nums.length - 1}`;
  }
  readonly acts = new Map<string, number>();
  readonly accs: Acc[] = [];
  readonly windows: number[] = [];
  readonly halfLives: number[] = [];
  readonly scoreIndex = new Map<string, number>();
  readonly bandIndex = new Map<string, number>();
  readonly stageIndex = new Map<string, number>();
  /** activities whose latest time is read */
  readonly usesLast = new Set<number>();
  /** activities whose total count is read */
  readonly usesCount = new Set<number>();
  /** attributes whose dictionary the code reads (text on the slow path): only these are sent to other threads */
  readonly dictsRead = new Set<number>();

  constructor(readonly ir: IR) {
    ir.scores.forEach((s, i) => this.scoreIndex.set(s.name, i));
    ir.bands.forEach((b, i) => this.bandIndex.set(b.name, i));
    ir.stages.forEach((s, i) => this.stageIndex.set(s.name, i));
    ir.activities.forEach((a, i) => this.acts.set(a, i));
  }

  attrType(name: string, fallback: IRType): IRType {
    const a = this.ir.attributes.find((x) => x.name === name);
    return a ? a.type : fallback;
  }

  attr(name: string, type: IRType): number {
    const key = `${type}\u0000${name}`;
    let i = this.attrIndex.get(key);
    if (i === undefined) {
      i = this.attrs.length;
      this.attrs.push({ name, type });
      this.attrIndex.set(key, i);
    }
    return i;
  }

  act(name: string): number {
    const i = this.acts.get(name);
    if (i === undefined) throw new KernelError(`unknown activity ${JSON.stringify(name)}`);
    return i;
  }

  acc(act: number, win: number | null, hl: number | null): number {
    let i = this.accs.findIndex((a) => a.act === act && a.win === win && a.hl === hl);
    if (i < 0) {
      i = this.accs.length;
      this.accs.push({ act, win, hl });
      if (win !== null && !this.windows.includes(win)) this.windows.push(win);
      if (hl !== null && !this.halfLives.includes(hl)) this.halfLives.push(hl);
      // a decayed windowed sum needs the window's plain count too (exact zero when empty)
      if (win !== null && hl !== null) this.acc(act, win, null);
    }
    return i;
  }

  table(col: number, chain: TextFn[], pred: (s: string | null) => boolean, what: string): string {
    this.tables.push({ col, chain, pred, key: `${chain.join('.')}|${what}` });
    return `(T${this.tables.length - 1}[c${col}] === 1)`;
  }

  code(col: number, value: string): string {
    this.codes.push({ col, value });
    return `K${this.codes.length - 1}`;
  }

  // --- values -----------------------------------------------------------------

  value(v: IRValue): V {
    switch (v.k) {
      case 'attr': {
        const type = this.attrType(v.name, v.type);
        const i = this.attr(v.name, type);
        if (type === 'text') return { t: 'tcol', col: i, chain: [] };
        if (type === 'bool') return { t: 'bool', e: `c${i}` };
        return { t: 'num', e: `c${i}`, present: `(c${i} === c${i})` };
      }
      case 'score': {
        const i = this.scoreIndex.get(v.name);
        if (i === undefined) throw new KernelError(`unknown score ${JSON.stringify(v.name)}`);
        return { t: 'num', e: `s${i}`, present: 'true' };
      }
      case 'band': {
        const i = this.bandIndex.get(v.name);
        if (i === undefined) throw new KernelError(`unknown band ${JSON.stringify(v.name)}`);
        return { t: 'band', band: i };
      }
      case 'num':
        return { t: 'numc', v: v.value };
      case 'date':
        return { t: 'numc', v: v.value };
      case 'str':
        return { t: 'strc', v: v.value };
      case 'bool':
        return { t: 'boolc', v: v.value };
      case 'lower':
      case 'domain': {
        const a = this.value(v.arg);
        if (a.t === 'strc') {
          const r = v.k === 'lower' ? KERNEL_RUNTIME.lower(a.v) : KERNEL_RUNTIME.domain(a.v);
          if (r === null) return { t: 'num', e: 'NaN', present: 'false' }; // a missing constant
          return { t: 'strc', v: r };
        }
        if (a.t === 'tcol') return { t: 'tcol', col: a.col, chain: [...a.chain, v.k] };
        throw new KernelError(`${v.k}() of a non-text value`);
      }
      case 'count': {
        const a = this.act(v.activity);
        if (v.windowMs === null) {
          this.usesCount.add(a);
          return { t: 'num', e: `n${a}`, present: 'true' };
        }
        return { t: 'num', e: `q${this.acc(a, v.windowMs, null)}`, present: 'true' };
      }
      case 'daysSince': {
        const i = this.attr(v.attr, 'date');
        return { t: 'num', e: `((t - c${i}) / ${DAY})`, present: `(c${i} === c${i})` };
      }
      case 'daysSinceLast': {
        const a = this.act(v.activity);
        this.usesLast.add(a);
        return { t: 'num', e: `((t - l${a}) / ${DAY})`, present: `(l${a} === l${a})` };
      }
      case 'stage':
        return { t: 'stage' };
      case 'route':
        throw new KernelError('`route` can only be read in tests');
    }
  }

  numExpr(x: V): string {
    switch (x.t) {
      case 'num':
        return x.e;
      case 'numc':
        return this.num(x.v);
      case 'bool':
        return `(${x.e} === 2 ? NaN : ${x.e})`;
      case 'boolc':
        return x.v ? '1' : '0';
      default:
        throw new KernelError('a text value used as a number');
    }
  }

  /** A JS expression giving the value as text or null (slow path). */
  strExpr(x: V): string {
    switch (x.t) {
      case 'strc':
        return JSON.stringify(x.v);
      case 'tcol': {
        this.dictsRead.add(x.col);
        let e = `(c${x.col} >= 0 ? D${x.col}[c${x.col}] : null)`;
        for (const f of x.chain) e = `R.${f}(${e})`;
        return e;
      }
      case 'band':
        return `BL${x.band}[g${x.band}]`;
      case 'stage':
        return 'SN[stg]';
      case 'num':
        return `(${x.e} === ${x.e} ? String(${x.e}) : null)`;
      case 'numc':
        return JSON.stringify(String(x.v));
      case 'bool':
        return `(${x.e} === 1 ? "true" : ${x.e} === 0 ? "false" : null)`;
      case 'boolc':
        return x.v ? '"true"' : '"false"';
    }
  }

  labelIndex(x: V, label: string | number | boolean): number {
    const s = String(label);
    if (x.t === 'band') return this.ir.bands[x.band]!.labels.findIndex((l) => l.label === s);
    if (x.t === 'stage') return this.ir.stages.findIndex((st) => st.name === s);
    return -1;
  }

  // --- conditions ---------------------------------------------------------------

  cond(c: IRCond): string {
    switch (c.k) {
      case 'and':
        return c.args.length === 0 ? 'true' : `(${c.args.map((a) => this.cond(a)).join(' && ')})`;
      case 'or':
        return c.args.length === 0 ? 'false' : `(${c.args.map((a) => this.cond(a)).join(' || ')})`;
      case 'not':
        return `!${this.cond(c.arg)}`;
      case 'const':
        return c.value ? 'true' : 'false';
      case 'has': {
        const a = this.act(c.activity);
        this.usesCount.add(a);
        return `(n${a} > 0)`;
      }
      case 'reached': {
        const i = this.stageIndex.get(c.stage);
        if (i === undefined) throw new KernelError(`unknown stage ${JSON.stringify(c.stage)}`);
        return `(r${i} === r${i})`;
      }
      case 'truthy': {
        const x = this.value(c.value);
        if (x.t === 'bool') return `(${x.e} === 1)`;
        if (x.t === 'boolc') return x.v ? 'true' : 'false';
        throw new KernelError('a non-bool value used as a condition');
      }
      case 'present':
        return this.present(this.value(c.value));
      case 'cmp':
        return this.cmp(c.op, c.type, this.value(c.left), this.value(c.right));
      case 'in':
        return this.inList(c.type, this.value(c.value), c.items);
      case 'between': {
        const x = this.value(c.value);
        const lo = this.value(c.low);
        const hi = this.value(c.high);
        if (c.type === 'text') {
          return `(${this.cmp('>=', 'text', x, lo)} && ${this.cmp('<=', 'text', x, hi)})`;
        }
        const e = this.numExpr(x);
        return `(${this.numExpr(lo)} <= ${e} && ${e} <= ${this.numExpr(hi)})`;
      }
      case 'text': {
        const x = this.value(c.value);
        const a = this.value(c.arg);
        const op = c.op;
        if (x.t === 'tcol' && a.t === 'strc') {
          const arg = a.v;
          return this.table(x.col, x.chain, (s) => s !== null && textOp(op, s, arg), `text:${op}:${JSON.stringify(arg)}`);
        }
        if (x.t === 'strc' && a.t === 'tcol') {
          const val = x.v;
          return this.table(a.col, a.chain, (s) => s !== null && textOp(op, val, s), `textr:${op}:${JSON.stringify(val)}`);
        }
        const xs = this.strExpr(x);
        const as = this.strExpr(a);
        return `((xs, as) => xs !== null && as !== null && R.textOp(${JSON.stringify(op)}, xs, as))(${xs}, ${as})`;
      }
      case 'matches': {
        const x = this.value(c.value);
        const test = regexTest(c.pattern, c.flags);
        if (x.t === 'tcol') return this.table(x.col, x.chain, (s) => s !== null && test(s), `re:${c.flags}:${JSON.stringify(c.pattern)}`);
        if (x.t === 'strc') return test(x.v) ? 'true' : 'false';
        throw new KernelError('`matches` on a value that is not text');
      }
    }
  }

  present(x: V): string {
    switch (x.t) {
      case 'num':
        return x.present;
      case 'bool':
        return `(${x.e} !== 2)`;
      case 'tcol':
        if (x.chain.includes('domain')) return this.table(x.col, x.chain, (s) => s !== null, 'present');
        return `(c${x.col} >= 0)`;
      case 'numc':
        return x.v === x.v ? 'true' : 'false';
      default:
        return 'true';
    }
  }

  cmp(op: string, type: IRType, l: V, r: V): string {
    // text-like values against constants: integer compares / lookup tables
    if (l.t === 'strc' && r.t !== 'strc' && (op === '==' || op === '!=')) return this.cmp(op, type, r, l);
    if (r.t === 'strc' && (op === '==' || op === '!=')) {
      const v = r.v;
      if (l.t === 'tcol') {
        if (l.chain.length === 0) {
          const k = this.code(l.col, v);
          return op === '==' ? `(c${l.col} === ${k})` : `(c${l.col} >= 0 && c${l.col} !== ${k})`;
        }
        return this.table(l.col, l.chain, (s) => s !== null && (op === '==' ? s === v : s !== v), `cmp:${op}:${JSON.stringify(v)}`);
      }
      if (l.t === 'band' || l.t === 'stage') {
        const k = this.labelIndex(l, v);
        const e = l.t === 'band' ? `g${l.band}` : 'stg';
        return op === '==' ? `(${e} === ${k})` : `(${e} !== ${k})`;
      }
      if (l.t === 'strc') return (op === '==') === (l.v === v) ? 'true' : 'false';
    }
    if (l.t === 'band' && r.t === 'band' && l.band === r.band && (op === '==' || op === '!=')) {
      return op === '==' ? 'true' : 'false';
    }
    if (type === 'text' || l.t === 'tcol' || r.t === 'tcol' || l.t === 'strc' || r.t === 'strc' || l.t === 'band' || r.t === 'band' || l.t === 'stage' || r.t === 'stage') {
      return `R.cmpText(${JSON.stringify(op)}, ${this.strExpr(l)}, ${this.strExpr(r)})`;
    }
    if (type === 'bool' || l.t === 'bool' || r.t === 'bool') {
      if (op !== '==' && op !== '!=') return 'false';
      const be = (x: V): string => (x.t === 'bool' ? x.e : x.t === 'boolc' ? (x.v ? '1' : '0') : `(${this.numExpr(x)} === 1 ? 1 : ${this.numExpr(x)} === 0 ? 0 : 2)`);
      if (r.t === 'boolc' || l.t === 'boolc') {
        const [x, c] = r.t === 'boolc' ? [l, r.v] : [r, (l as { v: boolean }).v];
        const want = (op === '==') === c ? 1 : 0;
        return `(${be(x)} === ${want})`;
      }
      const a = be(l);
      const b = be(r);
      return `(${a} !== 2 && ${b} !== 2 && ${a} ${op === '==' ? '===' : '!=='} ${b})`;
    }
    const a = this.numExpr(l);
    const b = this.numExpr(r);
    switch (op) {
      case '==':
        return `(${a} === ${b})`;
      case '!=': {
        const pa = l.t === 'numc' ? '' : `${a} === ${a} && `;
        const pb = r.t === 'numc' ? '' : `${b} === ${b} && `;
        return `(${pa}${pb}${a} !== ${b})`;
      }
      default:
        return `(${a} ${op} ${b})`;
    }
  }

  inList(type: IRType, x: V, items: (string | number | boolean)[]): string {
    if (items.length === 0) return 'false';
    if (x.t === 'band' || x.t === 'stage') {
      const e = x.t === 'band' ? `g${x.band}` : 'stg';
      const ks = [...new Set(items.map((it) => this.labelIndex(x, it)).filter((k) => k >= 0))];
      return ks.length === 0 ? 'false' : `(${ks.map((k) => `${e} === ${k}`).join(' || ')})`;
    }
    if (x.t === 'tcol') {
      const set = new Set(items.map((it) => String(it)));
      if (x.chain.length === 0 && set.size <= 4) {
        return `(${[...set].map((s) => `c${x.col} === ${this.code(x.col, s)}`).join(' || ')})`;
      }
      return this.table(x.col, x.chain, (s) => s !== null && set.has(s), `in:${JSON.stringify([...set])}`);
    }
    if (x.t === 'strc') return items.some((it) => String(it) === x.v) ? 'true' : 'false';
    if (type === 'bool' || x.t === 'bool' || x.t === 'boolc') {
      return `(${items.map((it) => this.cmp('==', 'bool', x, { t: 'boolc', v: it === true || it === 'true' })).join(' || ')})`;
    }
    const e = this.numExpr(x);
    const nums = items.map((it) => (typeof it === 'number' ? it : typeof it === 'string' ? (type === 'date' ? parseIsoDate(it) : Number(it)) : NaN));
    return `(${nums.filter((v) => v === v).map((v) => `${e} === ${numLit(v)}`).join(' || ') || 'false'})`;
  }

  // --- scores ------------------------------------------------------------------

  clamp(e: string, max: number | null): string {
    if (max === null) return e;
    const m = this.num(Math.abs(max));
    return `Math.max(-${m}, Math.min(${m}, ${e}))`;
  }

  /**
   * Constants of activity rules (`per`, `once`: points and caps), by NUM
   * index: the activity they belong to. A lead that never did the activity
   * scores the same whatever they are.
   */
  readonly activityNums = new Map<number, number>();

  rule(r: IRRule, hl: number | null): string {
    const first = this.nums.length;
    const code = this.ruleCode(r, hl);
    if (r.k === 'perActivity' || r.k === 'once') {
      const a = this.act(r.activity);
      for (let i = first; i < this.nums.length; i++) this.activityNums.set(i, a);
    }
    return code;
  }

  ruleCode(r: IRRule, hl: number | null): string {
    const p = this.num(r.points);
    switch (r.k) {
      case 'when':
        return `(${this.cond(r.cond)} ? ${p} : 0)`;
      case 'perActivity': {
        const a = this.act(r.activity);
        let x: string;
        if (r.windowMs === null && hl === null) {
          this.usesCount.add(a);
          x = `n${a}`;
        } else {
          x = `q${this.acc(a, r.windowMs, hl)}`;
        }
        return this.clamp(`${p} * ${x}`, r.max);
      }
      case 'once': {
        const a = this.act(r.activity);
        this.usesLast.add(a);
        const inWin = r.windowMs === null ? `l${a} === l${a}` : `l${a} > t - ${numLit(r.windowMs)}`;
        const w = hl === null ? p : `${p} * Math.pow(2, (l${a} - t) / ${numLit(hl)})`;
        return `(${inWin} ? ${this.clamp(w, r.max)} : 0)`;
      }
      case 'perAttribute': {
        const i = this.attr(r.attr, 'number');
        return `(c${i} === c${i} ? ${this.clamp(`${p} * c${i}`, r.max)} : 0)`;
      }
    }
  }

  arith(a: IRArith): string {
    return arithJs(a, (leaf) => {
      switch (leaf.k) {
        case 'num':
          return numLit(leaf.value);
        case 'score': {
          const i = this.scoreIndex.get(leaf.name);
          if (i === undefined) throw new KernelError(`unknown score ${JSON.stringify(leaf.name)}`);
          return `s${i}`;
        }
        case 'attr': {
          const i = this.attr(leaf.name, 'number');
          return `(c${i} === c${i} ? c${i} : 0)`;
        }
      }
    });
  }

  scoreStmt(s: IRScore, i: number): string {
    // every score rounded to 9 decimals, half away from zero, -0 as 0 (round9 in language/shared/values.ts)
    // (a whole number below 9e6 in size is its own rounding: skip the division, turn -0 into 0)
    const r9 = (x: string) => `{ const v_ = ${x}; s${i} = v_ === Math.floor(v_) && v_ < 9e6 && v_ > -9e6 ? v_ + 0 : v_ >= 9007199254740992 || v_ <= -9007199254740992 ? v_ : v_ <= 0 ? (0 - Math.round(-v_ * 1e9)) / 1e9 : Math.round(v_ * 1e9) / 1e9; }`;
    if (s.kind === 'derived') return r9(this.arith(s.expr));
    const parts = s.rules.map((r) => this.rule(r, s.halfLifeMs));
    return parts.length === 0 ? `s${i} = 0;` : r9(['0', ...parts].join(' + '));
  }

  bandStmt(b: IRBand, i: number): string {
    let src: string;
    if (b.source.k === 'score') {
      const si = this.scoreIndex.get(b.source.name);
      if (si === undefined) throw new KernelError(`unknown score ${JSON.stringify(b.source.name)}`);
      src = `s${si}`;
    } else {
      src = `c${this.attr(b.source.name, 'number')}`;
    }
    let e = String(b.labels.length - 1);
    for (let k = b.labels.length - 2; k >= 0; k--) {
      const min = b.labels[k]!.min;
      if (min === null) continue;
      e = `(${src} >= ${this.num(min)} ? ${k} : ${e})`;
    }
    return `g${i} = ${e};`;
  }
}

// ---------------------------------------------------------------------------

/** Compile the IR to a columnar kernel. Throws KernelError on constructs the kernel cannot run. */
export function compileKernel(ir: IR): CompiledKernel {
  const em = new Emitter(ir);
  const analysis = analyseIR(ir);
  const timeDep = analysis.timeDependent;
  const nStages = ir.stages.length;
  const low = nStages - 1;

  // statements for every score and band, by order key, and the constants (NUM indexes) each reads
  const stmt = new Map<ItemKey, string>();
  const numsOf = new Map<ItemKey, number[]>();
  for (const o of ir.order) {
    const key = itemKey(o);
    const first = em.nums.length;
    if (o.kind === 'score') {
      const i = ir.scores.findIndex((s) => s.name === o.name);
      const sc = ir.scores[i];
      if (!sc) throw new KernelError(`unknown score ${JSON.stringify(o.name)}`);
      stmt.set(key, em.scoreStmt(sc, i));
    } else {
      const i = ir.bands.findIndex((b) => b.name === o.name);
      const b = ir.bands[i];
      if (!b) throw new KernelError(`unknown band ${JSON.stringify(o.name)}`);
      stmt.set(key, em.bandStmt(b, i));
    }
    numsOf.set(key, Array.from({ length: em.nums.length - first }, (_, j) => first + j));
  }
  const stmtOf = (k: ItemKey): string => stmt.get(k) ?? '';
  const orderKeys = ir.order.map(itemKey);
  const staticStmts = orderKeys.filter((k) => !timeDep.has(k)).map(stmtOf);
  const dynAll = orderKeys.filter((k) => timeDep.has(k)).map(stmtOf);

  // stage conditions and what they need
  const stageConds = ir.stages.map((st) => (st.cond ? em.cond(st.cond) : 'false'));
  const needForStages = analysis.needs(ir.stages.map((st) => condReads(st.cond)));
  const dynStage = orderKeys.filter((k) => timeDep.has(k) && needForStages.has(k)).map(stmtOf);

  const routeConds = ir.routes.map((r) => (r.cond ? em.cond(r.cond) : 'true'));

  // Static guards: the conjuncts of a stage condition that do not change
  // with time (e.g. `fit >= 30`); when false the stage can never be reached
  // by this lead, so its condition is not evaluated at any event time.
  const guards: string[] = [];
  for (const st of ir.stages.slice(0, Math.max(0, low))) {
    const c = st.cond;
    const conj = c === null ? [] : c.k === 'and' ? c.args : [c];
    const stat = conj.filter((x) => analysis.isStatic(x));
    guards.push(stat.length ? `(${stat.map((x) => em.cond(x)).join(' && ')})` : 'true');
  }
  const guardDecl = guards.map((g, k) => `const G${k} = ${g};`);
  const doneExpr = low > 0 ? Array.from({ length: low }, (_, k) => `(r${k} === r${k} || !G${k})`).join(' && ') : 'true';


  // --- code pieces -------------------------------------------------------------
  const nS = ir.scores.length;
  const nB = ir.bands.length;
  const usedActs = [...new Set([...em.usesCount, ...em.usesLast, ...em.accs.map((a) => a.act)])].sort((a, b) => a - b);

  const head: string[] = [];
  em.attrs.forEach((a, i) => {
    head.push(`const A${i} = C.cols[${i}];`);
    if (a.type === 'text') head.push(`const D${i} = C.dicts[${i}];`);
  });
  em.tables.forEach((_, i) => head.push(`const T${i} = C.tables[${i}];`));
  em.codes.forEach((_, i) => head.push(`const K${i} = C.codes[${i}];`));
  em.nums.forEach((_, i) => head.push(`const NUM${i} = C.nums[${i}];`));
  for (let i = 0; i < nS; i++) head.push(`const OS${i} = C.out.scores[${i}];`);
  for (let i = 0; i < nB; i++) head.push(`const OB${i} = C.out.bands[${i}];`);
  for (let k = 0; k < nStages; k++) head.push(`const OR${k} = C.out.reached[${k}];`);
  head.push('const OST = C.out.stage, ORT = C.out.route, CL = C.closedAt, UC = C.useClosed, ASOF = C.asOf;');
  head.push('const BL = C.bandLabels, SN = C.stageNames, P2 = R.P2;');
  for (let i = 0; i < nB; i++) head.push(`const BL${i} = BL[${i}];`);

  const perLead: string[] = [];
  perLead.push('const ca = CL[L]; const closed = UC && ca === ca; const T = closed ? ca : ASOF;');
  em.attrs.forEach((a, i) => perLead.push(a.type === 'text' ? `const c${i} = A${i}[L];` : `const c${i} = A${i}[L];`));
  if (nS) perLead.push(`let ${Array.from({ length: nS }, (_, i) => `s${i} = 0`).join(', ')};`);
  if (nB) perLead.push(`let ${Array.from({ length: nB }, (_, i) => `g${i} = 0`).join(', ')};`);
  if (nStages) perLead.push(`let ${Array.from({ length: nStages }, (_, k) => `r${k} = NaN`).join(', ')};`);
  perLead.push('let t = T;');
  for (const line of staticStmts) perLead.push(line);

  // stage evaluation at time t (lowest first); sets `done` once no further stage can be reached
  const evalStages: string[] = [...dynStage];
  for (let k = low - 1; k >= 0; k--) {
    const below: string[] = [];
    for (let j = k + 1; j < nStages; j++) below.push(`if (r${j} !== r${j}) r${j} = t;`);
    evalStages.push(`if (r${k} !== r${k} && G${k} && ${stageConds[k]}) { r${k} = t; ${below.join(' ')} }`);
  }
  evalStages.push(`done = ${doneExpr};`);

  // after the final scores: the reached-before-close filter (event mode
  // only; set by the caller), the stage, the route and the output writes
  const tail: string[] = [];
  tail.push('if (FILTER && closed) {');
  for (let k = 0; k < low; k++) tail.push(`  if (r${k} >= T) r${k} = NaN;`);
  tail.push('}');
  let stg = String(low);
  for (let k = low - 1; k >= 0; k--) stg = `(r${k} === r${k} ? ${k} : ${stg})`;
  tail.push(`const stg = ${nStages ? stg : '-1'};`);
  let rt = '-1';
  for (let i = routeConds.length - 1; i >= 0; i--) rt = `(${routeConds[i]} ? ${i} : ${rt})`;
  tail.push(`ORT[L] = ${rt};`);
  tail.push('OST[L] = stg;');
  const scoreWrites = Array.from({ length: nS }, (_, i) => `OS${i}[L] = s${i};`);
  const otherWrites = [...Array.from({ length: nB }, (_, i) => `OB${i}[L] = g${i};`), ...Array.from({ length: nStages }, (_, k) => `OR${k}[L] = r${k};`)];
  const finish = [...dynAll, ...tail, ...scoreWrites, ...otherWrites];
  // the same in a reusing run: a lead replayed in full (`full`) computes its
  // final scores; the others read them from the previous run (the score
  // arrays are the previous run's, or a copy of them: written for the leads
  // replayed in full only)
  const dynAllKeys = orderKeys.filter((k) => timeDep.has(k));
  const scoreIdx = (k: string) => ir.scores.findIndex((sc) => `score:${sc.name}` === k);
  const finishReused: string[] = ['if (full) {', ...dynAll, '} else {',
    ...dynAllKeys.map((k) => (k.startsWith('score:') ? `s${scoreIdx(k)} = PS${scoreIdx(k)}[L];` : stmtOf(k))), '}',
    ...tail, ...otherWrites, 'if (full) {', ...scoreWrites, '}'];

  // Final scores can be taken from a previous run when no score reads the
  // funnel (stage, reached) and no route reads event state directly (a
  // reusing run stops replaying a lead's events early). Which constants the
  // scores depend on: those of every score and of the bands scores read.
  const reusable = nStages > 0
    && !ir.scores.some((sc) => sc.kind === 'block' && sc.rules.some((r) => r.k === 'when' && condReadsKind(r.cond, ['stage', 'reached'])))
    && !ir.routes.some((r) => condReadsKind(r.cond, ['count', 'daysSinceLast', 'has']));
  const scoreKeys = analysis.needs([{ scores: new Set(ir.scores.map((sc) => sc.name)), bands: new Set(), time: false }]);
  const scoreNums = [...scoreKeys].flatMap((k) => numsOf.get(k) ?? []).sort((x, y) => x - y);
  /** per score constant: the activity whose rule it belongs to, or -1 */
  const numActivity = scoreNums.map((i) => em.activityNums.get(i) ?? -1);

  // --- snapshot function ----------------------------------------------------------
  const snap: string[] = [];
  snap.push('function snapshot(C, lo, hi) {', ...head, 'const FILTER = false;');
  snap.push('for (let L = lo; L < hi; L++) {', ...perLead);
  for (const a of usedActs) snap.push(`const n${a} = 0, l${a} = NaN;`);
  em.accs.forEach((_, i) => snap.push(`const q${i} = 0;`));
  snap.push(...guardDecl, `let done = ${doneExpr};`);
  if (nStages) snap.push(`r${low} = t;`);
  for (const line of [evalStages, finish, ['}', '}']].flat()) snap.push(line);

  // --- event functions ------------------------------------------------------------
  // decay advance from prev to t
  const decayAdvance: string[] = [];
  em.halfLives.forEach((hl) => {
    const members = em.accs.map((a, i) => ({ a, i })).filter((x) => x.a.hl === hl);
    if (!members.length) return;
    // 2 ^ (-dt / hl): exactly 2^-k over k whole half-lives (a table), so a lone
    // event k half-lives old weighs exactly 2^-k; otherwise exp(-dt ln2 / hl),
    // within an ulp of it and several times faster than Math.pow
    decayAdvance.push(`{ const x = (t - prev) / ${numLit(hl)}; const f = x === Math.floor(x) && x < 1075 ? P2[x] : Math.exp(x * ${numLit(-Math.LN2)}); ${members.map((m) => `q${m.i} *= f;`).join(' ')} }`);
  });
  // applying one event of activity a at time t
  const applyCases: string[] = [];
  for (const a of usedActs) {
    const body: string[] = [];
    if (em.usesCount.has(a)) body.push(`n${a}++;`);
    if (em.usesLast.has(a)) body.push(`l${a} = t;`);
    em.accs.forEach((acc, i) => {
      if (acc.act === a) body.push(`q${i} += 1;`);
    });
    applyCases.push(`case ${a}: ${body.join(' ')} break;`);
  }
  // trailing pointers: events leaving each window at time t
  const trail: string[] = [];
  em.windows.forEach((w, wi) => {
    const cases: string[] = [];
    for (const a of usedActs) {
      const cnt = em.accs.findIndex((x) => x.act === a && x.win === w && x.hl === null);
      if (cnt < 0) continue;
      const body: string[] = [`q${cnt} -= 1;`];
      em.accs.forEach((acc, i) => {
        if (acc.act === a && acc.win === w && acc.hl !== null) {
          body.push(`q${i} = q${cnt} === 0 ? 0 : q${i} - Math.pow(2, (TM[p${wi}] - t) / ${numLit(acc.hl)});`);
        }
      });
      cases.push(`case ${a}: ${body.join(' ')} break;`);
    }
    if (cases.length) {
      trail.push(`while (p${wi} < j && TM[p${wi}] <= t - ${numLit(w)}) { switch (AT[p${wi}]) { ${cases.join(' ')} } p${wi}++; }`);
    } else {
      trail.push(`p${wi} = j;`);
    }
  });

  /**
   * The event function. `reuse`: the final scores are read from a previous
   * run (C.prev) whose score definitions and constants were the same, so a
   * lead's events are replayed only until no further stage can be reached.
   */
  const eventsFn = (name: string, reuse: boolean): string => {
    const ev: string[] = [];
    ev.push(`function ${name}(C, lo, hi) {`, ...head, 'const FILTER = true;');
    if (reuse) {
      for (const k of dynAllKeys) if (k.startsWith('score:')) { const i = scoreIdx(k); ev.push(`const PS${i} = C.prev[${i}];`); }
      ev.push('const FULL = C.full;');
    }
    ev.push('const OFF = C.offsets, TM = C.times, AT = C.acts;');
    ev.push('for (let L = lo; L < hi; L++) {', ...perLead);
    if (reuse) ev.push('const full = FULL[L] === 1;');
    ev.push('const s = OFF[L]; let e = OFF[L + 1];');
    ev.push('if (closed) { while (e > s && TM[e - 1] >= T) e--; } else { while (e > s && TM[e - 1] > T) e--; }');
    for (const a of usedActs) ev.push(`let n${a} = 0, l${a} = NaN;`);
    em.accs.forEach((_, i) => ev.push(`let q${i} = 0;`));
    em.windows.forEach((_, w) => ev.push(`let p${w} = s;`));
    ev.push(...guardDecl, `let done = ${doneExpr};`);
    ev.push('let prev = NaN;');
    ev.push('let j = s;');
    // evaluation points: the distinct times of events of declared activities
    // (events of other types are skipped), then T when later
    ev.push('for (;;) {');
    ev.push('while (j < e && AT[j] < 0) j++;');
    ev.push('if (j >= e) break;');
    ev.push('t = TM[j];');
    ev.push(`if (prev !== prev) { prev = t;${nStages ? ` r${low} = t;` : ''} }`);
    if (reuse) ev.push('if (done && !full) break;');
    if (decayAdvance.length) ev.push('if (t !== prev) {', ...decayAdvance, '}');
    if (applyCases.length) {
      ev.push(`do { switch (AT[j]) { ${applyCases.join(' ')} } j++; } while (j < e && TM[j] === t);`);
    } else {
      ev.push('do { j++; } while (j < e && TM[j] === t);');
    }
    for (const line of trail) ev.push(line);
    ev.push('prev = t;');
    ev.push('if (!done) {', ...evalStages, '}');
    ev.push('}');
    // the final evaluation point at T (when later than the last event, or no events)
    ev.push(reuse ? 'if (prev !== prev || ((!done || full) && prev < T)) {' : 'if (prev !== prev || prev < T) {');
    ev.push('t = T;');
    ev.push(`if (prev !== prev) { prev = T;${nStages ? ` r${low} = T;` : ''} }`);
    if (decayAdvance.length) ev.push('if (t !== prev) {', ...decayAdvance, '}');
    for (const line of trail) ev.push(line);
    ev.push('if (!done) {', ...evalStages, '}');
    ev.push('}');
    ev.push('t = T;');
    for (const line of reuse ? finishReused : finish) ev.push(line);
    ev.push('}', '}');
    return ev.join('\n');
  };

  const source = [
    '"use strict";',
    snap.join('\n'),
    eventsFn('events', false),
    reusable ? eventsFn('eventsReusing', true) : 'const eventsReusing = null;',
    'return { snapshot, events, eventsReusing };',
  ].join('\n');

  let fns = compiledKernels.get(source);
  if (!fns) {
    try {
      fns = new Function('R', source)(KERNEL_RUNTIME) as KernelFns;
    } catch (e) {
      throw new KernelError(`internal error: the generated kernel does not compile (${(e as Error).message})`);
    }
    if (compiledKernels.size >= 32) compiledKernels.delete(compiledKernels.keys().next().value!);
    compiledKernels.set(source, fns);
  }
  const kernelFns = fns;
  const nums = em.nums;
  const dictsRead = em.dictsRead;

  const attrs = em.attrs;
  const tables = em.tables;
  const codes = em.codes;

  function bind(input: KernelInput): BoundKernel {
    const { leads, mode } = input;
    const n = leads.n;
    const cols: (Float64Array | Int32Array | Uint8Array)[] = [];
    const dicts: (string[] | null)[] = [];
    const typed: TypedColumn[] = attrs.map((a) => columnAs(leads, a.name, leads.columns.get(a.name), a.type, n));
    typed.forEach((c) => {
      if (c.type === 'text') {
        cols.push(c.codes);
        dicts.push(c.dict);
      } else {
        cols.push(c.values);
        dicts.push(null);
      }
    });
    const tabs = tables.map((spec) => {
      const c = typed[spec.col] as { dict: string[] };
      // Built once per dictionary and predicate: a re-run after an edit (the
      // playground) reuses them. Tables are never written after building.
      let byKey = tableCache.get(c.dict);
      if (!byKey) tableCache.set(c.dict, (byKey = new Map()));
      const hit = byKey.get(spec.key);
      if (hit) return hit;
      const t = new Uint8Array(c.dict.length);
      for (let i = 0; i < c.dict.length; i++) {
        let s: string | null = c.dict[i]!;
        for (const f of spec.chain) s = KERNEL_RUNTIME[f](s);
        t[i] = spec.pred(s) ? 1 : 0;
      }
      if (byKey.size > 256) byKey.clear();
      byKey.set(spec.key, t);
      return t;
    });
    const codeVals = codes.map((spec) => {
      const c = typed[spec.col] as { dict: string[] };
      const i = c.dict.indexOf(spec.value);
      return i < 0 ? -2 : i;
    });
    const useClosed = input.useClosedAt !== false;
    const signature: KernelSignature = {
      fns: kernelFns, leads, events: mode === 'events' ? input.events ?? null : null, mode, asOf: input.asOf, useClosed,
      activities: ir.activities.join('\u0000'), cols, tables: tabs, codes: codeVals, scoreNums: scoreNums.map((i) => nums[i]!),
    };
    const prev = input.previous;
    // Which leads must be replayed in full: none when no score constant
    // changed; those that did an activity when only that activity's rules
    // changed (their points or caps); all when anything else changed.
    let full: Uint8Array | null = null;
    let fullLeads = n;
    if (mode === 'events' && kernelFns.eventsReusing !== null && prev !== undefined
      && prev.scores.length === ir.scores.length && prev.scores.every((a) => a.length === n) && sameInputs(prev.signature, signature)) {
      const acts = new Set<number>();
      let local = true;
      signature.scoreNums.forEach((v, p) => {
        if (Object.is(v, prev.signature.scoreNums[p])) return;
        if (numActivity[p]! < 0) local = false;
        else acts.add(numActivity[p]!);
      });
      if (local && (acts.size === 0 || input.did)) {
        full = new Uint8Array(n);
        fullLeads = 0;
        for (const a of acts) {
          const did = input.did![a]!;
          for (let i = 0; i < n; i++) if (did[i] === 1 && full[i] === 0) { full[i] = 1; fullLeads++; }
        }
      }
    }
    const reusing = full !== null;
    const alloc = input.alloc ?? NEW_ARRAYS;
    // reusing: the scores are the previous run's arrays, shared when no lead is replayed in full, else copied
    const scoreArrays = !reusing ? ir.scores.map(() => alloc.f64(n))
      : fullLeads === 0 ? prev!.scores : prev!.scores.map((a) => { const c = alloc.f64(n); c.set(a); return c; });
    const out: KernelOutput = {
      n,
      scores: scoreArrays,
      bands: ir.bands.map(() => alloc.i32(n)),
      stage: alloc.i32(n),
      reached: ir.stages.map(() => alloc.f64(n).fill(NaN)),
      route: alloc.i32(n).fill(-1),
    };
    const base = {
      cols,
      dicts,
      tables: tabs,
      codes: codeVals,
      nums,
      out,
      closedAt: leads.closedAt,
      useClosed,
      asOf: input.asOf,
      bandLabels: ir.bands.map((b) => b.labels.map((l) => l.label)),
      stageNames: ir.stages.map((s) => s.name),
    };
    let ctx: KernelContext = base;
    let fnName: keyof KernelFns = 'snapshot';
    if (mode === 'events') {
      const ev = input.events;
      if (!ev) throw new KernelError('event mode needs an events table');
      const events = { ...base, offsets: ev.offsets, times: ev.times, acts: activityIndexes(ev, ir.activities) };
      ctx = events;
      fnName = 'events';
      if (full !== null && prev !== undefined && kernelFns.eventsReusing !== null) {
        ctx = { ...events, prev: prev.scores, full };
        fnName = 'eventsReusing';
      }
    }
    const fn = kernelFns[fnName]!;
    const used = ctx;
    return {
      out,
      signature,
      reusing,
      fullLeads,
      run(lo: number, hi: number) {
        fn(ctx, Math.max(0, lo), Math.min(n, hi));
      },
      portable() {
        // a run that reuses an earlier run's scores stays on this thread
        if (fnName === 'eventsReusing') return null;
        return { source, fn: fnName, ctx: { ...used, dicts: used.dicts.map((d, i) => (dictsRead.has(i) ? d : null)) } };
      },
    };
  }

  return { ir, source, bind };
}

/** What the generated functions read (`C` in the generated code). */
export interface KernelContext {
  /** bound lead columns, `em.attrs` order: codes for text, values otherwise */
  cols: (Float64Array | Int32Array | Uint8Array)[];
  /** each text column's dictionary (null for other types) */
  dicts: (string[] | null)[];
  /** per-dictionary-entry lookup tables */
  tables: Uint8Array[];
  /** text literals as dictionary codes (-2: not in the dictionary) */
  codes: number[];
  /** numeric constants (`NUM<i>`) */
  nums: number[];
  out: KernelOutput;
  closedAt: Float64Array;
  useClosed: boolean;
  asOf: number;
  bandLabels: string[][];
  stageNames: string[];
  /** event mode: the events table in CSR order, and each event's activity index */
  offsets?: Int32Array;
  times?: Float64Array;
  acts?: Int8Array | Int16Array | Int32Array;
  /** reusing run: the previous run's final scores, and the leads replayed in full */
  prev?: Float64Array[];
  full?: Uint8Array;
}

type KernelFn = (ctx: KernelContext, lo: number, hi: number) => void;
type KernelFns = { snapshot: KernelFn; events: KernelFn; eventsReusing: KernelFn | null };

/**
 * The JS emitter: IR -> JavaScript source of an object scorer.
 *
 * Input: an `IR` (language/compile/ir.ts) from a ruleset that checked
 * without errors.
 * Output:
 * - `emitBody(ir, { explain })`: the scorer body, a sequence of
 *   declarations that ends by defining `__score(lead, events, asOf)` and
 *   `__ruleset`; it expects a binding `RE2JS` (the linear-time regex class)
 *   when the ruleset uses `matches`;
 * - `compileScorer(ir, { explain })`: that body run through `new Function`
 *   with `RE2JS` passed in as a parameter (tests, CLI, worker);
 * - `emitModule(ir, { format, compilerVersion })`: the same body as a
 *   standalone ES or CommonJS module with no imports, exporting `ruleset`
 *   and `score` (re2js embedded when `matches` is used, see js-re2.ts);
 * - `emitDts(ir)`: its `.d.ts`, with the ruleset's names as literal types.
 * The meaning implemented is docs/semantics.md; the result and explain-trace
 * types are in ../shared/result-types.ts (documented there).
 *
 * Invariants (safe code generation, by construction):
 * - user text (names, strings, list items, regex sources, rule text, route
 *   actions, the ruleset name) only enters the output through `str()`:
 *   JSON.stringify, then U+2028/U+2029 and `<` escaped; numbers through
 *   `num()`, which refuses anything but a JS number; every other fragment
 *   comes from this file, chosen by a `switch` over IR tags that throws on an
 *   unknown tag;
 * - generated identifiers are made from indexes (`a3`, `s1`, `E0`), never
 *   from user names;
 * - attributes are read with an own-property check; maps keyed by user names
 *   are null-prototype objects or `Map`s;
 * - `matches` uses RE2 (re2js), whose matching time is linear in the input,
 *   with one cache of results per regex keyed by the text matched;
 * - no `with`, no `eval`, and user text is never compiled as code.
 *
 * Shape of `__score`: read and coerce every attribute once; sort events into
 * one time array per declared activity (ignoring other types, bad times and
 * events after asOf); when the ruleset has conditional stages, replay the
 * distinct event times before asOf, computing only the scores and bands the
 * stage conditions need, and stopping early once the furthest stage is
 * reached; then evaluate everything at asOf (stages, route, reasons).
 */

import type { RE2JS } from 're2js';
import { CachedRE2JS } from '../check/regex.js';
import type { IR, IRArith, IRBlockScore, IRCond, IRRule, IRScore, IRType, IRValue } from './ir.js';
import { JS_RUNTIME } from './js-runtime.js';
import { analyseIR, condReads, itemKey, readsLeadOnly, type IRAnalysis, type ItemKey } from './analysis.js';
import { re2jsEmbed } from './js-re2.js';
import { arithJs } from './js-arith.js';
import type { RulesetInfo, ScoreFn, Scorer } from '../shared/result-types.js';

export type {
  ExplainCond,
  ExplainPoint,
  ExplainRoute,
  ExplainRule,
  ExplainStage,
  ExplainTrace,
  ExplainValue,
  LeadEvent,
  Reason,
  RulesetInfo,
  ScoreResult,
  Scorer,
} from '../shared/result-types.js';

export interface EmitOptions {
  /** record an explain trace at asOf (slower; for `lql explain`) */
  explain?: boolean;
}

export interface ModuleOptions {
  format: 'esm' | 'cjs';
  compilerVersion: string;
  /** re2js's ES module build and licence text, for callers outside Node */
  regexEngineSource?: { code: string; licence: string };
}

// ---------------------------------------------------------------------------
// Literal embedding: the only ways data from the IR reaches the output.

const UNSAFE_IN_JS = /[\u2028\u2029<]/;

/** A user string as a JS string literal, safe in any context (also inside HTML). */
export function str(s: unknown): string {
  if (typeof s !== 'string') throw new TypeError('emit-js: expected a string in the IR, got ' + typeof s);
  const json = JSON.stringify(s);
  if (!UNSAFE_IN_JS.test(json)) return json;
  return json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029').replace(/</g, '\\u003c');
}

/** A number from the IR as a JS expression. */
export function num(n: unknown): string {
  if (typeof n !== 'number') throw new TypeError('emit-js: expected a number in the IR, got ' + typeof n);
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '(-Infinity)';
  if (Object.is(n, -0)) return '(-0)';
  return n < 0 ? '(' + String(n) + ')' : String(n);
}

function int(n: unknown): string {
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new TypeError('emit-js: expected an integer in the IR');
  return String(n);
}

const CONV: Record<IRType, string> = { number: '__num', text: '__text', bool: '__bool', date: '__date' };

function conv(t: unknown): string {
  switch (t) {
    case 'number':
    case 'text':
    case 'bool':
    case 'date':
      return CONV[t];
    default:
      throw new TypeError('emit-js: unknown type in the IR');
  }
}

function isNumeric(t: IRType): boolean {
  return t === 'number' || t === 'date';
}

interface Val {
  code: string;
  type: IRType;
  /** whether the value can be missing (undefined) at run time */
  miss: boolean;
}

// ---------------------------------------------------------------------------

class Gen {
  readonly ir: IR;
  readonly explain: boolean;
  readonly analysis: IRAnalysis;
  /** module-level declarations made while generating (regexes, lists, constants) */
  readonly consts: string[] = [];
  /** attribute reads: `name` -> raw variable; `name`, `type` -> typed variable */
  private readonly raws = new Map<string, string>();
  private readonly typed = new Map<string, Map<IRType, string>>();
  private typedCount = 0;
  readonly attrDecls: string[] = [];
  private readonly acts = new Map<string, number>();
  private readonly scoreVar = new Map<string, string>();
  private readonly bandVar = new Map<string, string>();
  private readonly stageIdx = new Map<string, number>();
  private readonly perNode = new Map<string, string>();
  usesRegex = false;
  usesNone = false;

  constructor(ir: IR, explain: boolean) {
    this.ir = ir;
    this.explain = explain;
    if (ir.format !== 'lql-ir' || ir.version !== 1) throw new TypeError('emit-js: not an LQL IR (version 1)');
    ir.activities.forEach((a, i) => {
      if (typeof a !== 'string') throw new TypeError('emit-js: activity names must be strings');
      if (!this.acts.has(a)) this.acts.set(a, i);
    });
    ir.scores.forEach((s, i) => this.scoreVar.set(s.name, 's' + i));
    ir.bands.forEach((b, i) => this.bandVar.set(b.name, 'b' + i));
    ir.stages.forEach((s, i) => this.stageIdx.set(s.name, i));
    this.analysis = analyseIR(ir);
  }

  // -- names ---------------------------------------------------------------

  attr(name: string, type: IRType): string {
    let byType = this.typed.get(name);
    let v = byType?.get(type);
    if (v) return v;
    let raw = this.raws.get(name);
    if (!raw) {
      raw = 'r' + this.raws.size;
      this.raws.set(name, raw);
      this.attrDecls.push(`const ${raw} = __own(lead, ${str(name)});`);
    }
    v = 'a' + this.typedCount++;
    if (!byType) this.typed.set(name, (byType = new Map()));
    byType.set(type, v);
    this.attrDecls.push(`const ${v} = ${conv(type)}(${raw});`);
    return v;
  }

  act(name: string): string {
    const i = this.acts.get(name);
    if (i === undefined) {
      this.usesNone = true;
      return '__NONE';
    }
    return 'E' + i;
  }

  score(name: string): string {
    const v = this.scoreVar.get(name);
    if (!v) throw new TypeError('emit-js: unknown score in the IR: ' + JSON.stringify(name));
    return v;
  }

  band(name: string): string {
    const v = this.bandVar.get(name);
    if (!v) throw new TypeError('emit-js: unknown band in the IR: ' + JSON.stringify(name));
    return v;
  }

  stageVar(name: string): string {
    const i = this.stageIdx.get(name);
    if (i === undefined) throw new TypeError('emit-js: unknown stage in the IR: ' + JSON.stringify(name));
    return 'q' + i;
  }

  /** the furthest stage reached so far, as text */
  stageExpr(): string {
    const st = this.ir.stages;
    if (st.length === 0) return '""';
    let code = str(st[st.length - 1]!.name);
    for (let i = st.length - 2; i >= 0; i--) code = `(q${i} !== null ? ${str(st[i]!.name)} : ${code})`;
    return code;
  }

  /** a module-level constant, created once per key */
  private constFor(key: string, prefix: string, init: () => string): string {
    let v = this.perNode.get(key);
    if (v) return v;
    v = prefix + this.perNode.size;
    this.perNode.set(key, v);
    this.consts.push(`const ${v} = ${init()};`);
    return v;
  }

  // -- values --------------------------------------------------------------

  value(v: IRValue): Val {
    switch (v.k) {
      case 'attr':
        return { code: this.attr(v.name, v.type), type: v.type, miss: true };
      case 'score':
        return { code: this.score(v.name), type: 'number', miss: false };
      case 'band':
        return { code: this.band(v.name), type: 'text', miss: false };
      case 'num':
        return { code: num(v.value), type: 'number', miss: false };
      case 'str':
        return { code: str(v.value), type: 'text', miss: v.value === '' };
      case 'date':
        return { code: num(v.value), type: 'date', miss: false };
      case 'bool':
        return { code: v.value === true ? 'true' : 'false', type: 'bool', miss: false };
      case 'lower':
        return { code: `__lower(${this.valueAs(v.arg, 'text').code})`, type: 'text', miss: true };
      case 'domain':
        return { code: `__domain(${this.valueAs(v.arg, 'text').code})`, type: 'text', miss: true };
      case 'count': {
        const e = this.act(v.activity);
        const code = v.windowMs === null ? `__ub(${e}, t)` : `__cnt(${e}, t, ${num(v.windowMs)})`;
        return { code, type: 'number', miss: false };
      }
      case 'daysSince':
        return { code: `__ds(${this.attr(v.attr, 'date')}, t)`, type: 'number', miss: true };
      case 'daysSinceLast':
        return { code: `__dsl(${this.act(v.activity)}, t)`, type: 'number', miss: true };
      case 'stage':
        return { code: this.stageExpr(), type: 'text', miss: false };
      case 'route':
        // the route is only known after the scorer ran (tests read it)
        return { code: 'undefined', type: 'text', miss: true };
      default:
        throw new TypeError('emit-js: unknown value node in the IR');
    }
  }

  /** a value read as the given type (coercing when its own type differs) */
  valueAs(v: IRValue, type: IRType): Val {
    const r = this.value(v);
    if (r.type === type || (isNumeric(r.type) && isNumeric(type))) return { code: r.code, type, miss: r.miss };
    if (v.k === 'num' || v.k === 'str' || v.k === 'bool' || v.k === 'date') {
      const c = this.constFor(`lit:${v.id}:${type}`, 'K', () => `${conv(type)}(${r.code})`);
      return { code: c, type, miss: true };
    }
    return { code: `${conv(type)}(${r.code})`, type, miss: true };
  }

  // -- conditions ----------------------------------------------------------

  cond(c: IRCond): string {
    switch (c.k) {
      case 'and':
        return c.args.length === 0 ? 'true' : '(' + c.args.map((a) => this.cond(a)).join(' && ') + ')';
      case 'or':
        return c.args.length === 0 ? 'false' : '(' + c.args.map((a) => this.cond(a)).join(' || ') + ')';
      case 'not':
        return `!${this.cond(c.arg)}`;
      case 'const':
        return c.value === true ? 'true' : 'false';
      case 'cmp': {
        const l = this.valueAs(c.left, c.type);
        const r = this.valueAs(c.right, c.type);
        switch (c.op) {
          case '<':
          case '<=':
          case '>':
          case '>=':
            // undefined compares false with any operator
            return `(${l.code} ${c.op} ${r.code})`;
          case '==':
            return l.miss && r.miss ? `__eq(${l.code}, ${r.code})` : `(${l.code} === ${r.code})`;
          case '!=':
            return `__ne(${l.code}, ${r.code})`;
          default:
            throw new TypeError('emit-js: unknown comparison in the IR');
        }
      }
      case 'in': {
        const type = c.type;
        const list = this.constFor(`in:${c.id}`, 'L', () => {
          const items = c.items.map((x) => {
            if (typeof x === 'string') return str(x);
            if (typeof x === 'number') return num(x);
            if (typeof x === 'boolean') return x ? 'true' : 'false';
            throw new TypeError('emit-js: list items must be strings, numbers or booleans');
          });
          return `__set(${conv(type)}, [${items.join(', ')}])`;
        });
        return `${list}.has(${this.valueAs(c.value, type).code})`;
      }
      case 'between':
        return `__btw(${this.valueAs(c.value, c.type).code}, ${this.valueAs(c.low, c.type).code}, ${this.valueAs(c.high, c.type).code})`;
      case 'text': {
        const fn = c.op === 'contains' ? '__contains' : c.op === 'starts_with' ? '__starts' : c.op === 'ends_with' ? '__ends' : null;
        if (!fn) throw new TypeError('emit-js: unknown text test in the IR');
        return `${fn}(${this.valueAs(c.value, 'text').code}, ${this.valueAs(c.arg, 'text').code})`;
      }
      case 'matches': {
        this.usesRegex = true;
        const flags = c.flags;
        if (typeof flags !== 'string' || !/^[iu]*$/.test(flags)) throw new TypeError('emit-js: regex flags must be a subset of "iu"');
        const re = this.constFor(`re:${c.id}`, 'R', () => `RE2JS.compile(${str(c.pattern)}, ${flags.includes('i') ? 'RE2JS.CASE_INSENSITIVE' : '0'})`);
        const cache = this.constFor(`rc:${c.id}`, 'C', () => 'new Map()');
        return `__match(${re}, ${cache}, ${this.valueAs(c.value, 'text').code})`;
      }
      case 'present':
        return `(${this.value(c.value).code} !== undefined)`;
      case 'has':
        return `__has(${this.act(c.activity)}, t)`;
      case 'reached':
        return `(${this.stageVar(c.stage)} !== null)`;
      case 'truthy':
        return `(${this.valueAs(c.value, 'bool').code} === true)`;
      default:
        throw new TypeError('emit-js: unknown condition node in the IR');
    }
  }

  /** the values a value node reads, for explain (literals are in the source text) */
  private reads(v: IRValue, type: IRType | null, out: string[]): void {
    switch (v.k) {
      case 'num':
      case 'str':
      case 'date':
      case 'bool':
        return;
      case 'lower':
      case 'domain': {
        const r = type ? this.valueAs(v, type) : this.value(v);
        out.push(`__xv(${int(v.id)}, ${str(v.src.text)}, ${str(r.type)}, ${r.code})`);
        this.reads(v.arg, 'text', out);
        return;
      }
      default: {
        const r = type ? this.valueAs(v, type) : this.value(v);
        out.push(`__xv(${int(v.id)}, ${str(v.src.text)}, ${str(r.type)}, ${r.code})`);
      }
    }
  }

  /** explain mode: an expression building the condition's ExplainCond tree */
  xcond(c: IRCond): string {
    const head = `${int(c.id)}, ${str(c.src.text)}, ${int(c.src.line)}`;
    switch (c.k) {
      case 'and':
        return `__xand(${head}, [${c.args.map((a) => this.xcond(a)).join(', ')}])`;
      case 'or':
        return `__xor(${head}, [${c.args.map((a) => this.xcond(a)).join(', ')}])`;
      case 'not':
        return `__xnot(${head}, ${this.xcond(c.arg)})`;
      default: {
        const out: string[] = [];
        switch (c.k) {
          case 'const':
            break;
          case 'cmp':
            this.reads(c.left, c.type, out);
            this.reads(c.right, c.type, out);
            break;
          case 'in':
            this.reads(c.value, c.type, out);
            break;
          case 'between':
            this.reads(c.value, c.type, out);
            this.reads(c.low, c.type, out);
            this.reads(c.high, c.type, out);
            break;
          case 'text':
            this.reads(c.value, 'text', out);
            this.reads(c.arg, 'text', out);
            break;
          case 'matches':
            this.reads(c.value, 'text', out);
            break;
          case 'present':
            this.reads(c.value, null, out);
            break;
          case 'truthy':
            this.reads(c.value, 'bool', out);
            break;
          case 'has':
            out.push(`__xv(${int(c.id)}, ${str(`count(${c.activity})`)}, "number", __ub(${this.act(c.activity)}, t))`);
            break;
          case 'reached':
            out.push(`__xv(${int(c.id)}, ${str(c.stage)}, "date", ${this.stageVar(c.stage)})`);
            break;
        }
        return `__xl(${head}, ${this.cond(c)}, [${out.join(', ')}])`;
      }
    }
  }

  // -- arithmetic ----------------------------------------------------------

  arith(a: IRArith): string {
    return arithJs(a, (leaf) => {
      switch (leaf.k) {
        case 'num':
          return num(leaf.value);
        case 'score':
          return this.score(leaf.name);
        case 'attr':
          return `(${this.attr(leaf.name, 'number')} ?? 0)`;
        default:
          throw new TypeError('emit-js: unknown arithmetic node in the IR');
      }
    });
  }

  // -- dependencies (which scores and bands the stage conditions need) ------

  /** the scores and bands (keys of analysis.ts) the stage conditions need */
  stageDeps(): Set<ItemKey> {
    return this.analysis.needs(this.ir.stages.map((s) => condReads(s.cond)));
  }

  // -- rules and scores ----------------------------------------------------

  /** rules whose contribution is the same at every evaluation point (computed once per lead) */
  isStatic(r: IRRule): boolean {
    let known = this.staticRule.get(r);
    if (known === undefined) {
      // computed before any score: a static `when` reads only the lead's attributes
      known = r.k === 'perAttribute' || (r.k === 'when' && readsLeadOnly(r.cond));
      this.staticRule.set(r, known);
    }
    return known;
  }

  private readonly staticRule = new Map<IRRule, boolean>();

  /** statements computing every static rule's contribution, once per lead */
  staticRules(): string[] {
    const lines: string[] = [];
    for (const sc of this.ir.scores) {
      if (sc.kind !== 'block') continue;
      const sv = this.score(sc.name);
      sc.rules.forEach((r, ri) => {
        if (!this.isStatic(r)) return;
        const k = `k${sv.slice(1)}_${ri}`;
        lines.push(`let ${k};`, ...this.rule(sc, r, k, false));
      });
    }
    return lines;
  }

  /**
   * statements computing a rule's contribution into `k` (declared by the
   * caller); the same at every evaluation point unless explaining the final one
   */
  rule(sc: IRBlockScore, r: IRRule, k: string, final: boolean): string[] {
    if (this.explain && final) return this.ruleLines(sc, r, k, final);
    let lines = this.ruleCode.get(k);
    if (!lines) {
      lines = this.ruleLines(sc, r, k, final);
      this.ruleCode.set(k, lines);
    }
    return lines;
  }

  /** each rule's statements, by the name of its contribution (`k<score>_<rule>`) */
  private readonly ruleCode = new Map<string, string[]>();

  private ruleLines(sc: IRBlockScore, r: IRRule, k: string, final: boolean): string[] {
    const P = num(r.points);
    const decay = sc.halfLifeMs === null ? null : num(sc.halfLifeMs);
    const w = (x: string): string => (decay === null ? '' : ` * Math.pow(2, -(t - ${x}) / ${decay})`);
    const lines: string[] = [];
    let max: number | null = null;
    switch (r.k) {
      case 'when':
        if (final && this.explain) {
          lines.push(`const x${k} = ${this.xcond(r.cond)};`, `${k} = x${k}.value ? ${P} : 0;`);
        } else {
          lines.push(`${k} = ${this.cond(r.cond)} ? ${P} : 0;`);
        }
        break;
      case 'perActivity': {
        const e = this.act(r.activity);
        max = r.max;
        if (decay === null && Number.isInteger(r.points)) {
          // an integer times a count is exactly the sum of the per-event points
          lines.push(`${k} = ${P} * ${r.windowMs === null ? `__ub(${e}, t)` : `__cnt(${e}, t, ${num(r.windowMs)})`};`);
        } else {
          const lo = r.windowMs === null ? '0' : `__ub(${e}, t - ${num(r.windowMs)})`;
          lines.push(`${k} = 0;`, `for (let i = ${lo}, hi = __ub(${e}, t); i < hi; i++) ${k} += ${P}${w(`${e}[i]`)};`);
        }
        break;
      }
      case 'once': {
        const e = this.act(r.activity);
        max = r.max;
        const inWin = r.windowMs === null ? '' : ` && ${e}[i] > t - ${num(r.windowMs)}`;
        lines.push(`{ const i = __ub(${e}, t) - 1; ${k} = i >= 0${inWin} ? ${P}${w(`${e}[i]`)} : 0; }`);
        break;
      }
      case 'perAttribute': {
        const a = this.attr(r.attr, 'number');
        max = r.max;
        lines.push(`${k} = ${a} === undefined ? 0 : ${P} * ${a};`);
        break;
      }
      default:
        throw new TypeError('emit-js: unknown rule in the IR');
    }
    if (max !== null) {
      const M = num(Math.abs(max));
      lines.push(`if (${k} > ${M}) ${k} = ${M}; else if (${k} < -${M}) ${k} = -${M};`);
    }
    return lines;
  }

  /** statements computing scores and bands (all, or only `need`) at time `t` */
  scoresAt(need: ReadonlySet<ItemKey> | null, final: boolean): string[] {
    const lines: string[] = [];
    const scores = new Map(this.ir.scores.map((s) => [s.name, s] as const));
    const bands = new Map(this.ir.bands.map((b) => [b.name, b] as const));
    for (const o of this.ir.order) {
      if (need && !need.has(itemKey(o))) continue;
      if (o.kind === 'score') {
        const sc = scores.get(o.name);
        if (!sc) throw new TypeError('emit-js: `order` names an unknown score');
        const sv = this.score(sc.name);
        if (sc.kind === 'derived') {
          lines.push(`const ${sv} = __r9(${this.arith(sc.expr)});`);
          continue;
        }
        lines.push(`let ${sv} = 0;`);
        sc.rules.forEach((r, ri) => {
          const k = `k${sv.slice(1)}_${ri}`;
          if (this.isStatic(r)) {
            // computed once per lead; explain mode still records the condition tree
            if (final && this.explain && r.k === 'when') lines.push(`const x${k} = ${this.xcond(r.cond)};`);
          } else {
            lines.push(`let ${k};`, ...this.rule(sc, r, k, final));
          }
          lines.push(`${sv} += ${k};`);
        });
        lines.push(`${sv} = __r9(${sv});`);
      } else if (o.kind === 'band') {
        const b = bands.get(o.name);
        if (!b) throw new TypeError('emit-js: `order` names an unknown band');
        const bv = this.band(b.name);
        let src: string;
        let miss = false;
        if (b.source.k === 'score') src = this.score(b.source.name);
        else if (b.source.k === 'attr') {
          src = this.attr(b.source.name, 'number');
          miss = true;
        } else throw new TypeError('emit-js: unknown band source in the IR');
        const labels = b.labels;
        const other = labels.find((l) => l.min === null);
        let code = other ? str(other.label) : '""';
        for (let i = labels.length - 1; i >= 0; i--) {
          const l = labels[i]!;
          if (l.min === null) continue;
          code = `${src} >= ${num(l.min)} ? ${str(l.label)} : ${code}`;
        }
        if (miss) code = `${src} === undefined ? ${other ? str(other.label) : '""'} : ${code}`;
        lines.push(`const ${bv} = ${code};`);
      } else throw new TypeError('emit-js: unknown `order` entry');
    }
    return lines;
  }

  /** statements evaluating the stages at time `t` (lowest first) */
  stagesAt(final: boolean): string[] {
    const st = this.ir.stages;
    const n = st.length;
    if (n === 0) return [];
    const x = this.explain;
    const lines: string[] = [];
    if (x) lines.push('const __nr = [];');
    const low = n - 1;
    lines.push(`if (q${low} === null) { q${low} = t;${x ? ` __nr.push(${str(st[low]!.name)});` : ''} }`);
    for (let i = n - 2; i >= 0; i--) {
      const s = st[i]!;
      const below: string[] = [];
      for (let j = n - 1; j > i; j--) below.push(`if (q${j} === null) { q${j} = t;${x ? ` __nr.push(${str(st[j]!.name)});` : ''} }`);
      const set = `q${i} = t; ${below.join(' ')}${x ? ` __nr.push(${str(s.name)});` : ''}`;
      if (!s.cond) {
        lines.push(`if (q${i} === null) { ${set} }`);
      } else if (final && x) {
        lines.push(`const xs${i} = ${this.xcond(s.cond)};`, `if (q${i} === null && xs${i}.value) { ${set} }`);
      } else {
        lines.push(`if (q${i} === null && ${this.cond(s.cond)}) { ${set} }`);
      }
    }
    if (x) lines.push('__hist.push({ at: t, reached: __nr });');
    return lines;
  }
}

// ---------------------------------------------------------------------------

/** a line break followed by the indentation of each depth */
const BREAKS: string[] = ['\n'];

function lineBreak(depth: number): string {
  while (BREAKS.length <= depth) BREAKS.push(BREAKS[BREAKS.length - 1] + '  ');
  return BREAKS[depth]!;
}

/**
 * The generated lines as one text, each line after a line break and
 * indented by brace depth (braces inside string literals ignored). A line
 * without braces keeps the depth.
 */
function indented(lines: string[]): string {
  // two pieces per line, in an array of its final size
  const out = new Array<string>(lines.length * 2);
  let depth = 0;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    out[2 * li + 1] = line;
    if (line.indexOf('{') < 0 && line.indexOf('}') < 0) {
      out[2 * li] = lineBreak(depth);
      continue;
    }
    let open = 0;
    let close = 0;
    let lead = 0;
    let inStr = false;
    let seenOther = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line.charCodeAt(i);
      if (inStr) {
        if (ch === 92 /* \ */) i++;
        else if (ch === 34 /* " */) inStr = false;
        continue;
      }
      if (ch === 34) inStr = true;
      else if (ch === 123 /* { */) open++;
      else if (ch === 125 /* } */) {
        if (!seenOther && open === 0) lead++;
        else if (open > 0) open--;
        else close++;
        continue;
      }
      if (ch !== 32) seenOther = true;
    }
    depth = Math.max(0, depth - lead);
    out[2 * li] = lineBreak(depth);
    depth = Math.max(0, depth + open - close);
  }
  return out.join('');
}

/** Append `lines` to `out` (an indexed loop: this runs on every compile, often before it is optimized). */
function append(out: string[], lines: readonly string[]): void {
  for (let i = 0; i < lines.length; i++) out.push(lines[i]!);
}

function needsReplay(ir: IR): boolean {
  return ir.stages.some((s) => s.cond !== null);
}

/** The scorer body: declarations ending with `__score` and `__ruleset`. */
export function emitBody(ir: IR, opts: EmitOptions = {}): string {
  return generate(ir, opts).body;
}

function generate(ir: IR, opts: EmitOptions): { body: string; usesRegex: boolean } {
  const g = new Gen(ir, opts.explain === true);
  const out: string[] = [];
  const nAct = ir.activities.length;
  const nStages = ir.stages.length;
  const replay = needsReplay(ir);
  const x = g.explain;

  // -- the final evaluation point (generated first: it registers attributes and constants)
  const fin: string[] = [];
  fin.push('{', 'const t = T;');
  append(fin, g.scoresAt(null, true));
  append(fin, g.stagesAt(true));
  // route
  fin.push('let __route = null;');
  if (x) {
    ir.routes.forEach((r, i) => {
      if (r.cond) fin.push(`const xr${i} = ${g.xcond(r.cond)};`);
    });
    let chain = '';
    ir.routes.forEach((r, i) => {
      const test = r.cond ? `xr${i}.value` : 'true';
      chain += `${chain ? ' else ' : ''}if (${test}) __route = ${i};`;
    });
    if (chain) fin.push(chain);
  } else {
    let chain = '';
    for (const r of ir.routes) {
      if (r.cond) chain += `${chain ? ' else ' : ''}if (${g.cond(r.cond)}) __route = ${str(r.action)};`;
      else {
        chain += `${chain ? ' else ' : ''}__route = ${str(r.action)};`;
        break;
      }
    }
    if (chain) fin.push(chain);
  }
  // result
  const blocks = ir.scores.filter((s): s is IRBlockScore => s.kind === 'block');
  fin.push('const __reasons = [];');
  for (const sc of blocks) {
    const si = g.score(sc.name).slice(1);
    sc.rules.forEach((r, ri) => {
      const k = `k${si}_${ri}`;
      fin.push(`if (__r9(${k}) !== 0) __reasons.push({ score: ${str(sc.name)}, points: __r9(${k}), line: ${int(r.src.line)}, rule: ${str(r.src.text)} });`);
    });
  }
  const scoreEntries = ir.scores.map((s) => `[${str(s.name)}, ${g.score(s.name)}]`);
  const bandEntries = ir.bands.map((b) => `[${str(b.name)}, ${g.band(b.name)}]`);
  const reachedEntries = ir.stages.map((s, i) => `[${str(s.name)}, q${i}]`);
  let result =
    `{ scores: __map([${scoreEntries.join(', ')}]), bands: __map([${bandEntries.join(', ')}]), ` +
    `stage: ${g.stageExpr()}, reached: __map([${reachedEntries.join(', ')}]), ` +
    `route: ${x ? (ir.routes.length ? `__route === null ? null : __ACTIONS[__route]` : 'null') : '__route'}, reasons: __reasons`;
  if (x) {
    const rules: string[] = [];
    for (const sc of blocks) {
      const si = g.score(sc.name).slice(1);
      sc.rules.forEach((r, ri) => {
        const k = `k${si}_${ri}`;
        const head = `score: ${str(sc.name)}, index: ${int(r.index)}, line: ${int(r.src.line)}, rule: ${str(r.src.text)}, kind: ${str(r.k)}, points: __r9(${k})`;
        switch (r.k) {
          case 'when':
            rules.push(`{ ${head}, fired: x${k}.value, cond: x${k}, events: null, value: null }`);
            break;
          case 'perActivity':
          case 'once': {
            const e = g.act(r.activity);
            const cnt = r.windowMs === null ? `__ub(${e}, t)` : `__cnt(${e}, t, ${num(r.windowMs)})`;
            rules.push(`(() => { const n = ${cnt}; return { ${head}, fired: n > 0, cond: null, events: n, value: null }; })()`);
            break;
          }
          case 'perAttribute': {
            const a = g.attr(r.attr, 'number');
            rules.push(`{ ${head}, fired: ${a} !== undefined, cond: null, events: null, value: ${a} === undefined ? null : ${a} }`);
            break;
          }
        }
      });
    }
    const stages = ir.stages.map((s, i) => `{ name: ${str(s.name)}, reached: q${i}, cond: ${s.cond ? `xs${i}` : 'null'} }`);
    const routes = ir.routes.map(
      (r, i) => `{ action: ${str(r.action)}, line: ${int(r.src.line)}, cond: ${r.cond ? `xr${i}` : 'null'}, chosen: __route === ${i} }`,
    );
    result += `, explain: { asOf: T, rules: [${rules.join(', ')}], stages: [${stages.join(', ')}], routes: [${routes.join(', ')}], history: __hist }`;
  }
  result += ' }';
  fin.push(`return ${result};`, '}');

  // -- intermediate evaluation points (only what the stage conditions need)
  const mid: string[] = [];
  const loop = (replay || x) && nAct > 0;
  if (loop) {
    if (replay) append(mid, g.scoresAt(g.stageDeps(), false));
    append(mid, g.stagesAt(false));
    if (!x && replay) mid.push('if (q0 !== null) break;');
  }

  // -- the function
  const fn: string[] = [];
  fn.push('function __score(lead, events, asOf) {');
  fn.push('if (lead === null || typeof lead !== "object") lead = __EMPTY;');
  const statics = g.staticRules();
  append(fn, g.attrDecls);
  append(fn, statics);
  fn.push(`const E = [${Array.from({ length: nAct }, () => '[]').join(', ')}];`);
  for (let i = 0; i < nAct; i++) fn.push(`const E${i} = E[${i}];`);
  fn.push('const hasT = asOf !== undefined && asOf !== null;');
  fn.push('let T = hasT ? __date(asOf) : 0;');
  fn.push('if (T === undefined) throw new RangeError("score: asOf is not a valid date");');
  fn.push('let ne = 0, maxT = -Infinity, minT = Infinity;');
  if (nAct > 0) {
    fn.push('if (events !== undefined && events !== null) {');
    fn.push('for (let j = 0, n = events.length; j < n; j++) {');
    fn.push('const e = events[j];');
    fn.push('if (e === null || typeof e !== "object") continue;');
    fn.push('const k = __ACT.get(e.type);');
    fn.push('if (k === undefined) continue;');
    fn.push('const at = __date(e.at);');
    fn.push('if (at === undefined || (hasT && at > T)) continue;');
    fn.push('E[k].push(at); ne++;');
    fn.push('if (at > maxT) maxT = at;');
    fn.push('if (at < minT) minT = at;');
    fn.push('}');
    fn.push('}');
    fn.push('if (!hasT && ne > 0) T = maxT;');
    fn.push('if (ne > 1) for (let k = 0; k < E.length; k++) __sortTimes(E[k]);');
  }
  for (let i = 0; i < nStages; i++) fn.push(`let q${i} = null;`);
  if (x) fn.push('const __hist = [];');
  if (loop) {
    fn.push('if (ne > 0) {');
    fn.push('const P = __points(E, T);');
    fn.push('for (let p = 0; p < P.length; p++) {');
    fn.push('const t = P[p];');
    fn.push('{');
    append(fn, mid);
    fn.push('}');
    fn.push('}');
    fn.push('}');
  } else if (nStages > 0) {
    // no conditional stage: the lowest is reached at the first evaluation point
    fn.push(`q${nStages - 1} = ne > 0 && minT < T ? minT : T;`);
  }
  append(fn, fin);
  fn.push('}');

  // -- assemble
  out.push(JS_RUNTIME);
  out.push('// --- the ruleset');
  out.push(`const __ACT = new Map([${ir.activities.map((a, i) => `[${str(a)}, ${i}]`).join(', ')}]);`);
  if (g.usesNone) out.push('const __NONE = Object.freeze([]);');
  if (x) out.push(`const __ACTIONS = [${ir.routes.map((r) => str(r.action)).join(', ')}];`);
  append(out, g.consts);
  const info = rulesetInfo(ir);
  out.push(
    'const __ruleset = Object.freeze({ ' +
      `name: ${str(info.name)}, ` +
      `stages: Object.freeze([${info.stages.map(str).join(', ')}]), ` +
      `scores: Object.freeze([${info.scores.map(str).join(', ')}]), ` +
      `bands: Object.freeze(__map([${Object.keys(info.bands)
        .map((b) => `[${str(b)}, Object.freeze([${info.bands[b]!.map(str).join(', ')}])]`)
        .join(', ')}])) });`,
  );
  return { body: out.join('\n') + indented(fn) + '\n', usesRegex: g.usesRegex };
}

function rulesetInfo(ir: IR): RulesetInfo {
  const bands: Record<string, string[]> = Object.create(null);
  for (const b of ir.bands) bands[b.name] = b.labels.map((l) => l.label);
  return {
    name: ir.name ?? '',
    stages: ir.stages.map((s) => s.name),
    scores: ir.scores.map((s: IRScore) => s.name),
    bands,
  };
}

/** Compile a scorer in this process (`new Function`, RE2JS passed in). */
export function compileScorer(ir: IR, opts: EmitOptions = {}): Scorer {
  const body = emitBody(ir, opts);
  // The body is generated by this module from IR data embedded as JSON literals.
  const factory = new Function('RE2JS', body + '\nreturn { score: __score, ruleset: __ruleset };') as (re2: typeof RE2JS) => {
    score: ScoreFn;
    ruleset: RulesetInfo;
  };
  const made = factory(CachedRE2JS);
  return { score: made.score, ruleset: made.ruleset, source: body };
}

/** The scorer as a standalone module (no imports). */
export function emitModule(ir: IR, opts: ModuleOptions): string {
  if (opts.format !== 'esm' && opts.format !== 'cjs') throw new TypeError('emitModule: format must be "esm" or "cjs"');
  const { body, usesRegex } = generate(ir, {});
  const head = [
    `// LQL compiled scorer for the ruleset ${str(ir.name ?? '')}.`,
    `// Compiled by lql ${str(String(opts.compilerVersion))}; standalone (no imports).`,
    '// score(lead, events?, asOf?) returns { scores, bands, stage, reached, route, reasons };',
    '// without asOf a lead is evaluated at its latest event: pass the time (Date.now(), or a backtest\'s as-of) to match a run.',
    '// the types are in the .d.ts beside this file, the meaning in LQL\'s docs/semantics.md.',
  ];
  const parts: string[] = [head.join('\n')];
  if (opts.format === 'cjs') parts.push('"use strict";');
  if (usesRegex) parts.push(re2jsEmbed(opts.regexEngineSource));
  parts.push(body);
  if (opts.format === 'esm') {
    parts.push('export const ruleset = __ruleset;\nexport function score(lead, events, asOf) { return __score(lead, events, asOf); }\n');
  } else {
    parts.push('exports.ruleset = __ruleset;\nexports.score = function score(lead, events, asOf) { return __score(lead, events, asOf); };\n');
  }
  return parts.join('\n');
}

function union(names: string[]): string {
  const u = [...new Set(names)];
  return u.length === 0 ? 'never' : u.map(str).join(' | ');
}

/** The `.d.ts` of an emitted module. */
export function emitDts(ir: IR): string {
  const info = rulesetInfo(ir);
  const bandFields = ir.bands.map((b) => `  ${str(b.name)}: ${union(b.labels.map((l) => l.label))};`);
  const lines = [
    `// Types of the LQL compiled scorer for the ruleset ${str(info.name)}.`,
    `export type ScoreName = ${union(info.scores)};`,
    `export type BandName = ${union(Object.keys(info.bands))};`,
    `export type StageName = ${ir.stages.length ? union(info.stages) : 'string'};`,
    `export type RouteAction = ${ir.routes.length ? union(ir.routes.map((r) => r.action)) : 'never'};`,
    'export interface Bands {',
    ...bandFields,
    '}',
    'export interface ScoreResult {',
    '  scores: Record<ScoreName, number>;',
    '  bands: Bands;',
    '  stage: StageName;',
    '  /** epoch ms each stage was first reached */',
    '  reached: Record<StageName, number | null>;',
    '  route: RouteAction | null;',
    '  reasons: { score: ScoreName; points: number; line: number; rule: string }[];',
    '}',
    'export declare const ruleset: { name: string; stages: StageName[]; scores: ScoreName[]; bands: Record<BandName, string[]> };',
    '/** asOf: the time to evaluate the lead at (default: its latest event), e.g. Date.now() to score live. */',
    'export declare function score(lead: Record<string, unknown>, events?: { type: string; at: string | number | Date }[],',
    '                              asOf?: string | number | Date): ScoreResult;',
    '',
  ];
  return lines.join('\n');
}

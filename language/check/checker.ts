/**
 * The LQL checker: binds names, infers and checks types, and reports every
 * error and warning it can find in one pass.
 *
 * Input: a Program (possibly with recovered parts) and optional context (the
 * dataset's columns). Output: a CheckResult with diagnostics, the symbol
 * table, the type of every attribute, the resolution of every name and the
 * evaluation order of scores and bands.
 * Invariants: never throws on any tree the parser can produce; a Name with
 * empty text (from parser recovery) is never reported again; one shared
 * namespace for every declaration; undeclared names are attributes (columns
 * of the data) whose type is inferred from use.
 */
import type * as A from '../syntax/ast.js';
import type { AttrType, Range } from '../syntax/ast.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diag, type Code } from '../diagnostics/registry.js';
import { didYouMean, nearest, suggest } from '../shared/names.js';
import { validateRegex } from './regex.js';
import { checkLimits } from './limits.js';
import { needsQuoting } from '../syntax/tokens.js';

/** A name as it must be written in LQL (backticks when needed). */
function written(name: string): string {
  return needsQuoting(name) ? '`' + name + '`' : name;
}

export type SymbolKind = 'attribute' | 'activity' | 'list' | 'segment' | 'score' | 'band' | 'stage';

export interface Sym {
  kind: SymbolKind;
  name: string;
  /** where it is declared (attributes: declaration or first use) */
  range: Range;
  declared: boolean;
  decl?: A.Decl;
  /** for scores: block kind or derived */
  scoreKind?: 'fit' | 'engagement' | 'score' | 'derived';
  /** for bands: labels in order */
  labels?: string[];
  /** for attributes */
  type?: AttrType;
  /** for stages: index from the furthest (0) down */
  stageIndex?: number;
  /** for lists: item type */
  listType?: AttrType;
  used: boolean;
}

export interface CheckOptions {
  /** the dataset's column names: every attribute must be one of them */
  columns?: readonly string[];
}

export interface CheckResult {
  diagnostics: Diagnostic[];
  /** true when there is no error */
  ok: boolean;
  symbols: Map<string, Sym>;
  attributeTypes: Map<string, AttrType>;
  /** what each Name node in an expression refers to */
  refs: Map<A.Name, Sym>;
  /** scores and bands in dependency order */
  order: { kind: 'score' | 'band'; name: string }[];
  stages: string[];
}

type VType =
  | { t: 'number' | 'text' | 'bool' | 'date' | 'cond' | 'list' | 'error' }
  | { t: 'label'; of: string; labels: string[] }
  | { t: 'attr?'; name: string };

const NUM: VType = { t: 'number' };
const TEXT: VType = { t: 'text' };
const BOOL: VType = { t: 'bool' };
const DATE: VType = { t: 'date' };
const COND: VType = { t: 'cond' };
const ERR: VType = { t: 'error' };
const OF_ATTR_TYPE: Record<AttrType, VType> = { number: NUM, text: TEXT, bool: BOOL, date: DATE };

/** How a message names each type; total over the types a message can name. */
const TYPE_WORDS: Record<Exclude<VType['t'], 'attr?' | 'error'>, string> = {
  number: 'a number',
  text: 'text',
  bool: 'a yes/no value',
  date: 'a date',
  cond: 'a condition',
  list: 'a list',
  label: 'a band label',
};

type Ctx = 'segment' | 'fit' | 'block' | 'stage' | 'route' | 'test' | 'band';

const BUILTIN_FUNCS = ['lower', 'domain'];
const ATTR_TYPES: AttrType[] = ['text', 'number', 'bool', 'date'];

export function check(program: A.Program, options: CheckOptions = {}): CheckResult {
  return new Checker(program, options).run();
}

/** Thrown once the size limits are exceeded, to skip the recursive walks. */
class LimitExceeded extends Error {}

class Checker {
  diags: Diagnostic[] = [];
  symbols = new Map<string, Sym>();
  refs = new Map<A.Name, Sym>();
  attrTypes = new Map<string, { type: AttrType; range: Range; declared: boolean }>();
  /** dependencies of each segment / score / band on segments, scores and bands */
  deps = new Map<string, Set<string>>();
  currentOwner: string | null = null;
  currentStageIndex = -1;
  ctx: Ctx = 'block';
  usesActivity = false;
  once = new Map<string, A.Decl>();

  constructor(
    private program: A.Program,
    private options: CheckOptions,
  ) {}

  report(code: Code, range: Range, args: Record<string, string | number> = {}, extra: Parameters<typeof diag>[3] = {}): void {
    this.diags.push(diag(code, range, args, extra));
  }

  run(): CheckResult {
    let order: { kind: 'score' | 'band'; name: string }[] = [];
    try {
      const limits = checkLimits(this.program);
      for (const d of limits) this.diags.push(d);
      // a condition over the size limits is not walked any further (the walks below recurse)
      if (limits.some((d) => d.code === 'LQL106' || d.code === 'LQL107')) throw new LimitExceeded();
      this.declare();
      this.checkAll();
      this.unused();
      order = this.orderScores();
    } catch (e) {
      // The checker must never throw: report what happened as an internal error
      // (limits exceeded are already reported, at their place).
      if (!(e instanceof LimitExceeded)) this.report('LQL111', this.program.range, { phase: 'checking', message: e instanceof Error ? e.message : String(e) });
    }
    const attributeTypes = new Map<string, AttrType>();
    for (const [k, v] of this.attrTypes) attributeTypes.set(k, v.type);
    for (const s of this.symbols.values()) if (s.kind === 'attribute' && !attributeTypes.has(s.name)) attributeTypes.set(s.name, 'text');
    for (const s of this.symbols.values()) if (s.kind === 'attribute') s.type = attributeTypes.get(s.name);
    this.diags.sort((a, b) => a.range.start.offset - b.range.start.offset || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
    const stages = this.program.decls.flatMap((d) => (d.kind === 'Stages' ? d.entries.map((e) => e.name.text) : []));
    return {
      diagnostics: this.diags,
      ok: !this.diags.some((d) => d.severity === 'error'),
      symbols: this.symbols,
      attributeTypes,
      refs: this.refs,
      order,
      stages,
    };
  }

  // --- declarations -------------------------------------------------------------

  define(name: A.Name, sym: Omit<Sym, 'name' | 'range' | 'used' | 'declared'>, decl?: A.Decl): Sym | null {
    if (name.text === '') return null;
    if (name.text === 'stage' || name.text === 'route') {
      this.report('LQL213', name.range, { name: name.text });
      return null;
    }
    const prev = this.symbols.get(name.text);
    if (prev) {
      this.report('LQL202', name.range, { name: name.text, line: prev.range.start.line }, {
        related: [{ message: `first declared here`, range: prev.range }],
      });
      return null;
    }
    const s: Sym = { ...sym, name: name.text, range: name.range, used: false, declared: true, decl };
    this.symbols.set(name.text, s);
    return s;
  }

  onlyOnce(what: string, d: A.Decl, range: Range): void {
    const prev = this.once.get(what);
    if (prev) this.report('LQL206', range, { what, line: prev.range.start.line });
    else this.once.set(what, d);
  }

  declare(): void {
    for (const d of this.program.decls) {
      switch (d.kind) {
        case 'Ruleset':
          this.onlyOnce('ruleset', d, d.range);
          break;
        case 'Attribute': {
          const t = d.type.text as AttrType;
          if (d.type.text !== '' && !ATTR_TYPES.includes(t)) {
            this.report('LQL301', d.type.range, { name: d.type.text }, {
              fix: suggest(d.type.text, ATTR_TYPES).map((s) => ({ title: `Change to ${s}`, range: d.type.range, text: written(s) })),
            });
          }
          const s = this.define(d.name, { kind: 'attribute', type: ATTR_TYPES.includes(t) ? t : 'text' }, d);
          if (s && ATTR_TYPES.includes(t)) this.attrTypes.set(d.name.text, { type: t, range: d.name.range, declared: true });
          break;
        }
        case 'Activity':
          for (const n of d.names) this.define(n, { kind: 'activity' }, d);
          break;
        case 'List':
          this.define(d.name, { kind: 'list' }, d);
          break;
        case 'Segment':
          this.define(d.name, { kind: 'segment' }, d);
          break;
        case 'ScoreBlock':
          if (d.block !== 'score') this.onlyOnce(d.block, d, d.name.range);
          if (d.block === 'score' || !this.symbols.has(d.block)) this.define(d.name, { kind: 'score', scoreKind: d.block }, d);
          break;
        case 'DerivedScore':
          this.define(d.name, { kind: 'score', scoreKind: 'derived' }, d);
          break;
        case 'Band':
          this.define(d.name, { kind: 'band', labels: d.entries.map((e) => e.label.text) }, d);
          break;
        case 'Stages': {
          this.onlyOnce('stages', d, d.range);
          if (this.once.get('stages') !== d) break;
          d.entries.forEach((e, i) => this.define(e.name, { kind: 'stage', stageIndex: i }, d));
          break;
        }
        case 'Route':
          this.onlyOnce('route', d, d.range);
          break;
        case 'Test':
          break;
      }
    }
  }

  // --- checking -------------------------------------------------------------------

  checkAll(): void {
    for (const d of this.program.decls) {
      switch (d.kind) {
        case 'List':
          this.checkList(d);
          break;
        case 'Segment':
          this.withOwner(d.name.text, 'segment', () => this.checkCond(d.cond));
          this.contradiction(d.cond);
          break;
        case 'ScoreBlock':
          this.checkBlock(d);
          break;
        case 'DerivedScore':
          this.withOwner(d.name.text, 'block', () => this.checkArith(d.expr));
          break;
        case 'Band':
          this.checkBand(d);
          break;
        case 'Stages':
          this.checkStages(d);
          break;
        case 'Route':
          this.checkRoutes(d);
          break;
        case 'Test':
          this.checkTest(d);
          break;
        default:
          break;
      }
    }
    this.checkSegmentCycles();
  }

  withOwner(owner: string | null, ctx: Ctx, f: () => void): void {
    const prevO = this.currentOwner;
    const prevC = this.ctx;
    this.currentOwner = owner;
    this.ctx = ctx;
    try {
      f();
    } finally {
      this.currentOwner = prevO;
      this.ctx = prevC;
    }
  }

  addDep(target: string): void {
    if (!this.currentOwner) return;
    let s = this.deps.get(this.currentOwner);
    if (!s) this.deps.set(this.currentOwner, (s = new Set()));
    s.add(target);
  }

  checkList(d: A.ListDecl): void {
    let t: AttrType | null = null;
    for (const it of d.items) {
      const it2 = litType(it);
      if (t === null) t = it2;
      else if (it2 !== t) this.report('LQL309', it.range, { type: TYPE_WORDS[t], other: TYPE_WORDS[it2] });
    }
    const s = this.symbols.get(d.name.text);
    if (s && s.kind === 'list') s.listType = t ?? 'text';
  }

  checkBlock(d: A.ScoreBlock): void {
    const ctx: Ctx = d.block === 'fit' ? 'fit' : 'block';
    this.withOwner(d.name.text, ctx, () => {
      let decay: A.DecayClause | null = null;
      let hasActivityRule = false;
      for (const item of d.items) {
        if (item.kind === 'Decay') {
          if (d.block === 'fit') this.report('LQL307', item.range, { message: '`fit` scores the profile, which does not fade: `decay` belongs in `engagement` or another activity score.' });
          else if (decay) this.report('LQL307', item.range, { message: `A score block has at most one \`decay\`; the first is at line ${decay.range.start.line}.` });
          else decay = item;
          if (item.halfLife.amount <= 0) this.report('LQL310', item.halfLife.range, { what: 'A half-life' });
          continue;
        }
        this.checkPoints(item.points);
        if (item.kind === 'WhenRule') {
          this.usesActivity = false;
          this.checkCond(item.cond);
          if (d.block === 'fit' && this.usesActivity) this.report('LQL208', item.range);
          this.contradiction(item.cond);
          continue;
        }
        if (item.window && item.window.amount <= 0) this.report('LQL310', item.window.range, { what: 'A window' });
        if (item.max && item.max.value <= 0) this.report('LQL310', item.max.range, { what: '`max`' });
        const sym = this.resolveTarget(item);
        if (sym?.kind === 'activity') {
          hasActivityRule = true;
          if (d.block === 'fit') this.report('LQL208', item.range);
        } else if (sym?.kind === 'attribute' && item.window) {
          this.report('LQL212', item.window.range, { name: item.target.text, what: 'an attribute', need: '`in last` windows apply to activities only' });
        }
      }
      if (decay && !hasActivityRule && d.block !== 'fit') {
        // harmless, but worth saying: nothing in the block decays
      }
    });
  }

  checkPoints(p: A.PointsLit): void {
    if (!/^[+-]/.test(p.raw)) this.report('LQL306', p.range, { value: p.raw }, { fix: [{ title: `Write +${p.raw}`, range: p.range, text: `+${p.raw}` }] });
  }

  /** `per X` / `once X`: an activity, or (per only) a numeric attribute. */
  resolveTarget(r: A.PerRule | A.OnceRule): Sym | null {
    const n = r.target;
    if (n.text === '') return null;
    const s = this.symbols.get(n.text);
    if (s) {
      s.used = true;
      this.refs.set(n, s);
      if (s.kind === 'activity') return s;
      if (s.kind === 'attribute' && r.kind === 'PerRule') {
        this.useAttr(n, NUM);
        return s;
      }
      this.report('LQL212', n.range, {
        name: n.text,
        what: article(s.kind),
        need: r.kind === 'OnceRule' ? '`once` needs an activity' : '`per` needs an activity or a numeric attribute',
      });
      return null;
    }
    const activities = this.namesOf('activity');
    const close = suggest(n.text, activities);
    if (r.kind === 'OnceRule' || close.length) {
      this.report('LQL201', n.range, { name: n.text, hint: close.length ? ` Did you mean \`${close[0]}\`?` : '' }, {
        fix: close.map((c) => ({ title: `Change to ${c}`, range: n.range, text: written(c) })),
      });
      return null;
    }
    this.useAttr(n, NUM);
    return this.symbols.get(n.text) ?? null;
  }

  namesOf(kind: SymbolKind): string[] {
    return [...this.symbols.values()].filter((s) => s.kind === kind).map((s) => s.name);
  }

  checkBand(d: A.BandDecl): void {
    this.withOwner(d.name.text, 'band', () => {
      const src = d.source;
      if (src.text !== '') {
        const s = this.symbols.get(src.text);
        if (s) {
          s.used = true;
          this.refs.set(src, s);
          if (s.kind === 'score') this.addDep(s.name);
          else if (s.kind === 'attribute') this.useAttr(src, NUM);
          else this.report('LQL312', src.range, { what: `\`${src.text}\``, type: article(s.kind) });
        } else {
          const [close] = suggest(src.text, this.namesOf('score'));
          if (close !== undefined) this.report('LQL200', src.range, { name: src.text, hint: ` Did you mean \`${close}\`?` }, { fix: [{ title: `Change to ${close}`, range: src.range, text: written(close) }] });
          else this.useAttr(src, NUM);
        }
      }
      let prev: number | null = null;
      const seen = new Set<string>();
      d.entries.forEach((e, i) => {
        if (seen.has(e.label.text)) this.report('LQL211', e.label.range, { message: `Band \`${d.name.text}\` already has a label \`${e.label.text}\`.` });
        seen.add(e.label.text);
        const last = i === d.entries.length - 1;
        if (e.threshold === null && !last) this.report('LQL211', e.range, { message: '`otherwise` must be the last label of a band.' });
        if (e.threshold !== null) {
          if (last) this.report('LQL211', e.range, { message: `The last label of a band must be \`otherwise\`, e.g. \`${e.label.text} otherwise\`.` });
          if (prev !== null && !(e.threshold.value < prev)) this.report('LQL303', e.threshold.range, { label: e.label.text, value: e.threshold.raw, prev });
          prev = e.threshold.value;
        }
      });
      if (d.entries.length === 0) this.report('LQL214', d.range, { message: `Band \`${d.name.text}\` has no labels.` });
    });
  }

  checkStages(d: A.StagesDecl): void {
    if (this.once.get('stages') !== d) return;
    if (d.entries.length === 0) this.report('LQL214', d.range, { message: '`stages` needs at least one stage, the last one `otherwise`.' });
    d.entries.forEach((e, i) => {
      const last = i === d.entries.length - 1;
      if (e.cond === null && !last) this.report('LQL211', e.range, { message: 'Only the last stage may be `otherwise`; stages are listed from the furthest down.' });
      if (e.cond !== null && last) this.report('LQL211', e.range, { message: `The last stage must be \`otherwise\`, e.g. \`lead otherwise\`.` });
      if (e.cond) {
        this.currentStageIndex = i;
        this.withOwner(null, 'stage', () => this.checkCond(e.cond!));
        this.currentStageIndex = -1;
        this.contradiction(e.cond);
      }
    });
    this.shadowing(
      d.entries.map((e) => ({ cond: e.cond, range: e.range, label: `stage \`${e.name.text}\`` })),
      'stage',
    );
  }

  checkRoutes(d: A.RouteDecl): void {
    if (this.once.get('route') !== d) return;
    if (d.entries.length === 0) this.report('LQL214', d.range, { message: '`route` needs at least one entry, the last one `otherwise`.' });
    d.entries.forEach((e, i) => {
      const last = i === d.entries.length - 1;
      if (e.cond === null && !last) this.report('LQL211', e.range, { message: 'Only the last route may be `otherwise`: routes after it could never be chosen.' });
      if (e.cond !== null && last) this.report('LQL211', e.range, { message: 'The last route must be `otherwise`, so that every lead gets a route.' });
      if (e.cond) {
        this.withOwner(null, 'route', () => this.checkCond(e.cond!));
        this.contradiction(e.cond);
      }
    });
    this.shadowing(
      d.entries.map((e) => ({ cond: e.cond, range: e.range, label: `route "${e.action.value}"` })),
      'route',
    );
  }

  checkTest(d: A.TestDecl): void {
    for (const f of d.lead) {
      const s = this.symbols.get(f.key.text);
      if (s && s.kind !== 'attribute') {
        this.report('LQL212', f.key.range, { name: f.key.text, what: article(s.kind), need: 'a test lead only sets attributes' });
        continue;
      }
      const declared = this.attrTypes.get(f.key.text);
      const vt = litType(f.value);
      if (declared && declared.type !== vt && !(declared.type === 'date' && vt === 'text') && !(declared.type === 'number' && vt === 'text' && Number.isFinite(Number((f.value as A.StringLit).value)))) {
        this.report('LQL315', f.value.range, { name: f.key.text, type: TYPE_WORDS[declared.type], value: TYPE_WORDS[vt] });
      }
    }
    for (const ev of d.events) {
      const s = this.symbols.get(ev.type.text);
      if (ev.type.text === '') continue;
      if (!s || s.kind !== 'activity') {
        const close = suggest(ev.type.text, this.namesOf('activity'));
        this.report('LQL201', ev.type.range, { name: ev.type.text, hint: close.length ? ` Did you mean \`${close[0]}\`?` : '' });
      } else {
        s.used = true;
        this.refs.set(ev.type, s);
      }
    }
    for (const e of d.expects) this.withOwner(null, 'test', () => this.checkCond(e.cond));
  }

  // --- conditions ------------------------------------------------------------------

  checkCond(e: A.Expr): void {
    switch (e.kind) {
      case 'Or':
      case 'And':
        this.checkCond(e.left);
        this.checkCond(e.right);
        return;
      case 'Not':
        this.checkCond(e.operand);
        return;
      case 'Paren':
        this.checkCond(e.inner);
        return;
      case 'Truthy': {
        const t = this.typeOf(e.value);
        if (t.t === 'attr?') {
          this.inferAttr(t.name, 'bool', e.value.range);
          return;
        }
        if (t.t === 'cond' || t.t === 'bool' || t.t === 'error') return;
        this.report('LQL311', e.range, {
          what: describeValue(e.value),
          type: typeWord(t),
          example: t.t === 'number' ? `${srcName(e.value)} > 0` : t.t === 'label' ? `${srcName(e.value)} == ${t.labels[0] ?? 'A'}` : `${srcName(e.value)} is present`,
        });
        return;
      }
      case 'Compare':
        this.checkCompare(e);
        return;
      case 'Between': {
        const t = this.unify(e.value, [e.low, e.high], e.range);
        if (t && t.t !== 'number' && t.t !== 'date' && t.t !== 'error') this.report('LQL308', e.range, { op: 'between', what: describeValue(e.value), type: typeWord(t) });
        return;
      }
      case 'In':
        this.checkIn(e);
        return;
      case 'TextTest': {
        this.expectType(e.value, 'text');
        this.expectType(e.arg, 'text');
        return;
      }
      case 'Matches': {
        this.expectType(e.value, 'text');
        const bad = [...e.regex.flags].find((f) => f !== 'i' && f !== 'u');
        if (bad) this.report('LQL305', e.regex.range, { flag: bad });
        const err = validateRegex(e.regex.pattern, e.regex.flags.replace(/[^iu]/g, ''));
        if (err) this.report('LQL304', e.regex.range, { detail: err });
        return;
      }
      case 'Presence': {
        const t = this.typeOf(e.value);
        if (t.t === 'cond') this.report('LQL311', e.range, { what: describeValue(e.value), type: 'a condition', example: srcName(e.value) }, { severity: 'error' });
        return;
      }
    }
  }

  expectType(v: A.Value, want: AttrType): void {
    const t = this.typeOf(v);
    if (t.t === 'attr?') return this.inferAttr(t.name, want, v.range);
    if (t.t === 'error' || t.t === want || (want === 'text' && t.t === 'label')) return;
    this.report('LQL313', v.range, { message: `${describeValue(v)} is ${typeWord(t)}, but text is needed here.` });
  }

  checkCompare(e: A.Compare): void {
    const lt = this.typeOf(e.left);
    // `grade == A`: a bare name on the right of a band is a label
    if (lt.t === 'label' && (e.right.kind === 'Ref' || e.right.kind === 'String')) {
      this.checkLabel(lt, e.right);
      if (e.op !== '==' && e.op !== '!=') this.report('LQL308', e.range, { op: e.op, what: describeValue(e.left), type: 'a band label' });
      return;
    }
    const t = this.unify(e.left, [e.right], e.range);
    if (!t) return;
    if ((e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=') && t.t !== 'number' && t.t !== 'date' && t.t !== 'error') {
      this.report('LQL308', e.range, { op: e.op, what: describeValue(e.left), type: typeWord(t) });
    }
  }

  checkLabel(lt: Extract<VType, { t: 'label' }>, v: A.Value): void {
    const label = v.kind === 'Ref' ? v.name.text : v.kind === 'String' ? v.value : '';
    if (label === '' || lt.labels.includes(label)) return;
    // A ref that is a declared name used where a label is expected is still a label lookup.
    this.report('LQL205', v.range, {
      band: lt.of,
      label,
      labels: lt.labels.join(', '),
      hint: didYouMean(label, lt.labels),
    }, { fix: suggest(label, lt.labels).map((s) => ({ title: `Change to ${s}`, range: v.range, text: written(s) })) });
  }

  checkIn(e: A.In): void {
    const vt = this.typeOf(e.value);
    if (e.list.kind === 'Ref') {
      const n = e.list.name;
      if (n.text === '') return;
      const s = this.symbols.get(n.text);
      if (!s || s.kind !== 'list') {
        if (s) this.report('LQL212', n.range, { name: n.text, what: article(s.kind), need: '`in` needs a list: a declared `list` or `[...]`' });
        else this.report('LQL200', n.range, { name: n.text, hint: didYouMean(n.text, this.namesOf('list')) || ' Declare it with `list NAME = [...]` or write the items in brackets.' });
        return;
      }
      s.used = true;
      this.refs.set(n, s);
      const listType = s.listType ?? 'text';
      if (vt.t === 'attr?') return this.inferAttr(vt.name, listType, e.value.range);
      if (vt.t === 'error') return;
      if (vt.t === 'label') {
        const decl = s.decl as A.ListDecl;
        for (const it of decl.items) if (it.kind === 'String') this.checkLabel(vt, it);
        return;
      }
      if (vt.t !== listType) this.report('LQL300', e.range, { left: describeValue(e.value), ltype: typeWord(vt), right: `list \`${n.text}\``, rtype: `${TYPE_WORDS[listType]} items` });
      return;
    }
    // literal list
    if (vt.t === 'label') {
      for (const it of e.list.items) if (it.kind === 'Ref' || it.kind === 'String') this.checkLabel(vt, it);
      else this.report('LQL309', it.range, { type: 'band labels', other: TYPE_WORDS[litType(it)] });
      return;
    }
    let itemType: AttrType | null = null;
    for (const it of e.list.items) {
      if (it.kind === 'Ref') {
        this.report('LQL309', it.range, { type: 'literals (numbers, "texts", dates, true/false)', other: `the name \`${it.name.text}\`` });
        continue;
      }
      const t = litType(it);
      if (itemType === null) itemType = t;
      else if (t !== itemType) this.report('LQL309', it.range, { type: TYPE_WORDS[itemType], other: TYPE_WORDS[t] });
    }
    if (!itemType) return;
    if (vt.t === 'attr?') return this.inferAttr(vt.name, itemType, e.value.range);
    if (vt.t === 'error') return;
    if (vt.t !== itemType) this.report('LQL300', e.range, { left: describeValue(e.value), ltype: typeWord(vt), right: 'the list', rtype: `${TYPE_WORDS[itemType]} items` });
  }

  /** Make `v` and `others` agree in type; infer attributes; report a mismatch. */
  unify(v: A.Value, others: A.Value[], range: Range): VType | null {
    const all = [v, ...others].map((x) => ({ x, t: this.typeOf(x) }));
    if (all.some((a) => a.t.t === 'error')) return ERR;
    const known = all.find((a) => a.t.t !== 'attr?');
    if (!known) {
      // both sides are undeclared attributes: text unless something else says otherwise
      return TEXT;
    }
    const kt = known.t;
    if (kt.t === 'cond' || kt.t === 'list') {
      this.report('LQL311', known.x.range, { what: describeValue(known.x), type: typeWord(kt), example: srcName(known.x) });
      return ERR;
    }
    const base: AttrType | 'label' = kt.t === 'label' ? 'text' : (kt.t as AttrType);
    for (const a of all) {
      if (a.t.t === 'attr?') this.inferAttr(a.t.name, base as AttrType, a.x.range);
      else if (a !== known) {
        const at = a.t.t === 'label' ? 'text' : a.t.t;
        if (at !== base && !(at === 'text' && a.x.kind === 'String' && base === 'date' && !Number.isNaN(Date.parse((a.x as A.StringLit).value)))) {
          const inferred = [known, a].find((o) => o.x.kind === 'Ref' && this.attrTypes.get(o.x.name.text)?.declared === false);
          if (inferred) {
            const nm = (inferred.x as A.Ref).name.text;
            const first = this.attrTypes.get(nm)!;
            const other = inferred === known ? a : known;
            this.report('LQL302', range, { name: nm, t1: typeWord(other.t), t2: first.type, line: first.range.start.line });
            return ERR;
          }
          this.report('LQL300', range, { left: describeValue(known.x), ltype: typeWord(kt), right: describeValue(a.x), rtype: typeWord(a.t) });
          return ERR;
        }
      }
    }
    return kt;
  }

  /** each value node is typed (and its problems reported) once */
  typed = new Map<A.Value, VType>();

  typeOf(v: A.Value): VType {
    const known = this.typed.get(v);
    if (known && known.t !== 'attr?') return known;
    const t = this.typeOfUncached(v);
    this.typed.set(v, t);
    return t;
  }

  typeOfUncached(v: A.Value): VType {
    switch (v.kind) {
      case 'Number':
        return NUM;
      case 'String':
        return TEXT;
      case 'Date':
        return DATE;
      case 'Bool':
        return BOOL;
      case 'Count': {
        this.useActivity(v.activity);
        if (v.window && v.window.amount <= 0) this.report('LQL310', v.window.range, { what: 'A window' });
        return NUM;
      }
      case 'DaysSince': {
        if (v.last) {
          this.useActivity(v.target);
          return NUM;
        }
        const n = v.target;
        if (n.text === '') return ERR;
        const s = this.symbols.get(n.text);
        if (s && s.kind !== 'attribute') {
          if (s.kind === 'activity') this.report('LQL314', n.range, { name: n.text, type: 'an activity (write `days since last ' + n.text + '`)' });
          else this.report('LQL314', n.range, { name: n.text, type: article(s.kind) });
          return ERR;
        }
        const t = this.useAttr(n, DATE);
        if (t && t.type && t.type !== 'date') this.report('LQL314', n.range, { name: n.text, type: TYPE_WORDS[t.type] });
        return NUM;
      }
      case 'Call': {
        const f = v.callee.text;
        if (!BUILTIN_FUNCS.includes(f)) {
          if (f !== '') this.report('LQL207', v.callee.range, { name: f, hint: didYouMean(f, BUILTIN_FUNCS) }, { fix: suggest(f, BUILTIN_FUNCS).map((s) => ({ title: `Change to ${s}`, range: v.callee.range, text: written(s) })) });
          for (const a of v.args) this.typeOf(a);
          return ERR;
        }
        const [arg] = v.args;
        if (arg === undefined || v.args.length !== 1) {
          this.report('LQL313', v.range, { message: `\`${f}\` takes exactly one value, e.g. \`${f}(email)\`; here it has ${v.args.length}.` });
          return ERR;
        }
        this.expectType(arg, 'text');
        return TEXT;
      }
      case 'Ref':
        return this.refType(v);
    }
  }

  refType(v: A.Ref): VType {
    const n = v.name;
    if (n.text === '') return ERR;
    if (n.text === 'stage') {
      if (this.ctx !== 'route' && this.ctx !== 'test') {
        this.report('LQL215', n.range, { name: 'stage', where: 'routes and tests (stage conditions name a stage instead, e.g. `MQL`)' });
        return ERR;
      }
      const stages = this.program.decls.flatMap((d) => (d.kind === 'Stages' ? d.entries.map((e) => e.name.text) : []));
      return { t: 'label', of: 'stages', labels: stages };
    }
    if (n.text === 'route' && !this.symbols.has('route')) {
      if (this.ctx !== 'test') {
        this.report('LQL215', n.range, { name: 'route', where: 'tests' });
        return ERR;
      }
      return TEXT;
    }
    const s = this.symbols.get(n.text);
    if (!s) {
      const t = this.useAttr(n, null);
      return t?.type ? OF_ATTR_TYPE[t.type] : { t: 'attr?', name: n.text };
    }
    s.used = true;
    this.refs.set(n, s);
    switch (s.kind) {
      case 'attribute': {
        const t = this.attrTypes.get(n.text);
        return t ? OF_ATTR_TYPE[t.type] : { t: 'attr?', name: n.text };
      }
      case 'activity':
        this.usesActivity = true;
        return COND;
      case 'list':
        return { t: 'list' };
      case 'segment':
        this.addDep(s.name);
        return COND;
      case 'score':
        this.addDep(s.name);
        return NUM;
      case 'band':
        this.addDep(s.name);
        return { t: 'label', of: s.name, labels: s.labels ?? [] };
      case 'stage': {
        if (this.ctx === 'stage') {
          if ((s.stageIndex ?? 0) <= this.currentStageIndex) {
            this.report('LQL204', n.range, { name: stageNameAt(this.program, this.currentStageIndex), other: n.text });
            return ERR;
          }
        } else if (this.ctx !== 'route' && this.ctx !== 'test') {
          this.report('LQL215', n.range, { name: n.text, where: 'stage conditions, routes and tests' });
          return ERR;
        }
        return COND;
      }
    }
  }

  useActivity(n: A.Name): void {
    if (n.text === '') return;
    const s = this.symbols.get(n.text);
    if (s && s.kind === 'activity') {
      s.used = true;
      this.refs.set(n, s);
      this.usesActivity = true;
      return;
    }
    if (s) {
      this.report('LQL212', n.range, { name: n.text, what: article(s.kind), need: 'an activity is needed here' });
      return;
    }
    const close = suggest(n.text, this.namesOf('activity'));
    this.report('LQL201', n.range, { name: n.text, hint: close.length ? ` Did you mean \`${close[0]}\`?` : '' }, {
      fix: close.map((c) => ({ title: `Change to ${c}`, range: n.range, text: written(c) })),
    });
  }

  /** An undeclared name: an attribute read from the data. */
  useAttr(n: A.Name, want: VType | null): { type?: AttrType } | null {
    let s = this.symbols.get(n.text);
    if (!s) {
      s = { kind: 'attribute', name: n.text, range: n.range, used: true, declared: false };
      this.symbols.set(n.text, s);
      this.checkUndeclared(n);
    }
    s.used = true;
    this.refs.set(n, s);
    if (want && want.t !== 'attr?' && want.t !== 'error' && ATTR_TYPES.includes(want.t as AttrType)) this.inferAttr(n.text, want.t as AttrType, n.range);
    const t = this.attrTypes.get(n.text);
    return { type: t?.type };
  }

  checkUndeclared(n: A.Name): void {
    const cols = this.options.columns;
    if (cols) {
      if (!cols.includes(n.text)) {
        const near = nearest(n.text, cols);
        this.report('LQL210', n.range, { name: n.text, hint: near.length ? ` The nearest columns are ${near.map((c) => '`' + c + '`').join(', ')}.` : '' }, {
          fix: near.slice(0, 1).map((c) => ({ title: `Change to ${c}`, range: n.range, text: written(c) })),
        });
      }
      return;
    }
    const declared = [...this.symbols.values()].filter((s) => s.declared).map((s) => s.name);
    const [close] = suggest(n.text, declared);
    if (close !== undefined) this.report('LQL405', n.range, { name: n.text, suggestion: close }, { fix: [{ title: `Change to ${close}`, range: n.range, text: written(close) }] });
  }

  inferAttr(name: string, type: AttrType, range: Range): void {
    const prev = this.attrTypes.get(name);
    if (!prev) {
      this.attrTypes.set(name, { type, range, declared: false });
      return;
    }
    if (prev.type === type) return;
    if (prev.declared) {
      this.report('LQL300', range, { left: `\`${name}\``, ltype: TYPE_WORDS[prev.type], right: 'a value', rtype: TYPE_WORDS[type] });
    } else {
      this.report('LQL302', range, { name, t1: TYPE_WORDS[type], t2: prev.type, line: prev.range.start.line });
    }
  }

  checkArith(e: A.Arith): void {
    switch (e.kind) {
      case 'ArithBinary':
        this.checkArith(e.left);
        this.checkArith(e.right);
        return;
      case 'ArithParen':
        this.checkArith(e.inner);
        return;
      case 'ArithNeg':
        this.checkArith(e.operand);
        return;
      case 'Number':
        return;
      case 'Ref': {
        const t = this.typeOf(e);
        if (t.t === 'attr?') return this.inferAttr(t.name, 'number', e.range);
        if (t.t === 'number' || t.t === 'error') return;
        this.report('LQL312', e.range, { what: `\`${e.name.text}\``, type: typeWord(t) });
      }
    }
  }

  // --- cycles and order -----------------------------------------------------------------

  checkSegmentCycles(): void {
    const reported = new Set<string>();
    for (const s of this.symbols.values()) {
      if (s.kind !== 'segment' && s.kind !== 'score' && s.kind !== 'band') continue;
      // a cycle through s leaves s by one of its dependencies
      if (!this.deps.get(s.name)?.size) continue;
      const path = this.findCycle(s.name);
      if (path && !reported.has(s.name)) {
        for (const p of path) reported.add(p);
        const code = s.kind === 'segment' && path.every((p) => this.symbols.get(p)?.kind === 'segment') ? 'LQL203' : 'LQL209';
        this.report(code, s.range, { name: s.name, path: [...path, path[0]].join(' -> ') });
      }
    }
  }

  findCycle(start: string): string[] | null {
    const stack: string[] = [];
    const onStack = new Set<string>();
    const done = new Set<string>();
    const visit = (n: string): string[] | null => {
      if (onStack.has(n)) return n === start ? [...stack] : null;
      if (done.has(n)) return null;
      onStack.add(n);
      stack.push(n);
      for (const d of this.deps.get(n) ?? []) {
        const r = visit(d);
        if (r) return r;
      }
      stack.pop();
      onStack.delete(n);
      done.add(n);
      return null;
    };
    return visit(start);
  }

  /** Scores and bands in an order where each depends only on earlier ones (segments see through). */
  orderScores(): { kind: 'score' | 'band'; name: string }[] {
    const out: { kind: 'score' | 'band'; name: string }[] = [];
    const state = new Map<string, number>();
    const visit = (n: string): void => {
      if (state.get(n)) return;
      state.set(n, 1);
      for (const d of this.deps.get(n) ?? []) visit(d);
      state.set(n, 2);
      const s = this.symbols.get(n);
      if (s && (s.kind === 'score' || s.kind === 'band')) out.push({ kind: s.kind, name: n });
    };
    for (const d of this.program.decls) {
      if (d.kind === 'ScoreBlock' || d.kind === 'DerivedScore' || d.kind === 'Band') {
        const s = this.symbols.get(d.name.text);
        if (s && s.decl === d) visit(d.name.text);
      }
    }
    return out;
  }

  // --- warnings -----------------------------------------------------------------------

  unused(): void {
    for (const s of this.symbols.values()) {
      if (s.used || !s.declared) continue;
      if (s.kind === 'segment') this.report('LQL402', s.range, { name: s.name });
      if (s.kind === 'list') this.report('LQL403', s.range, { name: s.name });
      if (s.kind === 'activity') this.report('LQL404', s.range, { name: s.name });
    }
  }

  /** A condition that can never hold: contradictory bounds or equalities on one value. */
  contradiction(e: A.Expr): void {
    const reason = contradictionIn(e);
    if (reason) this.report('LQL400', e.range, { reason });
  }

  shadowing(entries: { cond: A.Expr | null; range: Range; label: string }[], what: 'route' | 'stage'): void {
    const sets = entries.map((entry) => ({ entry, conj: entry.cond ? conjuncts(entry.cond) : null }));
    sets.forEach(({ entry, conj: mine }, i) => {
      if (!mine) return;
      // the first earlier entry whose conditions are all among this one's
      const earlier = sets.slice(0, i).find(({ conj }) => conj && [...conj].every((c) => mine.has(c)))?.entry;
      if (!earlier) return;
      const msg =
        what === 'route'
          ? `This ${entry.label} can never be chosen: every lead it matches is already taken by the ${earlier.label} at line ${earlier.range.start.line}.`
          : `Whenever this ${entry.label} holds, the ${earlier.label} at line ${earlier.range.start.line} holds too, so its own condition never decides anything.`;
      this.report('LQL401', entry.range, { message: msg });
    });
  }
}

// ---------------------------------------------------------------------------
// helpers

function litType(l: A.Literal): AttrType {
  return l.kind === 'Number' ? 'number' : l.kind === 'String' ? 'text' : l.kind === 'Date' ? 'date' : 'bool';
}

function article(kind: SymbolKind): string {
  return kind === 'attribute' || kind === 'activity' ? `an ${kind}` : `a ${kind}`;
}

function typeWord(t: VType): string {
  if (t.t === 'attr?') return 'an attribute';
  // an erroneous value has been reported already; messages about it are not shown
  if (t.t === 'error') return 'error';
  return TYPE_WORDS[t.t];
}

function srcName(v: A.Value): string {
  if (v.kind === 'Ref') return v.name.quoted ? '`' + v.name.text + '`' : v.name.text;
  if (v.kind === 'Count') return `count(${v.activity.text})`;
  return 'x';
}

function describeValue(v: A.Value): string {
  switch (v.kind) {
    case 'Ref':
      return `\`${v.name.text}\``;
    case 'Number':
      return v.raw;
    case 'String':
      return JSON.stringify(v.value);
    case 'Date':
      return v.raw;
    case 'Bool':
      return String(v.value);
    case 'Count':
      return `count(${v.activity.text})`;
    case 'DaysSince':
      return `days since ${v.last ? 'last ' : ''}${v.target.text}`;
    case 'Call':
      return `${v.callee.text}(...)`;
  }
}

function stageNameAt(p: A.Program, i: number): string {
  for (const d of p.decls) if (d.kind === 'Stages') return d.entries[i]?.name.text ?? '?';
  return '?';
}

/** The conjunct leaves of a condition, as normalised text keys. */
function conjuncts(e: A.Expr): Set<string> {
  const out = new Set<string>();
  const walk = (x: A.Expr): void => {
    if (x.kind === 'And') {
      walk(x.left);
      walk(x.right);
    } else if (x.kind === 'Paren') walk(x.inner);
    else out.add(exprKey(x));
  };
  walk(e);
  return out;
}

export function exprKey(e: A.Expr | A.Value | A.ListLit): string {
  switch (e.kind) {
    case 'Or':
      return `(${exprKey(e.left)} or ${exprKey(e.right)})`;
    case 'And':
      return `(${exprKey(e.left)} and ${exprKey(e.right)})`;
    case 'Not':
      return `not ${exprKey(e.operand)}`;
    case 'Paren':
      return exprKey(e.inner);
    case 'Compare':
      return `${exprKey(e.left)} ${e.op} ${exprKey(e.right)}`;
    case 'In':
      return `${exprKey(e.value)} ${e.negated ? 'not in' : 'in'} ${exprKey(e.list)}`;
    case 'Between':
      return `${exprKey(e.value)} between ${exprKey(e.low)} and ${exprKey(e.high)}`;
    case 'TextTest':
      return `${exprKey(e.value)} ${e.op} ${exprKey(e.arg)}`;
    case 'Matches':
      return `${exprKey(e.value)} matches ${e.regex.raw}`;
    case 'Presence':
      return `${exprKey(e.value)} is ${e.missing ? 'missing' : 'present'}`;
    case 'Truthy':
      return exprKey(e.value);
    case 'ListLit':
      return `[${e.items.map((i) => exprKey(i)).join(', ')}]`;
    case 'Ref':
      return '`' + e.name.text + '`';
    case 'Number':
      return String(e.value);
    case 'String':
      return JSON.stringify(e.value);
    case 'Date':
      return String(e.value);
    case 'Bool':
      return String(e.value);
    case 'Count':
      return `count(${e.activity.text}${e.window ? ' ' + e.window.ms : ''})`;
    case 'DaysSince':
      return `days since ${e.last ? 'last ' : ''}${e.target.text}`;
    case 'Call':
      return `${e.callee.text}(${e.args.map((a) => exprKey(a)).join(', ')})`;
  }
}

function conjunctLeaves(x: A.Expr, out: A.Expr[]): void {
  if (x.kind === 'And') {
    conjunctLeaves(x.left, out);
    conjunctLeaves(x.right, out);
  } else if (x.kind === 'Paren') conjunctLeaves(x.inner, out);
  else out.push(x);
}

/** Interval and equality reasoning over the conjuncts of one condition. */
function contradictionIn(e: A.Expr): string | null {
  // Check every And-chain (including nested ones under Or/Not we skip: only top-level and inside parens).
  const leaves: A.Expr[] = [];
  conjunctLeaves(e, leaves);
  // only comparisons and ranges bound a value, and one comparison alone always holds somewhere
  let bounding = 0;
  for (const l of leaves) if (l.kind === 'Between') bounding += 2;
  else if (l.kind === 'Compare') bounding++;
  if (bounding < 2) return null;
  const lo = new Map<string, { v: number; strict: boolean; text: string }>();
  const hi = new Map<string, { v: number; strict: boolean; text: string }>();
  const eq = new Map<string, { v: string; text: string }>();
  const text = (x: A.Expr): string => exprKey(x).replace(/`/g, '');
  for (const l of leaves) {
    const bounds: { key: string; op: string; v: number }[] = [];
    if (l.kind === 'Compare') {
      const num = (x: A.Value): number | null => (x.kind === 'Number' ? x.value : x.kind === 'Date' ? x.value : null);
      const lk = l.left.kind === 'Number' || l.left.kind === 'Date' ? null : exprKey(l.left);
      const rv = num(l.right);
      if (lk && rv !== null) bounds.push({ key: lk, op: l.op, v: rv });
      if (lk && (l.op === '==') && (l.right.kind === 'String' || (l.right.kind === 'Ref'))) {
        const v = exprKey(l.right);
        const prev = eq.get(lk);
        if (prev && prev.v !== v) return `\`${text(l)}\` and \`${prev.text}\` cannot both be true`;
        eq.set(lk, { v, text: text(l) });
      }
    } else if (l.kind === 'Between' && (l.low.kind === 'Number' || l.low.kind === 'Date') && (l.high.kind === 'Number' || l.high.kind === 'Date')) {
      const k = exprKey(l.value);
      bounds.push({ key: k, op: '>=', v: l.low.value }, { key: k, op: '<=', v: l.high.value });
      if (l.low.value > l.high.value) return `\`${text(l)}\` is an empty range`;
    }
    for (const b of bounds) {
      if (b.op === '>' || b.op === '>=' || b.op === '==') {
        const p = lo.get(b.key);
        if (!p || b.v > p.v || (b.v === p.v && b.op === '>')) lo.set(b.key, { v: b.v, strict: b.op === '>', text: text(l) });
      }
      if (b.op === '<' || b.op === '<=' || b.op === '==') {
        const p = hi.get(b.key);
        if (!p || b.v < p.v || (b.v === p.v && b.op === '<')) hi.set(b.key, { v: b.v, strict: b.op === '<', text: text(l) });
      }
      const L = lo.get(b.key);
      const H = hi.get(b.key);
      if (L && H && (L.v > H.v || (L.v === H.v && (L.strict || H.strict)))) {
        return L.text === H.text ? `\`${L.text}\` is an empty range` : `\`${L.text}\` and \`${H.text}\` cannot both be true`;
      }
    }
  }
  return null;
}

/**
 * Lowering: a checked AST -> the IR (`ir.ts`) that every back end reads.
 *
 * Input: a Program that checked without errors, its CheckResult and the
 * source text (for `src` snippets). Output: an IR object (plain JSON).
 * Invariants: segments and lists are inlined; `not in` and `is missing`
 * become `not`; band labels compared with `==` become text comparisons;
 * every IR node gets a unique id; types come from the checker.
 */
import type * as A from '../syntax/ast.js';
import type { CheckResult } from '../check/checker.js';
import type { IR, IRArith, IRCond, IRRule, IRScore, IRSrc, IRValue, IRTest, IRBand, IRCmpType, IRType } from './ir.js';

export function lower(program: A.Program, checked: CheckResult, source: string): IR {
  return new Lowerer(program, checked, source).run();
}

class Lowerer {
  id = 0;
  segments = new Map<string, A.SegmentDecl>();
  lists = new Map<string, A.ListDecl>();
  expanding = new Set<string>();

  constructor(
    private program: A.Program,
    private checked: CheckResult,
    private source: string,
  ) {
    for (const d of program.decls) {
      if (d.kind === 'Segment') this.segments.set(d.name.text, d);
      if (d.kind === 'List') this.lists.set(d.name.text, d);
    }
  }

  src(node: { range: A.Range }): IRSrc {
    let text = this.source.slice(node.range.start.offset, node.range.end.offset);
    if (/\s\s|[\t\r\n]/.test(text)) text = text.replace(/\s+/g, ' ');
    if (text.length && (text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32)) text = text.trim();
    return { line: node.range.start.line, col: node.range.start.column, text };
  }

  next(): number {
    return ++this.id;
  }

  run(): IR {
    const p = this.program;
    let name: string | null = null;
    const scores: IRScore[] = [];
    const bands: IRBand[] = [];
    const stages: IR['stages'] = [];
    const routes: IR['routes'] = [];
    const tests: IRTest[] = [];
    const activities: string[] = [];
    for (const d of p.decls) {
      switch (d.kind) {
        case 'Ruleset':
          name ??= d.name.value;
          break;
        case 'Activity':
          for (const n of d.names) if (!activities.includes(n.text)) activities.push(n.text);
          break;
        case 'ScoreBlock': {
          let halfLifeMs: number | null = null;
          const rules: IRRule[] = [];
          d.items.forEach((item) => {
            if (item.kind === 'Decay') {
              halfLifeMs ??= item.halfLife.ms;
              return;
            }
            rules.push(this.rule(item, rules.length));
          });
          scores.push({ kind: 'block', name: d.name.text, block: d.block, halfLifeMs, rules, src: this.src(d.name) });
          break;
        }
        case 'DerivedScore':
          scores.push({ kind: 'derived', name: d.name.text, expr: this.arith(d.expr), src: this.src(d) });
          break;
        case 'Band': {
          const s = this.checked.symbols.get(d.source.text);
          bands.push({
            name: d.name.text,
            source: s?.kind === 'score' ? { k: 'score', name: d.source.text } : { k: 'attr', name: d.source.text },
            labels: d.entries.map((e) => ({ label: e.label.text, min: e.threshold ? e.threshold.value : null })),
            src: this.src(d.name),
          });
          break;
        }
        case 'Stages':
          if (stages.length) break;
          for (const e of d.entries) stages.push({ name: e.name.text, cond: e.cond ? this.cond(e.cond) : null, src: this.src(e) });
          break;
        case 'Route':
          if (routes.length) break;
          for (const e of d.entries) routes.push({ action: e.action.value, cond: e.cond ? this.cond(e.cond) : null, src: this.src(e) });
          break;
        case 'Test':
          tests.push(this.test(d));
          break;
        default:
          break;
      }
    }
    const attributes = [...this.checked.symbols.values()]
      .filter((s) => s.kind === 'attribute')
      .map((s) => ({ name: s.name, type: (this.checked.attributeTypes.get(s.name) ?? 'text') as IRType, declared: s.declared }));
    return {
      format: 'lql-ir',
      version: 1,
      name,
      attributes,
      activities,
      scores,
      bands,
      order: this.checked.order,
      stages,
      routes,
      tests,
      maxId: this.id,
    };
  }

  rule(r: A.Rule, index: number): IRRule {
    const points = r.points.value;
    const src = this.src(r);
    if (r.kind === 'WhenRule') return { index, points, src, k: 'when', cond: this.cond(r.cond) };
    const sym = this.checked.symbols.get(r.target.text);
    const windowMs = r.window ? r.window.ms : null;
    const max = r.max ? r.max.value : null;
    if (r.kind === 'OnceRule') return { index, points, src, k: 'once', activity: r.target.text, windowMs, max };
    if (sym?.kind === 'activity') return { index, points, src, k: 'perActivity', activity: r.target.text, windowMs, max };
    return { index, points, src, k: 'perAttribute', attr: r.target.text, max };
  }

  arith(e: A.Arith): IRArith {
    switch (e.kind) {
      case 'ArithBinary':
        return { k: e.op === '+' ? 'add' : e.op === '-' ? 'sub' : 'mul', id: this.next(), src: this.src(e), left: this.arith(e.left), right: this.arith(e.right) };
      case 'ArithParen':
        return this.arith(e.inner);
      case 'ArithNeg':
        return { k: 'neg', id: this.next(), src: this.src(e), arg: this.arith(e.operand) };
      case 'Number':
        return { k: 'num', id: this.next(), src: this.src(e), value: e.value };
      case 'Ref': {
        const s = this.checked.symbols.get(e.name.text);
        if (s?.kind === 'score') return { k: 'score', id: this.next(), src: this.src(e), name: e.name.text };
        return { k: 'attr', id: this.next(), src: this.src(e), name: e.name.text, type: 'number' };
      }
    }
  }

  cond(e: A.Expr): IRCond {
    // a parenthesis and a segment's name are written in place: no node (and no `src`) of their own
    if (e.kind === 'Paren') return this.cond(e.inner);
    if (e.kind === 'Truthy') return this.truthy(e);
    const src = this.src(e);
    switch (e.kind) {
      case 'Or':
      case 'And': {
        const k = e.kind === 'Or' ? 'or' : 'and';
        const args: IRCond[] = [];
        this.flatten(k, this.cond(e.left), args);
        this.flatten(k, this.cond(e.right), args);
        return { k, id: this.next(), src, args };
      }
      case 'Not':
        return { k: 'not', id: this.next(), src, arg: this.cond(e.operand) };
      case 'Compare': {
        const left = this.value(e.left);
        const type = this.cmpType(left, e.right);
        const right = this.value(e.right, type === 'text' && isLabelValue(left));
        return { k: 'cmp', id: this.next(), src, op: e.op, type, left, right };
      }
      case 'Between': {
        const value = this.value(e.value);
        return { k: 'between', id: this.next(), src, type: this.cmpType(value, e.low), value, low: this.value(e.low), high: this.value(e.high) };
      }
      case 'In': {
        const value = this.value(e.value);
        const label = isLabelValue(value);
        let items: (string | number | boolean)[];
        if (e.list.kind === 'Ref') {
          const l = this.lists.get(e.list.name.text);
          items = l ? l.items.map(litValue) : [];
        } else {
          items = e.list.items.map((it) => (it.kind === 'Ref' ? it.name.text : litValue(it)));
        }
        const type: IRCmpType = label ? 'text' : this.typeOfItems(value, items);
        const inNode: IRCond = { k: 'in', id: this.next(), src, type, value, items };
        return e.negated ? { k: 'not', id: this.next(), src, arg: inNode } : inNode;
      }
      case 'TextTest':
        return { k: 'text', id: this.next(), src, op: e.op, value: this.value(e.value), arg: this.value(e.arg) };
      case 'Matches':
        return { k: 'matches', id: this.next(), src, value: this.value(e.value), pattern: e.regex.pattern, flags: e.regex.flags.replace(/[^iu]/g, '') };
      case 'Presence': {
        const p: IRCond = { k: 'present', id: this.next(), src, value: this.value(e.value) };
        return e.missing ? { k: 'not', id: this.next(), src, arg: p } : p;
      }
    }
  }

  /** `a and (b and c)` -> and(a, b, c) */
  flatten(k: 'and' | 'or', c: IRCond, args: IRCond[]): void {
    if (c.k === k) for (const a of c.args) args.push(a);
    else args.push(c);
  }

  truthy(e: A.Truthy): IRCond {
    const v = e.value;
    if (v.kind === 'Ref') {
      const s = this.checked.symbols.get(v.name.text);
      if (s?.kind === 'segment') {
        const seg = this.segments.get(s.name);
        if (seg && !this.expanding.has(s.name)) {
          this.expanding.add(s.name);
          try {
            return this.cond(seg.cond);
          } finally {
            this.expanding.delete(s.name);
          }
        }
        return { k: 'const', id: this.next(), src: this.src(e), value: false };
      }
      if (s?.kind === 'activity') return { k: 'has', id: this.next(), src: this.src(e), activity: s.name };
      if (s?.kind === 'stage') return { k: 'reached', id: this.next(), src: this.src(e), stage: s.name };
    }
    if (v.kind === 'Bool') return { k: 'const', id: this.next(), src: this.src(e), value: v.value };
    const src = this.src(e);
    return { k: 'truthy', id: this.next(), src, value: this.value(v) };
  }

  typeOfItems(value: IRValue, items: (string | number | boolean)[]): IRCmpType {
    const vt = valueType(value);
    if (vt) return vt;
    const first = items[0];
    return typeof first === 'number' ? 'number' : typeof first === 'boolean' ? 'bool' : 'text';
  }

  cmpType(left: IRValue, right: A.Value): IRCmpType {
    const lt = valueType(left);
    if (lt) return lt;
    if (right.kind === 'Number' || right.kind === 'Count' || right.kind === 'DaysSince') return 'number';
    if (right.kind === 'Date') return 'date';
    if (right.kind === 'Bool') return 'bool';
    if (right.kind === 'Ref') {
      const rv = this.value(right);
      return valueType(rv) ?? 'text';
    }
    return 'text';
  }

  value(v: A.Value, asLabel = false): IRValue {
    const src = this.src(v);
    switch (v.kind) {
      case 'Number':
        return { k: 'num', id: this.next(), src, value: v.value };
      case 'String':
        return { k: 'str', id: this.next(), src, value: v.value };
      case 'Date':
        return { k: 'date', id: this.next(), src, value: v.value };
      case 'Bool':
        return { k: 'bool', id: this.next(), src, value: v.value };
      case 'Count':
        return { k: 'count', id: this.next(), src, activity: v.activity.text, windowMs: v.window ? v.window.ms : null };
      case 'DaysSince':
        return v.last
          ? { k: 'daysSinceLast', id: this.next(), src, activity: v.target.text }
          : { k: 'daysSince', id: this.next(), src, attr: v.target.text };
      case 'Call': {
        const [first] = v.args;
        // the checker lets a call through only with exactly one value
        if (first === undefined) throw new Error(`\`${v.callee.text}\` was called without its value`);
        const arg = this.value(first);
        return v.callee.text === 'domain' ? { k: 'domain', id: this.next(), src, arg } : { k: 'lower', id: this.next(), src, arg };
      }
      case 'Ref': {
        const name = v.name.text;
        if (asLabel) return { k: 'str', id: this.next(), src, value: name };
        const s = this.checked.symbols.get(name);
        if (!s && name === 'stage') return { k: 'stage', id: this.next(), src };
        if (!s && name === 'route') return { k: 'route', id: this.next(), src };
        if (s?.kind === 'score') return { k: 'score', id: this.next(), src, name };
        if (s?.kind === 'band') return { k: 'band', id: this.next(), src, name };
        return { k: 'attr', id: this.next(), src, name, type: (this.checked.attributeTypes.get(name) ?? 'text') as IRType };
      }
    }
  }

  test(d: A.TestDecl): IRTest {
    const lead: Record<string, string | number | boolean | null> = Object.create(null);
    for (const f of d.lead) {
      const v = f.value;
      lead[f.key.text] = v.kind === 'Date' ? v.raw : litValue(v);
    }
    const events = d.events.map((e) => ({ type: e.type.text, at: e.at.value }));
    return {
      name: d.name.value,
      lead,
      events,
      at: d.at ? d.at.value : null,
      expects: d.expects.map((e) => ({ cond: this.cond(e.cond), src: this.src(e.cond) })),
      src: this.src(d.name),
    };
  }
}

function litValue(l: A.Literal): string | number | boolean {
  return l.kind === 'Number' ? l.value : l.kind === 'String' ? l.value : l.kind === 'Date' ? l.value : l.value;
}

function isLabelValue(v: IRValue): boolean {
  return v.k === 'band' || v.k === 'stage';
}

function valueType(v: IRValue): IRCmpType | null {
  switch (v.k) {
    case 'attr':
      return v.type;
    case 'score':
    case 'num':
    case 'count':
    case 'daysSince':
    case 'daysSinceLast':
      return 'number';
    case 'band':
    case 'str':
    case 'lower':
    case 'domain':
    case 'stage':
    case 'route':
      return 'text';
    case 'date':
      return 'date';
    case 'bool':
      return 'bool';
  }
}

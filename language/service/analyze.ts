/**
 * One analysis of a document shared by the language service functions:
 * tokens (with comments), the parse tree, the checker's result, and a walk
 * of every name in the tree with its role.
 *
 * Input: text and the optional context. Output: `Analysis`. The last result
 * is memoized by (text, columns), since an editor asks several questions
 * about the same text in a row. Invariant: never throws.
 */
import type { IToken } from 'chevrotain';
import type * as A from '../syntax/ast.js';
import { parse } from '../syntax/parser.js';
import { lexer, tokenEndOffset } from '../syntax/tokens.js';
import { check, type CheckResult } from '../check/checker.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { LineIndex } from './lsp.js';
import type { ServiceContext } from './context.js';

export type NameRole =
  | 'decl' // the declared name of a declaration
  | 'ref' // a reference in a condition or derived score
  | 'activity' // per/once target, count(), days since last, test event
  | 'target' // per target (activity or attribute)
  | 'source' // band source
  | 'type' // attribute type
  | 'callee'
  | 'key' // test lead key
  | 'label'; // band entry label, list item names

export interface NameUse {
  name: A.Name;
  role: NameRole;
  decl: A.Decl;
  /** the enclosing rule, stage entry or route entry, when any */
  item?: A.Rule | A.StageEntry | A.RouteEntry | A.BandEntry;
  /** for a Ref inside a comparison or `in`: the other side's value */
  compareLeft?: A.Value;
}

export interface Analysis {
  text: string;
  lines: LineIndex;
  program: A.Program;
  parseDiagnostics: Diagnostic[];
  checked: CheckResult;
  /** every token, comments included, in order */
  tokens: IToken[];
  names: NameUse[];
}

let memo: { key: string; text: string; a: Analysis } | null = null;

export function analyze(text: string, ctx: ServiceContext = {}): Analysis {
  const key = ctx.columns ? JSON.stringify(ctx.columns.map((c) => c.name)) : '';
  if (memo && memo.text === text && memo.key === key) return memo.a;
  const parsed = parse(text);
  const checked = check(parsed.program, ctx.columns ? { columns: ctx.columns.map((c) => c.name) } : {});
  let tokens: IToken[] = [];
  try {
    const lexed = lexer.tokenize(text);
    tokens = [...lexed.tokens, ...(lexed.groups.comments ?? [])].sort((a, b) => a.startOffset - b.startOffset);
  } catch {
    tokens = [];
  }
  const a: Analysis = {
    text,
    lines: new LineIndex(text),
    program: parsed.program,
    parseDiagnostics: parsed.diagnostics,
    checked,
    tokens,
    names: collectNames(parsed.program),
  };
  memo = { key, text, a };
  return a;
}

/** Every Name in the program with its role, in source order. */
export function collectNames(program: A.Program): NameUse[] {
  const out: NameUse[] = [];
  for (const d of program.decls) {
    const add = (name: A.Name | undefined, role: NameRole, item?: NameUse['item'], compareLeft?: A.Value): void => {
      if (name && name.text !== '') out.push({ name, role, decl: d, item, compareLeft });
    };
    const value = (v: A.Value, item?: NameUse['item'], left?: A.Value): void => {
      switch (v.kind) {
        case 'Ref':
          add(v.name, 'ref', item, left);
          break;
        case 'Call':
          add(v.callee, 'callee', item);
          v.args.forEach((x) => value(x, item));
          break;
        case 'Count':
          add(v.activity, 'activity', item);
          break;
        case 'DaysSince':
          add(v.target, v.last ? 'activity' : 'ref', item);
          break;
        default:
          break;
      }
    };
    const expr = (e: A.Expr, item?: NameUse['item']): void => {
      switch (e.kind) {
        case 'Or':
        case 'And':
          expr(e.left, item);
          expr(e.right, item);
          break;
        case 'Not':
          expr(e.operand, item);
          break;
        case 'Paren':
          expr(e.inner, item);
          break;
        case 'Compare':
          value(e.left, item);
          value(e.right, item, e.left);
          break;
        case 'In':
          value(e.value, item);
          if (e.list.kind === 'Ref') add(e.list.name, 'ref', item);
          else for (const it of e.list.items) if (it.kind === 'Ref') add(it.name, 'ref', item, e.value);
          break;
        case 'Between':
          value(e.value, item);
          value(e.low, item);
          value(e.high, item);
          break;
        case 'TextTest':
          value(e.value, item);
          value(e.arg, item);
          break;
        case 'Matches':
        case 'Presence':
        case 'Truthy':
          value(e.value, item);
          break;
      }
    };
    const arith = (x: A.Arith): void => {
      if (x.kind === 'ArithBinary') {
        arith(x.left);
        arith(x.right);
      } else if (x.kind === 'ArithParen') arith(x.inner);
      else if (x.kind === 'ArithNeg') arith(x.operand);
      else if (x.kind === 'Ref') add(x.name, 'ref');
    };
    switch (d.kind) {
      case 'Ruleset':
        break;
      case 'Attribute':
        add(d.name, 'decl');
        add(d.type, 'type');
        break;
      case 'Activity':
        d.names.forEach((n) => add(n, 'decl'));
        break;
      case 'List':
        add(d.name, 'decl');
        break;
      case 'Segment':
        add(d.name, 'decl');
        expr(d.cond);
        break;
      case 'ScoreBlock':
        add(d.name, 'decl');
        for (const it of d.items) {
          if (it.kind === 'WhenRule') expr(it.cond, it);
          else if (it.kind !== 'Decay') add(it.target, it.kind === 'OnceRule' ? 'activity' : 'target', it);
        }
        break;
      case 'DerivedScore':
        add(d.name, 'decl');
        arith(d.expr);
        break;
      case 'Band':
        add(d.name, 'decl');
        add(d.source, 'source');
        for (const e of d.entries) add(e.label, 'label', e);
        break;
      case 'Stages':
        for (const e of d.entries) {
          add(e.name, 'decl', e);
          if (e.cond) expr(e.cond, e);
        }
        break;
      case 'Route':
        for (const e of d.entries) if (e.cond) expr(e.cond, e);
        break;
      case 'Test':
        for (const f of d.lead) add(f.key, 'key');
        for (const ev of d.events) add(ev.type, 'activity');
        for (const x of d.expects) expr(x.cond);
        break;
    }
  }
  return out;
}

/** The name use whose range contains `offset` (its end included, for a cursor just after a word). */
export function nameAt(a: Analysis, offset: number): NameUse | undefined {
  return a.names.find((u) => u.name.range.start.offset <= offset && offset <= u.name.range.end.offset && u.name.range.end.offset > u.name.range.start.offset);
}

/** The token containing `offset`, or the one ending right at it. */
export function tokenAt(a: Analysis, offset: number): IToken | undefined {
  let best: IToken | undefined;
  for (const t of a.tokens) {
    const end = tokenEndOffset(t) + 1;
    if (t.startOffset <= offset && offset < end) return t;
    if (end === offset) best = t;
    if (t.startOffset > offset) break;
  }
  return best;
}

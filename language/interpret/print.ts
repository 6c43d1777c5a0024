/**
 * Source text of AST nodes, for reasons and test failure messages.
 *
 * Input: a node, and optionally the source text it was parsed from.
 * Output: the node's text on one line: the source slice given by the node's
 * range with runs of whitespace collapsed to one space, or, without source,
 * the node printed back in canonical LQL syntax.
 * Invariants: pure; never throws on a well-formed tree.
 */
import { printName, printLiteral } from '../syntax/print.js';
import type { Arith, Expr, NodeBase, Rule, Value, ListLit, Ref, DurationLit } from '../syntax/ast.js';

/** The node's source text (whitespace-normalised), or a canonical printing of it. */
export function nodeText(node: NodeBase & { kind: string }, source?: string): string {
  if (source !== undefined) {
    const { start, end } = node.range;
    if (start.offset >= 0 && end.offset <= source.length && end.offset > start.offset) {
      return source.slice(start.offset, end.offset).replace(/\s+/g, ' ').trim();
    }
  }
  return printNode(node);
}

function printNode(node: NodeBase & { kind: string }): string {
  switch (node.kind) {
    case 'WhenRule':
    case 'PerRule':
    case 'OnceRule':
      return printRule(node as Rule);
    case 'ArithBinary':
    case 'ArithParen':
    case 'ArithNeg':
      return printArith(node as Arith);
    case 'Or':
    case 'And':
    case 'Not':
    case 'Paren':
    case 'Compare':
    case 'In':
    case 'Between':
    case 'TextTest':
    case 'Matches':
    case 'Presence':
    case 'Truthy':
      return printExpr(node as Expr);
    default:
      return printValue(node as Value);
  }
}

export { printName };

function printDuration(d: DurationLit): string {
  return `${d.amount} ${d.unitRaw}`;
}

export function printValue(v: Value): string {
  switch (v.kind) {
    case 'Ref':
      return printName(v.name);
    case 'Call':
      return `${printName(v.callee)}(${v.args.map(printValue).join(', ')})`;
    case 'Count':
      return `count(${printName(v.activity)}${v.window ? ` in last ${printDuration(v.window)}` : ''})`;
    case 'DaysSince':
      return `days since ${v.last ? 'last ' : ''}${printName(v.target)}`;
    default:
      return printLiteral(v);
  }
}

function printList(l: ListLit | Ref): string {
  if (l.kind === 'Ref') return printName(l.name);
  return `[${l.items.map((i) => (i.kind === 'Ref' ? printName(i.name) : printLiteral(i))).join(', ')}]`;
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'Or':
      return `${printExpr(e.left)} or ${printExpr(e.right)}`;
    case 'And':
      return `${printExpr(e.left)} and ${printExpr(e.right)}`;
    case 'Not':
      return `not ${printExpr(e.operand)}`;
    case 'Paren':
      return `(${printExpr(e.inner)})`;
    case 'Compare':
      return `${printValue(e.left)} ${e.op} ${printValue(e.right)}`;
    case 'In':
      return `${printValue(e.value)} ${e.negated ? 'not in' : 'in'} ${printList(e.list)}`;
    case 'Between':
      return `${printValue(e.value)} between ${printValue(e.low)} and ${printValue(e.high)}`;
    case 'TextTest': {
      const op = e.op === 'contains' ? 'contains' : e.op === 'starts_with' ? 'starts with' : 'ends with';
      return `${printValue(e.value)} ${op} ${printValue(e.arg)}`;
    }
    case 'Matches':
      return `${printValue(e.value)} matches ${e.regex.raw}`;
    case 'Presence':
      return `${printValue(e.value)} is ${e.missing ? 'missing' : 'present'}`;
    case 'Truthy':
      return printValue(e.value);
  }
}

export function printArith(a: Arith): string {
  switch (a.kind) {
    case 'ArithBinary':
      return `${printArith(a.left)} ${a.op} ${printArith(a.right)}`;
    case 'ArithParen':
      return `(${printArith(a.inner)})`;
    case 'ArithNeg':
      return `-${printArith(a.operand)}`;
    case 'Number':
      return a.raw;
    case 'Ref':
      return printName(a.name);
  }
}

export function printRule(r: Rule): string {
  if (r.kind === 'WhenRule') return `${r.points.raw} when ${printExpr(r.cond)}`;
  let s = `${r.points.raw} ${r.kind === 'PerRule' ? 'per' : 'once'} ${printName(r.target)}`;
  if (r.window) s += ` in last ${printDuration(r.window)}`;
  if (r.max) s += `, max ${r.max.raw}`;
  return s;
}

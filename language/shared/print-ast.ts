/**
 * LQL expressions printed back as source text on one line: values, lists,
 * conditions, arithmetic and rules, in the canonical spelling (names in
 * backticks only when needed, texts re-escaped, numbers and regexes as
 * written).
 *
 * Input: AST nodes (../syntax/ast.ts), and how to print a duration (the
 * formatter keeps the amount as written in the source; messages print the
 * parsed amount). Output: `astPrinter(...)`, one printer for both users:
 * the formatter (language/format) and reasons and test messages
 * (language/interpret/print.ts).
 * Invariants: pure; never throws on a well-formed tree; the text parses
 * back to the same tree (apart from ranges).
 */
import { printLiteral, printName } from '../syntax/print.js';
import type { Arith, DurationLit, Expr, ListLit, Ref, Rule, Value } from '../syntax/ast.js';

export interface AstPrinter {
  duration(d: DurationLit): string;
  value(v: Value): string;
  list(l: ListLit | Ref): string;
  expr(e: Expr): string;
  arith(a: Arith): string;
  /** a rule split in its points (`left`) and the rest (`right`) */
  rule(r: Rule): { left: string; right: string };
}

/** The parsed amount and the unit as written, e.g. `30 days`. */
export const parsedDuration = (d: DurationLit): string => `${d.amount} ${d.unitRaw}`;

export function astPrinter(duration: (d: DurationLit) => string = parsedDuration): AstPrinter {
  const value = (v: Value): string => {
    switch (v.kind) {
      case 'Ref':
        return printName(v.name);
      case 'Call':
        return `${printName(v.callee)}(${v.args.map(value).join(', ')})`;
      case 'Count':
        return `count(${printName(v.activity)}${v.window ? ` in last ${duration(v.window)}` : ''})`;
      case 'DaysSince':
        return `days since ${v.last ? 'last ' : ''}${printName(v.target)}`;
      default:
        return printLiteral(v);
    }
  };
  const list = (l: ListLit | Ref): string => {
    if (l.kind === 'Ref') return printName(l.name);
    return `[${l.items.map((i) => (i.kind === 'Ref' ? printName(i.name) : printLiteral(i))).join(', ')}]`;
  };
  const expr = (e: Expr): string => {
    switch (e.kind) {
      case 'Or':
        return `${expr(e.left)} or ${expr(e.right)}`;
      case 'And':
        return `${expr(e.left)} and ${expr(e.right)}`;
      case 'Not':
        return `not ${expr(e.operand)}`;
      case 'Paren':
        return `(${expr(e.inner)})`;
      case 'Compare':
        return `${value(e.left)} ${e.op} ${value(e.right)}`;
      case 'In':
        return `${value(e.value)} ${e.negated ? 'not in' : 'in'} ${list(e.list)}`;
      case 'Between':
        return `${value(e.value)} between ${value(e.low)} and ${value(e.high)}`;
      case 'TextTest': {
        const op = e.op === 'contains' ? 'contains' : e.op === 'starts_with' ? 'starts with' : 'ends with';
        return `${value(e.value)} ${op} ${value(e.arg)}`;
      }
      case 'Matches':
        return `${value(e.value)} matches ${e.regex.raw}`;
      case 'Presence':
        return `${value(e.value)} is ${e.missing ? 'missing' : 'present'}`;
      case 'Truthy':
        return value(e.value);
    }
  };
  const arith = (a: Arith): string => {
    switch (a.kind) {
      case 'ArithBinary':
        return `${arith(a.left)} ${a.op} ${arith(a.right)}`;
      case 'ArithParen':
        return `(${arith(a.inner)})`;
      case 'ArithNeg':
        return `-${arith(a.operand)}`;
      case 'Number':
        return a.raw;
      case 'Ref':
        return printName(a.name);
    }
  };
  const rule = (r: Rule): { left: string; right: string } => {
    const left = r.points.raw;
    if (r.kind === 'WhenRule') return { left, right: `when ${expr(r.cond)}` };
    let right = `${r.kind === 'PerRule' ? 'per' : 'once'} ${printName(r.target)}`;
    if (r.window) right += ` in last ${duration(r.window)}`;
    if (r.max) right += `, max ${r.max.raw}`;
    return { left, right };
  };
  return { duration, value, list, expr, arith, rule };
}

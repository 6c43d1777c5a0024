/**
 * Source text of AST nodes, for reasons and test failure messages.
 *
 * Input: a node, and optionally the source text it was parsed from.
 * Output: the node's text on one line: the source slice given by the node's
 * range with runs of whitespace collapsed to one space, or, without source,
 * the node printed back in canonical LQL syntax (../shared/print-ast.ts).
 * Invariants: pure; never throws on a well-formed tree.
 */
import { printName } from '../syntax/print.js';
import type { Arith, Expr, NodeBase, Rule, Value } from '../syntax/ast.js';
import { astPrinter } from '../shared/print-ast.js';

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

const P = astPrinter();

export const printValue = P.value;
export const printExpr = P.expr;
export const printArith = P.arith;

export function printRule(r: Rule): string {
  const { left, right } = P.rule(r);
  return `${left} ${right}`;
}

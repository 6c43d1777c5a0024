/**
 * JavaScript text of an IR arithmetic expression, for the compilers that
 * emit JavaScript (the scorer in emit-js.ts and the columnar kernel).
 *
 * Input: an IRArith and the caller's text for each leaf (a number, a score,
 * a numeric attribute), which differ by how each compiler holds values.
 * Output: an expression in which every operation is parenthesised, so the
 * IR's grouping is kept whatever the leaves are.
 */
import type { IRArith } from './ir.js';

/** The leaves of an arithmetic expression: what each compiler writes its own way. */
export type IRArithLeaf = Extract<IRArith, { k: 'num' | 'score' | 'attr' }>;

export function arithJs(a: IRArith, leaf: (a: IRArithLeaf) => string): string {
  switch (a.k) {
    case 'add':
      return `(${arithJs(a.left, leaf)} + ${arithJs(a.right, leaf)})`;
    case 'sub':
      return `(${arithJs(a.left, leaf)} - ${arithJs(a.right, leaf)})`;
    case 'mul':
      return `(${arithJs(a.left, leaf)} * ${arithJs(a.right, leaf)})`;
    case 'neg':
      return `(-${arithJs(a.arg, leaf)})`;
    default:
      return leaf(a);
  }
}

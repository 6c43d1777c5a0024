/**
 * The size limits of one condition, checked before anything else walks the
 * tree: how deeply it nests and how many parts it has once every segment it
 * uses is written in place (the IR inlines segments, see compile/lower.ts).
 *
 * Input: a Program (possibly with recovered parts).
 * Output: diagnostics LQL106 (nested too deep) and LQL107 (too large), each
 * at the innermost place where the limit is crossed: the operator that goes
 * one level too deep, or the use of a segment that brings it over; LQL108 at
 * a number literal too large for a double (it would read as infinity) and
 * LQL109 at a duration whose milliseconds are not an exact integer.
 * Invariants: iterative (an explicit stack, never recursion), linear in the
 * number of nodes (a segment's condition is measured once, however often it
 * is used); a segment cycle counts as one level (the checker reports the
 * cycle itself); never throws. Within the limits, every later phase (checker,
 * interpreter, emitters, formatter, DuckDB's and PostgreSQL's own expression
 * depth) handles the tree with room to spare.
 */
import type * as A from '../syntax/ast.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diag } from '../diagnostics/registry.js';

import { MAX_DEPTH } from '../syntax/ast.js';

/** Nesting levels of one condition or derived score, segments written in place (defined with the AST). */
export { MAX_DEPTH };
/** Parts (comparisons, values, operators) of one condition, segments written in place. */
export const MAX_PARTS = 100_000;

type Node = A.NodeBase & { kind: string };

/** Kinds that are parts of a condition or a derived score (where a limit is reported). */
const EXPR_KINDS = new Set([
  'Or', 'And', 'Not', 'Paren', 'Compare', 'In', 'Between', 'TextTest', 'Matches', 'Presence', 'Truthy',
  'ArithBinary', 'ArithParen', 'ArithNeg', 'Ref', 'Call', 'Count', 'DaysSince', 'ListLit',
]);

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && 'range' in v;
}

function childrenOf(n: Node): Node[] {
  if (n.kind === 'Ref') return [];
  const out: Node[] = [];
  for (const [k, v] of Object.entries(n)) {
    if (k === 'range' || k === 'kind') continue;
    if (Array.isArray(v)) {
      for (const x of v) if (isNode(x) && x.kind !== 'Name' && x.kind !== 'Comment') out.push(x);
    } else if (isNode(v) && v.kind !== 'Name' && v.kind !== 'Comment') out.push(v);
  }
  return out;
}

/** The longest duration, in days: its milliseconds stay exact integers in every engine. */
export const MAX_DURATION_DAYS = Math.floor(Number.MAX_SAFE_INTEGER / 86_400_000);

/** LQL108 for a number that does not fit a double (it would read as infinity), LQL109 for a duration too long. */
function literalOutOfRange(n: Node): Diagnostic | null {
  if (n.range.end.offset <= n.range.start.offset) return null; // a placeholder from parser recovery
  if (n.kind === 'Number' || n.kind === 'Points') {
    const raw = (n as A.NumberLit | A.PointsLit).raw;
    const v = Number(raw.replace(/_/g, '').replace(/^[+-]/, ''));
    if (v === Infinity) return diag('LQL108', n.range, { text: raw });
  } else if (n.kind === 'Duration') {
    const ms = (n as A.DurationLit).ms;
    if (!(Math.abs(ms) <= Number.MAX_SAFE_INTEGER)) return diag('LQL109', n.range, { limit: MAX_DURATION_DAYS.toLocaleString('en-US') });
  }
  return null;
}

interface Frame {
  n: Node;
  kids: Node[];
  next: number;
  /** the deepest child and the sum of the children's parts so far */
  depth: number;
  parts: number;
  childOver: boolean;
  /** set when this frame measures a segment's condition (memoized by name) */
  segment?: string;
}

export function checkLimits(program: A.Program): Diagnostic[] {
  const segments = new Map<string, A.SegmentDecl>();
  for (const d of program.decls) if (d.kind === 'Segment' && !segments.has(d.name.text)) segments.set(d.name.text, d);
  /** each segment's condition, measured once: depth and parts */
  const measured = new Map<string, { depth: number; parts: number }>();
  const open = new Set<string>();
  /** segment conditions being measured for a use: their own declaration reports what is inside */
  let inUse = 0;
  const out: Diagnostic[] = [];
  const frame = (n: Node, segment?: string): Frame => ({ n, kids: childrenOf(n), next: 0, depth: 0, parts: 0, childOver: false, segment });
  const stack: Frame[] = [frame(program as unknown as Node)];
  const add = (f: Frame, depth: number, parts: number) => {
    if (depth > f.depth) f.depth = depth;
    f.parts = Math.min(f.parts + parts, Number.MAX_SAFE_INTEGER);
    if (depth > MAX_DEPTH || parts > MAX_PARTS) f.childOver = true;
  };
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.next === 0 && f.n.kind === 'Ref') {
      // a segment used here is written in place: its condition is measured once, then added
      const name = (f.n as A.Ref).name.text;
      const seg = segments.get(name);
      f.next = 1;
      if (seg && !open.has(name)) {
        const m = measured.get(name);
        if (m) add(f, m.depth, m.parts);
        else {
          open.add(name);
          inUse++;
          stack.push(frame(seg.cond as Node, name));
          continue;
        }
      }
    }
    if (f.next < f.kids.length) {
      stack.push(frame(f.kids[f.next++]!));
      continue;
    }
    stack.pop();
    const depth = f.depth + 1;
    const parts = Math.min(f.parts + 1, Number.MAX_SAFE_INTEGER);
    if (f.segment !== undefined) {
      // a segment's condition: remember it, and hand it to the Ref that asked for it
      open.delete(f.segment);
      inUse--;
      measured.set(f.segment, { depth, parts });
    }
    const parent = stack[stack.length - 1];
    if (parent) add(parent, depth, parts);
    if (inUse > 0 || f.segment !== undefined) continue;
    const lit = literalOutOfRange(f.n);
    if (lit) out.push(lit);
    if (!EXPR_KINDS.has(f.n.kind) || f.childOver) continue;
    const viaSegment = f.n.kind === 'Ref' && segments.has((f.n as A.Ref).name.text);
    const via = viaSegment ? ` with segment \`${(f.n as A.Ref).name.text}\` written in place` : '';
    if (depth > MAX_DEPTH) out.push(diag('LQL106', f.n.range, { limit: MAX_DEPTH, via }));
    else if (parts > MAX_PARTS) out.push(diag('LQL107', f.n.range, { limit: MAX_PARTS.toLocaleString('en-US'), via }));
  }
  return out;
}

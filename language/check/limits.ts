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
  'Or',
  'And',
  'Not',
  'Paren',
  'Compare',
  'In',
  'Between',
  'TextTest',
  'Matches',
  'Presence',
  'Truthy',
  'ArithBinary',
  'ArithParen',
  'ArithNeg',
  'Ref',
  'Call',
  'Count',
  'DaysSince',
  'ListLit',
]);

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && 'range' in v;
}

/** A stack of nodes that keeps its array when popped (no allocation, no `length` change per node). */
class NodeStack {
  items: Node[] = [];
  top = 0;
}

/** Push a child (names and comments are not parts of a condition). */
function pushChild(out: NodeStack, v: A.NodeBase | null | undefined): void {
  if (v != null) {
    const k = (v as Node).kind;
    if (k !== 'Name' && k !== 'Comment') out.items[out.top++] = v as Node;
  }
}

function pushPair(out: NodeStack, a: A.NodeBase | null | undefined, b: A.NodeBase | null | undefined): void {
  pushChild(out, a);
  pushChild(out, b);
}

function pushChildren(out: NodeStack, vs: readonly A.NodeBase[]): void {
  for (let i = 0; i < vs.length; i++) pushChild(out, vs[i]);
}

/**
 * Push a node's children onto `out`, in the order of its fields. Each kind
 * lists its node-valued fields (this walk runs over every node of every
 * program, so it reads no property names); a kind not listed is walked
 * generically.
 */
function pushChildrenOf(n: Node, out: NodeStack): void {
  switch (n.kind) {
    case 'Ref':
    case 'Name':
    case 'Comment':
    case 'Number':
    case 'String':
    case 'Bool':
    case 'Date':
    case 'Duration':
    case 'Regex':
    case 'Points':
    case 'DaysSince':
    case 'Attribute':
    case 'Activity':
      return;
    case 'Or':
    case 'And':
    case 'ArithBinary':
    case 'Compare': {
      const e = n as A.Or | A.ArithBinary | A.Compare;
      return pushPair(out, e.left, e.right);
    }
    case 'Not':
    case 'ArithNeg':
      return pushChild(out, (n as A.Not | A.ArithNeg).operand);
    case 'Paren':
    case 'ArithParen':
      return pushChild(out, (n as A.Paren | A.ArithParen).inner);
    case 'In':
      return pushPair(out, (n as A.In).value, (n as A.In).list);
    case 'Between':
      pushPair(out, (n as A.Between).value, (n as A.Between).low);
      return pushChild(out, (n as A.Between).high);
    case 'TextTest':
      return pushPair(out, (n as A.TextTest).value, (n as A.TextTest).arg);
    case 'Matches':
      return pushPair(out, (n as A.Matches).value, (n as A.Matches).regex);
    case 'Presence':
    case 'Truthy':
      return pushChild(out, (n as A.Presence | A.Truthy).value);
    case 'Call':
      return pushChildren(out, (n as A.Call).args);
    case 'Count':
      return pushChild(out, (n as A.Count).window);
    case 'ListLit':
      return pushChildren(out, (n as A.ListLit).items);
    case 'WhenRule':
      return pushPair(out, (n as A.WhenRule).points, (n as A.WhenRule).cond);
    case 'PerRule':
    case 'OnceRule': {
      const r = n as A.PerRule | A.OnceRule;
      pushPair(out, r.points, r.window);
      return pushChild(out, r.max);
    }
    case 'Decay':
      return pushChild(out, (n as A.DecayClause).halfLife);
    case 'Program':
      return pushChildren(out, (n as unknown as A.Program).decls);
    case 'Segment':
      return pushChild(out, (n as A.SegmentDecl).cond);
    case 'ScoreBlock':
      return pushChildren(out, (n as A.ScoreBlock).items);
    case 'DerivedScore':
      return pushChild(out, (n as A.DerivedScoreDecl).expr);
    default:
      // declarations and their entries are few: read their fields generically
      for (const k in n) {
        if (k === 'range' || k === 'kind') continue;
        const v = (n as unknown as Record<string, unknown>)[k];
        if (Array.isArray(v)) {
          for (const x of v) if (isNode(x)) pushChild(out, x);
        } else if (isNode(v)) pushChild(out, v);
      }
  }
}

/** The longest duration, in days: its milliseconds stay exact integers in every engine. */
export const MAX_DURATION_DAYS = Math.floor(Number.MAX_SAFE_INTEGER / 86_400_000);

/** LQL108 for a number that does not fit a double (it would read as infinity), LQL109 for a duration too long. */
function literalOutOfRange(n: Node): Diagnostic | null {
  if (n.range.end.offset <= n.range.start.offset) return null; // a placeholder from parser recovery
  if (n.kind === 'Number' || n.kind === 'Points') {
    const raw = (n as A.NumberLit | A.PointsLit).raw;
    // a double overflows only past 308 digits or with an exponent
    if (raw.length <= 300 && raw.indexOf('e') < 0 && raw.indexOf('E') < 0) return null;
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
  /** this node's children are kids[from, end) of the shared stack of children; the next to visit is kids[next] */
  from: number;
  end: number;
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
  /** the children of every frame on the stack, in stack order */
  const kids = new NodeStack();
  /** frames from the bottom of the stack to `sp - 1`; frames above are kept for reuse (no allocation per node) */
  const stack: Frame[] = [];
  let sp = 0;
  const push = (n: Node, segment?: string): void => {
    const from = kids.top;
    pushChildrenOf(n, kids);
    const f = stack[sp];
    if (f === undefined) stack.push({ n, from, end: kids.top, next: from, depth: 0, parts: 0, childOver: false, segment });
    else {
      f.n = n;
      f.from = from;
      f.end = kids.top;
      f.next = from;
      f.depth = 0;
      f.parts = 0;
      f.childOver = false;
      f.segment = segment;
    }
    sp++;
  };
  push(program as unknown as Node);
  const add = (f: Frame, depth: number, parts: number) => {
    if (depth > f.depth) f.depth = depth;
    f.parts = Math.min(f.parts + parts, Number.MAX_SAFE_INTEGER);
    if (depth > MAX_DEPTH || parts > MAX_PARTS) f.childOver = true;
  };
  while (sp > 0) {
    const f = stack[sp - 1]!;
    if (f.next === f.from && f.n.kind === 'Ref') {
      // a segment used here is written in place: its condition is measured once, then added
      const name = (f.n as A.Ref).name.text;
      const seg = segments.get(name);
      f.next = f.from + 1; // a Ref has no children of its own: marks the segment as handled
      if (seg && !open.has(name)) {
        const m = measured.get(name);
        if (m) add(f, m.depth, m.parts);
        else {
          open.add(name);
          inUse++;
          push(seg.cond as Node, name);
          continue;
        }
      }
    }
    if (f.next < f.end) {
      push(kids.items[f.next++]!);
      continue;
    }
    // pop: `f` stays readable until the next push
    sp--;
    kids.top = f.from;
    const depth = f.depth + 1;
    const parts = Math.min(f.parts + 1, Number.MAX_SAFE_INTEGER);
    if (f.segment !== undefined) {
      // a segment's condition: remember it, and hand it to the Ref that asked for it
      open.delete(f.segment);
      inUse--;
      measured.set(f.segment, { depth, parts });
    }
    if (sp > 0) add(stack[sp - 1]!, depth, parts);
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

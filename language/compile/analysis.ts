/**
 * IR analysis shared by every back end: what each score and band reads, which
 * of them change with time, and which of them a set of conditions needs.
 *
 * Input: a checked IR (ir.ts). Output: `analyseIR(ir)`, an `IRAnalysis`
 * (plain data plus two queries), and the walkers it is built from
 * (`condReads`, `arithScores`, `walkCond`) for conditions the emitters look
 * at on their own (a stage's conjuncts, a route).
 * Invariants:
 * - "changes with time" means the value can differ between two evaluation
 *   points of one lead: it reads events (`count`, `days_since_last`, `has`),
 *   the evaluation time (`days_since`), the funnel (`stage`, `reached`,
 *   `route`), a `per`/`once` rule, or a score or band that does;
 * - a key names an entry of `ir.order`: `score:NAME` or `band:NAME`;
 * - the JS scorer, the columnar kernel and the SQL export all decide what to
 *   compute once per lead from this module, so they agree on it.
 */
import type { IR, IRArith, IRCond, IROrder, IRValue } from './ir.js';

/** An entry of `ir.order`: `score:NAME` or `band:NAME`. */
export type ItemKey = `score:${string}` | `band:${string}`;

export function itemKey(o: IROrder): ItemKey {
  return o.kind === 'score' ? `score:${o.name}` : `band:${o.name}`;
}

/** What a condition, score or band reads directly. */
export interface Reads {
  scores: Set<string>;
  bands: Set<string>;
  /** reads events, the evaluation time or the funnel */
  time: boolean;
}

function noReads(): Reads {
  return { scores: new Set(), bands: new Set(), time: false };
}

/** Calls `f` on the condition and on every condition and value inside it. */
export function walkCond(c: IRCond | null, f: (n: IRValue | IRCond) => void): void {
  if (!c) return;
  f(c);
  const val = (v: IRValue): void => {
    f(v);
    if (v.k === 'lower' || v.k === 'domain') val(v.arg);
  };
  switch (c.k) {
    case 'and':
    case 'or':
      for (const a of c.args) walkCond(a, f);
      return;
    case 'not':
      walkCond(c.arg, f);
      return;
    case 'cmp':
      val(c.left);
      val(c.right);
      return;
    case 'in':
    case 'present':
    case 'truthy':
    case 'matches':
      val(c.value);
      return;
    case 'between':
      val(c.value);
      val(c.low);
      val(c.high);
      return;
    case 'text':
      val(c.value);
      val(c.arg);
      return;
    case 'const':
    case 'has':
    case 'reached':
      return;
  }
}

/** The node kinds whose value changes between evaluation points of one lead. */
const TIME_KINDS: ReadonlySet<string> = new Set(['count', 'daysSince', 'daysSinceLast', 'has', 'reached', 'stage', 'route']);

/** Whether the condition reads any node of the given kinds (e.g. `['stage', 'reached']`). */
export function condReadsKind(c: IRCond | null, kinds: readonly string[]): boolean {
  let hit = false;
  walkCond(c, (n) => {
    if (kinds.includes(n.k)) hit = true;
  });
  return hit;
}

/** The scores, bands and time a condition reads directly. */
export function condReads(c: IRCond | null): Reads {
  const d = noReads();
  walkCond(c, (n) => {
    if (n.k === 'score') d.scores.add(n.name);
    else if (n.k === 'band') d.bands.add(n.name);
    else if (TIME_KINDS.has(n.k)) d.time = true;
  });
  return d;
}

/** Whether the condition reads only the lead's attributes and literals (no score, band or time). */
export function readsLeadOnly(c: IRCond): boolean {
  const d = condReads(c);
  return !d.time && d.scores.size === 0 && d.bands.size === 0;
}

/** The scores an arithmetic expression reads, in order of appearance (repeats kept). */
export function arithScores(a: IRArith, out: string[] = []): string[] {
  if (a.k === 'score') out.push(a.name);
  else if (a.k === 'add' || a.k === 'sub' || a.k === 'mul') {
    arithScores(a.left, out);
    arithScores(a.right, out);
  } else if (a.k === 'neg') arithScores(a.arg, out);
  return out;
}

export interface IRAnalysis {
  /** what each score and band reads directly, by key */
  readonly reads: ReadonlyMap<ItemKey, Reads>;
  /** the scores and bands whose value changes with time */
  readonly timeDependent: ReadonlySet<ItemKey>;
  /** the condition has the same value at every evaluation point of a lead */
  isStatic(c: IRCond): boolean;
  /** the scores and bands needed to evaluate what `roots` read, themselves included */
  needs(roots: readonly Reads[]): Set<ItemKey>;
}

/** Analyses the IR once; the result is read by each emitter. */
export function analyseIR(ir: IR): IRAnalysis {
  const reads = new Map<ItemKey, Reads>();
  for (const s of ir.scores) {
    const d = noReads();
    if (s.kind === 'derived') {
      for (const x of arithScores(s.expr)) d.scores.add(x);
    } else {
      for (const r of s.rules) {
        if (r.k === 'perActivity' || r.k === 'once') d.time = true;
        else if (r.k === 'when') {
          const cd = condReads(r.cond);
          for (const x of cd.scores) d.scores.add(x);
          for (const x of cd.bands) d.bands.add(x);
          d.time ||= cd.time;
        }
      }
    }
    reads.set(`score:${s.name}`, d);
  }
  for (const b of ir.bands) {
    const d = noReads();
    if (b.source.k === 'score') d.scores.add(b.source.name);
    reads.set(`band:${b.name}`, d);
  }
  // `ir.order` lists each entry after everything it reads
  const timeDependent = new Set<ItemKey>();
  const changes = (d: Reads): boolean =>
    d.time || [...d.scores].some((s) => timeDependent.has(`score:${s}`)) || [...d.bands].some((b) => timeDependent.has(`band:${b}`));
  for (const o of ir.order) {
    const key = itemKey(o);
    const d = reads.get(key);
    if (d && changes(d)) timeDependent.add(key);
  }
  return {
    reads,
    timeDependent,
    isStatic: (c) => !changes(condReads(c)),
    needs(roots) {
      const need = new Set<ItemKey>();
      const stack: ItemKey[] = [];
      const push = (d: Reads): void => {
        for (const s of d.scores) stack.push(`score:${s}`);
        for (const b of d.bands) stack.push(`band:${b}`);
      };
      roots.forEach(push);
      for (let k = stack.pop(); k !== undefined; k = stack.pop()) {
        if (need.has(k)) continue;
        need.add(k);
        const d = reads.get(k);
        if (d) push(d);
      }
      return need;
    },
  };
}

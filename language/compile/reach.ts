/**
 * Reachable score ranges, and the band labels and stages they rule out
 * (warning LQL406): ACME's `grade A >= 50` on a fit whose rules add up to
 * at most 40 is a label no lead can ever get.
 *
 * Input: a ruleset's IR and its source text (for the warnings' positions).
 * Output: per score the interval [lo, hi] its value always lies in, and the
 * LQL406 warnings (a stage only when it and every stage above it are out of
 * reach: reaching a stage reaches the stages below it).
 * Invariants: the intervals are sound (every lead's score lies in its
 * interval; it may be wider than the exact range, never narrower), so a
 * warning is never wrong:
 * - `+N when C` adds N or 0; two `when` rules whose conditions need
 *   different values of one attribute (`industry == "services"` and
 *   `industry == "manufacturing"`, or `employees < 100` and
 *   `employees >= 5000`) never both add, found by an exact search over the
 *   rules' required attribute values and bounds (conditions are read only
 *   through `and`; `or`, `not` and anything else require nothing); text
 *   values are compared lower-cased, which can only merge values;
 * - `per ACTIVITY` and `once` add between 0 and N times the event weights,
 *   which decay never raises above 1 (`once` at most N, `per` unbounded
 *   unless `max`); `per ATTRIBUTE` is unbounded unless `max`; `max M`
 *   clamps to [-M, M];
 * - derived scores use interval arithmetic over the scores they name (a
 *   numeric attribute in one is unbounded).
 */
import type { IR, IRArith, IRCond, IRRule, IRValue } from './ir.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diag } from '../diagnostics/registry.js';
import type { Range } from '../syntax/ast.js';

export interface ScoreRange {
  lo: number;
  hi: number;
  /** the rules that give `hi` (their source texts with points), for the warning */
  best: string[];
  /** the rules that give `lo` */
  worst: string[];
}

/** What a condition needs of one attribute: a set of values and/or number bounds. */
interface Need {
  values: Set<string> | null;
  lo: number;
  loStrict: boolean;
  hi: number;
  hiStrict: boolean;
}

type Needs = Map<string, Need>;

const ANY = (): Need => ({ values: null, lo: -Infinity, loStrict: false, hi: Infinity, hiStrict: false });

function attrOf(v: IRValue): string | null {
  if (v.k === 'attr') return v.name;
  if (v.k === 'lower' && v.arg.k === 'attr') return v.arg.name;
  return null;
}

function literal(v: IRValue): string | number | boolean | null {
  if (v.k === 'str') return v.value.toLowerCase();
  if (v.k === 'num' || v.k === 'date') return v.value;
  if (v.k === 'bool') return v.value;
  return null;
}

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };

/** Add `x op value` (number bounds) to `n`. */
function bound(n: Need, op: string, x: number): void {
  if (op === '>' || op === '>=') {
    if (x > n.lo || (x === n.lo && op === '>')) {
      n.lo = x;
      n.loStrict = op === '>';
    }
  } else if (op === '<' || op === '<=') {
    if (x < n.hi || (x === n.hi && op === '<')) {
      n.hi = x;
      n.hiStrict = op === '<';
    }
  }
}

/** What `c` requires of the attributes (nothing for conditions it cannot read). */
function needsOf(c: IRCond, out: Needs = new Map()): Needs {
  const at = (name: string) => {
    let n = out.get(name);
    if (!n) out.set(name, (n = ANY()));
    return n;
  };
  const values = (n: Need, vs: (string | number | boolean)[]) => {
    const set = new Set(vs.map((v) => (typeof v === 'string' ? v.toLowerCase() : String(v))));
    n.values = n.values ? new Set([...n.values].filter((v) => set.has(v))) : set;
  };
  switch (c.k) {
    case 'and':
      for (const a of c.args) needsOf(a, out);
      break;
    case 'truthy': {
      const a = attrOf(c.value);
      if (a) values(at(a), [true]);
      break;
    }
    case 'cmp': {
      let [l, r, op] = [c.left, c.right, c.op as string];
      if (attrOf(l) === null) [l, r, op] = [r, l, FLIP[op]!];
      const a = attrOf(l);
      const v = literal(r);
      if (a === null || v === null) break;
      if (op === '==') {
        if (typeof v === 'number') {
          bound(at(a), '>=', v);
          bound(at(a), '<=', v);
        } else values(at(a), [v]);
      } else if (typeof v === 'number') bound(at(a), op, v);
      break;
    }
    case 'in': {
      const a = attrOf(c.value);
      if (a && c.type !== 'number') values(at(a), c.items);
      break;
    }
    case 'between': {
      const a = attrOf(c.value);
      const lo = literal(c.low);
      const hi = literal(c.high);
      if (a && typeof lo === 'number' && typeof hi === 'number') {
        bound(at(a), '>=', lo);
        bound(at(a), '<=', hi);
      }
      break;
    }
  }
  return out;
}

function empty(n: Need): boolean {
  if (n.values && n.values.size === 0) return true;
  return n.lo > n.hi || (n.lo === n.hi && (n.loStrict || n.hiStrict));
}

/** `a` and `b` together, or null when no value meets both. */
function merge(a: Needs, b: Needs): Needs | null {
  const out: Needs = new Map(a);
  for (const [name, nb] of b) {
    const na = out.get(name);
    if (!na) {
      if (empty(nb)) return null;
      out.set(name, nb);
      continue;
    }
    const m: Need = { ...na };
    bound(m, nb.loStrict ? '>' : '>=', nb.lo);
    bound(m, nb.hiStrict ? '<' : '<=', nb.hi);
    if (nb.values) m.values = m.values ? new Set([...m.values].filter((v) => nb.values!.has(v))) : nb.values;
    if (empty(m)) return null;
    out.set(name, m);
  }
  return out;
}

/** Search budget: beyond it the rules are simply summed (still sound, maybe wider). */
const BUDGET = 50_000;
/** Blocks with more `when` rules of one sign than this are summed without the search. */
const MAX_SEARCHED = 500;

/** The largest sum of `points` (all > 0) over rules whose needs can hold together, and those rules. */
function bestConsistent(rules: { points: number; needs: Needs; text: string }[]): { sum: number; picked: string[] } {
  const sorted = [...rules].sort((a, b) => b.points - a.points);
  const suffix = new Array<number>(sorted.length + 1).fill(0);
  for (let i = sorted.length - 1; i >= 0; i--) suffix[i] = suffix[i + 1]! + sorted[i]!.points;
  // the search recurses once per rule taken: a generated block of thousands of rules is summed
  if (sorted.length > MAX_SEARCHED) return { sum: suffix[0]!, picked: sorted.map((r) => r.text) };
  let best = 0;
  let bestPicked: string[] = [];
  let steps = 0;
  /** how many times `best` grew: the rules picked are copied only where the last growth ends */
  let improvements = 0;
  const picked: string[] = [];
  const go = (i: number, cur: number, needs: Needs): boolean => {
    if (++steps > BUDGET) return false;
    let mark = -1;
    if (cur > best) {
      best = cur;
      mark = ++improvements;
    }
    for (let j = i; j < sorted.length; j++) {
      if (cur + suffix[j]! <= best) break;
      const m = merge(needs, sorted[j]!.needs);
      if (!m) continue;
      picked.push(sorted[j]!.text);
      const ok = go(j + 1, cur + sorted[j]!.points, m);
      picked.pop();
      if (!ok) return false;
    }
    // nothing below this point did better: the rules picked to get here are the best so far
    if (mark === improvements) bestPicked = [...picked];
    return true;
  };
  if (!go(0, 0, new Map())) return { sum: suffix[0]!, picked: sorted.map((r) => r.text) };
  return { sum: best, picked: bestPicked };
}

function signed(n: number): string {
  return `${n > 0 ? '+' : ''}${n}`;
}

/** The interval of one non-`when` rule's contribution. */
function ruleRange(r: Exclude<IRRule, { k: 'when' }>): [number, number] {
  const p = r.points;
  let lo: number;
  let hi: number;
  if (r.k === 'once') [lo, hi] = [Math.min(0, p), Math.max(0, p)];
  else if (r.k === 'perActivity') [lo, hi] = p >= 0 ? [0, p === 0 ? 0 : Infinity] : [-Infinity, 0];
  else [lo, hi] = p === 0 ? [0, 0] : [-Infinity, Infinity];
  if (r.max !== null) {
    const m = Math.abs(r.max);
    [lo, hi] = [Math.max(lo, -m), Math.min(hi, m)];
  }
  return [lo, hi];
}

function mul(a: [number, number], b: [number, number]): [number, number] {
  const ps = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]].map((x) => (Number.isNaN(x) ? 0 : x));
  return [Math.min(...ps), Math.max(...ps)];
}

/** The interval of every score of the ruleset. */
export function scoreRanges(ir: IR): Map<string, ScoreRange> {
  const out = new Map<string, ScoreRange>();
  const arith = (e: IRArith): [number, number] => {
    switch (e.k) {
      case 'num':
        return [e.value, e.value];
      case 'score': {
        const s = out.get(e.name);
        return s ? [s.lo, s.hi] : [-Infinity, Infinity];
      }
      case 'attr':
        return [-Infinity, Infinity];
      case 'neg': {
        const [lo, hi] = arith(e.arg);
        return [-hi, -lo];
      }
      case 'add':
      case 'sub': {
        const a = arith(e.left);
        const [blo, bhi] = arith(e.right);
        const b: [number, number] = e.k === 'add' ? [blo, bhi] : [-bhi, -blo];
        return [a[0] + b[0], a[1] + b[1]];
      }
      case 'mul':
        return mul(arith(e.left), arith(e.right));
    }
  };
  for (const entry of ir.order) {
    if (entry.kind !== 'score') continue;
    const s = ir.scores.find((x) => x.name === entry.name);
    if (!s) continue;
    if (s.kind === 'derived') {
      const [lo, hi] = arith(s.expr);
      out.set(s.name, { lo, hi, best: [], worst: [] });
      continue;
    }
    let lo = 0;
    let hi = 0;
    const best: string[] = [];
    const worst: string[] = [];
    const ups: { points: number; needs: Needs; text: string }[] = [];
    const downs: { points: number; needs: Needs; text: string }[] = [];
    for (const r of s.rules) {
      const text = r.src.text;
      if (r.k === 'when') {
        if (r.points > 0) ups.push({ points: r.points, needs: needsOf(r.cond), text });
        else if (r.points < 0) downs.push({ points: -r.points, needs: needsOf(r.cond), text });
        continue;
      }
      const [a, b] = ruleRange(r);
      lo += a;
      hi += b;
      if (b > 0) best.push(b === r.points ? text : `${text} (at most ${signed(b)})`);
      if (a < 0) worst.push(a === r.points ? text : `${text} (at least ${a})`);
    }
    const up = bestConsistent(ups);
    const down = bestConsistent(downs);
    out.set(s.name, { lo: lo - down.sum, hi: hi + up.sum, best: [...up.picked, ...best], worst: [...down.picked, ...worst] });
  }
  return out;
}

/** A 1-based line and column of the source, as a Range (offset from the text). */
function rangeAt(text: string, line: number, col: number, length = 1): Range {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) break;
    offset = nl + 1;
  }
  offset += col - 1;
  return { start: { offset, line, column: col }, end: { offset: offset + length, line, column: col + length } };
}

/** Where `label` is written in the band declared at `line:col` (the band itself if not found). */
function labelRange(text: string, line: number, col: number, label: string): Range {
  const start = rangeAt(text, line, col).start.offset;
  const close = text.indexOf('}', start);
  const body = text.slice(start, close < 0 ? undefined : close);
  const esc = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp('(?:^|[{,\\s])(`?' + esc + '`?)\\s*(?:>=|otherwise)').exec(body);
  if (!m) return rangeAt(text, line, col);
  const at = start + m.index + m[0].indexOf(m[1]!);
  let l = 1;
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl >= 0 && nl < at; nl = text.indexOf('\n', nl + 1)) {
    l++;
    lineStart = nl + 1;
  }
  const c = at - lineStart + 1;
  return rangeAt(text, l, c, m[1]!.length);
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100);
}

function why(rules: string[]): string {
  if (!rules.length) return '';
  const shown = rules.slice(0, 4).map((t) => `\`${t}\``);
  return ` (${shown.join(', ')}${rules.length > 4 ? `, and ${rules.length - 4} more` : ''})`;
}

/** The scores that are compared with a number in every way `c` can hold (its `and` parts). */
function requiredCmps(c: IRCond, out: { score: string; op: string; value: number }[] = []): { score: string; op: string; value: number }[] {
  if (c.k === 'and') for (const a of c.args) requiredCmps(a, out);
  else if (c.k === 'cmp') {
    let [l, r, op] = [c.left, c.right, c.op as string];
    if (l.k !== 'score') [l, r, op] = [r, l, FLIP[op]!];
    if (l.k === 'score' && r.k === 'num') out.push({ score: l.name, op, value: r.value });
  }
  return out;
}

/** LQL406: band labels and stages that no lead can reach. */
export function unreachable(ir: IR, text: string): Diagnostic[] {
  const ranges = scoreRanges(ir);
  const out: Diagnostic[] = [];
  for (const band of ir.bands) {
    if (band.source.k !== 'score') continue;
    const r = ranges.get(band.source.name);
    if (!r) continue;
    const s = band.source.name;
    band.labels.forEach((l, i) => {
      const above = i > 0 ? band.labels[i - 1]!.min : null;
      const where = (): Range => labelRange(text, band.src.line, band.src.col, l.label);
      const what = `Label \`${l.label}\` of band \`${band.name}\``;
      if (l.min !== null && r.hi < l.min) {
        out.push(diag('LQL406', where(), { what, need: `${s} >= ${num(l.min)}`, reason: `the most ${s} can reach is ${num(r.hi)}${why(r.best)}` }));
      } else if (above !== null && r.lo >= above) {
        const need = l.min === null ? `${s} < ${num(above)}` : `${num(l.min)} <= ${s} < ${num(above)}`;
        out.push(diag('LQL406', where(), { what, need, reason: `${s} is never below ${num(r.lo)}${why(r.worst)}` }));
      }
    });
  }
  // reaching a stage reaches every stage below it: a stage is out of reach only when
  // its own condition and those of all the stages above it (listed first) are
  let aboveNever = true;
  for (const st of ir.stages) {
    if (!st.cond) break;
    let never = false;
    for (const c of requiredCmps(st.cond)) {
      const r = ranges.get(c.score);
      if (!r) continue;
      const why0 =
        ((c.op === '>=' && r.hi < c.value) || (c.op === '>' && r.hi <= c.value)) ? `the most ${c.score} can reach is ${num(r.hi)}${why(r.best)}`
        : ((c.op === '<=' && r.lo > c.value) || (c.op === '<' && r.lo >= c.value)) ? `${c.score} is never below ${num(r.lo)}${why(r.worst)}`
        : null;
      if (why0) {
        never = true;
        if (aboveNever) out.push(diag('LQL406', rangeAt(text, st.src.line, st.src.col, st.name.length), { what: `Stage \`${st.name}\``, need: `${c.score} ${c.op} ${num(c.value)}`, reason: why0 }));
        break;
      }
    }
    aboveNever &&= never;
  }
  return out;
}

/**
 * Concise builders of LQL IR for the JS emitter's tests (no parser needed).
 *
 * Input: plain arguments. Output: IR nodes (language/compile/ir.ts) with fresh
 * ids and a `src` whose text is a readable rendering of the node.
 * Invariants: `ruleset()` fills `order` in the order scores then bands are
 * given (callers list them dependencies first), and `maxId`.
 */
import type { IR, IRArith, IRBand, IRCond, IRRoute, IRRule, IRScore, IRStage, IRType, IRValue } from '../../language/compile/ir.js';

let nextId = 0;
let nextLine = 1;
const src = (text: string, line = nextLine) => ({ line, col: 1, text });
const id = () => ++nextId;

export const DAY = 86_400_000;
export const ms = (iso: string): number => Date.parse(iso.length === 10 ? iso + 'T00:00:00Z' : iso);

// -- values
export const attr = (name: string, type: IRType = 'number'): IRValue => ({ k: 'attr', id: id(), src: src(name), name, type });
export const score = (name: string): IRValue => ({ k: 'score', id: id(), src: src(name), name });
export const band = (name: string): IRValue => ({ k: 'band', id: id(), src: src(name), name });
export const n = (value: number): IRValue => ({ k: 'num', id: id(), src: src(String(value)), value });
export const s = (value: string): IRValue => ({ k: 'str', id: id(), src: src(JSON.stringify(value)), value });
export const d = (iso: string): IRValue => ({ k: 'date', id: id(), src: src(iso), value: ms(iso) });
export const b = (value: boolean): IRValue => ({ k: 'bool', id: id(), src: src(String(value)), value });
export const lower = (arg: IRValue): IRValue => ({ k: 'lower', id: id(), src: src(`lower(${arg.src.text})`), arg });
export const domain = (arg: IRValue): IRValue => ({ k: 'domain', id: id(), src: src(`domain(${arg.src.text})`), arg });
export const count = (activity: string, windowDays: number | null = null): IRValue => ({
  k: 'count',
  id: id(),
  src: src(windowDays === null ? `count(${activity})` : `count(${activity} in last ${windowDays} days)`),
  activity,
  windowMs: windowDays === null ? null : windowDays * DAY,
});
export const daysSince = (a: string): IRValue => ({ k: 'daysSince', id: id(), src: src(`days since ${a}`), attr: a });
export const daysSinceLast = (a: string): IRValue => ({ k: 'daysSinceLast', id: id(), src: src(`days since last ${a}`), activity: a });
export const stageV = (): IRValue => ({ k: 'stage', id: id(), src: src('stage') });

// -- conditions
type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';
const typeOf = (v: IRValue): IRType =>
  v.k === 'attr' ? v.type : v.k === 'str' || v.k === 'band' || v.k === 'lower' || v.k === 'domain' || v.k === 'stage' ? 'text' : v.k === 'bool' ? 'bool' : v.k === 'date' ? 'date' : 'number';
export const cmp = (left: IRValue, op: Op, right: IRValue, type: IRType = typeOf(left)): IRCond => ({
  k: 'cmp',
  id: id(),
  src: src(`${left.src.text} ${op} ${right.src.text}`),
  op,
  type,
  left,
  right,
});
export const and = (...args: IRCond[]): IRCond => ({ k: 'and', id: id(), src: src(args.map((a) => a.src.text).join(' and ')), args });
export const or = (...args: IRCond[]): IRCond => ({ k: 'or', id: id(), src: src(args.map((a) => a.src.text).join(' or ')), args });
export const not = (arg: IRCond): IRCond => ({ k: 'not', id: id(), src: src(`not ${arg.src.text}`), arg });
export const konst = (value: boolean): IRCond => ({ k: 'const', id: id(), src: src(String(value)), value });
export const inList = (value: IRValue, items: (string | number | boolean)[], type: IRType = typeOf(value)): IRCond => ({
  k: 'in',
  id: id(),
  src: src(`${value.src.text} in ${JSON.stringify(items)}`),
  type,
  value,
  items,
});
export const between = (value: IRValue, low: IRValue, high: IRValue, type: IRType = typeOf(value)): IRCond => ({
  k: 'between',
  id: id(),
  src: src(`${value.src.text} between ${low.src.text} and ${high.src.text}`),
  type,
  value,
  low,
  high,
});
export const text = (value: IRValue, op: 'contains' | 'starts_with' | 'ends_with', arg: IRValue): IRCond => ({
  k: 'text',
  id: id(),
  src: src(`${value.src.text} ${op.replace('_', ' ')} ${arg.src.text}`),
  op,
  value,
  arg,
});
export const matches = (value: IRValue, pattern: string, flags = ''): IRCond => ({
  k: 'matches',
  id: id(),
  src: src(`${value.src.text} matches /${pattern}/${flags}`),
  value,
  pattern,
  flags,
});
export const present = (value: IRValue): IRCond => ({ k: 'present', id: id(), src: src(`${value.src.text} is present`), value });
export const missing = (value: IRValue): IRCond => not(present(value));
export const has = (activity: string): IRCond => ({ k: 'has', id: id(), src: src(activity), activity });
export const reached = (stage: string): IRCond => ({ k: 'reached', id: id(), src: src(stage), stage });
export const truthy = (value: IRValue): IRCond => ({ k: 'truthy', id: id(), src: src(value.src.text), value });

// -- arithmetic
export const A = {
  add: (left: IRArith, right: IRArith): IRArith => ({ k: 'add', id: id(), src: src('+'), left, right }),
  sub: (left: IRArith, right: IRArith): IRArith => ({ k: 'sub', id: id(), src: src('-'), left, right }),
  mul: (left: IRArith, right: IRArith): IRArith => ({ k: 'mul', id: id(), src: src('*'), left, right }),
  neg: (arg: IRArith): IRArith => ({ k: 'neg', id: id(), src: src('-'), arg }),
  n: (value: number): IRArith => ({ k: 'num', id: id(), src: src(String(value)), value }),
  score: (name: string): IRArith => ({ k: 'score', id: id(), src: src(name), name }),
  attr: (name: string): IRArith => ({ k: 'attr', id: id(), src: src(name), name, type: 'number' }),
};

// -- rules (each on its own line)
const sign = (p: number) => (p < 0 || Object.is(p, -0) ? String(p) : '+' + p);
const mods = (windowDays: number | null | undefined, max: number | null | undefined) =>
  (windowDays != null ? ` in last ${windowDays} days` : '') + (max != null ? `, max ${max}` : '');
export const when = (points: number, cond: IRCond): IRRule => ({
  k: 'when',
  index: 0,
  points,
  cond,
  src: src(`${sign(points)} when ${cond.src.text}`, nextLine++),
});
export const per = (points: number, activity: string, o: { window?: number | null; max?: number | null } = {}): IRRule => ({
  k: 'perActivity',
  index: 0,
  points,
  activity,
  windowMs: o.window == null ? null : o.window * DAY,
  max: o.max ?? null,
  src: src(`${sign(points)} per ${activity}${mods(o.window, o.max)}`, nextLine++),
});
export const once = (points: number, activity: string, o: { window?: number | null; max?: number | null } = {}): IRRule => ({
  k: 'once',
  index: 0,
  points,
  activity,
  windowMs: o.window == null ? null : o.window * DAY,
  max: o.max ?? null,
  src: src(`${sign(points)} once ${activity}${mods(o.window, o.max)}`, nextLine++),
});
export const perAttr = (points: number, a: string, max: number | null = null): IRRule => ({
  k: 'perAttribute',
  index: 0,
  points,
  attr: a,
  max,
  src: src(`${sign(points)} per ${a}${mods(null, max)}`, nextLine++),
});

// -- declarations
export const block = (
  name: string,
  rules: IRRule[],
  o: { halfLifeDays?: number; kind?: 'fit' | 'engagement' | 'score' } = {},
): IRScore => ({
  kind: 'block',
  name,
  block: o.kind ?? (name === 'fit' || name === 'engagement' ? name : 'score'),
  halfLifeMs: o.halfLifeDays === undefined ? null : o.halfLifeDays * DAY,
  rules: rules.map((r, index) => ({ ...r, index })),
  src: src(name),
});
export const derived = (name: string, expr: IRArith): IRScore => ({ kind: 'derived', name, expr, src: src(name) });
export const bandDef = (name: string, source: { k: 'score' | 'attr'; name: string }, labels: [string, number | null][]): IRBand => ({
  name,
  source: source.k === 'score' ? { k: 'score', name: source.name } : { k: 'attr', name: source.name },
  labels: labels.map(([label, min]) => ({ label, min })),
  src: src(name),
});
export const stage = (name: string, cond: IRCond | null = null): IRStage => ({ name, cond, src: src(name) });
export const route = (action: string, cond: IRCond | null = null): IRRoute => ({ action, cond, src: src(JSON.stringify(action), nextLine++) });

export function ruleset(o: {
  name?: string | null;
  activities?: string[];
  scores?: IRScore[];
  bands?: IRBand[];
  stages?: IRStage[];
  routes?: IRRoute[];
}): IR {
  const scores = o.scores ?? [];
  const bands = o.bands ?? [];
  return {
    format: 'lql-ir',
    version: 1,
    name: o.name ?? null,
    attributes: [],
    activities: o.activities ?? [],
    scores,
    bands,
    order: [...scores.map((x) => ({ kind: 'score' as const, name: x.name })), ...bands.map((x) => ({ kind: 'band' as const, name: x.name }))],
    stages: o.stages ?? [],
    routes: o.routes ?? [],
    tests: [],
    maxId: nextId,
  };
}

/**
 * Random rulesets and datasets for the engine differential suite
 * (test/sql/random-engines.test.ts), built so that the engines' edge cases
 * are hit often rather than by luck.
 *
 * Input: a seed and a group number. Output: `genGroup()` — one ruleset (LQL
 * source), a shared asOf and a set of leads with events, ready to be scored
 * by every engine.
 * Invariants:
 * - thresholds (stage `when` bounds, band cut-offs, route conditions) are
 *   drawn from values the scores can actually take: sums of `when` points,
 *   one event's points, points at whole half-lives (`+80 per v`, half-life
 *   30 days, an event 90 days before asOf is exactly 10), sums of two such;
 * - event times lie mostly on the half-life grid below asOf (so decayed sums
 *   are exact and thresholds are met exactly), sometimes at asOf itself, at
 *   a window's edge, after asOf, or of an undeclared type;
 * - lead values include text that looks like a number (`02134`, `"042"`,
 *   `1e5`), empty domains (`x@`), huge and tiny numbers (1e300, 5e-324,
 *   negative), numbers beyond 2^53, and missing values; every value is one a
 *   data file can hold for its column's type (no bad values: those are
 *   errors in the file readers and are tested elsewhere);
 * - no score can overflow a double (huge attribute values only meet
 *   constant factors).
 */
import { seeded } from './independent.js';

const DAY = 86_400_000;
export const DIFF_T0 = Date.UTC(2026, 0, 1);

export interface DiffLead {
  id: string;
  attrs: Record<string, unknown>;
  events: { type: string; at: number }[];
}

export interface DiffGroup {
  source: string;
  /** the run's asOf (epoch ms); undefined for the default of docs/semantics.md */
  asOf: number | undefined;
  leads: DiffLead[];
}

const N1_VALUES: unknown[] = [
  0,
  1,
  2,
  3,
  10,
  -3,
  1.5,
  1e300,
  -1e300,
  5e-324,
  -5e-324,
  1e-300,
  2.5e-10,
  4.5e15,
  9007199254740993,
  '9007199254740993',
  '042',
  '1e5',
  ' 7 ',
  '-0',
  null,
  undefined,
];
const N2_VALUES: unknown[] = [0, 1, 2, 5, 8, 10, 12, '3', null, undefined];
const T1_VALUES: unknown[] = ['02134', '2134', '042', '42', 42, '1e5', '100000', 'x', 'X', '', null, undefined];
const ZIP_VALUES: unknown[] = ['02134', '2134', '00000', '0', null, undefined];
const EMAIL_VALUES: unknown[] = ['a@b.com', 'x@', 'X@B.COM', 'nobody', 'a@b@c.com', '@', '', null, undefined];
const B1_VALUES: unknown[] = [true, false, 'yes', 'no', '1', '0', null, undefined];

/** One group: a ruleset and `leads` leads scored as of one time. */
export function genGroup(seed: number, group: number, leads: number): DiffGroup {
  const rnd = seeded((seed * 1_000_003 + group * 7919) >>> 0);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const chance = (p: number) => rnd() < p;

  const halfLife = pick([undefined, 1, 7, 30, 30]);
  const acts = ['a1', 'a2', 'a3'];
  const ptsPool = [1, 2, 3, 5, 8, 10, 16, 20, 40, 80, -3, -10, 0.5, 0.1];

  // --- engagement: per / once / per attribute / when rules
  const eng: string[] = [];
  const actPoints: number[] = [];
  const windows: number[] = [];
  for (let i = int(1, 4); i > 0; i--) {
    const p = pick(ptsPool);
    const kind = pick(['per', 'per', 'once', 'attr', 'when']);
    const sign = p >= 0 ? `+${p}` : `${p}`;
    if (kind === 'per' || kind === 'once') {
      const a = pick(acts);
      let w = '';
      if (chance(0.3)) {
        const d = halfLife ? halfLife * int(1, 3) : int(1, 30);
        windows.push(d);
        w = ` in last ${d} day${d === 1 ? '' : 's'}`;
      }
      const max = chance(0.2) ? `, max ${Math.abs(p) * int(1, 3)}` : '';
      eng.push(`${sign} ${kind} ${a}${w}${max}`);
      actPoints.push(p);
    } else if (kind === 'attr') {
      eng.push(`${sign} per n2${chance(0.3) ? `, max ${int(5, 40)}` : ''}`);
    } else {
      eng.push(`${sign} when ${pick(['count(a1) >= 2', 'a2', 'zip starts with "0"', 'days since last a3 <= 7', 't1 == "042"'])}`);
      actPoints.push(p);
    }
  }
  // --- fit: when rules and a per-attribute rule on a column with huge and tiny values
  const fit: string[] = [];
  const fitPoints: number[] = [];
  for (let i = int(1, 4); i > 0; i--) {
    const p = pick([5, 10, 15, 20, 25, -5, 0.25]);
    fitPoints.push(p);
    fit.push(
      `${p >= 0 ? '+' : ''}${p} when ${pick([
        't1 == "02134"',
        't1 in ["042", "1e5"]',
        't1 starts with "0"',
        't1 == "42"',
        'zip starts with "0"',
        'zip == "02134"',
        'domain(email) == "b.com"',
        'domain(email) is missing',
        'email ends with "@"',
        'n1 > 0',
        'n1 < 0',
        'n1 >= 1e300',
        'n1 == 0',
        'n1 is missing',
        'b1',
        'not b1',
        'n2 between 2 and 8',
      ])}`,
    );
  }
  if (chance(0.5)) fit.push(`+${pick([1, 2, 0.5])} per n1${chance(0.3) ? `, max ${int(10, 50)}` : ''}`);

  // --- values the scores can take
  const grid = halfLife ? [1, 0.5, 0.25, 0.125, 0.0625] : [1, 2, 3];
  const engValues = new Set<number>([0]);
  for (const p of actPoints) for (const g of grid) engValues.add(p * g);
  const singles = [...engValues];
  for (let k = 0; k < 12; k++) engValues.add(pick(singles) + pick(singles));
  const fitValues = new Set<number>([0]);
  for (let mask = 1; mask < 1 << fitPoints.length; mask++) {
    let s = 0;
    fitPoints.forEach((p, j) => (s += mask & (1 << j) ? p : 0));
    fitValues.add(s);
  }
  const ev = [...engValues];
  const fv = [...fitValues];
  const num = (x: number) => String(Number(x.toPrecision(15)));
  const engTh = () => num(pick(ev));
  const fitTh = () => num(pick(fv));
  const derived = pick(['fit + engagement', 'fit * 2 - engagement', 'engagement - n1', 'fit + engagement + n2']);
  const totalTh = () => num(derived.startsWith('fit * 2') ? 2 * pick(fv) - pick(ev) : pick(fv) + pick(ev));
  const cmp = () => pick(['>=', '>=', '>', '==', '<=']);

  const bandCuts = (values: () => string) => {
    const cuts = [...new Set(Array.from({ length: int(1, 3) }, values).map(Number))].sort((a, b) => b - a);
    return cuts;
  };
  const fitCuts = bandCuts(fitTh);
  const engCuts = bandCuts(engTh);
  const labels = ['A', 'B', 'C', 'D'];
  const temps = ['hot', 'warm', 'mild'];

  const stageCond = () =>
    pick([
      `engagement ${cmp()} ${engTh()}`,
      `fit ${cmp()} ${fitTh()} and engagement ${cmp()} ${engTh()}`,
      `total ${cmp()} ${totalTh()}`,
      `count(${pick(acts)}) >= ${int(1, 3)}`,
      `grade == A`,
      `temp != cold`,
      `engagement ${cmp()} ${engTh()} or fit ${cmp()} ${fitTh()}`,
    ]);
  const stageNames = chance(0.7) ? ['SQL', 'MQL'] : ['MQL'];
  const stages = stageNames.map((s) => `  ${s} when ${stageCond()}${s === 'SQL' && chance(0.5) ? ' and MQL' : ''}`);
  const routeConds = Array.from({ length: int(1, 4) }, () =>
    pick([
      `engagement ${cmp()} ${engTh()}`,
      `fit ${cmp()} ${fitTh()}`,
      `total ${cmp()} ${totalTh()}`,
      `stage == MQL`,
      stageNames[0]!,
      't1 == "02134"',
      't1 == "1e5"',
      'zip starts with "0"',
      'domain(email) is missing',
      'n1 > 0',
      'n1 >= 9007199254740992',
      'n1 < -1e299',
      `temp == ${temps[0]}`,
    ]),
  );

  const lines = [
    'ruleset "differential"',
    'attribute n1: number',
    'attribute t1: text',
    'attribute b1: bool',
    `activity ${acts.join(', ')}`,
    `fit {\n${fit.map((r) => `  ${r}`).join('\n')}\n}`,
    `engagement {\n${eng.map((r) => `  ${r}`).join('\n')}${halfLife ? `\n  decay half-life ${halfLife} day${halfLife === 1 ? '' : 's'}` : ''}\n}`,
    `score total = ${derived}`,
    `band grade from fit { ${fitCuts.map((c, i) => `${labels[i]} >= ${num(c)}`).join(', ')}, ${labels[fitCuts.length]} otherwise }`,
    `band temp from engagement { ${engCuts.map((c, i) => `${temps[i]} >= ${num(c)}`).join(', ')}, cold otherwise }`,
    `stages {\n${stages.join('\n')}\n  lead otherwise\n}`,
    `route {\n${routeConds.map((c, i) => `  "r${i}" when ${c}`).join('\n')}\n  "nurture" otherwise\n}`,
  ];
  const source = lines.join('\n') + '\n';

  // --- the data
  const asOf = DIFF_T0 + int(60, 120) * DAY + (chance(0.3) ? int(1, 23) * 3_600_000 : 0);
  const step = (halfLife ?? 1) * DAY;
  const out: DiffLead[] = [];
  for (let i = 0; i < leads; i++) {
    const attrs: Record<string, unknown> = {};
    const put = (k: string, values: unknown[]) => {
      const v = pick(values);
      if (v !== undefined) attrs[k] = v;
    };
    put('n1', N1_VALUES);
    put('n2', N2_VALUES);
    put('t1', T1_VALUES);
    put('zip', ZIP_VALUES);
    put('email', EMAIL_VALUES);
    put('b1', B1_VALUES);
    const events: DiffLead['events'] = [];
    for (let k = int(0, 6); k > 0; k--) {
      const type = chance(0.1) ? 'zz' : pick(acts);
      const r = rnd();
      let at: number;
      if (r < 0.55)
        at = asOf - int(0, 5) * step; // whole half-lives (or whole days)
      else if (r < 0.65)
        at = asOf - (windows.length ? pick(windows) : 7) * DAY; // a window's edge
      else if (r < 0.72)
        at = asOf + int(1, 48) * 3_600_000; // after asOf: ignored
      else if (r < 0.8 && events.length)
        at = events[events.length - 1]!.at; // the same time as another event
      else at = asOf - int(0, 90 * 24) * 3_600_000;
      events.push({ type, at });
    }
    out.push({ id: `L${i}`, attrs, events });
  }
  return { source, asOf, leads: out };
}

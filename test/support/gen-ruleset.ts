/**
 * Random LQL rulesets, leads and events for property tests (fast-check).
 *
 * Input: none (fast-check arbitraries). Output: `arbRuleset` (valid LQL
 * source over a fixed schema), `arbLead`, `arbEvents`, `arbCase` (all three),
 * and the schema (`SCHEMA`) so that other engines (columnar kernel, SQL) can
 * build their tables from the same leads.
 * Invariants: every generated ruleset checks without errors (a test asserts
 * it); leads mix well-typed values, missing values, numeric strings and
 * junk; events include unknown activity types and shared timestamps.
 */
import fc from 'fast-check';

export const SCHEMA = {
  numbers: ['n1', 'n2'],
  texts: ['t1', 't2'],
  bools: ['b1'],
  dates: ['d1'],
  activities: ['a1', 'a2', 'a3'],
  textValues: ['x', 'y', 'z', 'X', 'vp sales', 'Head of x', 'a@Mail.com', 'b@gmail.com', 'zz'],
} as const;

export const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

const pick = <T,>(xs: readonly T[]) => fc.constantFrom(...xs);
const smallInt = fc.integer({ min: -5, max: 60 });
const points = fc.integer({ min: -20, max: 40 }).map((n) => (n >= 0 ? `+${n}` : `${n}`));
const durations = fc.constantFrom('1 day', '3 days', '7 days', '2 weeks', '12 hours', '30 days');
const numOp = fc.constantFrom('==', '!=', '<', '<=', '>', '>=');

/** A profile condition: no activities (usable in fit and segments). */
function profileLeaf(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(pick(SCHEMA.numbers), numOp, smallInt).map(([a, op, k]) => `${a} ${op} ${k}`),
    fc.tuple(pick(SCHEMA.texts), fc.constantFrom('==', '!='), pick(SCHEMA.textValues)).map(([a, op, v]) => `${a} ${op} ${JSON.stringify(v)}`),
    pick(SCHEMA.texts).map((a) => `${a} in L1`),
    fc.tuple(pick(SCHEMA.texts), fc.boolean()).map(([a, neg]) => `${a} ${neg ? 'not in' : 'in'} ["x", "zz"]`),
    fc.tuple(pick(SCHEMA.numbers), smallInt, smallInt).map(([a, x, y]) => `${a} between ${Math.min(x, y)} and ${Math.max(x, y)}`),
    fc.tuple(pick(SCHEMA.texts), fc.constantFrom('contains', 'starts with', 'ends with'), fc.constantFrom('x', 'a', 'Head', 'com')).map(([a, op, v]) => `${a} ${op} "${v}"`),
    fc.tuple(pick(SCHEMA.texts), fc.constantFrom('/x|y/', '/^head/i', '/vp/i', '/z+$/')).map(([a, re]) => `${a} matches ${re}`),
    fc.tuple(fc.constantFrom(...SCHEMA.numbers, ...SCHEMA.texts, ...SCHEMA.dates), fc.boolean()).map(([a, m]) => `${a} is ${m ? 'missing' : 'present'}`),
    pick(SCHEMA.bools),
    fc.tuple(numOp, fc.integer({ min: 0, max: 40 })).map(([op, k]) => `days since d1 ${op} ${k}`),
    fc.constantFrom('domain(t2) == "gmail.com"', 'lower(t1) == "x"', 'domain(t2) in ["mail.com", "gmail.com"]', 'd1 < 2026-01-15'),
  );
}

/** An activity condition (engagement, stages, routes). */
function activityLeaf(): fc.Arbitrary<string> {
  return fc.oneof(
    pick(SCHEMA.activities),
    fc.tuple(pick(SCHEMA.activities), numOp, fc.integer({ min: 0, max: 4 })).map(([a, op, k]) => `count(${a}) ${op} ${k}`),
    fc.tuple(pick(SCHEMA.activities), durations, numOp, fc.integer({ min: 0, max: 3 })).map(([a, d, op, k]) => `count(${a} in last ${d}) ${op} ${k}`),
    fc.tuple(pick(SCHEMA.activities), numOp, fc.integer({ min: 0, max: 30 })).map(([a, op, k]) => `days since last ${a} ${op} ${k}`),
  );
}

function combine(leaf: fc.Arbitrary<string>, depth: number): fc.Arbitrary<string> {
  if (depth <= 0) return leaf;
  const sub = combine(leaf, depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `${a} and ${b}`) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => `(${a} or ${b})`) },
    { weight: 1, arbitrary: sub.map((a) => `not (${a})`) },
  );
}

const profileCond = combine(profileLeaf(), 2);
const anyLeaf = fc.oneof(profileLeaf(), activityLeaf(), fc.constantFrom('seg1', 'fit >= 10', 'engagement > 5', 'grade == A', 'grade in [A, B]'));
const anyCond = combine(anyLeaf, 2);
const engagementLeaf = fc.oneof(profileLeaf(), activityLeaf(), fc.constantFrom('seg1', 'fit >= 10', 'grade == B'));
const engagementCond = combine(engagementLeaf, 1);

const engagementRule = fc.oneof(
  fc.tuple(points, pick(SCHEMA.activities), fc.option(durations, { nil: undefined }), fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined })).map(
    ([p, a, w, m]) => `${p} per ${a}${w ? ` in last ${w}` : ''}${m ? `, max ${m}` : ''}`,
  ),
  fc.tuple(points, pick(SCHEMA.activities), fc.option(durations, { nil: undefined }), fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined })).map(
    ([p, a, w, m]) => `${p} once ${a}${w ? ` in last ${w}` : ''}${m ? `, max ${m}` : ''}`,
  ),
  fc.tuple(points, engagementCond).map(([p, c]) => `${p} when ${c}`),
  fc.tuple(points, pick(SCHEMA.numbers), fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined })).map(([p, a, m]) => `${p} per ${a}${m ? `, max ${m}` : ''}`),
);

export interface GeneratedRuleset {
  source: string;
}

export const arbRuleset: fc.Arbitrary<string> = fc
  .record({
    seg: profileCond,
    fit: fc.array(fc.tuple(points, fc.oneof(profileCond, fc.constant('seg1'))), { minLength: 1, maxLength: 4 }),
    eng: fc.array(engagementRule, { minLength: 1, maxLength: 5 }),
    decay: fc.option(fc.constantFrom('7 days', '30 days', '12 hours'), { nil: undefined }),
    s1: fc.array(fc.tuple(points, anyCond), { minLength: 0, maxLength: 3 }),
    thresholds: fc.uniqueArray(fc.integer({ min: -30, max: 80 }), { minLength: 1, maxLength: 3 }),
    tempThresholds: fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 2 }),
    stages: fc.array(anyCond, { minLength: 1, maxLength: 2 }),
    stageNamesLower: fc.boolean(),
    routes: fc.array(anyCond, { minLength: 0, maxLength: 3 }),
    derived: fc.constantFrom('fit + engagement', 'fit * 2 - engagement', '(fit + 1) * (engagement - n1)', 'fit + s1 - 3'),
  })
  .map((r) => {
    const labels = ['A', 'B', 'C', 'D'];
    const th = [...r.thresholds].sort((a, b) => b - a);
    const tt = [...r.tempThresholds].sort((a, b) => b - a);
    const stageNames = ['S2', 'S1'].slice(2 - r.stages.length);
    const lines = [
      'ruleset "generated"',
      'attribute n1: number',
      'attribute n2: number',
      'attribute t1: text',
      'attribute t2: text',
      'attribute b1: bool',
      'attribute d1: date',
      'activity a1, a2, a3',
      'list L1 = ["x", "y", "vp sales"]',
      `segment seg1 = ${r.seg}`,
      `fit {\n${r.fit.map(([p, c]) => `  ${p} when ${c}`).join('\n')}\n}`,
      `engagement {\n${r.eng.map((x) => '  ' + x).join('\n')}${r.decay ? `\n  decay half-life ${r.decay}` : ''}\n}`,
      `score s1 {\n${r.s1.map(([p, c]) => `  ${p} when ${c.replace(/\bs1\b/g, 'fit')}`).join('\n')}\n}`,
      `score total = ${r.derived}`,
      `band grade from fit { ${th.map((t, i) => `${labels[i]} >= ${t}`).join(', ')}, ${labels[th.length]} otherwise }`,
      `band temp from engagement { ${tt.map((t, i) => `${['hot', 'warm'][i]} >= ${t}`).join(', ')}, cold otherwise }`,
      `stages {\n${r.stages
        .map((c, i) => {
          const name = stageNames[i];
          const extra = r.stageNamesLower && name === 'S2' && stageNames.includes('S1') ? ' and S1' : '';
          return `  ${name} when ${c}${extra}`;
        })
        .join('\n')}\n  base otherwise\n}`,
      `route {\n${r.routes.map((c, i) => `  "r${i}" when ${c}`).join('\n')}${r.routes.length ? '\n' : ''}  "drop" otherwise\n}`,
    ];
    return lines.join('\n') + '\n';
  });

const numberish = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -10, max: 70 }) },
  { weight: 1, arbitrary: fc.double({ min: -10, max: 70, noNaN: true }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 50 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom(null, '', 'abc', undefined) },
);
const textish = fc.oneof(
  { weight: 6, arbitrary: pick(SCHEMA.textValues) },
  { weight: 1, arbitrary: fc.constantFrom(null, '', undefined) },
  { weight: 1, arbitrary: fc.constantFrom(42) },
);
const boolish = fc.oneof(fc.boolean(), fc.constantFrom('yes', 'no', 'true', '0', null, 'maybe'));
const dateish = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 60 }).map((d) => new Date(T0 + d * DAY).toISOString().slice(0, 10)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 * 24 }).map((h) => T0 + h * 3_600_000) },
  { weight: 1, arbitrary: fc.constantFrom(null, 'not a date', '') },
);

export type GenLead = Record<string, unknown>;
export interface GenEvent {
  type: string;
  at: number;
}

export const arbLead: fc.Arbitrary<GenLead> = fc.record({
  n1: numberish,
  n2: numberish,
  t1: textish,
  t2: textish,
  b1: boolish,
  d1: dateish,
});

/** Events within 60 days of T0, hour-aligned (so equal timestamps happen), some of unknown types. */
export const arbEvents: fc.Arbitrary<GenEvent[]> = fc.array(
  fc.record({
    type: fc.oneof({ weight: 8, arbitrary: pick(SCHEMA.activities) }, { weight: 1, arbitrary: fc.constant('zz') }),
    at: fc.integer({ min: 0, max: 60 * 24 }).map((h) => T0 + h * 3_600_000 * (h % 3 === 0 ? 1 : 1)),
  }),
  { maxLength: 12 },
);

/** asOf: none (the latest event), or a time in or after the events' range. */
export const arbAsOf: fc.Arbitrary<number | undefined> = fc.option(
  fc.integer({ min: 0, max: 70 * 24 }).map((h) => T0 + h * 3_600_000),
  { nil: undefined },
);

export const arbCase = fc.record({ source: arbRuleset, lead: arbLead, events: arbEvents, asOf: arbAsOf });

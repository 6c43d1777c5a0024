// The compiled JS scorer on hand-built IR: every rule kind, windows, decay,
// stages, missing values and coercion, checked against values worked by hand.
import { describe, expect, test } from 'vitest';
import { compileScorer } from '../../language/compile/emit-js.js';
import * as I from './ir-build.js';

const { DAY, ms } = I;
const at = (iso: string) => ({ type: 'visit', at: iso });

describe('rule kinds', () => {
  const ir = I.ruleset({
    activities: ['visit', 'demo', 'click'],
    scores: [
      I.block('fit', [I.when(30, I.cmp(I.attr('employees'), '>=', I.n(100))), I.when(-5, I.cmp(I.attr('country', 'text'), '==', I.s('XX')))]),
      I.block('engagement', [
        I.per(2, 'visit', { max: 5 }),
        I.once(40, 'demo'),
        I.per(5, 'click', { window: 30 }),
        I.perAttr(0.5, 'visits', 3),
      ]),
      I.derived('total', I.A.sub(I.A.add(I.A.score('fit'), I.A.mul(I.A.n(2), I.A.score('engagement'))), I.A.attr('penalty'))),
    ],
  });
  const sc = compileScorer(ir);

  test('when, per (max), once, per in window, per attribute (max), derived', () => {
    const r = sc.score(
      { employees: 120, country: 'XX', visits: 4, penalty: 1 },
      [at('2026-01-01'), at('2026-01-02'), at('2026-01-03'), { type: 'demo', at: '2026-01-02' }, { type: 'demo', at: '2026-01-03' },
        { type: 'click', at: '2025-12-01' }, { type: 'click', at: '2026-01-02' }],
      '2026-01-10',
    );
    expect(r.scores.fit).toBe(25);
    // visits 3*2 = 6 -> max 5; demo once 40; one click in the last 30 days 5; 0.5*4 = 2
    expect(r.scores.engagement).toBe(5 + 40 + 5 + 2);
    expect(r.scores.total).toBe(25 + 2 * 52 - 1);
    expect(r.reasons.map((x) => x.points)).toEqual([30, -5, 5, 40, 5, 2]);
  });

  test('missing numeric attribute counts 0 in per and derived scores; rules at 0 give no reason', () => {
    const r = sc.score({}, [], 0);
    expect({ ...r.scores }).toEqual({ fit: 0, engagement: 0, total: 0 });
    expect(r.reasons).toEqual([]);
  });

  test('per-attribute max clamps negative too', () => {
    const ir2 = I.ruleset({ scores: [I.block('s', [I.perAttr(-2, 'x', 5)])] });
    expect(compileScorer(ir2).score({ x: 10 }).scores.s).toBe(-5);
    expect(compileScorer(ir2).score({ x: '2' }).scores.s).toBe(-4);
  });
});

describe('windows and time', () => {
  const ir = I.ruleset({
    activities: ['visit'],
    scores: [I.block('w', [I.per(1, 'visit', { window: 7 })]), I.block('c', [I.when(1, I.cmp(I.count('visit', 7), '==', I.n(1)))])],
  });
  const sc = compileScorer(ir);
  test('an event exactly at asOf - D is excluded, one at asOf included', () => {
    const asOf = ms('2026-01-08');
    expect(sc.score({}, [{ type: 'visit', at: asOf - 7 * DAY }], asOf).scores.w).toBe(0);
    expect(sc.score({}, [{ type: 'visit', at: asOf - 7 * DAY + 1 }], asOf).scores.w).toBe(1);
    expect(sc.score({}, [{ type: 'visit', at: asOf }], asOf).scores.w).toBe(1);
    expect(sc.score({}, [{ type: 'visit', at: asOf }], asOf).scores.c).toBe(1);
  });
  test('events after asOf are ignored; asOf defaults to the latest event, else 0', () => {
    expect(sc.score({}, [at('2026-01-09')], '2026-01-08').scores.w).toBe(0);
    const r = compileScorer(I.ruleset({ activities: ['visit'], stages: [I.stage('lead')] })).score({}, [at('2026-01-09'), at('2026-01-02')]);
    expect(r.reached.lead).toBe(ms('2026-01-02'));
    const none = compileScorer(I.ruleset({ activities: ['visit'], stages: [I.stage('lead')] })).score({}, []);
    expect(none.reached.lead).toBe(0);
  });
  test('event times as ISO text, epoch ms and Date; undeclared types and bad times ignored', () => {
    const r = sc.score({}, [at('2026-01-07T12:00:00Z'), { type: 'visit', at: ms('2026-01-06') }, { type: 'visit', at: new Date(ms('2026-01-05')) },
      { type: 'other', at: '2026-01-07' }, { type: 'visit', at: 'not a date' }, { type: 'visit', at: '2026-02-30' }], '2026-01-08');
    expect(r.scores.w).toBe(3);
  });
  test('days since and days since last are fractional', () => {
    const ir2 = I.ruleset({
      activities: ['visit'],
      scores: [I.block('s', [
        I.when(1, I.cmp(I.daysSince('created'), '==', I.n(0.5))),
        I.when(10, I.cmp(I.daysSinceLast('visit'), '==', I.n(1.5))),
        I.when(100, I.missing(I.daysSinceLast('visit'))),
      ])],
    });
    const s2 = compileScorer(ir2);
    expect(s2.score({ created: '2026-01-01T12:00:00Z' }, [at('2025-12-31T12:00:00Z')], '2026-01-02T00:00:00Z').scores.s).toBe(11);
    expect(s2.score({ created: ms('2026-01-01') }, [], ms('2026-01-01') + DAY / 2).scores.s).toBe(101);
  });
});

describe('decay', () => {
  const hl = 10;
  const ir = I.ruleset({
    activities: ['visit', 'demo'],
    scores: [
      I.block('e', [I.per(10, 'visit', { max: 15 }), I.once(40, 'demo', { window: 15 }), I.when(7, I.has('demo'))], { halfLifeDays: hl }),
    ],
  });
  const sc = compileScorer(ir);
  test('max applies after decay', () => {
    // two visits 10 days old: 2 * 10 * 0.5 = 10 (not clamped: decay first)
    expect(sc.score({}, [at('2026-01-01'), at('2026-01-01')], '2026-01-11').scores.e).toBe(10);
    // four visits 10 days old: 20 -> max 15
    expect(sc.score({}, [at('2026-01-01'), at('2026-01-01'), at('2026-01-01'), at('2026-01-01')], '2026-01-11').scores.e).toBe(15);
  });
  test('once uses the latest event in the window; when rules do not decay', () => {
    const ev = [{ type: 'demo', at: '2026-01-01' }, { type: 'demo', at: '2026-01-06' }];
    expect(sc.score({}, ev, '2026-01-16').scores.e).toBe(40 * 0.5 + 7);
    // latest demo 16 days old: outside the 15-day window
    expect(sc.score({}, ev, '2026-01-22').scores.e).toBe(7);
  });
});

describe('stages', () => {
  const ir = I.ruleset({
    activities: ['demo', 'quote', 'visit'],
    scores: [I.block('e', [I.once(40, 'demo')], { halfLifeDays: 30 })],
    stages: [
      I.stage('SQL', I.and(I.reached('MQL'), I.has('quote'))),
      I.stage('MQL', I.cmp(I.score('e'), '>=', I.n(30))),
      I.stage('lead'),
    ],
    routes: [I.route('hot', I.cmp(I.stageV(), '==', I.s('SQL'))), I.route('mql', I.reached('MQL')), I.route('rest')],
  });
  const sc = compileScorer(ir);
  test('sticky after decay; reached times per stage', () => {
    const r = sc.score({}, [{ type: 'demo', at: '2026-01-01' }], '2026-06-01');
    expect(r.scores.e).toBeLessThan(30);
    expect(r.stage).toBe('MQL');
    expect({ ...r.reached }).toEqual({ SQL: null, MQL: ms('2026-01-01'), lead: ms('2026-01-01') });
    expect(r.route).toBe('mql');
  });
  test('a condition naming a lower stage sees it reached at the same moment; same-time events apply together', () => {
    const r = sc.score({}, [{ type: 'quote', at: '2026-01-05' }, { type: 'demo', at: '2026-01-05' }, { type: 'visit', at: '2026-01-01' }]);
    expect(r.stage).toBe('SQL');
    expect({ ...r.reached }).toEqual({ SQL: ms('2026-01-05'), MQL: ms('2026-01-05'), lead: ms('2026-01-01') });
    expect(r.route).toBe('hot');
  });
  test('a quote before MQL does not make SQL until MQL is reached', () => {
    const r = sc.score({}, [{ type: 'quote', at: '2026-01-01' }, { type: 'demo', at: '2026-03-01' }], '2026-03-02');
    expect({ ...r.reached }).toEqual({ SQL: ms('2026-03-01'), MQL: ms('2026-03-01'), lead: ms('2026-01-01') });
  });
  test('reaching a stage reaches every stage below it', () => {
    const ir2 = I.ruleset({
      activities: ['quote'],
      stages: [I.stage('SQL', I.has('quote')), I.stage('MQL', I.konst(false)), I.stage('lead')],
    });
    const r = compileScorer(ir2).score({}, [{ type: 'quote', at: 5 }], 10);
    expect({ ...r.reached }).toEqual({ SQL: 5, MQL: 5, lead: 5 });
  });
  test('explain: history lists every evaluation point', () => {
    const x = compileScorer(ir, { explain: true }).score({}, [{ type: 'visit', at: 1 }, { type: 'demo', at: 2 }, { type: 'quote', at: 3 }], 4).explain!;
    expect(x.history).toEqual([
      { at: 1, reached: ['lead'] },
      { at: 2, reached: ['MQL'] },
      { at: 3, reached: ['SQL'] },
      { at: 4, reached: [] },
    ]);
    expect(x.stages[0]!.cond!.args.map((a) => a.value)).toEqual([true, true]);
  });
});

describe('missing values in every condition kind', () => {
  const x = I.attr('x');
  const t = I.attr('t', 'text');
  const conds = [
    I.cmp(x, '==', I.n(1)), I.cmp(x, '!=', I.n(1)), I.cmp(x, '<', I.n(1)), I.cmp(x, '>=', I.n(1)),
    I.cmp(I.attr('x'), '==', I.attr('y')),
    I.inList(t, ['a']), I.between(x, I.n(0), I.n(10)), I.text(t, 'contains', I.s('a')), I.text(t, 'starts_with', I.s('a')),
    I.text(t, 'ends_with', I.s('a')), I.matches(t, '.*'), I.present(t), I.truthy(I.attr('flag', 'bool')),
    I.cmp(I.lower(t), '==', I.s('a')), I.cmp(I.domain(I.attr('email', 'text')), '==', I.s('a.com')),
  ];
  const ir = I.ruleset({ scores: conds.map((c, i) => I.block('s' + i, [I.when(1, c)])).concat(conds.map((c, i) => I.block('n' + i, [I.when(1, I.not(c))]))) });
  const sc = compileScorer(ir);
  test('every test on a missing value is false, and not() of it is true', () => {
    for (const lead of [{}, { x: null, t: '', flag: undefined, email: NaN }, { x: 'abc', t: null, flag: 'maybe', email: 'no-at-sign' }]) {
      const r = sc.score(lead);
      conds.forEach((_, i) => {
        expect([i, r.scores['s' + i]]).toEqual([i, 0]);
        expect([i, r.scores['n' + i]]).toEqual([i, 1]);
      });
    }
  });
  test('is missing is true for absent values', () => {
    const r = compileScorer(I.ruleset({ scores: [I.block('m', [I.when(1, I.missing(I.attr('x')))])] })).score({ x: '' });
    expect(r.scores.m).toBe(1);
  });
});

describe('coercion', () => {
  const ir = I.ruleset({
    scores: [I.block('s', [
      I.when(1, I.cmp(I.attr('n'), '==', I.n(42))),
      I.when(2, I.truthy(I.attr('b', 'bool'))),
      I.when(4, I.cmp(I.attr('d', 'date'), '==', I.d('2026-01-10T09:30:00Z'))),
      I.when(8, I.cmp(I.attr('t', 'text'), '==', I.s('5'))),
      I.when(16, I.inList(I.attr('k'), [1, 2])),
    ])],
  });
  const sc = compileScorer(ir);
  test.each([
    [{ n: ' 42 ' }, 1], [{ n: '4.2e1' }, 1], [{ n: '42abc' }, 0], [{ n: true }, 0], [{ n: Infinity }, 0],
    [{ b: 'Yes' }, 2], [{ b: ' y ' }, 2], [{ b: 1 }, 2], [{ b: 'no' }, 0], [{ b: 2 }, 0], [{ b: 'TRUE' }, 2],
    [{ d: '2026-01-10T09:30:00Z' }, 4], [{ d: '2026-01-10T09:30:00' }, 4], [{ d: '2026-01-10T10:30:00+01:00' }, 4],
    [{ d: ms('2026-01-10T09:30:00Z') }, 4], [{ d: new Date('2026-01-10T09:30:00Z') }, 4], [{ d: '2026-01-10' }, 0],
    [{ t: 5 }, 8], [{ t: '5' }, 8], [{ k: '2' }, 16], [{ k: 3 }, 0],
  ])('%j -> %d', (lead, want) => {
    expect(sc.score(lead as Record<string, unknown>).scores.s).toBe(want);
  });
  test('date-only text is midnight UTC; own properties only', () => {
    const ir2 = I.ruleset({ scores: [I.block('s', [I.when(1, I.cmp(I.attr('d', 'date'), '==', I.d('2026-01-10')))])] });
    expect(compileScorer(ir2).score({ d: '2026-01-10' }).scores.s).toBe(1);
    const proto = Object.create({ n: 42 });
    expect(sc.score(proto).scores.s).toBe(0);
  });
});

describe('bands and routes', () => {
  const ir = I.ruleset({
    scores: [I.block('fit', [I.perAttr(1, 'x')])],
    bands: [
      I.bandDef('grade', { k: 'score', name: 'fit' }, [['A', 50], ['B', 0], ['C', -10], ['D', null]]),
      I.bandDef('size', { k: 'attr', name: 'employees' }, [['big', 1000], ['small', null]]),
    ],
    routes: [I.route('a', I.cmp(I.band('grade'), '==', I.s('A'))), I.route('big', I.inList(I.band('size'), ['big']))],
  });
  const sc = compileScorer(ir);
  test('first threshold <= value; missing attribute source gives otherwise; no route holds -> null', () => {
    expect({ ...sc.score({ x: 50 }).bands }).toEqual({ grade: 'A', size: 'small' });
    expect(sc.score({ x: 0 }).bands.grade).toBe('B');
    expect(sc.score({ x: -10 }).bands.grade).toBe('C');
    expect(sc.score({ x: -10.5 }).bands.grade).toBe('D');
    expect(sc.score({ employees: 1000 }).bands.size).toBe('big');
    expect(sc.score({ x: 50 }).route).toBe('a');
    expect(sc.score({ employees: 5000 }).route).toBe('big');
    expect(sc.score({}).route).toBe(null);
    expect(sc.score({}).stage).toBe('');
  });
  test('ruleset info', () => {
    expect(sc.ruleset.scores).toEqual(['fit']);
    expect({ ...sc.ruleset.bands }).toEqual({ grade: ['A', 'B', 'C', 'D'], size: ['big', 'small'] });
  });
});

describe('matches', () => {
  const ir = I.ruleset({ scores: [I.block('s', [I.when(1, I.matches(I.attr('t', 'text'), '^(a+)+$')), I.when(2, I.matches(I.attr('t', 'text'), 'VP', 'i'))])] });
  const sc = compileScorer(ir);
  test('case-insensitive flag; catastrophic pattern runs in linear time', () => {
    expect(sc.score({ t: 'the vp' }).scores.s).toBe(2);
    expect(sc.score({ t: 'aaa' }).scores.s).toBe(1);
    const t0 = Date.now();
    expect(sc.score({ t: 'a'.repeat(30_000) + 'b' }).scores.s).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

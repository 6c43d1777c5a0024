// The four tests of spec/examples/acme.lql, checked through the compiled
// scorer against values worked out by hand (and the test blocks' own data).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { compileSource } from '../../language/index.js';
import { compileScorer } from '../../language/compile/emit-js.js';

const ACME = fileURLToPath(new URL('../../../shared/spec/examples/acme.lql', import.meta.url));
const { ir } = compileSource(readFileSync(ACME, 'utf8'));
const scorer = compileScorer(ir!);
const T = (iso: string) => Date.parse(iso + 'T00:00:00Z');
const run = (name: string) => {
  const t = ir!.tests.find((x) => x.name === name)!;
  return scorer.score(t.lead, t.events, t.at ?? undefined);
};

describe('acme.lql through the compiled scorer', () => {
  test('enterprise bank asking for a quote is SQL', () => {
    const r = run('enterprise bank asking for a quote is SQL');
    // fit: enterprise_finance 30 + decision_maker (VP) 10
    expect(r.scores.fit).toBe(40);
    // one web visit 8 days before asOf: 2 * 0.5^(8/30) = 1.66247579228..., rounded to 9 decimals
    expect(r.scores.engagement).toBe(1.662475792);
    expect(r.scores.bant).toBe(4);
    expect(r.scores.total).toBe(41.662475792);
    expect({ ...r.bands }).toEqual({ grade: 'B', temperature: 'cold' });
    // at the first event (01-02) bant is already 3 (budget, decision maker, timeframe): SQL then
    expect(r.stage).toBe('SQL');
    expect({ ...r.reached }).toEqual({ SQL: T('2026-01-02'), MQL: T('2026-01-02'), lead: T('2026-01-02') });
    expect(r.route).toBe('Marketing: nurture');
    expect(r.reasons.map((x) => [x.score, x.line])).toEqual([
      ['fit', 24], ['fit', 27], ['engagement', 33], ['bant', 45], ['bant', 46], ['bant', 47], ['bant', 48],
    ]);
    expect(r.reasons[0]).toEqual({ score: 'fit', points: 30, line: 24, rule: '+30 when enterprise_finance' });
  });

  test('freemail small business stays a lead however busy it is', () => {
    const r = run('freemail small business stays a lead however busy it is');
    expect(r.scores.fit).toBe(-30); // small_services 20 - freemail 50
    expect(r.scores.engagement).toBe(52); // webinar 12 + demo 40, no time elapsed
    expect(r.scores.bant).toBe(1); // demo_request only
    expect(r.stage).toBe('lead');
    expect({ ...r.reached }).toEqual({ SQL: null, MQL: null, lead: T('2026-03-01') });
    expect({ ...r.bands }).toEqual({ grade: 'D', temperature: 'warm' });
    expect(r.route).toBe('Drop from flow');
  });

  test('interest decays with a 30-day half-life', () => {
    const r = run('interest decays with a 30-day half-life');
    expect(r.scores.engagement).toBe(20); // 40 * 0.5^(30/30)
    expect(r.scores.fit).toBe(25); // manufacturing 15 + head 10
    expect(r.bands.temperature).toBe('cold');
    expect(r.bands.grade).toBe('C');
    expect(r.stage).toBe('lead');
  });

  test('MQL is sticky after interest decays', () => {
    const r = run('MQL is sticky after interest decays');
    // 120 days after the demo: 40 * 0.5^4
    expect(r.scores.engagement).toBe(2.5);
    expect(r.scores.bant).toBe(2);
    expect(r.bands.temperature).toBe('cold');
    expect(r.stage).toBe('MQL');
    expect({ ...r.reached }).toEqual({ SQL: null, MQL: T('2026-02-01'), lead: T('2026-02-01') });
    expect(r.route).toBe('Marketing: nurture');
  });

  test('explain at asOf shows the rule tree and the stage history', () => {
    const t = ir!.tests.find((x) => x.name === 'MQL is sticky after interest decays')!;
    const x = compileScorer(ir!, { explain: true }).score(t.lead, t.events, t.at ?? undefined).explain!;
    expect(x.asOf).toBe(T('2026-06-01'));
    const demo = x.rules.find((r) => r.rule === '+40 once demo_request')!;
    expect(demo).toMatchObject({ score: 'engagement', kind: 'once', fired: true, points: 2.5, events: 1 });
    const free = x.rules.find((r) => r.line === 28)!;
    expect(free.fired).toBe(false);
    expect(free.cond!.reads.map((v) => [v.src, v.value])).toEqual([['domain(email)', 'bank.example'], ['email', 'x@bank.example']]);
    expect(x.history).toEqual([
      { at: T('2026-02-01'), reached: ['lead', 'MQL'] },
      { at: T('2026-06-01'), reached: [] },
    ]);
    const mql = x.stages.find((s) => s.name === 'MQL')!;
    expect(mql.reached).toBe(T('2026-02-01'));
    expect(mql.cond!.value).toBe(false); // engagement 2.5 at asOf, yet the stage stays
    expect(x.routes.filter((r) => r.chosen).map((r) => r.action)).toEqual(['Marketing: nurture']);
  });
});

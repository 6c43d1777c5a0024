// The columnar kernel: hand-computed cases (the ACME test blocks), and
// kernel == JS object scorer (emit-js) on random leads and event histories.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileKernel } from '../../simulator/kernel/emit-kernel.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import type { IR } from '../../language/compile/ir.js';
import { replay, type ScoredTable } from '../../simulator/replay.js';
import { scoreAll } from '../../simulator/simulate.js';
import { ACME, ACME_ACTIVITIES, compile, eventTable, leadTable, ms, randomData, type TEvent, type TLead } from './helpers.js';

function runOne(ir: IR, lead: TLead, events: Omit<TEvent, 'lead'>[], asOf: number, mode: 'events' | 'snapshot' = 'events') {
  const lt = leadTable([lead], { industry: 'text', employees: 'number', title: 'text', email: 'text', budget: 'number', timeframe_days: 'number', country: 'text' });
  const et = eventTable(lt, events.map((e) => ({ ...e, lead: lead.id })), ir.activities);
  const st = replay(ir, lt, mode === 'events' ? et : null, { asOf, mode });
  return row(st, 0);
}

function row(st: ScoredTable, i: number) {
  const scores: Record<string, number> = {};
  st.scoreNames.forEach((n, s) => (scores[n] = st.scores[s]![i]!));
  const bands: Record<string, string> = {};
  st.bandNames.forEach((n, b) => (bands[n] = st.bandLabels[b]![st.bands[b]![i]!]!));
  const reached: Record<string, number | null> = {};
  st.stageNames.forEach((n, k) => (reached[n] = Number.isNaN(st.reached[k]![i]!) ? null : st.reached[k]![i]!));
  return { scores, bands, stage: st.stageNames[st.stage[i]!], route: st.route[i]! >= 0 ? st.routeNames[st.route[i]!] : null, reached };
}

describe('kernel: hand-computed cases (ACME test blocks)', () => {
  const ir = compile(ACME);
  it('enterprise bank asking for a quote is SQL', () => {
    const r = runOne(
      ir,
      { id: 'a', attrs: { industry: 'financial_services', employees: 8000, title: 'VP Finance', email: 'ana@bank.example', budget: 50000, timeframe_days: 60 } },
      [
        { type: 'web_visit', at: ms('2026-01-02') },
        { type: 'quote_request', at: ms('2026-01-10') },
      ],
      ms('2026-01-10'),
    );
    expect(r.scores.fit).toBe(40);
    expect(r.bands.grade).toBe('B');
    expect(r.scores.bant).toBe(4);
    expect(r.stage).toBe('SQL');
    // bant is already 3 at the first visit (budget, title, timeframe)
    expect(r.reached).toEqual({ SQL: ms('2026-01-02'), MQL: ms('2026-01-02'), lead: ms('2026-01-02') });
  });
  it('freemail small business stays a lead', () => {
    const r = runOne(ir, { id: 'b', attrs: { industry: 'services', employees: 20, email: 'joe@gmail.com' } }, [
      { type: 'demo_request', at: ms('2026-03-01') },
      { type: 'webinar_attended', at: ms('2026-03-01') },
    ], ms('2026-03-01'));
    expect(r.scores.fit).toBe(-30);
    expect(r.scores.engagement).toBe(52);
    expect(r.stage).toBe('lead');
    expect(r.route).toBe('Drop from flow');
  });
  it('interest decays with a 30-day half-life', () => {
    const r = runOne(ir, { id: 'c', attrs: { industry: 'manufacturing', employees: 300, title: 'Head of Ops' } }, [{ type: 'demo_request', at: ms('2026-01-01') }], ms('2026-01-31'));
    expect(r.scores.engagement).toBe(20);
    expect(r.scores.fit).toBe(25);
    expect(r.bands.temperature).toBe('cold');
  });
  it('MQL is sticky after interest decays', () => {
    const r = runOne(ir, { id: 'd', attrs: { industry: 'financial_services', employees: 9000, title: 'Chief Risk Officer', email: 'x@bank.example' } }, [
      { type: 'demo_request', at: ms('2026-02-01') },
    ], ms('2026-06-01'));
    expect(r.stage).toBe('MQL');
    expect(r.scores.engagement).toBe(2.5);
    expect(r.scores.bant).toBe(2);
    expect(r.reached.MQL).toBe(ms('2026-02-01'));
    expect(r.reached.SQL).toBe(null);
  });
  it('snapshot mode: one evaluation at asOf, per ATTRIBUTE reads columns', () => {
    const ir2 = compile(`
      attribute visits: number
      engagement { +3 per visits, max 30  +5 when visits is missing }
      stages { MQL when engagement >= 20, lead otherwise }`);
    const r1 = runOne(ir2, { id: 'x', attrs: { visits: 7 } }, [], ms('2026-01-01'), 'snapshot');
    expect(r1.scores.engagement).toBe(21);
    expect(r1.stage).toBe('MQL');
    expect(r1.reached).toEqual({ MQL: ms('2026-01-01'), lead: ms('2026-01-01') });
    const r2 = runOne(ir2, { id: 'y', attrs: { visits: 100 } }, [], 0, 'snapshot');
    expect(r2.scores.engagement).toBe(30);
    const r3 = runOne(ir2, { id: 'z', attrs: {} }, [], 0, 'snapshot');
    expect(r3.scores.engagement).toBe(5);
    expect(r3.stage).toBe('lead');
  });
  it('emits no user text into the generated code', () => {
    const ir3 = compile(`
      attribute \`</script>\u2028"x\`: text
      fit { +1 when \`</script>\u2028"x\` == "__proto__\\"); throw 1; //" }
      route { "constructor" when fit > 0, "\\u{2028}" otherwise }`);
    const k = compileKernel(ir3);
    expect(k.source).not.toContain('__proto__');
    expect(k.source).not.toContain('script');
    expect(k.source).not.toContain('constructor');
    const lt = leadTable([{ id: '1', attrs: { '</script>\u2028"x': '__proto__"); throw 1; //' } }, { id: '2', attrs: {} }]);
    const st = replay(ir3, lt, null, { asOf: 0 });
    expect(Array.from(st.scores[0]!)).toEqual([1, 0]);
    expect(Array.from(st.route)).toEqual([0, 1]);
  });
});

// ---------------------------------------------------------------------------
// Random leads: kernel == emit-js (with the simulator's closed_at rules applied to both)

export function checkAgainstEmitJs(ir: IR, data: { leads: TLead[]; events: TEvent[] }, asOf: number) {
  const lt = leadTable(data.leads, { industry: 'text', employees: 'number', title: 'text', email: 'text', budget: 'number', timeframe_days: 'number', country: 'text' });
  const et = eventTable(lt, data.events, ir.activities);
  const st = replay(ir, lt, et, { asOf, mode: 'events' });
  const scorer = compileScorer(ir);
  const low = ir.stages.length - 1;
  data.leads.forEach((lead, i) => {
    const closed = lead.closed_at !== null && lead.closed_at !== undefined;
    const T = closed ? lead.closed_at! : asOf;
    const evs = data.events.filter((e) => e.lead === lead.id && (closed ? e.at < T : e.at <= T)).map((e) => ({ type: e.type, at: e.at }));
    const rec: Record<string, unknown> = { ...lead.attrs };
    const want = scorer.score(rec, evs, T);
    const got = row(st, i);
    for (const name of st.scoreNames) {
      const a = got.scores[name]!;
      const b = want.scores[name]!;
      if (!Object.is(a, b)) {
        throw new Error(`lead ${lead.id} score ${name}: kernel ${a} vs js ${b}`);
      }
    }
    // reached-before-close filter on the JS result
    const reached: Record<string, number | null> = {};
    ir.stages.forEach((s, k) => {
      const t = want.reached[s.name] ?? null;
      reached[s.name] = closed && k < low && t !== null && t >= T ? null : t;
    });
    expect(got.reached, `lead ${lead.id}`).toEqual(reached);
    const stage = ir.stages.find((s) => reached[s.name] !== null)?.name ?? ir.stages[low]?.name;
    expect(got.stage, `lead ${lead.id}`).toBe(stage);
    expect(got.bands, `lead ${lead.id}`).toEqual({ ...want.bands });
    if (stage === want.stage) expect(got.route, `lead ${lead.id}`).toBe(want.route);
  });
}

describe('kernel == emit-js on random data', () => {
  it('ACME rules, 400 random leads', () => {
    const ir = compile(ACME);
    checkAgainstEmitJs(ir, randomData(7, 400, ACME_ACTIVITIES), ms('2026-06-01'));
  });

  it('windows, decay, days since, lower/domain/text tests, stages naming stages', () => {
    const ir = compile(`
      attribute industry: text
      attribute title: text
      attribute email: text
      attribute employees: number
      attribute created_at2: date
      activity web_visit, demo_request, email_click, unsubscribe
      fit {
        +5 when lower(industry) == "services"
        +3 when title starts with "VP" or title ends with "ops" or title contains "of"
        +2 when domain(email) is present
        -4 when domain(email) in ["gmail.com", "outlook.com"]
        +1 when industry != "retail"
        +7 when employees between 99 and 300
        +1 when not (employees > 100)
        +0.5 per employees, max 10
      }
      engagement {
        +3 per web_visit in last 14 days, max 12
        +7 once demo_request in last 30 days
        +2 per email_click
        -10 once unsubscribe
        +4 when days since last web_visit < 3
        +1 when count(email_click in last 7 days) >= 2
        decay half-life 10 days
      }
      score act { +1 per web_visit in last 7 days  +2 once email_click  +1 when count(demo_request) > 1 }
      score combo = fit * 2 - engagement + act
      band heat from engagement { hot >= 15, warm >= 5, cold otherwise }
      stages {
        SQL when MQL and (demo_request or heat == hot) and combo > -40
        MQL when fit >= 3 and (engagement >= 8 or act >= 3)
        lead otherwise
      }
      route {
        "fast" when stage == "SQL" and heat in [hot]
        "mql" when MQL
        "rest" otherwise
      }`);
    for (const seed of [1, 2, 3]) checkAgainstEmitJs(ir, randomData(seed, 250, ir.activities), ms('2026-05-15'));
  });

  it('property: random thresholds and half-lives agree (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 10_000 }),
        (hl, win, thr, seed) => {
          const ir = compile(`
            attribute industry: text
            activity web_visit, demo_request, email_click
            fit { +10 when industry in ["services", "manufacturing"] }
            engagement {
              +4 per web_visit in last ${win} days, max 30
              +20 once demo_request
              +3 per email_click
              decay half-life ${hl} days
            }
            stages { SQL when MQL and demo_request, MQL when engagement >= ${thr} and fit > 0, lead otherwise }`);
          checkAgainstEmitJs(ir, randomData(seed, 40, ir.activities), ms('2026-05-01'));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('scoreAll (lql score)', () => {
  it('rows equal the compiled scorer at the run asOf, closed_at not applied', () => {
    const ir = compile(ACME);
    const data = randomData(21, 120, ir.activities);
    const lt = leadTable(data.leads, { industry: 'text', employees: 'number', title: 'text', email: 'text', budget: 'number', timeframe_days: 'number', country: 'text' });
    const et = eventTable(lt, data.events, ir.activities);
    const asOf = ms('2026-04-01');
    const rows = scoreAll(ir, lt, et, { asOf });
    const scorer = compileScorer(ir);
    rows.forEach((r, i) => {
      const lead = data.leads[i]!;
      const want = scorer.score({ ...lead.attrs }, data.events.filter((e) => e.lead === lead.id).map((e) => ({ type: e.type, at: e.at })), asOf);
      expect(r.id).toBe(lead.id);
      expect(r.stage).toBe(want.stage);
      expect(r.route).toBe(want.route);
      expect({ ...r.reached }).toEqual({ ...want.reached });
      expect({ ...r.bands }).toEqual({ ...want.bands });
      for (const k of Object.keys(want.scores)) expect(r.scores[k]).toBeCloseTo(want.scores[k]!, 9);
    });
  });
});

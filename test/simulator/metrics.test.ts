// Metrics checked against an independent route: per-lead results from the
// reference interpreter and from the JS object scorer, counted in a plain
// loop, must equal the report exactly. Plus the leakage rules.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileSource } from '../../language/index.js';
import { interpret } from '../../language/interpret/interpreter.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import type { IR } from '../../language/compile/ir.js';
import type { AttrType } from '../../language/syntax/ast.js';
import { simulate, simulateFull } from '../../simulator/simulate.js';
import { weekIndex, weekLabel, wilson } from '../../simulator/metrics.js';
import { replay } from '../../simulator/replay.js';
import { ACME, DAY, compile, eventTable, leadTable, ms, randomData, type TEvent, type TLead } from './helpers.js';

const TYPES = { industry: 'text', employees: 'number', title: 'text', email: 'text', budget: 'number', timeframe_days: 'number', country: 'text' } as const;

interface PerLead {
  stage: string;
  reached: Record<string, number | null>;
  route: string | null;
  bands: Record<string, string>;
}

/** Per-lead results by an independent scorer, with the simulator's closed_at rules applied by hand. */
function perLead(ir: IR, score: (lead: Record<string, unknown>, evs: { type: string; at: number }[], asOf: number) => PerLead, data: { leads: TLead[]; events: TEvent[] }, asOf: number): PerLead[] {
  const low = ir.stages.length - 1;
  return data.leads.map((lead) => {
    const closed = lead.closed_at !== null && lead.closed_at !== undefined;
    const T = closed ? lead.closed_at! : asOf;
    const evs = data.events.filter((e) => e.lead === lead.id && (closed ? e.at < T : e.at <= T)).map((e) => ({ type: e.type, at: e.at }));
    const r = score({ ...lead.attrs }, evs, T);
    const reached: Record<string, number | null> = {};
    ir.stages.forEach((s, k) => {
      const t = r.reached[s.name] ?? null;
      reached[s.name] = closed && k < low && t !== null && t >= T ? null : t;
    });
    const stage = ir.stages.find((s) => reached[s.name] !== null)?.name ?? '';
    return { stage, reached, route: r.route, bands: r.bands };
  });
}

/** The expected report counts, from per-lead results, in a plain loop. */
function expectedCounts(ir: IR, data: { leads: TLead[]; events: TEvent[] }, rows: PerLead[], asOf: number) {
  const oc = (l: TLead) => l.outcome ?? 'open';
  const won = data.leads.filter((l) => oc(l) === 'won').length;
  const lost = data.leads.filter((l) => oc(l) === 'lost').length;
  const base = won + lost ? won / (won + lost) : null;
  const low = ir.stages.length - 1;
  const stages = ir.stages.map((s, k) => {
    let reached = 0, w = 0, l = 0;
    rows.forEach((r, i) => {
      if (k === low || r.reached[s.name] !== null) {
        reached++;
        if (oc(data.leads[i]!) === 'won') w++;
        if (oc(data.leads[i]!) === 'lost') l++;
      }
    });
    const precision = w + l ? w / (w + l) : null;
    return { name: s.name, reached, won: w, lost: l, precision, recall: won ? w / won : null, lift: precision !== null && base ? precision / base : null };
  });
  const routes = ir.routes.map((rt) => {
    let leads = 0, w = 0, l = 0;
    rows.forEach((r, i) => {
      if (r.route === rt.action) {
        leads++;
        if (oc(data.leads[i]!) === 'won') w++;
        if (oc(data.leads[i]!) === 'lost') l++;
      }
    });
    return { name: rt.action, leads, won: w, lost: l, closeRate: w + l ? w / (w + l) : null };
  });
  const bands: Record<string, unknown> = {};
  for (const b of ir.bands) {
    bands[b.name] = b.labels.map(({ label }) => {
      let leads = 0, w = 0, l = 0;
      rows.forEach((r, i) => {
        if (r.bands[b.name] === label) {
          leads++;
          if (oc(data.leads[i]!) === 'won') w++;
          if (oc(data.leads[i]!) === 'lost') l++;
        }
      });
      return { label, leads, won: w, lost: l, closeRate: w + l ? w / (w + l) : null };
    });
  }
  const activities = ir.activities.map((a) => {
    let leads = 0, w = 0, l = 0;
    data.leads.forEach((lead) => {
      const closed = lead.closed_at !== null && lead.closed_at !== undefined;
      const did = data.events.some((e) => e.lead === lead.id && e.type === a && (closed ? e.at < lead.closed_at! : e.at <= asOf));
      if (did) {
        leads++;
        if (oc(lead) === 'won') w++;
        if (oc(lead) === 'lost') l++;
      }
    });
    const cr = w + l ? w / (w + l) : null;
    return { name: a, leads, won: w, lost: l, closeRate: cr, ratio: cr !== null && base ? cr / base : null };
  });
  // weekly: reached times of non-lowest stages by ISO week
  const weekly = new Map<string, number>();
  rows.forEach((r) =>
    ir.stages.slice(0, -1).forEach((s) => {
      const t = r.reached[s.name];
      if (t !== null && t !== undefined) {
        const key = `${s.name}|${weekLabel(weekIndex(t)).week}`;
        weekly.set(key, (weekly.get(key) ?? 0) + 1);
      }
    }),
  );
  return { leads: data.leads.length, won, lost, open: data.leads.length - won - lost, baseRate: base, stages, routes, bands, activities, weekly };
}

function checkReport(ir: IR, program: ReturnType<typeof compileSource>['program'], data: { leads: TLead[]; events: TEvent[] }, asOf: number) {
  const types = new Map<string, AttrType>(ir.attributes.map((a) => [a.name, a.type]));
  const byInterp = perLead(ir, (lead, evs, T) => interpret(program, types, lead, evs, T), data, asOf);
  const scorer = compileScorer(ir);
  const byJs = perLead(ir, (lead, evs, T) => scorer.score(lead, evs, T), data, asOf);
  expect(byJs).toEqual(byInterp);

  const lt = leadTable(data.leads, TYPES);
  const et = eventTable(lt, data.events, ir.activities);
  const report = simulate(ir, lt, et, { asOf });
  const want = expectedCounts(ir, data, byInterp, asOf);
  expect(report.leads).toBe(want.leads);
  expect(report.won).toBe(want.won);
  expect(report.lost).toBe(want.lost);
  expect(report.open).toBe(want.open);
  expect(report.baseRate).toBe(want.baseRate);
  expect(report.stages.map(({ precisionCI: _ci, perWeek: _w, medianDays: _d, ...s }) => s)).toEqual(want.stages);
  for (const s of report.stages) {
    const ci = wilson(s.won, s.won + s.lost);
    expect(s.precisionCI).toEqual(ci);
    if (ci) {
      // independent Wilson formula
      const n = s.won + s.lost, p = s.won / n, z = 1.96;
      const c = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
      expect((ci[0] + ci[1]) / 2).toBeCloseTo(c, 3);
      expect(ci[0]).toBeLessThanOrEqual(p + 1e-12);
      expect(ci[1]).toBeGreaterThanOrEqual(p - 1e-12);
    }
  }
  expect(report.routes).toEqual(want.routes);
  expect({ ...report.bands }).toEqual(want.bands);
  expect(report.activities).toEqual(want.activities);
  const weekly = new Map<string, number>();
  report.weekly!.stages.forEach((s) => s.counts.forEach((c, w) => c && weekly.set(`${s.name}|${report.weekly!.weeks[w]!.week}`, c)));
  expect(weekly).toEqual(want.weekly);
  // the histogram counts every lead once
  for (const h of report.scoreDistribution) {
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(sum(h.won)).toBe(want.won);
    expect(sum(h.lost)).toBe(want.lost);
    expect(sum(h.open)).toBe(want.open);
  }
}

describe('report == counts from independent per-lead results', () => {
  it('ACME, random leads and events (fast-check seeds)', () => {
    const c = compileSource(ACME);
    const ir = c.ir!;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 120 }), (seed, n) => {
        checkReport(ir, c.program, randomData(seed, n, ir.activities, { closedShare: 0.7 }), ms('2026-06-01'));
      }),
      { numRuns: 12 },
    );
  });

  it('a ruleset with stage-naming stages and time-based conditions', () => {
    const src = `
      attribute industry: text
      attribute employees: number
      activity web_visit, demo_request, email_click
      fit { +10 when industry == "services" +5 when employees >= 300 }
      engagement { +5 per web_visit in last 20 days, max 20  +30 once demo_request  decay half-life 15 days }
      band heat from engagement { hot >= 30, warm >= 10, cold otherwise }
      stages {
        SQL when MQL and demo_request and fit >= 10
        MQL when engagement >= 15 or (fit >= 15 and count(email_click in last 10 days) >= 2)
        lead otherwise
      }
      route { "call" when stage == "SQL", "nurture" when heat in [hot, warm], "drop" otherwise }`;
    const c = compileSource(src);
    expect(c.ir).not.toBeNull();
    for (const seed of [11, 12, 13]) checkReport(c.ir!, c.program, randomData(seed, 150, c.ir!.activities), ms('2026-05-20'));
  });
});

describe('leakage: closed_at', () => {
  const ir = compile(`
    attribute created: date
    activity demo_request, web_visit
    engagement { +50 once demo_request }
    stages {
      SQL when engagement >= 50
      MQL when days since created >= 10
      lead otherwise
    }`);
  const t0 = ms('2026-01-01');
  // Won leads ask for a demo right after the deal (onboarding): if events at
  // or after closed_at were replayed, SQL would look perfect.
  const leads: TLead[] = [
    { id: 'w1', outcome: 'won', closed_at: t0 + 5 * DAY, attrs: { created: t0 } },
    { id: 'w2', outcome: 'won', closed_at: t0 + 10 * DAY, attrs: { created: t0 } },
    { id: 'l1', outcome: 'lost', closed_at: t0 + 20 * DAY, attrs: { created: t0 } },
    { id: 'o1', outcome: 'open', attrs: { created: t0 } },
  ];
  const events: TEvent[] = [
    { lead: 'w1', type: 'demo_request', at: t0 + 5 * DAY }, // exactly at close: not replayed
    { lead: 'w2', type: 'demo_request', at: t0 + 12 * DAY }, // after close
    { lead: 'l1', type: 'demo_request', at: t0 + 3 * DAY }, // before close
    { lead: 'o1', type: 'web_visit', at: t0 + 1 * DAY },
  ];
  const lt = leadTable(leads, { created: 'date' });
  const et = eventTable(lt, events, ir.activities);
  const asOf = t0 + 30 * DAY;

  it('only events strictly before closed_at count; evaluated at closed_at', () => {
    const st = replay(ir, lt, et, { asOf });
    const stage = (i: number) => st.stageNames[st.stage[i]!];
    expect(stage(0)).toBe('lead'); // w1: demo at close not seen; 5 days since created
    // w2: MQL would be reached at closed_at (10 days) exactly: not strictly before, so it does not count
    expect(stage(1)).toBe('lead');
    expect(st.reached[1]![1]).toBeNaN();
    expect(stage(2)).toBe('SQL'); // l1: demo before close
    expect(stage(3)).toBe('MQL'); // o1: open, evaluated at asOf (30 days)
    // the lowest stage always counts as reached
    expect(st.reached[2]![1]).toBe(t0 + 10 * DAY);
    expect(Array.from(st.scores[0]!)).toEqual([0, 0, 50, 0]);
    const report = simulate(ir, lt, et, { asOf });
    const sql = report.stages[0]!;
    expect(sql).toMatchObject({ name: 'SQL', reached: 1, won: 0, lost: 1, precision: 0 });
    expect(report.stages[2]).toMatchObject({ name: 'lead', reached: 4, won: 2, lost: 1 });
    expect(report.activities[0]).toMatchObject({ name: 'demo_request', leads: 1, won: 0, lost: 1 });
  });

  it('ignoring closed_at would leak the outcome (the control)', () => {
    const st = replay(ir, lt, et, { asOf, useClosedAt: false });
    expect(st.stageNames[st.stage[0]!]).toBe('SQL');
    expect(st.stageNames[st.stage[1]!]).toBe('SQL');
  });

  it('snapshot mode evaluates closed leads at closed_at', () => {
    const ir2 = compile(`attribute created: date
      stages { MQL when days since created >= 10, lead otherwise }`);
    const st = replay(ir2, lt, null, { asOf });
    expect(st.mode).toBe('snapshot');
    expect(Array.from(st.stage)).toEqual([1, 0, 0, 0]);
  });
});

describe('compare', () => {
  it('baseline, deltas and changed leads', () => {
    const cur = compile(ACME);
    const base = compile(ACME.replace('engagement >= 40', 'engagement >= 20').replace('"Marketing: nurture"', '"Marketing: nurture v0"'));
    const data = randomData(99, 200, cur.activities);
    const lt = leadTable(data.leads, TYPES);
    const et = eventTable(lt, data.events, cur.activities);
    const { report, scored, baselineScored } = simulateFull(cur, lt, et, { asOf: ms('2026-06-01'), baseline: base });
    expect(report.baseline).toBeDefined();
    const mql = report.delta!.stages.find((s) => s.name === 'MQL')!;
    const b = report.baseline!.stages.find((s) => s.name === 'MQL')!;
    const c = report.stages.find((s) => s.name === 'MQL')!;
    expect(mql.reached).toBe(c.reached - b.reached);
    expect(mql.reached).toBeLessThanOrEqual(0);
    let changed = 0;
    for (let i = 0; i < scored.n; i++) {
      const rn = (st: typeof scored, k: number) => (k >= 0 ? st.routeNames[k] : null);
      if (scored.stageNames[scored.stage[i]!] !== baselineScored!.stageNames[baselineScored!.stage[i]!] || rn(scored, scored.route[i]!) !== rn(baselineScored!, baselineScored!.route[i]!)) changed++;
    }
    expect(report.changes!.count).toBe(changed);
    expect(report.changes!.leads.length).toBe(changed);
    expect(report.delta!.onlyIn.current).toContain('route Marketing: nurture');
    expect(report.delta!.onlyIn.baseline).toContain('route Marketing: nurture v0');
    const json = JSON.parse(JSON.stringify(report));
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['ruleset', 'mode', 'leads', 'won', 'lost', 'open', 'baseRate', 'stages', 'routes', 'bands', 'activities', 'rejected', 'baseline', 'delta']));
  });
});

// `suggest`: close rates per activity and attribute value, points, the LQL
// snippet, and stage-threshold sweeps; and the data generator.
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../language/index.js';
import { generate, writeCsv } from '../../simulator/generate.js';
import { simulate } from '../../simulator/simulate.js';
import { suggest, suggestedPoints, printSuggestions } from '../../simulator/suggest.js';
import { ACME, compile } from './helpers.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const gen = generate({ leads: 8000, seed: 3 });
const ir = compile(ACME);

describe('generator', () => {
  it('is deterministic and seeded', () => {
    const a = generate({ leads: 300, seed: 7 });
    const b = generate({ leads: 300, seed: 7 });
    const c = generate({ leads: 300, seed: 8 });
    expect(Array.from(a.events.times)).toEqual(Array.from(b.events.times));
    expect(Array.from(a.leads.outcome)).toEqual(Array.from(b.leads.outcome));
    expect(Array.from(a.leads.outcome)).not.toEqual(Array.from(c.leads.outcome));
  });

  it('events are in CSR order, sorted by time per lead', () => {
    const { offsets, times } = gen.events;
    expect(offsets[gen.leads.n]).toBe(times.length);
    let unsorted = 0;
    for (let i = 0; i < gen.leads.n; i++) for (let j = offsets[i]! + 1; j < offsets[i + 1]!; j++) if (times[j]! < times[j - 1]!) unsorted++;
    expect(unsorted).toBe(0);
  });

  it('good rules show lift; ignoring closed_at would leak', () => {
    const r = simulate(ir, gen.leads, gen.events);
    expect(r.mode).toBe('events');
    expect(r.open).toBeGreaterThan(0);
    const sql = r.stages[0]!;
    expect(sql.lift!).toBeGreaterThan(1.3);
    const leaky = simulate(ir, gen.leads, gen.events, { useClosedAt: false });
    expect(leaky.stages[0]!.reached).toBeGreaterThan(sql.reached);
  });

  it('writes CSV files in the documented columns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lql-gen-'));
    try {
      const f = writeCsv(generate({ leads: 50, seed: 1 }), dir);
      const head = readFileSync(f.leads, 'utf8').split('\n')[0];
      expect(head).toBe('id,outcome,created_at,closed_at,industry,employees,country,title,email,budget,timeframe_days');
      expect(readFileSync(f.events, 'utf8').split('\n')[0]).toBe('lead_id,type,at');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('suggest', () => {
  const res = suggest(ir, gen.leads, gen.events, { precision: 0.5 });

  it('activity close rates match the report', () => {
    const r = simulate(ir, gen.leads, gen.events);
    for (const a of r.activities) {
      const s = res.activities.find((x) => x.name === a.name)!;
      expect({ leads: s.leads, won: s.won, lost: s.lost, closeRate: s.closeRate, ratio: s.ratio }).toEqual({
        leads: a.leads,
        won: a.won,
        lost: a.lost,
        closeRate: a.closeRate,
        ratio: a.ratio,
      });
    }
    expect(res.baseRate).toBe(r.baseRate);
  });

  it('points follow the close-rate ratio, shrunk for small samples', () => {
    expect(suggestedPoints(200, 200, 0.25)).toBe(10); // 2x the base rate
    expect(suggestedPoints(100, 300, 0.5)).toBe(-10); // half
    expect(suggestedPoints(1, 0, 0.25)).toBeLessThan(10); // one lucky lead does not earn +20
    expect(suggestedPoints(0, 0, 0.3)).toBe(0);
    const demo = res.activities.find((x) => x.name === 'demo_request')!;
    expect(demo.points).toBeGreaterThan(0);
    const small = res.attributes.find((x) => x.warning !== null);
    if (small) expect(small.won + small.lost).toBeLessThan(30);
  });

  it('attribute values: top text values and number bins', () => {
    expect(res.attributes.some((a) => a.condition === 'industry == "financial_services"')).toBe(true);
    expect(res.attributes.some((a) => a.name === 'employees' && a.condition.includes('>='))).toBe(true);
    // bins of a number column partition the leads with a value
    const emp = res.attributes.filter((a) => a.name === 'employees');
    expect(emp.reduce((x, a) => x + a.leads, 0)).toBe(gen.leads.n);
  });

  it('the snippet is valid LQL', () => {
    const src = `activity web_visit, content_download, webinar_attended, pricing_page_view, demo_request, quote_request, email_click, unsubscribe
attribute industry: text
attribute country: text
attribute title: text
attribute email: text
${res.snippet}`;
    const c = compileSource(src);
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(printSuggestions(res)).toContain('Thresholds for stage MQL');
  });

  it('threshold sweep meets a precision goal, and a capacity goal', () => {
    const t = res.thresholds!;
    expect(t.stage).toBe('MQL');
    const eng = t.sweeps.find((s) => s.score === 'engagement')!;
    expect(eng.current).toBe(40);
    expect(eng.candidates.length).toBeGreaterThan(3);
    if (eng.recommended !== null) {
      const c = eng.candidates.find((x) => x.threshold === eng.recommended)!;
      expect(c.precision!).toBeGreaterThanOrEqual(0.5);
      // no other candidate meeting the goal reaches more leads
      for (const o of eng.candidates) if (o.precision !== null && o.precision >= 0.5) expect(o.reached).toBeLessThanOrEqual(c.reached);
    }
    // higher thresholds never reach more leads
    for (let k = 1; k < eng.candidates.length; k++) expect(eng.candidates[k]!.reached).toBeLessThanOrEqual(eng.candidates[k - 1]!.reached);
    const cap = suggest(ir, gen.leads, gen.events, { capacityPerWeek: 40 }).thresholds!;
    const e2 = cap.sweeps.find((s) => s.score === 'engagement')!;
    if (e2.recommended !== null) expect(e2.candidates.find((x) => x.threshold === e2.recommended)!.perWeek).toBeLessThanOrEqual(40);
  });
});

// Reusing an earlier replay's final scores (the playground's edits): a
// replay given `previous` must give exactly what a fresh replay gives,
// whether or not it could reuse; it reuses all scores when the edit touched
// constants no score reads (stage and band thresholds), the scores of the
// leads that never did an activity when only that activity's rules changed
// (points, caps), and none otherwise.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { IR } from '../../language/compile/ir.js';
import { compileSource } from '../../language/index.js';
import { replay, startReplay, type ScoredTable } from '../../simulator/replay.js';
import type { EventTable, LeadTable } from '../../simulator/data/table.js';
import { arbRuleset, SCHEMA, T0 } from '../support/gen-ruleset.js';
import { ACME, compile, DAY, eventTable, leadTable, ms, randomData, rng, type TEvent, type TLead } from './helpers.js';

const ACME_TYPES = { industry: 'text', employees: 'number', title: 'text', email: 'text', budget: 'number', timeframe_days: 'number', country: 'text' } as const;

/** Every output array, element by element (Object.is: NaN equals NaN, -0 differs from 0). */
function differences(a: ScoredTable, b: ScoredTable): string[] {
  const out: string[] = [];
  const cmp = (what: string, x: ArrayLike<number>, y: ArrayLike<number>) => {
    if (x.length !== y.length) out.push(`${what}: length ${x.length} vs ${y.length}`);
    for (let i = 0; i < x.length && out.length < 10; i++) if (!Object.is(x[i], y[i])) out.push(`${what}[${i}] (${a.ids[i]}): ${x[i]} vs ${y[i]}`);
  };
  a.scores.forEach((x, s) => cmp(`score ${a.scoreNames[s]}`, x, b.scores[s]!));
  a.bands.forEach((x, k) => cmp(`band ${a.bandNames[k]}`, x, b.bands[k]!));
  a.reached.forEach((x, k) => cmp(`reached ${a.stageNames[k]}`, x, b.reached[k]!));
  cmp('stage', a.stage, b.stage);
  cmp('route', a.route, b.route);
  return out;
}

/** Replay `ir` fresh and with `previous` offered; both must agree. Returns whether the second reused. */
function agreeWithFresh(ir: IR, lt: LeadTable, et: EventTable, asOf: number, previous: ScoredTable): { reused: boolean; fullLeads: number; table: ScoredTable } {
  const fresh = replay(ir, lt, et, { asOf, mode: 'events' });
  const job = startReplay(ir, lt, et, { asOf, mode: 'events', previous });
  const table = job.result();
  expect(differences(table, fresh)).toEqual([]);
  return { reused: job.reusing, fullLeads: job.fullLeads, table };
}

/** Leads with an event of `type` before their evaluation time (closed_at when known, else asOf), from the records. */
function didCount(data: { leads: TLead[]; events: TEvent[] }, type: string, asOf: number): number {
  return data.leads.filter((l) => {
    const closed = l.closed_at !== null && l.closed_at !== undefined;
    return data.events.some((e) => e.lead === l.id && e.type === type && (closed ? e.at < l.closed_at! : e.at <= asOf));
  }).length;
}

function acmeData(seed: number, n: number, ir: IR) {
  const data = randomData(seed, n, ir.activities);
  const lt = leadTable(data.leads, ACME_TYPES);
  return { data, lt, et: eventTable(lt, data.events, ir.activities) };
}

describe('replay reusing an earlier run (ACME)', () => {
  const base = compile(ACME);
  const asOf = ms('2026-06-01');
  const { data, lt, et } = acmeData(11, 600, base);
  const first = replay(base, lt, et, { asOf, mode: 'events' });

  // [from, to, reuse]: stage and band thresholds no score reads reuse every score ('all'); an activity
  // rule's points or cap, the scores of the leads that never did it (the activity); anything else none
  const edits: [string, string, 'all' | 'none' | string][] = [
    ['engagement >= 40', 'engagement >= 25', 'all'],
    ['SQL  when fit >= 30', 'SQL  when fit >= 10', 'all'],
    ['bant >= 3', 'bant >= 2', 'all'],
    ['hot >= 60', 'hot >= 45', 'all'],
    ['A >= 50', 'A >= 35', 'all'],
    ['+40 once demo_request', '+45 once demo_request', 'demo_request'],
    ['per web_visit, max 20', 'per web_visit, max 4', 'web_visit'],
    ['-30 once unsubscribe', '-60 once unsubscribe', 'unsubscribe'],
    ['employees >= 5000', 'employees >= 200', 'none'],
    ['budget >= 10000', 'budget >= 5000', 'none'],
    ['web_visit in last 30 days) > 15', 'web_visit in last 30 days) > 1', 'none'],
    ['decay half-life 30 days', 'decay half-life 20 days', 'none'],
  ];

  it('the ACME edits are in the ruleset', () => {
    for (const [from] of edits) expect(ACME.split(from).length, from).toBe(2);
  });

  for (const [from, to, reuse] of edits) {
    const how = reuse === 'all' ? 'reusing every score' : reuse === 'none' ? 'replayed in full' : `replaying in full only the leads that did ${reuse}`;
    it(`${from} -> ${to}: same result as a fresh replay, ${how}`, () => {
      const ir = compile(ACME.replace(from, to));
      const { reused, fullLeads, table } = agreeWithFresh(ir, lt, et, asOf, first);
      expect(reused).toBe(reuse !== 'none');
      const want = reuse === 'all' ? 0 : reuse === 'none' ? lt.n : didCount(data, reuse, asOf);
      expect(fullLeads).toBe(want);
      if (reuse !== 'all' && reuse !== 'none') expect(want).toBeGreaterThan(0);
      if (reuse !== 'all' && reuse !== 'none') expect(want).toBeLessThan(lt.n);
      // the edit changes something, so the comparison is not vacuous
      expect(differences(table, first).length).toBeGreaterThan(0);
    });
  }

  it('chains: a reused run can be reused again, and going back gives the first run', () => {
    let prev = first;
    for (const thr of [25, 55, 33, 40]) {
      const r = agreeWithFresh(compile(ACME.replace('engagement >= 40', `engagement >= ${thr}`)), lt, et, asOf, prev);
      expect(r.reused).toBe(true);
      prev = r.table;
    }
    expect(differences(prev, first)).toEqual([]);
  });

  it('does not reuse a run over other data, another asOf or another mode', () => {
    const ir = compile(ACME.replace('engagement >= 40', 'engagement >= 25'));
    const other = acmeData(12, 600, base);
    expect(agreeWithFresh(ir, other.lt, other.et, asOf, first).reused).toBe(false);
    expect(agreeWithFresh(ir, lt, et, asOf + DAY, first).reused).toBe(false);
    const snap = replay(base, lt, et, { asOf, mode: 'snapshot' });
    expect(agreeWithFresh(ir, lt, et, asOf, snap).reused).toBe(false);
    // a partial replay is never offered for reuse
    const part = startReplay(base, lt, et, { asOf, mode: 'events', range: { lo: 0, hi: 300 } }).result();
    expect(agreeWithFresh(ir, lt, et, asOf, part).reused).toBe(false);
  });

  it('does not reuse when the activities are declared under other names', () => {
    const renamed = ACME.replace(/\bemail_click\b/g, 'mail_click');
    const ir0 = compile(renamed);
    const { reused } = agreeWithFresh(compile(renamed.replace('engagement >= 40', 'engagement >= 25')), lt, eventTable(lt, [], ir0.activities), asOf, first);
    expect(reused).toBe(false);
  });
});

describe('replay reusing: what the scores read', () => {
  const asOf = ms('2026-06-01');

  it('a band that a score reads: its thresholds are score constants', () => {
    const src = `${ACME}\nscore hot_bonus { +5 when temperature == hot }\n`;
    const ir = compile(src);
    const { lt, et } = acmeData(5, 400, ir);
    const first = replay(ir, lt, et, { asOf, mode: 'events' });
    expect(agreeWithFresh(compile(src.replace('hot >= 60', 'hot >= 30')), lt, et, asOf, first).reused).toBe(false);
    // a band no score reads still reuses
    expect(agreeWithFresh(compile(src.replace('A >= 50', 'A >= 35')), lt, et, asOf, first).reused).toBe(true);
  });

  it('a route that reads event state directly: no reuse', () => {
    const src = ACME.replace('"Drop from flow"            otherwise', '"Demo asked"                when demo_request\n  "Drop from flow"            otherwise');
    expect(src).not.toBe(ACME);
    const ir = compile(src);
    const { lt, et } = acmeData(6, 400, ir);
    const first = replay(ir, lt, et, { asOf, mode: 'events' });
    expect(agreeWithFresh(compile(src.replace('engagement >= 40', 'engagement >= 20')), lt, et, asOf, first).reused).toBe(false);
  });
});

/** Random leads and events over the generated rulesets' schema. */
function schemaData(seed: number, n: number): { leads: TLead[]; events: TEvent[] } {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = <T,>(v: T): T | null => (r() < 0.15 ? null : v);
  const leads: TLead[] = [];
  const events: TEvent[] = [];
  for (let i = 0; i < n; i++) {
    const id = `G${i}`;
    const closed = r() < 0.5;
    leads.push({
      id,
      outcome: closed ? (r() < 0.4 ? 'won' : 'lost') : 'open',
      closed_at: closed ? T0 + Math.floor(r() * 70) * DAY : null,
      attrs: {
        n1: maybe(Math.floor(r() * 80) - 10), n2: maybe(Math.floor(r() * 80) - 10),
        t1: maybe(pick(SCHEMA.textValues)), t2: maybe(pick(SCHEMA.textValues)),
        b1: maybe(r() < 0.5), d1: maybe(T0 + Math.floor(r() * 60) * DAY),
      },
    });
    const ne = Math.floor(r() * 30);
    for (let k = 0; k < ne; k++) events.push({ lead: id, type: pick([...SCHEMA.activities, 'a9']), at: T0 + Math.floor(r() * 70 * 24) * 3_600_000 });
  }
  return { leads, events };
}

describe('replay reusing: random rulesets and random constant edits', () => {
  it('every edit gives the fresh replay exactly; stage/band threshold edits reuse', () => {
    const rulesets = fc.sample(arbRuleset, { numRuns: 40, seed: 20261123 });
    const r = rng(99);
    const asOf = T0 + 75 * DAY;
    let reused = 0;
    let compared = 0;
    rulesets.forEach((src, k) => {
      const ir = compile(src);
      const data = schemaData(k + 1, 150);
      const lt = leadTable(data.leads, { n1: 'number', n2: 'number', t1: 'text', t2: 'text', b1: 'bool', d1: 'date' });
      const et = eventTable(lt, data.events, ir.activities);
      const first = replay(ir, lt, et, { asOf, mode: 'events' });
      // change one integer literal, anywhere or in the stages/bands lines
      const numbers = [...src.matchAll(/(?<![\w.])\d+(?![\w.])/g)];
      const inFunnel = numbers.filter((m) => /^(\s*S\d when|band )/m.test(src.slice(src.lastIndexOf('\n', m.index!) + 1, m.index!)));
      for (const pool of [numbers, inFunnel]) {
        if (!pool.length) continue;
        const m = pool[Math.floor(r() * pool.length)]!;
        const edited = src.slice(0, m.index!) + String(Number(m[0]) + 1 + Math.floor(r() * 10)) + src.slice(m.index! + m[0].length);
        const c = compileSource(edited);
        if (!c.ir || c.diagnostics.some((d) => d.severity === 'error')) continue;
        compared++;
        if (agreeWithFresh(c.ir, lt, et, asOf, first).reused) reused++;
      }
    });
    expect(compared).toBeGreaterThan(40);
    // the reuse path is exercised, and not taken blindly
    expect(reused).toBeGreaterThan(5);
    expect(reused).toBeLessThan(compared);
  });
});

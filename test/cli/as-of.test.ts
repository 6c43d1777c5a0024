// Times on the command line and the default asOf: `--as-of` / `--at` take
// ISO 8601 (no offset = UTC) or epoch milliseconds, nothing else; without
// `--as-of` the run's asOf is the latest event of a declared activity,
// created_at or closed_at (undeclared event types do not move it); data with
// no times has empty stage times, never the clock's time. Expected values are
// worked by hand from the files below, the same in both engines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-asof-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const ENGINES = [[], ['--engine', 'duckdb']];

// engagement: 8 points per visit, half-life 1 day; MQL at 8
const rules = file('r.lql', 'activity visit\nengagement { +8 per visit  decay half-life 1 day }\nstages { MQL when engagement >= 8  lead otherwise }\n');
const leads = file('l.csv', 'id,outcome\na,won\n');
const events = file('e.csv', 'lead_id,type,at\na,visit,2026-01-01\na,tweet,2026-01-04\n');

describe('--as-of', () => {
  test.each(['2026-02-30', '2026-01-01T24:00', 'yesterday', '1.5', '2026-1-5'])('%s is refused with the accepted forms', async (v) => {
    for (const engine of ENGINES) {
      const r = await run(['score', rules, '--leads', leads, '--events', events, '--as-of', v, ...engine]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`--as-of: '${v}' is not a date or time; use ISO 8601`);
      expect(r.out).toBe('');
    }
  });

  test.each(ENGINES)('no offset is UTC; epoch ms are ms %s', async (...engine) => {
    // 2026-01-03T00:00 (no offset, UTC) is 2 days after the visit: 8 / 4 = 2
    const a = await run(['score', rules, '--leads', leads, '--events', events, '--as-of', '2026-01-03T00:00', ...engine]);
    expect(a.out.trim().split('\n')[1]).toBe('a,won,2,MQL,,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z');
    // the same instant in epoch ms
    const b = await run(['score', rules, '--leads', leads, '--events', events, '--as-of', String(Date.UTC(2026, 0, 3)), ...engine]);
    expect(b.out).toBe(a.out);
    // `1` is 1 ms after 1970-01-01 (before the visit): nothing happened yet, 0 points
    const c = await run(['score', rules, '--leads', leads, '--events', events, '--as-of', '1', ...engine]);
    expect(c.out.trim().split('\n')[1]).toBe('a,won,0,lead,,,1970-01-01T00:00:00.001Z');
  });

  test('explain --at takes the same forms', async () => {
    const lead = file('lead.json', '{"id": "a"}');
    const evs = file('evs.json', '[{"type": "visit", "at": "2026-01-01"}]');
    const bad = await run(['explain', rules, '--lead', lead, '--events', evs, '--at', '2026-02-30']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("--at: '2026-02-30' is not a date or time");
    const ok = await run(['explain', rules, '--lead', lead, '--events', evs, '--at', String(Date.UTC(2026, 0, 2)), '--json']);
    expect(ok.code).toBe(0);
    // one day after the visit: 8 / 2 = 4
    expect(JSON.parse(ok.out).scores.engagement).toBe(4);
  });
});

describe('the default asOf', () => {
  test.each(ENGINES)('is the latest event of a declared activity: an undeclared tweet later does not move it %s', async (...engine) => {
    // asOf = the visit (01-01), not the tweet (01-04): engagement 8, not 8 / 8 = 1
    const r = await run(['score', rules, '--leads', leads, '--events', events, ...engine]);
    expect(r.out.trim().split('\n')[1]).toBe('a,won,8,MQL,,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z');
  });

  test.each(ENGINES)('data without times: empty stage times, the same on every run %s', async (...engine) => {
    const snapRules = file('s.lql', 'fit { +10 when employees >= 10 }\nstages { MQL when fit >= 10  lead otherwise }\n');
    const snap = file('s.csv', 'id,outcome,employees\na,won,50\nb,lost,5\n');
    const r1 = await run(['score', snapRules, '--leads', snap, ...engine]);
    expect(r1.err).toBe('');
    expect(r1.out).toBe('id,outcome,fit,stage,route,reached_MQL,reached_lead\na,won,10,MQL,,,\nb,lost,0,lead,,,\n');
    const r2 = await run(['score', snapRules, '--leads', snap, ...engine]);
    expect(r2.out).toBe(r1.out);
  });
});

// Declared activities that never occur, and event types the ruleset does not
// declare, are reported (with the closest name) as LQL521 does for columns.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-acts-'));

describe('activity warnings', () => {
  it('names the never-seen activity, the undeclared type, and pairs them up', async () => {
    writeFileSync(join(dir, 'leads.csv'), 'id,outcome,created_at\nA,won,2026-01-01\nB,lost,2026-01-02\n');
    // by hand: 2 "Demo Request" events, 1 "webnar" event, no demo_request, no pricing_view
    writeFileSync(join(dir, 'events.csv'), 'lead_id,type,at\nA,Demo Request,2026-01-03\nB,Demo Request,2026-01-04\nA,web_visit,2026-01-02\nB,webnar,2026-01-05\n');
    writeFileSync(join(dir, 'r.lql'), 'ruleset "acts"\nactivity demo_request, web_visit, webinar, pricing_view\nengagement {\n  +40 once demo_request\n  +2 per web_visit\n  +5 per webinar\n  +9 once pricing_view\n}\n');
    const r = await run(['simulate', join(dir, 'r.lql'), '--leads', join(dir, 'leads.csv'), '--events', join(dir, 'events.csv')]);
    expect(r.code, r.err).toBe(0);
    const lines = r.err.split('\n').filter((l) => / warning LQL52[04]/.test(l)).map((l) => l.replace(/^.*?: warning /, ''));
    expect(lines).toEqual([
      'LQL520: 2 events have type `Demo Request`, which is not a declared activity; no rule counts them. Did you mean `demo_request`? Declare it with `activity` if it matters.',
      'LQL520: 1 events have type `webnar`, which is not a declared activity; no rule counts them. Did you mean `webinar`? Declare it with `activity` if it matters.',
      'LQL524: The ruleset declares activity `demo_request` but no event in the data has that type; every rule on it counts 0. The data has type `Demo Request`: rename one of the two so they match.',
      'LQL524: The ruleset declares activity `webinar` but no event in the data has that type; every rule on it counts 0. The data has type `webnar`: rename one of the two so they match.',
      'LQL524: The ruleset declares activity `pricing_view` but no event in the data has that type; every rule on it counts 0.',
    ]);
    expect(r.err).not.toContain('`web_visit` but no event');
  });
});

/**
 * Every command that reads data reports what it did not use, as text on
 * stderr (or in the text report) and as `"skipped"` in JSON: rows skipped
 * with --lenient (count and the first ones with file:line:col), events of
 * leads not in the leads file, and events of undeclared types by type.
 * The counts below are read off the files by hand.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run } from './run.js';

let dir = '';
const f = (name: string) => join(dir, name);
// leads: L2 (`12000x`) and L4 (`abc`) have a bad number in `size` -> 2 lead rows skipped
// events: one bad time (line 7) -> 1 event row skipped; L9 is no lead -> 1 event of an
// unknown lead; `webinar` is not declared -> 2 events of an undeclared type
const WANT = {
  rows: 3,
  leadRows: 2,
  eventRows: 1,
  first: [
    expect.stringMatching(/leads\.csv:3:9: `12000x`/),
    expect.stringMatching(/leads\.csv:5:9: `abc`/),
    expect.stringMatching(/events\.csv:7:10: `not-a-date`/),
  ],
  unknownLeadEvents: 1,
  undeclaredEventTypes: { webinar: 2 },
};
const TEXT = [
  'Skipped with --lenient: 2 lead rows, 1 event row.',
  'Events for leads not in the leads file: 1 (not replayed).',
  'Events of types the ruleset does not declare: 2 ("webinar" 2; not scored).',
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lql-skipped-'));
  writeFileSync(
    f('r.lql'),
    'attribute size: number\nactivity visit\nfit { +10 when size >= 100 }\nengagement { +5 per visit }\nscore total = fit + engagement\nstages {\n  MQL when total >= 15\n  lead otherwise\n}\n',
  );
  writeFileSync(
    f('leads.csv'),
    'id,outcome,size,created_at\nL1,won,200,2026-01-01\nL2,lost,12000x,2026-01-02\nL3,open,50,2026-01-03\nL4,lost,abc,2026-01-04\n',
  );
  writeFileSync(
    f('events.csv'),
    'lead_id,type,at\nL1,visit,2026-01-05\nL3,visit,2026-01-06\nL9,visit,2026-01-06\nL1,webinar,2026-01-07\nL3,webinar,2026-01-08\nL1,visit,not-a-date\n',
  );
  // the same without bad rows (the DuckDB engine refuses --lenient)
  writeFileSync(f('clean.csv'), 'id,outcome,size,created_at\nL1,won,200,2026-01-01\nL3,open,50,2026-01-03\n');
  writeFileSync(
    f('clean-events.csv'),
    'lead_id,type,at\nL1,visit,2026-01-05\nL3,visit,2026-01-06\nL9,visit,2026-01-06\nL1,webinar,2026-01-07\nL3,webinar,2026-01-08\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = () => ['--leads', f('leads.csv'), '--events', f('events.csv'), '--lenient', '--no-cache'];
const explainData = () => ['--leads', f('leads.csv'), '--events', f('events.csv'), '--lenient'];
const clean = () => ['--leads', f('clean.csv'), '--events', f('clean-events.csv'), '--no-cache'];

describe('the JS engine', () => {
  test('simulate: in the text report and in the JSON report', async () => {
    const t = await run(['simulate', f('r.lql'), ...data()]);
    expect(t.code).toBe(0);
    for (const line of TEXT) expect(t.out).toContain(line);
    expect(t.out).toContain('leads.csv:3:9:');
    const j = await run(['simulate', f('r.lql'), ...data(), '--json']);
    expect(JSON.parse(j.out).skipped).toEqual(WANT);
  });

  test('score: text on stderr (stdout holds only the rows), one JSON line on stderr with --jsonl', async () => {
    const t = await run(['score', f('r.lql'), ...data()]);
    expect(t.code).toBe(0);
    for (const line of TEXT) expect(t.err).toContain(line);
    expect(t.out.trim().split('\n')).toHaveLength(3); // header, L1, L3
    const j = await run(['score', f('r.lql'), ...data(), '--jsonl']);
    const line = j.err.split('\n').find((l) => l.startsWith('{"skipped"'));
    expect(JSON.parse(line!).skipped).toEqual(WANT);
    expect(
      j.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual(['L1', 'L3']);
  });

  test('suggest: text on stderr, "skipped" in JSON', async () => {
    const t = await run(['suggest', f('r.lql'), ...data()]);
    expect(t.code).toBe(0);
    for (const line of TEXT) expect(t.err).toContain(line);
    const j = await run(['suggest', f('r.lql'), ...data(), '--json']);
    expect(JSON.parse(j.out).skipped).toEqual(WANT);
  });

  test('explain --leads: text on stderr, "skipped" in JSON', async () => {
    const t = await run(['explain', f('r.lql'), ...explainData(), '--id', 'L1']);
    expect(t.code).toBe(0);
    for (const line of TEXT) expect(t.err).toContain(line);
    const j = await run(['explain', f('r.lql'), ...explainData(), '--id', 'L1', '--json']);
    const out = JSON.parse(j.out);
    expect(out.skipped).toEqual(WANT);
    // the default as-of ignores the undeclared webinar of 01-08: 01-06, the latest visit
    // L1 at 01-06: fit 10 + one visit 5 = 15 -> MQL
    expect(out.stage).toBe('MQL');
    expect(out.scores.total).toBe(15);
  });

  test('nothing skipped: no lines, and zero counts in JSON', async () => {
    const t = await run(['score', f('r.lql'), '--leads', f('clean.csv'), '--no-cache']);
    expect(t.err).not.toContain('Skipped');
    const j = await run(['simulate', f('r.lql'), '--leads', f('clean.csv'), '--json', '--no-cache']);
    expect(JSON.parse(j.out).skipped).toEqual({ rows: 0, leadRows: 0, eventRows: 0, first: [], unknownLeadEvents: 0, undeclaredEventTypes: {} });
  });
});

describe('the DuckDB engine', () => {
  const WANT_CLEAN = { rows: 0, leadRows: 0, eventRows: 0, first: [], unknownLeadEvents: 1, undeclaredEventTypes: { webinar: 2 } };
  test('simulate --engine duckdb: the same "skipped" as the JS engine', async () => {
    const d = await run(['simulate', f('r.lql'), ...clean(), '--engine', 'duckdb', '--json']);
    expect(d.code).toBe(0);
    expect(JSON.parse(d.out).skipped).toEqual(WANT_CLEAN);
    const js = await run(['simulate', f('r.lql'), ...clean(), '--json']);
    expect(JSON.parse(js.out).skipped).toEqual(WANT_CLEAN);
  });

  test('score --engine duckdb: text on stderr', async () => {
    const d = await run(['score', f('r.lql'), ...clean(), '--engine', 'duckdb']);
    expect(d.code).toBe(0);
    expect(d.err).toContain(TEXT[1]);
    expect(d.err).toContain(TEXT[2]);
  });
});

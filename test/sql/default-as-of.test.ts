/**
 * One default as-of in every engine (docs/semantics.md, "Time"): without
 * --as-of, `lql score`, the simulator and the SQL export (DuckDB and
 * PostgreSQL) evaluate every lead at the latest event of a declared activity
 * in the data (events of undeclared types do not move it); the compiled
 * modules, which see one lead at a time, give the same answers when told
 * that time, and without it take the lead's own latest event. Expected
 * values are worked out by hand below.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { compileSource } from '../../language/index.js';
import { emitModule } from '../../language/compile/emit-js.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import { loadEventsSync } from '../../simulator/data/events.js';
import { columnTypes, scoredRows, simulateFull } from '../../simulator/simulate.js';
import { run } from '../cli/run.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { runDuckDB, runPostgres, type TestLead } from './harness.js';

const SRC = `activity v
engagement {
  +8 per v
  decay half-life 1 day
}
band temp from engagement { hot >= 8, warm >= 2, cold otherwise }
stages {
  MQL when engagement >= 2
  lead otherwise
}
`;
const DAY = 86_400_000;
const JAN1 = Date.UTC(2026, 0, 1);
// A: v on 01-01; B: v on 01-03; C: only an undeclared `zz` on 01-10.
// The default as-of is 01-03, B's v (C's zz does not count):
//   A: 8 * 2^-2 = 2 -> warm, MQL reached 01-01 (8 at its own event)
//   B: 8 * 2^0 = 8 -> hot, MQL reached 01-03
//   C: 0 -> cold, lead reached at the as-of 01-03 (its only evaluation point)
// (each lead at its own latest event would make A hot with 8: not the rule)
const AS_OF = JAN1 + 2 * DAY;
const WANT = {
  A: { engagement: 2, temp: 'warm', stage: 'MQL', reached: { MQL: JAN1, lead: JAN1 } },
  B: { engagement: 8, temp: 'hot', stage: 'MQL', reached: { MQL: JAN1 + 2 * DAY, lead: JAN1 + 2 * DAY } },
  C: { engagement: 0, temp: 'cold', stage: 'lead', reached: { MQL: null, lead: JAN1 + 2 * DAY } },
} as const;
const EVENTS = [
  { id: 'A', type: 'v', at: JAN1 },
  { id: 'B', type: 'v', at: JAN1 + 2 * DAY },
  { id: 'C', type: 'zz', at: JAN1 + 9 * DAY },
];

type Got = { scores: Record<string, number>; bands: Record<string, string>; stage: string; reached: Record<string, number | null> };
const shape = (r: Got) => ({ engagement: r.scores.engagement, temp: r.bands.temp, stage: r.stage, reached: { ...r.reached } });

let dir = '';
let pg: PostgresServer | null = null;
const skipPg = postgresUnavailable();
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lql-asof-'));
  writeFileSync(join(dir, 'rules.lql'), SRC);
  writeFileSync(join(dir, 'leads.csv'), 'id,outcome\nA,open\nB,open\nC,open\n');
  writeFileSync(join(dir, 'events.csv'), 'lead_id,type,at\n' + EVENTS.map((e) => `${e.id},${e.type},${new Date(e.at).toISOString()}`).join('\n') + '\n');
  if (!skipPg) pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ir = () => compileSource(SRC).ir!;
const testLeads = (): TestLead[] =>
  (['A', 'B', 'C'] as const).map((id) => ({ id, attrs: {}, events: EVENTS.filter((e) => e.id === id).map((e) => ({ type: e.type, at: e.at })) }));

test('lql score without --as-of', async () => {
  const r = await run(['score', join(dir, 'rules.lql'), '--leads', join(dir, 'leads.csv'), '--events', join(dir, 'events.csv'), '--jsonl', '--no-cache']);
  expect(r.code).toBe(0);
  const rows = Object.fromEntries(
    r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .map((x) => [x.id, shape(x)]),
  );
  expect(rows).toEqual(WANT);
});

test('the simulator without asOf', () => {
  const leads = loadLeadsSync({ name: 'leads.csv', text: readFileSync(join(dir, 'leads.csv'), 'utf8') }, { types: columnTypes(ir()) });
  const events = loadEventsSync({ name: 'events.csv', text: readFileSync(join(dir, 'events.csv'), 'utf8') }, leads, ir().activities);
  const { scored } = simulateFull(ir(), leads, events);
  expect(scored.asOf).toBe(AS_OF);
  expect(Object.fromEntries(scoredRows(scored).map((x) => [x.id, shape(x)]))).toEqual(WANT);
});

test('the SQL export without asOf, in DuckDB and PostgreSQL', async () => {
  const duck = (await runDuckDB(ir(), testLeads(), { asOf: undefined })).results;
  expect(Object.fromEntries([...duck].map(([id, x]) => [id, shape(x)]))).toEqual(WANT);
  if (pg) {
    const post = (await runPostgres(pg.client, ir(), testLeads(), { asOf: undefined })).results;
    expect(Object.fromEntries([...post].map(([id, x]) => [id, shape(x)]))).toEqual(WANT);
  }
});

test("the ESM and CJS modules: given the run's as-of they agree; without it each lead is its own data", () => {
  writeFileSync(join(dir, 's.mjs'), emitModule(ir(), { format: 'esm', compilerVersion: 't' }));
  writeFileSync(join(dir, 's.cjs'), emitModule(ir(), { format: 'cjs', compilerVersion: 't' }));
  const leads = testLeads().map((l) => [l.id, l.events]);
  writeFileSync(
    join(dir, 'run.mjs'),
    `import { createRequire } from 'node:module';
const esm = await import('./s.mjs');
const cjs = createRequire(import.meta.url)('./s.cjs');
const leads = ${JSON.stringify(leads)};
const out = {};
for (const [name, m] of [['esm', esm], ['cjs', cjs]]) {
  const alone = Object.fromEntries(leads.map(([id, ev]) => [id, m.score({}, ev)]));
  out[name] = { alone, rows: Object.fromEntries(leads.map(([id, ev]) => [id, m.score({}, ev, ${AS_OF})])) };
}
process.stdout.write(JSON.stringify(out));`,
  );
  const out = JSON.parse(execFileSync(process.execPath, [join(dir, 'run.mjs')], { encoding: 'utf8' }));
  for (const m of [out.esm, out.cjs]) {
    // one lead alone: its own latest declared event (A at 01-01: 8, hot; C has none: 1970, 0)
    expect(Object.fromEntries(Object.entries(m.alone as Record<string, Got>).map(([id, x]) => [id, shape(x)]))).toEqual({
      A: { engagement: 8, temp: 'hot', stage: 'MQL', reached: { MQL: JAN1, lead: JAN1 } },
      B: WANT.B,
      C: { engagement: 0, temp: 'cold', stage: 'lead', reached: { MQL: null, lead: 0 } },
    });
    expect(Object.fromEntries(Object.entries(m.rows as Record<string, Got>).map(([id, x]) => [id, shape(x)]))).toEqual(WANT);
  }
});

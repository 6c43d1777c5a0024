// The exported SQL as a user runs it: `lql compile acme.lql --target sql
// --dialect duckdb`, executed by DuckDB over the example data loaded as plain
// text tables, gives the same answers as `lql score` on every lead.
import { it, expect } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { run } from '../cli/run.js';

const root = new URL('../../', import.meta.url).pathname;
const acme = new URL('../../../shared/spec/examples/acme.lql', import.meta.url).pathname;
const leads = `${root}examples/data/acme-leads.csv`;
const events = `${root}examples/data/acme-events.csv`;
const AS_OF = '2026-07-01T00:00:00Z';

it('lql compile --target sql on DuckDB == lql score, lead by lead', async () => {
  const sql = await run(['compile', acme, '--target', 'sql', '--dialect', 'duckdb', '--as-of', AS_OF]);
  expect(sql.code, sql.err).toBe(0);
  // JSON Lines: scores at full precision (the CSV rounds them to two decimals for people)
  const score = await run(['score', acme, '--leads', leads, '--events', events, '--as-of', AS_OF, '--jsonl']);
  expect(score.code, score.err).toBe(0);
  type Row = { id: string; stage: string; route: string | null; bands: Record<string, string>; scores: Record<string, number> };
  const want = new Map(score.out.trim().split('\n').map((l) => JSON.parse(l) as Row).map((r) => [r.id, r]));
  expect(want.size).toBe(3000);

  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run(`CREATE TABLE leads AS SELECT * FROM read_csv('${leads}', all_varchar = true, header = true)`);
  await con.run(`CREATE TABLE events AS SELECT * FROM read_csv('${events}', all_varchar = true, header = true)`);
  const rows = (await con.runAndReadAll(sql.out)).getRowObjectsJS() as Record<string, unknown>[];
  con.closeSync();
  expect(rows.length).toBe(3000);
  let checked = 0;
  for (const row of rows) {
    const w = want.get(String(row.id))!;
    expect(w, String(row.id)).toBeDefined();
    expect(row.stage).toBe(w.stage);
    expect(row.route ?? null).toBe(w.route);
    expect(row.grade).toBe(w.bands.grade);
    expect(row.temperature).toBe(w.bands.temperature);
    for (const s of ["fit", "engagement", "bant", "total"]) expect(Number(row[s])).toBe(w.scores[s]);
    checked++;
  }
  expect(checked).toBe(3000);
  // the data has leads in every stage, so the comparison is not trivial
  expect(new Set(rows.map((r) => r.stage))).toEqual(new Set(['SQL', 'MQL', 'lead']));
});

// The SQL export of a snapshot ruleset (no activities), as a user runs it:
// `lql compile rules.lql --target sql --id "Lead Number"` reads the `leads`
// table only (no `events` table exists in the database) and names the id
// column, and DuckDB then gives the same answers as `lql score`, lead by lead.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';
import { run } from '../cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-snapshot-sql-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

type Row = { id: string; stage: string; bands: Record<string, string>; scores: Record<string, number> };

async function duck(sql: string, leadsCsv: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    await con.run(`CREATE TABLE leads AS SELECT * FROM read_csv('${leadsCsv}', all_varchar = true, header = true)`);
    return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    con.closeSync();
  }
}

describe('compile --target sql for snapshot rulesets', () => {
  const rules = file(
    'snap.lql',
    [
      'attribute employees: number',
      'attribute industry: text',
      'fit {',
      '  +30 when employees >= 500',
      '  +10 when industry == "saas"',
      '  -20 when industry == "student"',
      '}',
      'band tier from fit { gold >= 40, silver >= 10, bronze otherwise }',
      'stages { SQL when fit >= 40  MQL when fit >= 10  lead otherwise }',
    ].join('\n') + '\n',
  );
  const leads = file(
    'leads.csv',
    ['Lead Number,outcome,employees,industry', '1001,won,900,saas', '1002,lost,20,saas', '1003,lost,600,student', '1004,open,,retail', '1005,won,500,'].join('\n') + '\n',
  );

  it('reads no events table and names the id column; the answers are the hand-computed ones', async () => {
    const sql = await run(['compile', rules, '--target', 'sql', '--id', 'Lead Number']);
    expect(sql.code, sql.err).toBe(0);
    expect(sql.out).not.toMatch(/FROM\s+"?events"?\b/);
    expect(sql.out).toContain('"Lead Number"');
    const rows = await duck(sql.out, leads);
    const got = Object.fromEntries(rows.map((r) => [String(r.id), [Number(r.fit), r.tier, r.stage]]));
    // 1001: 30 + 10 = 40 (gold, SQL); 1002: 10 (silver, MQL); 1003: 30 - 20 = 10 (silver, MQL);
    // 1004: employees missing, retail: 0 (bronze, lead); 1005: 30 (silver, MQL)
    expect(got).toEqual({
      '1001': [40, 'gold', 'SQL'],
      '1002': [10, 'silver', 'MQL'],
      '1003': [10, 'silver', 'MQL'],
      '1004': [0, 'bronze', 'lead'],
      '1005': [30, 'silver', 'MQL'],
    });
  });

  it('--id is refused outside --target sql; a ruleset with activities still reads events', async () => {
    expect((await run(['compile', rules, '--target', 'esm', '--id', 'x'])).code).toBe(2);
    const withEvents = file('ev.lql', 'activity demo\nengagement { +40 once demo }\nstages { MQL when engagement >= 40  lead otherwise }\n');
    const sql = await run(['compile', withEvents, '--target', 'sql']);
    expect(sql.code).toBe(0);
    expect(sql.out).toMatch(/FROM\s+"?events"?\b/);
  });

  const X = new URL('../../../shared/data/x-education/Leads.csv', import.meta.url).pathname;
  const xRules = new URL('../../examples/x-education/x-education.lql', import.meta.url).pathname;
  it.skipIf(!existsSync(X))('X Education: the exported query on DuckDB == lql score on all 9,240 leads', { timeout: 120_000 }, async () => {
    const sql = await run(['compile', xRules, '--target', 'sql', '--id', 'Prospect ID']);
    expect(sql.code, sql.err).toBe(0);
    const score = await run(['score', xRules, '--leads', X, '--id', 'Prospect ID', '--outcome', 'Converted', '--jsonl']);
    expect(score.code, score.err).toBe(0);
    const want = new Map(score.out.trim().split('\n').map((l) => JSON.parse(l) as Row).map((r) => [r.id, r]));
    expect(want.size).toBe(9240);
    const rows = await duck(sql.out, X);
    expect(rows.length).toBe(9240);
    const scoreNames = Object.keys(want.values().next().value!.scores);
    for (const row of rows) {
      const w = want.get(String(row.id))!;
      expect(w, String(row.id)).toBeDefined();
      expect(row.stage).toBe(w.stage);
      for (const s of scoreNames) expect(Number(row[s]), `${row.id} ${s}`).toBe(w.scores[s]);
    }
    expect(new Set(rows.map((r) => r.stage)).size).toBeGreaterThan(1);
  });
});

/**
 * The DuckDB engine (simulator/engine-duckdb.ts) on real files: CSV with `;`
 * and RFC 4180 quoting, JSON Lines, `--missing` placeholders, `--id @row`,
 * leakage-free replay with closed_at, and clear errors for bad files.
 * Results are compared with the compiled JS scorer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileSource } from '../../language/index.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import { scoreWithDuckDB, DuckDBEngineError } from '../../simulator/engine-duckdb.js';
import { diff } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-duck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const source = `
attribute employees: number
attribute title: text
attribute source: text
activity visit, demo
fit { +10 when employees >= 100  +5 when title matches /vp|head/i  +3 when source is missing }
engagement { +2 per visit  +40 once demo }
stages { SQL when demo  MQL when engagement >= 4  lead otherwise }
route { "call" when SQL  "nurture" otherwise }
`;
const { ir } = compileSource(source);
const scorer = compileScorer(ir!);

const events = [
  { lead_id: 'a', type: 'visit', at: '2026-01-02T10:00:00Z' },
  { lead_id: 'a', type: 'visit', at: '2026-01-03' },
  { lead_id: 'a', type: 'demo', at: '2026-01-05' },
  { lead_id: 'b;2', type: 'visit', at: '2026-01-04' },
  { lead_id: 'b;2', type: 'visit', at: '2026-01-04' },
  { lead_id: 'c', type: 'visit', at: '2026-01-06' },
  { lead_id: 'zz', type: 'visit', at: '2026-01-06' },
  { lead_id: 'a', type: 'tweet', at: '2026-01-06' },
];
const eventsCsv = file('events.csv', 'lead_id,type,at\n' + events.map((e) => `"${e.lead_id}",${e.type},${e.at}`).join('\n') + '\n');

describe('scoreWithDuckDB', () => {
  test('CSV with ; delimiter, quotes, embedded newlines and --missing placeholders', async () => {
    const leads = file(
      'leads.csv',
      'id;employees;title;source;outcome\n' +
        'a;250;"VP; Sales\nEMEA";Select;won\n' +
        '"b;2";" 99 ";"Head ""of"" Ops";web;lost\n' +
        'c;;engineer;;\n',
    );
    const r = await scoreWithDuckDB({ ir: ir!, leads, events: eventsCsv, missing: ['Select'], asOf: Date.UTC(2026, 0, 10) });
    expect(r.rows.map((x) => x.id)).toEqual(['a', 'b;2', 'c']);
    expect(r.rows.map((x) => x.outcome)).toEqual(['won', 'lost', null]);
    const attrs: Record<string, Record<string, unknown>> = {
      a: { employees: '250', title: 'VP; Sales\nEMEA', source: null },
      'b;2': { employees: ' 99 ', title: 'Head "of" Ops', source: 'web' },
      c: { employees: null, title: 'engineer', source: null },
    };
    for (const row of r.rows) {
      const js = scorer.score(attrs[row.id]!, events.filter((e) => e.lead_id === row.id), Date.UTC(2026, 0, 10));
      expect(diff(js, row)).toEqual([]);
    }
    expect(r.rows[0]!.stage).toBe('SQL');
    expect(r.rows[0]!.scores.fit).toBe(18);
    expect(r.events.total).toBe(8);
    expect(r.events.unknownLeads).toEqual({ events: 1, sample: ['zz'] });
    expect(r.events.unknownTypes).toEqual({ tweet: 1 });
    expect(r.sql).toContain('WITH');
  });

  test('JSON Lines leads, @row ids, default asOf = latest event', async () => {
    const leads = file(
      'leads.jsonl',
      [
        { employees: 500, title: 'vp', source: 'unknown' },
        { employees: '12', title: null, source: 'ads' },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n') + '\n',
    );
    const ev = file('ev.jsonl', [{ lead_id: '2', type: 'demo', at: Date.UTC(2026, 1, 1) }].map((x) => JSON.stringify(x)).join('\n') + '\n');
    const r = await scoreWithDuckDB({ ir: ir!, leads, events: ev, id: '@row', missing: ['unknown'] });
    expect(r.rows.map((x) => x.id)).toEqual(['1', '2']);
    expect(r.rows[0]!.scores.fit).toBe(18);
    expect(r.rows[1]!.stage).toBe('SQL');
    expect(r.rows[1]!.reached.SQL).toBe(Date.UTC(2026, 1, 1));
    // lead 1 has no events: evaluated at the data's latest event time
    expect(r.rows[0]!.reached.lead).toBe(Date.UTC(2026, 1, 1));
  });

  test('snapshot data: no events file', async () => {
    const leads = file('snap.csv', 'id,employees,title,source\nx,100,,web\n');
    const r = await scoreWithDuckDB({ ir: ir!, leads });
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.scores).toEqual({ fit: 10, engagement: 0 });
    expect(r.rows[0]!.stage).toBe('lead');
    expect(r.rows[0]!.reached).toEqual({ SQL: null, MQL: null, lead: 0 });
  });

  test('closed_at: events at or after it are not replayed; stages count only before it', async () => {
    const leads = file(
      'closed.csv',
      'id,employees,title,source,outcome,closed_at\n' +
        'a,250,x,web,won,2026-01-05\n' + // demo at 01-05 is not before close -> MQL only (2 visits = 4 points at 01-03)
        'b;2,1,x,web,lost,2026-01-04\n' + // visits at 01-04 are not before close -> lead, reached at its only point: closed_at
        'c,1,x,web,open,\n',
    );
    const r = await scoreWithDuckDB({ ir: ir!, leads, events: eventsCsv, asOf: Date.UTC(2026, 0, 10) });
    const byId = new Map(r.rows.map((x) => [x.id, x]));
    expect(byId.get('a')!.stage).toBe('MQL');
    expect(byId.get('a')!.reached).toEqual({ SQL: null, MQL: Date.UTC(2026, 0, 3), lead: Date.UTC(2026, 0, 2, 10) });
    expect(byId.get('a')!.scores.engagement).toBe(4);
    // the lowest stage always counts (as in the JS engine), reached at the first evaluation point
    expect(byId.get('b;2')!.reached).toEqual({ SQL: null, MQL: null, lead: Date.UTC(2026, 0, 4) });
    expect(byId.get('b;2')!.stage).toBe('lead');
    expect(byId.get('c')!.reached.lead).toBe(Date.UTC(2026, 0, 6));
    // without closedAt the demo counts
    const open = await scoreWithDuckDB({ ir: ir!, leads, events: eventsCsv, asOf: Date.UTC(2026, 0, 10), closedAt: false });
    expect(open.rows.find((x) => x.id === 'a')!.stage).toBe('SQL');
  });

  test('bad input is reported with LQL7xx diagnostics', async () => {
    const noId = file('noid.csv', 'name,employees\nx,1\n');
    await expect(scoreWithDuckDB({ ir: ir!, leads: noId })).rejects.toSatisfy(
      (e: unknown) => e instanceof DuckDBEngineError && e.diagnostics[0]!.code === 'LQL711' && /--id/.test(e.message),
    );
    const dup = file('dup.csv', 'id,employees\nx,1\nx,2\n');
    await expect(scoreWithDuckDB({ ir: ir!, leads: dup })).rejects.toSatisfy(
      (e: unknown) => e instanceof DuckDBEngineError && e.diagnostics[0]!.code === 'LQL712',
    );
    await expect(scoreWithDuckDB({ ir: ir!, leads: join(dir, 'nope.csv') })).rejects.toSatisfy(
      (e: unknown) => e instanceof DuckDBEngineError && e.diagnostics[0]!.code === 'LQL710',
    );
    const ragged = file('ragged.csv', 'id,employees\nx,1,extra,more\n');
    await expect(scoreWithDuckDB({ ir: ir!, leads: ragged })).rejects.toBeInstanceOf(DuckDBEngineError);
  });
});

/**
 * The SQL export's own guarantees: hostile names and strings cannot break out
 * of identifiers, literals or comments; the PostgreSQL regex rewrite keeps
 * RE2's meaning (checked against re2js on a real server) or is refused with
 * LQL701; output-name problems are diagnosed; typed (non-text) columns read
 * like text cells; the leakage-free backtest mode; snapshot mode.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { RE2JS } from 're2js';
import { compileSource } from '../../language/index.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import { emitSql, exportSql, SqlExportError } from '../../language/compile/emit-sql.js';
import { toPostgresRegex } from '../../language/compile/sql-regex.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { diff, runDuckDB, runPostgres, toResults, type TestLead } from './harness.js';

const skipPg = postgresUnavailable();
let pg: PostgresServer | null = null;
beforeAll(async () => {
  if (!skipPg) pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

function compile(src: string) {
  const r = compileSource(src);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.ir!;
}

describe('hostile names and strings', () => {
  const src = `
ruleset "evil */ name\\n; DROP TABLE leads; --"
attribute \`we"ird' col */\`: text
attribute \`x\`: number
activity \`a"b\`
fit {
  +10 when \`we"ird' col */\` == "'); DROP TABLE leads; --"
  +5 when \`we"ird' col */\` contains "*/ \\" --"
  +1 per x
}
engagement { +3 per \`a"b\` }
stages { \`S"Q*/L\` when fit >= 10  lead otherwise }
route { "it's \\"ok\\" */" when fit > 0  "--" otherwise }
`;
  const leads: TestLead[] = [
    { id: "o'brien", attrs: { 'we"ird\' col */': "'); DROP TABLE leads; --", x: 2 }, events: [{ type: 'a"b', at: '2026-01-01' }] },
    { id: 'b"2', attrs: { 'we"ird\' col */': 'pre */ " -- post', x: null }, events: [] },
  ];

  test('the query is one statement whose comments carry no user newlines', () => {
    const ir = compile(src);
    for (const dialect of ['duckdb', 'postgres'] as const) {
      const sql = emitSql(ir, { dialect });
      for (const line of sql.split('\n')) expect(line.trimStart().startsWith('; DROP')).toBe(false);
      const comments = sql.split('\n').filter((l) => l.trimStart().startsWith('--'));
      for (const c of comments) expect(c).not.toContain('*/');
      expect(sql).toContain(`"we""ird' col */"`);
      expect(sql).toContain(`'''); DROP TABLE leads; --'`);
    }
  });

  test('DuckDB and PostgreSQL score them like the JS scorer and leave the tables alone', async () => {
    const ir = compile(src);
    const js = compileScorer(ir);
    const duck = await runDuckDB(ir, leads);
    for (const l of leads) expect(diff(js.score(l.attrs, l.events, l.asOf), duck.results.get(l.id))).toEqual([]);
    expect(duck.results.get("o'brien")!.stage).toBe('S"Q*/L');
    expect(duck.results.get("o'brien")!.route).toBe('it\'s "ok" */');
    if (pg) {
      const post = await runPostgres(pg.client, ir, leads);
      for (const l of leads) expect(diff(js.score(l.attrs, l.events, l.asOf), post.results.get(l.id))).toEqual([]);
    }
  });
});

describe('PostgreSQL regular expressions', () => {
  test('rewrites keep RE2 meaning on a real server', async () => {
    const patterns: [string, boolean][] = [
      ['director|vp|head|chief', true],
      ['^a.c$', false],
      ['\\d{2,3}-\\w+', false],
      ['[\\d.]+%', false],
      ['\\bvp\\b', true],
      ['(?:ab)+c', false],
      ['(?P<x>a)b', false],
      ['[^a-c]x', false],
      ['[[:alpha:]]+[[:digit:]]', false],
      ['\\x41\\x{42}', false],
      ['a{2}b{1,}', false],
      ['\\.com$', true],
      ['[\\]a]', false],
      ['a\\sb', false],
    ];
    const texts = ['VP Sales', 'abc', 'a\nc', '12-ab', '3.5%', 'the vp', 'xvpx', 'ababc', 'ab', 'dx', 'ax', 'abc1', 'AB', 'aab', 'x.COM', ']', 'a b', 'a\tb', 'é1', ''];
    for (const [p, ci] of patterns) {
      const r = toPostgresRegex(p);
      expect(r.error, p).toBeUndefined();
      if (!pg) continue;
      const re = RE2JS.compile(p, ci ? RE2JS.CASE_INSENSITIVE : 0);
      const res = await pg.client.query(`SELECT t, t ${ci ? '~*' : '~'} $1 AS m FROM unnest($2::text[]) AS t`, [r.pattern, texts]);
      for (const row of res.rows as { t: string; m: boolean }[]) expect(row.m, `/${p}/ on ${JSON.stringify(row.t)}`).toBe(re.matcher(row.t).find());
    }
  });

  test('constructs without an equivalent are refused with LQL701', () => {
    for (const p of ['(?i)x', '\\pL', 'a{300}', '[\\D]', '\\Qa.b\\E', '\\1']) expect(toPostgresRegex(p).error, p).toBeDefined();
    const ir = compile('attribute t: text\nfit { +1 when t matches /(?s)a.b/ }\n');
    const r = exportSql(ir, { dialect: 'postgres' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LQL701']);
    expect(r.diagnostics[0]!.range.start.line).toBe(2);
    expect(r.sql).toBe('');
    expect(() => emitSql(ir, { dialect: 'postgres' })).toThrow(SqlExportError);
    expect(exportSql(ir, { dialect: 'duckdb' }).diagnostics).toEqual([]);
  });
});

describe('diagnostics', () => {
  test('duplicate and over-long output names', () => {
    const ir = compile(`activity a\nstages { ${'S'.repeat(60)} when a  lead otherwise }\n`);
    const r = exportSql(ir, { dialect: 'postgres', extraColumns: ['Stage'] });
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['LQL702', 'LQL703']);
    expect(exportSql(ir, { dialect: 'duckdb' }).diagnostics).toEqual([]);
  });
});

describe('typed columns (a warehouse, not a CSV)', () => {
  const src = `
attribute n: number
attribute flag: bool
attribute d: date
attribute label: text
activity v
fit { +1 per n  +5 when flag  +2 when days since d < 10  +7 when label == "42" }
engagement { +1 per v in last 2 days }
stages { hot when engagement >= 2  lead otherwise }
`;
  const leads = [
    { id: 'p', n: 2.5, flag: true, d: Date.UTC(2026, 0, 5), label: 42, ev: [Date.UTC(2026, 0, 9, 12), Date.UTC(2026, 0, 10)] },
    { id: 'q', n: null, flag: false, d: null, label: 7, ev: [] as number[] },
  ];
  const asOf = Date.UTC(2026, 0, 10);

  test('PostgreSQL: DOUBLE, BOOLEAN, TIMESTAMPTZ and INTEGER columns', async () => {
    if (!pg) return;
    const ir = compile(src);
    const js = compileScorer(ir);
    const c = pg.client;
    await c.query('CREATE SCHEMA typed; SET search_path TO typed');
    try {
      await c.query('CREATE TABLE leads (id TEXT, n DOUBLE PRECISION, flag BOOLEAN, d TIMESTAMPTZ, label INTEGER)');
      await c.query('CREATE TABLE events (lead_id TEXT, type TEXT, at TIMESTAMPTZ)');
      for (const l of leads) {
        await c.query('INSERT INTO leads VALUES ($1, $2, $3, $4, $5)', [l.id, l.n, l.flag, l.d === null ? null : new Date(l.d), l.label]);
        for (const t of l.ev) await c.query(`INSERT INTO events VALUES ($1, 'v', $2)`, [l.id, new Date(t)]);
      }
      await c.query("SET TimeZone = 'America/New_York'");
      const r = exportSql(ir, { dialect: 'postgres', asOf });
      const res = toResults((await c.query(r.sql)).rows, r.columns);
      for (const l of leads) {
        const expected = js.score({ n: l.n, flag: l.flag, d: l.d, label: l.label }, l.ev.map((at) => ({ type: 'v', at })), asOf);
        expect(diff(expected, res.get(l.id))).toEqual([]);
      }
      expect(res.get('p')!.scores.fit).toBe(16.5);
    } finally {
      await c.query("SET TimeZone = 'UTC'; SET search_path TO public; DROP SCHEMA typed CASCADE");
    }
  });

  test('DuckDB: DOUBLE, BOOLEAN, TIMESTAMP and BIGINT columns', async () => {
    const ir = compile(src);
    const js = compileScorer(ir);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      await c.run('CREATE TABLE leads (id VARCHAR, n DOUBLE, flag BOOLEAN, d TIMESTAMP, label BIGINT)');
      await c.run('CREATE TABLE events (lead_id VARCHAR, type VARCHAR, "at" TIMESTAMP)');
      const ts = (ms: number | null) => (ms === null ? 'NULL' : `TIMESTAMP '${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`);
      for (const l of leads) {
        await c.run(`INSERT INTO leads VALUES ('${l.id}', ${l.n ?? 'NULL'}, ${l.flag}, ${ts(l.d)}, ${l.label})`);
        for (const t of l.ev) await c.run(`INSERT INTO events VALUES ('${l.id}', 'v', ${ts(t)})`);
      }
      const r = exportSql(ir, { dialect: 'duckdb', asOf });
      const res = toResults((await c.runAndReadAll(r.sql)).getRowObjectsJS() as Record<string, unknown>[], r.columns);
      for (const l of leads) {
        const expected = js.score({ n: l.n, flag: l.flag, d: l.d, label: l.label }, l.ev.map((at) => ({ type: 'v', at })), asOf);
        expect(diff(expected, res.get(l.id))).toEqual([]);
      }
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});

describe('options', () => {
  const ir0 = () => compile('activity v, w\nengagement { +1 per v }\nstages { M when count(v) >= 2  lead otherwise }\n');
  const leads: TestLead[] = [
    { id: 'a', attrs: {}, events: [{ type: 'v', at: '2026-01-01' }, { type: 'v', at: '2026-01-03' }, { type: 'v', at: '2026-01-05' }], closedAt: Date.UTC(2026, 0, 3) },
    { id: 'b', attrs: {}, events: [{ type: 'v', at: '2026-01-01' }, { type: 'v', at: '2026-01-02' }], closedAt: Date.UTC(2026, 0, 3) },
    { id: 'c', attrs: {}, events: [{ type: 'w', at: '2026-02-01' }] },
  ];

  test('closedAtColumn: no leakage, on DuckDB and PostgreSQL', async () => {
    const ir = ir0();
    const extra = { closedAtColumn: '__closed_at', asOf: Date.UTC(2026, 0, 10) };
    const runs = [await runDuckDB(ir, leads, extra)];
    if (pg) runs.push(await runPostgres(pg.client, ir, leads, extra));
    for (const { results } of runs) {
      // a: the 01-03 event is at closed_at: not replayed; evaluated at 01-03 -> 1 visit, M never reached
      expect(results.get('a')).toMatchObject({ scores: { engagement: 1 }, stage: 'lead', reached: { M: null, lead: Date.UTC(2026, 0, 1) } });
      // b: M reached 01-02, before closed_at
      expect(results.get('b')).toMatchObject({ scores: { engagement: 2 }, stage: 'M', reached: { M: Date.UTC(2026, 0, 2) } });
      // c: no closed_at: evaluated at the run's asOf (01-10); its w event is later
      expect(results.get('c')).toMatchObject({ scores: { engagement: 0 }, reached: { lead: Date.UTC(2026, 0, 10) } });
    }
  });

  test('default asOf: the latest event of a declared activity in the data', async () => {
    const ir = ir0();
    const { results } = await runDuckDB(ir, leads, { asOf: undefined, asOfColumn: undefined });
    expect(results.get('a')!.reached.lead).toBe(Date.UTC(2026, 0, 1));
    expect(results.get('c')!.reached.lead).toBe(Date.UTC(2026, 1, 1));
    expect(results.get('a')!.scores.engagement).toBe(3);
  });

  test('snapshot mode (no events table) and schema-qualified tables', async () => {
    const ir = compile('attribute visits: number\nengagement { +2 per visits, max 10 }\nstages { M when engagement >= 6  lead otherwise }\n');
    const sql = emitSql(ir, { dialect: 'duckdb', eventsTable: null, leadsTable: ['crm', 'leads'], asOf: 0 });
    expect(sql).not.toContain('"events"');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      await c.run(`CREATE SCHEMA crm; CREATE TABLE crm.leads (id VARCHAR, visits VARCHAR); INSERT INTO crm.leads VALUES ('a', '4'), ('b', '2'), ('c', 'x')`);
      const rows = (await c.runAndReadAll(sql)).getRowObjectsJS();
      expect(rows.map((r) => [r.id, r.engagement, r.stage])).toEqual([
        ['a', 8, 'M'],
        ['b', 4, 'lead'],
        ['c', 0, 'lead'],
      ]);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});

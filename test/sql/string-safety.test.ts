/**
 * Texts from a ruleset keep their meaning in the exported SQL whatever the
 * server's settings: a backslash is never an escape on a PostgreSQL server
 * with standard_conforming_strings = off (no injected statement runs, a
 * regex `\d` stays a digit class), and a text holding U+0000 is encoded for
 * DuckDB and refused for PostgreSQL (which cannot hold it) with LQL704.
 *
 * Input: rulesets with hostile texts, a throwaway PostgreSQL server, DuckDB.
 * Output: pass/fail; each engine's results are compared with the JS scorer.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compileSource } from '../../language/index.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import { exportSql } from '../../language/compile/emit-sql.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { diff, runDuckDB, runPostgres, type TestLead } from './harness.js';

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

// In LQL text `\\` is one backslash: the value is  a\'); CREATE TABLE public.pwned (x int); --
const INJECT = String.raw`a\\'); CREATE TABLE public.pwned (x int); --`;
const INJECT_VALUE = String.raw`a\'); CREATE TABLE public.pwned (x int); --`;

const src = `
attribute title: text
attribute code: text
fit {
  +10 when title == "${INJECT}"
  +5 when code matches /\\d{3}/
  +2 when title ends with "\\\\"
}
stages { hot when fit >= 10  lead otherwise }
route { "${INJECT}" when fit >= 5  "back\\\\slash" otherwise }
`;

const leads: TestLead[] = [
  { id: 'inj', attrs: { title: INJECT_VALUE, code: 'x' }, events: [] },
  { id: 'digits', attrs: { title: 'Manager', code: 'ab123' }, events: [] },
  { id: 'dee', attrs: { title: 'ends\\', code: 'ddd' }, events: [] },
];

describe('strings under standard_conforming_strings on and off', () => {
  test('the JS scorer reads the texts as written (the reference)', () => {
    const js = compileScorer(compile(src));
    expect(js.score(leads[0]!.attrs, [], 0).scores.fit).toBe(10);
    expect(js.score(leads[0]!.attrs, [], 0).route).toBe(INJECT_VALUE);
    expect(js.score(leads[1]!.attrs, [], 0).scores.fit).toBe(5);
    expect(js.score(leads[2]!.attrs, [], 0).scores.fit).toBe(2);
    expect(js.score(leads[2]!.attrs, [], 0).route).toBe('back\\slash');
  });

  test('DuckDB agrees with the JS scorer', async () => {
    const ir = compile(src);
    const js = compileScorer(ir);
    const duck = await runDuckDB(ir, leads);
    for (const l of leads) expect(diff(js.score(l.attrs, l.events, l.asOf), duck.results.get(l.id)), l.id).toEqual([]);
  });

  for (const setting of ['on', 'off'] as const) {
    test(`PostgreSQL with standard_conforming_strings = ${setting} agrees and runs nothing injected`, async () => {
      if (!pg) return;
      const ir = compile(src);
      const js = compileScorer(ir);
      await pg.client.query(`SET standard_conforming_strings = ${setting}`);
      try {
        let post: Awaited<ReturnType<typeof runPostgres>> | undefined;
        try {
          post = await runPostgres(pg.client, ir, leads);
        } finally {
          const pwned = await pg.client.query(`SELECT to_regclass('public.pwned') AS t`);
          expect(pwned.rows[0].t, 'an injected statement ran').toBeNull();
        }
        for (const l of leads) expect(diff(js.score(l.attrs, l.events, l.asOf), post.results.get(l.id)), l.id).toEqual([]);
      } finally {
        await pg.client.query('SET standard_conforming_strings = on');
      }
    });
  }
});

describe('U+0000 in a text', () => {
  const nul = `
attribute source: text
fit { +3 when source == "web\\u{0}x"  +1 when source == "web" }
route { "a\\u{0}b" when fit > 0  "none" otherwise }
`;
  test('DuckDB encodes it and agrees with the JS scorer', async () => {
    const ir = compile(nul);
    const r = exportSql(ir, { dialect: 'duckdb' });
    expect(r.diagnostics).toEqual([]);
    expect(r.sql).toContain('chr(0)');
    const js = compileScorer(ir);
    const ls: TestLead[] = [
      { id: 'w', attrs: { source: 'web' }, events: [] },
      { id: 'n', attrs: { source: 'web\u0000x' }, events: [] },
    ];
    const duck = await runDuckDB(ir, ls.slice(0, 1));
    expect(diff(js.score(ls[0]!.attrs, [], undefined), duck.results.get('w'))).toEqual([]);
    expect(duck.results.get('w')!.route).toBe('a\u0000b');
    expect(js.score(ls[1]!.attrs, [], undefined).scores.fit).toBe(3);
  });

  test('PostgreSQL refuses it with LQL704 at the text', () => {
    const r = exportSql(compile(nul), { dialect: 'postgres' });
    expect(r.diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([['LQL704', 3], ['LQL704', 4]]);
    expect(r.diagnostics[0]!.message).toContain('PostgreSQL');
    expect(r.sql).toBe('');
  });
});

/**
 * Differential tests of the SQL export: the same leads and events scored by
 * the compiled JS scorer, by DuckDB and by a real PostgreSQL server must agree
 * on every lead (labels, scores (rounded to 9 decimals) and reached times
 * equal). Sources: the shared case corpus (also checked against its
 * hand-worked expectations), the ACME example with its test leads and with
 * generated leads, and random rulesets from test/support/gen-ruleset.ts.
 * One PostgreSQL server for the whole file; each scenario in its own schema.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { compileSource } from '../../language/index.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import type { IR } from '../../language/compile/ir.js';
import { compareResult, loadCases, type Case } from '../cases/load.js';
import { arbEvents, arbLead, arbRuleset } from '../support/gen-ruleset.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { diff, runDuckDB, runPostgres, type SqlResult, type TestLead } from './harness.js';

const skipPg = postgresUnavailable();
if (skipPg) console.warn(`PostgreSQL differential tests skipped: ${skipPg}`);

let pg: PostgresServer | null = null;
beforeAll(async () => {
  if (!skipPg) pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

/** Score with JS, DuckDB and PostgreSQL; list every disagreement. */
async function agree(ir: IR, leads: TestLead[], label: string): Promise<{ problems: string[]; duck: Map<string, SqlResult> }> {
  const scorer = compileScorer(ir);
  const duck = (await runDuckDB(ir, leads)).results;
  const post = pg ? (await runPostgres(pg.client, ir, leads)).results : null;
  const problems: string[] = [];
  for (const l of leads) {
    const js = scorer.score(l.attrs, l.events, l.asOf);
    for (const p of diff(js, duck.get(l.id))) problems.push(`${label} ${l.id} DuckDB: ${p}`);
    if (post) for (const p of diff(js, post.get(l.id))) problems.push(`${label} ${l.id} PostgreSQL: ${p}`);
  }
  return { problems, duck };
}

describe('case corpus', () => {
  const byFile = new Map<string, Case[]>();
  for (const c of loadCases().filter((c) => c.expect)) {
    const list = byFile.get(c.file) ?? [];
    list.push(c);
    byFile.set(c.file, list);
  }
  test.each([...byFile.entries()].map(([f, cs]) => [f.split('/').pop()!, cs] as const))('%s', async (file, cases) => {
    const { ir } = compileSource(cases[0]!.source);
    expect(ir).not.toBeNull();
    const leads: TestLead[] = cases.map((c, i) => ({ id: `L${i}`, attrs: c.lead, events: c.events, asOf: c.asOfMs }));
    const { problems, duck } = await agree(ir!, leads, file);
    cases.forEach((c, i) => {
      const r = duck.get(`L${i}`);
      if (r) for (const p of compareResult({ ...r, reasons: [] }, { ...c.expect!, reasons: undefined })) problems.push(`${c.name} expected: ${p}`);
    });
    expect(problems).toEqual([]);
  });
});

const acmeSource = readFileSync(new URL('../../../shared/spec/examples/acme.lql', import.meta.url), 'utf8');

describe('ACME example', () => {
  const { ir } = compileSource(acmeSource);

  test('its test leads', async () => {
    expect(ir).not.toBeNull();
    const leads: TestLead[] = ir!.tests.map((t, i) => ({
      id: `T${i}`,
      attrs: t.lead,
      events: t.events.map((e) => ({ type: e.type, at: e.at })),
      asOf: t.at ?? undefined,
    }));
    const { problems, duck } = await agree(ir!, leads, 'acme test');
    expect(problems).toEqual([]);
    // the first test: the enterprise bank asking for a quote is SQL with fit 40
    expect(duck.get('T0')!.stage).toBe('SQL');
    expect(duck.get('T0')!.scores.fit).toBe(40);
  });

  test('300 generated leads with up to 40 events each', async () => {
    const T0 = Date.UTC(2025, 9, 1);
    const DAY = 86_400_000;
    const arbAcmeLead = fc.record({
      attrs: fc.record({
        industry: fc.constantFrom('financial_services', 'services', 'manufacturing', 'retail', '', null),
        employees: fc.oneof(fc.integer({ min: 1, max: 20000 }), fc.constantFrom(' 5000 ', '1e4', 'n/a', null)),
        country: fc.constantFrom('DE', 'US', null),
        title: fc.constantFrom('VP Finance', 'Head of Ops', 'engineer', 'Chief Risk Officer', 'DIRECTOR', null),
        email: fc.constantFrom('a@bank.example', 'joe@gmail.com', 'x@Hotmail.com', 'no-at-sign', 'a@b@yahoo.com', null),
        budget: fc.oneof(fc.integer({ min: 0, max: 100000 }), fc.constant(null)),
        timeframe_days: fc.oneof(fc.integer({ min: 0, max: 365 }), fc.constant(null)),
      }),
      events: fc.array(
        fc.record({
          type: fc.constantFrom('web_visit', 'web_visit', 'web_visit', 'content_download', 'webinar_attended', 'pricing_page_view', 'demo_request', 'quote_request', 'email_click', 'email_click', 'unsubscribe', 'page_like'),
          at: fc.integer({ min: 0, max: 200 * 24 }).map((h) => new Date(T0 + h * 3_600_000).toISOString()),
        }),
        { maxLength: 40 },
      ),
      asOf: fc.option(fc.integer({ min: 0, max: 260 }).map((d) => T0 + d * DAY), { nil: undefined }),
    });
    const sample = fc.sample(arbAcmeLead, { numRuns: 300, seed: 20260110 });
    const leads: TestLead[] = sample.map((s, i) => ({ id: `G${i}`, ...s }));
    const { problems, duck } = await agree(ir!, leads, 'acme generated');
    expect(problems).toEqual([]);
    // the sample reaches every stage at least once
    const stages = new Set([...duck.values()].map((r) => r.stage));
    expect([...stages].sort()).toEqual(['MQL', 'SQL', 'lead']);
  });
});

describe('random rulesets', () => {
  const rulesets = fc.sample(arbRuleset, { numRuns: 40, seed: 7 });
  const leadSets = fc.sample(
    fc.array(fc.record({ attrs: arbLead, events: arbEvents, asOf: fc.option(fc.integer({ min: 0, max: 70 * 24 }).map((h) => Date.UTC(2026, 0, 1) + h * 3_600_000), { nil: undefined }) }), { minLength: 25, maxLength: 25 }),
    { numRuns: 40, seed: 11 },
  );
  // in groups of 10 rulesets (each group one test, so no single test runs long)
  test.each([0, 10, 20, 30])('rulesets %i.. x 25 leads agree across JS, DuckDB and PostgreSQL', async (from) => {
    const problems: string[] = [];
    for (let r = from; r < from + 10; r++) {
      const { ir, diagnostics } = compileSource(rulesets[r]!);
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const leads: TestLead[] = leadSets[r]!.map((l, i) => ({ id: `R${i}`, attrs: l.attrs, events: l.events, asOf: l.asOf }));
      const res = await agree(ir!, leads, `ruleset ${r}`);
      if (res.problems.length) problems.push(`--- ruleset ${r}:\n${rulesets[r]}`, ...res.problems.slice(0, 10));
    }
    expect(problems).toEqual([]);
  });
});

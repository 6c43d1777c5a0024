// The standalone scorer module: golden ESM text, and the module imported by
// plain Node (ESM and CJS) gives the same results as the in-process scorer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { compileSource } from '../../language/index.js';
import { compileScorer, emitDts, emitModule } from '../../language/compile/emit-js.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-emit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOLDEN_SRC = `ruleset "Golden"
attribute employees: number
activity web_visit, demo_request
segment big = employees >= 1000
fit { +30 when big  -10 when country in ["XX", "YY"] }
engagement {
  +2 per web_visit in last 30 days, max 10
  +40 once demo_request
  decay half-life 30 days
}
score total = fit + engagement
band grade from fit { A >= 30, B otherwise }
stages { MQL when total >= 50, lead otherwise }
route { "call" when grade == A and MQL, "nurture" otherwise }
`;

const ACME = readFileSync(fileURLToPath(new URL('../../../shared/spec/examples/acme.lql', import.meta.url)), 'utf8');

function irOf(text: string) {
  const r = compileSource(text);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.ir!;
}

// each lead with its asOf, as a backtest passes it (without one a module takes the lead's latest event)
const leads: [Record<string, unknown>, { type: string; at: string | number }[], string | number][] = [
  [{ employees: 5000, country: 'DE' }, [{ type: 'web_visit', at: '2026-01-01' }, { type: 'demo_request', at: '2026-01-03' }], '2026-01-03'],
  [{ employees: '20', country: 'XX' }, [{ type: 'web_visit', at: 1767225600000 }], '2026-03-01'],
  [{}, [], 0],
  [{ industry: 'financial_services', employees: 8000, title: 'VP Finance', email: 'a@b.example', budget: 50000, timeframe_days: 60 },
    [{ type: 'web_visit', at: '2026-01-02' }, { type: 'quote_request', at: '2026-01-10' }], '2026-01-10'],
  [{ industry: 'services', employees: 20, email: 'joe@GMAIL.com', title: 'Director' }, [{ type: 'email_click', at: '2026-02-01' }, { type: 'email_click', at: '2026-02-20' }, { type: 'unsubscribe', at: '2026-02-21' }], '2026-03-15'],
];

describe('emitModule', () => {
  test('golden ESM for a small ruleset', () => {
    const text = emitModule(irOf(GOLDEN_SRC), { format: 'esm', compilerVersion: '0.0.0-golden' });
    const golden = fileURLToPath(new URL('./golden/small.mjs', import.meta.url));
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
    expect(existsSync(golden), 'golden file missing: run with UPDATE_GOLDEN=1 and review it').toBe(true);
    expect(text).toBe(readFileSync(golden, 'utf8'));
    expect(text).not.toMatch(/^\s*import\b/m);
    expect(text).toContain('// Compiled by lql "0.0.0-golden"');
  });

  test('golden .d.ts', () => {
    const text = emitDts(irOf(GOLDEN_SRC));
    const golden = fileURLToPath(new URL('./golden/small.d.mts', import.meta.url));
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
    expect(existsSync(golden), 'golden file missing: run with UPDATE_GOLDEN=1 and review it').toBe(true);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  test('the module contains the same scorer body as compileScorer', () => {
    const ir = irOf(ACME);
    const text = emitModule(ir, { format: 'esm', compilerVersion: 't' });
    expect(text).toContain(compileScorer(ir).source);
    // acme uses `matches`: the linear-time engine is embedded with its licence
    expect(text).toContain('MIT License');
    expect(text).toContain('const RE2JS = (() => {');
  });

  for (const [name, src] of [['golden', GOLDEN_SRC], ['acme', ACME]] as const) {
    test(`${name}: ESM and CJS modules under plain Node agree with compileScorer`, () => {
      const ir = irOf(src);
      writeFileSync(join(dir, `${name}.mjs`), emitModule(ir, { format: 'esm', compilerVersion: 't' }));
      writeFileSync(join(dir, `${name}.cjs`), emitModule(ir, { format: 'cjs', compilerVersion: 't' }));
      writeFileSync(join(dir, `${name}-leads.json`), JSON.stringify(leads));
      const script = `
        import { readFileSync } from 'node:fs';
        import { createRequire } from 'node:module';
        const esm = await import(${JSON.stringify('./' + name + '.mjs')});
        const cjs = createRequire(import.meta.url)(${JSON.stringify('./' + name + '.cjs')});
        const leads = JSON.parse(readFileSync(${JSON.stringify(join(dir, name + '-leads.json'))}, 'utf8'));
        const out = leads.map(([l, e, a]) => [esm.score(l, e, a), cjs.score(l, e, a)]);
        console.log(JSON.stringify({ out, ruleset: esm.ruleset }));`;
      writeFileSync(join(dir, `${name}-run.mjs`), script);
      const got = JSON.parse(execFileSync(process.execPath, [join(dir, `${name}-run.mjs`)], { encoding: 'utf8' }));
      const sc = compileScorer(ir);
      leads.forEach(([l, e, a], i) => {
        const want = JSON.parse(JSON.stringify(sc.score(l, e, a)));
        expect(got.out[i][0]).toEqual(want);
        expect(got.out[i][1]).toEqual(want);
      });
      expect(got.ruleset).toEqual(JSON.parse(JSON.stringify(sc.ruleset)));
    });
  }
});

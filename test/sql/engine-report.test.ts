/**
 * `lql simulate --engine duckdb` and `lql score --engine duckdb`
 * (simulator/simulate-duckdb.ts) against the JS engine on real files: the
 * bundled X Education, UCI bank marketing and Olist datasets and generated
 * ACME history. The DuckDB report must equal the JS report (counts exactly,
 * rates and means within 1e-12), with and without `--baseline`; the scored
 * rows of `lql score` must be equal; bad data must give the JS loader's own
 * diagnostics; `--lenient` is refused with a usage error.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { compileSource } from '../../language/index.js';
import type { IR } from '../../language/compile/ir.js';
import { loadEventsFile, loadLeadsFile } from '../../simulator/data/files.js';
import { DataError } from '../../simulator/data/errors.js';
import { columnTypes, simulateFull, scoreAll } from '../../simulator/simulate.js';
import { generate, writeCsv } from '../../simulator/generate.js';
import { simulateDuckDB, scoreRowsDuckDB, type DuckDBRunOptions } from '../../simulator/simulate-duckdb.js';
import { run } from '../cli/run.js';

const root = new URL('../../', import.meta.url).pathname;
const shared = join(root, '../shared');
const dir = mkdtempSync(join(tmpdir(), 'lql-engine-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

function irOf(text: string): IR {
  const r = compileSource(text);
  if (!r.ir) throw new Error('ruleset does not compile: ' + r.diagnostics.map((d) => d.message).join('; '));
  return r.ir;
}
const rulesetFile = (p: string) => irOf(readFileSync(join(root, p), 'utf8'));

/** Every difference between two JSON values: integers exactly, other numbers within 1e-12 (relative above 1). */
function differences(a: unknown, b: unknown, path = '$', out: string[] = []): string[] {
  if (out.length > 20) return out;
  if (typeof a === 'number' && typeof b === 'number') {
    const ok = Number.isInteger(a) && Number.isInteger(b) ? a === b : Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));
    if (!ok) out.push(`${path}: js ${a} duckdb ${b}`);
    return out;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
      out.push(`${path}: js ${JSON.stringify(a)?.slice(0, 200)} duckdb ${JSON.stringify(b)?.slice(0, 200)}`);
      return out;
    }
    a.forEach((x, i) => differences(x, b[i], `${path}[${i}]`, out));
    return out;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join('\u0000') !== kb.join('\u0000')) out.push(`${path}: keys ${ka.join(',')} vs ${kb.join(',')}`);
    for (const k of ka) differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
    return out;
  }
  if (a !== b) out.push(`${path}: js ${JSON.stringify(a)} duckdb ${JSON.stringify(b)}`);
  return out;
}

/** The JSON text of a report, parsed back (the contract is the JSON: -0 prints as 0). */
const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

async function jsLoad(o: DuckDBRunOptions) {
  const types = columnTypes(o.ir);
  const leads = await loadLeadsFile(o.leads, { id: o.id, outcome: o.outcome, missing: o.missing, types });
  const events = o.events ? await loadEventsFile(o.events, leads, o.ir.activities) : null;
  return { leads, events };
}

/** Simulate with both engines and compare the reports (and `lql score` rows). */
async function compareEngines(o: DuckDBRunOptions, baseline?: IR): Promise<void> {
  const { leads, events } = await jsLoad(o);
  const js = simulateFull(o.ir, leads, events, { asOf: o.asOf, baseline });
  const duck = await simulateDuckDB({ ...o, baseline });
  expect(differences(json(js.report), json(duck.report))).toEqual([]);
  if (baseline) expect(duck.report.changes!.count).toBe(js.report.changes!.count);

  const jsRows = scoreAll(o.ir, leads, events, { asOf: o.asOf });
  const duckRows = await scoreRowsDuckDB(o);
  expect(duckRows.length).toBe(jsRows.length);
  const problems: string[] = [];
  jsRows.forEach((r, i) => differences(json(r), json(duckRows[i]), `row ${r.id}`, problems));
  expect(problems).toEqual([]);
}

const AS_OF = Date.UTC(2020, 0, 1);

describe('DuckDB report equals the JS report', () => {
  test('X Education (snapshot, --missing Select, named id and outcome columns)', async () => {
    const ir = rulesetFile('examples/x-education/x-education.lql');
    const baseline = irOf(readFileSync(join(root, 'examples/x-education/x-education.lql'), 'utf8').replace('total >= 55', 'total >= 45'));
    await compareEngines(
      { ir, leads: join(shared, 'data/x-education/Leads.csv'), id: 'Prospect ID', outcome: 'Converted', missing: ['Select'], asOf: AS_OF },
      baseline,
    );
  }, 60_000);

  test('UCI bank marketing (snapshot, ; delimiter, --id @row, --missing unknown)', async () => {
    const ir = rulesetFile('examples/bank-marketing/bank-marketing.lql');
    const baseline = irOf(readFileSync(join(root, 'examples/bank-marketing/bank-marketing.lql'), 'utf8').replace('total >= 25', 'total >= 20'));
    await compareEngines(
      { ir, leads: join(shared, 'data/uci-bank-marketing/bank-full.csv'), id: '@row', outcome: 'y', missing: ['unknown'], asOf: AS_OF },
      baseline,
    );
  }, 60_000);

  test('Olist (events, default asOf)', async () => {
    const out = join(dir, 'olist');
    execFileSync(process.execPath, [join(root, 'examples/olist/join.mjs'), join(shared, 'data/olist-marketing-funnel'), out]);
    const ir = rulesetFile('examples/olist/olist.lql');
    const baseline = irOf(readFileSync(join(root, 'examples/olist/olist.lql'), 'utf8').replace('total >= 10', 'total >= 5'));
    await compareEngines({ ir, leads: join(out, 'leads.csv'), events: join(out, 'events.csv') }, baseline);
  }, 60_000);

  test.each([1, 2])('generated ACME history, 2000 leads, seed %i (closed_at, decay, windows)', async (seed) => {
    const files = writeCsv(generate({ leads: 2000, seed }), join(dir, `acme${seed}`));
    const text = readFileSync(join(shared, 'spec/examples/acme.lql'), 'utf8');
    const ir = irOf(text);
    const baseline = irOf(text.replace('engagement >= 40', 'engagement >= 30').replace('bant >= 3', 'bant >= 2'));
    await compareEngines({ ir, leads: files.leads, events: files.events }, baseline);
  }, 60_000);

  test('ACME with an explicit --as-of before many leads closed', async () => {
    const files = writeCsv(generate({ leads: 500, seed: 3 }), join(dir, 'acme-asof'));
    const ir = irOf(readFileSync(join(shared, 'spec/examples/acme.lql'), 'utf8'));
    await compareEngines({ ir, leads: files.leads, events: files.events, asOf: Date.UTC(2025, 5, 1) });
  }, 60_000);
});

describe('reading values as the JS loader does', () => {
  test('undeclared columns are read as their use types them (zip == "2134" makes zip text: 2134.0 is not 2134)', async () => {
    const ir = irOf(`
activity visit
segment numeric_text = zip == "2134"
segment yes_word = opted == "true"
fit {
  +1 when numeric_text
  +2 when yes_word
  +4 when flag
  +8 when signup < 2026-01-05
  +16 when mixed == "007"
  +32 when days since seen < 3
  +1 per size
}
engagement { +1 per visit }
stages { MQL when fit >= 10  lead otherwise }
`);
    const leads = file(
      'infer.csv',
      'id,outcome,zip,opted,flag,signup,mixed,seen,size,created_at,closed_at\n' +
        'a,won,02134,yes,1,2026-01-01,007,2026-01-08,1.50,2026-01-01,2026-01-10T00:00:00Z\n' +
        'b,lost,2134.0,no,0,2026-01-09,abc,2026-01-01,  3 ,2026-01-02,\n' +
        'c,,,YES,,,8,,1e1,,\n' +
        'd, Won ,99,Select,1,,007,2026-01-09T12:00:00+02:00, 7 ,,\n',
    );
    const events = file('infer-events.csv', 'lead_id,type,at\na,visit,2026-01-02\nb,visit,1767571200000\nc,visit,2026-01-03T10:00:00Z\nzz,visit,2026-01-04\nd,other,2026-01-05\n');
    await compareEngines({ ir, leads, events, missing: ['Select'] });
  });

  test('a bad outcome word stops with the JS diagnostic (file:line:col)', async () => {
    const ir = irOf('fit { +1 when size > 1 }');
    const leads = file('bad-outcome.csv', 'id,outcome,size\na,won,2\nb,maybe,3\n');
    const js = await jsLoad({ ir, leads }).catch((e: unknown) => e);
    const duck = await simulateDuckDB({ ir, leads }).catch((e: unknown) => e);
    expect(js).toBeInstanceOf(DataError);
    expect(duck).toBeInstanceOf(DataError);
    expect((duck as DataError).message).toBe((js as DataError).message);
    expect((duck as DataError).message).toContain('bad-outcome.csv:3:');
  });

  test('a bad event time and a duplicate id stop with the JS diagnostics', async () => {
    const ir = irOf('activity visit\nengagement { +1 per visit }');
    const leads = file('ok.csv', 'id,outcome\na,won\nb,lost\n');
    const events = file('bad-at.csv', 'lead_id,type,at\na,visit,2026-01-01\nb,visit,yesterday\n');
    const duck = await simulateDuckDB({ ir, leads, events }).catch((e: unknown) => e);
    expect(duck).toBeInstanceOf(DataError);
    expect((duck as DataError).diagnostics[0]!.code).toBe('LQL518');
    expect((duck as DataError).message).toContain('bad-at.csv:3:');
    const dup = file('dup.csv', 'id,outcome\na,won\na,lost\n');
    const d2 = await simulateDuckDB({ ir, leads: dup }).catch((e: unknown) => e);
    expect((d2 as DataError).diagnostics[0]!.code).toBe('LQL509');
  });
});

describe('lql simulate / score --engine duckdb', () => {
  const leads = file('cli-leads.csv', 'id,outcome,employees\na,won,200\nb,lost,5\nc,bogus,7\n');
  const good = file('cli-good.csv', 'id,outcome,employees\na,won,200\nb,lost,5\nc,,7\n');
  const rules = file('cli.lql', 'attribute employees: number\nfit { +10 when employees >= 100 }\nstages { MQL when fit >= 10  lead otherwise }\n');

  test('data errors print as the JS engine prints them, exit 1', async () => {
    const js = await run(['simulate', rules, '--leads', leads, '--json']);
    const duck = await run(['simulate', rules, '--leads', leads, '--json', '--engine', 'duckdb']);
    expect(js.code).toBe(1);
    expect(duck.code).toBe(1);
    // the same diagnostics and count; --lenient is offered through the JS engine (this one refuses it)
    expect(duck.err).toBe(js.err.replace('use --lenient', 'use --engine js --lenient'));
    expect(duck.err).toContain('use --engine js --lenient');
    expect(duck.err).toMatch(/cli-leads\.csv:4:\d+: error LQL511/);
  });

  test('--lenient is a usage error (exit 2)', async () => {
    const r = await run(['simulate', rules, '--leads', good, '--engine', 'duckdb', '--lenient']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--lenient is not available with --engine duckdb');
  });

  test('simulate --json and score print the same as the JS engine', async () => {
    for (const cmd of [['simulate', '--json', '--as-of', '2026-01-01'], ['score', '--as-of', '2026-01-01']]) {
      const js = await run([cmd[0]!, rules, '--leads', good, ...cmd.slice(1)]);
      const duck = await run([cmd[0]!, rules, '--leads', good, ...cmd.slice(1), '--engine', 'duckdb']);
      expect(duck.code).toBe(0);
      expect(duck.out).toBe(js.out);
    }
  });

  test('a column the ruleset reads is missing: LQL210 as in the JS engine', async () => {
    const r2 = file('cli2.lql', 'fit { +10 when employes >= 100 }\n');
    const js = await run(['simulate', r2, '--leads', good]);
    const duck = await run(['simulate', r2, '--leads', good, '--engine', 'duckdb']);
    expect(duck.code).toBe(1);
    expect(duck.err).toBe(js.err);
    expect(existsSync(good)).toBe(true);
  });
});

/**
 * `lql simulate --engine clickhouse` and `lql score --engine clickhouse`
 * (simulator/simulate-clickhouse.ts) against the JS engine on the shared real
 * datasets (X Education, UCI bank marketing, Olist) and the ACME example
 * history: every lead's stage, bands and route equal, every score equal after
 * rounding to 9 decimals, every stage time equal; the simulate reports equal
 * (with a baseline: deltas and changed leads too); the CLI prints the same.
 * Without chdb the ClickHouse tests skip (and fail under CI=true), and the
 * CLI's LQL611 message is checked instead.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { compileSource } from '../../language/index.js';
import type { IR } from '../../language/compile/ir.js';
import { loadEventsFile, loadLeadsFile } from '../../simulator/data/files.js';
import { columnTypes, scoredRows, simulateFull, type ScoreRow } from '../../simulator/simulate.js';
import { replay } from '../../simulator/replay.js';
import { replayClickHouse, simulateClickHouse } from '../../simulator/simulate-clickhouse.js';
import { haveChdb } from './harness.js';
import { run } from '../cli/run.js';

// chdb (embedded ClickHouse, ~550 MB) is installed by .ci/run; without it these tests skip here and fail under CI=true
const chdbReady = await haveChdb();
if (!chdbReady && process.env.CI === 'true') throw new Error('chdb is not installed: run `npm install --no-save chdb@3.4.0` (.ci/run does this).');
const describeCh = chdbReady ? describe : describe.skip;

const root = new URL('../../', import.meta.url).pathname;
const shared = join(root, '../shared');
const dir = mkdtempSync(join(tmpdir(), 'lql-engine-clickhouse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function irOf(text: string): IR {
  const r = compileSource(text);
  if (!r.ir) throw new Error('ruleset does not compile: ' + r.diagnostics.map((d) => d.message).join('; '));
  return r.ir;
}
const rulesetText = (p: string) => readFileSync(join(root, p), 'utf8');

/** A score as every engine reports it: rounded to 9 decimals (then compared exactly). */
const r9 = (x: number) => Math.round(x * 1e9) / 1e9;

/** What differs between the JS row and the ClickHouse row of one lead. */
function rowProblems(js: ScoreRow, ch: ScoreRow | undefined): string[] {
  if (!ch) return [`${js.id}: no ClickHouse row`];
  const out: string[] = [];
  if (ch.id !== js.id) out.push(`${js.id}: ClickHouse row is for ${ch.id}`);
  if (ch.stage !== js.stage) out.push(`${js.id} stage: js ${js.stage} clickhouse ${ch.stage}`);
  if (ch.route !== js.route) out.push(`${js.id} route: js ${js.route} clickhouse ${ch.route}`);
  for (const [k, v] of Object.entries(js.bands)) if (ch.bands[k] !== v) out.push(`${js.id} band ${k}: js ${v} clickhouse ${ch.bands[k]}`);
  for (const [k, v] of Object.entries(js.scores))
    if (ch.scores[k] === undefined || r9(ch.scores[k]!) !== r9(v)) out.push(`${js.id} score ${k}: js ${v} clickhouse ${ch.scores[k]}`);
  for (const [k, v] of Object.entries(js.reached)) if (ch.reached[k] !== v) out.push(`${js.id} reached ${k}: js ${v} clickhouse ${ch.reached[k]}`);
  return out;
}

/** The JSON text of a report, parsed back (the contract is the JSON). */
const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

interface Files {
  leads: string;
  events?: string;
  id?: string;
  outcome?: string;
  missing?: string[];
  asOf?: number;
}

/** Score and simulate with both engines; every lead and both reports must agree. */
async function compareEngines(ir: IR, f: Files, baseline: IR): Promise<{ leads: number; stages: Record<string, number> }> {
  const leads = await loadLeadsFile(f.leads, { id: f.id, outcome: f.outcome, missing: f.missing, types: columnTypes(ir) });
  const events = f.events ? await loadEventsFile(f.events, leads, ir.activities) : null;

  // lql score: no closed_at rule, one row per lead in file order
  const js = scoredRows(replay(ir, leads, events, { asOf: f.asOf, useClosedAt: false }));
  const ch = scoredRows(await replayClickHouse(ir, leads, events, { asOf: f.asOf, useClosedAt: false }));
  expect(ch.length).toBe(js.length);
  const problems: string[] = [];
  js.forEach((r, i) => problems.push(...rowProblems(r, ch[i])));
  expect(problems.slice(0, 20)).toEqual([]);

  // lql simulate --baseline: the report, the baseline's, the deltas and the changed leads
  const jsSim = simulateFull(ir, leads, events, { asOf: f.asOf, baseline });
  const chSim = await simulateClickHouse(ir, leads, events, { asOf: f.asOf, baseline });
  expect(json(chSim.report)).toEqual(json(jsSim.report));
  return { leads: jsSim.report.leads, stages: Object.fromEntries(jsSim.report.stages.map((s) => [s.name, s.reached])) };
}

const AS_OF = Date.UTC(2020, 0, 1);

describeCh('ClickHouse engine equals the JS engine on the shared datasets', () => {
  test('X Education (snapshot, --missing Select, named id and outcome columns)', async () => {
    const text = rulesetText('examples/x-education/x-education.lql');
    const r = await compareEngines(
      irOf(text),
      { leads: join(shared, 'data/x-education/Leads.csv'), id: 'Prospect ID', outcome: 'Converted', missing: ['Select'], asOf: AS_OF },
      irOf(text.replace('total >= 55', 'total >= 45')),
    );
    expect(r.leads).toBe(9240); // the README's row count
  }, 60_000);

  test('UCI bank marketing (snapshot, ; delimiter, --id @row, --missing unknown)', async () => {
    const text = rulesetText('examples/bank-marketing/bank-marketing.lql');
    const r = await compareEngines(
      irOf(text),
      { leads: join(shared, 'data/uci-bank-marketing/bank-full.csv'), id: '@row', outcome: 'y', missing: ['unknown'], asOf: AS_OF },
      irOf(text.replace('total >= 25', 'total >= 20')),
    );
    expect(r.leads).toBe(45211);
  }, 60_000);

  test('Olist (joined into leads and events, default asOf)', async () => {
    const out = join(dir, 'olist');
    execFileSync(process.execPath, [join(root, 'examples/olist/join.mjs'), join(shared, 'data/olist-marketing-funnel'), out]);
    const text = rulesetText('examples/olist/olist.lql');
    const r = await compareEngines(
      irOf(text),
      { leads: join(out, 'leads.csv'), events: join(out, 'events.csv') },
      irOf(text.replace('total >= 10', 'total >= 5')),
    );
    expect(r.leads).toBe(8000);
  }, 60_000);

  test('ACME example history (closed_at, decay, windows, sticky stages)', async () => {
    const text = rulesetText('examples/acme.lql');
    await compareEngines(
      irOf(text),
      { leads: join(root, 'examples/data/acme-leads.csv'), events: join(root, 'examples/data/acme-events.csv') },
      irOf(text.replace('engagement >= 40', 'engagement >= 30').replace('bant >= 3', 'bant >= 2')),
    );
  }, 60_000);
});

describeCh('lql simulate / score --engine clickhouse', () => {
  const rules = join(dir, 'cli.lql');
  writeFileSync(
    rules,
    'attribute employees: number\nactivity visit\nfit { +10 when employees >= 100 }\nengagement { +5 per visit }\nstages { MQL when fit >= 10 and engagement >= 10  lead otherwise }\n',
  );
  const good = join(dir, 'good.csv');
  writeFileSync(good, 'id,outcome,employees,created_at\na,won,200,2026-01-01\nb,lost,5,2026-01-02\nc,,7,2026-01-03\n');
  const events = join(dir, 'events.csv');
  writeFileSync(events, 'lead_id,type,at\na,visit,2026-01-02\na,visit,2026-01-04T10:00:00Z\nb,visit,2026-01-05\nzz,visit,2026-01-05\n');

  test('simulate --json and score print exactly what the JS engine prints', async () => {
    for (const cmd of [
      ['simulate', '--json'],
      ['score', '--jsonl'],
      ['score', '--as-of', '2026-01-03'],
    ]) {
      const js = await run([cmd[0]!, rules, '--leads', good, '--events', events, ...cmd.slice(1)]);
      const ch = await run([cmd[0]!, rules, '--leads', good, '--events', events, ...cmd.slice(1), '--engine', 'clickhouse']);
      expect(js.code).toBe(0);
      expect(ch.code).toBe(0);
      expect(ch.out).toBe(js.out);
    }
    // by hand: a has 200 employees (fit 10) and two visits (engagement 10): MQL, reached at its second visit
    const r = await run(['score', rules, '--leads', good, '--events', events, '--jsonl', '--engine', 'clickhouse']);
    expect(JSON.parse(r.out.split('\n')[0]!)).toMatchObject({
      id: 'a',
      scores: { fit: 10, engagement: 10 },
      stage: 'MQL',
      reached: { MQL: Date.UTC(2026, 0, 4, 10) },
    });
  }, 60_000);

  test('data errors and --lenient behave as in the JS engine (the JS loader reads the files)', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'id,outcome,employees\na,won,200\nb,lost,5\nc,bogus,7\n');
    const js = await run(['simulate', rules, '--leads', bad, '--json']);
    const ch = await run(['simulate', rules, '--leads', bad, '--json', '--engine', 'clickhouse']);
    expect(ch.code).toBe(1);
    expect(ch.err).toBe(js.err);
    expect(ch.err).toMatch(/bad\.csv:4:\d+: error LQL511/);
    const jsL = await run(['simulate', rules, '--leads', bad, '--json', '--lenient']);
    const chL = await run(['simulate', rules, '--leads', bad, '--json', '--lenient', '--engine', 'clickhouse']);
    expect(chL.code).toBe(0);
    expect(chL.out).toBe(jsL.out);
    expect(chL.err).toBe(jsL.err);
    const jsS = await run(['score', rules, '--leads', bad, '--lenient']);
    const chS = await run(['score', rules, '--leads', bad, '--lenient', '--engine', 'clickhouse']);
    expect(chS.out).toBe(jsS.out);
    expect(chS.err).toBe(jsS.err);
    // by hand: c is skipped, a and b are scored
    expect(JSON.parse(chL.out)).toMatchObject({ leads: 2, rejected: { rows: 1 } });
  }, 60_000);
});

describe.skipIf(chdbReady)('--engine clickhouse without chdb', () => {
  test('LQL611 says how to install it, exit 1', async () => {
    const r = await run(['simulate', join(root, 'examples/acme.lql'), '--leads', join(root, 'examples/data/acme-leads.csv'), '--engine', 'clickhouse']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error LQL611');
    expect(r.err).toContain('npm install chdb');
    expect(r.err).toContain('docs/errors/LQL611.md');
  });
});

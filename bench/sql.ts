/**
 * Benchmark of the DuckDB engine (`--engine duckdb`: the ruleset's SQL run in
 * embedded DuckDB over the files) and the ClickHouse engine (`--engine
 * clickhouse`: the files read by the JS loader, the ruleset's ClickHouse SQL
 * run in embedded ClickHouse, chdb) against the JS engine, on the ACME rules
 * over generated lead history with closed_at. Without chdb installed the
 * ClickHouse figures are skipped with a line saying so.
 *
 * Input: none; sizes from LQL_BENCH_LEADS (default 500,000 leads, so one
 * run stays under 3 minutes on a 2-core machine, generating the CSV
 * included; LQL_BENCH_LEADS=1000000 for 1M leads / 20M events) and
 * LQL_BENCH_EVENTS_PER_LEAD (default 20), DuckDB threads from
 * LQL_BENCH_THREADS (default 2). Generates the data with simulator/generate.ts
 * and writes it as CSV to a temporary folder (deleted afterwards).
 * Output: `run()` resolves to report lines, each engine side by side:
 * - snapshot scoring (the leads file alone, one evaluation point per lead);
 * - the full event backtest of `lql simulate` from the files: reading and
 *   checking them, scoring every lead (replay with closed_at rules), report;
 * each as seconds, ns per lead and the DuckDB / JS and ClickHouse / JS ratios
 * (the ClickHouse engine's file reading is the JS loader's, so its "read"
 * figure adds the JS load and the insert into ClickHouse); and whether the
 * reports are equal (counts exactly, rates within 1e-9).
 * Invariants: both engines read the same files with the same options and
 * asOf; agreement is checked, not assumed.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSource } from '../language/index.js';
import type { IR } from '../language/compile/ir.js';
import { generate, writeCsv } from '../simulator/generate.js';
import { loadEventsFile, loadLeadsFile } from '../simulator/data/files.js';
import { simulateFull } from '../simulator/simulate.js';
import { replay, defaultAsOf } from '../simulator/replay.js';
import { simulateDuckDB } from '../simulator/simulate-duckdb.js';
import { ClickHouseMissingError, requireChdb, simulateClickHouse } from '../simulator/simulate-clickhouse.js';

function acmeSource(): string {
  for (const p of [
    new URL('../../shared/spec/examples/acme.lql', import.meta.url),
    new URL('../../../shared/spec/examples/acme.lql', import.meta.url),
  ]) {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      /* try the next place (source tree or dist/) */
    }
  }
  throw new Error('cannot find spec/examples/acme.lql');
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Counts equal, other numbers within 1e-9 (relative above 1). */
function sameReport(a: unknown, b: unknown, path = '$'): string | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const ok = Number.isInteger(a) && Number.isInteger(b) ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
    return ok ? null : `${path}: ${a} vs ${b}`;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = sameReport((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

const TYPES = (ir: IR) => {
  const t: Record<string, 'text' | 'number' | 'bool' | 'date'> = Object.create(null);
  for (const a of ir.attributes) if (a.declared) t[a.name] = a.type;
  return t;
};

export async function run(): Promise<string[]> {
  const nLeads = Number(process.env.LQL_BENCH_LEADS ?? 500_000);
  const perLead = Number(process.env.LQL_BENCH_EVENTS_PER_LEAD ?? 20);
  const threads = Number(process.env.LQL_BENCH_THREADS ?? 2);
  const lines: string[] = [];
  const { ir } = compileSource(acmeSource());
  if (!ir) throw new Error('acme.lql does not compile');
  const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

  const tg = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'lql-bench-sql-'));
  try {
    let files: { leads: string; events: string };
    let nEvents: number;
    {
      const gen = generate({ leads: nLeads, eventsPerLead: perLead, seed: 7 });
      nEvents = gen.events.times.length;
      files = writeCsv(gen, dir);
    }
    const mb = (statSync(files.leads).size + statSync(files.events).size) / 1e6;
    lines.push(
      `data: ${fmt(nLeads)} leads, ${fmt(nEvents)} events (${fmt(mb, 0)} MB of CSV), generated and written in ${fmt((performance.now() - tg) / 1000, 1)} s; DuckDB threads: ${threads}`,
    );
    const cell = (name: string, ms: number, jsMs: number) =>
      ` | ${name} ${fmt(ms / 1000, 2).padStart(6)} s ${fmt((ms * 1e6) / nLeads).padStart(7)} ns/lead (${fmt(ms / jsMs, 1)}x JS)`;
    const row = (label: string, jsMs: number, duckMs: number, chMs?: number) =>
      `${label.padEnd(34)} JS ${fmt(jsMs / 1000, 2).padStart(6)} s ${fmt((jsMs * 1e6) / nLeads).padStart(7)} ns/lead` +
      cell('DuckDB', duckMs, jsMs) +
      (chMs === undefined ? '' : cell('ClickHouse', chMs, jsMs) + ` ClickHouse/DuckDB ${fmt(chMs / duckMs, 2)}x`);

    // --- the JS engine: load the files, replay, report --------------------------------
    let t = performance.now();
    const leads = await loadLeadsFile(files.leads, { types: TYPES(ir) });
    const jsLeadsMs = performance.now() - t;
    t = performance.now();
    const events = await loadEventsFile(files.events, leads, ir.activities);
    const jsEventsMs = performance.now() - t;
    const asOf = defaultAsOf(leads, events, ir.activities);
    t = performance.now();
    replay(ir, leads, null, { asOf, mode: 'snapshot' });
    const jsSnapMs = performance.now() - t;
    t = performance.now();
    const js = simulateFull(ir, leads, events, { asOf });
    const jsSimMs = performance.now() - t;

    // --- the DuckDB engine: snapshot scoring, then the event backtest ---------------------
    const snap = await simulateDuckDB({ ir, leads: files.leads, asOf, threads });
    const sim = await simulateDuckDB({ ir, leads: files.leads, events: files.events, asOf, threads });

    // --- the ClickHouse engine: the JS engine's tables, scored in embedded ClickHouse ------
    let chSnap: Awaited<ReturnType<typeof simulateClickHouse>> | null = null;
    let chSim: Awaited<ReturnType<typeof simulateClickHouse>> | null = null;
    let chSimMs = 0;
    try {
      await requireChdb();
      chSnap = await simulateClickHouse(ir, leads, null, { asOf });
      t = performance.now();
      chSim = await simulateClickHouse(ir, leads, events, { asOf });
      chSimMs = performance.now() - t;
    } catch (e) {
      if (!(e instanceof ClickHouseMissingError)) throw e;
      lines.push('ClickHouse: skipped (chdb is not installed: npm install --no-save chdb@3.4.0)');
    }
    const chLoad = chSim ? jsLeadsMs + jsEventsMs + chSim.timings.loadMs : undefined;
    const chScore = chSim ? chSimMs - chSim.timings.loadMs : undefined;

    lines.push(row('snapshot: score every lead', jsSnapMs, snap.timings.scoreMs, chSnap?.timings.scoreMs));
    lines.push(row('events: read + check both files', jsLeadsMs + jsEventsMs, sim.timings.loadMs, chLoad));
    lines.push(row('events: score every lead (replay)', jsSimMs, sim.timings.scoreMs + sim.timings.reportMs, chScore));
    lines.push(
      row(
        'events: full backtest (files->report)',
        jsLeadsMs + jsEventsMs + jsSimMs,
        sim.timings.loadMs + sim.timings.scoreMs + sim.timings.reportMs,
        chLoad !== undefined && chScore !== undefined ? chLoad + chScore : undefined,
      ),
    );
    lines.push(
      `per event (full backtest): JS ${fmt(((jsLeadsMs + jsEventsMs + jsSimMs) * 1e6) / nEvents)} ns, ` +
        `DuckDB ${fmt(((sim.timings.loadMs + sim.timings.scoreMs + sim.timings.reportMs) * 1e6) / nEvents)} ns`,
    );
    const d = sameReport(json(js.report), json(sim.report));
    lines.push(
      d
        ? `DuckDB report DIFFERS: ${d}`
        : `DuckDB report equal (${fmt(js.report.leads)} leads; stages ${js.report.stages.map((s) => `${s.name} ${fmt(s.reached)}`).join(', ')})`,
    );
    if (chSim) {
      const dc = sameReport(json(js.report), json(chSim.report));
      lines.push(dc ? `ClickHouse report DIFFERS: ${dc}` : 'ClickHouse report equal');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((l) => console.log(l.join('\n')));
}

/**
 * Benchmark of the DuckDB engine (the exported SQL run in embedded DuckDB)
 * against the JS simulator's columnar replay, on the ACME rules over
 * generated lead history with closed_at (leakage-free backtest).
 *
 * Input: none; sizes from LQL_BENCH_LEADS (default 1,000,000 leads) and
 * LQL_BENCH_EVENTS_PER_LEAD (default 20), threads from LQL_BENCH_THREADS
 * (default 2). Generates the data with simulator/generate.ts and writes it as
 * CSV to a temporary folder (deleted afterwards).
 * Output: `run()` resolves to report lines: DuckDB load time (CSV -> tables),
 * query time, ns per lead and per event; the JS replay time on the same data
 * and asOf; and how many leads the two engines put in the same stage.
 * Invariants: both engines use the same asOf and closed_at rules; agreement is
 * reported, not assumed (a difference is printed with a sample lead id).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSource } from '../language/index.js';
import { generate, writeCsv } from '../simulator/generate.js';
import { defaultAsOf, replay } from '../simulator/replay.js';
import { scoreWithDuckDB } from '../simulator/engine-duckdb.js';

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

export async function run(): Promise<string[]> {
  const nLeads = Number(process.env.LQL_BENCH_LEADS ?? 1_000_000);
  const perLead = Number(process.env.LQL_BENCH_EVENTS_PER_LEAD ?? 20);
  const threads = Number(process.env.LQL_BENCH_THREADS ?? 2);
  const lines: string[] = [];
  const { ir } = compileSource(acmeSource());
  if (!ir) throw new Error('acme.lql does not compile');

  const tg = performance.now();
  const gen = generate({ leads: nLeads, eventsPerLead: perLead, seed: 7 });
  const nEvents = gen.events.times.length;
  const dir = mkdtempSync(join(tmpdir(), 'lql-bench-sql-'));
  try {
    const files = writeCsv(gen, dir);
    const mb = (statSync(files.leads).size + statSync(files.events).size) / 1e6;
    lines.push(
      `data: ${fmt(nLeads)} leads, ${fmt(nEvents)} events (${fmt(mb, 0)} MB of CSV), generated and written in ${fmt((performance.now() - tg) / 1000, 1)} s`,
    );
    const asOf = defaultAsOf(gen.leads, gen.events);

    // JS: the simulator's columnar replay (closed_at rules on)
    const tj = performance.now();
    const js = replay(ir, gen.leads, gen.events, { asOf, useClosedAt: true });
    const jsMs = performance.now() - tj;
    lines.push(`JS columnar replay: ${fmt(jsMs / 1000, 2)} s (${fmt((jsMs * 1e6) / nLeads)} ns/lead, ${fmt((jsMs * 1e6) / nEvents)} ns/event)`);

    // DuckDB: load the CSV files and run the exported SQL
    const td = performance.now();
    const duck = await scoreWithDuckDB({ ir, leads: files.leads, events: files.events, asOf: Math.round(asOf), threads });
    const duckMs = performance.now() - td;
    lines.push(
      `DuckDB (${threads} threads): load ${fmt(duck.timings.loadMs / 1000, 2)} s, query ${fmt(duck.timings.scoreMs / 1000, 2)} s, total ${fmt(duckMs / 1000, 2)} s ` +
        `(query: ${fmt((duck.timings.scoreMs * 1e6) / nLeads)} ns/lead, ${fmt((duck.timings.scoreMs * 1e6) / nEvents)} ns/event)`,
    );
    lines.push(`DuckDB query / JS replay: ${fmt(duck.timings.scoreMs / jsMs, 1)}x`);

    // agreement on the stage of every lead
    const stageIdx = new Map(ir.stages.map((s, i) => [s.name, i]));
    const index = new Map(gen.leads.ids.map((id, i) => [id, i]));
    let same = 0;
    let firstDiff: string | null = null;
    for (const row of duck.rows) {
      const i = index.get(row.id);
      if (i === undefined) continue;
      if (stageIdx.get(row.stage) === js.stage[i]) same++;
      else firstDiff ??= `${row.id}: DuckDB ${row.stage}, JS ${ir.stages[js.stage[i]!]?.name ?? '(none)'}`;
    }
    lines.push(`same stage in both engines: ${fmt(same)} of ${fmt(nLeads)} leads${firstDiff ? ` (first difference: ${firstDiff})` : ''}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((l) => console.log(l.join('\n')));
}

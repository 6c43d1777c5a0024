/**
 * Benchmark: `lql simulate` end to end on files, from CSV and from the
 * columnar cache, against DuckDB (the reference) in the same run.
 *
 * Input: generated ACME-like history (simulator/generate.ts, seed 7):
 * LQL_BENCH_DATA_LEADS leads (default 1,000,000, ~20 events each), written
 * once to `$TMPDIR/lql-bench-data/<leads>-s7/` and reused by later runs
 * (delete the folder to regenerate); the built command (`bin/lql.js` over `dist/lql/`).
 * Output: `run()` returns the printed lines: whole-process wall time of
 *  - the snapshot: `lql simulate acme.lql --leads leads.csv --no-cache`,
 *    and a cached re-run, vs DuckDB reading and scoring the same CSV with
 *    the same rules (`lql compile --target sql`, a child `node` process);
 *    and the leads CSV read in parts on 2 worker threads vs one reader
 *    (`LQL_THREADS=2` vs `1`, runs interleaved);
 *  - the full backtest with events, parsed and cached, vs DuckDB reading
 *    both files into tables (CREATE TABLE AS SELECT * FROM read_csv);
 *  - the peak memory of the runs, per event;
 * each as a ratio against its reference (targets: <= 1x, <= 0.25x,
 * <= 1.5x, cached full re-run < 2 s, <= 24 bytes/event).
 * Invariants: every child is a fresh process (start-up included on both
 * sides); the reports of the parsed and the cached runs must be equal, or
 * the benchmark fails; cache entries go to a temporary folder, removed at
 * the end. The machine is shared: the ratios matter, not the seconds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileSource } from '../language/index.js';
import { emitSql } from '../language/compile/emit-sql.js';
import { generate, writeCsv } from '../simulator/generate.js';
import { findRoot } from './util.js';

interface Timed {
  ms: number;
  out: string;
  maxRssKb: number;
}

/** Run `node <args>` with the environment `env`; wall time, stdout and peak RSS (the largest any process of the run printed at exit). */
function child(label: string, args: string[], env: Record<string, string> = {}): Timed {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr.slice(-600)}`);
  const rss = [...r.stderr.matchAll(/maxrss (\d+)/g)].map((m) => Number(m[1]));
  return { ms, out: r.stdout, maxRssKb: rss.length ? Math.max(...rss) : NaN };
}

/**
 * `lql <args>` as users run it (`bin/lql.js`, which may start itself again with huge pages, see
 * cli/huge-pages.ts); every `node` process of the run prints its peak RSS at exit (a module `hook`
 * loaded through NODE_OPTIONS, which the second start inherits).
 */
function lql(root: string, hook: string, args: string[], env: Record<string, string> = {}): Timed {
  const options = [process.env.NODE_OPTIONS, `--import=${pathToFileURL(hook).href}`].filter(Boolean).join(' ');
  return child(`lql ${args[0]}`, [join(root, 'bin', 'lql.js'), ...args], { ...env, NODE_OPTIONS: options });
}

/** DuckDB in a child process: the statements, then the last one's rows counted. */
function duck(statements: string[], threads: number): Timed {
  const code =
    `import { DuckDBInstance } from '@duckdb/node-api';` +
    `const db = await DuckDBInstance.create(':memory:', { threads: '${threads}' }); const c = await db.connect();` +
    `const s = ${JSON.stringify(statements)};` +
    `for (const q of s.slice(0, -1)) await c.run(q);` +
    `const r = await c.runAndReadAll(s[s.length - 1]); process.stdout.write(JSON.stringify(r.getRowObjectsJS(), (k, v) => typeof v === 'bigint' ? Number(v) : v));` +
    `process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n');`;
  return child('DuckDB', ['--input-type=module', '-e', code]);
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const best = (f: () => Timed, runs: number): Timed => {
  let b: Timed | null = null;
  for (let i = 0; i < runs; i++) {
    const t = f();
    if (!b || t.ms < b.ms) b = t;
  }
  return b!;
};

export async function run(): Promise<string[]> {
  const root = findRoot(fileURLToPath(import.meta.url));
  if (!existsSync(join(root, 'dist', 'lql', 'main.js'))) throw new Error('the command is not built: run `npm run build:cli`');
  const nLeads = Number(process.env.LQL_BENCH_DATA_LEADS ?? 1_000_000);
  const threads = Number(process.env.LQL_BENCH_THREADS ?? 2);
  const runs = Number(process.env.LQL_BENCH_RUNS ?? 2);
  const acme = join(root, 'examples', 'acme.lql');
  const out: string[] = [];

  const dir = join(tmpdir(), 'lql-bench-data', `${nLeads}-s7`);
  const files = { leads: join(dir, 'leads.csv'), events: join(dir, 'events.csv') };
  if (!existsSync(join(dir, 'done'))) {
    mkdirSync(dir, { recursive: true });
    const t = performance.now();
    const gen = generate({ leads: nLeads, seed: 7 });
    writeCsv(gen, dir);
    writeFileSync(join(dir, 'done'), String(gen.events.times.length));
    out.push(`generated ${dir} in ${sec(performance.now() - t)}`);
  }
  const nEvents = Number(readFileSync(join(dir, 'done'), 'utf8'));
  const mb = (f: string) => statSync(f).size / 1e6;
  out.push(`data: ${nLeads.toLocaleString('en')} leads (${mb(files.leads).toFixed(0)} MB CSV), ${nEvents.toLocaleString('en')} events (${mb(files.events).toFixed(0)} MB CSV); DuckDB threads: ${threads}; best of ${runs}`);

  const cache = mkdtempSync(join(tmpdir(), 'lql-bench-cache-'));
  const env = { LQL_CACHE_DIR: cache };
  const hookDir = mkdtempSync(join(tmpdir(), 'lql-bench-hook-'));
  const hook = join(hookDir, 'maxrss.mjs');
  writeFileSync(hook, "process.on('exit', () => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n'));\n");
  try {
    // --- snapshot: leads only ------------------------------------------------------
    const ir = compileSource(readFileSync(acme, 'utf8')).ir!;
    const sql = emitSql(ir, { dialect: 'duckdb', asOf: Date.UTC(2026, 6, 1) }).replace(/;\s*$/, '');
    const duckScore = best(
      () =>
        duck(
          [
            `CREATE VIEW leads AS SELECT * FROM read_csv(${lit(files.leads)})`,
            `CREATE TABLE events (lead_id VARCHAR, "type" VARCHAR, "at" VARCHAR)`,
            `SELECT stage, count(*) AS n FROM (${sql}) GROUP BY stage ORDER BY stage`,
          ],
          threads,
        ),
      runs,
    );
    const snapArgs = ['simulate', acme, '--leads', files.leads, '--as-of', '2026-07-01', '--json'];
    const parsed = best(() => lql(root, hook, [...snapArgs, '--no-cache'], env), runs);
    lql(root, hook, snapArgs, env); // writes the cache entry
    const cached = best(() => lql(root, hook, snapArgs, env), runs);
    if (cached.out !== parsed.out) throw new Error('the cached snapshot report differs from the parsed one');
    out.push(`snapshot, 1 file: DuckDB reads + scores the CSV ${sec(duckScore.ms)}`);
    out.push(`  lql simulate, parsing the CSV      ${sec(parsed.ms).padStart(9)}  ${(parsed.ms / duckScore.ms).toFixed(2)}x DuckDB (target <= 1x)`);
    out.push(`  lql simulate, from the cache       ${sec(cached.ms).padStart(9)}  ${(cached.ms / duckScore.ms).toFixed(2)}x DuckDB (target <= 0.25x)`);
    // the leads CSV in parts on 2 worker threads against the single reader, runs interleaved
    const snapParsed = [...snapArgs, '--no-cache'];
    let whole: Timed | null = null;
    let inParts: Timed | null = null;
    for (let i = 0; i < runs; i++) {
      const w = lql(root, hook, snapParsed, { ...env, LQL_THREADS: '1' });
      const p = lql(root, hook, snapParsed, { ...env, LQL_THREADS: '2' });
      if (!whole || w.ms < whole.ms) whole = w;
      if (!inParts || p.ms < inParts.ms) inParts = p;
    }
    if (inParts!.out !== whole!.out) throw new Error('the report of the leads read in parts differs from the single reader');
    out.push(`  lql simulate, leads in 2 parts     ${sec(inParts!.ms).padStart(9)}  ${(inParts!.ms / whole!.ms).toFixed(2)}x one reader's ${sec(whole!.ms)} (LQL_THREADS=2 vs 1)`);

    // --- full backtest: leads and events ------------------------------------------
    const duckRead = best(
      () =>
        duck(
          [
            `CREATE TABLE l AS SELECT * FROM read_csv(${lit(files.leads)})`,
            `CREATE TABLE e AS SELECT * FROM read_csv(${lit(files.events)})`,
            `SELECT (SELECT count(*) FROM l) AS leads, (SELECT count(*) FROM e) AS events`,
          ],
          threads,
        ),
      1,
    );
    const fullArgs = ['simulate', acme, '--leads', files.leads, '--events', files.events, '--json'];
    const full = lql(root, hook, [...fullArgs, '--no-cache'], env);
    lql(root, hook, fullArgs, env); // writes the cache entries
    const fullCached = best(() => lql(root, hook, fullArgs, env), runs);
    if (fullCached.out !== full.out) throw new Error('the cached backtest report differs from the parsed one');
    out.push(`full backtest, 2 files: DuckDB only reading both ${sec(duckRead.ms)}`);
    out.push(`  lql simulate, parsing the CSVs     ${sec(full.ms).padStart(9)}  ${(full.ms / duckRead.ms).toFixed(2)}x DuckDB's read (target <= 1.5x)`);
    out.push(`  lql simulate, from the cache       ${sec(fullCached.ms).padStart(9)}  (target < 2 s)`);
    const perEvent = (t: Timed) => ((t.maxRssKb * 1024) / nEvents).toFixed(1);
    out.push(
      `  peak memory (whole process): parsing ${(full.maxRssKb / 1024).toFixed(0)} MB = ${perEvent(full)} bytes/event; ` +
        `from the cache ${(fullCached.maxRssKb / 1024).toFixed(0)} MB = ${perEvent(fullCached)} bytes/event (target <= 24); DuckDB reading ${(duckRead.maxRssKb / 1024).toFixed(0)} MB`,
    );
  } finally {
    rmSync(cache, { recursive: true, force: true });
    rmSync(hookDir, { recursive: true, force: true });
  }
  return out;
}

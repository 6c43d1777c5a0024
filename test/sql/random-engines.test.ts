/**
 * The engine differential suite: random rulesets and leads (from
 * test/support/gen-differential.ts, thresholds drawn from the values scores
 * can take) scored by every engine, which must give the same stage, bands,
 * route and stage times, and the same scores (every engine rounds them to 9
 * decimals, so they are compared exactly):
 *   the reference interpreter (the expected answer), the in-process compiled
 *   scorer, the standalone ESM and CJS modules under plain Node, the columnar
 *   kernel through `lql score` (files on disk, in process) and through the
 *   simulator (`simulateFull`), DuckDB and PostgreSQL (the SQL export, all
 *   leads of a group in one query).
 *
 * Size: LQL_DIFF_CASES leads (default 4,000: 100 groups of 40 leads) from
 * LQL_DIFF_SEED (fixed by default, so `npm test` always runs the same cases).
 * The nightly-size run is in the README.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compileSource } from '../../language/index.js';
import { compileScorer, emitModule } from '../../language/compile/emit-js.js';
import { interpret } from '../../language/interpret/index.js';
import type { IR } from '../../language/compile/ir.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import { loadEventsSync } from '../../simulator/data/events.js';
import { columnTypes, simulateFull, scoredRows } from '../../simulator/simulate.js';
import { genGroup, type DiffGroup } from '../support/gen-differential.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { run } from '../cli/run.js';
import { runDuckDB, runPostgres, type SqlResult, type TestLead } from './harness.js';

const CASES = Number(process.env.LQL_DIFF_CASES ?? 4000);
const SEED = Number(process.env.LQL_DIFF_SEED ?? 20261203);
const PER_GROUP = 40;
const PER_TEST = 10;
const GROUPS = Math.max(1, Math.ceil(CASES / PER_GROUP));

const skipPg = postgresUnavailable();
if (skipPg) console.warn(`PostgreSQL differential tests skipped: ${skipPg}`);

let pg: PostgresServer | null = null;
let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lql-diff-'));
  if (!skipPg) pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  scores: Record<string, number>;
  bands: Record<string, string>;
  stage: string;
  route: string | null;
  reached: Record<string, number | null>;
}

/** Differences of one engine's answer from the interpreter's. */
function differences(want: Outcome, got: Outcome | undefined): string[] {
  if (!got) return ['no answer'];
  const out: string[] = [];
  for (const [k, v] of Object.entries(want.scores)) if (!Object.is(v, got.scores[k])) out.push(`score ${k}: want ${v}, got ${got.scores[k]}`);
  for (const [k, v] of Object.entries(want.bands)) if (got.bands[k] !== v) out.push(`band ${k}: want ${v}, got ${got.bands[k]}`);
  if (want.stage !== got.stage) out.push(`stage: want ${want.stage}, got ${got.stage}`);
  if ((want.route ?? null) !== (got.route ?? null)) out.push(`route: want ${want.route}, got ${got.route}`);
  for (const [k, v] of Object.entries(want.reached)) if ((got.reached[k] ?? null) !== v) out.push(`reached ${k}: want ${v}, got ${got.reached[k]}`);
  return out;
}

const csvCell = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** The group's leads and events as data files, JSON Lines or CSV. */
function writeData(g: DiffGroup, base: string, csv: boolean): { leads: string; events: string } {
  const cols = ['n1', 'n2', 't1', 'zip', 'email', 'b1'];
  const leads = join(base, csv ? 'leads.csv' : 'leads.jsonl');
  const events = join(base, 'events.csv');
  if (csv) {
    writeFileSync(
      leads,
      ['id,outcome,' + cols.join(','), ...g.leads.map((l) => [l.id, 'open', ...cols.map((c) => csvCell(l.attrs[c]))].join(','))].join('\n') + '\n',
    );
  } else {
    writeFileSync(leads, g.leads.map((l) => JSON.stringify({ id: l.id, outcome: 'open', ...l.attrs })).join('\n') + '\n');
  }
  writeFileSync(
    events,
    ['lead_id,type,at', ...g.leads.flatMap((l) => l.events.map((e) => `${l.id},${e.type},${new Date(e.at).toISOString()}`))].join('\n') + '\n',
  );
  return { leads, events };
}

/** ESM and CJS modules of every group, run under plain Node in one process. */
function runModules(irs: IR[], groups: DiffGroup[], base: string): { esm: Outcome[][]; cjs: Outcome[][] } {
  irs.forEach((ir, i) => {
    writeFileSync(join(base, `g${i}.mjs`), emitModule(ir, { format: 'esm', compilerVersion: 'diff' }));
    writeFileSync(join(base, `g${i}.cjs`), emitModule(ir, { format: 'cjs', compilerVersion: 'diff' }));
  });
  writeFileSync(join(base, 'input.json'), JSON.stringify(groups.map((g) => ({ asOf: g.asOf ?? null, leads: g.leads.map((l) => [l.attrs, l.events]) }))));
  const script = `
    import { readFileSync } from 'node:fs';
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const input = JSON.parse(readFileSync(new URL('./input.json', import.meta.url), 'utf8'));
    const out = { esm: [], cjs: [] };
    for (let i = 0; i < input.length; i++) {
      const esm = await import('./g' + i + '.mjs');
      const cjs = require('./g' + i + '.cjs');
      const asOf = input[i].asOf ?? undefined;
      out.esm.push(input[i].leads.map(([a, e]) => esm.score(a, e, asOf)));
      out.cjs.push(input[i].leads.map(([a, e]) => cjs.score(a, e, asOf)));
    }
    process.stdout.write(JSON.stringify(out));`;
  writeFileSync(join(base, 'run.mjs'), script);
  return JSON.parse(execFileSync(process.execPath, [join(base, 'run.mjs')], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

const starts = Array.from({ length: Math.ceil(GROUPS / PER_TEST) }, (_, i) => i * PER_TEST);

describe(`${GROUPS * PER_GROUP} random leads (seed ${SEED}) in every engine`, () => {
  test.each(starts)('groups %i..', async (from) => {
    const to = Math.min(GROUPS, from + PER_TEST);
    const base = mkdtempSync(join(dir, `c${from}-`));
    const groups: DiffGroup[] = [];
    const irs: IR[] = [];
    const problems: string[] = [];
    const refs: Outcome[][] = [];
    for (let g = from; g < to; g++) {
      const group = genGroup(SEED, g, PER_GROUP);
      const r = compileSource(group.source);
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      expect(
        errors.map((e) => `${e.code} ${e.range.start.line}:${e.range.start.column} ${e.message}`),
        group.source,
      ).toEqual([]);
      groups.push(group);
      irs.push(r.ir!);
      refs.push(group.leads.map((l) => interpret(r.program, r.checked.attributeTypes, l.attrs, l.events, group.asOf, group.source)));
    }
    const report = (k: number, engine: string, leadIx: number, diffs: string[]) => {
      if (!diffs.length) return;
      const g = groups[k]!;
      const l = g.leads[leadIx]!;
      problems.push(
        `group ${from + k} ${engine} lead ${l.id} ${JSON.stringify({ attrs: l.attrs, events: l.events, asOf: g.asOf })}: ${diffs.join('; ')}\n${g.source}`,
      );
    };

    const modules = runModules(irs, groups, base);
    for (let k = 0; k < groups.length; k++) {
      const g = groups[k]!;
      const ir = irs[k]!;
      const ref = refs[k]!;
      const scorer = compileScorer(ir);
      g.leads.forEach((l, i) => report(k, 'compiled', i, differences(ref[i]!, scorer.score(l.attrs, l.events, g.asOf))));
      g.leads.forEach((_, i) => report(k, 'ESM', i, differences(ref[i]!, modules.esm[k]![i])));
      g.leads.forEach((_, i) => report(k, 'CJS', i, differences(ref[i]!, modules.cjs[k]![i])));

      // the kernel through `lql score` (files, the CLI's readers, JSON Lines output)
      const gdir = mkdtempSync(join(base, `g${k}-`));
      const rules = join(gdir, 'rules.lql');
      writeFileSync(rules, g.source);
      const files = writeData(g, gdir, k % 2 === 1);
      const asOfArgs = g.asOf === undefined ? [] : ['--as-of', new Date(g.asOf).toISOString()];
      const cli = await run(['score', rules, '--leads', files.leads, '--events', files.events, ...asOfArgs, '--jsonl', '--no-cache']);
      if (cli.code !== 0) problems.push(`group ${from + k} lql score exit ${cli.code}: ${cli.err}\n${g.source}`);
      else {
        const rows = new Map(
          cli.out
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Outcome & { id: string })
            .map((x) => [x.id, x]),
        );
        g.leads.forEach((l, i) => report(k, 'lql score', i, differences(ref[i]!, rows.get(l.id))));
      }

      // the kernel through the simulator
      const { readFileSync } = await import('node:fs');
      const leads = loadLeadsSync({ name: files.leads, text: readFileSync(files.leads, 'utf8') }, { types: columnTypes(ir) });
      const events = loadEventsSync({ name: files.events, text: readFileSync(files.events, 'utf8') }, leads, ir.activities);
      const sim = scoredRows(simulateFull(ir, leads, events, g.asOf === undefined ? {} : { asOf: g.asOf }).scored);
      const simRows = new Map(sim.map((x) => [x.id, x]));
      g.leads.forEach((l, i) => report(k, 'simulate', i, differences(ref[i]!, simRows.get(l.id))));

      // the SQL export, all leads of the group in one query
      const testLeads: TestLead[] = g.leads.map((l) => ({ id: l.id, attrs: l.attrs, events: l.events, asOf: g.asOf }));
      const duck = (await runDuckDB(ir, testLeads)).results;
      g.leads.forEach((l, i) => report(k, 'DuckDB', i, differences(ref[i]!, duck.get(l.id) as SqlResult | undefined)));
      if (pg) {
        const post = (await runPostgres(pg.client, ir, testLeads)).results;
        g.leads.forEach((l, i) => report(k, 'PostgreSQL', i, differences(ref[i]!, post.get(l.id))));
      }
    }
    rmSync(base, { recursive: true, force: true });
    expect(problems.slice(0, 5)).toEqual([]);
  });
});

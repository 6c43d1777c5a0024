// The simulator's pieces the playground's worker adapts: a dataset read from
// uploaded bytes (whole, or in parts above a size), rules checked against its
// columns, the file read again with declared types, the threshold sweep
// driven one replay at a time, and scorer files.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../language/index.js';
import { readLeadsPart } from '../../simulator/data/lead-parts.js';
import { readEventsPart } from '../../simulator/data/parts.js';
import type { PartReader } from '../../simulator/data/split-load.js';
import { compileForData, datasetAsOf, readDataset, readersInParts, retypedDataset } from '../../simulator/dataset.js';
import { generate } from '../../simulator/generate.js';
import { replay } from '../../simulator/replay.js';
import { fileSlug, scorerFile } from '../../simulator/scorer-files.js';
import { suggest } from '../../simulator/suggest.js';
import { sweepNow, sweepStage, sweepTotals } from '../../simulator/thresholds.js';

const enc = new TextEncoder();
const ACME = readFileSync(new URL('../../examples/acme.lql', import.meta.url), 'utf8');
const RULES = 'ruleset "Vip check"\nattribute vip: text\nattribute plan: text\nfit {\n  +10 when vip == "yes"\n}\nstages {\n  MQL when fit >= 10\n  lead otherwise\n}\n';

describe('dataset', () => {
  it('reads uploaded bytes with the CLI readers, then again with the declared types', async () => {
    const csv = 'id,outcome,vip,created_at\na,won,yes,2025-01-02\nb,lost,no,2025-01-09\nc,,yes,2025-02-01\n';
    const seen: [string, number, number][] = [];
    const d = await readDataset({ leads: { name: 'leads.csv', bytes: enc.encode(csv) }, id: 'id' }, (f, done, total) => seen.push([f, done, total]));
    expect(d.leads.n).toBe(3);
    // inferred from yes/no: a bool column
    expect(d.leads.columns.get('vip')?.type).toBe('bool');
    expect(seen.at(-1)).toEqual(['leads.csv', csv.length, csv.length]);
    // the latest time in the data (2025-02-01), not the clock's
    expect(datasetAsOf(d)).toBe(Date.UTC(2025, 1, 1));
    const ir = compileSource(RULES).ir!;
    const again = retypedDataset(d, ir)!;
    const vip = again.leads.columns.get('vip');
    expect(vip?.type).toBe('text');
    expect(vip?.type === 'text' && vip.dict).toEqual(['yes', 'no']);
    expect(again.version).toBeGreaterThan(d.version);
    // nothing differs any more: no re-read
    expect(retypedDataset(again, ir)).toBeNull();
  });

  it('flags a declared attribute the data lacks at its declaration (LQL521)', async () => {
    const d = await readDataset({ leads: { name: 'l.csv', bytes: enc.encode('id,outcome,vip\na,won,yes\n') } });
    const c = compileForData(RULES, d);
    const w = c.diagnostics.filter((x) => x.code === 'LQL521');
    expect(w).toHaveLength(1);
    // `plan` on line 3, after `attribute `
    expect(w[0]!.range.start).toMatchObject({ line: 3, column: 11 });
    expect(compileForData(RULES).diagnostics.some((x) => x.code === 'LQL521')).toBe(false);
  });

  it('splits only files of at least the given size, and gives the same tables', async () => {
    const g = generate({ leads: 400, seed: 3, eventsPerLead: 3 });
    const head = 'id,outcome,industry,employees\n';
    const leads = enc.encode(head + Array.from({ length: g.leads.n }, (_, i) => `${g.leads.ids[i]},${['lost', 'won', ''][i % 3]},x${i % 7},${i}\n`).join(''));
    let parts = 0;
    const read: PartReader = async (task, onProgress) => {
      parts++;
      const p = (d: number, _t: number, r?: number) => onProgress(d, r ?? 0);
      return task.kind === 'leads' ? readLeadsPart(task.bytes, task.prefix, task.options, p) : readEventsPart(task.bytes, task.prefix, task.options, p);
    };
    const small = await readDataset({ leads: { name: 'l.csv', bytes: leads }, id: 'id' }, undefined, readersInParts({ parts: 2, read }, leads.length + 1));
    expect(parts).toBe(0);
    const big = await readDataset({ leads: { name: 'l.csv', bytes: leads }, id: 'id' }, undefined, readersInParts({ parts: 2, read }, leads.length));
    expect(parts).toBe(2);
    expect(big.leads.ids).toEqual(small.leads.ids);
    expect([...big.leads.outcome]).toEqual([...small.leads.outcome]);
    expect(big.columns).toEqual(small.columns);
  });
});

describe('threshold sweep, one replay at a time', () => {
  const g = generate({ leads: 1500, seed: 9 });
  const ir = compileSource(ACME).ir!;
  const base = replay(ir, g.leads, g.events);
  const k = ir.stages.findIndex((s) => s.name === 'MQL');
  const totals = sweepTotals(g.leads, g.events, base);

  it('gives lql suggest its sweeps, and the current threshold reads the base run', () => {
    let replays = 0;
    const sweeps = sweepNow(sweepStage(ir, k, base, totals), (x) => {
      replays++;
      return replay(x, g.leads, g.events, { asOf: base.asOf, mode: base.mode });
    })!;
    expect(sweeps.map((s) => s.comparison)).toEqual(['fit >= 30', 'engagement >= 40']);
    const fromCli = suggest(ir, g.leads, g.events, { stage: 'MQL' }).thresholds!.sweeps;
    expect(sweeps.map((s) => s.candidates)).toEqual(fromCli.map((s) => s.candidates));
    // one replay per candidate but the current one
    expect(replays).toBe(sweeps.reduce((n, s) => n + s.candidates.length - 1, 0));
    // the current threshold's figures are the base run's: MQL reached in the base replay
    const reachedBase = Array.from(base.reached[k]!).filter((t) => t === t).length;
    for (const s of sweeps) expect(s.candidates.find((c) => c.threshold === s.current)?.reached).toBe(reachedBase);
  });

  it('stops when a replay is not given (a newer run)', () => {
    const sweep = sweepStage(ir, k, base, totals);
    expect(sweep.next().done).toBe(false);
    expect(sweep.next(null)).toEqual({ done: true, value: null });
  });
});

describe('scorer files', () => {
  it('names files from the ruleset and emits each target', async () => {
    const ir = compileSource(ACME).ir!;
    const none = () => Promise.reject(new Error('not needed'));
    expect(fileSlug('ACME B2B qualification')).toBe('acme-b2b-qualification');
    expect(fileSlug('  ')).toBe('ruleset');
    const json = await scorerFile(ir, 'json', 'duckdb', none);
    expect(json.fileName).toBe('acme-b2b-qualification.json');
    expect(JSON.parse(json.content)).toEqual(JSON.parse(JSON.stringify(ir)));
    expect((await scorerFile(ir, 'sql', 'postgres', none)).fileName).toBe('acme-b2b-qualification.postgres.sql');
    const esm = await scorerFile(ir, 'esm', 'duckdb', async () => ({ code: 'export const RE2JS = {};', licence: 'MIT' }));
    expect(esm.fileName).toBe('acme-b2b-qualification.mjs');
    expect(esm.content).toMatch(/export/);
  });
});

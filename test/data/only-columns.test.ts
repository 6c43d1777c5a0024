// Reading only the columns a ruleset reads (LoadOptions.only): the columns
// read hold exactly what a full read gives them, the header still names every
// column, rows are kept or rejected as by a full read (bad values in columns
// that are read stop the load with the same message), the columnar cache
// keeps the two reads apart, reading in parts gives the same table, and the
// command line prints the same report as the library over a full read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLeadsFile, loadLeadsFile } from '../../simulator/data/files.js';
import type { LeadTable, LoadOptions } from '../../simulator/data/table.js';
import { compileSource } from '../../language/index.js';
import { columnTypes, simulate } from '../../simulator/simulate.js';
import { loadFailure, plainLeads } from './helpers.js';
import { workerBundle } from '../support/worker-bundle.js';
import { run } from '../cli/run.js';

const worker = workerBundle('parts-worker', 'simulator/data/parts-worker.ts');
const xedu = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'x-education', 'Leads.csv');
const X: LoadOptions = { id: 'Prospect ID', outcome: 'Converted', missing: ['Select'] };
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lql-only-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The table without the columns `only` leaves out (what a selective read must equal). */
function restricted(t: LeadTable, only: string[]): unknown {
  const p = plainLeads(t) as { columns: Record<string, unknown> };
  return { ...p, columns: Object.fromEntries(Object.entries(p.columns).filter(([k]) => only.includes(k))) };
}

describe('reading only the columns a ruleset reads', () => {
  it('X Education: the columns read are those of a full read; the header names every column', async () => {
    const only = ['Lead Source', 'TotalVisits', 'Country', 'Do Not Email'];
    const types = { TotalVisits: 'number' } as const;
    const full = await loadLeadsFile(xedu, { ...X, types });
    const some = await loadLeadsFile(xedu, { ...X, types, only });
    expect([...some.columns.keys()].sort()).toEqual([...only].sort());
    // a full read: every column but the id and the outcome
    expect(full.columns.size).toBe(full.header.length - 2);
    expect(some.header).toEqual(full.header);
    expect(restricted(some, only)).toEqual(restricted(full, only));
    expect(some.rejected).toEqual(full.rejected);
  });

  it('bad values: a column read still rejects its bad cells with the same message; a column not read is not parsed', async () => {
    const path = join(dir, 'bad.csv');
    // `size` is declared a number: row 3 has a bad one; `notes` is undeclared and never read
    writeFileSync(path, 'id,outcome,size,notes\na,won,10,"x, y"\nb,lost,12x,plain\nc,open,7,"multi\nline"\nd,won,3,\n');
    const types = { size: 'number' } as const;
    const strict = async (o: LoadOptions) => {
      try {
        return await loadLeadsFile(path, o);
      } catch (e) {
        return loadFailure(e);
      }
    };
    expect(await strict({ types, only: ['size'] })).toEqual(await strict({ types }));
    expect((await strict({ types, only: ['size'] })) as unknown).toMatchObject({ error: [{ code: 'LQL512', line: 3, column: 8 }] });
    const lenientFull = await loadLeadsFile(path, { types, lenient: true });
    const lenientSome = await loadLeadsFile(path, { types, lenient: true, only: ['size'] });
    expect(lenientSome.rejected).toEqual(lenientFull.rejected);
    expect(lenientSome.rejected.rows).toBe(1);
    expect(restricted(lenientSome, ['size'])).toEqual(restricted(lenientFull, ['size']));
    // only `notes`: the bad number in `size` is not read, so no row is rejected
    const notes = await loadLeadsFile(path, { only: ['notes'] });
    expect(notes.n).toBe(4);
    expect([...notes.columns.keys()]).toEqual(['notes']);
  });

  it('read in parts on worker threads: the same table as the single reader with the same selection', async () => {
    const only = ['Lead Source', 'Total Time Spent on Website', 'City'];
    const single = await loadLeadsFile(xedu, { ...X, only, split: false });
    let how = '';
    const parts = await loadLeadsFile(xedu, {
      ...X,
      only,
      split: { workers: 2, minSize: 0, partSize: 200_000, workerUrl: worker.url(), onRead: (h) => (how = h) },
    });
    expect(how).toBe('parts');
    expect(plainLeads(parts)).toEqual(plainLeads(single));
    expect(parts.header).toEqual(single.header);
  });

  it('the columnar cache keeps a selective read and a full read apart', async () => {
    const cache = { dir: join(dir, 'cache'), minBytes: 0, onOutcome: (_f: string, o: string) => outcomes.push(o) };
    const outcomes: string[] = [];
    const only = ['Lead Source'];
    const a = await readLeadsFile(xedu, { ...X, only }, cache);
    const b = await readLeadsFile(xedu, { ...X }, cache);
    const c = await readLeadsFile(xedu, { ...X, only }, cache);
    expect(outcomes).toEqual(['saved', 'saved', 'hit']);
    expect([...a.columns.keys()]).toEqual(only);
    expect(b.columns.size).toBeGreaterThan(30);
    expect(plainLeads(c)).toEqual(plainLeads(a));
  });

  it('with --baseline, the columns the baseline reads are read too: its report is the one it gives alone', async () => {
    const leads = join(dir, 'two.csv');
    const rows = ['id,outcome,industry,size'];
    for (let i = 0; i < 40; i++) rows.push(`l${i},${i % 2 ? 'won' : 'lost'},${i % 2 ? 'saas' : 'retail'},${(i * 7) % 50}`);
    writeFileSync(leads, rows.join('\n') + '\n');
    const now = join(dir, 'now.lql');
    const base = join(dir, 'base.lql');
    writeFileSync(now, 'ruleset "now"\nattribute size: number\nfit { +10 when size >= 25 }\nstages { MQL when fit >= 10, lead otherwise }\n');
    writeFileSync(base, 'ruleset "base"\nattribute industry: text\nfit { +10 when industry == "saas" }\nstages { MQL when fit >= 10, lead otherwise }\n');
    const both = await run(['simulate', now, '--baseline', base, '--leads', leads, '--no-cache', '--json']);
    const alone = await run(['simulate', base, '--leads', leads, '--no-cache', '--json']);
    expect(both.code).toBe(0);
    expect(alone.code).toBe(0);
    const b = JSON.parse(both.out).baseline;
    const a = JSON.parse(alone.out);
    // the baseline's MQLs are the 20 saas leads, all won (by hand: odd rows are saas and won)
    expect(a.stages[0]).toMatchObject({ name: 'MQL', reached: 20, won: 20, lost: 0 });
    expect(b.stages).toEqual(a.stages);
    expect(b.ranking).toEqual(a.ranking);
    expect(b.scoreDistribution).toEqual(a.scoreDistribution);
  });

  it('lql simulate reads only the ruleset columns and prints the report of a full read', async () => {
    const src = [
      'ruleset "wide"',
      'attribute `TotalVisits`: number',
      'fit {',
      '  +10 when `TotalVisits` >= 5',
      '  +5 when `Lead Source` == "Google"',
      '  +3 when `Page Views Per Visit` > 2',
      '}',
      'stages { MQL when fit >= 10, lead otherwise }',
    ].join('\n');
    const file = join(dir, 'wide.lql');
    writeFileSync(file, src);
    const ir = compileSource(src).ir!;
    // the independent route: every column read, then the library's report
    const full = await loadLeadsFile(xedu, { ...X, types: columnTypes(ir) });
    expect(full.columns.size).toBeGreaterThan(30);
    const want = simulate(ir, full, null);
    const r = await run(['simulate', file, '--leads', xedu, '--id', 'Prospect ID', '--outcome', 'Converted', '--missing', 'Select', '--no-cache', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(JSON.parse(JSON.stringify(want)));
  });
});

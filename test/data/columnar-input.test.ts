// Parquet and Arrow input (simulator/data/columnar-files.ts): the same data
// as Parquet or Arrow gives the same report as its CSV. The Parquet files
// are written by DuckDB from the CSV (its own reader and type detection:
// BIGINT, DOUBLE, TIMESTAMP WITH TIME ZONE, VARCHAR), the Arrow files by
// apache-arrow from DuckDB's rows, so neither goes through LQL's readers.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellOf, columnarFormat } from '../../simulator/data/columnar-files.js';
import { generate, writeCsv } from '../../simulator/generate.js';
import { run } from '../cli/run.js';

const shared = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const examples = join(import.meta.dirname, '..', '..', 'examples');
let work: string;
let savedCache: string | undefined;

async function duck<T>(f: (sql: (q: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    return await f(async (q) => (await c.runAndReadAll(q)).getRowObjectsJS() as Record<string, unknown>[]);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** CSV -> Parquet by DuckDB (types detected by DuckDB). */
function toParquet(csv: string, out: string, extra = ''): Promise<void> {
  return duck(async (sql) => {
    await sql(`COPY (SELECT * FROM read_csv(${lit(csv)})) TO ${lit(out)} (FORMAT parquet${extra})`);
  });
}

/** CSV -> Arrow IPC file: DuckDB reads and types the rows, apache-arrow writes them. */
function toArrow(csv: string, out: string): Promise<void> {
  return duck(async (sql) => {
    const rows = await sql(`SELECT * FROM read_csv(${lit(csv)})`);
    const names = Object.keys(rows[0] ?? {});
    const cols: Record<string, ReturnType<typeof vectorFromArray>> = {};
    for (const n of names) {
      const values = rows.map((r) => {
        const v = r[n];
        return typeof v === 'bigint' ? Number(v) : v;
      });
      cols[n] = vectorFromArray(values);
    }
    writeFileSync(out, tableToIPC(new Table(cols), 'file'));
  });
}

beforeAll(async () => {
  savedCache = process.env.LQL_CACHE_DIR;
  work = mkdtempSync(join(tmpdir(), 'lql-columnar-test-'));
  process.env.LQL_CACHE_DIR = join(work, 'cache');
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  if (savedCache === undefined) delete process.env.LQL_CACHE_DIR;
  else process.env.LQL_CACHE_DIR = savedCache;
});

describe('Parquet and Arrow input', () => {
  it('ACME: the same report from CSV, Parquet (snappy, zstd) and Arrow', async () => {
    const leads = join(examples, 'data', 'acme-leads.csv');
    const events = join(examples, 'data', 'acme-events.csv');
    await toParquet(leads, join(work, 'acme-leads.parquet'));
    await toParquet(events, join(work, 'acme-events.parquet'), ', COMPRESSION zstd, ROW_GROUP_SIZE 10000');
    await toArrow(leads, join(work, 'acme-leads.arrow'));
    await toArrow(events, join(work, 'acme-events.arrow'));
    const sim = (l: string, e: string) => run(['simulate', join(examples, 'acme.lql'), '--leads', l, '--events', e, '--json']);
    const csv = await sim(leads, events);
    expect(csv.code).toBe(0);
    const pq = await sim(join(work, 'acme-leads.parquet'), join(work, 'acme-events.parquet'));
    expect(pq.err).toBe(csv.err);
    expect(pq.out).toBe(csv.out);
    const arrow = await sim(join(work, 'acme-leads.arrow'), join(work, 'acme-events.arrow'));
    expect(arrow.out).toBe(csv.out);
    const mixed = await sim(join(work, 'acme-leads.parquet'), join(work, 'acme-events.arrow'));
    expect(mixed.out).toBe(csv.out);
  });

  it('generated history (several row groups) and its cached re-run: the same report as the CSV', async () => {
    const files = writeCsv(generate({ leads: 15_000, seed: 5 }), join(work, 'gen'));
    await toParquet(files.leads, join(work, 'gen-leads.parquet'), ', ROW_GROUP_SIZE 4000');
    await toParquet(files.events, join(work, 'gen-events.parquet'), ', ROW_GROUP_SIZE 50000');
    const sim = (l: string, e: string, more: string[] = []) => run(['simulate', join(examples, 'acme.lql'), '--leads', l, '--events', e, '--json', ...more]);
    const csv = await sim(files.leads, files.events, ['--no-cache']);
    const pq = await sim(join(work, 'gen-leads.parquet'), join(work, 'gen-events.parquet'));
    const again = await sim(join(work, 'gen-leads.parquet'), join(work, 'gen-events.parquet'));
    expect(csv.code).toBe(0);
    expect(pq.out).toBe(csv.out);
    expect(again.out).toBe(csv.out);
    expect((JSON.parse(csv.out) as { leads: number }).leads).toBe(15_000);
  });

  it.skipIf(!existsSync(join(shared, 'uci-bank-marketing', 'bank-full.csv')))('bank marketing (CC BY): the same report from CSV and Parquet', async () => {
    const csv = join(shared, 'uci-bank-marketing', 'bank-full.csv');
    const pqFile = join(work, 'bank.parquet');
    await duck(async (sql) => {
      // yes/no stay text (DuckDB would make them BOOLEAN, another value than the CSV's); numbers are BIGINT
      const text = `types={'default': 'VARCHAR', 'housing': 'VARCHAR', 'loan': 'VARCHAR', 'y': 'VARCHAR'}`;
      await sql(`COPY (SELECT * FROM read_csv(${lit(csv)}, delim=';', ${text})) TO ${lit(pqFile)} (FORMAT parquet)`);
    });
    const args = (f: string) => ['simulate', join(examples, 'bank-marketing', 'bank-marketing.lql'), '--leads', f, '--id', '@row', '--outcome', 'y', '--missing', 'unknown', '--as-of', '2026-06-01', '--json', '--no-cache'];
    const a = await run(args(csv));
    const b = await run(args(pqFile));
    expect(a.code).toBe(0);
    expect(b.out).toBe(a.out);
  });

  it('bad data in a Parquet file is reported at its row (line = row + 1, as in the CSV)', async () => {
    const csv = join(work, 'dup.csv');
    writeFileSync(csv, 'id,outcome,employees\nA,won,10\nB,lost,20\nA,lost,30\n');
    await toParquet(csv, join(work, 'dup.parquet'));
    const r = await run(['simulate', join(examples, 'acme.lql'), '--leads', join(work, 'dup.parquet')]);
    const c = await run(['simulate', join(examples, 'acme.lql'), '--leads', csv]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${join(work, 'dup.parquet')}:4:1`);
    expect(r.err.replaceAll('dup.parquet', 'dup.csv')).toBe(c.err);
  });

  it('a file that is not Parquet or Arrow: a clear message naming it, exit 1', async () => {
    for (const name of ['bad.parquet', 'bad.arrow']) {
      const f = join(work, name);
      writeFileSync(f, 'id,outcome\nA,won\n');
      const r = await run(['simulate', join(examples, 'acme.lql'), '--leads', f]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`Cannot read \`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`: not a valid (Parquet|Arrow IPC) file`));
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    }
    const missing = await run(['simulate', join(examples, 'acme.lql'), '--leads', join(work, 'none.parquet')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no such file');
  });

  it('--engine duckdb refuses Parquet and Arrow files with a clear message', async () => {
    const r = await run(['simulate', join(examples, 'acme.lql'), '--leads', join(work, 'acme-leads.parquet'), '--engine', 'duckdb']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is a Parquet or Arrow file: run it with --engine js');
  });

  it('cells: how typed values are written for the CSV reader', () => {
    expect(cellOf(null)).toBe('');
    expect(cellOf(Number.NaN)).toBe('');
    expect(cellOf(12)).toBe('12');
    expect(cellOf(1.5)).toBe('1.5');
    expect(cellOf(12345678901234567890n)).toBe('12345678901234567890');
    expect(cellOf(true)).toBe('true');
    expect(cellOf('a, "b"')).toBe('"a, ""b"""');
    expect(cellOf(' padded')).toBe('" padded"');
    expect(cellOf(new Date(Date.UTC(2025, 3, 1, 11, 40)))).toBe('2025-04-01T11:40:00.000Z');
    expect(cellOf(Date.UTC(2025, 0, 6), true)).toBe('2025-01-06T00:00:00.000Z');
    expect(cellOf({ a: 1n })).toBe('"{""a"":""1""}"');
    expect(columnarFormat('x.PARQUET')).toBe('parquet');
    expect(columnarFormat('x.feather')).toBe('arrow');
    expect(columnarFormat('x.csv')).toBeUndefined();
  });
});

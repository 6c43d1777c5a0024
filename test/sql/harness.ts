/**
 * Shared helpers of the SQL differential tests: put leads and events into
 * DuckDB or PostgreSQL tables exactly as a CRM export would give them (every
 * column text), run an exported query, and read its rows back as
 * ScoreResult-like records to compare with the JS scorer.
 *
 * Input: leads as records of raw values (what the JS scorer reads), events
 * with `at` as ISO text or epoch ms, a query from emit-sql.ts.
 * Output: `SqlResult` per lead id.
 * Invariants: raw values are written as text the way the simulator reads a
 * CSV cell (numbers with String(n), booleans as true/false, null as NULL);
 * every attribute the ruleset reads exists as a column (NULL when absent).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type pg from 'pg';
import type { IR } from '../../language/compile/ir.js';
import { exportSql, type EmitSqlOptions, type SqlColumn, type SqlDialect } from '../../language/compile/emit-sql.js';
import { insertRows } from '../support/postgres.js';

export interface TestLead {
  id: string;
  attrs: Record<string, unknown>;
  events: { type: string; at: string | number }[];
  /** this lead's asOf (epoch ms), or undefined for its latest event */
  asOf?: number;
  closedAt?: number | null;
}

export interface SqlResult {
  scores: Record<string, number>;
  bands: Record<string, string>;
  stage: string;
  reached: Record<string, number | null>;
  route: string | null;
}

function cell(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isNaN(v) ? null : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** The leads and events tables as text rows. */
export function tables(ir: IR, leads: TestLead[]): {
  leadCols: string[];
  leadRows: (string | null)[][];
  eventRows: (string | null)[][];
} {
  const cols = new Set<string>();
  for (const a of ir.attributes) cols.add(a.name);
  for (const l of leads) for (const k of Object.keys(l.attrs)) cols.add(k);
  cols.delete('id');
  cols.delete('__as_of');
  cols.delete('__closed_at');
  const attrCols = [...cols];
  const leadCols = ['id', '__as_of', '__closed_at', ...attrCols];
  const leadRows = leads.map((l) => [
    l.id,
    l.asOf === undefined ? null : String(l.asOf),
    l.closedAt === undefined || l.closedAt === null ? null : String(l.closedAt),
    ...attrCols.map((c) => (Object.hasOwn(l.attrs, c) ? cell(l.attrs[c]) : null)),
  ]);
  const eventRows: (string | null)[][] = [];
  for (const l of leads) for (const e of l.events) eventRows.push([l.id, e.type, cell(e.at)]);
  return { leadCols, leadRows, eventRows };
}

export function sqlFor(ir: IR, dialect: SqlDialect, extra: Partial<EmitSqlOptions> = {}): { sql: string; columns: SqlColumn[] } {
  const r = exportSql(ir, { dialect, asOf: 'per-lead', asOfColumn: '__as_of', ...extra });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error('SQL export failed: ' + errors.map((e) => `${e.code} ${e.message}`).join('; '));
  return { sql: r.sql, columns: r.columns };
}

function toNum(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return Number(v);
  return v as number;
}

/** Query rows -> results by lead id. */
export function toResults(rows: Record<string, unknown>[], columns: SqlColumn[]): Map<string, SqlResult> {
  const out = new Map<string, SqlResult>();
  for (const row of rows) {
    const r: SqlResult = { scores: {}, bands: {}, stage: '', reached: {}, route: null };
    for (const c of columns) {
      const v = row[c.name];
      if (c.kind === 'score') r.scores[c.key] = toNum(v) as number;
      else if (c.kind === 'band') r.bands[c.key] = v as string;
      else if (c.kind === 'stage') r.stage = v as string;
      else if (c.kind === 'route') r.route = (v as string | null) ?? null;
      else if (c.kind === 'reached') r.reached[c.key] = toNum(v);
    }
    out.set(String(row.id), r);
  }
  return out;
}

const q = (s: string) => '"' + s.replace(/"/g, '""') + '"';
const lit = (v: string | null) => (v === null ? 'NULL' : "'" + v.replace(/'/g, "''") + "'");

async function duckInsert(c: DuckDBConnection, table: string, cols: string[], rows: (string | null)[][]): Promise<void> {
  await c.run(`CREATE TABLE ${q(table)} (${cols.map((x) => `${q(x)} VARCHAR`).join(', ')})`);
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    if (chunk.length === 0) break;
    await c.run(`INSERT INTO ${q(table)} VALUES ${chunk.map((r) => '(' + r.map(lit).join(', ') + ')').join(', ')}`);
  }
}

/** Score leads in a fresh in-memory DuckDB. */
export async function runDuckDB(
  ir: IR,
  leads: TestLead[],
  extra: Partial<EmitSqlOptions> = {},
): Promise<{ results: Map<string, SqlResult>; sql: string }> {
  const { sql, columns } = sqlFor(ir, 'duckdb', extra);
  const t = tables(ir, leads);
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await db.connect();
  try {
    await duckInsert(c, 'leads', t.leadCols, t.leadRows);
    await duckInsert(c, 'events', ['lead_id', 'type', 'at'], t.eventRows);
    const rows = (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    return { results: toResults(rows, columns), sql };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

let schemaSeq = 0;

/** Score leads on a PostgreSQL server, in a fresh schema. */
export async function runPostgres(
  client: pg.Client,
  ir: IR,
  leads: TestLead[],
  extra: Partial<EmitSqlOptions> = {},
): Promise<{ results: Map<string, SqlResult>; sql: string }> {
  const { sql, columns } = sqlFor(ir, 'postgres', extra);
  const t = tables(ir, leads);
  const schema = `t${process.pid}_${++schemaSeq}`;
  await client.query(`CREATE SCHEMA ${q(schema)}`);
  try {
    await client.query(`SET search_path TO ${q(schema)}`);
    await client.query(`CREATE TABLE leads (${t.leadCols.map((x) => `${q(x)} TEXT`).join(', ')})`);
    await client.query(`CREATE TABLE events (lead_id TEXT, type TEXT, at TEXT)`);
    await insertRows(client, 'leads', t.leadCols, t.leadRows);
    await insertRows(client, 'events', ['lead_id', 'type', 'at'], t.eventRows);
    const res = await client.query(sql);
    return { results: toResults(res.rows as Record<string, unknown>[], columns), sql };
  } finally {
    await client.query(`SET search_path TO public`);
    await client.query(`DROP SCHEMA ${q(schema)} CASCADE`);
  }
}

/** Differences between a JS result and an SQL result (empty when they agree). */
export function diff(js: SqlResult, sql: SqlResult | undefined): string[] {
  if (!sql) return ['no SQL row'];
  const out: string[] = [];
  for (const [k, v] of Object.entries(js.scores)) {
    const w = sql.scores[k];
    // scores are rounded to 9 decimals in every engine: they agree exactly
    if (w === undefined || w === null || !Object.is(v, w)) out.push(`score ${k}: js ${v} sql ${w}`);
  }
  for (const [k, v] of Object.entries(js.bands)) if (sql.bands[k] !== v) out.push(`band ${k}: js ${v} sql ${sql.bands[k]}`);
  if (js.stage !== sql.stage) out.push(`stage: js ${js.stage} sql ${sql.stage}`);
  for (const [k, v] of Object.entries(js.reached)) if (sql.reached[k] !== v) out.push(`reached ${k}: js ${v} sql ${sql.reached[k]}`);
  if ((js.route ?? null) !== (sql.route ?? null)) out.push(`route: js ${js.route} sql ${sql.route}`);
  return out;
}

/** A ClickHouse string literal: backslash and quote escaped with a backslash. */
const chq = (s: string) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
const chLit = (v: string | null) => (v === null ? 'NULL' : "'" + v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\u0000/g, '\\0') + "'");

/** The part of chdb's Session the tests use (chdb is installed by .ci/run, not by `npm install`: see README). */
interface ChdbSession {
  query(sql: string, format?: string): string;
  cleanup(): void;
}
let chSession: ChdbSession | null = null;

/** Is the chdb package installed? */
export async function haveChdb(): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ CHDB);
    return true;
  } catch {
    return false;
  }
}
const CHDB = 'chdb';
let chSeq = 0;

/** Close the shared embedded ClickHouse session (call in afterAll). */
export function closeClickHouse(): void {
  chSession?.cleanup();
  chSession = null;
}

/** Score leads in embedded ClickHouse (chdb): one session per test file, a fresh database per call, text columns. */
export async function runClickHouse(
  ir: IR,
  leads: TestLead[],
  extra: Partial<EmitSqlOptions> = {},
  /** rows per INSERT (each a block of the Memory table; default 500) and extra query settings, to make ClickHouse read in parallel */
  load: { rowsPerInsert?: number; settings?: string } = {},
): Promise<{ results: Map<string, SqlResult>; sql: string }> {
  const { Session } = (await import(/* @vite-ignore */ CHDB)) as { Session: new () => ChdbSession };
  chSession ??= new Session();
  const s = chSession;
  const db = `lql_${process.pid}_${++chSeq}`;
  const { sql, columns } = sqlFor(ir, 'clickhouse', { leadsTable: [db, 'leads'], eventsTable: [db, 'events'], ...extra });
  const t = tables(ir, leads);
  s.query(`CREATE DATABASE ${chq(db)}`);
  try {
    const create = (table: string, cols: string[], rows: (string | null)[][]): void => {
      s.query(`CREATE TABLE ${chq(db)}.${chq(table)} (${cols.map((x) => `${chq(x)} Nullable(String)`).join(', ')}) ENGINE = Memory`);
      const per = load.rowsPerInsert ?? 500;
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        if (chunk.length) s.query(`INSERT INTO ${chq(db)}.${chq(table)} VALUES ${chunk.map((r) => '(' + r.map(chLit).join(', ') + ')').join(', ')}`);
      }
    };
    create('leads', t.leadCols, t.leadRows);
    create('events', ['lead_id', 'type', 'at'], t.eventRows);
    const settings = `output_format_json_quote_64bit_integers = 0, ${load.settings ? `${load.settings}, ` : ''}`;
    const text = s.query(sql.replace(/\nSETTINGS /, `\nSETTINGS ${settings}`), 'JSONEachRow');
    const rows = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    return { results: toResults(rows, columns), sql };
  } finally {
    s.query(`DROP DATABASE IF EXISTS ${chq(db)}`);
  }
}

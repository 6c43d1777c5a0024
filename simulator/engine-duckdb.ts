/**
 * The DuckDB engine: scores lead history that is too large for the browser by
 * loading the files straight into an embedded DuckDB and running the
 * ruleset's exported SQL (language/compile/emit-sql.ts) there.
 *
 * Input: a ruleset's IR and the paths of a leads file and (optionally) an
 * events file — CSV (`,` or `;` detected from the header line, RFC 4180
 * quotes), JSON Lines, or Parquet — with the options of `lql simulate` /
 * `lql score` (`--id COL|@row`, `--outcome COL`, `--missing A,B`, `--as-of`).
 * Output: `scoreWithDuckDB()` -> one row per lead (id, outcome, closed_at,
 * every score, band, stage, route, reached times), the events that could not
 * be used (unknown leads, undeclared types), the SQL that ran, timings.
 * Invariants:
 * - every cell is loaded as text (no type guessing by DuckDB); the SQL reads
 *   values exactly as docs/semantics.md says, so results equal the JS scorer's;
 * - empty cells and `missing` placeholders are missing values;
 * - with a `closed_at` column (and `closedAt` not false), each lead is replayed
 *   without leakage: only events strictly before closed_at, evaluated at
 *   closed_at, stages other than the lowest counting only when reached
 *   strictly before it (the lowest always counts, as in the JS engine);
 * - a problem with the files is reported as diagnostics (LQL710-LQL712) in a
 *   DuckDBEngineError, never as a raw crash; the database is closed on every path.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { IR } from '../language/compile/ir.js';
import { exportSql, type SqlColumn } from '../language/compile/emit-sql.js';
import type { Diagnostic } from '../language/diagnostics/diagnostic.js';
import { pointRange } from '../language/diagnostics/diagnostic.js';
import { diag } from '../language/diagnostics/registry.js';

export interface DuckDBScoreOptions {
  ir: IR;
  /** leads file: .csv, .tsv, .txt, .jsonl, .ndjson, .json or .parquet */
  leads: string;
  /** events file (lead_id, type, at); absent or null for snapshot data */
  events?: string | null;
  /** id column, or '@row' to number the rows 1, 2, ... (default 'id') */
  id?: string;
  /** outcome column (default 'outcome'); its raw text is returned per lead */
  outcome?: string;
  /** cell values read as missing, e.g. ['Select', 'unknown'] */
  missing?: string[];
  /** evaluation time, epoch ms; default: the latest event time (0 without events) */
  asOf?: number;
  /** replay without leakage using the `closed_at` column when it exists (default true) */
  closedAt?: boolean;
  /** DuckDB worker threads (default 2) */
  threads?: number;
}

export interface DuckDBLeadRow {
  id: string;
  /** raw outcome text, or null (no column or empty cell) */
  outcome: string | null;
  /** raw closed_at / created_at text, or null */
  closedAt: string | null;
  createdAt: string | null;
  scores: Record<string, number>;
  bands: Record<string, string>;
  stage: string;
  route: string | null;
  /** epoch ms each stage was first reached (before closed_at when known), or null */
  reached: Record<string, number | null>;
}

export interface DuckDBScoreResult {
  /** one per lead, ordered by id */
  rows: DuckDBLeadRow[];
  /** the columns of the leads file, in file order */
  leadColumns: string[];
  events: {
    /** rows in the events file */
    total: number;
    /** events whose lead_id is not in the leads file */
    unknownLeads: { events: number; sample: string[] };
    /** events whose type is not a declared activity, by type */
    unknownTypes: Record<string, number>;
  };
  /** the query that scored the leads (DuckDB dialect) */
  sql: string;
  columns: SqlColumn[];
  timings: { loadMs: number; scoreMs: number };
}

/** Thrown when the files cannot be loaded or scored; carries the diagnostics. */
export class DuckDBEngineError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.file ? d.file + ': ' : ''}${d.code}: ${d.message}`).join('\n'));
    this.name = 'DuckDBEngineError';
  }
}

const q = (s: string) => '"' + s.replace(/"/g, '""') + '"';
const lit = (s: string) => "'" + s.replace(/'/g, "''") + "'";

type Format = 'csv' | 'json' | 'parquet';

function formatOf(path: string): Format {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'json';
  if (ext === '.parquet') return 'parquet';
  return 'csv';
}

/** `,` or `;`, whichever occurs more often outside quotes in the header line (`\t` for .tsv). */
export function detectDelimiter(path: string): string {
  if (extname(path).toLowerCase() === '.tsv') return '\t';
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    let inQuotes = false;
    let commas = 0;
    let semis = 0;
    for (const ch of text) {
      if (ch === '"') inQuotes = !inQuotes;
      else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
      else if (!inQuotes && ch === ',') commas++;
      else if (!inQuotes && ch === ';') semis++;
    }
    return semis > commas ? ';' : ',';
  } finally {
    closeSync(fd);
  }
}

function fileError(file: string, reason: string): DuckDBEngineError {
  const d = diag('LQL710', pointRange(1, 1), { file, reason: reason.replace(/\s+/g, ' ').trim() });
  d.file = file;
  return new DuckDBEngineError([d]);
}

/**
 * Load a file into a table of text columns. Returns its column names in file
 * order. Missing placeholders become NULL.
 */
async function loadTable(c: DuckDBConnection, table: string, path: string, missing: string[]): Promise<string[]> {
  const fmt = formatOf(path);
  let reader: string;
  try {
    if (fmt === 'csv') {
      const delim = detectDelimiter(path);
      const nulls = ['', ...missing].map(lit).join(', ');
      reader =
        `read_csv(${lit(path)}, header = true, all_varchar = true, delim = ${lit(delim)}, quote = '"', escape = '"', ` +
        `nullstr = [${nulls}], strict_mode = true, null_padding = false, ignore_errors = false, parallel = true)`;
    } else if (fmt === 'json') {
      const desc = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_json(${lit(path)}, format = 'newline_delimited')`)).getRowObjectsJS();
      const cols = desc.map((r) => String(r.column_name));
      reader = `read_json(${lit(path)}, format = 'newline_delimited', columns = {${cols.map((x) => `${lit(x)}: 'VARCHAR'`).join(', ')}})`;
    } else {
      reader = `read_parquet(${lit(path)})`;
    }
    await c.run(`CREATE TABLE ${q(table + '_file')} AS SELECT * FROM ${reader}`);
  } catch (e) {
    throw fileError(path, (e as Error).message);
  }
  const desc = (await c.runAndReadAll(`DESCRIBE ${q(table + '_file')}`)).getRowObjectsJS();
  const cols = desc.map((r) => String(r.column_name));
  // every column as text; placeholders (JSON, Parquet) as NULL
  const m = missing.length ? ` IN (${missing.map(lit).join(', ')})` : null;
  const sel = cols.map((x) => {
    const t = `CAST(${q(x)} AS VARCHAR)`;
    return fmt !== 'csv' && m ? `CASE WHEN ${t}${m} THEN NULL ELSE ${t} END AS ${q(x)}` : `${t} AS ${q(x)}`;
  });
  await c.run(
    `CREATE TABLE ${q(table)} AS SELECT rowid + 1 AS "__lql_row", ${sel.join(', ')} FROM ${q(table + '_file')} ORDER BY rowid`,
  );
  await c.run(`DROP TABLE ${q(table + '_file')}`);
  return cols;
}

function requireColumn(cols: string[], col: string, file: string, role: string): void {
  if (!cols.includes(col)) {
    const d = diag('LQL711', pointRange(1, 1), { file, column: col, role, columns: cols.join(', ') || '(none)' });
    d.file = file;
    throw new DuckDBEngineError([d]);
  }
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v) : Number(v));

/** Score every lead of the files with DuckDB. */
export async function scoreWithDuckDB(opts: DuckDBScoreOptions): Promise<DuckDBScoreResult> {
  const t0 = performance.now();
  const db = await DuckDBInstance.create(':memory:', { threads: String(opts.threads ?? 2) });
  const c = await db.connect();
  try {
    const missing = opts.missing ?? [];
    const leadCols = await loadTable(c, 'leads_in', opts.leads, missing);
    const idCol = opts.id ?? 'id';
    if (idCol !== '@row') requireColumn(leadCols, idCol, opts.leads, 'the lead id; choose another with --id COL or --id @row');
    const idExpr = idCol === '@row' ? `CAST("__lql_row" AS VARCHAR)` : q(idCol);
    await c.run(`CREATE VIEW "leads" AS SELECT ${idExpr} AS "__lql_id", * FROM "leads_in"`);
    const dup = (await c.runAndReadAll(`SELECT "__lql_id" AS id, count(*) AS n FROM "leads" GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 5`)).getRowObjectsJS();
    if (dup.length) {
      const d = diag('LQL712', pointRange(1, 1), { file: opts.leads, ids: dup.map((r) => String(r.id)).join(', ') });
      d.file = opts.leads;
      throw new DuckDBEngineError([d]);
    }

    let eventsInfo: DuckDBScoreResult['events'] = { total: 0, unknownLeads: { events: 0, sample: [] }, unknownTypes: {} };
    if (opts.events) {
      const evCols = await loadTable(c, 'events', opts.events, missing);
      requireColumn(evCols, 'lead_id', opts.events, 'the lead each event belongs to');
      requireColumn(evCols, 'type', opts.events, 'the activity name');
      requireColumn(evCols, 'at', opts.events, 'the event time');
      const total = Number((await c.runAndReadAll(`SELECT count(*) AS n FROM "events"`)).getRowObjectsJS()[0]!.n);
      const unknown = (
        await c.runAndReadAll(
          `SELECT "lead_id" AS id, count(*) AS n FROM "events" e WHERE NOT EXISTS (SELECT 1 FROM "leads" l WHERE l."__lql_id" = e."lead_id") GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1000`,
        )
      ).getRowObjectsJS();
      const types = opts.ir.activities;
      const unknownTypes = (
        await c.runAndReadAll(
          `SELECT "type" AS t, count(*) AS n FROM "events" WHERE "type" IS NULL OR "type" NOT IN (${types.map(lit).join(', ') || 'NULL'}) GROUP BY 1 ORDER BY 1`,
        )
      ).getRowObjectsJS();
      eventsInfo = {
        total,
        unknownLeads: { events: unknown.reduce((s, r) => s + Number(r.n), 0), sample: unknown.slice(0, 5).map((r) => String(r.id)) },
        unknownTypes: Object.fromEntries(unknownTypes.map((r) => [String(r.t ?? ''), Number(r.n)])),
      };
    }
    const loadMs = performance.now() - t0;

    const extras: string[] = [];
    const outcomeCol = opts.outcome ?? 'outcome';
    for (const x of [outcomeCol, 'closed_at', 'created_at']) if (leadCols.includes(x) && !extras.includes(x)) extras.push(x);
    const useClosed = opts.closedAt !== false && leadCols.includes('closed_at');
    const exp = exportSql(opts.ir, {
      dialect: 'duckdb',
      asOf: opts.asOf,
      leadsTable: 'leads',
      eventsTable: opts.events ? 'events' : null,
      idColumn: '__lql_id',
      closedAtColumn: useClosed ? 'closed_at' : undefined,
      extraColumns: extras,
    });
    if (exp.diagnostics.some((d) => d.severity === 'error')) throw new DuckDBEngineError(exp.diagnostics);

    const t1 = performance.now();
    let raw: Record<string, unknown>[];
    try {
      raw = (await c.runAndReadAll(exp.sql)).getRowObjectsJS() as Record<string, unknown>[];
    } catch (e) {
      throw fileError(opts.leads, (e as Error).message);
    }
    const scoreMs = performance.now() - t1;

    const rows: DuckDBLeadRow[] = raw.map((r) => {
      const row: DuckDBLeadRow = {
        id: String(r.id),
        outcome: leadCols.includes(outcomeCol) ? ((r[outcomeCol] as string | null) ?? null) : null,
        closedAt: leadCols.includes('closed_at') ? ((r.closed_at as string | null) ?? null) : null,
        createdAt: leadCols.includes('created_at') ? ((r.created_at as string | null) ?? null) : null,
        scores: {},
        bands: {},
        stage: '',
        route: null,
        reached: {},
      };
      for (const col of exp.columns) {
        const v = r[col.name];
        if (col.kind === 'score') row.scores[col.key] = num(v) ?? 0;
        else if (col.kind === 'band') row.bands[col.key] = String(v);
        else if (col.kind === 'stage') row.stage = String(v ?? '');
        else if (col.kind === 'route') row.route = (v as string | null) ?? null;
        else if (col.kind === 'reached') row.reached[col.key] = num(v);
      }
      return row;
    });
    return { rows, leadColumns: leadCols, events: eventsInfo, sql: exp.sql, columns: exp.columns, timings: { loadMs, scoreMs } };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/**
 * The DuckDB backtest: `lql simulate --engine duckdb` and `lql score
 * --engine duckdb`. The files are read by DuckDB itself and every lead is
 * scored inside DuckDB by the ruleset's SQL (language/compile/emit-sql.ts);
 * only the per-lead results (scores, band / stage / route codes, reached
 * times, activity presence) come back, as typed arrays, to the same
 * `computeReport` the JS engine uses.
 *
 * Input: a ruleset's IR (and optionally a baseline IR), the leads file and
 * optionally the events file (CSV with `,` `;` or tab, or JSON Lines), and
 * the options of `lql simulate` / `lql score`: `--id COL|@row`,
 * `--outcome COL`, `--missing A,B`, `--as-of`.
 * Output: `simulateDuckDB` -> the Report of spec/CLI.md (with `baseline`,
 * `delta`, `changes` for a baseline) plus the ScoredTables;
 * `scoreRowsDuckDB` -> one ScoreRow per lead, in file order.
 * Invariants (the JS engine's decisions, so the reports are equal):
 * - values are read as the JS loader reads them: `--missing` placeholders
 *   and blank cells are missing; declared columns are typed by their
 *   declaration; undeclared columns are typed by inference over all their
 *   values (number, else date, else bool, else text) and then converted to
 *   the type the ruleset reads, exactly as the kernel converts them; the id,
 *   outcome, created_at and closed_at columns are not attributes;
 * - outcome words are those of spec/DATA.md (case-insensitive, trimmed,
 *   empty = open); times are ISO 8601 or epoch ms;
 * - the run's asOf is the JS default (latest of declared activities' event times of known leads,
 *   created_at and closed_at; 0 and no stage times when there is none) unless given;
 * - simulate applies the closed_at rules (docs/semantics.md "In the
 *   simulator": events strictly before closed_at, evaluated at closed_at,
 *   stages other than the lowest counted only when reached strictly before
 *   it; snapshot data: one evaluation point, no reached-before filter);
 *   score does not;
 * - a bad value stops the run with the JS loader's own diagnostic
 *   (`file:line:col`, DataError): DuckDB finds that the data has a problem,
 *   the JS loader then names it; nothing is computed on dropped rows
 *   (lenient loading is not offered by this engine);
 * - the database is in memory and closed on every path.
 */
import { skippedCounts, type Skipped } from './skipped.js';
import { columnTypes, scoredRows, withBaseline } from './simulate.js';
import { engineQueryOptions, resultSink } from './sql-results.js';
import { nearest } from '../language/shared/names.js';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { IR, IRType } from '../language/compile/ir.js';
import { exportSql, type SqlColumn } from '../language/compile/emit-sql.js';
import { dateLayers, readBool, readNumber, numberToText } from '../language/compile/sql-dialect.js';
import { diag } from '../language/diagnostics/registry.js';
import { pointRange, type Diagnostic } from '../language/diagnostics/diagnostic.js';
import { computeReport, type Report } from './metrics.js';
import { dataWeeks } from './time.js';
import type { ScoredTable } from './replay.js';
import type { ScoreRow } from './simulate.js';
import type { KernelMode } from './kernel/emit-kernel.js';
import { detectDelimiter } from './data/csv.js';
import { formatFromName } from './data/source.js';
import { loadEventsFile, loadLeadsFile } from './data/files.js';
import { DataError } from './data/errors.js';
import { OUTCOME_WORDS } from './data/values.js';
import { DuckDBEngineError, type DuckDBScoreOptions } from './engine-duckdb.js';

export { DuckDBEngineError };

/** The files and options of a run: those of `scoreWithDuckDB`, with the run's own asOf default. */
export interface DuckDBRunOptions extends Pick<DuckDBScoreOptions, 'ir' | 'leads' | 'events' | 'id' | 'outcome' | 'missing' | 'threads'> {
  /** the run's evaluation time, epoch ms (default: the latest time in the data) */
  asOf?: number;
  /** called with warnings about the data (LQL521: a declared attribute the file lacks), as the JS engine prints them */
  onWarnings?: (warnings: Diagnostic[]) => void;
  /** the events' lead id, type and time columns (default `lead_id`, `type`, `at`) */
  eventColumns?: { lead?: string; type?: string; time?: string };
  /** called with what the run did not use (events of unknown leads, of undeclared types) */
  onSkipped?: (skipped: Skipped) => void;
}

export interface DuckDBSimulateOptions extends DuckDBRunOptions {
  /** the rules in use today: adds `baseline`, `delta` and `changes` */
  baseline?: IR;
  /** target histogram bins per score (default 10) */
  bins?: number;
  /** at most this many changed leads listed (default all) */
  maxChanges?: number;
}

export interface DuckDBTimings {
  /** reading and checking the files */
  loadMs: number;
  /** the scoring queries (ruleset and baseline) */
  scoreMs: number;
  /** reading the results back and computing the report */
  reportMs: number;
}

export interface DuckDBSimulateResult {
  report: Report;
  scored: ScoredTable;
  baselineScored?: ScoredTable;
  timings: DuckDBTimings;
}

// ---------------------------------------------------------------------------
// SQL helpers

const q = (s: string) => '"' + s.replace(/"/g, '""') + '"';
const lit = (s: string) => "'" + s.replace(/'/g, "''") + "'";

/** The characters JS `String.prototype.trim` removes. */
const WS = '\t\n\u000b\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';
/** The same characters as an RE2 class (DuckDB's trim with a long character list is slow). */
const WS_CLASS = '[\\t\\n\\x{0b}\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}]';
const trimJs = (x: string) => `(CASE WHEN regexp_matches(${x}, ${lit(`^${WS_CLASS}|${WS_CLASS}$`)}) THEN trim(${x}, ${lit(WS)}) ELSE ${x} END)`;
const blank = (x: string) => `(${x} IS NULL OR regexp_full_match(${x}, ${lit(WS_CLASS + '*')}))`;

/** Outcome words of spec/DATA.md -> 1 won, 0 lost, -1 open, -2 not an outcome word. */
function outcomeCode(raw: string, placeholders: string[]): string {
  // the words the CSV reader knows, and a cell of only spaces is open too
  const words: [string, number][] = [...OUTCOME_WORDS, ['', -1]];
  const ph = placeholders.length ? ` OR ${raw} IN (${placeholders.map(lit).join(', ')})` : '';
  return (
    `(CASE WHEN ${raw} IS NULL OR ${raw} = ''${ph} THEN -1 ` +
    `ELSE CASE lower(${trimJs(raw)}) ${words.map(([w, c]) => `WHEN ${lit(w)} THEN ${c}`).join(' ')} ELSE -2 END END)`
  );
}

/** Epoch ms from a time column already parsed as ISO (`iso`, BIGINT or NULL) with the epoch-number fallback. */
function timeMs(iso: string, tw: string): string {
  const n = readNumber('duckdb', tw);
  return `COALESCE(${iso}, CASE WHEN ${n} = floor(${n}) AND abs(${n}) < 9.0e15 THEN CAST(${n} AS BIGINT) END)`;
}

/** JS `new Date(ms).toISOString()` for years 0..9999. */
function isoText(ms: string): string {
  return `strftime(make_timestamp(${ms} * 1000), '%Y-%m-%dT%H:%M:%S.%gZ')`;
}

// ---------------------------------------------------------------------------
// Reading the files

type FileFormat = 'csv' | 'jsonl';

function headText(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf
      .subarray(0, n)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  } finally {
    closeSync(fd);
  }
}

function formatOfFile(path: string): FileFormat {
  return formatFromName(path) ?? (headText(path).trimStart().startsWith('{') ? 'jsonl' : 'csv');
}

/** Thrown inside a session when the data has a problem the JS loader names. */
class NeedsJsDiagnostic extends Error {
  constructor(
    readonly what: 'leads' | 'events',
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The header cells of a CSV file: its first record (RFC 4180), blank lines skipped. */
export function csvHeader(text: string, delim: string): string[] | null {
  const cells: string[] = [];
  let cell = '';
  let i = 0;
  while (i < text.length && (text[i] === '\n' || text[i] === '\r')) i++;
  if (i >= text.length) return null;
  let quoted = false;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      cells.push(cell);
      return cells;
    } else cell += ch;
  }
  if (quoted) return null;
  cells.push(cell);
  return cells;
}

interface RawSource {
  /** column names in file order */
  header: string[];
  /** SQL name of each column */
  sqlCols: string[];
  /** a FROM item giving the columns (as text) */
  from: string;
  fmt: FileFormat;
}

/** A reader for the file: its header and a FROM item reading every column as text. */
async function rawSource(c: DuckDBConnection, path: string, what: 'leads' | 'events'): Promise<RawSource> {
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
  } catch {
    throw new NeedsJsDiagnostic(what, 'cannot read the file');
  }
  const fmt = formatOfFile(path);
  if (fmt === 'csv') {
    const head = headText(path);
    const delim = detectDelimiter(head);
    const header = csvHeader(head, delim);
    if (!header) throw new NeedsJsDiagnostic(what, 'no header line');
    const sqlCols = header.map((_, j) => `c${j}`);
    return {
      header,
      sqlCols,
      fmt,
      from:
        `read_csv(${lit(path)}, header = true, auto_detect = false, columns = {${sqlCols.map((x) => `${lit(x)}: 'VARCHAR'`).join(', ')}}, ` +
        `delim = ${lit(delim)}, quote = '"', escape = '"', strict_mode = true, null_padding = false, ignore_errors = false, parallel = true)`,
    };
  }
  let keys: string[];
  try {
    const desc = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_json(${lit(path)}, format = 'newline_delimited')`)).getRowObjectsJS();
    keys = desc.map((r) => String(r.column_name));
  } catch (e) {
    throw new NeedsJsDiagnostic(what, (e as Error).message);
  }
  return {
    header: keys,
    sqlCols: keys,
    fmt,
    from: `read_json(${lit(path)}, format = 'newline_delimited', columns = {${keys.map((k) => `${lit(k)}: 'VARCHAR'`).join(', ')}})`,
  };
}

/** Run a statement that reads a file; DuckDB's own failures go to the JS loader for a diagnostic. */
async function runReading(c: DuckDBConnection, sql: string, what: 'leads' | 'events'): Promise<void> {
  try {
    await c.run(sql);
  } catch (e) {
    throw new NeedsJsDiagnostic(what, (e as Error).message);
  }
}

/**
 * ISO 8601 forms that DuckDB's TIMESTAMP cast reads exactly as the JS reader
 * does (date, or date and time with seconds, optional milliseconds and `Z`);
 * any other text takes the full reader (sql-dialect.ts `dateLayers`).
 */
const FAST_ISO = '[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,3})?)?Z?';

/** Epoch ms of the common time forms (NULL for anything else, to be read by `slowTime`). */
function fastTime(v: string): string {
  return (
    `(CASE WHEN regexp_full_match(${v}, ${lit(FAST_ISO)}) THEN epoch_ms(TRY_CAST(${v} AS TIMESTAMP)) ` +
    `WHEN regexp_full_match(${v}, '-?[0-9]{1,15}') THEN CAST(${v} AS BIGINT) END)`
  );
}

/**
 * Fill in `ms` of table `table` where the fast reader gave NULL but the text
 * `v` is there: the full ISO 8601 reader, then a decimal number of epoch ms.
 */
async function slowTimes(c: DuckDBConnection, table: string, key: string, v: string, ms: string): Promise<void> {
  const need = `${q(v)} IS NOT NULL AND ${q(ms)} IS NULL`;
  const n = Number((await c.runAndReadAll(`SELECT count(*) AS n FROM ${q(table)} WHERE ${need}`)).getRowObjectsJS()[0]!.n);
  if (n === 0) return;
  const inner = `(SELECT "${key}" AS "rid", ${q(v)} AS "v" FROM ${q(table)} WHERE ${need}) AS "s0"`;
  const parsed = `SELECT "rid", ${timeMs('"iso"', trimJs('"v"'))} AS "ms" FROM (${dateLayers('duckdb', inner, ['rid', 'v'], [{ src: 'v', out: 'iso' }])}) AS "s1"`;
  await c.run(`UPDATE ${q(table)} SET ${q(ms)} = "s"."ms" FROM (${parsed}) AS "s" WHERE ${q(table)}."${key}" = "s"."rid"`);
}

// ---------------------------------------------------------------------------
// The session: files loaded once, rulesets scored against them

interface AttrPlan {
  name: string;
  /** the column in the raw table, or null (special or absent: always missing) */
  src: string | null;
  /** the type of the JS column: declared, or inferred from the values */
  colType: IRType;
  declared: boolean;
}

const READ_TYPES: IRType[] = ['number', 'text', 'bool', 'date'];

/** Internal column of attribute `name` read as `type`. */
function attrCol(index: number, type: IRType): string {
  return `__lql_a${index}_${type}`;
}

export interface DuckDBQueryResult {
  scored: ScoredTable;
  sql: string;
}

class Session {
  private db!: DuckDBInstance;
  c!: DuckDBConnection;
  readonly missing: string[];
  readonly idName: string;
  readonly rowIds: boolean;
  readonly outcomeName: string;
  leadsHeader: string[] = [];
  hasClosed = false;
  n = 0;
  unknownLeadEvents = 0;
  /** events of types the ruleset does not declare, by type */
  undeclaredTypes: Record<string, number> = Object.create(null) as Record<string, number>;
  /** latest time in the data (events of known leads, created_at, closed_at), or null */
  latest: number | null = null;
  ids: string[] = [];
  outcome = new Int8Array(0);
  /** created_at per lead in file order (NaN when missing), as the JS reader's `createdAt` */
  createdAt = new Float64Array(0);
  /** the weeks the data covers (time.ts `dataWeeks`): created_at of the leads and, with events, their events' times */
  weeks: number | null = null;
  private attrIndex = new Map<string, number>();

  constructor(readonly opts: DuckDBRunOptions) {
    this.missing = (opts.missing ?? []).filter((m) => m !== '');
    this.idName = opts.id ?? 'id';
    this.rowIds = this.idName === '@row';
    this.outcomeName = opts.outcome ?? 'outcome';
  }

  async open(): Promise<void> {
    this.db = await DuckDBInstance.create(':memory:', { threads: String(this.opts.threads ?? 2) });
    this.c = await this.db.connect();
  }

  close(): void {
    try {
      this.c?.closeSync();
    } finally {
      this.db?.closeSync();
    }
  }

  /** Read and check both files; `irs` are every ruleset that will be scored (their attributes are prepared). */
  async load(irs: IR[]): Promise<void> {
    const c = this.c;
    const ir = this.opts.ir;
    const leads = await rawSource(c, this.opts.leads, 'leads');
    const header = leads.header;
    this.leadsHeader = header;
    if (new Set(header).size !== header.length) throw new NeedsJsDiagnostic('leads', 'a column name is repeated');
    const colOf = (name: string): string | null => {
      const j = header.indexOf(name);
      return j < 0 ? null : q(leads.sqlCols[j]!);
    };
    const idCol = this.rowIds ? null : colOf(this.idName);
    const outCol = colOf(this.outcomeName);
    if ((!this.rowIds && idCol === null) || outCol === null) throw new NeedsJsDiagnostic('leads', 'a required column is missing');
    const special = new Set([this.outcomeName, 'created_at', 'closed_at', ...(this.rowIds ? [] : [this.idName])]);
    const ph = this.missing;
    const pv = (x: string) => (ph.length ? `(CASE WHEN ${x} IN (${ph.map(lit).join(', ')}) THEN NULL ELSE NULLIF(${x}, '') END)` : `NULLIF(${x}, '')`);

    // attributes: every one any ruleset reads, typed as the JS loader types the column: as the
    // ruleset types it (declared, or from its use), the first ruleset's type first
    const declared = new Map<string, IRType>();
    for (const r of [ir, ...irs]) for (const a of r.attributes) if (!declared.has(a.name)) declared.set(a.name, a.type);
    const names: string[] = [];
    for (const r of irs) for (const a of r.attributes) if (!names.includes(a.name)) names.push(a.name);
    const plans: AttrPlan[] = names.map((name) => ({
      name,
      src: special.has(name) ? null : colOf(name),
      colType: declared.get(name) ?? 'text',
      declared: declared.has(name),
    }));
    plans.forEach((p, i) => this.attrIndex.set(p.name, i));
    this.hasClosed = header.includes('closed_at');
    // the (attribute, type) readings the queries make
    const reads = new Set<string>();
    for (const r of irs) {
      exportSql(r, {
        dialect: 'duckdb',
        asOf: 0,
        eventsTable: this.opts.events ? 'e' : null,
        columnFor: (name, type) => {
          reads.add(`${type}\u0000${name}`);
          return name;
        },
      });
    }
    const readsOf = (p: AttrPlan) => READ_TYPES.filter((u) => reads.has(`${u}\u0000${p.name}`));
    // a time column is parsed when the column is a date, is read as one, or its type is inferred
    const timed = (p: AttrPlan) => p.src !== null && (p.colType === 'date' || !p.declared || readsOf(p).includes('date'));

    // 1. the file as text, placeholders missing, times parsed by the fast reader
    const created = colOf('created_at');
    const closed = colOf('closed_at');
    const base: string[] = [`CAST(rowid + 1 AS BIGINT) AS "r"`];
    base.push(`${this.rowIds ? `CAST(rowid + 1 AS VARCHAR)` : idCol} AS "id_raw"`);
    if (!this.rowIds) base.push(`${pv(idCol!)} AS "id_v"`);
    base.push(`${outCol} AS "out_raw"`);
    const times: { v: string; ms: string }[] = [];
    const addTime = (expr: string, key: string) => {
      base.push(`${expr} AS ${q(key + '_v')}`);
      times.push({ v: key + '_v', ms: key + '_ms' });
    };
    if (created) addTime(pv(created), 'created');
    if (closed) addTime(pv(closed), 'closed');
    plans.forEach((p, i) => {
      if (p.src === null) return;
      if (timed(p)) addTime(pv(p.src), `t${i}`);
      else base.push(`${pv(p.src)} AS ${q(`t${i}_v`)}`);
    });
    // rowid follows the file's order (DuckDB keeps insertion order)
    await runReading(c, `CREATE TABLE "lql_leads_file" AS SELECT * FROM ${leads.from}`, 'leads');
    const fastCols = times.map((t) => `${fastTime(q(t.v))} AS ${q(t.ms)}`);
    plans.forEach((p, i) => {
      if (p.src !== null) fastCols.push(`${trimJs(q(`t${i}_v`))} AS ${q(`t${i}_tw`)}`);
    });
    await c.run(
      `CREATE TABLE "lql_lb" AS SELECT *${fastCols.length ? ', ' + fastCols.join(', ') : ''} FROM (SELECT ${base.join(', ')} FROM "lql_leads_file") AS "x"`,
    );
    await c.run(`DROP TABLE "lql_leads_file"`);
    for (const t of times) await slowTimes(c, 'lql_lb', 'r', t.v, t.ms);

    // 2. inferred types of undeclared columns (over their values, as the JS loader does)
    const undeclared = plans.map((p, i) => ({ p, i })).filter((x) => !x.p.declared && x.p.src !== null);
    if (undeclared.length) {
      const aggs = undeclared.map(({ i }) => {
        const v = q(`t${i}_v`);
        const tw = q(`t${i}_tw`);
        const nb = `NOT ${blank(v)}`;
        const iso = `(${q(`t${i}_ms`)} IS NOT NULL AND regexp_full_match(${tw}, '[0-9]{4}-.*'))`;
        return [
          `count(*) FILTER (WHERE ${nb}) AS ${q(`n${i}`)}`,
          `bool_and(${readNumber('duckdb', tw)} IS NOT NULL) FILTER (WHERE ${nb}) AS ${q(`num${i}`)}`,
          `bool_and(lower(${tw}) IN ('true', 'false', 'yes', 'no')) FILTER (WHERE ${nb}) AS ${q(`bool${i}`)}`,
          `bool_and(${iso}) FILTER (WHERE ${nb}) AS ${q(`date${i}`)}`,
        ].join(', ');
      });
      const row = (await c.runAndReadAll(`SELECT ${aggs.join(', ')} FROM "lql_lb"`)).getRowObjectsJS()[0]!;
      for (const { p, i } of undeclared) {
        if (Number(row[`n${i}`] ?? 0) === 0) p.colType = 'text';
        else if (row[`num${i}`] === true) p.colType = 'number';
        else if (row[`date${i}`] === true) p.colType = 'date';
        else if (row[`bool${i}`] === true) p.colType = 'bool';
        else p.colType = 'text';
      }
    }

    // 3. the leads as the engine reads them, and what would stop the JS loader
    const sel: string[] = [`"r" AS "__lql_row"`, `"id_raw" AS "__lql_id"`, `${outcomeCode('"out_raw"', ph)} AS "__lql_outcome"`];
    const bad: string[] = [];
    if (!this.rowIds) bad.push(blank('"id_v"'));
    bad.push(`${outcomeCode('"out_raw"', ph)} = -2`);
    for (const key of ['created', 'closed']) {
      const has = key === 'created' ? created : closed;
      sel.push(`${has ? q(key + '_ms') : 'CAST(NULL AS BIGINT)'} AS ${q(`__lql_${key}_ms`)}`);
      if (has) bad.push(`(NOT ${blank(q(key + '_v'))} AND ${q(key + '_ms')} IS NULL)`);
    }
    plans.forEach((p, i) => {
      for (const u of readsOf(p)) sel.push(`${this.canonical(p, i, u)} AS ${q(attrCol(i, u))}`);
      if (p.declared && p.src !== null) {
        const v = q(`t${i}_v`);
        const tw = q(`t${i}_tw`);
        if (p.colType === 'number') bad.push(`(NOT ${blank(v)} AND ${readNumber('duckdb', tw)} IS NULL)`);
        else if (p.colType === 'date') bad.push(`(NOT ${blank(v)} AND ${q(`t${i}_ms`)} IS NULL)`);
        else if (p.colType === 'bool') bad.push(`(NOT ${blank(v)} AND ${readBool('duckdb', tw)} IS NULL)`);
      }
    });
    await c.run(`CREATE TABLE "lql_leads" AS SELECT ${sel.join(', ')}, (${bad.join(' OR ') || 'FALSE'}) AS "__lql_bad" FROM "lql_lb" ORDER BY "r"`);
    await c.run(`DROP TABLE "lql_lb"`);
    const check = (
      await c.runAndReadAll(
        `SELECT count(*) AS n, count(*) FILTER (WHERE "__lql_bad") AS bad, count(DISTINCT "__lql_id") AS ids, ` +
          `max(greatest("__lql_created_ms", "__lql_closed_ms")) AS latest FROM "lql_leads"`,
      )
    ).getRowObjectsJS()[0]!;
    this.n = Number(check.n);
    if (this.n === 0) throw new NeedsJsDiagnostic('leads', 'the file has no leads');
    if (Number(check.bad) > 0) throw new NeedsJsDiagnostic('leads', 'a value cannot be read');
    if (Number(check.ids) !== this.n) throw new NeedsJsDiagnostic('leads', 'a lead id is repeated');
    let latest = check.latest === null ? null : Number(check.latest);

    if (this.opts.events) {
      const ev = await rawSource(c, this.opts.events, 'events');
      const ecol = (name: string) => {
        const j = ev.header.indexOf(name);
        return j < 0 ? null : q(ev.sqlCols[j]!);
      };
      const names = this.opts.eventColumns ?? {};
      const lid = ecol(names.lead ?? 'lead_id');
      const typ = ecol(names.type ?? 'type');
      const at = ecol(names.time ?? 'at');
      if (!lid || !typ || !at) throw new NeedsJsDiagnostic('events', 'a required column is missing');
      await runReading(
        c,
        `CREATE TABLE "lql_events" AS SELECT "lead_id", "type", "at_v", ${fastTime('"at_v"')} AS "at" ` +
          `FROM (SELECT ${lid} AS "lead_id", ${typ} AS "type", ${at} AS "at_v" FROM ${ev.from}) AS "x"`,
        'events',
      );
      await slowTimes(c, 'lql_events', 'rowid', 'at_v', 'at');
      // each event with its lead's row number (the key the scoring query joins on; NULL: unknown lead)
      await c.run(
        `CREATE TABLE "lql_ev" AS SELECT "l"."__lql_row" AS "lead_id", "e"."type", "e"."at", ` +
          `(${blank('"e"."lead_id"')} OR ${blank('"e"."type"')} OR "e"."at" IS NULL) AS "bad" ` +
          `FROM "lql_events" AS "e" LEFT JOIN "lql_leads" AS "l" ON "l"."__lql_id" = "e"."lead_id"`,
      );
      await c.run(`DROP TABLE "lql_events"`);
      const ec = (
        await c.runAndReadAll(
          `SELECT count(*) FILTER (WHERE "bad") AS bad, count(*) FILTER (WHERE "lead_id" IS NULL) AS unknown, ` +
            `max("at") FILTER (WHERE "lead_id" IS NOT NULL AND CAST("type" AS VARCHAR) IN (${this.opts.ir.activities.map(lit).join(', ') || 'NULL'})) AS latest FROM "lql_ev"`,
        )
      ).getRowObjectsJS()[0]!;
      if (Number(ec.bad) > 0) throw new NeedsJsDiagnostic('events', 'an event cannot be read');
      this.unknownLeadEvents = Number(ec.unknown);
      const acts = this.opts.ir.activities;
      const types = (
        await c.runAndReadAll(
          `SELECT CAST("type" AS VARCHAR) AS "t", count(*) AS "n" FROM "lql_ev" ` +
            `WHERE ${acts.length ? `CAST("type" AS VARCHAR) NOT IN (${acts.map(lit).join(', ')})` : 'TRUE'} GROUP BY 1`,
        )
      ).getRowObjectsJS();
      for (const r of types) this.undeclaredTypes[String(r.t)] = Number(r.n);
      if (ec.latest !== null) latest = latest === null ? Number(ec.latest) : Math.max(latest, Number(ec.latest));
    }
    this.latest = latest;

    // ids and outcomes, in file order
    const res = await c.runAndReadAll(`SELECT "__lql_id", "__lql_outcome", "__lql_created_ms" FROM "lql_leads" ORDER BY "__lql_row"`);
    const cols = res.getColumnsJS();
    this.ids = (cols[0] as unknown[]).map((v) => String(v));
    this.outcome = Int8Array.from(cols[1] as number[]);
    this.createdAt = Float64Array.from(cols[2] as unknown[], (v) => (v === null || v === undefined ? NaN : Number(v)));
    let eventSpan: { times: Float64Array } | null = null;
    if (this.opts.events) {
      const r = (await c.runAndReadAll(`SELECT min("at") AS lo, max("at") AS hi FROM "lql_ev" WHERE "lead_id" IS NOT NULL`)).getRowObjectsJS()[0]!;
      const num = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));
      eventSpan = { times: Float64Array.of(num(r.lo), num(r.hi)) };
    }
    this.weeks = dataWeeks({ createdAt: this.createdAt }, eventSpan);
  }

  /**
   * Canonical text of attribute plan `p` read as `u`: the text the SQL reader
   * for `u` turns into exactly the value the kernel gets from the JS column
   * (of type `p.colType`) converted to `u`.
   */
  private canonical(p: AttrPlan, i: number, u: IRType): string {
    if (p.src === null) return 'CAST(NULL AS VARCHAR)';
    const v = q(`t${i}_v`);
    const tw = q(`t${i}_tw`);
    const n = readNumber('duckdb', tw);
    const ms = q(`t${i}_ms`);
    const isoOnly = `(CASE WHEN regexp_full_match(${tw}, '[0-9]{4}-.*') THEN ${ms} END)`;
    const b = readBool('duckdb', tw);
    const C = p.colType;
    switch (u) {
      case 'number':
        if (C === 'date') return `CAST(${ms} AS VARCHAR)`;
        if (C === 'bool') return `(CASE WHEN ${b} THEN '1' WHEN NOT ${b} THEN '0' END)`;
        return tw;
      case 'text':
        if (C === 'number') return `(CASE WHEN ${n} IS NOT NULL THEN ${numberToText(n)} END)`;
        if (C === 'date') return `(CASE WHEN ${ms} BETWEEN -62167219200000 AND 253402300799999 THEN ${isoText(ms)} END)`;
        if (C === 'bool') return `(CASE WHEN ${b} THEN 'true' WHEN NOT ${b} THEN 'false' END)`;
        return v;
      case 'bool':
        if (C === 'number') return `(CASE WHEN ${n} = 1 THEN 'true' WHEN ${n} = 0 THEN 'false' END)`;
        if (C === 'date') return 'CAST(NULL AS VARCHAR)';
        return tw;
      case 'date':
        if (C === 'date') return `CAST(${ms} AS VARCHAR)`;
        if (C === 'number') return `(CASE WHEN ${n} = floor(${n}) AND abs(${n}) < 9.0e15 THEN CAST(CAST(${n} AS BIGINT) AS VARCHAR) END)`;
        if (C === 'text') return `CAST(${isoOnly} AS VARCHAR)`;
        return 'CAST(NULL AS VARCHAR)';
    }
  }

  /**
   * The attributes the ruleset reads that the leads file lacks, as the JS
   * engine reports them: declared ones are a warning (LQL521, every lead is
   * missing them), undeclared ones an error (LQL210, likely a typo).
   */
  missingColumns(ir: IR): { warnings: Diagnostic[]; errors: Diagnostic[] } {
    const header = this.leadsHeader;
    const special = new Set([this.outcomeName, 'created_at', 'closed_at', ...(this.rowIds ? [] : [this.idName])]);
    const have = header.filter((h) => !special.has(h));
    const absent = ir.attributes.filter((a) => !header.includes(a.name) && a.name !== 'created_at' && a.name !== 'closed_at');
    const near = (name: string) => {
      const n = nearest(name, have);
      return n.length ? ` The nearest columns are ${n.map((c) => '`' + c + '`').join(', ')}.` : '';
    };
    const top = pointRange(1, 1);
    const file = this.opts.leads;
    return {
      warnings: absent.filter((a) => a.declared).map((a) => diag('LQL521', top, { column: a.name, hint: near(a.name) }, { file })),
      errors: absent.filter((a) => !a.declared).map((a) => diag('LQL210', top, { name: a.name, hint: near(a.name) }, { file })),
    };
  }

  /** Score every lead with `ir` inside DuckDB; the rows come back as a ScoredTable. */
  async score(ir: IR, o: { mode: KernelMode; asOf: number; useClosedAt: boolean }): Promise<DuckDBQueryResult> {
    const events = o.mode === 'events' && !!this.opts.events;
    const closed = o.useClosedAt && this.hasClosed;
    const opts = engineQueryOptions({
      dialect: 'duckdb',
      asOf: o.asOf,
      mode: o.mode,
      events,
      closedAt: closed,
      columnFor: (name, type) => {
        const i = this.attrIndex.get(name);
        if (i === undefined) throw new Error(`internal: attribute ${name} was not prepared`);
        return attrCol(i, type);
      },
    });
    const exp = exportSql(ir, opts);
    if (exp.diagnostics.some((d) => d.severity === 'error')) throw new DuckDBEngineError(exp.diagnostics);
    try {
      return { scored: await this.toScored(ir, exp.sql, exp.columns, o), sql: exp.sql };
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('internal:')) throw e;
      throw engineError(this.opts.leads, (e as Error).message);
    }
  }

  /** Run the query and read its rows, chunk by chunk, straight into typed arrays (numbers only: codes, times). */
  private async toScored(ir: IR, sql: string, columns: SqlColumn[], o: { mode: KernelMode; asOf: number }): Promise<ScoredTable> {
    const n = this.n;
    const { sinks, table } = resultSink(ir, columns, n);
    const result = await this.c.run(sql);
    let row = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const m = chunk.rowCount;
      if (row + m > n) throw new Error(`internal: more result rows than the ${n} leads`);
      for (let ci = 0; ci < sinks.length; ci++) {
        const sink = sinks[ci];
        if (!sink) continue;
        const vec = chunk.getColumnVector(ci);
        for (let j = 0; j < m; j++) {
          const v = vec.getItem(j) as number | bigint | null;
          sink(row + j, v === null ? null : Number(v));
        }
      }
      row += m;
    }
    if (row !== n) throw new Error(`internal: ${row} result rows for ${n} leads`);
    return table({ mode: o.mode, asOf: o.asOf, ids: this.ids, outcome: this.outcome });
  }
}

function engineError(file: string, reason: string): DuckDBEngineError {
  const d: Diagnostic = diag('LQL710', pointRange(1, 1), { file, reason: reason.replace(/\s+/g, ' ').trim() });
  d.file = file;
  return new DuckDBEngineError([d]);
}

/** The ruleset reads undeclared columns the data lacks (LQL210, as the JS engine reports it). */
export class MissingColumnsError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.file}:1:1: ${d.severity} ${d.code}: ${d.message}`).join('\n'));
    this.name = 'MissingColumnsError';
  }
}

/**
 * The data has a problem: let the JS loader name it (DataError, with file,
 * line and column). If the JS loader accepts the file, DuckDB read it
 * differently: say so (LQL713).
 */
async function explainDataProblem(opts: DuckDBRunOptions, p: NeedsJsDiagnostic): Promise<never> {
  const types = columnTypes(opts.ir);
  const leads = await loadLeadsFile(opts.leads, { id: opts.id, outcome: opts.outcome, missing: opts.missing, lenient: false, types });
  if (opts.events)
    await loadEventsFile(opts.events, leads, opts.ir.activities, { lenient: false, ...(opts.eventColumns ? { eventColumns: opts.eventColumns } : {}) });
  const file = p.what === 'leads' ? opts.leads : opts.events!;
  const d = diag('LQL713', pointRange(1, 1), { file, reason: p.reason.replace(/\s+/g, ' ').trim() });
  d.file = file;
  throw new DuckDBEngineError([d]);
}

async function withSession<T>(opts: DuckDBRunOptions, irs: IR[], f: (s: Session, loadMs: number) => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const s = new Session(opts);
  try {
    await s.open();
    try {
      await s.load(irs);
    } catch (e) {
      if (e instanceof NeedsJsDiagnostic) await explainDataProblem(opts, e);
      throw e;
    }
    const missing = s.missingColumns(opts.ir);
    if (missing.warnings.length) opts.onWarnings?.(missing.warnings);
    if (missing.errors.length) throw new MissingColumnsError(missing.errors);
    return await f(s, performance.now() - t0);
  } finally {
    s.close();
  }
}

/** The run's asOf: given, else the latest time in the data (as the JS engine: declared activities' events, created_at, closed_at), else 0. */
function runAsOf(s: Session, opts: DuckDBRunOptions): number {
  return opts.asOf ?? s.latest ?? 0;
}

/** Data without times and no asOf given: no stage times are reported (never the clock's time). */
function untimed(s: Session, opts: DuckDBRunOptions): boolean {
  return opts.asOf === undefined && s.latest === null;
}

/** Backtest a ruleset inside DuckDB: the same Report as `simulateFull` of the JS engine. */
export async function simulateDuckDB(opts: DuckDBSimulateOptions): Promise<DuckDBSimulateResult> {
  const irs = opts.baseline ? [opts.ir, opts.baseline] : [opts.ir];
  return withSession(opts, irs, async (s, loadMs) => {
    const mode: KernelMode = opts.events ? 'events' : 'snapshot';
    const asOf = runAsOf(s, opts);
    const t1 = performance.now();
    const run = { mode, asOf, useClosedAt: true };
    const { scored } = await s.score(opts.ir, run);
    const baselineScored = opts.baseline ? (await s.score(opts.baseline, run)).scored : undefined;
    const t2 = performance.now();
    const reportOpts = (name: string | null) => ({
      ruleset: name,
      rejected: { rows: 0, events: 0 },
      unknownLeadEvents: opts.events ? s.unknownLeadEvents : 0,
      time: { createdAt: s.createdAt, weeks: s.weeks },
      ...(opts.bins !== undefined ? { bins: opts.bins } : {}),
    });
    let report = computeReport(scored, reportOpts(opts.ir.name));
    report.skipped = skippedCounts(opts.events ? s.unknownLeadEvents : 0, opts.events ? s.undeclaredTypes : {});
    if (opts.baseline && baselineScored) {
      const baseline = computeReport(baselineScored, reportOpts(opts.baseline.name));
      baseline.skipped = { ...report.skipped, undeclaredEventTypes: { ...report.skipped.undeclaredEventTypes } };
      report = withBaseline({ report, scored }, { report: baseline, scored: baselineScored }, opts.maxChanges);
    }
    const timings = { loadMs, scoreMs: t2 - t1, reportMs: performance.now() - t2 };
    return { report, scored, baselineScored, timings };
  });
}

/** Score every lead inside DuckDB (`lql score`): rows in file order, as `scoreAll` of the JS engine gives them. */
export async function scoreRowsDuckDB(opts: DuckDBRunOptions): Promise<ScoreRow[]> {
  return withSession(opts, [opts.ir], async (s) => {
    const mode: KernelMode = opts.events ? 'events' : 'snapshot';
    const { scored: st } = await s.score(opts.ir, { mode, asOf: runAsOf(s, opts), useClosedAt: false });
    opts.onSkipped?.(skippedCounts(opts.events ? s.unknownLeadEvents : 0, opts.events ? s.undeclaredTypes : {}));
    return scoredRows(untimed(s, opts) ? { ...st, untimed: true } : st);
  });
}

export { DataError };

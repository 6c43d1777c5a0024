/**
 * The SQL export: one query that scores every lead of a `leads` table with
 * the events of an `events` table, for DuckDB and PostgreSQL.
 *
 * Input: a ruleset's IR (ir.ts) and options (dialect, asOf, table names,
 * id / closed_at columns, extra pass-through columns).
 * Output: SQL text — a single `WITH ... SELECT` statement returning one row
 * per lead: `id`, every score (by name), every band (by name), `stage`,
 * `route`, `reached_<Stage>` (epoch ms BIGINT, or NULL) for every stage, then
 * the pass-through columns — plus the diagnostics of constructs that cannot
 * be exported for the dialect (see docs/sql.md and docs/errors/LQL7*.md).
 *
 * Invariants (docs/semantics.md, implemented with set operations):
 * - values at asOf (scores, bands, route) come from one GROUP BY over each
 *   lead's replayed events: counts, windows and latest times as conditional
 *   aggregates, decayed sums as sums of 2 ^ (-(asOf - t) / half-life) (an
 *   event at asOf weighs exactly 1, one k half-lives old exactly 2^-k); no event x event join;
 * - stage times need every evaluation point (the lead's distinct event times
 *   <= asOf, plus asOf), but only for candidate leads: those for which the
 *   time-independent conjuncts of some stage above the lowest hold (e.g.
 *   `fit >= 30`); other leads reach only the lowest stage, at their first
 *   point. Point values are window functions over the candidates' timelines
 *   (linear in their events);
 * - decayed sums at points use a fixed reference per 256-half-life segment
 *   (events older than a segment weigh < 2^-256 and are dropped), so no power
 *   ever overflows; weights below 2^-1000 count as 0 (PostgreSQL rejects
 *   underflow);
 * - a condition never yields NULL: every leaf is wrapped in
 *   COALESCE(.., FALSE), so `not` on a missing value is true (two-valued logic);
 * - stages: G_i(t) = stage i's condition at point t with "stage j reached"
 *   read as "some stage in [j, i) held at a point <= t"; stage k is first
 *   reached at min{t : G_i(t) for some i >= k}. This equals the sticky,
 *   lowest-first replay of the semantics (a stage's condition only matters
 *   while it is unreached, and then no stage at or above it held earlier);
 *   the lowest stage is reached at the first point and, with closed_at, always
 *   counts (other stages only when reached strictly before closed_at);
 * - every user name and string is quoted/escaped (sql-dialect.ts); comments
 *   carry sanitised source text and line numbers.
 */
import type {
  IR,
  IRArith,
  IRBand,
  IRBlockScore,
  IRCond,
  IRRule,
  IRSrc,
  IRType,
  IRValue,
} from './ir.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Range } from '../syntax/ast.js';
import { diag } from '../diagnostics/registry.js';
import { readAs } from '../shared/values.js';
import {
  bigint,
  commentText,
  dbl,
  floorDiv,
  halfPow,
  times,
  timesPoints,
  round9,
  ident,
  num,
  numberToText,
  readBool,
  dateLayers,
  readDate,
  readNumber,
  readText,
  str,
  tableName,
  type SqlDialect,
  withDialect,
} from './sql-dialect.js';
import { toPostgresRegex } from './sql-regex.js';
import { analyseIR } from './analysis.js';

export type { SqlDialect } from './sql-dialect.js';

export interface EmitSqlOptions {
  dialect: SqlDialect;
  /**
   * Evaluation time, epoch ms. Default: the latest event time in the events
   * table (any type), or 0 without events. `'per-lead'`: each lead's own
   * latest event (or 0), like the JS scorer called without asOf.
   */
  asOf?: number | 'per-lead';
  /** default `leads`; an array for a schema-qualified name */
  leadsTable?: string | string[];
  /** default `events`; `null` for snapshot data (no events at all) */
  eventsTable?: string | string[] | null;
  /** the leads table's id column, default `id` */
  idColumn?: string;
  /**
   * Backtest without leakage: a lead with a readable value in this column is
   * replayed with only its events strictly before it, evaluated at that time,
   * and a stage counts as reached only when reached strictly before it.
   */
  closedAtColumn?: string;
  /**
   * A leads column holding each lead's own asOf (a date: ISO text or epoch
   * ms); where it is missing, `asOf` applies.
   */
  asOfColumn?: string;
  /** leads columns copied to the output as text, after the reached columns */
  extraColumns?: string[];
  /**
   * With `closedAtColumn`: count a stage only when it was reached strictly
   * before closed_at (default true; the lowest stage always counts). Snapshot
   * backtests set it to false: their one evaluation point is closed_at itself.
   */
  reachedBeforeClose?: boolean;
  /**
   * Output codes instead of labels (for engines that read the rows back into
   * typed arrays): each band as its label's index in the band, `stage` as its
   * index in `ir.stages` (furthest first), `route` as the index of the route
   * entry in `ir.routes` (NULL for none); reached times as DOUBLE PRECISION.
   */
  codes?: boolean;
  /**
   * Add `did_0`, `did_1`, ...: per lead, a bitmask of the declared
   * activities (bit i % 31 of `did_<floor(i / 31)>` for activity i) with at least one
   * replayed event (at or before asOf; strictly before closed_at when known);
   * INTEGER.
   */
  presence?: boolean;
  /** order the rows by this leads column (its own type) instead of by id */
  orderColumn?: string;
  /**
   * The leads column holding attribute `name` when read as `type` (default:
   * the column named `name`). Lets an engine give each reading its own,
   * already canonical column.
   */
  columnFor?: (name: string, type: IRType) => string;
  /**
   * The events table's `at` and the `closedAtColumn` already hold epoch
   * milliseconds as integers (an engine that read and checked the times
   * itself): they are used as they are, not parsed from text.
   */
  timesAreEpochMs?: boolean;
  /**
   * Match events to leads on the id column's own type (no cast to text):
   * for an engine that gives each event its lead's integer key.
   */
  nativeIds?: boolean;
}

export interface SqlColumn {
  /** the output column's name */
  name: string;
  kind: 'id' | 'score' | 'band' | 'stage' | 'route' | 'reached' | 'extra' | 'did';
  /** the score, band, stage or extra column it reports (for id/stage/route: the same as name) */
  key: string;
}

export interface SqlExport {
  /** the query, or '' when there are errors */
  sql: string;
  columns: SqlColumn[];
  diagnostics: Diagnostic[];
  /**
   * The same query in parts: its CTEs in order (name and SELECT), the final
   * SELECT, and the SETTINGS clause ('' outside ClickHouse). An engine may
   * store a CTE read more than once as a table of that name and run the rest.
   */
  parts?: { ctes: { name: string; body: string }[]; select: string; settings: string };
}

/** Thrown by `emitSql` when the ruleset cannot be exported for the dialect. */
export class SqlExportError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column}: ${d.code}: ${d.message}`).join('\n'));
    this.name = 'SqlExportError';
  }
}

/** The query text; throws SqlExportError listing every problem when it cannot be exported. */
export function emitSql(ir: IR, opts: EmitSqlOptions): string {
  const r = exportSql(ir, opts);
  if (r.diagnostics.some((d) => d.severity === 'error')) throw new SqlExportError(r.diagnostics);
  return r.sql;
}

const DAY_MS = 86_400_000;
/** Segment length for decayed sums, in half-lives. */
const SEGMENT_HALF_LIVES = 256;
/** PostgreSQL's identifier limit, in bytes. */
const PG_MAX_IDENT = 63;
/** Byte lengths are counted in UTF-8 with the platform encoder (the browser has no Buffer). */
const UTF8 = new TextEncoder();

function rangeOf(src: IRSrc): Range {
  const len = Math.max(1, src.text.includes('\n') ? 1 : src.text.length);
  return {
    start: { offset: 0, line: src.line, column: src.col },
    end: { offset: 0, line: src.line, column: src.col + len },
  };
}

/** A name made safe and short for internal column and CTE names (always quoted anyway). */
function slug(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]+/g, '_').slice(0, 24);
  return s === '' ? 'x' : s;
}

interface Feature {
  col: string;
  /** the value at every evaluation point: a window function over the lead's timeline */
  sql: string;
  /** the value at asOf: an aggregate over the lead's replayed events (`events_in`) */
  agg: string;
  /** value when the lead has no replayed event at all */
  empty: string;
  comment: string;
  /** decayed sums: the half-life's index */
  h?: number;
}

type Ctx = 'point' | 'stage' | 'final';

/** Builds the query; one instance per export. */
class Emitter {
  readonly d: SqlDialect;
  readonly diagnostics: Diagnostic[] = [];
  /** (attribute, type) reads needed on the lead row: key -> column */
  private attrReads = new Map<string, { col: string; name: string; type: IRType }>();
  private features = new Map<string, Feature>();
  private scoreCols = new Map<string, string>();
  private bandCols = new Map<string, string>();
  /** lowest-first stage names */
  private low: string[];
  /** stage condition being compiled: its lowest-first index */
  private stageIndex = 0;
  /** window columns the current stage needs: j -> column */
  private stageWindows = new Map<number, string>();
  /** half-lives (ms) of decayed blocks, by index */
  private halfLives: number[] = [];
  /** per stage above the lowest (lowest-first index - 1): its time-independent conjuncts, as SQL */
  private guards: string[] = [];
  /** feature columns needed at every evaluation point */
  private pointFeatures = new Set<string>();

  constructor(
    readonly ir: IR,
    readonly opts: EmitSqlOptions,
  ) {
    this.d = opts.dialect;
    this.low = ir.stages.map((s) => s.name).reverse();
  }

  error(code: Parameters<typeof diag>[0], src: IRSrc, args: Record<string, string | number> = {}): void {
    this.diagnostics.push(diag(code, rangeOf(src), args));
  }

  // --- lead attributes ----------------------------------------------------------

  attr(name: string, type: IRType): string {
    const key = type + '\u0000' + name;
    let r = this.attrReads.get(key);
    if (!r) {
      r = { col: `a${this.attrReads.size}_${type}_${slug(name)}`, name, type };
      this.attrReads.set(key, r);
    }
    return ident(r.col);
  }

  // --- event features -----------------------------------------------------------

  private activityIndex(activity: string, src: IRSrc): number {
    const i = this.ir.activities.indexOf(activity);
    if (i < 0) this.error('LQL705', src, { what: `the undeclared activity "${activity}"` });
    return i;
  }

  private feature(key: string, make: () => Omit<Feature, 'col'> & { col: string }): string {
    let f = this.features.get(key);
    if (!f) {
      f = make();
      this.features.set(key, f);
    }
    return ident(f.col);
  }

  private typeMatch(ai: number): string {
    return `"kind" = 1 AND "k" = ${ai}`;
  }

  /** A window longer than a ClickHouse RANGE frame offset can be (2^31 - 1 ms). */
  private longFrame(windowMs: number): boolean {
    return this.d === 'clickhouse' && windowMs - 1 > 2147483647;
  }

  /** events of the activity at or before the point (within the window if any) */
  count(activity: string, windowMs: number | null, src: IRSrc): string {
    const ai = this.activityIndex(activity, src);
    if (windowMs === null) {
      return this.feature(`n${ai}`, () => ({
        col: `n${ai}_${slug(activity)}`,
        sql: `sum(CASE WHEN ${this.typeMatch(ai)} THEN 1 ELSE 0 END) OVER "upto"`,
        agg: `sum(CASE WHEN "k" = ${ai} THEN 1 ELSE 0 END)`,
        empty: bigint(0),
        comment: `count(${activity})`,
      }));
    }
    if (windowMs <= 0) return 'CAST(0 AS BIGINT)';
    return this.feature(`w${ai}_${windowMs}`, () => ({
      col: `w${ai}_${windowMs}_${slug(activity)}`,
      sql: this.longFrame(windowMs)
        ? // ClickHouse frames take offsets below 2^31 ms (~24.8 days): count the lead's event times in (t - W, t] instead
          `arrayCount(x -> x > "t" - ${bigint(windowMs)} AND x <= "t", groupArray(CASE WHEN ${this.typeMatch(ai)} THEN "t" END) OVER (PARTITION BY "lk"))`
        : `sum(CASE WHEN ${this.typeMatch(ai)} THEN 1 ELSE 0 END) OVER (PARTITION BY "lk" ORDER BY "t" ` +
          `RANGE BETWEEN ${bigint(windowMs - 1)} PRECEDING AND CURRENT ROW)`,
      agg: `sum(CASE WHEN "k" = ${ai} AND "t" > "as_of" - ${bigint(windowMs)} THEN 1 ELSE 0 END)`,
      empty: bigint(0),
      comment: `count(${activity} in last ${windowMs} ms)`,
    }));
  }

  /** time of the latest event of the activity at or before the point, or NULL */
  last(activity: string, src: IRSrc): string {
    const ai = this.activityIndex(activity, src);
    return this.feature(`l${ai}`, () => ({
      col: `l${ai}_${slug(activity)}`,
      sql: `max(CASE WHEN ${this.typeMatch(ai)} THEN "t" END) OVER "upto"`,
      agg: `max(CASE WHEN "k" = ${ai} THEN "t" END)`,
      empty: 'CAST(NULL AS BIGINT)',
      comment: `latest ${activity}`,
    }));
  }

  private halfLifeIndex(hl: number): number {
    let h = this.halfLives.indexOf(hl);
    if (h < 0) {
      h = this.halfLives.length;
      this.halfLives.push(hl);
    }
    return h;
  }

  /** sum over the activity's events in the window of 2^(-(t - te)/hl) */
  decayedSum(activity: string, windowMs: number | null, hl: number, src: IRSrc): string {
    const ai = this.activityIndex(activity, src);
    const h = this.halfLifeIndex(hl);
    const seg = SEGMENT_HALF_LIVES * hl;
    const p = ident(`p${h}`);
    const base = `(${p} - 1) * ${bigint(seg)}`;
    if (windowMs !== null && windowMs <= 0) return 'CAST(0 AS DOUBLE PRECISION)';
    // events strictly before the point, against the segment's reference, then
    // scaled to the point; the point's own events weigh exactly 1
    const before =
      windowMs === null
        ? 'RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING'
        : windowMs <= 1 ? null : `RANGE BETWEEN ${bigint(windowMs - 1)} PRECEDING AND 1 PRECEDING`;
    return this.feature(`d${ai}_${windowMs ?? 'all'}_${h}`, () => ({
      col: `d${ai}_${windowMs ?? 'all'}_${h}_${slug(activity)}`,
      sql:
        (before === null ? '' :
          (windowMs !== null && this.longFrame(windowMs)
            ? // ClickHouse: the partition's event times in (t - W, t), as in `count`
              `COALESCE(arraySum(x -> assumeNotNull(CASE WHEN x > "t" - ${bigint(windowMs)} AND x < "t" ` +
              `THEN power(CAST(2 AS DOUBLE PRECISION), ${dbl(`x - ${base}`)} / ${num(hl)}) ELSE 0 END), ` +
              `groupArray(CASE WHEN "kind" IN (1, ${2 + h}) AND "k" = ${ai} THEN "t" END) OVER (PARTITION BY "lk", ${p})), 0)\n`
            : `COALESCE(sum(CASE WHEN "kind" IN (1, ${2 + h}) AND "k" = ${ai} ` +
              `THEN power(CAST(2 AS DOUBLE PRECISION), ${dbl(`"t" - ${base}`)} / ${num(hl)}) END) ` +
              `OVER (PARTITION BY "lk", ${p} ORDER BY "t" ${before}), 0)\n`) +
          `      * power(CAST(2 AS DOUBLE PRECISION), - (${dbl(`"t" - ${base}`)} / ${num(hl)}))\n      + `) +
        `count(CASE WHEN "kind" = 1 AND "k" = ${ai} THEN 1 END) OVER (PARTITION BY "lk", ${p} ORDER BY "t" RANGE BETWEEN CURRENT ROW AND CURRENT ROW)`,
      // at asOf each event weighs exactly 2 ^ (-(asOf - t) / half-life), 1 for an event at asOf
      agg:
        `COALESCE(sum(CASE WHEN "k" = ${ai}${windowMs === null ? '' : ` AND "t" > "as_of" - ${bigint(windowMs)}`} ` +
        `THEN ${halfPow(`${dbl(`"as_of" - "t"`)} / ${num(hl)}`)} END), ${num(0)})`,
      empty: num(0),
      h,
      comment: `decayed ${activity}${windowMs === null ? '' : ` in last ${windowMs} ms`}, half-life ${hl} ms`,
    }));
  }

  // --- values -------------------------------------------------------------------

  /** A value as SQL of its natural type (NULL = missing). */
  value(v: IRValue, ctx: Ctx): { sql: string; type: IRType } {
    switch (v.k) {
      case 'attr':
        return { sql: this.attr(v.name, v.type), type: v.type };
      case 'score': {
        const c = this.scoreCols.get(v.name);
        if (c === undefined) {
          this.error('LQL705', v.src, { what: `the score "${v.name}" before it is computed` });
          return { sql: 'NULL', type: 'number' };
        }
        return { sql: ident(c), type: 'number' };
      }
      case 'band': {
        const c = this.bandCols.get(v.name);
        if (c === undefined) {
          this.error('LQL705', v.src, { what: `the band "${v.name}" before it is computed` });
          return { sql: 'NULL', type: 'text' };
        }
        return { sql: ident(c), type: 'text' };
      }
      case 'num':
        return { sql: num(v.value), type: 'number' };
      case 'str':
        this.checkText(v.value, v.src);
        return { sql: str(v.value), type: 'text' };
      case 'date':
        return { sql: num(v.value), type: 'date' };
      case 'bool':
        return { sql: v.value ? 'TRUE' : 'FALSE', type: 'bool' };
      case 'lower': {
        const a = this.convert(this.value(v.arg, ctx), 'text');
        return { sql: `${this.d === 'clickhouse' ? 'lowerUTF8' : 'lower'}(${a})`, type: 'text' };
      }
      case 'domain': {
        const a = this.convert(this.value(v.arg, ctx), 'text');
        if (this.d === 'clickhouse') {
          // the text after the last '@', lower-cased (character functions: UTF-8 aware)
          const chDom = `lowerUTF8(substringUTF8(${a}, lengthUTF8(${a}) - positionUTF8(reverseUTF8(${a}), '@') + 2))`;
          return { sql: `(CASE WHEN positionUTF8(${a}, '@') > 0 THEN NULLIF(${chDom}, '') END)`, type: 'text' };
        }
        const dom = `lower(substr(${a}, length(${a}) - strpos(reverse(${a}), '@') + 2))`;
        return { sql: `(CASE WHEN strpos(${a}, '@') > 0 THEN NULLIF(${dom}, '') END)`, type: 'text' };
      }
      case 'count':
        return { sql: dbl(this.count(v.activity, v.windowMs, v.src)), type: 'number' };
      case 'daysSince':
        return { sql: `(${dbl(`"t"`)} - ${this.attr(v.attr, 'date')}) / ${num(DAY_MS)}`, type: 'number' };
      case 'daysSinceLast':
        return { sql: `${dbl(`"t" - ${this.last(v.activity, v.src)}`)} / ${num(DAY_MS)}`, type: 'number' };
      case 'stage':
        if (ctx !== 'final') {
          this.error('LQL705', v.src, { what: '`stage` outside routes' });
          return { sql: 'NULL', type: 'text' };
        }
        return { sql: ident('stage'), type: 'text' };
      case 'route':
        this.error('LQL705', v.src, { what: '`route` (only test blocks can read it)' });
        return { sql: 'NULL', type: 'text' };
    }
  }

  /** Convert a typed value to another type, as readAs(value, type) does. */
  convert(v: { sql: string; type: IRType }, to: IRType): string {
    if (v.type === to) return v.sql;
    const x = v.sql;
    switch (to) {
      case 'text':
        if (v.type === 'number' || v.type === 'date') return numberToText(x);
        return `(CASE WHEN ${x} THEN 'true' WHEN NOT ${x} THEN 'false' END)`;
      case 'number':
        if (v.type === 'date') return x;
        if (v.type === 'text') return readNumber(this.d, x);
        return 'CAST(NULL AS DOUBLE PRECISION)';
      case 'date':
        if (v.type === 'number') return x;
        if (v.type === 'text') return dbl(readDate(this.d, x));
        return 'CAST(NULL AS DOUBLE PRECISION)';
      case 'bool':
        if (v.type === 'text') return readBool(this.d, x);
        if (v.type === 'number' || v.type === 'date')
          return `(CASE WHEN ${x} = 1 THEN TRUE WHEN ${x} = 0 THEN FALSE END)`;
        return 'CAST(NULL AS BOOLEAN)';
    }
  }

  /** A literal converted at compile time, as SQL of the type, or null when it reads as missing. */
  literal(raw: string | number | boolean, type: IRType, src: IRSrc): string | null {
    const v = readAs(raw, type);
    if (v === null) return null;
    if (typeof v === 'string') {
      this.checkText(v, src);
      return str(v);
    }
    if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
    return num(v);
  }

  checkText(s: string, src: IRSrc): void {
    if (this.d === 'postgres' && s.includes('\u0000')) this.error('LQL704', src, { what: 'This text', engine: 'PostgreSQL' });
  }

  // --- conditions ---------------------------------------------------------------

  /** A condition as a SQL boolean that is never NULL. */
  cond(c: IRCond, ctx: Ctx): string {
    const leaf = (sql: string) => `COALESCE(${sql}, FALSE)`;
    switch (c.k) {
      case 'and':
        return c.args.length === 0 ? 'TRUE' : '(' + c.args.map((a) => this.cond(a, ctx)).join(' AND ') + ')';
      case 'or':
        return c.args.length === 0 ? 'FALSE' : '(' + c.args.map((a) => this.cond(a, ctx)).join(' OR ') + ')';
      case 'not':
        return `(NOT ${this.cond(c.arg, ctx)})`;
      case 'const':
        return c.value ? 'TRUE' : 'FALSE';
      case 'cmp': {
        const l = this.operand(c.left, c.type, ctx);
        const r = this.operand(c.right, c.type, ctx);
        if (l === null || r === null) return 'FALSE';
        const ordered = c.type === 'number' || c.type === 'date';
        if (!ordered && c.op !== '==' && c.op !== '!=') return 'FALSE';
        const op = c.op === '==' ? '=' : c.op === '!=' ? '<>' : c.op;
        return leaf(`${l} ${op} ${r}`);
      }
      case 'in': {
        const x = this.operand(c.value, c.type, ctx);
        if (x === null) return 'FALSE';
        const items = c.items.map((i) => this.literal(i, c.type, c.src)).filter((i): i is string => i !== null);
        if (items.length === 0) return 'FALSE';
        return leaf(`${x} IN (${[...new Set(items)].join(', ')})`);
      }
      case 'between': {
        const ordered = c.type === 'number' || c.type === 'date';
        const x = this.operand(c.value, c.type, ctx);
        const lo = this.operand(c.low, c.type, ctx);
        const hi = this.operand(c.high, c.type, ctx);
        if (x === null || lo === null || hi === null) return 'FALSE';
        if (!ordered) return 'FALSE';
        return leaf(`(${x} >= ${lo} AND ${x} <= ${hi})`);
      }
      case 'text': {
        const s = this.convert(this.value(c.value, ctx), 'text');
        const a = c.arg.k === 'str' ? this.value(c.arg, ctx).sql : this.convert(this.value(c.arg, ctx), 'text');
        if (this.d === 'clickhouse') {
          if (c.op === 'contains') return leaf(`position(${s}, ${a}) > 0`);
          return leaf(c.op === 'starts_with' ? `startsWith(${s}, ${a})` : `endsWith(${s}, ${a})`);
        }
        if (c.op === 'contains') return leaf(`strpos(${s}, ${a}) > 0`);
        if (c.op === 'starts_with') return leaf(`substr(${s}, 1, length(${a})) = ${a}`);
        return leaf(`(length(${s}) >= length(${a}) AND substr(${s}, length(${s}) - length(${a}) + 1) = ${a})`);
      }
      case 'matches':
        return leaf(this.matches(c));
      case 'present':
        return `(${this.value(c.value, ctx).sql} IS NOT NULL)`;
      case 'has':
        return `(${this.last(c.activity, c.src)} IS NOT NULL)`;
      case 'reached':
        return this.reachedRef(c.stage, c.src, ctx);
      case 'truthy':
        return leaf(this.convert(this.value(c.value, ctx), 'bool'));
    }
  }

  /** An operand of a comparison, converted to the comparison type; null when it is a missing literal. */
  private operand(v: IRValue, type: IRType, ctx: Ctx): string | null {
    if (v.k === 'num' || v.k === 'str' || v.k === 'bool') return this.literal(v.value, type, v.src);
    if (v.k === 'date') return this.literal(v.value, type === 'date' ? 'number' : type, v.src);
    if (v.k === 'attr' && v.type !== type) {
      // read as the attribute's own type, then convert, as the interpreter does
      return this.convert({ sql: this.attr(v.name, v.type), type: v.type }, type);
    }
    return this.convert(this.value(v, ctx), type);
  }

  private matches(c: Extract<IRCond, { k: 'matches' }>): string {
    const s = this.convert(this.value(c.value, 'point'), 'text');
    const ci = c.flags.includes('i');
    this.checkText(c.pattern, c.src);
    if (this.d === 'clickhouse') return `match(${s}, ${str((ci ? '(?i)' : '') + c.pattern)})`;
    if (this.d === 'duckdb') {
      return ci ? `regexp_matches(${s}, ${str(c.pattern)}, 'i')` : `regexp_matches(${s}, ${str(c.pattern)})`;
    }
    // /i is folded into the pattern (RE2's case folding, not the database locale's)
    const r = toPostgresRegex(c.pattern, ci);
    if (r.error !== undefined) {
      this.error('LQL701', c.src, { pattern: c.pattern, construct: r.error });
      return 'FALSE';
    }
    return `${s} ~ ${str(r.pattern)}`;
  }

  private reachedRef(stage: string, src: IRSrc, ctx: Ctx): string {
    const j = this.low.indexOf(stage);
    if (j < 0) {
      this.error('LQL705', src, { what: `the unknown stage "${stage}"` });
      return 'FALSE';
    }
    if (ctx === 'final') return `(${ident(this.reachedCol(j))} IS NOT NULL)`;
    if (ctx === 'point') {
      this.error('LQL705', src, { what: `the stage "${stage}" in a score or band` });
      return 'FALSE';
    }
    const i = this.stageIndex;
    if (j === 0) return 'TRUE';
    if (j >= i) return 'FALSE'; // while stage i is unreached, no stage at or above it has been reached
    let col = this.stageWindows.get(j);
    if (col === undefined) {
      col = `c${j}_${i}`;
      this.stageWindows.set(j, col);
    }
    return `(${ident(col)} = 1)`;
  }

  reachedCol(j: number): string {
    return `r${j}_${slug(this.low[j]!)}`;
  }

  // --- scores and bands -----------------------------------------------------------

  private clamp(x: string, max: number | null): string {
    if (max === null) return x;
    const m = Math.abs(max);
    return `LEAST(GREATEST(${x}, ${num(-m)}), ${num(m)})`;
  }

  private rule(r: IRRule, block: IRBlockScore): string {
    const n = num(r.points);
    const hl = block.halfLifeMs;
    switch (r.k) {
      case 'when':
        return `CASE WHEN ${this.cond(r.cond, 'point')} THEN ${n} ELSE ${num(0)} END`;
      case 'perActivity': {
        const x = hl === null ? dbl(this.count(r.activity, r.windowMs, r.src)) : this.decayedSum(r.activity, r.windowMs, hl, r.src);
        return this.clamp(timesPoints(this.d, r.points, x), r.max);
      }
      case 'once': {
        // the latest event at or before the point is in the window iff the window has one
        const l = this.last(r.activity, r.src);
        const has = r.windowMs === null ? `${l} IS NOT NULL` : r.windowMs <= 0 ? 'FALSE' : `${l} > "t" - ${bigint(r.windowMs)}`;
        const w = hl === null ? n : timesPoints(this.d, r.points, halfPow(`${dbl(`"t" - ${this.last(r.activity, r.src)}`)} / ${num(hl)}`));
        return this.clamp(`(CASE WHEN ${has} THEN ${w} ELSE ${num(0)} END)`, r.max);
      }
      case 'perAttribute':
        return this.clamp(`(${timesPoints(this.d, r.points, `COALESCE(${this.attr(r.attr, 'number')}, ${num(0)})`)})`, r.max);
    }
  }

  blockScore(b: IRBlockScore): string {
    if (b.rules.length === 0) return num(0);
    // left to right, as the JS scorer adds them
    const terms = b.rules.map(
      (r, i) => `    -- line ${r.src.line}: ${commentText(r.src.text)}\n    ${i === 0 ? '  ' : '+ '}(${this.rule(r, b)})`,
    );
    return `(\n${terms.join('\n')}\n    )`;
  }

  arith(a: IRArith): string {
    switch (a.k) {
      case 'num':
        return num(a.value);
      case 'score': {
        const c = this.scoreCols.get(a.name);
        if (c === undefined) {
          this.error('LQL705', a.src, { what: `the score "${a.name}" before it is computed` });
          return num(0);
        }
        return ident(c);
      }
      case 'attr':
        return `COALESCE(${this.attr(a.name, 'number')}, ${num(0)})`;
      case 'neg':
        return `(- ${this.arith(a.arg)})`;
      case 'add':
        return `(${this.arith(a.left)} + ${this.arith(a.right)})`;
      case 'sub':
        return `(${this.arith(a.left)} - ${this.arith(a.right)})`;
      case 'mul':
        return times(this.d, this.arith(a.left), this.arith(a.right));
    }
  }

  band(b: IRBand): string {
    const src = b.source.k === 'score' ? this.scoreCols.get(b.source.name) : undefined;
    let v: string;
    if (b.source.k === 'score') {
      if (src === undefined) {
        this.error('LQL705', b.src, { what: `the score "${b.source.name}" before it is computed` });
        v = 'NULL';
      } else v = ident(src);
    } else v = this.attr(b.source.name, 'number');
    if (b.labels.length === 0) return "''";
    if (b.labels[0]!.min === null) return str(b.labels[0]!.label);
    const parts = b.labels.map((l) => {
      this.checkText(l.label, b.src);
      return l.min === null ? `ELSE ${str(l.label)}` : `WHEN ${v} >= ${num(l.min)} THEN ${str(l.label)}`;
    });
    if (b.labels[b.labels.length - 1]!.min !== null) parts.push(`ELSE ${str(b.labels[b.labels.length - 1]!.label)}`);
    return `CASE ${parts.join(' ')} END`;
  }

  /** `SELECT *, <score or band> FROM from`; a score is rounded to 9 decimals ("Numbers, exactly") */
  private valueSelect(sc: { col: string; sql: string; isScore: boolean }, from: string): string {
    if (!sc.isScore) return `  SELECT *,\n    ${sc.sql} AS ${ident(sc.col)}\n  FROM ${from}`;
    const u = ident(`u_${sc.col}`);
    // OFFSET 0 keeps the planner from copying the score's expression into each use of it in the rounding
    return `  SELECT *,\n    ${round9(u)} AS ${ident(sc.col)}\n  FROM (SELECT *,\n    ${sc.sql} AS ${u}\n  FROM ${from} OFFSET 0) AS "unrounded"`;
  }

  // --- the query ------------------------------------------------------------------

  build(): { sql: string; columns: SqlColumn[]; parts: NonNullable<SqlExport['parts']> } {
    const d = this.d;
    const ir = this.ir;
    const o = this.opts;
    const leadsT = tableName(o.leadsTable ?? 'leads');
    const eventsT = o.eventsTable === null ? null : tableName(o.eventsTable ?? 'events');
    const idCol = ident(o.idColumn ?? 'id');
    const closed = o.closedAtColumn;

    // Output names: check collisions and PostgreSQL's length limit.
    const columns: SqlColumn[] = [{ name: 'id', kind: 'id', key: 'id' }];
    for (const s of ir.scores) columns.push({ name: s.name, kind: 'score', key: s.name });
    for (const b of ir.bands) columns.push({ name: b.name, kind: 'band', key: b.name });
    columns.push({ name: 'stage', kind: 'stage', key: 'stage' }, { name: 'route', kind: 'route', key: 'route' });
    for (const s of ir.stages) columns.push({ name: `reached_${s.name}`, kind: 'reached', key: s.name });
    for (const x of o.extraColumns ?? []) columns.push({ name: x, kind: 'extra', key: x });
    const didCols = o.presence && eventsT ? Math.ceil(ir.activities.length / 31) : 0;
    for (let i = 0; i < didCols; i++) columns.push({ name: `did_${i}`, kind: 'did', key: String(i) });
    const seen = new Map<string, SqlColumn>();
    const origin = (c: SqlColumn): IRSrc => {
      const s =
        c.kind === 'score'
          ? ir.scores.find((x) => x.name === c.key)?.src
          : c.kind === 'band'
            ? ir.bands.find((x) => x.name === c.key)?.src
            : c.kind === 'reached'
              ? ir.stages.find((x) => x.name === c.key)?.src
              : undefined;
      return s ?? { line: 1, col: 1, text: '' };
    };
    for (const c of columns) {
      // DuckDB matches names case-insensitively, so compare lower-cased
      const k = c.name.toLowerCase();
      const prev = seen.get(k);
      if (prev) this.error('LQL702', origin(c), { name: c.name, other: prev.name });
      else seen.set(k, c);
      if (d === 'postgres' && UTF8.encode(c.name).length > PG_MAX_IDENT)
        this.error('LQL703', origin(c), { name: c.name });
      // neither engine can quote a name holding U+0000
      if (c.name.includes('\u0000')) this.error('LQL704', origin(c), { what: `The column name "${c.name.replace(/\u0000/g, '\\u{0}')}"`, engine: d === 'postgres' ? 'PostgreSQL' : 'DuckDB' });
    }

    // Compile everything that reads per-point values first, collecting features and attribute reads.
    const analysis = analyseIR(ir);
    const timeDep = analysis.timeDependent;
    const scoreCtes: { name: string; comment: string; col: string; sql: string; timeDep: boolean; isScore: boolean }[] = [];
    for (const entry of ir.order) {
      if (entry.kind === 'score') {
        const s = ir.scores.find((x) => x.name === entry.name);
        if (!s) continue;
        const col = `s${this.scoreCols.size}_${slug(s.name)}`;
        const sql = s.kind === 'block' ? this.blockScore(s) : this.arith(s.expr);
        this.scoreCols.set(s.name, col);
        const label = s.kind === 'block' ? (s.block === 'score' ? `score ${s.name}` : s.block) : `score ${s.name}, derived`;
        scoreCtes.push({
          name: `score_${slug(s.name)}`,
          comment: `${label} (line ${s.src.line})${s.kind === 'block' && s.halfLifeMs !== null ? `, decay half-life ${s.halfLifeMs} ms` : ''}`,
          col,
          sql,
          timeDep: timeDep.has(`score:${s.name}`),
          isScore: true,
        });
      } else {
        const b = ir.bands.find((x) => x.name === entry.name);
        if (!b) continue;
        const col = `b${this.bandCols.size}_${slug(b.name)}`;
        const sql = this.band(b);
        this.bandCols.set(b.name, col);
        scoreCtes.push({ name: `band_${slug(b.name)}`, comment: `band ${b.name} (line ${b.src.line})`, col, sql, timeDep: timeDep.has(`band:${b.name}`), isScore: false });
      }
    }
    // scores or bands not in `order` (should not happen) are computed last, in declaration order
    for (const s of ir.scores) if (!this.scoreCols.has(s.name)) this.error('LQL705', s.src, { what: `the score "${s.name}" (not in the evaluation order)` });
    for (const b of ir.bands) if (!this.bandCols.has(b.name)) this.error('LQL705', b.src, { what: `the band "${b.name}" (not in the evaluation order)` });

    const stageCtes: { name: string; comment: string; windows: { col: string; sql: string }[]; col: string; sql: string }[] = [];
    for (let i = 1; i < this.low.length; i++) {
      const st = ir.stages[ir.stages.length - 1 - i]!;
      this.stageIndex = i;
      this.stageWindows = new Map();
      const sql = st.cond === null ? 'TRUE' : this.cond(st.cond, 'stage');
      const windows = [...this.stageWindows.entries()].map(([j, col]) => {
        const gs = [];
        for (let x = j; x < i; x++) gs.push(ident(`g${x}`));
        return {
          col,
          sql: `max(CASE WHEN ${gs.join(' OR ')} THEN 1 ELSE 0 END) OVER (PARTITION BY "lk" ORDER BY "t" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`,
        };
      });
      stageCtes.push({
        name: `stage_${slug(st.name)}`,
        comment: `stage ${st.name} (line ${st.src.line}): ${commentText(st.src.text)}`,
        windows,
        col: `g${i}`,
        sql,
      });
    }

    // Guards: the conjuncts of each stage condition that do not change with time
    // (e.g. `fit >= 30`); a lead for which no guard holds reaches no stage above
    // the lowest, and is not replayed point by point.
    this.guards = [];
    for (let i = 1; i < this.low.length; i++) {
      const st = ir.stages[ir.stages.length - 1 - i]!;
      const conj = st.cond === null ? [] : st.cond.k === 'and' ? st.cond.args : [st.cond];
      const stat = conj.filter((x) => analysis.isStatic(x));
      this.stageIndex = i;
      this.stageWindows = new Map();
      this.guards.push(stat.length ? stat.map((x) => this.cond(x, 'stage')).join(' AND ') : 'TRUE');
    }
    // features read by scores and stages at every point (route-only features are read at asOf only)
    this.pointFeatures = new Set([...this.features.values()].map((f) => f.col));

    const routeParts: string[] = [];
    let routeHasOtherwise = false;
    for (const r of ir.routes) {
      this.checkText(r.action, r.src);
      const label = o.codes ? String(ir.routes.indexOf(r)) : str(r.action);
      if (r.cond === null) {
        routeParts.push(`      -- line ${r.src.line}: ${commentText(r.src.text)}\n      ELSE ${label}`);
        routeHasOtherwise = true;
        break;
      }
      routeParts.push(`      -- line ${r.src.line}: ${commentText(r.src.text)}\n      WHEN ${this.cond(r.cond, 'final')} THEN ${label}`);
    }
    const first = ir.routes[0];
    const noRoute = o.codes ? 'CAST(NULL AS INTEGER)' : 'CAST(NULL AS VARCHAR)';
    const routeSql =
      routeParts.length === 0
        ? noRoute
        : first && first.cond === null
          ? `${o.codes ? '0' : str(first.action)} -- line ${first.src.line}: ${commentText(first.src.text)}\n   `
          : `CASE\n${routeParts.join('\n')}${routeHasOtherwise ? '' : `\n      ELSE ${noRoute}`}\n    END`;

    // --- assemble ----------------------------------------------------------------
    const ctes: string[] = [];
    const parts: { name: string; body: string }[] = [];
    const cte = (name: string, comment: string, body: string) => {
      ctes.push(`-- ${commentText(comment)}\n${ident(name)} AS (\n${body}\n)`);
      parts.push({ name, body });
    };

    const acts = ir.activities;
    const kExpr =
      acts.length === 0
        ? 'CAST(NULL AS INTEGER)'
        : `CASE CAST("type" AS VARCHAR) ${acts.map((a, i) => `WHEN ${str(a)} THEN ${i}`).join(' ')} END`;
    for (const a of acts) this.checkText(a, { line: 1, col: 1, text: a });
    const evSrc = eventsT && o.timesAreEpochMs
      ? `  SELECT ${o.nativeIds ? '"lead_id"' : 'CAST("lead_id" AS VARCHAR) AS "lead_id"'}, ${kExpr} AS "k", CAST("at" AS BIGINT) AS "t"\n  FROM ${eventsT}\n` +
        `  WHERE CAST("type" AS VARCHAR) IN (${acts.map(str).join(', ') || 'NULL'}) AND "at" IS NOT NULL`
      : eventsT
      ? `  SELECT "lead_id", "k", "t" FROM (\n  ` +
        dateLayers(
          d,
          `(SELECT CAST("lead_id" AS VARCHAR) AS "lead_id", ${kExpr} AS "k", CAST("at" AS VARCHAR) AS "at"\n      FROM ${eventsT}\n      WHERE CAST("type" AS VARCHAR) IN (${acts.map(str).join(', ') || 'NULL'})) AS "q0"`,
          ['lead_id', 'k'],
          [{ src: 'at', out: 't' }],
          '  ',
        ) +
        `\n  ) AS "e"\n  WHERE "t" IS NOT NULL`
      : `  SELECT ${o.nativeIds ? 'CAST(NULL AS BIGINT)' : 'CAST(NULL AS VARCHAR)'} AS "lead_id", CAST(NULL AS INTEGER) AS "k", CAST(NULL AS BIGINT) AS "t"\n  WHERE FALSE`;
    cte(
      'events_read',
      eventsT
        ? `events of declared activities: lead id, activity code (${acts.map((a, i) => `${i}=${a}`).join(', ') || 'none'}), time (epoch ms); unreadable times are dropped`
        : 'no events (snapshot data)',
      evSrc,
    );

    let asOfExpr: string;
    let leadFrom = `${leadsT}`;
    if (typeof o.asOf === 'number') {
      if (!Number.isSafeInteger(o.asOf)) throw new RangeError('asOf must be an integer number of epoch milliseconds');
      asOfExpr = bigint(o.asOf);
    } else if (o.asOf === 'per-lead') {
      cte('latest_event', "each lead's latest event time: its default asOf", `  SELECT "lead_id", max("t") AS "t" FROM "events_read" GROUP BY "lead_id"`);
      leadFrom = `${leadsT} LEFT JOIN "latest_event" ON "latest_event"."lead_id" = CAST(${leadsT}.${idCol} AS VARCHAR)`;
      asOfExpr = `COALESCE("latest_event"."t", ${bigint(0)})`;
    } else {
      cte('params', 'asOf: the latest event time in the data (0 without events)', `  SELECT COALESCE(max("t"), ${bigint(0)}) AS "as_of" FROM "events_read"`);
      leadFrom = `${leadsT} CROSS JOIN "params"`;
      asOfExpr = `"params"."as_of"`;
    }

    // leads: every column the ruleset reads, as text under an internal name
    const rawCols = new Map<string, string>();
    const raw = (name: string) => {
      let c = rawCols.get(name);
      if (c === undefined) {
        c = `c${rawCols.size}_${slug(name)}`;
        rawCols.set(name, c);
      }
      return c;
    };
    const dateInputs: { src: string; out: string }[] = [];
    const attrLines: string[] = [];
    for (const r of this.attrReads.values()) {
      const c = ident(raw(o.columnFor ? o.columnFor(r.name, r.type) : r.name));
      let read: string;
      if (r.type === 'date') {
        dateInputs.push({ src: raw(o.columnFor ? o.columnFor(r.name, r.type) : r.name), out: `${r.col}_ms` });
        read = dbl(ident(`${r.col}_ms`));
      } else read = r.type === 'number' ? readNumber(d, c) : r.type === 'text' ? readText(c) : readBool(d, c);
      attrLines.push(`    -- attribute ${commentText(r.name)} as ${r.type}\n    ${read} AS ${ident(r.col)}`);
    }
    const extraLines = (o.extraColumns ?? []).map((x, i) => `    ${ident(raw(x))} AS ${ident(`x${i}`)}`);
    let asOfRead = `"as_of0"`;
    if (o.asOfColumn !== undefined) {
      dateInputs.push({ src: raw(o.asOfColumn), out: 'as_of_col' });
      asOfRead = `COALESCE("as_of_col", "as_of0")`;
    }
    if (closed) {
      if (!o.timesAreEpochMs) dateInputs.push({ src: raw(closed), out: 'closed_ms' });
      asOfRead = `COALESCE("closed_ms", ${asOfRead})`;
    }
    // ClickHouse evaluates a CTE again at each reference, and a join (the latest event, the params) may
    // give its rows in another order each time: an unordered numbering could then differ between the
    // copy the events meet and the copy the scores are read back through, so it numbers in a stated order
    const lkOrder = d === 'clickhouse' ? `ORDER BY ${leadsT}.${o.orderColumn !== undefined ? ident(o.orderColumn) : idCol}` : '';
    const rawSel = [
      `    row_number() OVER (${lkOrder}) AS "lk"`,
      o.nativeIds ? `    ${leadsT}.${idCol} AS "id"` : `    CAST(${leadsT}.${idCol} AS VARCHAR) AS "id"`,
      `    ${asOfExpr} AS "as_of0"`,
      ...(o.orderColumn !== undefined ? [`    ${leadsT}.${ident(o.orderColumn)} AS "ord"`] : []),
      ...(closed && o.timesAreEpochMs ? [`    CAST(${leadsT}.${ident(closed)} AS BIGINT) AS "closed_ms"`] : []),
      ...[...rawCols.entries()].map(([name, c]) => `    CAST(${leadsT}.${ident(name)} AS VARCHAR) AS ${ident(c)}`),
    ];
    cte('leads_raw', 'leads: the columns the ruleset reads, as text', `  SELECT\n${rawSel.join(',\n')}\n  FROM ${leadFrom}`);
    const passCols = ['lk', 'id', 'as_of0', ...(o.orderColumn !== undefined ? ['ord'] : []), ...(closed && o.timesAreEpochMs ? ['closed_ms'] : []), ...rawCols.values()];
    cte(
      'leads_dates',
      dateInputs.length ? 'leads: date columns as epoch ms (ISO 8601 text or epoch ms; anything else is missing)' : 'leads: no date columns',
      `  ${dateLayers(d, '"leads_raw"', passCols, dateInputs, '  ')}`,
    );
    const leadSel = [
      `    "lk"`,
      `    "id"`,
      ...(o.orderColumn !== undefined ? [`    "ord"`] : []),
      ...(closed ? [`    "closed_ms"`] : []),
      `    ${asOfRead} AS "as_of"`,
      ...attrLines,
      ...extraLines,
    ];
    cte(
      'leads_read',
      closed
        ? `leads: attributes read as their LQL types; a lead with ${closed} is evaluated at that time`
        : 'leads: attributes read as their LQL types (unreadable values are missing)',
      `  SELECT\n${leadSel.join(',\n')}\n  FROM "leads_dates"`,
    );

    cte(
      'events_in',
      closed ? 'readable events of known leads at or before asOf, strictly before closed_at' : 'readable events of known leads at or before asOf',
      `  SELECT "leads_read"."lk", "events_read"."t", "events_read"."k", "leads_read"."as_of"\n` +
        `  FROM "events_read" JOIN "leads_read" ON "leads_read"."id" = "events_read"."lead_id"\n` +
        `  WHERE "events_read"."t" <= "leads_read"."as_of"` +
        (closed ? `\n    AND ("leads_read"."closed_ms" IS NULL OR "events_read"."t" < "leads_read"."closed_ms")` : ''),
    );

    // --- values at asOf: one aggregate over each lead's replayed events -----------------
    const feats = [...this.features.values()];
    const pointFeats = feats.filter((f) => this.pointFeatures.has(f.col));
    cte(
      'agg',
      'per lead, at asOf: event counts, latest times and decayed sums (each event weighs 2 ^ (-(asOf - t) / half-life))',
      `  SELECT "lk", min("t") AS "first_t"` +
        feats.map((f) => `,\n    -- ${commentText(f.comment)}\n    ${f.agg} AS ${ident(f.col)}`).join('') +
        `\n  FROM "events_in"\n  GROUP BY "lk"`,
    );
    const leadCols = ['"id"', ...(o.orderColumn !== undefined ? ['"ord"'] : []), '"as_of"', ...(closed ? ['"closed_ms"'] : []), ...[...this.attrReads.values()].map((r) => ident(r.col)), ...(o.extraColumns ?? []).map((_, i) => ident(`x${i}`))];
    cte(
      'final',
      'one row per lead at asOf, with its attributes',
      `  SELECT "leads_read".*, "leads_read"."as_of" AS "t", "agg"."first_t"` +
        feats.map((f) => `,\n    COALESCE("agg".${ident(f.col)}, ${f.empty}) AS ${ident(f.col)}`).join('') +
        `\n  FROM "leads_read" LEFT JOIN "agg" ON "agg"."lk" = "leads_read"."lk"`,
    );
    let fin = 'final';
    for (const sc of scoreCtes) {
      cte(`final_${sc.name}`, `${sc.comment}, at asOf`, this.valueSelect(sc, ident(fin)));
      fin = `final_${sc.name}`;
    }

    // --- stages: evaluated at every evaluation point, only for leads that can reach one ----
    const K = this.low.length;
    const rawReached: string[] = [`COALESCE("first_t", "as_of")`];
    let finalFrom = ident(fin);
    if (K > 1) {
      cte(
        'candidates',
        'leads for which some stage above the lowest can hold: the parts of its condition that do not change with time hold',
        `  SELECT "lk" FROM ${ident(fin)}\n  WHERE ${this.guards.map((g) => `(${g})`).join('\n     OR ')}`,
      );
      // timeline: evaluation points (kind 0 = asOf, kind 1 = events) and copies for decayed sums
      const segOf = (t: string, h: number) => floorDiv(t, SEGMENT_HALF_LIVES * this.halfLives[h]!);
      const pCols = (kind: 'event' | 'asof' | number) =>
        this.halfLives.map((_, h) => {
          if (kind === 'event') return `, ${segOf('"t"', h)} AS ${ident(`p${h}`)}`;
          if (kind === 'asof') return `, ${segOf('"as_of"', h)} AS ${ident(`p${h}`)}`;
          return kind === h ? `, ${segOf('"t"', h)} + 1 AS ${ident(`p${h}`)}` : `, CAST(NULL AS BIGINT) AS ${ident(`p${h}`)}`;
        }).join('');
      const candEvents = `(SELECT "events_in".* FROM "events_in" JOIN "candidates" ON "candidates"."lk" = "events_in"."lk") AS "ce"`;
      const tl = [
        `  SELECT "leads_read"."lk", "as_of" AS "t", CAST(NULL AS INTEGER) AS "k", 0 AS "kind"${pCols('asof')}\n` +
          `  FROM "leads_read" JOIN "candidates" ON "candidates"."lk" = "leads_read"."lk"`,
        `  SELECT "lk", "t", "k", 1 AS "kind"${pCols('event')} FROM ${candEvents}`,
      ];
      this.halfLives.forEach((hl, h) => {
        const decayedActs = new Set<number>();
        for (const sc of ir.scores)
          if (sc.kind === 'block' && sc.halfLifeMs === hl)
            for (const r of sc.rules) if (r.k === 'perActivity') decayedActs.add(acts.indexOf(r.activity));
        if (!pointFeats.some((f) => f.h === h)) return;
        tl.push(
          `  -- events again in the next ${SEGMENT_HALF_LIVES}-half-life segment, for decayed sums that span two segments\n` +
            `  SELECT "lk", "t", "k", ${2 + h} AS "kind"${pCols(h)} FROM ${candEvents}\n` +
            `  WHERE "k" IN (${[...decayedActs].join(', ') || 'NULL'}) AND ${segOf('"t"', h)} < ${segOf('"as_of"', h)}`,
        );
      });
      cte('timeline', 'evaluation points and events of the candidate leads', tl.join('\n  UNION ALL\n'));
      cte(
        'features',
        'event counts, latest times and decayed sums at each evaluation point (window functions over the time order, ' +
          'events at the same time included, so the rows of one time agree and need no de-duplication)',
        `  SELECT "lk", "t", "kind"` +
          pointFeats.map((f) => `,\n    -- ${commentText(f.comment)}\n    ${f.sql} AS ${ident(f.col)}`).join('') +
          `\n  FROM "timeline"\n  WINDOW "upto" AS (PARTITION BY "lk" ORDER BY "t" RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`,
      );
      const staticCols = scoreCtes.filter((sc) => !sc.timeDep).map((sc) => ident(sc.col));
      cte(
        'points',
        'one row per candidate lead and evaluation point, with the lead\'s attributes and the scores that do not change with time',
        `  SELECT "features".*, ${[...leadCols, ...staticCols].map((c) => `${ident(fin)}.${c}`).join(', ')}\n` +
          `  FROM "features" JOIN ${ident(fin)} ON ${ident(fin)}."lk" = "features"."lk"\n` +
          `  WHERE "features"."kind" <= 1`,
      );
      let prev = 'points';
      for (const sc of scoreCtes) {
        if (!sc.timeDep) continue;
        cte(sc.name, sc.comment, this.valueSelect(sc, ident(prev)));
        prev = sc.name;
      }
      for (const sg of stageCtes) {
        const from =
          sg.windows.length === 0
            ? ident(prev)
            : `(\n    SELECT *, ${sg.windows.map((w) => `${w.sql} AS ${ident(w.col)}`).join(',\n      ')}\n    FROM ${ident(prev)}\n  ) AS "w"`;
        cte(sg.name, sg.comment, `  SELECT *,\n    ${sg.sql} AS ${ident(sg.col)}\n  FROM ${from}`);
        prev = sg.name;
      }
      const reachedSel: string[] = [];
      for (let k = 1; k < K; k++) {
        reachedSel.push(
          `    min(CASE WHEN ${Array.from({ length: K - k }, (_, x) => ident(`g${k + x}`)).join(' OR ')} THEN "t" END) AS ${ident(`raw_${this.reachedCol(k)}`)}`,
        );
        rawReached.push(`"reached".${ident(`raw_${this.reachedCol(k)}`)}`);
      }
      cte(
        'reached',
        'the time each stage was first reached (a stage is reached when it or any stage above it holds)',
        `  SELECT "lk",\n${reachedSel.join(',\n')}\n  FROM ${ident(prev)}\n  GROUP BY "lk"`,
      );
      finalFrom = `${ident(fin)} LEFT JOIN "reached" ON "reached"."lk" = ${ident(fin)}."lk"`;
    }
    const rCols: string[] = [];
    for (let k = 0; k < K; k++) {
      const raw = rawReached[k]!;
      rCols.push(
        closed && k > 0 && o.reachedBeforeClose !== false
          ? `    CASE WHEN "closed_ms" IS NULL OR ${raw} < "closed_ms" THEN ${raw} END AS ${ident(this.reachedCol(k))}`
          : `    ${raw} AS ${ident(this.reachedCol(k))}`,
      );
    }
    const stageCase =
      K === 0
        ? "CAST('' AS VARCHAR)"
        : `CASE ${Array.from({ length: K }, (_, x) => K - 1 - x)
            .map((k) => `WHEN ${ident(this.reachedCol(k))} IS NOT NULL THEN ${str(this.low[k]!)}`)
            .join(' ')} ELSE '' END`;
    cte(
      'at_as_of',
      closed ? 'each lead at asOf with its stage times; stages reached at or after closed_at do not count' : 'each lead at asOf with its stage times',
      `  SELECT ${ident(fin)}.*${rCols.length ? ',\n' + rCols.join(',\n') : ''}\n  FROM ${finalFrom}`,
    );
    cte('staged', 'the furthest stage reached', `  SELECT *,\n    ${stageCase} AS "stage"\n  FROM "at_as_of"`);
    cte('routed', 'the route: the first entry whose condition holds at asOf', `  SELECT *,\n    ${routeSql} AS "route"\n  FROM "staged"`);

    if (didCols > 0) {
      const bits = (c: number) =>
        acts
          .map((_, i) => i)
          .filter((i) => Math.floor(i / 31) === c)
          .map((i) => `WHEN ${i} THEN ${bigint(2 ** (i % 31))}`)
          .join(' ');
      cte(
        'presence',
        'per lead, the activities with at least one replayed event (bit i % 31 of did_<floor(i / 31)> for activity i)',
        `  SELECT "lk", ${Array.from({ length: didCols }, (_, c) => `bit_or(CASE "k" ${bits(c)} ELSE ${bigint(0)} END) AS ${ident(`did_${c}`)}`).join(', ')}\n` +
          `  FROM "events_in"\n  GROUP BY "lk"`,
      );
    }
    const fromFinal = didCols > 0 ? `"routed" LEFT JOIN "presence" ON "presence"."lk" = "routed"."lk"` : '"routed"';
    const out: string[] = [`  "id"`];
    for (const s of ir.scores) out.push(`  ${ident(this.scoreCols.get(s.name) ?? 'x')} AS ${ident(s.name)}`);
    for (const b of ir.bands) {
      const col = ident(this.bandCols.get(b.name) ?? 'x');
      if (!o.codes) out.push(`  ${col} AS ${ident(b.name)}`);
      else {
        const seenLabels = new Set<string>();
        const whens = b.labels.flatMap((l, i) => (seenLabels.has(l.label) ? [] : (seenLabels.add(l.label), [`WHEN ${str(l.label)} THEN ${i}`])));
        out.push(`  CASE ${col} ${whens.join(' ')} END AS ${ident(b.name)}`);
      }
    }
    if (!o.codes) out.push(`  "stage"`);
    else {
      const whens = ir.stages.map((st, i) => `WHEN ${ident(this.reachedCol(this.low.indexOf(st.name)))} IS NOT NULL THEN ${i}`);
      out.push(whens.length ? `  CASE ${whens.join(' ')} END AS "stage"` : `  CAST(NULL AS INTEGER) AS "stage"`);
    }
    out.push(`  "route"`);
    for (const s of ir.stages) {
      const col = ident(this.reachedCol(this.low.indexOf(s.name)));
      out.push(`  ${o.codes ? dbl(col) : col} AS ${ident(`reached_${s.name}`)}`);
    }
    (o.extraColumns ?? []).forEach((x, i) => out.push(`  ${ident(`x${i}`)} AS ${ident(x)}`));
    for (let c = 0; c < didCols; c++) out.push(`  CAST(COALESCE(${ident(`did_${c}`)}, ${bigint(0)}) AS INTEGER) AS ${ident(`did_${c}`)}`);

    const header = [
      `-- LQL ruleset${ir.name ? ` "${commentText(ir.name)}"` : ''} as SQL (${d === 'duckdb' ? 'DuckDB' : d === 'clickhouse' ? 'ClickHouse' : 'PostgreSQL'} dialect)`,
      `-- Input: table ${commentText(leadsT)} (column ${commentText(idCol)} and attribute columns)` +
        (eventsT ? ` and table ${commentText(eventsT)} (lead_id, type, at)` : ', no events'),
      `-- Output: one row per lead: id, every score and band, stage, route, reached_<stage> (epoch ms)`,
      `-- asOf: ${typeof o.asOf === 'number' ? `${o.asOf} (${new Date(o.asOf).toISOString()})` : o.asOf === 'per-lead' ? "each lead's latest event" : 'the latest event time in the data'}`,
    ];
    // ClickHouse: NULL-keeping casts and outer joins, as in standard SQL; every branch of a CASE
    // evaluated (the query's casts never fail): lazy branches over many NULLable columns cost ten times more
    const settings =
      d === 'clickhouse'
        ? "\nSETTINGS cast_keep_nullable = 1, join_use_nulls = 1, allow_experimental_analyzer = 1, short_circuit_function_evaluation = 'disable'"
        : '';
    const select = `SELECT\n${out.join(',\n')}\nFROM ${fromFinal}\nORDER BY ${o.orderColumn !== undefined ? '"ord"' : '"id"'}`;
    const sql = `${header.join('\n')}\nWITH\n${ctes.join(',\n')}\n${select}${settings}\n`;
    return { sql, columns, parts: { ctes: parts, select, settings: settings.trim() } };
  }
}

/** Export a ruleset as SQL, with diagnostics for anything the dialect cannot express. */
export function exportSql(ir: IR, opts: EmitSqlOptions): SqlExport {
  const e = new Emitter(ir, opts);
  const { sql, columns, parts } = withDialect(opts.dialect, () => e.build());
  const errors = e.diagnostics.some((x) => x.severity === 'error');
  return errors ? { sql: '', columns, diagnostics: e.diagnostics } : { sql, columns, diagnostics: e.diagnostics, parts };
}

/**
 * SQL text building blocks for the SQL export (emit-sql.ts): quoting, literals,
 * comments, and the readers that turn a raw column into an LQL value exactly
 * as docs/semantics.md ("Reading values") says, for DuckDB and PostgreSQL.
 *
 * Input: names, strings and numbers from a ruleset (any text a user wrote),
 * SQL expressions built by the emitter.
 * Output: SQL text fragments.
 * Invariants:
 * - identifiers are always double-quoted with `"` doubled; string literals
 *   are single-quoted with `'` doubled, and a text with a backslash is an
 *   E'' string with backslashes doubled, so a literal means the same text whether
 *   the server's standard_conforming_strings is on or off (see `str`);
 * - comment text never contains a newline, a control character or `*\/`;
 * - numbers are emitted as DOUBLE PRECISION values (`CAST(.. AS DOUBLE
 *   PRECISION)`), never as engine-specific DECIMAL/NUMERIC literals;
 * - every reader accepts any column type (the column is first cast to text)
 *   and yields NULL for a missing or unreadable value, never an error.
 */
export type SqlDialect = 'duckdb' | 'postgres' | 'clickhouse';

/**
 * The dialect string literals are written for. ClickHouse always reads a
 * backslash in a literal as an escape (and has no E'' strings), so its
 * literals escape `\\` and `'` with a backslash. Set by the emitter for the
 * duration of one export (`withDialect`); everything else takes the dialect
 * as an argument.
 */
let literalDialect: SqlDialect = 'duckdb';

/** Run `f` with string literals written for dialect `d`. */
export function withDialect<T>(d: SqlDialect, f: () => T): T {
  const before = literalDialect;
  literalDialect = d;
  try {
    return f();
  } finally {
    literalDialect = before;
  }
}

/** A quoted identifier: `"name"` with `"` doubled. */
export function ident(name: string): string {
  // ClickHouse reads a backslash in a quoted identifier as an escape
  if (literalDialect === 'clickhouse') return '"' + name.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\u0000/g, '\\0') + '"';
  return '"' + name.replace(/"/g, '""') + '"';
}

/** A possibly schema-qualified table name: `a.b` given as ['a', 'b'] or a plain name. */
export function tableName(name: string | string[]): string {
  return (Array.isArray(name) ? name : [name]).map(ident).join('.');
}

/**
 * A string literal that reads the same whatever the server's settings:
 * `'...'` with `'` doubled; a text with a backslash becomes an escape string
 * `E'...'` with every backslash doubled too, because a plain literal's backslash
 * is an escape on a PostgreSQL server with standard_conforming_strings = off
 * (DuckDB reads E'' strings the same way). U+0000 cannot appear inside a
 * literal in either engine: it is joined in as `chr(0)` (the PostgreSQL
 * emitter refuses such texts before, with LQL704, as its text cannot hold it).
 */
export function str(s: string): string {
  if (literalDialect === 'clickhouse') return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\u0000/g, '\\0') + "'";
  if (s.includes('\u0000')) return '(' + s.split('\u0000').map(str).join(' || chr(0) || ') + ')';
  if (s.includes('\\')) return "E'" + s.replace(/\\/g, '\\\\').replace(/'/g, "''") + "'";
  return "'" + s.replace(/'/g, "''") + "'";
}

/** Comment text safe on one `--` line (and inside a block comment). */
export function commentText(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ')
    .replace(/\*\//g, '* /')
    .replace(/\/\*/g, '/ *')
    .trim();
}

/** A finite number as a DOUBLE PRECISION value. */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  if (Object.is(n, -0)) n = 0;
  if (Number.isSafeInteger(n)) return `CAST(${n} AS DOUBLE PRECISION)`;
  return `CAST(${str(String(n))} AS DOUBLE PRECISION)`;
}

/** An integer as a BIGINT value. */
export function bigint(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
  return `CAST(${n} AS BIGINT)`;
}

/**
 * Digits as a BIGINT, NULL when the text is not one. ClickHouse evaluates
 * every branch of a CASE (short_circuit_function_evaluation = 'disable', see
 * emit-sql.ts), so its casts must never fail on rows the CASE does not take.
 */
function textToBigint(d: SqlDialect, x: string): string {
  return d === 'clickhouse' ? `toInt64OrNull(${x})` : `CAST(${x} AS BIGINT)`;
}

/** `CAST(x AS DOUBLE PRECISION)` */
export function dbl(x: string): string {
  return `CAST(${x} AS DOUBLE PRECISION)`;
}

/** `floor(a / b)` as BIGINT, for non-negative or negative a (b > 0). */
export function floorDiv(a: string, b: number): string {
  return `CAST(floor(${dbl(a)} / ${num(b)}) AS BIGINT)`;
}

/** Whitespace that JS `String.prototype.trim` removes (the ASCII part). */
function trimChars(): string {
  return 'chr(32) || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)';
}

/** Text of any column, trimmed of ASCII whitespace. */
export function trimmed(d: SqlDialect, textExpr: string): string {
  if (d === 'clickhouse') return `trimBoth(${textExpr}, ' \\t\\n\\v\\f\\r')`;
  return d === 'duckdb' ? `trim(${textExpr}, ${trimChars()})` : `btrim(${textExpr}, ${trimChars()})`;
}

/** Any column as text (NULL stays NULL). */
export function asText(col: string): string {
  return `CAST(${col} AS VARCHAR)`;
}

/** Full-match test of text against a (portable POSIX/RE2-compatible) regex. */
export function fullMatch(d: SqlDialect, textExpr: string, re: string): string {
  if (d === 'clickhouse') return `match(${textExpr}, ${str('^(?:' + re + ')$')})`;
  return d === 'duckdb' ? `regexp_full_match(${textExpr}, ${str(re)})` : `(${textExpr} ~ ${str('^(?:' + re + ')$')})`;
}

const DECIMAL_RE = '[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?';
/** PostgreSQL reads through NUMERIC: bound the exponent so the cast can never fail. */
const DECIMAL_RE_PG = '[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]{1,3})?';

/**
 * LQL `number` from a column: a decimal number after trimming, finite;
 * anything else NULL. PostgreSQL: overflow gives NULL and underflow 0, as in
 * JS; numbers with 4+ digit exponents are NULL there.
 */
export function readNumber(d: SqlDialect, col: string): string {
  const s = trimmed(d, asText(col));
  if (d === 'duckdb') {
    // a decimal that overflows a double (1e400) is not a number: never Infinity
    return `(CASE WHEN ${fullMatch(d, s, DECIMAL_RE)} AND isfinite(TRY_CAST(${s} AS DOUBLE)) THEN TRY_CAST(${s} AS DOUBLE) END)`;
  }
  if (d === 'clickhouse') {
    // toFloat64OrNull reads 1e400 as inf: a number that is not finite is not a number
    return `(CASE WHEN ${fullMatch(d, s, DECIMAL_RE)} AND isFinite(toFloat64OrZero(${s})) THEN toFloat64OrNull(${s}) END)`;
  }
  const n = `CAST(${s} AS NUMERIC)`;
  return (
    `(CASE WHEN length(${s}) <= 1000 AND ${fullMatch(d, s, DECIMAL_RE_PG)} THEN ` +
    `(CASE WHEN abs(${n}) >= 1.7976931348623158e308 THEN NULL ` +
    `WHEN abs(${n}) < 2.4703282292062328e-324 THEN CAST(0 AS DOUBLE PRECISION) ` +
    `ELSE CAST(${n} AS DOUBLE PRECISION) END) END)`
  );
}

/** LQL `text` from a column: a non-empty string as is. */
export function readText(col: string): string {
  return `NULLIF(${asText(col)}, '')`;
}

/** LQL `bool` from a column: true/yes/y/1, false/no/n/0 (any case, trimmed). */
export function readBool(d: SqlDialect, col: string): string {
  const s = `lower(${trimmed(d, asText(col))})`;
  return (
    `(CASE WHEN ${s} IN ('true', 'yes', 'y', '1') THEN TRUE ` +
    `WHEN ${s} IN ('false', 'no', 'n', '0') THEN FALSE END)`
  );
}

/** Days since 1970-01-01 of a proleptic Gregorian date (y >= 0), integer arithmetic only. */
function daysFromCivil(y: string, m: string, d: string): string {
  // Shift by 400 years so every division is of a non-negative number.
  const y2 = `(${y} - (CASE WHEN ${m} <= 2 THEN 1 ELSE 0 END) + 400)`;
  const era = floorDiv(y2, 400);
  const yoe = `(${y2} - ${era} * 400)`;
  const mp = `((${m} + 9) % 12)`;
  const doy = `(${floorDiv(`153 * ${mp} + 2`, 5)} + ${d} - 1)`;
  const doe = `(${yoe} * 365 + ${floorDiv(yoe, 4)} - ${floorDiv(yoe, 100)} + ${doy})`;
  return `((${era} * 146097 + ${doe} - 719468) - 146097)`;
}

const ISO_GROUPS_RE =
  '^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]+))?)?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$';
const ISO_PARTS = ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'o'];

/**
 * Epoch milliseconds (BIGINT) from text columns, as a SELECT over `from`
 * that keeps `pass` columns and adds one column per input. The text is an ISO
 * 8601 date or date-time (`YYYY-MM-DD`, then `T`/space `HH:MM[:SS[.fff]]`,
 * then `Z` or `+HH[:MM]`; no offset = UTC; impossible dates are NULL), or an
 * integer number of epoch milliseconds. Done in layers (trim, match, parts,
 * epoch) so each step reads plain columns and the SQL stays small.
 */
export function dateLayers(
  d: SqlDialect,
  from: string,
  pass: string[],
  inputs: { src: string; out: string }[],
  indent = '  ',
): string {
  if (inputs.length === 0) return `SELECT ${pass.map(ident).join(', ')} FROM ${from}`;
  const P = (i: number, part: string) => ident(`_${part}${i}`);
  const l1 = `SELECT ${[...pass.map(ident), ...inputs.map((x, i) => `${trimmed(d, asText(ident(x.src)))} AS ${P(i, 's')}`)].join(', ')}\n${indent}  FROM ${from}`;
  const l2 = `SELECT *, ${inputs
    .map((_, i) =>
      d === 'clickhouse'
        ? `(CASE WHEN match(${P(i, 's')}, ${str(ISO_GROUPS_RE)}) THEN extractGroups(${P(i, 's')}, ${str(ISO_GROUPS_RE)}) END) AS ${P(i, 'm')}`
        : d === 'duckdb'
        ? `regexp_extract(${P(i, 's')}, ${str(ISO_GROUPS_RE)}, [${ISO_PARTS.map(str).join(', ')}]) AS ${P(i, 'm')}`
        : `regexp_match(${P(i, 's')}, ${str(ISO_GROUPS_RE)}) AS ${P(i, 'm')}`,
    )
    .join(', ')}\n${indent}  FROM (${l1}) AS "q1"`;
  const g = (i: number, k: number) =>
    d === 'duckdb' ? `NULLIF(${P(i, 'm')}[${str(ISO_PARTS[k]!)}], '')` : d === 'clickhouse' ? `NULLIF(${P(i, 'm')}[${k + 1}], '')` : `${P(i, 'm')}[${k + 1}]`;
  const parts = inputs.map((_, i) => {
    const o = g(i, 7);
    return [
      `(${d === 'duckdb' || d === 'clickhouse' ? `${g(i, 0)} IS NOT NULL` : `${P(i, 'm')} IS NOT NULL`}) AS ${P(i, 'iso')}`,
      `${fullMatch(d, P(i, 's'), '-?[0-9]{1,16}')} AS ${P(i, 'ep')}`,
      `${textToBigint(d, g(i, 0))} AS ${P(i, 'y')}`,
      `${textToBigint(d, g(i, 1))} AS ${P(i, 'mo')}`,
      `${textToBigint(d, g(i, 2))} AS ${P(i, 'd')}`,
      `COALESCE(${textToBigint(d, g(i, 3))}, 0) AS ${P(i, 'h')}`,
      `COALESCE(${textToBigint(d, g(i, 4))}, 0) AS ${P(i, 'mi')}`,
      `COALESCE(${textToBigint(d, g(i, 5))}, 0) AS ${P(i, 'se')}`,
      `COALESCE(${textToBigint(d, `rpad(substr(${g(i, 6)}, 1, 3), 3, '0')`)}, 0) AS ${P(i, 'ms')}`,
      `(CASE WHEN substr(${o}, 1, 1) = '-' THEN -1 ELSE 1 END) AS ${P(i, 'os')}`,
      `(CASE WHEN length(${o}) >= 3 THEN ${textToBigint(d, `substr(${o}, 2, 2)`)} ELSE 0 END) AS ${P(i, 'oh')}`,
      `(CASE WHEN length(${o}) = 6 THEN ${textToBigint(d, `substr(${o}, 5, 2)`)} WHEN length(${o}) = 5 THEN ${textToBigint(d, `substr(${o}, 4, 2)`)} ELSE 0 END) AS ${P(i, 'om')}`,
    ].join(', ');
  });
  const l3 = `SELECT *, ${parts.join(',\n' + indent + '    ')}\n${indent}  FROM (${l2}) AS "q2"`;
  const outs = inputs.map((x, i) => {
    const y = P(i, 'y'), mo = P(i, 'mo'), dd = P(i, 'd'), h = P(i, 'h'), mi = P(i, 'mi'), se = P(i, 'se');
    const oh = P(i, 'oh'), om = P(i, 'om');
    const leap = `((${y} % 4 = 0 AND ${y} % 100 <> 0) OR ${y} % 400 = 0)`;
    const dim = `(CASE WHEN ${mo} = 2 THEN (CASE WHEN ${leap} THEN 29 ELSE 28 END) WHEN ${mo} IN (4, 6, 9, 11) THEN 30 ELSE 31 END)`;
    const valid = `${mo} BETWEEN 1 AND 12 AND ${dd} >= 1 AND ${dd} <= ${dim} AND ${h} <= 23 AND ${mi} <= 59 AND ${se} <= 59 AND ${oh} <= 23 AND ${om} <= 59`;
    const epoch =
      `${daysFromCivil(y, mo, dd)} * 86400000 + ${h} * 3600000 + ${mi} * 60000 + ${se} * 1000 + ${P(i, 'ms')}` +
      ` - ${P(i, 'os')} * (${oh} * 60 + ${om}) * 60000`;
    return (
      `CASE WHEN ${P(i, 'ep')} THEN ${textToBigint(d, P(i, 's'))}\n${indent}    ` +
      `WHEN ${P(i, 'iso')} AND ${valid}\n${indent}    THEN ${epoch} END AS ${ident(x.out)}`
    );
  });
  return `SELECT ${[...pass.map(ident), ...outs].join(',\n' + indent + '  ')}\n${indent}FROM (${l3}) AS "q3"`;
}

/** Epoch ms from a text expression, inline (for the rare text-to-date conversion inside a condition). */
export function readDate(d: SqlDialect, col: string): string {
  return `(SELECT "t" FROM (${dateLayers(d, `(SELECT ${col} AS "v") AS "q0"`, [], [{ src: 'v', out: 't' }], '')}) AS "qd")`;
}

/** 2 ^ -x for x >= 0 (exact at whole x), 0 when x > 1000 (PostgreSQL raises an error on underflow). */
export function halfPow(x: string): string {
  return `(CASE WHEN ${x} > 1000 THEN CAST(0 AS DOUBLE PRECISION) ELSE power(CAST(2 AS DOUBLE PRECISION), - (${x})) END)`;
}

/**
 * A score rounded to 9 decimals, half away from zero, -0 as 0: the same
 * double operations as `round9` (language/shared/values.ts), written out
 * because PostgreSQL's round(double) rounds half to even. `x` is a column.
 */
export function round9(x: string): string {
  const up = (a: string) => `(trunc(${a}) + CASE WHEN ${a} - trunc(${a}) >= 0.5 THEN 1 ELSE 0 END)`;
  const big = `CAST(1e9 AS DOUBLE PRECISION)`;
  // 2^53 and beyond: already a whole number, returned as is (|x| * 1e9 could overflow)
  return `(CASE WHEN abs(${x}) >= CAST(9007199254740992 AS DOUBLE PRECISION) THEN ${x} WHEN ${x} <= 0 THEN (0 - ${up(`(- ${x} * ${big})`)}) / ${big} ELSE ${up(`(${x} * ${big})`)} / ${big} END)`;
}

/**
 * `points * x` as a double product. PostgreSQL raises an error where a
 * product of two non-zero doubles underflows to 0 (JS and DuckDB give 0):
 * there, a product below 1e-321 in size is written as 0. That never changes
 * a score: it is rounded to 9 decimals, and a term that small cannot move a
 * sum it is added to by one bit unless the sum rounds to 0 anyway.
 */
export function timesPoints(d: SqlDialect, points: number, x: string): string {
  const small = points === 0 ? 0 : 1e-321 / Math.abs(points);
  if (d !== 'postgres' || !(small >= 5e-324)) return `${num(points)} * ${x}`;
  return `(CASE WHEN abs(${x}) < ${num(small)} THEN ${num(0)} ELSE ${num(points)} * ${x} END)`;
}

/** `a * b` as a double product, 0 where PostgreSQL would raise an underflow error (see timesPoints). */
export function times(d: SqlDialect, a: string, b: string): string {
  if (d !== 'postgres') return `(${a} * ${b})`;
  return `(CASE WHEN ${a} = 0 OR ${b} = 0 THEN ${a} * ${b} WHEN ln(abs(${a})) + ln(abs(${b})) < -740 THEN ${num(0)} ELSE ${a} * ${b} END)`;
}

/** JS `String(n)` for a DOUBLE (integers without `.0`; other values as the engine prints them). */
export function numberToText(x: string): string {
  // ClickHouse evaluates both branches: a cast that cannot fail on infinities
  const int = literalDialect === 'clickhouse' ? `accurateCastOrNull(${x}, 'Int64')` : `CAST(${x} AS BIGINT)`;
  return `(CASE WHEN ${x} = floor(${x}) AND abs(${x}) < ${num(1e15)} THEN CAST(${int} AS VARCHAR) ELSE CAST(${x} AS VARCHAR) END)`;
}

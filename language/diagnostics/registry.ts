/**
 * The registry of every diagnostic code LQL can report: its default
 * severity, a one-line title and a message template. `{name}` placeholders
 * are filled by `diag()`. Every code here has a help page in
 * `docs/errors/CODE.md` (a test checks it), and every code reported anywhere
 * must be listed here (the `diag()` helper only accepts known codes).
 *
 * Ranges, by area (add new codes in your area's section, keep numbers unique):
 *   LQL1xx  lexing and parsing
 *   LQL2xx  names and declarations
 *   LQL3xx  types and values
 *   LQL4xx  warnings (dead or shadowed rules, unused names)
 *   LQL5xx  data files (CSV/JSONL) and the simulator
 *   LQL6xx  tests, CLI and usage
 *   LQL7xx  SQL export and database engines
 */
import type { Diagnostic, Severity, Fix, RelatedInfo } from './diagnostic.js';
import type { Range } from '../syntax/ast.js';

export interface CodeInfo {
  severity: Severity;
  title: string;
  message: string;
}

export const REGISTRY = {
  // --- LQL1xx lexing and parsing ------------------------------------------------
  LQL100: { severity: 'error', title: 'Unexpected character', message: 'This character is not part of LQL: `{text}`. Names with spaces or symbols go in backticks, like `Lead Origin`.' },
  LQL101: { severity: 'error', title: 'Unterminated text', message: 'This text is missing its closing double quote (").' },
  LQL102: { severity: 'error', title: 'Unterminated quoted name', message: 'This name is missing its closing backtick (`).' },
  LQL103: { severity: 'error', title: 'Unknown escape', message: 'Unknown escape in text: use \\" \\\\ \\n \\t or \\u{...}.' },
  LQL104: { severity: 'error', title: 'Single = in a comparison', message: 'Use `==` to compare; a single `=` only names a segment, list or score.' },
  LQL105: { severity: 'error', title: 'Invalid date', message: '`{text}` is not a real date or time.' },
  LQL110: { severity: 'error', title: 'Syntax error', message: '{message}' },
  LQL106: { severity: 'error', title: 'Condition nested too deeply', message: 'This condition is nested more than {limit} levels deep{via}; LQL allows at most {limit} (every `and`, `or`, `not`, parenthesis and operand counts). Split it into several rules, or into segments used side by side, or put the values in a list and use `in`.' },
  LQL107: { severity: 'error', title: 'Condition too large', message: 'This condition has more than {limit} parts{via}; LQL allows at most {limit} in one condition. Segments used several times are written in place each time: use fewer, or split the rule.' },
  LQL108: { severity: 'error', title: 'Number too large', message: '`{text}` is too large: the largest number LQL can hold is about 1.8e308. Use a smaller number.' },
  LQL109: { severity: 'error', title: 'Duration too long', message: 'This duration is too long: a duration may be at most {limit} days (about 285,000 years). Use a shorter one.' },
  LQL111: { severity: 'error', title: 'Internal compiler error', message: 'LQL could not compile this ruleset ({phase}: {message}). This is a fault in LQL, not in the ruleset; please report it with the ruleset.' },
  // --- LQL2xx names and declarations ---------------------------------------------
  LQL200: { severity: 'error', title: 'Unknown name', message: '`{name}` is not declared.{hint}' },
  LQL201: { severity: 'error', title: 'Unknown activity', message: '`{name}` is not a declared activity.{hint} Declare it with `activity {name}`.' },
  LQL202: { severity: 'error', title: 'Duplicate declaration', message: '`{name}` is already declared at line {line}; every name in a ruleset must be unique.' },
  LQL203: { severity: 'error', title: 'Segment cycle', message: 'Segment `{name}` depends on itself: {path}.' },
  LQL204: { severity: 'error', title: 'Stage names a later stage', message: 'Stage `{name}` refers to `{other}`, which is listed above it; a stage may only name stages listed below it.' },
  LQL205: { severity: 'error', title: 'Unknown band label', message: 'Band `{band}` has no label `{label}`; its labels are {labels}.{hint}' },
  LQL206: { severity: 'error', title: 'Declared twice', message: 'There can be only one `{what}` in a ruleset; the first is at line {line}.' },
  LQL207: { severity: 'error', title: 'Unknown function', message: '`{name}` is not a function of LQL.{hint} The functions are lower(x), domain(x), count(ACTIVITY) and days since ....' },
  LQL208: { severity: 'error', title: 'Activity in fit', message: '`fit` scores the profile and may not use activities; move this rule to `engagement` (activities belong there).' },
  LQL209: { severity: 'error', title: 'Score cycle', message: '`{name}` depends on itself: {path}.' },
  LQL210: { severity: 'error', title: 'Unknown column', message: 'The data has no column `{name}`.{hint}' },
  LQL211: { severity: 'error', title: 'Misplaced otherwise', message: '{message}' },
  LQL212: { severity: 'error', title: 'Wrong kind of name', message: '`{name}` is {what}; {need}.' },
  LQL213: { severity: 'error', title: 'Reserved name', message: '`{name}` is a built-in name and cannot be declared.' },
  LQL214: { severity: 'error', title: 'Empty block', message: '{message}' },
  LQL215: { severity: 'error', title: 'Not available here', message: '`{name}` can only be used in {where}.' },
  // --- LQL3xx types and values ----------------------------------------------------
  LQL300: { severity: 'error', title: 'Type mismatch', message: 'Cannot compare {left} ({ltype}) with {right} ({rtype}).' },
  LQL301: { severity: 'error', title: 'Unknown type', message: 'Unknown type `{name}`: use text, number, bool or date.' },
  LQL302: { severity: 'error', title: 'Conflicting use', message: '`{name}` is used as {t1} here, but as {t2} at line {line}. Declare it, e.g. `attribute {name}: {t2}`.' },
  LQL303: { severity: 'error', title: 'Band thresholds out of order', message: 'Band thresholds must go strictly down: {label} >= {value} comes after a threshold of {prev}.' },
  LQL304: { severity: 'error', title: 'Unsupported regular expression', message: 'This regular expression cannot be used: {detail}. LQL regexes use RE2 syntax, which always runs in linear time (no back-references or look-arounds).' },
  LQL305: { severity: 'error', title: 'Unknown regex flag', message: 'Only the flags i (ignore case) and u (unicode) are allowed; found `{flag}`.' },
  LQL306: { severity: 'error', title: 'Points need a sign', message: 'Write points with an explicit sign: `+{value}` or `-{value}`.' },
  LQL307: { severity: 'error', title: 'Misplaced decay', message: '{message}' },
  LQL308: { severity: 'error', title: 'Ordering on non-numbers', message: '`{op}` compares numbers and dates only; {what} is {type}. Use == or != (or `in`) for text.' },
  LQL309: { severity: 'error', title: 'List item type', message: 'List items must all be {type}; this one is {other}.' },
  LQL310: { severity: 'error', title: 'Not a positive amount', message: '{what} must be greater than 0.' },
  LQL311: { severity: 'error', title: 'Not a condition', message: '{what} is {type}, not a condition; compare it, e.g. `{example}`.' },
  LQL312: { severity: 'error', title: 'Not a number', message: '{what} is {type}; derived scores and bands work on numbers (scores or numeric attributes).' },
  LQL313: { severity: 'error', title: 'Wrong argument', message: '{message}' },
  LQL314: { severity: 'error', title: 'Not a date', message: '`days since` needs a date attribute or `last ACTIVITY`; `{name}` is {type}.' },
  LQL315: { severity: 'error', title: 'Test value type', message: '`{name}` is {type}, but the test gives it {value}.' },
  // --- LQL4xx warnings ------------------------------------------------------------
  LQL400: { severity: 'warning', title: 'Rule can never fire', message: 'This condition can never hold: {reason}.' },
  LQL401: { severity: 'warning', title: 'Shadowed entry', message: '{message}' },
  LQL402: { severity: 'warning', title: 'Unused segment', message: 'Segment `{name}` is never used.' },
  LQL403: { severity: 'warning', title: 'Unused list', message: 'List `{name}` is never used.' },
  LQL404: { severity: 'warning', title: 'Unused activity', message: 'Activity `{name}` is declared but no rule uses it.' },
  LQL406: { severity: 'warning', title: 'Never reached', message: '{what} can never be reached: it needs {need}, but {reason}.' },
  LQL405: { severity: 'warning', title: 'Undeclared name looks like a typo', message: '`{name}` is not declared, so it will be read from the data as a column. Did you mean `{suggestion}`?' },
  // --- LQL5xx data files and the simulator ----------------------------------------
  LQL500: { severity: 'error', title: 'Empty data file', message: 'The file is empty; expected a header row naming the columns ({expected}), then one row per {item}.' },
  LQL501: { severity: 'error', title: 'No data rows', message: 'The file has a header but no rows; expected one row per {item} after the header.' },
  LQL502: { severity: 'error', title: 'Missing required column', message: 'The {kind} file has no `{column}` column.{hint} Columns found: {found}.' },
  LQL503: { severity: 'error', title: 'Duplicate column name', message: 'Column `{column}` appears twice in the header (fields {first} and {second}); expected every column name once. Rename one of them.' },
  LQL504: { severity: 'error', title: 'Unterminated quoted field', message: 'This quoted field is never closed: expected a closing `"` before {where}. A `"` inside a quoted field is written twice: `""`.' },
  LQL505: { severity: 'error', title: 'Text after a closing quote', message: 'Unexpected `{text}` after the closing quote of a field; expected `{delimiter}` or the end of the line. A `"` inside a quoted field is written twice: `""`.' },
  LQL506: { severity: 'error', title: 'Too many fields', message: 'This row has {found} fields but the header has {expected}; expected {expected} fields separated by `{delimiter}`. Put a value that contains `{delimiter}` in double quotes.' },
  LQL507: { severity: 'error', title: 'Too few fields', message: 'This row has {found} {fieldWord} but the header has {expected}; expected {expected} fields separated by `{delimiter}` (an empty value is still a field: `a{delimiter}{delimiter}c`).' },
  LQL508: { severity: 'error', title: 'Line too long', message: 'This {what} is longer than {limit} characters, the longest a row may be; {hint}' },
  LQL509: { severity: 'error', title: 'Duplicate lead id', message: 'Lead id `{id}` is already used on line {first}; expected every lead once, with a unique id.' },
  LQL510: { severity: 'error', title: 'Missing lead id', message: 'This row has no lead id in column `{column}`; expected a unique id for every lead (or use --id @row to number the rows).' },
  LQL511: { severity: 'error', title: 'Unknown outcome', message: '`{value}` in column `{column}` is not an outcome; expected won, lost or open (also 1/0, true/false, yes/no, converted, closed_won/closed_lost, in any case), or an empty cell for open.' },
  LQL512: { severity: 'error', title: 'Not a number', message: '`{value}` in column `{column}` is not a number; expected a finite decimal number such as 42, -1.5 or 1e3 (the ruleset reads this column as a number), or an empty cell for missing.' },
  LQL513: { severity: 'error', title: 'Not a date', message: '`{value}` in column `{column}` is not a date; expected an ISO 8601 date such as 2026-01-10 or 2026-01-10T09:30:00Z (no offset means UTC), or epoch milliseconds, or an empty cell for missing.' },
  LQL514: { severity: 'error', title: 'Not true or false', message: '`{value}` in column `{column}` is not true or false; expected true/false, yes/no, y/n or 1/0 (the ruleset reads this column as true/false), or an empty cell for missing.' },
  LQL515: { severity: 'error', title: 'Not a JSON object', message: 'This line is not a JSON object ({reason}); expected one JSON object per line, like {"id": "L1", "outcome": "won"}.' },
  LQL516: { severity: 'error', title: 'Nested JSON value', message: 'The value of `{column}` is {kind}; expected text, a number, true/false or null.' },
  LQL517: { severity: 'error', title: 'Event field missing', message: 'This event has no `{column}`; expected {expected}.' },
  LQL518: { severity: 'error', title: 'Not an event time', message: '`{value}` in column `{column}` is not a time; expected an ISO 8601 time such as 2026-01-10T09:30:00Z (no offset means UTC) or epoch milliseconds such as 1768037400000.' },
  LQL519: { severity: 'warning', title: 'Events of unknown leads', message: '{count} events name lead ids that are not in the leads file (for example {sample}); they are counted here and not replayed.' },
  LQL520: { severity: 'warning', title: 'Unknown event type', message: '{count} events have type `{type}`, which is not a declared activity; no rule counts them.{hint} Declare it with `activity` if it matters.' },
  LQL521: { severity: 'warning', title: 'Declared column not in the data', message: 'The ruleset reads `{column}` but the leads file has no such column; every lead is missing it.{hint}' },
  LQL522: { severity: 'error', title: 'Cannot read data file', message: 'Cannot read `{file}`: {reason}.' },
  LQL524: { severity: 'warning', title: 'Declared activity never occurs', message: 'The ruleset declares activity `{activity}` but no event in the data has that type; every rule on it counts 0.{hint}' },
  LQL523: { severity: 'error', title: 'Duplicate key', message: 'Key `{column}` appears twice in this object (columns {first} and {second}); expected every key once. Remove one of the two values.' },
  LQL525: { severity: 'error', title: 'Date order not given', message: '`{value}` in column `{column}` is a date written with slashes, which can be month/day/year or day/month/year; say which with --date-format MDY (04/01/2025 is April 1) or --date-format DMY (04/01/2025 is January 4).' },
  LQL526: { severity: 'error', title: 'Not a date in the given order', message: '`{value}` in column `{column}` is not a date in {order} order (--date-format {format}); expected {example}, or an empty cell for missing. Is the order right?' },
  LQL531: { severity: 'error', title: 'Internal error', message: 'LQL stopped while {task} ({message}). This is a fault in LQL, not in your rules or data; please report it with both.' },
  LQL530: { severity: 'error', title: 'Not UTF-8 text', message: 'The file has bytes here that are not UTF-8 text; expected a file saved as UTF-8 (in a spreadsheet: "CSV UTF-8"). Convert it, e.g. `iconv -f WINDOWS-1252 -t UTF-8`, and read it again.' },
  // --- LQL6xx tests, CLI and usage ------------------------------------------------
  LQL601: { severity: 'error', title: 'Cannot read file', message: 'Cannot read {file}: {reason}.' },
  LQL602: { severity: 'error', title: 'Cannot write file', message: 'Cannot write {file}: {reason}. Nothing was written; the file is as it was before.' },
  LQL603: { severity: 'error', title: 'Output would replace an input', message: '{file} is {role} of this command; writing the output there would replace it. Choose another output file.' },
  LQL604: { severity: 'error', title: 'Ruleset file too large', message: 'This file is {size}; a ruleset may be at most {limit}. Is it the right file? Data files go with --leads or --events.' },
  LQL605: { severity: 'error', title: 'Data file given as a ruleset', message: 'This looks like {kind}, not a ruleset ({evidence}). Give the ruleset (.lql) as FILE and data files with --leads or --events.' },
  LQL606: { severity: 'error', title: 'Not valid JSON', message: 'This is not valid JSON: {reason}.' },
  LQL607: { severity: 'error', title: 'Not a lead', message: 'Expected one JSON object of lead attributes, like {"industry": "services"}; found {kind}.' },
  LQL608: { severity: 'error', title: 'Not an event', message: 'Expected an event like {"type": "web_visit", "at": "2026-01-02"}; {problem}.' },
  LQL610: { severity: 'error', title: 'No lead with that id', message: 'No lead has the id `{id}` in {file}.{hint}' },
  LQL611: {
    severity: 'error',
    title: 'ClickHouse engine not installed',
    message:
      '--engine clickhouse scores the leads in embedded ClickHouse, from the `chdb` package, which is not installed here ({reason}). ' +
      'Install it beside lql with `npm install chdb` (about 550 MB; Linux x64 and arm64, macOS), or run with --engine js (the default) or --engine duckdb.',
  },
  // --- LQL7xx SQL export and database engines -------------------------------------
  LQL701: {
    severity: 'error',
    title: 'regular expression not portable to PostgreSQL',
    message: 'The pattern /{pattern}/ uses {construct}, which PostgreSQL regular expressions cannot express with the same meaning; rewrite the pattern without it, or export for DuckDB.',
  },
  LQL702: {
    severity: 'error',
    title: 'two output columns with the same name',
    message: 'The SQL result would have two columns named "{name}" and "{other}" (column names are compared without case); rename one of them.',
  },
  LQL703: {
    severity: 'error',
    title: 'name too long for PostgreSQL',
    message: 'The output column "{name}" is longer than 63 bytes, the most PostgreSQL keeps; use a shorter name.',
  },
  LQL704: {
    severity: 'error',
    title: 'text with a NUL character',
    message: '{what} contains the character U+0000, which {engine} cannot hold; remove it.',
  },
  LQL705: {
    severity: 'error',
    title: 'cannot be exported as SQL',
    message: 'The SQL export cannot compute {what}.',
  },
  LQL710: {
    severity: 'error',
    title: 'data file unreadable by DuckDB',
    message: 'DuckDB could not read {file}: {reason}',
  },
  LQL711: {
    severity: 'error',
    title: 'required column missing',
    message: '{file} has no column "{column}" ({role}); columns are: {columns}.',
  },
  LQL712: {
    severity: 'error',
    title: 'duplicate lead id',
    message: '{file} has more than one row with the same lead id ({ids}); each lead needs a unique id (or number the rows with --id @row).',
  },
  LQL713: {
    severity: 'error',
    title: 'DuckDB reads the file differently',
    message: 'The DuckDB engine cannot read {file} the way the JS engine does ({reason}); run this file with --engine js.',
  },
} satisfies Record<string, CodeInfo>;

export type Code = keyof typeof REGISTRY;

/** Fill `{name}` placeholders from args. */
export function format(template: string, args: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in args ? String(args[k]) : m));
}

export function diag(
  code: Code,
  range: Range,
  args: Record<string, string | number> = {},
  extra: { file?: string; related?: RelatedInfo[]; fix?: Fix[]; severity?: Severity } = {},
): Diagnostic {
  const info: CodeInfo = REGISTRY[code];
  const d: Diagnostic = {
    code,
    severity: extra.severity ?? info.severity,
    message: format(info.message, args),
    range,
  };
  if (extra.file !== undefined) d.file = extra.file;
  if (extra.related) d.related = extra.related;
  if (extra.fix) d.fix = extra.fix;
  return d;
}

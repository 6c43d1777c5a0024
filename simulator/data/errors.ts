/**
 * How the data readers report bad input.
 *
 * Input: Diagnostics built by the readers and loaders (codes LQL500-LQL579).
 * Output: a bad row is skipped and counted, and up to `MAX_KEPT` diagnostics
 * are kept. In strict mode (the default) the load then stops at its end with
 * a `DataError` listing the first `STRICT_LISTED` bad rows and the exact
 * count of bad rows (`badRows`), so a user learns how many rows need fixing,
 * not only the first; in lenient mode the load goes on without them.
 * Problems with the file as a whole (empty file, missing column, a bad
 * header) throw at once, with `badRows` null: skipping rows would not help.
 * Invariants: every Diagnostic names the file and a 1-based line and column;
 * counts are exact even when the kept list is capped; nothing is dropped
 * silently.
 */
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import { diag } from '../../language/diagnostics/registry.js';
import type { Range } from '../../language/syntax/ast.js';
import { isSlashDate, type DateOrder } from '../../language/shared/values.js';

/** How many diagnostics a lenient load keeps (the count of skipped rows is always exact). */
export const MAX_KEPT = 100;

/** How many bad rows a strict load lists (the count of bad rows is always exact). */
export const STRICT_LISTED = 5;

/** `file:line:col: error CODE: message`, the CLI's one-line form. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file ?? '<input>'}:${d.range.start.line}:${d.range.start.column}`;
  return `${where}: ${d.severity} ${d.code}: ${d.message}`;
}

/**
 * Bad data that stops a load: carries the diagnostics. `badRows` is the
 * number of rows with bad values (the diagnostics list the first few of
 * them; skipping them with `--lenient` would let the load go on), or null
 * for a problem with the file as a whole (skipping rows would not help).
 */
export class DataError extends Error {
  readonly diagnostics: Diagnostic[];
  readonly badRows: number | null;
  constructor(diagnostics: Diagnostic[], badRows: number | null = null) {
    super(diagnostics.map(formatDiagnostic).join('\n') + (badRows === null ? '' : '\n' + badRowsSummary(diagnostics, badRows)));
    this.name = 'DataError';
    this.diagnostics = diagnostics;
    this.badRows = badRows;
  }
}

/**
 * The line under the listed bad rows: how many rows are bad in all and how
 * many are listed, e.g. `38 rows of leads.csv have bad values (the first 5
 * are listed above).`
 */
export function badRowsSummary(listed: readonly Diagnostic[], badRows: number): string {
  const file = listed[0]?.file ?? 'the file';
  if (badRows === 1) return `1 row of ${file} has a bad value.`;
  const shown = listed.length < badRows ? ` (the first ${listed.length} are listed above)` : '';
  return `${badRows.toLocaleString('en-US')} rows of ${file} have bad values${shown}.`;
}

/** The load was stopped because `isCancelled()` returned true. */
export class LoadCancelledError extends Error {
  constructor(file: string) {
    super(`loading ${file} was cancelled`);
    this.name = 'LoadCancelledError';
  }
}

/**
 * Collects row errors: counts every bad row and keeps the first ones; at the
 * end of the load (`settle`) a strict load with bad rows throws them.
 */
export class Issues {
  rows = 0;
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly lenient: boolean) {}

  /** A bad row: counted and kept (the caller skips the row); a strict load stops at `settle`. */
  reject(d: Diagnostic): void {
    this.rows++;
    if (this.diagnostics.length < (this.lenient ? MAX_KEPT : STRICT_LISTED)) this.diagnostics.push(d);
  }

  /** End of the rows: in strict mode, bad rows stop the load here, with their exact count. */
  settle(): void {
    if (!this.lenient && this.rows > 0) throw new DataError(this.diagnostics, this.rows);
  }

  /** A problem with the whole file: always stops the load. */
  fatal(d: Diagnostic): never {
    throw new DataError([d]);
  }
}

/**
 * A cell that is not a time: `code` (LQL513 in a leads column, LQL518 for
 * an event time), or, for a date written with slashes, LQL525 (the order
 * was not given with --date-format) or LQL526 (not a date in that order).
 */
export function badTime(code: 'LQL513' | 'LQL518', range: Range, value: string, column: string, file: string, order: DateOrder | null | undefined): Diagnostic {
  if (isSlashDate(value)) {
    if (!order) return diag('LQL525', range, { value, column }, { file });
    const example = order === 'MDY' ? '04/01/2025 or 04/01/2025 11:40 (April 1)' : '01/04/2025 or 01/04/2025 11:40 (April 1)';
    return diag('LQL526', range, { value, column, order: order === 'MDY' ? 'month/day/year' : 'day/month/year', format: order, example }, { file });
  }
  return diag(code, range, { value, column }, { file });
}

/**
 * How the data readers report bad input.
 *
 * Input: Diagnostics built by the readers and loaders (codes LQL500-LQL579).
 * Output: in strict mode (the default) the first error throws a `DataError`
 * carrying it; in lenient mode a bad row is skipped and counted, and up to
 * `MAX_KEPT` diagnostics are kept. Problems with the file as a whole (empty
 * file, missing column) always throw.
 * Invariants: every Diagnostic names the file and a 1-based line and column;
 * counts are exact even when the kept list is capped; nothing is dropped
 * silently.
 */
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';

/** How many diagnostics a lenient load keeps (the count of skipped rows is always exact). */
export const MAX_KEPT = 100;

/** `file:line:col: error CODE: message`, the CLI's one-line form. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file ?? '<input>'}:${d.range.start.line}:${d.range.start.column}`;
  return `${where}: ${d.severity} ${d.code}: ${d.message}`;
}

/** Bad data that stops a load: carries the diagnostics (usually one). */
export class DataError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'DataError';
    this.diagnostics = diagnostics;
  }
}

/** The load was stopped because `isCancelled()` returned true. */
export class LoadCancelledError extends Error {
  constructor(file: string) {
    super(`loading ${file} was cancelled`);
    this.name = 'LoadCancelledError';
  }
}

/** Collects row errors: throws at the first one (strict) or counts and keeps them (lenient). */
export class Issues {
  rows = 0;
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly lenient: boolean) {}

  /** A bad row: throws in strict mode, else counts it (the caller skips the row). */
  reject(d: Diagnostic): void {
    if (!this.lenient) throw new DataError([d]);
    this.rows++;
    if (this.diagnostics.length < MAX_KEPT) this.diagnostics.push(d);
  }

  /** A problem with the whole file: always stops the load. */
  fatal(d: Diagnostic): never {
    throw new DataError([d]);
  }
}

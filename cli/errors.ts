/**
 * The CLI's expected failures. Input/output: none (types only).
 * UsageError -> exit 2 with the command's usage; ExitError -> the message
 * was already printed, exit with its code; InputError -> wrong input,
 * printed as is, exit 1; OutputClashError -> an output path names an input,
 * printed as is, exit 2 (a usage error that names the file).
 */
import { badRowsSummary, DataError } from '../simulator/data/errors.js';
import { formatDiagnostics } from './print.js';
import { parseTimeText } from '../language/shared/values.js';

export class UsageError extends Error {}

export class ExitError extends Error {
  constructor(public code: number) {
    super(`exit ${code}`);
  }
}

export class InputError extends Error {}

export class OutputClashError extends Error {}

/**
 * A time option (`--as-of`, `--at`, ...): ISO 8601 (no offset = UTC) or
 * epoch milliseconds, read by the one time reader of the language
 * (`parseTimeText`); anything else is an InputError naming the option.
 */
export function timeOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = parseTimeText(v);
  if (t === null) {
    throw new InputError(
      `--${name}: '${v}' is not a date or time; use ISO 8601 (2026-01-10, 2026-01-10T09:30:00Z; no offset means UTC) or epoch milliseconds (1767225600000).`,
    );
  }
  return t;
}

/**
 * A load stopped by bad data, for the terminal: the diagnostics
 * (`file:line:col: error CODE: message`), then how many rows are bad and
 * what to do. `--lenient` is offered only for bad rows, which it would skip
 * (a lenient load never stops on them); a problem with the file as a whole
 * (missing file, missing column, bad header) gets no such hint.
 */
export function dataErrorText(e: DataError, file: string): string {
  const listed = formatDiagnostics(e.diagnostics, file, null);
  if (e.badRows === null) return `${listed}\nNothing was computed.`;
  // dates with slashes and no --date-format: skipping those rows would drop every dated row
  const fix = e.diagnostics.every((d) => d.code === 'LQL525')
    ? ' Pass --date-format MDY or DMY.'
    : ` Fix ${e.badRows === 1 ? 'it' : 'them'}, or use --lenient to skip bad rows (they are counted in the report).`;
  return `${listed}\n${badRowsSummary(e.diagnostics, e.badRows)} Nothing was computed.${fix}`;
}

/**
 * Run a command body, turning expected failures into their exit code:
 * InputError and DataError are printed (file:line:col) and give 1.
 */
export async function guard(io: { err: (s: string) => void }, f: () => Promise<number> | number): Promise<number> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof InputError) {
      io.err(e.message);
      return 1;
    }
    if (e instanceof OutputClashError) {
      io.err(e.message);
      return 2;
    }
    if (e instanceof DataError) {
      io.err(dataErrorText(e, ''));
      return 1;
    }
    throw e;
  }
}

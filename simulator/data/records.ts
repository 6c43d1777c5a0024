/**
 * The contract between the file readers (CSV, JSON Lines) and the loaders
 * that build typed tables from their rows.
 *
 * Input: text pushed to a reader chunk by chunk (`push`), then `end()`.
 * Output: calls on a RecordSink: the column names (once for a CSV header;
 * as new keys appear for JSON Lines), then one `row` per record, each with a
 * Locator that turns a field index into a file position for messages.
 * Invariants: rows arrive in file order; a row is a view, not strings: the
 * text of column i is `esc[i]` when that is not null (a CSV field with
 * doubled quotes), else `buf[starts[i] .. ends[i])` (an empty range for an
 * empty or absent cell), so readers allocate nothing per field and loaders
 * parse numbers and look up dictionaries in place; a row view and a Locator
 * are only valid during the call that received them; syntax errors (unterminated quotes,
 * ragged rows, bad JSON) are reported by the reader through `Issues`, so a
 * sink only ever sees well-formed rows.
 */
import type { Range } from '../../language/syntax/ast.js';

export interface Locator {
  /** 1-based line where the current record starts */
  readonly recordLine: number;
  /** Where field (column) `i` of the current record is: 1-based line and character column. */
  fieldRange(i: number): Range;
  /** The start of the current record. */
  recordRange(): Range;
}

/** One row's cells, by column index (see the header comment). */
export interface RowView {
  buf: string;
  starts: Int32Array;
  ends: Int32Array;
  esc: (string | null)[];
  /** number of cells in this row */
  count: number;
}

/** The text of cell i of a row (allocates: for messages and rare paths only). */
export function cellText(row: RowView, i: number): string {
  if (i < 0 || i >= row.count) return '';
  const e = row.esc[i];
  return e ?? row.buf.slice(row.starts[i], row.ends[i]);
}

export interface RecordSink {
  /** New columns, in file order (a CSV header; JSON Lines keys not seen before). */
  addColumns(names: string[], loc: Locator): void;
  /** One data row, in column order. */
  row(row: RowView, loc: Locator): void;
}

export interface RecordReader {
  /** Read `text[start .. end)` (all of it by default), the next piece of the file. */
  push(text: string, start?: number, end?: number): void;
  /**
   * Read the next piece of the file as its bytes, undecoded. A reader that
   * has this gets every byte chunk of a file this way, from the first one
   * (byte order mark included), and checks the UTF-8 itself.
   */
  pushBytes?(bytes: Uint8Array): void;
  end(): void;
}

/** The longest record (row) a reader accepts, in characters, by default. */
export const DEFAULT_MAX_RECORD = 1 << 20;

/** A 1-based point range with its 0-based character offset in the file. */
export function at(line: number, column: number, offset: number, endColumn = column + 1): Range {
  return {
    start: { offset, line, column },
    end: { offset: offset + Math.max(1, endColumn - column), line, column: Math.max(endColumn, column + 1) },
  };
}

// Shared helpers for the data-layer tests: collect what a reader emits, and
// catch the diagnostics of a failed load.
import { CsvReader } from '../../simulator/data/csv.js';
import { DataError, Issues } from '../../simulator/data/errors.js';
import { cellText, type RowView } from '../../simulator/data/records.js';
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import type { LeadTable } from '../../simulator/data/table.js';

export interface Collected {
  header: string[];
  rows: string[][];
  lines: number[];
  issues: Issues;
}

type CsvTestOptions = { lenient?: boolean; delimiter?: string; maxRecord?: number };

/** Run the CSV reader over `pieces` (the text split anywhere) and collect header, rows and issues. */
export function readCsv(pieces: string[], options: CsvTestOptions = {}): Collected {
  return readCsvWith((r) => {
    for (const p of pieces) r.push(p);
  }, options);
}

/** Run the CSV reader over `text` pushed as ranges of the one string, cut at `cuts` (in any order). */
export function readCsvRanges(text: string, cuts: number[], options: CsvTestOptions = {}): Collected {
  const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
  return readCsvWith((r) => {
    let prev = 0;
    for (const p of [...points, text.length]) {
      r.push(text, prev, p);
      prev = p;
    }
  }, options);
}

function readCsvWith(feed: (r: CsvReader) => void, options: CsvTestOptions): Collected {
  const out: Collected = { header: [], rows: [], lines: [], issues: new Issues(options.lenient ?? false) };
  const r = new CsvReader(
    {
      addColumns(names) {
        out.header.push(...names);
      },
      row(row: RowView, loc) {
        const cells: string[] = [];
        for (let i = 0; i < row.count; i++) cells.push(cellText(row, i));
        out.rows.push(cells);
        out.lines.push(loc.recordLine);
      },
    },
    { file: 't.csv', issues: out.issues, delimiter: options.delimiter, maxRecord: options.maxRecord },
  );
  feed(r);
  r.end();
  return out;
}

/** The diagnostics a failing call throws (fails the test if it does not throw a DataError). */
export function diagnosticsOf(fn: () => unknown): Diagnostic[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataError) return e.diagnostics;
    throw e;
  }
  throw new Error('expected a DataError');
}

export async function diagnosticsOfAsync(fn: () => Promise<unknown>): Promise<Diagnostic[]> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof DataError) return e.diagnostics;
    throw e;
  }
  throw new Error('expected a DataError');
}

/** The DataError a failing call throws (fails the test if it does not throw one). */
export async function dataErrorOfAsync(fn: () => Promise<unknown>): Promise<DataError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError');
}

/** `line:column CODE message` of a diagnostic, for compact exact assertions. */
export function brief(d: Diagnostic): string {
  return `${d.range.start.line}:${d.range.start.column} ${d.code} ${d.message}`;
}

/** A failed load as plain data: each message with its code, line, column and offset, and the count of bad rows. */
export interface LoadFailure {
  error: { code: string; line: number; column: number; offset: number; message: string }[];
  badRows: number | null;
}

/** The failure of a load (rethrows anything that is not a DataError). */
export function loadFailure(e: unknown): LoadFailure {
  if (!(e instanceof DataError)) throw e;
  return {
    error: e.diagnostics.map((d) => ({ code: d.code, line: d.range.start.line, column: d.range.start.column, offset: d.range.start.offset, message: d.message })),
    badRows: e.badRows,
  };
}

/** Plain values of a leads table (every column, ids, lines, counts and messages), for deep equality. */
export function plainLeads(t: LeadTable): unknown {
  const columns: Record<string, unknown> = {};
  for (const [k, c] of t.columns)
    columns[k] = c.type === 'text' ? { type: c.type, dict: c.dict, codes: [...c.codes] } : { type: c.type, values: [...c.values] };
  return {
    n: t.n,
    ids: t.ids,
    lines: [...t.lines],
    outcome: [...t.outcome],
    createdAt: [...t.createdAt],
    closedAt: [...t.closedAt],
    columns,
    header: t.header,
    rejected: t.rejected,
    warnings: t.warnings,
  };
}

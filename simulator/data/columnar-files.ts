/**
 * Parquet and Apache Arrow data files (warehouse exports) as input of the
 * same readers as CSV (Node only).
 *
 * Input: a `.parquet` file (read with hyparquet, every codec through
 * hyparquet-compressors) or an Arrow IPC file or stream (`.arrow`,
 * `.feather`, `.ipc`, `.arrows`, read with apache-arrow).
 * Output: a DataSource that streams the table as CSV text, one row group
 * (Parquet) or record batch (Arrow) at a time, which the leads and events
 * loaders read exactly as they read a CSV file: every rule about ids,
 * outcomes, types, placeholders, `--lenient` and messages is the same, so
 * the same data gives the same report whatever its format.
 * How values become cells: null (and NaN) is an empty cell, i.e. missing;
 * text as is; numbers as JavaScript writes them (`1.5`, `12`, `1e+21`);
 * 64-bit integers in full; booleans `true`/`false`; timestamps and dates as
 * ISO 8601 UTC (`2025-04-01T11:40:00.000Z`); anything nested as JSON text.
 * Positions in messages: line N is data row N-1 (line 1 is the header), as
 * in the CSV of the same table; the column is the cell's position in that
 * CSV line.
 * Invariants: a file that is not valid Parquet/Arrow, or cannot be read,
 * becomes a DataError LQL522 naming the file, never a raw exception.
 */
import { readFileSync } from 'node:fs';
import { diag } from '../../language/diagnostics/registry.js';
import { DataError } from './errors.js';
import { at } from './records.js';
import type { DataSource } from './source.js';

export type ColumnarFormat = 'parquet' | 'arrow';

/** The columnar format named by a file name's extension, or undefined. */
export function columnarFormat(name: string): ColumnarFormat | undefined {
  const n = name.toLowerCase();
  if (n.endsWith('.parquet') || n.endsWith('.pq')) return 'parquet';
  if (n.endsWith('.arrow') || n.endsWith('.feather') || n.endsWith('.ipc') || n.endsWith('.arrows')) return 'arrow';
  return undefined;
}

function unreadable(path: string, format: ColumnarFormat, e: unknown): DataError {
  const why = e instanceof DataError ? null : e instanceof Error ? e.message : String(e);
  if (e instanceof DataError) return e;
  const code = (e as { code?: string }).code;
  const reason =
    code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a file' : code === 'EACCES' ? 'permission denied' : `not a valid ${format === 'parquet' ? 'Parquet' : 'Arrow IPC'} file (${why})`;
  return new DataError([diag('LQL522', at(1, 1, 0), { file: path, reason }, { file: path })]);
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

function quote(s: string): string {
  return NEEDS_QUOTES.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** One value as CSV cell text (see the header). */
export function cellOf(v: unknown, isTime = false): string {
  if (v === null || v === undefined) return '';
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      if (v !== v) return '';
      return isTime ? new Date(v).toISOString() : String(v);
    case 'bigint':
      return isTime ? new Date(Number(v)).toISOString() : String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString();
      return quote(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x)));
  }
}

/** Rows of cells (by column) as CSV lines. */
function csvLines(columns: ArrayLike<unknown>[], times: boolean[], from: number, to: number): string {
  const parts: string[] = [];
  const k = columns.length;
  for (let r = from; r < to; r++) {
    let line = '';
    for (let c = 0; c < k; c++) line += (c ? ',' : '') + cellOf(columns[c]![r], times[c]);
    parts.push(line);
  }
  return parts.length ? parts.join('\n') + '\n' : '';
}

function header(names: string[]): string {
  return names.map(quote).join(',') + '\n';
}

/** Rows per piece of CSV text handed to the reader. */
const PIECE = 8192;

async function* parquetPieces(path: string): AsyncGenerator<string> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  const file = await asyncBufferFromFile(path);
  const meta = await parquetMetadataAsync(file);
  const names = parquetSchema(meta).children.map((c) => c.element.name);
  yield header(names);
  let start = 0;
  for (const g of meta.row_groups) {
    const end = start + Number(g.num_rows);
    let columns: unknown[][] = [];
    await parquetRead({
      file,
      metadata: meta,
      compressors,
      rowStart: start,
      rowEnd: end,
      onComplete: (rows: unknown[][]) => {
        columns = names.map((_, c) => rows.map((row) => row[c]));
      },
    });
    const times = names.map(() => false);
    for (let r = 0; r < end - start; r += PIECE) yield csvLines(columns, times, r, Math.min(end - start, r + PIECE));
    start = end;
  }
}

async function* arrowPieces(path: string): AsyncGenerator<string> {
  const { tableFromIPC, Type } = await import('apache-arrow');
  const table = tableFromIPC(readFileSync(path));
  const fields = table.schema.fields;
  yield header(fields.map((f) => f.name));
  const times = fields.map((f) => f.typeId === Type.Timestamp || f.typeId === Type.Date);
  for (const batch of table.batches) {
    const columns = fields.map((_, c) => {
      const v = batch.getChildAt(c)!;
      return Array.from({ length: v.length }, (_x, i) => v.get(i) as unknown);
    });
    for (let r = 0; r < batch.numRows; r += PIECE) yield csvLines(columns, times, r, Math.min(batch.numRows, r + PIECE));
  }
}

/** A Parquet or Arrow file as a CSV DataSource (see the header). */
export function columnarSource(path: string, format: ColumnarFormat): DataSource {
  async function* chunks(): AsyncGenerator<string> {
    try {
      yield* format === 'parquet' ? parquetPieces(path) : arrowPieces(path);
    } catch (e) {
      throw unreadable(path, format, e);
    }
  }
  return { name: path, chunks: chunks(), format: 'csv' };
}

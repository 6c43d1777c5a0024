/**
 * LeadTable / EventTable <-> Apache Arrow: the columnar cache's file format
 * (`cache.ts`), readable by DuckDB, Polars and pandas too.
 *
 * Input: a loaded table (to write) or an Arrow IPC file's bytes (to read).
 * Output: an Arrow IPC file (`tableToIPC(..., 'file')`), or the same
 * LeadTable / EventTable back.
 * Layout, leads: `lql_id` (utf8), `lql_outcome` (int8: 1 won, 0 lost, -1
 * open), `lql_created_at`, `lql_closed_at` (timestamp ms, null missing),
 * `lql_line` (int32, the source line of each row), then one field per
 * attribute column: number -> float64, date -> timestamp ms, bool -> bool,
 * text -> dictionary<int32, utf8>; missing values are nulls. Events (in the
 * table's CSR order): `lead_id` (dictionary<int32, utf8> over the leads'
 * ids, so its indices are the lead rows), `type` (dictionary over the type
 * names), `at` (timestamp ms). What is not a column (file name, header,
 * skipped rows and their diagnostics, unknown leads and types) is JSON in
 * the schema's metadata under `lql`.
 * Invariants: fields are read by position, never by name (an attribute may
 * be called anything); a file whose metadata does not say it was written
 * by this format version is refused (`null`), as is anything malformed; a
 * round trip gives back equal tables (NaN for missing numbers, 2 for
 * missing bools, -1 for missing text codes).
 */
import {
  Bool,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int8,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  makeVector,
  tableFromIPC,
  tableToIPC,
  type Data,
  type DataType,
} from 'apache-arrow';
import type { Column, EventTable, LeadTable } from './table.js';

/** Bumped whenever the layout or the meaning of a cached table changes. */
export const CACHE_FORMAT = 1;

const META_KEY = 'lql';

interface LeadsMeta {
  format: number;
  kind: 'leads';
  key: string;
  file: string;
  header: string[];
  rejected: LeadTable['rejected'];
  warnings: LeadTable['warnings'];
  columns: { name: string; type: Column['type'] }[];
}

interface EventsMeta {
  format: number;
  kind: 'events';
  key: string;
  file: string;
  unknownLeads: EventTable['unknownLeads'];
  unknownTypes: Record<string, number>;
  rejected: EventTable['rejected'];
}

// ---------------------------------------------------------------------------
// building Arrow data

/** Validity bitmap (bit set = present) and null count for `isNull`. */
function validity(n: number, isNull: (i: number) => boolean): { bitmap: Uint8Array | undefined; nulls: number } {
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (isNull(i)) nulls++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap: nulls ? bitmap : undefined, nulls };
}

function f64Data(values: Float64Array): Data<Float64> {
  const v = validity(values.length, (i) => values[i] !== values[i]);
  return makeData({ type: new Float64(), length: values.length, nullCount: v.nulls, nullBitmap: v.bitmap, data: values });
}

/** Epoch ms (NaN missing) as a timestamp column: int64 little-endian words, written as int32 pairs. */
function timeData(values: Float64Array): Data<TimestampMillisecond> {
  const n = values.length;
  const words = new Int32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const t = values[i]!;
    if (t !== t) continue;
    const hi = Math.floor(t / 4294967296);
    words[2 * i] = t - hi * 4294967296;
    words[2 * i + 1] = hi;
  }
  const v = validity(n, (i) => values[i] !== values[i]);
  return makeData({ type: new TimestampMillisecond(), length: n, nullCount: v.nulls, nullBitmap: v.bitmap, data: words as unknown as BigInt64Array });
}

/** UTF-8 length of a string (lone surrogates count as 3 bytes, as TextEncoder writes U+FFFD). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 2 chars -> 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

function utf8Data(strings: readonly string[]): Data<Utf8> {
  const n = strings.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += utf8Length(strings[i]!);
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  const enc = new TextEncoder();
  // encode in pieces of about 1 MiB of text (one joined string per piece)
  let i = 0;
  while (i < n) {
    let j = i;
    let chars = 0;
    while (j < n && chars < 1 << 20) chars += strings[j++]!.length;
    enc.encodeInto(strings.slice(i, j).join(''), bytes.subarray(offsets[i]!, offsets[j]!));
    i = j;
  }
  return makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: bytes });
}

function dictData(codes: Int32Array, dict: readonly string[]): Data<Dictionary<Utf8, Int32>> {
  const type = new Dictionary(new Utf8(), new Int32());
  const v = validity(codes.length, (i) => codes[i]! < 0);
  return makeData({ type, length: codes.length, nullCount: v.nulls, nullBitmap: v.bitmap, data: codes, dictionary: makeVector(utf8Data(dict)) });
}

function boolData(values: Uint8Array): Data<Bool> {
  const n = values.length;
  const bits = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (values[i] === 1) bits[i >> 3]! |= 1 << (i & 7);
  const v = validity(n, (i) => values[i] === 2);
  return makeData({ type: new Bool(), length: n, nullCount: v.nulls, nullBitmap: v.bitmap, data: bits });
}

function columnData(c: Column): Data {
  switch (c.type) {
    case 'number':
      return f64Data(c.values);
    case 'date':
      return timeData(c.values);
    case 'bool':
      return boolData(c.values);
    case 'text':
      return dictData(c.codes, c.dict);
  }
}

function toIpc(names: string[], data: Data[], meta: object, n: number): Uint8Array {
  const fields = names.map((name, i) => new Field(name, data[i]!.type as DataType, true));
  const schema = new Schema(fields, new Map([[META_KEY, JSON.stringify(meta)]]));
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children: data });
  return tableToIPC(new Table(schema, [new RecordBatch(schema, struct)]), 'file');
}

/** A leads table as an Arrow IPC file; `key` is checked on reading (see `cache.ts`). */
export function leadsToArrow(t: LeadTable, key: string): Uint8Array {
  const cols = [...t.columns];
  const meta: LeadsMeta = {
    format: CACHE_FORMAT,
    kind: 'leads',
    key,
    file: t.file,
    header: t.header,
    rejected: t.rejected,
    warnings: t.warnings,
    columns: cols.map(([name, c]) => ({ name, type: c.type })),
  };
  const outcome = t.outcome;
  const data: Data[] = [
    utf8Data(t.ids),
    makeData({ type: new Int8(), length: t.n, nullCount: 0, data: outcome }),
    timeData(t.createdAt),
    timeData(t.closedAt),
    makeData({ type: new Int32(), length: t.n, nullCount: 0, data: t.lines }),
    ...cols.map(([, c]) => columnData(c)),
  ];
  return toIpc(['lql_id', 'lql_outcome', 'lql_created_at', 'lql_closed_at', 'lql_line', ...cols.map(([name]) => name)], data, meta, t.n);
}

/** An events table as an Arrow IPC file (lead ids come from `leads`). */
export function eventsToArrow(t: EventTable, leads: LeadTable, key: string): Uint8Array {
  const nLeads = t.offsets.length - 1;
  const m = t.types.length;
  const lead = new Int32Array(m);
  for (let i = 0; i < nLeads; i++) lead.fill(i, t.offsets[i]!, t.offsets[i + 1]!);
  const meta: EventsMeta = {
    format: CACHE_FORMAT,
    kind: 'events',
    key,
    file: t.file,
    unknownLeads: t.unknownLeads,
    unknownTypes: t.unknownTypes,
    rejected: t.rejected,
  };
  return toIpc(['lead_id', 'type', 'at'], [dictData(lead, leads.ids), dictData(t.types, t.typeNames), timeData(t.times)], meta, m);
}

// ---------------------------------------------------------------------------
// reading Arrow data back

/** The one record batch's column data (a cache file holds one batch). */
function columnsOf(table: Table): Data[] | null {
  if (table.batches.length !== 1) return table.numRows === 0 && table.batches.length === 0 ? [] : null;
  return table.batches[0]!.data.children;
}

function isNullAt(d: Data, i: number): boolean {
  const b = d.nullBitmap;
  return d.nullCount > 0 && b !== undefined && b.length > 0 && (b[(d.offset + i) >> 3]! & (1 << ((d.offset + i) & 7))) === 0;
}

function readF64(d: Data): Float64Array {
  const src = d.values as Float64Array;
  const out = src.slice(d.offset, d.offset + d.length);
  if (d.nullCount > 0) for (let i = 0; i < d.length; i++) if (isNullAt(d, i)) out[i] = NaN;
  return out;
}

function readTime(d: Data): Float64Array {
  const words = new Int32Array((d.values as BigInt64Array).buffer, (d.values as BigInt64Array).byteOffset + d.offset * 8, d.length * 2);
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
  if (d.nullCount > 0) for (let i = 0; i < d.length; i++) if (isNullAt(d, i)) out[i] = NaN;
  return out;
}

function readBool(d: Data): Uint8Array {
  const bits = d.values as Uint8Array;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const k = d.offset + i;
    out[i] = isNullAt(d, i) ? 2 : (bits[k >> 3]! >> (k & 7)) & 1;
  }
  return out;
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/** The strings of a utf8 column (one decode for ASCII text, then slices). */
export function readUtf8(d: Data): string[] {
  const offs = d.valueOffsets as Int32Array;
  const bytes = d.values as Uint8Array;
  const out = new Array<string>(d.length);
  const dec = new TextDecoder();
  const first = offs[d.offset]!;
  const last = offs[d.offset + d.length]!;
  if (isAscii(bytes.subarray(first, last))) {
    const all = dec.decode(bytes.subarray(first, last));
    for (let i = 0; i < d.length; i++) out[i] = all.slice(offs[d.offset + i]! - first, offs[d.offset + i + 1]! - first);
  } else {
    for (let i = 0; i < d.length; i++) out[i] = dec.decode(bytes.subarray(offs[d.offset + i]!, offs[d.offset + i + 1]!));
  }
  return out;
}

/** Dictionary codes, -1 for null: a view of the bytes read when nothing is null (the caller owns them). */
function readCodes(d: Data): Int32Array {
  const v = d.values as Int32Array;
  if (d.nullCount === 0) return v.subarray(d.offset, d.offset + d.length);
  const out = v.slice(d.offset, d.offset + d.length);
  for (let i = 0; i < d.length; i++) if (isNullAt(d, i)) out[i] = -1;
  return out;
}

function dictionaryStrings(d: Data): string[] {
  const dict = d.dictionary;
  if (!dict) throw new Error('dictionary missing');
  return dict.data.flatMap((x) => readUtf8(x));
}

function readColumn(d: Data, type: Column['type']): Column {
  switch (type) {
    case 'number':
      return { type, values: readF64(d) };
    case 'date':
      return { type, values: readTime(d) };
    case 'bool':
      return { type, values: readBool(d) };
    case 'text':
      return { type, codes: readCodes(d), dict: dictionaryStrings(d) };
  }
}

function metaOf<T extends { format: number; kind: string; key: string }>(table: Table, kind: T['kind'], key: string): T | null {
  const raw = table.schema.metadata.get(META_KEY);
  if (!raw) return null;
  const meta = JSON.parse(raw) as T;
  return meta.format === CACHE_FORMAT && meta.kind === kind && meta.key === key ? meta : null;
}

/** A cached leads table, or null when the bytes are not a leads cache of this format with this key. */
export function leadsFromArrow(bytes: Uint8Array, key: string): LeadTable | null {
  try {
    const table = tableFromIPC(bytes);
    const meta = metaOf<LeadsMeta>(table, 'leads', key);
    if (!meta) return null;
    const cols = columnsOf(table);
    if (!cols || cols.length !== 5 + meta.columns.length) return null;
    const n = table.numRows;
    const columns = new Map<string, Column>();
    meta.columns.forEach((c, i) => columns.set(c.name, readColumn(cols[5 + i]!, c.type)));
    const [ids, outcome, created, closed, lines] = cols as [Data, Data, Data, Data, Data];
    return {
      file: meta.file,
      n,
      ids: readUtf8(ids),
      lines: (lines.values as Int32Array).subarray(lines.offset, lines.offset + n),
      outcome: (outcome.values as Int8Array).subarray(outcome.offset, outcome.offset + n),
      createdAt: readTime(created),
      closedAt: readTime(closed),
      columns,
      header: meta.header,
      rejected: meta.rejected,
      warnings: meta.warnings,
    };
  } catch {
    return null;
  }
}

/** A cached events table for `leads`, or null when the bytes are not an events cache of this format with this key. */
export function eventsFromArrow(bytes: Uint8Array, leads: LeadTable, key: string): EventTable | null {
  try {
    const table = tableFromIPC(bytes);
    const meta = metaOf<EventsMeta>(table, 'events', key);
    if (!meta) return null;
    const cols = columnsOf(table);
    if (!cols || cols.length !== 3) return null;
    const [lead, type, at] = cols as [Data, Data, Data];
    const m = table.numRows;
    const rows = readCodes(lead);
    const offsets = new Int32Array(leads.n + 1);
    for (let j = 0; j < m; j++) {
      const r = rows[j]!;
      if (r < 0 || r >= leads.n || (j > 0 && r < rows[j - 1]!)) return null;
      offsets[r + 1]!++;
    }
    for (let i = 0; i < leads.n; i++) offsets[i + 1]! += offsets[i]!;
    const unknownTypes: Record<string, number> = Object.create(null);
    for (const [k, v] of Object.entries(meta.unknownTypes)) unknownTypes[k] = v;
    return {
      file: meta.file,
      offsets,
      types: readCodes(type),
      times: readTime(at),
      typeNames: dictionaryStrings(type),
      unknownLeads: meta.unknownLeads,
      unknownTypes,
      rejected: meta.rejected,
    };
  } catch {
    return null;
  }
}

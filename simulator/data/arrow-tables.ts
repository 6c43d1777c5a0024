/**
 * LeadTable / EventTable <-> Apache Arrow: the columnar cache's file format
 * (`cache.ts`), readable by Polars, pandas (pyarrow) and apache-arrow too.
 *
 * Input: a loaded table (to write) or an Arrow IPC file's bytes (to read).
 * Output: an Arrow IPC file (`tableToIPC(..., 'file')`), or the same
 * LeadTable / EventTable back.
 * Layout, leads: `lql_id` (utf8), `lql_outcome` (int8: 1 won, 0 lost, -1
 * open), `lql_created_at_ms`, `lql_closed_at_ms` (float64 epoch
 * milliseconds, UTC), `lql_line` (int32, the source line of each row), then
 * one field per attribute column: number -> float64, date -> float64 epoch
 * milliseconds (field metadata `unit`), bool -> bool, text ->
 * dictionary<int32, utf8>; missing values are nulls (a missing number's or
 * time's slot also holds NaN, a missing text code's -1). Times are floats,
 * not Arrow timestamps, so that they load without conversion. Events: one row
 * per lead, in the leads table's order: `lead_id` (utf8) and `events`, a
 * list of structs `type` (dictionary over the type names, its codes int8
 * for up to 128 names, else int16 or int32; loaded as they are) and
 * `at_ms` (float64, epoch milliseconds), in the table's CSR order: the
 * list's offsets are the table's `offsets`, its children its `types` and
 * `times`. What is not a column (file name, header, skipped rows and their
 * diagnostics, unknown leads and types) is JSON in the schema's metadata
 * under `lql`.
 * Reading is zero-copy where the layout allows: the typed arrays of a
 * loaded table (event offsets, types and times, numbers, text codes,
 * outcomes, lines) are views of the entry's bytes, so the caller hands over
 * a buffer it no longer uses (missing values are written into it in place).
 * Lead ids and text dictionaries stay UTF-8 until first read: `ids` and a
 * text column's `dict` are decoded when a caller first touches them (a
 * report names only a few leads; a ruleset reads only some columns).
 * Invariants: fields are read by position, never by name (an attribute may
 * be called anything); a file whose metadata does not say it was written
 * by this format version is refused (`null`), as is anything malformed (the
 * event offsets must rise from 0 to the number of events and every type
 * code must name a type); a round trip gives back equal tables (NaN for
 * missing numbers, 2 for missing bools, -1 for missing text codes).
 */
import {
  Bool,
  DataType,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int8,
  Int16,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeVector,
  tableFromIPC,
  tableToIPC,
  type Data,
} from 'apache-arrow';
import { type Column, type EventTable, type LeadTable, noteLatestByType } from './table.js';

/** Bumped whenever the layout or the meaning of a cached table changes. */
export const CACHE_FORMAT = 5;

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
  /** per type code, the latest event time (null: none); written with the entry, so a load needs no pass over the times */
  latest: (number | null)[];
  /** the earliest event time (null: no events), for the same reason */
  earliest: number | null;
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

/** The UTF-8 of a leads table loaded from an entry, until its `ids` are decoded or replaced (written again without encoding). */
const idBytes = new WeakMap<LeadTable, Data<Utf8>>();

/** The lead ids as a utf8 column. */
function idData(t: LeadTable): Data<Utf8> {
  return idBytes.get(t) ?? utf8Data(t.ids);
}

/** Give `obj[key]` the value `make()` on first access (then a plain property); `onSet` runs if it is assigned first. */
function lazy<T extends object, K extends keyof T>(obj: T, key: K, make: () => T[K], onSet?: () => void): void {
  const settle = (value: T[K]) => Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get() {
      const v = make();
      settle(v);
      onSet?.();
      return v;
    },
    set(v: T[K]) {
      settle(v);
      onSet?.();
    },
  });
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
      return f64Data(c.values);
    case 'bool':
      return boolData(c.values);
    case 'text':
      return dictData(c.codes, c.dict);
  }
}

function toIpc(names: string[], data: Data[], meta: object, n: number, fieldMeta: (Map<string, string> | undefined)[] = []): Uint8Array {
  const fields = names.map((name, i) => new Field(name, data[i]!.type as DataType, true, fieldMeta[i]));
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
    idData(t),
    makeData({ type: new Int8(), length: t.n, nullCount: 0, data: outcome }),
    f64Data(t.createdAt),
    f64Data(t.closedAt),
    makeData({ type: new Int32(), length: t.n, nullCount: 0, data: t.lines }),
    ...cols.map(([, c]) => columnData(c)),
  ];
  const ms = new Map([['unit', 'epoch milliseconds, UTC']]);
  const fieldMeta = [undefined, undefined, ms, ms, undefined, ...cols.map(([, c]) => (c.type === 'date' ? ms : undefined))];
  return toIpc(['lql_id', 'lql_outcome', 'lql_created_at_ms', 'lql_closed_at_ms', 'lql_line', ...cols.map(([name]) => name)], data, meta, t.n, fieldMeta);
}

/**
 * Per type code, the latest event time (null: no event of the type), and the
 * earliest of all; noted on the table too (`noteLatestByType`), so the run
 * that saves the entry does not scan the times again.
 */
function timeSpan(t: EventTable): { latest: (number | null)[]; earliest: number | null } {
  const latest = new Float64Array(t.typeNames.length).fill(-Infinity);
  let earliest = Infinity;
  const { types, times } = t;
  for (let j = 0; j < types.length; j++) {
    const x = times[j]!;
    if (x > latest[types[j]!]!) latest[types[j]!] = x;
    if (x < earliest) earliest = x;
  }
  noteLatestByType(t, latest, earliest);
  return { latest: Array.from(latest, (v) => (v === -Infinity ? null : v)), earliest: earliest === Infinity ? null : earliest };
}

/** An events table as an Arrow IPC file: one row per lead of `leads`, its events as a list (the CSR arrays as they are). */
export function eventsToArrow(t: EventTable, leads: LeadTable, key: string): Uint8Array {
  const n = t.offsets.length - 1;
  const m = t.types.length;
  const meta: EventsMeta = {
    format: CACHE_FORMAT,
    kind: 'events',
    key,
    file: t.file,
    unknownLeads: t.unknownLeads,
    unknownTypes: t.unknownTypes,
    rejected: t.rejected,
    ...timeSpan(t),
  };
  // type codes in the narrowest integer that holds them (one byte per event for up to 128 types)
  const k = t.typeNames.length;
  const typeType = new Dictionary(new Utf8(), k <= 128 ? new Int8() : k <= 32_768 ? new Int16() : new Int32());
  const codes = k <= 128 ? Int8Array.from(t.types) : k <= 32_768 ? Int16Array.from(t.types) : t.types;
  const event = new Struct([new Field('type', typeType, false), new Field('at_ms', new Float64(), false)]);
  const list = new List(new Field('event', event, false));
  const types = makeData({ type: typeType, length: m, nullCount: 0, data: codes, dictionary: makeVector(utf8Data(t.typeNames)) });
  const times = makeData({ type: new Float64(), length: m, nullCount: 0, data: t.times });
  const events = makeData({
    type: list,
    length: n,
    nullCount: 0,
    valueOffsets: t.offsets,
    child: makeData({ type: event, length: m, nullCount: 0, children: [types, times] }),
  });
  return toIpc(['lead_id', 'events'], [idData(leads), events], meta, n);
}

// ---------------------------------------------------------------------------
// reading Arrow data back

/** The one record batch's column data (a cache file holds one batch). */
function columnsOf(table: Table): Data[] | null {
  if (table.batches.length !== 1) return table.numRows === 0 && table.batches.length === 0 ? [] : null;
  return table.batches[0]!.data.children;
}

/** Each null position of `d` (0-based from the data's offset). */
function eachNull(d: Data, f: (i: number) => void): void {
  const b = d.nullBitmap;
  if (d.nullCount === 0 || b === undefined || b.length === 0) return;
  for (let i = 0; i < d.length; i++) {
    const k = d.offset + i;
    if ((b[k >> 3]! & (1 << (k & 7))) === 0) f(i);
  }
}

function isNullAt(d: Data, i: number): boolean {
  const b = d.nullBitmap;
  return d.nullCount > 0 && b !== undefined && b.length > 0 && (b[(d.offset + i) >> 3]! & (1 << ((d.offset + i) & 7))) === 0;
}

/** Numbers, NaN for null: a view of the entry's bytes (NaN written into null slots). */
function readF64(d: Data): Float64Array {
  const out = (d.values as Float64Array).subarray(d.offset, d.offset + d.length);
  eachNull(d, (i) => {
    out[i] = NaN;
  });
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

/** Dictionary codes, -1 for null: a view of the entry's bytes (-1 written into null slots). */
function readCodes(d: Data): Int32Array {
  const out = (d.values as Int32Array).subarray(d.offset, d.offset + d.length);
  eachNull(d, (i) => {
    out[i] = -1;
  });
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
      return { type, values: readF64(d) };
    case 'bool':
      return { type, values: readBool(d) };
    case 'text': {
      // the dictionary (often one distinct value per lead, e.g. e-mail addresses) is decoded when first read
      const c: Column = { type, codes: readCodes(d), dict: [] };
      lazy(c, 'dict', () => dictionaryStrings(d));
      return c;
    }
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
    const [ids, outcome, created, closed, lines] = cols as [Data, Data, Data, Data, Data];
    const fits = (d: Data, is: (t: DataType) => boolean) => is(d.type) && d.length === n;
    const isInt = DataType.isInt.bind(DataType);
    const isFloat = DataType.isFloat.bind(DataType);
    if (!fits(ids, (t) => DataType.isUtf8(t)) || !fits(outcome, isInt) || !fits(created, isFloat) || !fits(closed, isFloat) || !fits(lines, isInt)) return null;
    const kinds: Record<Column['type'], (t: DataType) => boolean> = {
      number: isFloat,
      date: isFloat,
      bool: (t) => DataType.isBool(t),
      text: (t) => DataType.isDictionary(t),
    };
    const columns = new Map<string, Column>();
    for (const [i, c] of meta.columns.entries()) {
      const d = cols[5 + i]!;
      if (!fits(d, kinds[c.type])) return null;
      columns.set(c.name, readColumn(d, c.type));
    }
    const outcomes = outcome.values as Int8Array;
    if (!(outcomes instanceof Int8Array)) return null;
    // 1 won, 0 lost, -1 open: the report counts by outcome + 1
    for (let i = outcome.offset; i < outcome.offset + n; i++) if (outcomes[i]! < -1 || outcomes[i]! > 1) return null;
    const t: LeadTable = {
      file: meta.file,
      n,
      ids: [],
      lines: (lines.values as Int32Array).subarray(lines.offset, lines.offset + n),
      outcome: outcomes.subarray(outcome.offset, outcome.offset + n),
      createdAt: readF64(created),
      closedAt: readF64(closed),
      columns,
      header: meta.header,
      rejected: meta.rejected,
      warnings: meta.warnings,
    };
    // the ids stay UTF-8 until read (most runs never read them); an events entry written for this table reuses the bytes
    idBytes.set(t, ids as Data<Utf8>);
    lazy(
      t,
      'ids',
      () => readUtf8(ids),
      () => idBytes.delete(t),
    );
    return t;
  } catch {
    return null;
  }
}

/** A cached events table for `leads`, or null when the bytes are not an events cache of this format with this key for as many leads. */
export function eventsFromArrow(bytes: Uint8Array, leads: LeadTable, key: string): EventTable | null {
  try {
    const table = tableFromIPC(bytes);
    const meta = metaOf<EventsMeta>(table, 'events', key);
    if (!meta) return null;
    const cols = columnsOf(table);
    const n = leads.n;
    if (!cols || cols.length !== 2 || table.numRows !== n) return null;
    const list = cols[1]!;
    if (!DataType.isList(list.type) || list.nullCount !== 0 || list.children.length !== 1) return null;
    const event = list.children[0]!;
    if (!DataType.isStruct(event.type) || event.children.length !== 2 || event.offset !== 0) return null;
    const [type, at] = event.children as [Data, Data];
    if (!DataType.isDictionary(type.type) || !DataType.isFloat(at.type) || type.nullCount !== 0 || at.nullCount !== 0) return null;
    const m = event.length;
    if (type.length !== m || at.length !== m || type.offset !== 0 || at.offset !== 0) return null;
    const offsets = (list.valueOffsets as Int32Array).subarray(list.offset, list.offset + n + 1);
    if (offsets.length !== n + 1 || offsets[0] !== 0 || offsets[n] !== m) return null;
    for (let i = 0; i < n; i++) if (offsets[i + 1]! < offsets[i]!) return null;
    const types = (type.values as EventTable['types']).subarray(0, m);
    const times = (at.values as Float64Array).subarray(0, m);
    const typed = types instanceof Int8Array || types instanceof Int16Array || types instanceof Int32Array;
    if (!typed || !(times instanceof Float64Array) || types.length !== m || times.length !== m) return null;
    const typeNames = dictionaryStrings(type);
    const k = typeNames.length;
    for (let j = 0; j < m; j++) {
      const c = types[j]!;
      if (c < 0 || c >= k) return null;
    }
    if (!Array.isArray(meta.latest) || meta.latest.length !== k) return null;
    if (meta.earliest !== null && typeof meta.earliest !== 'number') return null;
    const latest = Float64Array.from(meta.latest, (v) => (typeof v === 'number' ? v : -Infinity));
    const unknownTypes: Record<string, number> = Object.create(null);
    for (const [name, v] of Object.entries(meta.unknownTypes)) unknownTypes[name] = v;
    noteLatestByType({ times, types }, latest, meta.earliest ?? Infinity);
    return {
      file: meta.file,
      offsets,
      types,
      times,
      typeNames,
      unknownLeads: meta.unknownLeads,
      unknownTypes,
      rejected: meta.rejected,
    };
  } catch {
    return null;
  }
}

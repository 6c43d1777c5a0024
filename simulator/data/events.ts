/**
 * Loading an events table (CSV or JSON Lines: `lead_id`, `type`, `at`) into
 * CSR order for replay.
 *
 * Input: a DataSource, the LeadTable the events belong to, the ruleset's
 * activity names in declaration order, and LoadOptions (lenient, progress,
 * cancellation).
 * Output: an EventTable (see `table.ts`): `offsets` (n leads + 1), and per
 * event a type code and a time in epoch ms, the events of lead i at
 * `offsets[i] .. offsets[i+1]-1`, sorted by time; type codes are the
 * activities' positions, then types not declared in first-seen order.
 * Invariants: stable: events with equal times keep their file order; an
 * event whose lead id is not in the leads table is counted (with a sample of
 * up to 10 such ids), never stored and never silently dropped; events of an
 * undeclared type are kept and counted per type; no string is kept per
 * event, and the finished table takes 12 bytes per event plus 4 per lead
 * (rows are collected in growable typed arrays: lead, type, time; when the
 * file lists the events lead by lead in the leads' order, the arrays read
 * become the table's, without a copy).
 */
import { diag } from '../../language/diagnostics/registry.js';
import { suggest as suggestName } from '../../language/shared/names.js';
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import { badTime, Issues } from './errors.js';
import { control, leadIndex, reader, showValue, type ReadOptions } from './leads.js';
import { at, cellText, type Locator, type RecordReader, type RecordSink, type RowView } from './records.js';
import { Interner } from './intern.js';
import { feed, feedSync, type DataFormat, type DataSource } from './source.js';
import { CsvReader } from './csv.js';
import { EventBytesReader } from './event-bytes.js';
import type { EventTable, LeadTable, LoadOptions } from './table.js';
import { growF64, growI32 } from './columns.js';
import { detach, isBlankRange, parseTimeRange } from './values.js';
import type { DateOrder } from '../../language/shared/values.js';

const SAMPLE = 10;

const REQUIRED: [string, string][] = [
  ['lead_id', 'the id of a lead in the leads file'],
  ['type', 'the name of an activity, such as demo_request'],
  ['at', 'a time: ISO 8601 such as 2026-01-10T09:30:00Z, or epoch milliseconds'],
];

const OPTION = ['--event-lead', '--event-type', '--event-time'];

/** What to do about a missing events column: the nearest name in the header, or the option that names it. */
function eventColumnsHint(k: number, names: readonly string[], header: readonly string[]): string {
  const near = suggestName(
    names[k]!,
    header.filter((h) => !names.includes(h)),
  )[0];
  if (near) return ` Did you mean \`${showValue(near)}\`? Use ${OPTION[k]} "${showValue(near)}".`;
  return ` Expected the columns lead_id, type and at, or name this one with ${OPTION[k]} COL.`;
}

/**
 * The events of one part of a file, read by a worker (`parallel.ts`): lead
 * ids are coded in first-seen order (`leadKeys`) rather than looked up, so a
 * worker needs no copy of the leads; the main thread maps the codes to rows.
 */
export interface EventsPart {
  n: number;
  /** per event: the index of its lead id in `leadKeys` */
  lead: Int32Array;
  /** per event: the index of its type in `typeNames` (the activities first, as in the whole file) */
  type: Int32Array;
  time: Float64Array;
  leadKeys: string[];
  typeNames: string[];
  /** events per type name, for the types after the activities */
  typeCounts: number[];
  /** bad rows (skipped), and the first ones' diagnostics */
  rows: number;
  diagnostics: Diagnostic[];
}

export class EventsBuilder implements RecordSink {
  readonly issues: Issues;
  /** the names of the lead id, type and time columns (`--event-lead`, `--event-type`, `--event-time`) */
  private readonly names: [string, string, string];
  private readonly dateFormat: DateOrder | null;
  private started = false;
  private leadCol = -1;
  private typeCol = -1;
  private atCol = -1;
  private readonly header: string[] = [];
  /** the lead ids: the leads table's index, or (a part read alone) the ids coded so far */
  readonly ids: Interner;
  readonly local: boolean;
  readonly typeMap = new Interner();
  readonly typeNames: string[];
  private readonly declared: number;
  private typeCounts: number[] = [];
  /** the previous row's lead id and row: events often come grouped by lead */
  private lastId = '';
  private lastLead = -2;
  unknownEvents = 0;
  readonly sample: string[] = [];
  private readonly sampled = new Set<string>();

  n = 0;
  private cap = 1 << 16;
  lead: Int32Array = new Int32Array(this.cap);
  type: Int32Array = new Int32Array(this.cap);
  time: Float64Array = new Float64Array(this.cap);
  /** bytes read so far and in all, to size the arrays from the first rows */
  done = 0;
  total = 0;

  /**
   * `leads` null: a part of a file read on its own (see EventsPart): each
   * new lead id gets the next code.
   */
  constructor(
    readonly file: string,
    readonly leads: LeadTable | null,
    activities: readonly string[],
    options: LoadOptions,
    /** where to write the first events (a part's place in a table being assembled, see `parallel.ts`); past its end, arrays of the builder's own */
    into?: EventRegion,
  ) {
    if (into) {
      this.cap = Math.min(into.type.length, into.time.length);
      this.type = into.type.subarray(0, this.cap);
      this.time = into.time.subarray(0, this.cap);
      this.lead = new Int32Array(this.cap);
    }
    this.issues = new Issues(options.lenient === true);
    this.dateFormat = options.dateFormat ?? null;
    const c = options.eventColumns ?? {};
    this.names = [c.lead ?? 'lead_id', c.type ?? 'type', c.time ?? 'at'];
    this.local = leads === null;
    this.ids = leads ? leadIndex(leads) : new Interner();
    this.typeNames = [];
    for (const a of activities) {
      this.typeMap.add(a, this.typeNames.length);
      if (this.typeMap.added) this.typeNames.push(a);
    }
    this.declared = this.typeNames.length;
    this.typeCounts = new Array<number>(this.declared).fill(0);
  }

  addColumns(names: string[], loc: Locator): void {
    for (const name of names) {
      const j = this.header.length;
      this.header.push(name);
      if (name === this.names[0] && this.leadCol < 0) this.leadCol = j;
      else if (name === this.names[1] && this.typeCol < 0) this.typeCol = j;
      else if (name === this.names[2] && this.atCol < 0) this.atCol = j;
    }
    if (this.started) return;
    this.started = true;
    const cols = [this.leadCol, this.typeCol, this.atCol];
    for (let k = 0; k < 3; k++) {
      if (cols[k]! >= 0) continue;
      const found = this.header.slice(0, 12).map((n) => '`' + showValue(n) + '`');
      if (this.header.length > 12) found.push(`and ${this.header.length - 12} more`);
      this.issues.fatal(
        diag(
          'LQL502',
          loc.recordRange(),
          { kind: 'events', column: showValue(this.names[k]!), hint: eventColumnsHint(k, this.names, this.header), found: found.join(', ') || '(none)' },
          { file: this.file },
        ),
      );
    }
  }

  private grow(): void {
    let cap = Math.ceil(this.cap * 1.5);
    if (this.done > 0 && this.total > this.done && this.cap === 1 << 16) {
      // size from the rows so far: rows per byte times the whole file, plus a margin
      cap = Math.max(cap, Math.ceil(((this.n * this.total) / this.done) * 1.05));
    }
    this.cap = cap;
    this.lead = growI32(this.lead, cap);
    this.type = growI32(this.type, cap);
    this.time = growF64(this.time, cap);
  }

  /** The lead id, type and time columns' positions in the header (-1 before it is read). */
  get columns(): [number, number, number] {
    return [this.leadCol, this.typeCol, this.atCol];
  }

  /** Store an event whose row was read elsewhere (`event-bytes.ts`): its lead's row (or code), type code and time. */
  add(li: number, code: number, t: number): void {
    if (code >= this.declared) this.typeCounts[code]!++;
    this.store(li, code, t);
  }

  private store(li: number, code: number, t: number): void {
    const i = this.n;
    if (i === this.cap) this.grow();
    this.lead[i] = li;
    this.type[i] = code;
    this.time[i] = t;
    this.n = i + 1;
  }

  private missingField(k: number, loc: Locator, j: number): void {
    this.issues.reject(diag('LQL517', loc.fieldRange(j), { column: showValue(this.names[k]!), expected: REQUIRED[k]![1] }, { file: this.file }));
  }

  row(row: RowView, loc: Locator): void {
    const count = row.count;
    const buf = row.buf;
    const lc = this.leadCol;
    const tc = this.typeCol;
    const ac = this.atCol;
    // lead id
    let ls = buf;
    let la = 0;
    let lb = 0;
    if (lc < count) {
      const e = row.esc[lc];
      if (e != null) {
        ls = e;
        lb = e.length;
      } else {
        la = row.starts[lc]!;
        lb = row.ends[lc]!;
      }
    }
    if (isBlankRange(ls, la, lb)) return this.missingField(0, loc, lc);
    // type
    let ts = buf;
    let ta = 0;
    let tb = 0;
    if (tc < count) {
      const e = row.esc[tc];
      if (e != null) {
        ts = e;
        tb = e.length;
      } else {
        ta = row.starts[tc]!;
        tb = row.ends[tc]!;
      }
    }
    if (isBlankRange(ts, ta, tb)) return this.missingField(1, loc, tc);
    // time
    let as = buf;
    let aa = 0;
    let ab = 0;
    if (ac < count) {
      const e = row.esc[ac];
      if (e != null) {
        as = e;
        ab = e.length;
      } else {
        aa = row.starts[ac]!;
        ab = row.ends[ac]!;
      }
    }
    if (isBlankRange(as, aa, ab)) return this.missingField(2, loc, ac);
    const t = parseTimeRange(as, aa, ab, this.dateFormat);
    if (t !== t) {
      this.issues.reject(badTime('LQL518', loc.fieldRange(ac), showValue(cellText(row, ac)), showValue(this.names[2]), this.file, this.dateFormat));
      return;
    }
    const tm = this.typeMap;
    const te = tm.intern(ts, ta, tb, this.typeNames.length);
    if (tm.added) {
      this.typeNames.push(tm.keys[te]!);
      this.typeCounts.push(0);
    }
    const code = tm.values[te]!;
    if (code >= this.declared) this.typeCounts[code]!++;
    let li = -2;
    const last = this.lastId;
    if (last.length === lb - la) {
      let i = 0;
      while (i < last.length && last.charCodeAt(i) === ls.charCodeAt(la + i)) i++;
      if (i === last.length) li = this.lastLead;
    }
    if (li === -2) {
      const e = this.local ? this.ids.intern(ls, la, lb, this.ids.size) : this.ids.find(ls, la, lb);
      li = e < 0 ? -1 : this.ids.values[e]!;
      this.lastId = e < 0 ? '' : this.ids.keys[e]!;
      this.lastLead = e < 0 ? -2 : li;
    }
    if (li < 0) {
      this.unknownEvents++;
      if (this.sample.length < SAMPLE) {
        const id = detach(ls.slice(la, lb));
        if (!this.sampled.has(id)) {
          this.sampled.add(id);
          this.sample.push(id);
        }
      }
      return;
    }
    this.store(li, code, t);
  }

  /** The part read (local mode; bad rows are counted, a strict load stops once all parts are joined). */
  part(): EventsPart {
    return {
      n: this.n,
      lead: this.lead.subarray(0, this.n),
      type: this.type.subarray(0, this.n),
      time: this.time.subarray(0, this.n),
      leadKeys: this.ids.keys,
      typeNames: this.typeNames,
      typeCounts: this.typeCounts,
      rows: this.issues.rows,
      diagnostics: this.issues.diagnostics,
    };
  }

  /** A file with no header line at all. */
  checkStarted(): void {
    if (!this.started) {
      this.issues.fatal(diag('LQL500', at(1, 1, 0), { expected: 'lead_id, type, at', item: 'event' }, { file: this.file }));
    }
  }

  finish(): EventTable {
    this.checkStarted();
    this.issues.settle();
    const { offsets, types, times } = eventsInLeadOrder(this.leads!.n, [{ lead: this.lead, type: this.type, time: this.time, n: this.n }], () => {
      // release the row-order arrays before sorting
      this.lead = this.type = new Int32Array(0);
      this.time = new Float64Array(0);
    });
    const unknownTypes: Record<string, number> = Object.create(null) as Record<string, number>;
    for (let c = this.declared; c < this.typeNames.length; c++) unknownTypes[this.typeNames[c]!] = this.typeCounts[c]!;
    return {
      file: this.file,
      offsets,
      types,
      times,
      typeNames: this.typeNames,
      unknownLeads: { events: this.unknownEvents, sample: this.sample },
      unknownTypes,
      rejected: { rows: this.issues.rows, diagnostics: this.issues.diagnostics },
    };
  }
}

/** Room for a part's events inside the arrays of a table being assembled (shared memory). */
export interface EventRegion {
  type: Int32Array;
  time: Float64Array;
}

/** Events in file order, in parts: each event's lead row (-1: not a known lead, left out), type code and time. */
export interface EventRun {
  lead: Int32Array;
  type: Int32Array;
  time: Float64Array;
  n: number;
  /** lead code -> row (-1 unknown); absent: the codes are rows */
  leadMap?: Int32Array;
  /** type code -> type code of the table; absent: the same */
  typeMap?: Int32Array;
}

/**
 * The CSR arrays of events given in file order (in runs, one after the
 * other): per lead, its events sorted by time, equal times in file order.
 * `runs` is emptied, and `release` called, once the runs are no longer
 * needed (before sorting), so their arrays can be freed.
 */
export function eventsInLeadOrder(
  nLeads: number,
  runs: EventRun[],
  release: () => void = () => {},
  /** the arrays in shared memory the runs were written into, when they were (see `compactRegions`) */
  whole?: EventRegion,
): { offsets: Int32Array; types: Int32Array; times: Float64Array } {
  const offsets = new Int32Array(nLeads + 1);
  // events per lead, and whether the runs, one after the other, list every event's lead in the leads' order
  let ordered = true;
  let prev = 0;
  for (const r of runs) {
    const { lead, leadMap } = r;
    for (let e = 0; e < r.n; e++) {
      const l = leadMap ? leadMap[lead[e]!]! : lead[e]!;
      if (l >= 0) offsets[l + 1]!++;
      if (l < prev) ordered = false;
      else prev = l;
    }
  }
  for (let l = 0; l < nLeads; l++) offsets[l + 1]! += offsets[l]!;
  const n = offsets[nLeads]!;
  const table = (types: Int32Array, times: Float64Array) => {
    // the runs' arrays can go before sorting
    runs.length = 0;
    release();
    sortSegments(offsets, types, times);
    return { offsets, types, times };
  };
  if (ordered) {
    // in CSR order already (as exports grouped by lead are): kept as they are, or moved together in place
    const kept = runs.length === 1 ? keptWhole(runs[0]!, n) : whole ? compactRegions(runs, n, whole) : null;
    if (kept) return table(kept.types, kept.times);
  }
  const types = new Int32Array(n);
  const times = new Float64Array(n);
  if (ordered) {
    let p = 0;
    for (const r of runs) {
      const { typeMap } = r;
      if (remaps(typeMap)) {
        for (let e = 0; e < r.n; e++) types[p + e] = typeMap[r.type[e]!]!;
      } else types.set(r.type.subarray(0, r.n), p);
      times.set(r.time.subarray(0, r.n), p);
      p += r.n;
      // this run's memory can go now (the runs are several, each a part of the file)
      r.lead = r.type = new Int32Array(0);
      r.time = new Float64Array(0);
    }
    return table(types, times);
  }
  const cursor = offsets.slice(0, nLeads);
  for (const r of runs) {
    const { lead, leadMap, typeMap } = r;
    const rawType = r.type;
    const rawTime = r.time;
    for (let e = 0; e < r.n; e++) {
      const l = leadMap ? leadMap[lead[e]!]! : lead[e]!;
      if (l < 0) continue;
      const p = cursor[l]!++;
      types[p] = typeMap ? typeMap[rawType[e]!]! : rawType[e]!;
      times[p] = rawTime[e]!;
    }
  }
  return table(types, times);
}

/** Whether a type map changes any code. */
function remaps(typeMap: Int32Array | undefined): typeMap is Int32Array {
  return typeMap !== undefined && typeMap.some((g, c) => g !== c);
}

/**
 * A single run in lead order with the table's type codes: its arrays are
 * the table's, not copied (views when nearly full, else copied to size:
 * the room left after the last growth). Null when its codes are mapped.
 */
function keptWhole(r: EventRun, n: number): { types: Int32Array; times: Float64Array } | null {
  if (remaps(r.typeMap)) return null;
  const fits = r.type.length <= n + (n >> 4) + 64;
  return { types: fits ? r.type.subarray(0, n) : r.type.slice(0, n), times: fits ? r.time.subarray(0, n) : r.time.slice(0, n) };
}

/**
 * Runs written into regions of `whole` (`EventRegion`), in order, each
 * within its region: moved down in place to be consecutive (their type
 * codes mapped on the way), so the table is the front of those arrays and
 * no new memory is touched. A run's arrays are then views of `whole`'s
 * shared memory at its region (received from a worker, they are other
 * objects over the same memory: checked by their kind, size, place and
 * first values). Null when the runs are not all so.
 */
function compactRegions(runs: EventRun[], n: number, whole: EventRegion): { types: Int32Array; times: Float64Array } | null {
  const types = whole.type;
  const times = whole.time;
  let end = 0;
  for (const r of runs) {
    const { type, time } = r;
    if (!(type.buffer instanceof SharedArrayBuffer) || !(time.buffer instanceof SharedArrayBuffer)) return null;
    if (type.buffer.byteLength !== types.buffer.byteLength || time.buffer.byteLength !== times.buffer.byteLength) return null;
    const at = (type.byteOffset - types.byteOffset) / 4;
    if (at < end || (time.byteOffset - times.byteOffset) / 8 !== at || at + r.n > types.length) return null;
    if (r.n > 0 && (types[at] !== type[0] || !Object.is(times[at], time[0]))) return null;
    end = at + r.n;
  }
  let p = 0;
  for (const r of runs) {
    const at = (r.type.byteOffset - types.byteOffset) / 4;
    const { typeMap } = r;
    if (remaps(typeMap)) {
      // forward: the destination never passes the source (p <= at)
      for (let e = 0; e < r.n; e++) types[p + e] = typeMap[types[at + e]!]!;
    } else if (at !== p) types.copyWithin(p, at, at + r.n);
    if (at !== p) times.copyWithin(p, at, at + r.n);
    p += r.n;
  }
  return { types: types.subarray(0, n), times: times.subarray(0, n) };
}

/**
 * Sort each lead's events by time, in place, keeping file order for equal
 * times (the scatter into CSR already put each lead's events in file order).
 */
export function sortSegments(offsets: Int32Array, types: Int32Array, times: Float64Array): void {
  const nLeads = offsets.length - 1;
  for (let l = 0; l < nLeads; l++) {
    const a = offsets[l]!;
    const b = offsets[l + 1]!;
    let sorted = true;
    for (let k = a + 1; k < b; k++) {
      if (times[k]! < times[k - 1]!) {
        sorted = false;
        break;
      }
    }
    if (sorted) continue;
    if (b - a <= 32) {
      for (let k = a + 1; k < b; k++) {
        const t = times[k]!;
        const ty = types[k]!;
        let m = k - 1;
        while (m >= a && times[m]! > t) {
          times[m + 1] = times[m]!;
          types[m + 1] = types[m]!;
          m--;
        }
        times[m + 1] = t;
        types[m + 1] = ty;
      }
    } else {
      const idx: number[] = [];
      for (let k = a; k < b; k++) idx.push(k);
      idx.sort((x, y) => times[x]! - times[y]! || x - y);
      const ts = idx.map((k) => times[k]!);
      const tys = idx.map((k) => types[k]!);
      for (let k = 0; k < ts.length; k++) {
        times[a + k] = ts[k]!;
        types[a + k] = tys[k]!;
      }
    }
  }
}

/** A type name reduced for matching: case, spaces, dashes and dots do not count (`Demo Request` ~ `demo_request`). */
function loose(name: string): string {
  return name.toLowerCase().replace(/[\s\-.]+/g, '_');
}

/** The closest name among `candidates` (same loose form, else a small edit distance), or null. */
function closeName(name: string, candidates: string[]): string | null {
  const l = loose(name);
  const same = candidates.find((c) => loose(c) === l);
  if (same !== undefined) return same;
  return suggestName(l, candidates.map(loose)).map((x) => candidates[candidates.map(loose).indexOf(x)]!)[0] ?? null;
}

/**
 * Warnings about an events table: events of unknown leads (LQL519),
 * undeclared types (LQL520, with the closest declared activity), and
 * declared activities no event has (LQL524, with the closest type in the
 * data), as LQL521 does for columns.
 */
export function eventWarnings(table: EventTable): Diagnostic[] {
  const out: Diagnostic[] = [];
  const where = at(1, 1, 0);
  if (table.unknownLeads.events > 0) {
    out.push(
      diag(
        'LQL519',
        where,
        {
          count: table.unknownLeads.events,
          sample: table.unknownLeads.sample.map((s) => '`' + showValue(s) + '`').join(', '),
        },
        { file: table.file },
      ),
    );
  }
  const unknown = Object.keys(table.unknownTypes);
  const declared = table.typeNames.filter((t) => !Object.hasOwn(table.unknownTypes, t));
  for (const type of unknown) {
    const near = closeName(type, declared);
    out.push(
      diag(
        'LQL520',
        where,
        { count: table.unknownTypes[type]!, type: showValue(type), hint: near !== null ? ` Did you mean \`${near}\`?` : '' },
        { file: table.file },
      ),
    );
  }
  const seen = new Uint8Array(table.typeNames.length);
  // stops once every type is seen (usually within the first events)
  for (let j = 0, left = seen.length; j < table.types.length && left > 0; j++) {
    const c = table.types[j]!;
    if (!seen[c]) {
      seen[c] = 1;
      left--;
    }
  }
  for (const [k, name] of table.typeNames.entries()) {
    if (seen[k] || Object.hasOwn(table.unknownTypes, name)) continue;
    const near = closeName(name, unknown);
    out.push(
      diag(
        'LQL524',
        where,
        { activity: name, hint: near !== null ? ` The data has type \`${showValue(near)}\`: rename one of the two so they match.` : '' },
        { file: table.file },
      ),
    );
  }
  return out;
}

/** The reader of an events file: a CSV file's bytes are read by `EventBytesReader`. */
function eventsReader(b: EventsBuilder, options: ReadOptions): (format: DataFormat) => RecordReader {
  const make = reader(b, options);
  return (format) => {
    const r = make(format);
    return r instanceof CsvReader ? new EventBytesReader(b, r, options.maxRecord) : r;
  };
}

/** Load an events table for `leads` from any source (a file stream, or text in memory). */
export async function loadEvents(
  src: DataSource,
  leads: LeadTable,
  activities: readonly string[],
  options: LoadOptions & ReadOptions = {},
): Promise<EventTable> {
  const b = new EventsBuilder(src.name, leads, activities, options);
  await feed({ ...src, format: options.format ?? src.format }, eventsReader(b, options), control(b, options));
  return b.finish();
}

/** Load an events table from text in memory, synchronously. */
export function loadEventsSync(src: DataSource, leads: LeadTable, activities: readonly string[], options: LoadOptions & ReadOptions = {}): EventTable {
  const b = new EventsBuilder(src.name, leads, activities, options);
  feedSync({ ...src, format: options.format ?? src.format }, eventsReader(b, options), control(b, options));
  return b.finish();
}

/**
 * Reading a large CSV file in parts, one per worker, and joining the parts'
 * results into the one table a single reader would have built.
 *
 * Input: the bytes of one part (for every part but the first, the file's
 * header line is put in front, so each part is read as a small CSV file of
 * its own), in memory or as chunks read from disk (`PartText`), and, to
 * join, the parts' results in file order.
 * Output: `readPart` -> what the join checks of any part (leads or
 * events): did it end exactly at the end of a row (`clean`), the lines and
 * characters it read; `placeParts` -> where each part's lines and
 * characters start in the file, and the bad rows of all of them;
 * `readEventsPart` -> an EventsPart with that; `transferList` -> the
 * buffers of a part's typed arrays (moved, not copied, between threads);
 * `joinEventParts` -> the
 * EventTable, or null when the parts cannot stand for the whole file and it
 * must be read in one piece (leads: `lead-parts.ts`).
 * Invariants: a split is speculative (it is made after a line break, without
 * knowing whether that break is inside a quoted field) and verified here: a
 * part is only used when every part before it ended clean, at a row's end
 * with nothing pending (a split inside quotes, between CR and LF, inside a
 * row or inside a UTF-8 character never ends clean). Then each part was
 * read exactly as the single reader reads those bytes, and its line numbers
 * and character offsets are shifted by the lines and characters before it.
 * Errors: bad rows are counted over all parts and the first ones kept (the
 * first STRICT_LISTED in file order stop a strict load, the first MAX_KEPT
 * are kept by a lenient one); an error with the file as a whole stops the
 * load at the first part that has it;
 * an error whose message itself quotes a line number (or that a bad split
 * may cause, such as bytes that are not UTF-8) sends the file to the single
 * reader, so every message is the one it would give. No dependency on
 * node: (the browser can use the same parts).
 */
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import { CsvReader } from './csv.js';
import { DataError, MAX_KEPT, STRICT_LISTED } from './errors.js';
import { EventBytesReader } from './event-bytes.js';
import { EventsBuilder, eventsInLeadOrder, type EventRegion, type EventRun, type EventsPart } from './events.js';
import { Interner } from './intern.js';
import { control, leadIndex, type TableBuilder } from './leads.js';
import type { RecordReader } from './records.js';
import { feedSync } from './source.js';
import type { EventTable, LeadTable, LoadOptions } from './table.js';

/** Codes whose message quotes a line or that a split can cause: such a part is read again by the single reader. */
const REREAD = new Set(['LQL508', 'LQL509', 'LQL530']);

export interface PartOptions {
  file: string;
  activities: readonly string[];
  lenient?: boolean;
  dateFormat?: LoadOptions['dateFormat'];
  eventColumns?: LoadOptions['eventColumns'];
  delimiter?: string;
  maxRecord?: number;
  /** where to write the part's events (shared memory of the table being assembled; `parallel.ts`) */
  into?: EventRegion;
}

export interface EventsPartResult extends EventsPart, PartRead {}

/** How a part was read: what the join checks and needs to place it in the file. */
export interface PartRead {
  /** the part ended at a row's end, nothing pending */
  clean: boolean;
  /** the error with the file as a whole that stopped it (a missing column...), null if none */
  error: Diagnostic[] | null;
  /** the error came at the part's end, where it was cut (it may not be one in the whole file) */
  errorAtEnd: boolean;
  /** the line its data starts on, and the line reached at its end (in its own numbering) */
  dataLine: number;
  endLine: number;
  /** characters of the header put in front, and characters read in all */
  prefixChars: number;
  chars: number;
}

/** A table builder that reads a part (the leads' or the events'). */
export interface PartBuilder extends TableBuilder {
  /** throws LQL500 when no header line was read */
  checkStarted(): void;
}

/**
 * A part as it is read: its bytes in memory, its text (a part known to be
 * ASCII), or the header's bytes (`head`) then the part's bytes as chunks
 * read one after the other (`size` bytes in all), so that a part read from
 * disk is never held whole in memory.
 */
export type PartText = Uint8Array | string | { head: Uint8Array; chunks: Iterable<Uint8Array>; size: number };

function* headThen(head: Uint8Array, chunks: Iterable<Uint8Array>): Generator<Uint8Array> {
  if (head.length) yield head;
  yield* chunks;
}

/**
 * Read one part into `b`: `bytes` holds the header (`prefix` bytes, 0 for
 * the first part, which starts with the file's own header) followed by the
 * part; given as text, `prefix` counts characters; given as chunks, it is
 * the length of `head`. `onProgress(done, total, rows)` as it goes.
 */
export function readPart(
  b: PartBuilder,
  bytes: PartText,
  prefix: number,
  opts: Pick<PartOptions, 'file' | 'delimiter' | 'maxRecord'>,
  onProgress?: (done: number, total: number, rows?: number) => void,
): PartRead {
  let csv: CsvReader | null = null;
  let clean = false;
  let ending = false;
  const make = (): RecordReader => {
    const r = new CsvReader(b, { file: opts.file, issues: b.issues, delimiter: opts.delimiter, maxRecord: opts.maxRecord });
    csv = r;
    // an events part is read from its bytes, as a whole events file is
    const front = b instanceof EventsBuilder ? new EventBytesReader(b, r, opts.maxRecord) : null;
    const reader: RecordReader = front ?? r;
    return {
      push: (t, s, e) => reader.push(t, s, e),
      ...(front ? { pushBytes: (x: Uint8Array) => front.pushBytes(x) } : {}),
      end: () => {
        // whether the part ended at a row's end, once every line read is counted
        front?.drain();
        clean = r.idle;
        ending = true;
        reader.end();
      },
    };
  };
  let error: Diagnostic[] | null = null;
  const inMemory = typeof bytes === 'string' || ArrayBuffer.isView(bytes);
  const head = inMemory ? bytes : bytes.head;
  try {
    // the part's size sizes the arrays from the rows per byte of the first ones, as for a whole file
    const src = inMemory ? { text: bytes } : { chunks: headThen(bytes.head, bytes.chunks), size: bytes.size };
    feedSync({ name: opts.file, ...src, format: 'csv' }, make, control(b, onProgress ? { onProgress } : {}));
    b.checkStarted();
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    error = e.diagnostics;
    clean = false;
  }
  const r = csv as CsvReader | null;
  const prefixChars = prefix === 0 || typeof head === 'string' ? prefix : new TextDecoder().decode(head.subarray(0, prefix)).length;
  return {
    clean,
    error,
    errorAtEnd: error !== null && ending,
    dataLine: r?.dataLine ?? 1,
    endLine: r?.lineReached ?? 1,
    prefixChars,
    chars: r?.charsRead ?? 0,
  };
}

/** Read one part of an events file (see `readPart`). */
export function readEventsPart(
  bytes: PartText,
  prefix: number,
  opts: PartOptions,
  onProgress?: (done: number, total: number, rows?: number) => void,
): EventsPartResult {
  const b = new EventsBuilder(
    opts.file,
    null,
    opts.activities,
    {
      lenient: opts.lenient === true,
      dateFormat: opts.dateFormat,
      eventColumns: opts.eventColumns,
    },
    opts.into,
  );
  const read = readPart(b, bytes, prefix, opts, onProgress);
  return { ...b.part(), ...read };
}

function collectBuffers(x: unknown, out: Set<ArrayBuffer>, depth: number): void {
  if (depth > 4 || x === null || typeof x !== 'object') return;
  if (ArrayBuffer.isView(x)) {
    if (x.buffer instanceof ArrayBuffer) out.add(x.buffer);
  } else if (x instanceof Map) {
    for (const v of x.values()) collectBuffers(v, out, depth + 1);
  } else if (!Array.isArray(x)) {
    for (const v of Object.values(x)) collectBuffers(v, out, depth + 1);
  }
}

/** The distinct buffers of the typed arrays in a part's result, to transfer to the thread that joins rather than copy. */
export function transferList(result: unknown): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  collectBuffers(result, out, 0);
  return [...out];
}

/** A part's diagnostic at its place in the whole file. */
export function shiftDiagnostic(d: Diagnostic, { lines, chars }: PartShift): Diagnostic {
  const r = d.range;
  return {
    ...d,
    range: {
      start: { ...r.start, line: r.start.line + lines, offset: r.start.offset + chars },
      end: { ...r.end, line: r.end.line + lines, offset: r.end.offset + chars },
    },
  };
}

/** Where a part's lines and characters start in the whole file (added to its own positions). */
export interface PartShift {
  lines: number;
  chars: number;
}

/**
 * Place the parts in the file: each part's shift, and the bad rows of all
 * of them (their count, the first ones kept with file positions); null when
 * they cannot stand for the file (a part did not end clean, or an error
 * must come from the single reader). Throws the first error in file order,
 * and, for a strict load, the bad rows (as the single reader does at the
 * end of the file).
 */
export function placeParts(
  parts: readonly (PartRead & { rows: number; diagnostics: Diagnostic[] })[],
  lenient: boolean,
): { shifts: PartShift[]; rows: number; kept: Diagnostic[] } | null {
  let line = 0;
  let chars = 0;
  let rows = 0;
  const kept: Diagnostic[] = [];
  const shifts: PartShift[] = [];
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    const start = k === 0 ? p.dataLine : line;
    const dl = start - p.dataLine;
    const dc = chars - p.prefixChars;
    if (p.error) {
      if (p.error.some((d) => REREAD.has(d.code)) || (p.errorAtEnd && k < parts.length - 1)) return null;
      throw new DataError(p.error.map((d) => shiftDiagnostic(d, { lines: dl, chars: dc })));
    }
    if (!p.clean && k < parts.length - 1) return null;
    if (p.diagnostics.some((d) => REREAD.has(d.code))) return null;
    rows += p.rows;
    const keep = lenient ? MAX_KEPT : STRICT_LISTED;
    for (const d of p.diagnostics) if (kept.length < keep) kept.push(shiftDiagnostic(d, { lines: dl, chars: dc }));
    shifts.push({ lines: dl, chars: dc });
    line = start + (p.endLine - p.dataLine);
    chars = dc + p.chars;
  }
  // a strict load with bad rows stops here, as the single reader does at the end of the file
  if (!lenient && rows > 0) throw new DataError(kept, rows);
  return { shifts, rows, kept };
}

/**
 * The table of all the parts, in file order; null when they cannot stand
 * for the file (see `placeParts`). Throws the first error in file order.
 */
export function joinEventParts(
  file: string,
  leads: LeadTable,
  activities: readonly string[],
  parts: EventsPartResult[],
  lenient: boolean,
  /** the shared arrays the parts were written into (`PartOptions.into`), when they were */
  whole?: EventRegion,
): EventTable | null {
  const placed = placeParts(parts, lenient);
  if (!placed) return null;
  const { rows, kept } = placed;
  // type codes: the activities first, then the other types in first-seen order, as one reader finds them
  const typeIndex = new Interner();
  const typeNames: string[] = [];
  for (const a of activities) {
    typeIndex.add(a, typeNames.length);
    if (typeIndex.added) typeNames.push(a);
  }
  const declared = typeNames.length;
  const counts: number[] = [];
  // lead ids to rows: a file that lists the events in the leads' order names the next lead each time,
  // found without an index; the index is built only for an id that is not where that order puts it
  let index: Interner | null = null;
  let next = 0;
  const rowOf = (id: string): number => {
    if (next < leads.ids.length && leads.ids[next] === id) return next++;
    // the last lead of the part before, continued in this one
    if (next > 0 && leads.ids[next - 1] === id) return next - 1;
    index ??= leadIndex(leads);
    const e = index.find(id, 0, id.length);
    if (e < 0) return -1;
    next = index.values[e]! + 1;
    return next - 1;
  };
  const sample: string[] = [];
  const sampled = new Set<string>();
  let events = 0;
  const runs: EventRun[] = parts.map((p) => {
    events += p.n;
    const typeMap = new Int32Array(p.typeNames.length);
    for (let c = 0; c < p.typeNames.length; c++) {
      if (c < declared) {
        typeMap[c] = c;
        continue;
      }
      const name = p.typeNames[c]!;
      const e = typeIndex.intern(name, 0, name.length, typeNames.length);
      if (typeIndex.added) {
        typeNames.push(name);
        counts[typeNames.length - 1] = 0;
      }
      const g = typeIndex.values[e]!;
      typeMap[c] = g;
      counts[g] = (counts[g] ?? 0) + p.typeCounts[c]!;
    }
    const leadMap = new Int32Array(p.leadKeys.length);
    for (let c = 0; c < p.leadKeys.length; c++) {
      const id = p.leadKeys[c]!;
      const row = rowOf(id);
      leadMap[c] = row;
      if (row < 0 && sample.length < 10 && !sampled.has(id)) {
        sampled.add(id);
        sample.push(id);
      }
    }
    const run = { lead: p.lead, type: p.type, time: p.time, n: p.n, leadMap, typeMap };
    // the run holds the part's arrays from here on (a run copied whole lets them go at once; scattered, after all runs)
    p.lead = p.type = new Int32Array(0);
    p.time = new Float64Array(0);
    return run;
  });
  const { offsets, types, times } = eventsInLeadOrder(leads.n, runs, undefined, whole);
  const unknownTypes: Record<string, number> = Object.create(null) as Record<string, number>;
  for (let c = declared; c < typeNames.length; c++) unknownTypes[typeNames[c]!] = counts[c]!;
  return {
    file,
    offsets,
    types,
    times,
    typeNames,
    unknownLeads: { events: events - offsets[leads.n]!, sample },
    unknownTypes,
    rejected: { rows, diagnostics: kept },
  };
}

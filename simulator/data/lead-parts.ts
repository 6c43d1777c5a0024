/**
 * Reading a large leads file in parts (one per worker) and joining them into
 * the LeadTable the single reader would have built.
 *
 * Input: to read, the bytes of one part with the file's header line put in
 * front (as `parts.ts` does for events); to join, the parts' results in file
 * order and the load options.
 * Output: `readLeadsPart` -> the part's table (undeclared columns not yet
 * typed), its data-row count and what the join checks (`PartRead`);
 * `joinLeadParts` -> the LeadTable (with its id index, built while checking
 * the ids, kept for the events as the single reader keeps its own), or null
 * when the parts cannot stand for the file and it must be read in one piece.
 * Invariants: the joined table equals the single reader's: rows in file
 * order, source lines and message positions shifted by the lines and
 * characters before each part (`placeParts`), `@row` ids renumbered by the
 * data rows before each part, text dictionaries merged in first-seen order
 * and undeclared columns typed from all their values (`typedByValues`).
 * Null (read whole instead) when a cut was not at a row's end, when an id
 * appears in two parts (the single reader names the first line of a
 * duplicate), or when an undeclared column is all numbers in one part and
 * holds other text in another (the single reader keeps the numbers' exact
 * text, which a part read as numbers no longer has). No dependency on node:
 * (the browser's workers read the parts).
 */
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import { diag } from '../../language/diagnostics/registry.js';
import { typedByValues } from './columns.js';
import { DataError } from './errors.js';
import { Interner } from './intern.js';
import { keepLeadIndex, LeadsBuilder } from './leads.js';
import { type PartOptions, type PartRead, type PartText, placeParts, readPart } from './parts.js';
import { at } from './records.js';
import type { Column, LeadTable, LoadOptions } from './table.js';
import { isBlank } from './values.js';

export type LeadsPartOptions = Pick<PartOptions, 'file' | 'delimiter' | 'maxRecord'> &
  Pick<LoadOptions, 'id' | 'outcome' | 'missing' | 'lenient' | 'dateFormat' | 'types' | 'only'>;

export interface LeadsPartResult extends PartRead {
  /** the part's rows; its undeclared columns are numbers (every value a number) or text, not yet typed */
  table: LeadTable;
  /** the undeclared columns, typed at the join */
  inferred: string[];
  /** data rows read, kept or not (`@row` ids count them) */
  dataRows: number;
}

/** Read one part of a leads file (see `readPart`). */
export function readLeadsPart(
  bytes: PartText,
  prefix: number,
  opts: LeadsPartOptions,
  onProgress?: (done: number, total: number, rows?: number) => void,
): LeadsPartResult {
  const { file, delimiter, maxRecord, ...load } = opts;
  const b = new LeadsBuilder(file, load);
  const read = readPart(b, bytes, prefix, { file, delimiter, maxRecord }, onProgress);
  return { ...b.part(), ...read };
}

function concat<T extends Float64Array | Int8Array | Int32Array | Uint8Array>(make: (n: number) => T, arrays: T[], n: number): T {
  const out = make(n);
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** Text columns merged: one dictionary in first-seen order, the parts' codes mapped into it. */
function mergeText(cols: { codes: Int32Array; dict: string[] }[], n: number): { codes: Int32Array; dict: string[] } {
  const table = new Interner();
  const dict: string[] = [];
  const codes = new Int32Array(n);
  let o = 0;
  for (const c of cols) {
    const map = new Int32Array(c.dict.length);
    for (let k = 0; k < c.dict.length; k++) {
      const s = c.dict[k]!;
      const e = table.intern(s, 0, s.length, dict.length);
      if (table.added) dict.push(s);
      map[k] = table.values[e]!;
    }
    for (let i = 0; i < c.codes.length; i++) {
      const x = c.codes[i]!;
      codes[o++] = x < 0 ? -1 : map[x]!;
    }
  }
  return { codes, dict };
}

/** One column of all the parts; null when the parts disagree in a way only the single reader settles. */
function joinColumn(cols: Column[], inferred: boolean, n: number): Column | null {
  const first = cols[0]!;
  if (cols.every((c) => c.type === first.type)) {
    if (first.type === 'text') {
      const merged = mergeText(cols as { codes: Int32Array; dict: string[] }[], n);
      return inferred ? typedByValues(merged.codes, merged.dict, n) : { type: 'text', ...merged };
    }
    if (first.type === 'bool')
      return {
        type: 'bool',
        values: concat(
          (k) => new Uint8Array(k),
          cols.map((c) => (c as { values: Uint8Array }).values),
          n,
        ),
      };
    return {
      type: first.type,
      values: concat(
        (k) => new Float64Array(k),
        cols.map((c) => (c as { values: Float64Array }).values),
        n,
      ),
    };
  }
  // an undeclared column: numbers in some parts; the others must hold no value at all (then it stays a number column)
  if (!inferred) return null;
  const values = new Float64Array(n);
  let o = 0;
  for (const c of cols) {
    if (c.type === 'number') values.set(c.values, o);
    else if (c.type === 'text' && c.dict.every(isBlank)) values.fill(NaN, o, o + c.codes.length);
    else return null;
    o += c.type === 'number' ? c.values.length : c.codes.length;
  }
  return { type: 'number', values };
}

/**
 * The leads table of all the parts, in file order; null when they cannot
 * stand for the file. Throws the first error in file order, the bad rows
 * of a strict load, and LQL501 when the file has no lead.
 */
export function joinLeadParts(file: string, parts: LeadsPartResult[], options: Pick<LoadOptions, 'id' | 'lenient'>): LeadTable | null {
  const placed = placeParts(
    parts.map((p) => ({ ...p, rows: p.table.rejected.rows, diagnostics: p.table.rejected.diagnostics })),
    options.lenient === true,
  );
  if (!placed) return null;
  const tables = parts.map((p) => p.table);
  let n = 0;
  for (const t of tables) n += t.n;
  if (n === 0 && placed.rows === 0) throw new DataError([diag('LQL501', at(1, 1, 0), { item: 'lead' }, { file })]);
  // ids: `@row` numbers count the data rows before each part; others must be unique across the parts
  const ids: string[] = new Array(n);
  const rowIds = options.id === '@row';
  const seen = new Interner();
  if (!rowIds) seen.reserve(n);
  let o = 0;
  let rowsBefore = 0;
  for (let k = 0; k < parts.length; k++) {
    const t = tables[k]!;
    for (let i = 0; i < t.n; i++) {
      let id = t.ids[i]!;
      if (rowIds) id = String(Number(id) + rowsBefore);
      else {
        seen.intern(id, 0, id.length, o);
        if (!seen.added) return null;
      }
      ids[o++] = id;
    }
    rowsBefore += parts[k]!.dataRows;
  }
  const lines = new Int32Array(n);
  o = 0;
  for (let k = 0; k < parts.length; k++) {
    const t = tables[k]!;
    const dl = placed.shifts[k]!.lines;
    for (let i = 0; i < t.n; i++) lines[o++] = t.lines[i]! + dl;
  }
  const head = tables[0]!;
  const inferred = new Set(parts[0]!.inferred);
  const columns = new Map<string, Column>();
  for (const name of head.columns.keys()) {
    const col = joinColumn(
      tables.map((t) => t.columns.get(name)!),
      inferred.has(name),
      n,
    );
    if (!col) return null;
    columns.set(name, col);
  }
  const kept: Diagnostic[] = placed.kept;
  const table: LeadTable = {
    file,
    n,
    ids,
    lines,
    outcome: concat(
      (k) => new Int8Array(k),
      tables.map((t) => t.outcome),
      n,
    ),
    createdAt: concat(
      (k) => new Float64Array(k),
      tables.map((t) => t.createdAt),
      n,
    ),
    closedAt: concat(
      (k) => new Float64Array(k),
      tables.map((t) => t.closedAt),
      n,
    ),
    columns,
    header: head.header,
    rejected: { rows: placed.rows, diagnostics: kept },
    warnings: head.warnings,
  };
  // the ids checked unique are the table's id index (entry and value: the row), as the single reader keeps its own
  if (!rowIds) keepLeadIndex(table, seen);
  return table;
}

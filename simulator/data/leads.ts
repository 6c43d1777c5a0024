/**
 * Loading a leads table (CSV or JSON Lines) into a typed columnar LeadTable.
 *
 * Input: a DataSource and LoadOptions: the id column (`id`; `@row` numbers
 * the data rows 1, 2, ... in file order, counting skipped rows, so an id is
 * always the row's position in the file), the outcome column (`outcome`),
 * `--missing` placeholders, the ruleset's attribute types, lenient mode,
 * progress and cancellation.
 * Output: a LeadTable (see `table.ts`): ids, outcome (1 won, 0 lost, -1
 * open), `created_at` / `closed_at` as epoch ms (NaN missing), and every
 * other column typed by the ruleset's declaration or inferred from all its
 * values (`columns.ts`).
 * Invariants: every kept row has a non-empty, unique id, a known outcome
 * word and valid values in every typed column (declared number/date/bool,
 * `created_at`, `closed_at`); a bad row is skipped whole (no column gets a
 * value from it) and counted; at the end of the rows a strict load stops
 * (DataError, the first bad rows and their count) and a lenient one keeps
 * them in
 * `rejected`; a blank cell or a `--missing` placeholder is missing in every
 * column (open for the outcome); column names are only ever Map keys.
 */
import { diag } from '../../language/diagnostics/registry.js';
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import type { AttrType } from '../../language/syntax/ast.js';
import { CsvReader } from './csv.js';
import { badTime, Issues } from './errors.js';
import { JsonlReader } from './jsonl.js';
import { at, cellText, type Locator, type RecordReader, type RecordSink, type RowView } from './records.js';
import { Interner } from './intern.js';
import { feed, feedSync, type DataFormat, type DataSource } from './source.js';
import type { Column, LeadTable, LoadOptions } from './table.js';
import { DictBuilder, growF64, growI32, growI8, growU8 } from './columns.js';
import { detach, isBlankRange, parseBoolRange, parseNumberRange, parseOutcomeRange, parseTimeRange } from './values.js';

/** Extra knobs of the readers (tests and special files). */
export interface ReadOptions {
  /** force `csv` or `jsonl` (default: from the file name, else the first character) */
  format?: DataFormat;
  /** CSV delimiter (default: detected from the header line) */
  delimiter?: string;
  /** longest row in characters (default 1 MiB) */
  maxRecord?: number;
  /** piece size for text in memory (default 32 Ki characters) */
  chunkSize?: number;
}

const enum Kind {
  Id = 1,
  Outcome,
  Created,
  Closed,
  Num,
  Date,
  Bool,
  Text,
  Infer,
  /** not read (`LoadOptions.only`) */
  Skip,
}

/** A short, one-line rendering of a cell for messages. */
export function showValue(s: string): string {
  let t = s.length > 60 ? s.slice(0, 57) + '...' : s;
  t = t.replace(/[\u0000-\u001f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : ' '));
  return t;
}

/** The declared type of a column, read as an own entry (a column named `constructor` is not a type). */
export function declaredType(types: LoadOptions['types'], name: string): AttrType | undefined {
  if (!types) return undefined;
  if (types instanceof Map) return types.get(name);
  const rec = types as Record<string, AttrType>;
  return Object.hasOwn(rec, name) ? rec[name] : undefined;
}

function declaredNames(types: LoadOptions['types']): string[] {
  if (!types) return [];
  return types instanceof Map ? [...types.keys()] : Object.keys(types);
}

function listColumns(names: string[]): string {
  const shown = names.slice(0, 12).map((n) => '`' + showValue(n) + '`');
  if (names.length > 12) shown.push(`and ${names.length - 12} more`);
  return shown.length ? shown.join(', ') : '(none)';
}

/** Close matches of `want` among `names` (case, blanks, `_` vs space), for hints. */
function similar(want: string, names: string[]): string | undefined {
  const norm = (s: string) => s.trim().toLowerCase().replace(/[\s_-]+/g, '');
  const w = norm(want);
  return names.find((n) => n !== want && norm(n) === w);
}

export class LeadsBuilder implements RecordSink {
  readonly issues: Issues;
  private readonly idName: string;
  private readonly rowIds: boolean;
  private readonly outcomeName: string;
  private readonly missing: Set<string>;
  readonly header: string[] = [];
  private readonly index = new Map<string, number>();
  private kinds: Kind[] = [];
  private idCol = -1;
  private outcomeCol = -1;
  private createdCol = -1;
  private closedCol = -1;
  // typed attribute columns (number / date / bool): column index and builder
  private numIdx: number[] = [];
  private numKind: Kind[] = [];
  private numVals: Float64Array[] = [];
  private boolIdx: number[] = [];
  private boolVals: Uint8Array[] = [];
  private dictIdx: number[] = [];
  private dicts: DictBuilder[] = [];
  private scratchNum = new Float64Array(16);
  private scratchBool = new Uint8Array(16);
  private started = false;

  n = 0;
  private cap = 1024;
  /** data rows read (kept or not): `@row` ids count them */
  dataRows = 0;
  ids: string[] = [];
  /**
   * lead id -> row, kept from the first id that does not sort after the one
   * before (until then every id is new: it is greater than all kept ids)
   */
  readonly idIndex = new Interner();
  hashIds = false;
  /** the last kept id */
  private lastId = '';
  /** the columns read besides the id, outcome and dates (null: all) */
  private readonly only: ReadonlySet<string> | null;
  /** the `--missing` placeholders, looked up in place */
  private readonly placeholders = new Interner();
  lines = new Int32Array(this.cap);
  outcome = new Int8Array(this.cap);
  createdAt = new Float64Array(this.cap);
  closedAt = new Float64Array(this.cap);

  constructor(
    readonly file: string,
    readonly options: LoadOptions,
  ) {
    this.issues = new Issues(options.lenient === true);
    this.idName = options.id ?? 'id';
    this.rowIds = this.idName === '@row';
    this.outcomeName = options.outcome ?? 'outcome';
    this.missing = new Set(options.missing ?? []);
    this.missing.delete('');
    for (const m of this.missing) this.placeholders.add(m, 0);
    this.only = options.only ? new Set(options.only) : null;
  }

  /** A blank cell or a `--missing` placeholder. */
  private isMissing(s: string, a: number, b: number): boolean {
    return isBlankRange(s, a, b) || (this.placeholders.size > 0 && this.placeholders.find(s, a, b) >= 0);
  }

  addColumns(names: string[], loc: Locator): void {
    const first = !this.started;
    this.started = true;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const j = this.header.length;
      const prev = this.index.get(name);
      if (prev !== undefined) {
        this.issues.fatal(
          diag('LQL503', loc.fieldRange(j), { column: showValue(name), first: prev + 1, second: j + 1 }, { file: this.file }),
        );
      }
      this.index.set(name, j);
      this.header.push(name);
      this.addColumn(name, j);
    }
    if (first) this.checkRequired(loc);
  }

  private addColumn(name: string, j: number): void {
    let kind: Kind;
    if (!this.rowIds && name === this.idName && this.idCol < 0) {
      kind = Kind.Id;
      this.idCol = j;
    } else if (name === this.outcomeName && this.outcomeCol < 0) {
      kind = Kind.Outcome;
      this.outcomeCol = j;
    } else if (name === 'created_at' && this.createdCol < 0) {
      kind = Kind.Created;
      this.createdCol = j;
    } else if (name === 'closed_at' && this.closedCol < 0) {
      kind = Kind.Closed;
      this.closedCol = j;
    } else if (this.only && !this.only.has(name)) {
      kind = Kind.Skip;
    } else {
      const t = declaredType(this.options.types, name);
      if (t === 'number' || t === 'date') {
        kind = t === 'number' ? Kind.Num : Kind.Date;
        const v = new Float64Array(this.cap);
        v.fill(NaN, 0, this.n);
        this.numIdx.push(j);
        this.numKind.push(kind);
        this.numVals.push(v);
        if (this.numIdx.length > this.scratchNum.length) this.scratchNum = new Float64Array(this.numIdx.length * 2);
      } else if (t === 'bool') {
        kind = Kind.Bool;
        const v = new Uint8Array(this.cap);
        v.fill(2, 0, this.n);
        this.boolIdx.push(j);
        this.boolVals.push(v);
        if (this.boolIdx.length > this.scratchBool.length) this.scratchBool = new Uint8Array(this.boolIdx.length * 2);
      } else {
        kind = t === 'text' ? Kind.Text : Kind.Infer;
        this.dictIdx.push(j);
        this.dicts.push(new DictBuilder(this.cap, this.missing, this.n, kind === Kind.Infer));
      }
    }
    this.kinds[j] = kind;
  }

  private checkRequired(loc: Locator): void {
    const where = loc.recordRange();
    if (!this.rowIds && this.idCol < 0) {
      const near = similar(this.idName, this.header);
      const hint =
        (near ? ` Did you mean \`${showValue(near)}\`? Use --id "${showValue(near)}".` : ' Name the id column with --id COL,') +
        (near ? ' Or use --id @row to number the rows.' : ' or use --id @row to number the rows.');
      this.issues.fatal(
        diag('LQL502', where, { kind: 'leads', column: showValue(this.idName), hint, found: listColumns(this.header) }, { file: this.file }),
      );
    }
    if (this.outcomeCol < 0) {
      const near = similar(this.outcomeName, this.header);
      const hint = near
        ? ` Did you mean \`${showValue(near)}\`? Use --outcome "${showValue(near)}".`
        : ' Name the outcome column with --outcome COL.';
      this.issues.fatal(
        diag('LQL502', where, { kind: 'leads', column: showValue(this.outcomeName), hint, found: listColumns(this.header) }, { file: this.file }),
      );
    }
  }

  /** bytes read so far and in all (from the progress hook), to size the columns from the rows read */
  done = 0;
  total = 0;

  /**
   * Room for more rows: sized from the rows per character read so far when
   * the total size is known and not all read (so the columns end nearly
   * full and are kept without a copy), else doubled.
   */
  private grow(loc: Locator): void {
    let cap = this.cap * 2;
    const read = loc.recordRange().start.offset;
    if (read > 0 && this.total > this.done && this.total > read) {
      const estimate = Math.ceil(((this.n * this.total) / read) * 1.03) + 64;
      cap = Math.max(this.cap + (this.cap >> 3), estimate);
    }
    this.cap = cap;
    if (this.hashIds) this.idIndex.reserve(cap);
    this.lines = growI32(this.lines, cap);
    this.outcome = growI8(this.outcome, cap);
    this.createdAt = growF64(this.createdAt, cap);
    this.closedAt = growF64(this.closedAt, cap);
    for (let k = 0; k < this.numVals.length; k++) this.numVals[k] = growF64(this.numVals[k]!, cap);
    for (let k = 0; k < this.boolVals.length; k++) this.boolVals[k] = growU8(this.boolVals[k]!, cap);
    for (const d of this.dicts) d.grow(cap);
  }

  private time(row: RowView, j: number, loc: Locator): number | undefined {
    if (j < 0 || j >= row.count) return NaN;
    let buf = row.buf;
    let a = row.starts[j]!;
    let b = row.ends[j]!;
    const e = row.esc[j];
    if (e != null) {
      buf = e;
      a = 0;
      b = e.length;
    }
    if (this.isMissing(buf, a, b)) return NaN;
    const t = parseTimeRange(buf, a, b, this.options.dateFormat);
    if (t !== t) {
      this.issues.reject(badTime('LQL513', loc.fieldRange(j), showValue(cellText(row, j)), showValue(this.header[j]!), this.file, this.options.dateFormat));
      return undefined;
    }
    return t;
  }

  row(row: RowView, loc: Locator): void {
    this.dataRows++;
    const file = this.file;
    const count = row.count;
    const buf = row.buf;
    const starts = row.starts;
    const ends = row.ends;
    const esc = row.esc;
    // --- phase 1: read and check every fallible cell; nothing is stored yet
    let idText: string | null = null;
    let idBuf = buf;
    let idA = 0;
    let idB = 0;
    if (this.rowIds) {
      idText = String(this.dataRows);
      idBuf = idText;
      idB = idText.length;
    } else {
      const j = this.idCol;
      if (j < count) {
        const e = esc[j];
        if (e != null) {
          idBuf = e;
          idB = e.length;
        } else {
          idA = starts[j]!;
          idB = ends[j]!;
        }
      }
      if (this.isMissing(idBuf, idA, idB)) {
        this.issues.reject(diag('LQL510', loc.fieldRange(j), { column: showValue(this.idName) }, { file }));
        return;
      }
    }
    // @row ids are always new, as is an id that sorts after the last kept one
    if (!this.rowIds && !this.hashIds && !this.afterLast(idBuf, idA, idB)) this.startHashing();
    let entry = -1;
    if (this.hashIds) {
      // one probe: the id is entered now with row -1, and given its row when the row is stored
      entry = this.idIndex.intern(idBuf, idA, idB, -1);
      const row0 = this.idIndex.values[entry]!;
      if (row0 >= 0) {
        this.issues.reject(
          diag('LQL509', loc.fieldRange(this.idCol), { id: showValue(idBuf.slice(idA, idB)), first: this.lines[row0]! }, { file }),
        );
        return;
      }
    }
    let o = -1;
    const oc = this.outcomeCol;
    if (oc < count) {
      let s = buf;
      let a = starts[oc]!;
      let b = ends[oc]!;
      const e = esc[oc];
      if (e != null) {
        s = e;
        a = 0;
        b = e.length;
      }
      if (!(this.placeholders.size > 0 && this.placeholders.find(s, a, b) >= 0)) {
        o = parseOutcomeRange(s, a, b);
        if (o === -2) {
          const s = cellText(row, oc);
          this.issues.reject(
            diag('LQL511', loc.fieldRange(this.outcomeCol), { value: showValue(s), column: showValue(this.outcomeName) }, { file }),
          );
          return;
        }
      }
    }
    const created = this.time(row, this.createdCol, loc);
    if (created === undefined) return;
    const closed = this.time(row, this.closedCol, loc);
    if (closed === undefined) return;
    const numIdx = this.numIdx;
    const sn = this.scratchNum;
    for (let k = 0; k < numIdx.length; k++) {
      const j = numIdx[k]!;
      if (j >= count) {
        sn[k] = NaN;
        continue;
      }
      let s = buf;
      let a = starts[j]!;
      let b = ends[j]!;
      const e = esc[j];
      if (e != null) {
        s = e;
        a = 0;
        b = e.length;
      }
      const isNum = this.numKind[k] === Kind.Num;
      let v = isNum ? parseNumberRange(s, a, b) : parseTimeRange(s, a, b, this.options.dateFormat);
      if (v !== v) {
        if (this.isMissing(s, a, b)) {
          v = NaN;
        } else {
          const value = showValue(cellText(row, j));
          const column = showValue(this.header[j]!);
          this.issues.reject(
            isNum ? diag('LQL512', loc.fieldRange(j), { value, column }, { file }) : badTime('LQL513', loc.fieldRange(j), value, column, file, this.options.dateFormat),
          );
          return;
        }
      } else if (this.placeholders.size > 0 && this.placeholders.find(s, a, b) >= 0) {
        v = NaN;
      }
      sn[k] = v;
    }
    const boolIdx = this.boolIdx;
    const sb = this.scratchBool;
    for (let k = 0; k < boolIdx.length; k++) {
      const j = boolIdx[k]!;
      if (j >= count) {
        sb[k] = 2;
        continue;
      }
      let s = buf;
      let a = starts[j]!;
      let b = ends[j]!;
      const e = esc[j];
      if (e != null) {
        s = e;
        a = 0;
        b = e.length;
      }
      if (this.isMissing(s, a, b)) {
        sb[k] = 2;
        continue;
      }
      const v = parseBoolRange(s, a, b);
      if (v === 2) {
        this.issues.reject(diag('LQL514', loc.fieldRange(j), { value: showValue(cellText(row, j)), column: showValue(this.header[j]!) }, { file }));
        return;
      }
      sb[k] = v;
    }
    // --- phase 2: store the row
    const i = this.n;
    if (i === this.cap) this.grow(loc);
    let id: string;
    if (entry >= 0) {
      this.idIndex.values[entry] = i;
      id = this.idIndex.keys[entry]!;
    } else {
      id = idText ?? (idA === 0 && idB === idBuf.length ? idBuf : detach(idBuf.slice(idA, idB)));
    }
    this.ids.push(id);
    this.lastId = id;
    this.lines[i] = loc.recordLine;
    this.outcome[i] = o;
    this.createdAt[i] = created;
    this.closedAt[i] = closed;
    for (let k = 0; k < numIdx.length; k++) this.numVals[k]![i] = sn[k]!;
    for (let k = 0; k < boolIdx.length; k++) this.boolVals[k]![i] = sb[k]!;
    const dictIdx = this.dictIdx;
    const dicts = this.dicts;
    for (let k = 0; k < dictIdx.length; k++) {
      const j = dictIdx[k]!;
      const d = dicts[k]!;
      if (j >= count) {
        d.absent(i);
        continue;
      }
      const e = esc[j];
      if (e != null) d.set(i, e, 0, e.length);
      else d.set(i, buf, starts[j]!, ends[j]!);
    }
    this.n = i + 1;
  }

  /** True when `s[a..b)` sorts after the last kept id (by UTF-16 code units). */
  private afterLast(s: string, a: number, b: number): boolean {
    const last = this.lastId;
    const n = Math.min(last.length, b - a);
    for (let k = 0; k < n; k++) {
      const d = s.charCodeAt(a + k) - last.charCodeAt(k);
      if (d !== 0) return d > 0;
    }
    return b - a > last.length;
  }

  /** Index the ids kept so far, and every id from now on. */
  private startHashing(): void {
    this.hashIds = true;
    const index = this.idIndex;
    index.reserve(this.cap);
    for (let r = 0; r < this.n; r++) index.add(this.ids[r]!, r);
  }

  /** A file with no header line at all. */
  checkStarted(): void {
    if (!this.started) {
      this.issues.fatal(
        diag('LQL500', at(1, 1, 0), { expected: `${this.rowIds ? '' : this.idName + ', '}${this.outcomeName}, ...`, item: 'lead' }, { file: this.file }),
      );
    }
  }

  finish(): LeadTable {
    this.checkStarted();
    this.issues.settle();
    if (this.n === 0 && this.issues.rows === 0) {
      this.issues.fatal(diag('LQL501', at(1, 1, 0), { item: 'lead' }, { file: this.file }));
    }
    return this.table(true);
  }

  /**
   * What a part of a file read (`lead-parts.ts`): its table with the
   * undeclared columns not yet typed (a number column while every value is
   * a number, else text), their names, and the data rows read. No check of
   * the whole file is made here (bad rows, no rows): the join makes them.
   */
  part(): { table: LeadTable; inferred: string[]; dataRows: number } {
    const inferred = this.header.filter((_, j) => this.kinds[j] === Kind.Infer);
    return { table: this.table(false), inferred, dataRows: this.dataRows };
  }

  /** The table of the rows kept; `infer`: type the undeclared columns from their values. */
  private table(infer: boolean): LeadTable {
    const file = this.file;
    const n = this.n;
    // keep a column's array when it is nearly full (a view, no copy), else copy it to size
    const cap = this.cap;
    const fit = <T extends { subarray(a: number, b: number): T; slice(a: number, b: number): T }>(a: T): T =>
      cap <= n + (n >> 4) + 64 ? a.subarray(0, n) : a.slice(0, n);
    const columns = new Map<string, Column>();
    const numAt = new Map<number, number>();
    this.numIdx.forEach((j, k) => numAt.set(j, k));
    const boolAt = new Map<number, number>();
    this.boolIdx.forEach((j, k) => boolAt.set(j, k));
    const dictAt = new Map<number, number>();
    this.dictIdx.forEach((j, k) => dictAt.set(j, k));
    for (let j = 0; j < this.header.length; j++) {
      const kind = this.kinds[j]!;
      const name = this.header[j]!;
      if (kind === Kind.Num || kind === Kind.Date) {
        columns.set(name, { type: kind === Kind.Num ? 'number' : 'date', values: fit(this.numVals[numAt.get(j)!]!) });
      } else if (kind === Kind.Bool) {
        columns.set(name, { type: 'bool', values: fit(this.boolVals[boolAt.get(j)!]!) });
      } else if (kind === Kind.Text || kind === Kind.Infer) {
        columns.set(name, this.dicts[dictAt.get(j)!]!.finish(n, infer && kind === Kind.Infer));
      }
    }
    const warnings: Diagnostic[] = [];
    const special = new Set([this.idName, this.outcomeName, 'created_at', 'closed_at']);
    for (const name of declaredNames(this.options.types)) {
      if (this.index.has(name) || special.has(name)) continue;
      const near = similar(name, this.header);
      warnings.push(
        diag(
          'LQL521',
          at(1, 1, 0),
          { column: showValue(name), hint: near ? ` The file has \`${showValue(near)}\`; did you mean that?` : '' },
          { file },
        ),
      );
    }
    return {
      file,
      n,
      ids: this.ids,
      lines: fit(this.lines),
      outcome: fit(this.outcome),
      createdAt: fit(this.createdAt),
      closedAt: fit(this.closedAt),
      columns,
      header: this.header,
      rejected: { rows: this.issues.rows, diagnostics: this.issues.diagnostics },
      warnings,
    };
  }
}

const tableIndex = new WeakMap<LeadTable, Interner>();

/** id -> row of a LeadTable, searchable in place (built once per table and cached). */
export function leadIndex(table: LeadTable): Interner {
  let m = tableIndex.get(table);
  if (!m) {
    m = new Interner();
    m.reserve(table.ids.length);
    for (let i = 0; i < table.ids.length; i++) m.add(table.ids[i]!, i);
    tableIndex.set(table, m);
  }
  return m;
}

/** Keep `index` (its entry i is `table.ids[i]`, its value i) as the table's id index, so `leadIndex` need not build it again. */
export function keepLeadIndex(table: LeadTable, index: Interner): void {
  tableIndex.set(table, index);
}

/** What `reader` and `control` need of a table builder (the leads' or the events'). */
export interface TableBuilder extends RecordSink {
  readonly file: string;
  readonly issues: Issues;
  /** rows kept so far */
  n: number;
  /** bytes read so far, and in all (0 when unknown) */
  done: number;
  total: number;
}

/** The record reader for a builder, by format. */
export function reader(b: TableBuilder, opts: ReadOptions): (format: DataFormat) => RecordReader {
  return (format) =>
    format === 'jsonl'
      ? new JsonlReader(b, { file: b.file, issues: b.issues, maxRecord: opts.maxRecord })
      : new CsvReader(b, { file: b.file, issues: b.issues, maxRecord: opts.maxRecord, delimiter: opts.delimiter });
}

/** Cancellation, chunking and progress for feeding a builder. */
export function control(b: TableBuilder, options: LoadOptions & ReadOptions) {
  return {
    isCancelled: options.isCancelled,
    chunkSize: options.chunkSize,
    onProgress: (done: number, total: number) => {
      b.done = done;
      b.total = total;
      options.onProgress?.(done, total, b.n);
    },
  };
}

function done(b: LeadsBuilder): LeadTable {
  const t = b.finish();
  // else built when first asked for (loading events)
  if (b.hashIds) tableIndex.set(t, b.idIndex);
  return t;
}

/** Load a leads table from any source (a file stream, or text in memory). */
export async function loadLeads(src: DataSource, options: LoadOptions & ReadOptions = {}): Promise<LeadTable> {
  const b = new LeadsBuilder(src.name, options);
  await feed({ ...src, format: options.format ?? src.format }, reader(b, options), control(b, options));
  return done(b);
}

/** Load a leads table from text in memory, synchronously (tests, the playground worker). */
export function loadLeadsSync(src: DataSource, options: LoadOptions & ReadOptions = {}): LeadTable {
  const b = new LeadsBuilder(src.name, options);
  feedSync({ ...src, format: options.format ?? src.format }, reader(b, options), control(b, options));
  return done(b);
}

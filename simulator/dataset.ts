/**
 * A dataset held in memory for interactive use (the browser playground):
 * uploaded files read into tables, the rules checked against their columns,
 * and the files read again when the rules declare other column types.
 *
 * Input: the files' bytes with their names and the reader options (id and
 * outcome columns, `--missing` placeholders, lenient), optionally a join
 * to apply first (`olist`), and a reader of large files in parts
 * (`data/split-load.ts`); ruleset texts.
 * Output: a `Dataset` (tables, header, column statistics, the problems found
 * in the data), compile results with the columns the data lacks flagged at
 * their declarations (LQL521), and re-read tables.
 * Invariants: the tables are those `lql simulate` reads from the same files
 * with the same options (the same readers, `data/leads.ts` and
 * `data/events.ts`); a file read in parts gives the same table and the same
 * messages as one read whole; no Node-only module (this runs in a browser
 * worker).
 */
import { compileSource, type CompileResult } from '../language/index.js';
import type { IR } from '../language/compile/ir.js';
import type { Diagnostic } from '../language/diagnostics/diagnostic.js';
import { diag } from '../language/diagnostics/registry.js';
import type { ColumnInfo } from '../language/service/context.js';
import { columnInfo } from './data/column-info.js';
import { loadEvents, loadEventsSync } from './data/events.js';
import { loadLeads, loadLeadsSync } from './data/leads.js';
import { joinOlist } from './data/olist.js';
import { loadEventsInParts, loadLeadsInParts, type SplitOptions } from './data/split-load.js';
import type { EventTable, LeadTable, LoadOptions } from './data/table.js';
import { defaultAsOf } from './replay.js';
import { retypedColumns } from './simulate.js';

/** How a dataset's files are read. */
export interface ReaderOptions {
  id?: string;
  outcome?: string;
  missing?: string[];
  lenient: boolean;
}

/** The files a dataset was read from, to read them again with a ruleset's declared types. */
export interface RawFiles {
  leads: Uint8Array | string;
  events?: Uint8Array | string;
  eventsName: string;
  opts: ReaderOptions;
}

export interface Dataset {
  /** bumped by every change of tables (caches compare it) */
  version: number;
  file: string;
  raw?: RawFiles;
  leads: LeadTable;
  events: EventTable | null;
  header: string[];
  columns: ColumnInfo[];
  /** the default asOf of a run over this data (computed on first use) */
  asOf?: number;
}

export interface DatasetFiles {
  leads: { name: string; bytes: Uint8Array };
  events?: { name: string; bytes: Uint8Array };
  id?: string;
  outcome?: string;
  missing?: string[];
  lenient?: boolean;
  /** `olist`: join the Olist MQL and closed-deal files into leads and events first */
  join?: 'olist';
}

/** Reads one file into a table; the default is the single reader (`loadLeads` / `loadEvents`). */
export interface FileReaders {
  leads?: (name: string, bytes: Uint8Array | string, options: LoadOptions) => Promise<LeadTable>;
  events?: (name: string, bytes: Uint8Array | string, leads: LeadTable, options: LoadOptions) => Promise<EventTable>;
}

/**
 * Readers that split a file of at least `minSize` bytes into parts read
 * side by side (`data/split-load.ts`), and read it whole when it is smaller
 * or the parts cannot stand for it.
 */
export function readersInParts(split: SplitOptions, minSize: number): Required<FileReaders> {
  const big = (bytes: Uint8Array | string): bytes is Uint8Array => typeof bytes !== 'string' && bytes.length >= minSize && split.parts >= 2;
  return {
    leads: async (name, bytes, o) => (big(bytes) ? await loadLeadsInParts(name, bytes, o, split) : null) ?? loadLeads({ name, text: bytes }, o),
    events: async (name, bytes, leads, o) =>
      (big(bytes) ? await loadEventsInParts(name, bytes, leads, [], o, split) : null) ?? loadEvents({ name, text: bytes }, leads, [], o),
  };
}

let versions = 0;

/** A dataset of ready tables (`raw`: the files they came from, if any). */
export function datasetOf(file: string, leads: LeadTable, events: EventTable | null, raw?: RawFiles): Dataset {
  return { version: ++versions, file, leads, events, header: leads.header, columns: columnInfo(leads), ...(raw ? { raw } : {}) };
}

/** The problems found in a dataset's files, leads first (capped at `limit`). */
export function dataDiagnostics(leads: LeadTable, events: EventTable | null, limit = 200): Diagnostic[] {
  return [...leads.warnings, ...leads.rejected.diagnostics, ...(events ? events.rejected.diagnostics : [])].slice(0, limit);
}

/**
 * Read uploaded files into a dataset. `onProgress(file, done, total, rows)`
 * as the readers go. Throws what the readers throw (DataError with file,
 * line and column; LoadCancelledError).
 */
export async function readDataset(
  req: DatasetFiles,
  onProgress?: (file: string, done: number, total: number, rows?: number) => void,
  readers: FileReaders = {},
  isCancelled?: () => boolean,
): Promise<Dataset> {
  let file = req.leads.name;
  let leadsBytes: Uint8Array | string = req.leads.bytes;
  let eventsBytes: Uint8Array | string | undefined = req.events?.bytes;
  let eventsName = req.events?.name ?? 'events';
  if (req.join === 'olist') {
    const decoder = new TextDecoder();
    const j = joinOlist(decoder.decode(req.leads.bytes), req.events ? decoder.decode(req.events.bytes) : '');
    leadsBytes = j.leads;
    eventsBytes = j.events;
    file = 'olist-leads.csv';
    eventsName = 'olist-events.csv';
  }
  const opts: ReaderOptions = {
    ...(req.id !== undefined ? { id: req.id } : {}),
    ...(req.outcome !== undefined ? { outcome: req.outcome } : {}),
    ...(req.missing?.length ? { missing: req.missing } : {}),
    lenient: req.lenient ?? false,
  };
  const control = (name: string): LoadOptions => ({
    ...(onProgress ? { onProgress: (done: number, total: number, rows?: number) => onProgress(name, done, total, rows) } : {}),
    ...(isCancelled ? { isCancelled } : {}),
  });
  const readLeads = readers.leads ?? ((name, text, o) => loadLeads({ name, text }, o));
  const readEvents = readers.events ?? ((name, text, leads, o) => loadEvents({ name, text }, leads, [], o));
  const leads = await readLeads(file, leadsBytes, { ...opts, ...control(file) });
  const events = eventsBytes !== undefined ? await readEvents(eventsName, eventsBytes, leads, { ...opts, ...control(eventsName) }) : null;
  return datasetOf(file, leads, events, { leads: leadsBytes, ...(eventsBytes !== undefined ? { events: eventsBytes } : {}), eventsName, opts });
}

/**
 * Columns are typed by inference when a file is read; a ruleset that
 * declares another type for a column (`attribute x: text` over yes/no
 * values) reads it as declared, as `lql simulate` does: the dataset read
 * again with those types, or null when nothing differs (or the declared
 * type does not fit the values: the run then reports what it finds).
 */
export function retypedDataset(d: Dataset, ir: IR): Dataset | null {
  if (!d.raw) return null;
  const types = retypedColumns(ir, d.leads);
  if (!types) return null;
  try {
    const leads = loadLeadsSync({ name: d.file, text: d.raw.leads }, { ...d.raw.opts, types });
    let events = d.events;
    if (d.raw.events !== undefined && leads.n !== d.leads.n) {
      events = loadEventsSync({ name: d.raw.eventsName, text: d.raw.events }, leads, [], d.raw.opts);
    }
    return datasetOf(d.file, leads, events, d.raw);
  } catch {
    return null;
  }
}

/** The rules read the dataset's columns as they are typed (no re-read needed to run them on it). */
export function readsAsTyped(ir: IR, d: Dataset): boolean {
  return retypedColumns(ir, d.leads) === null;
}

/** The default asOf of a run over the dataset: the latest time in the data; 0 for data without times (never the clock's time). */
export function datasetAsOf(d: Dataset): number {
  return (d.asOf ??= ((t) => (t === t && Number.isFinite(t) ? t : 0))(defaultAsOf(d.leads, d.events)));
}

/**
 * Check and compile a ruleset against the data's columns: names are
 * completed from them, and a declared attribute the data lacks is a warning
 * at its declaration (LQL521: every lead reads it as missing).
 */
export function compileForData(text: string, d?: Pick<Dataset, 'header'>): CompileResult {
  const c = compileSource(text, d ? { columns: d.header } : {});
  if (!d) return c;
  const have = new Set(d.header);
  const extra: Diagnostic[] = [];
  for (const decl of c.program.decls) {
    if (decl.kind === 'Attribute' && !have.has(decl.name.text)) extra.push(diag('LQL521', decl.name.range, { column: decl.name.text, hint: '' }));
  }
  if (!extra.length) return c;
  return { ...c, diagnostics: [...c.diagnostics, ...extra].sort((a, b) => a.range.start.offset - b.range.start.offset) };
}

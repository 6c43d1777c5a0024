/**
 * Typed columnar tables: the in-memory form of lead and event history that
 * the simulator's compiled kernel reads directly (no object per lead).
 *
 * Invariants:
 * - a LeadTable has `n` rows; every column has exactly `n` entries;
 * - numbers and dates are Float64Array with NaN for missing;
 * - text is dictionary-coded: `codes[i]` indexes `dict`, -1 = missing;
 * - bools are Uint8Array: 0 false, 1 true, 2 missing;
 * - `outcome[i]`: 1 won, 0 lost, -1 open (no decided outcome);
 * - an EventTable is in CSR order: the events of lead i are the indexes
 *   `offsets[i] .. offsets[i+1]-1`, sorted by time (stable for equal times);
 *   `types[j]` indexes `typeNames` (the ruleset's activities, in declaration
 *   order, then any other types seen in the file), `times[j]` is epoch ms.
 */
import type { AttrType } from '../../language/syntax/ast.js';
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import type { DateOrder } from '../../language/shared/values.js';

export type Column =
  | { type: 'number'; values: Float64Array }
  | { type: 'date'; values: Float64Array }
  | { type: 'text'; codes: Int32Array; dict: string[] }
  | { type: 'bool'; values: Uint8Array };

export interface LeadTable {
  /** file name as given, for messages */
  file: string;
  n: number;
  ids: string[];
  /** 1-based source line of each row (its first line, for multi-line records) */
  lines: Int32Array;
  outcome: Int8Array;
  createdAt: Float64Array;
  closedAt: Float64Array;
  /** attribute columns by name (the id, outcome, created_at and closed_at columns excluded) */
  columns: Map<string, Column>;
  /** column names in file order (all of them, including id/outcome) */
  header: string[];
  /** rows skipped with --lenient, and what was wrong with them (capped list, full count) */
  rejected: { rows: number; diagnostics: Diagnostic[] };
  /** non-fatal notes (e.g. columns typed by inference) */
  warnings: Diagnostic[];
}

export interface EventTable {
  file: string;
  /** length n+1 */
  offsets: Int32Array;
  /** Int32Array when read from a file; a narrower array when loaded from the columnar cache (few types) */
  types: Int32Array | Int16Array | Int8Array;
  times: Float64Array;
  typeNames: string[];
  /** events whose lead_id is not in the leads table (counted and reported, never silently dropped) */
  unknownLeads: { events: number; sample: string[] };
  /** events whose type is not a declared activity, by type (a null-prototype record: any type name is an own key) */
  unknownTypes: Record<string, number>;
  rejected: { rows: number; diagnostics: Diagnostic[] };
}

/**
 * Per type code, the latest event time (-Infinity when none) of the events
 * whose `times` and `types` arrays these are, and the earliest time of all,
 * when a reader noted them (the columnar cache stores them): the run's
 * default asOf and the weeks the data covers are then found without a pass
 * over the events. Kept by the arrays' identity, so a table built from
 * other arrays (a subset of the leads, parts joined) never inherits them.
 */
const latestTimes = new WeakMap<Float64Array, { types: EventTable['types']; latest: Float64Array; earliest: number | undefined }>();

export function noteLatestByType(t: Pick<EventTable, 'times' | 'types'>, latest: Float64Array, earliest?: number): void {
  latestTimes.set(t.times, { types: t.types, latest, earliest });
}

export function latestByType(t: Pick<EventTable, 'times' | 'types'>): Float64Array | undefined {
  const e = latestTimes.get(t.times);
  return e && e.types === t.types ? e.latest : undefined;
}

/** The earliest and the latest event time (Infinity and -Infinity without events), when a reader noted them. */
export function notedTimeSpan(t: Pick<EventTable, 'times' | 'types'>): { earliest: number; latest: number } | undefined {
  const e = latestTimes.get(t.times);
  if (!e || e.types !== t.types || e.earliest === undefined) return undefined;
  let latest = -Infinity;
  for (const v of e.latest) if (v > latest) latest = v;
  return { earliest: e.earliest, latest };
}

export interface LoadOptions {
  /** id column name, or '@row' to number rows 1, 2, ... */
  id?: string;
  outcome?: string;
  /** placeholder values read as missing, e.g. ['Select', 'unknown'] */
  missing?: string[];
  /** skip bad rows and count them instead of stopping */
  lenient?: boolean;
  /** how dates written with slashes are read (`--date-format`); without it such a date is an error */
  dateFormat?: DateOrder;
  /** events: the columns holding the lead id, the type and the time (default `lead_id`, `type`, `at`) */
  eventColumns?: { lead?: string; type?: string; time?: string };
  /**
   * read only these columns besides the id, the outcome, created_at and
   * closed_at (a ruleset's attributes): the others stay in `header` but get
   * no column and their cells are never parsed; default every column
   */
  only?: readonly string[];
  /** types from the ruleset's declarations/inference, read as own entries only; other columns are inferred */
  types?: Record<string, AttrType> | ReadonlyMap<string, AttrType>;
  /** called now and then with bytes read so far, the total, and the rows loaded so far */
  onProgress?: (done: number, total: number, rows?: number) => void;
  /** return true to stop early: the load then throws LoadCancelledError (checked before every chunk) */
  isCancelled?: () => boolean;
}

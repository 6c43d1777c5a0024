/**
 * The data layer's public surface for code that runs anywhere (CLI and the
 * browser worker): readers, loaders and their types. Node-only helpers live
 * in `files.ts` (reading from disk) and `progress.ts` (stderr bar).
 *
 * Input/output: see each module. Invariant: nothing exported here imports
 * node:fs.
 */
export type { Column, EventTable, LeadTable, LoadOptions } from './table.js';
export { loadLeads, loadLeadsSync, leadIndex, declaredType, type ReadOptions } from './leads.js';
export { loadEvents, loadEventsSync, eventWarnings, sortSegments } from './events.js';
export { DataError, LoadCancelledError, formatDiagnostic, MAX_KEPT } from './errors.js';
export { CsvReader, detectDelimiter } from './csv.js';
export { JsonlReader } from './jsonl.js';
export { formatFromName, type DataSource, type DataFormat, type Chunk } from './source.js';
export type { RecordSink, Locator } from './records.js';
export { parseNumber, parseIsoDate, parseTime, parseBool, parseOutcome } from './values.js';

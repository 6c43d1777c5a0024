/**
 * Reading data files from disk (Node only; the browser passes text instead).
 *
 * Input: a file path and the same options as the in-memory loaders.
 * Output: the LeadTable / EventTable, read as a stream of 32 KiB chunks, so
 * a file of any size is never held whole in memory as text; a large CSV file
 * is read in parts on worker threads when there are any (`parallel.ts`).
 * `readLeadsFile` / `readEventsFile` also go through the columnar cache
 * (`cache.ts`) when asked to.
 * Invariants: this module and `cache.ts` are the only ones of the data
 * layer that import node:fs; a file that cannot be opened or read becomes a
 * DataError with code LQL522 naming the file, never a raw exception.
 */
import { createReadStream, statSync } from 'node:fs';
import { diag } from '../../language/diagnostics/registry.js';
import { DataError } from './errors.js';
import { loadEvents } from './events.js';
import { loadLeads, type ReadOptions } from './leads.js';
import { at } from './records.js';
import { formatFromName, type DataSource } from './source.js';
import type { EventsAhead, SplitOptions } from './parallel.js';
import type { CacheOptions } from './cache.js';
import type { EventTable, LeadTable, LoadOptions } from './table.js';

/** 32 KiB reads: decoded pieces stay small strings (see DEFAULT_CHUNK in source.ts). */
const CHUNK = 1 << 15;

function reason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  return e instanceof Error ? e.message : String(e);
}

function cannotRead(path: string, e: unknown): DataError {
  return new DataError([diag('LQL522', at(1, 1, 0), { file: path, reason: reason(e) }, { file: path })]);
}

/** A file's size in bytes, 0 when it cannot be read. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A streaming DataSource for a file on disk. */
export function fileSource(path: string): DataSource {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
    size = st.size;
  } catch (e) {
    throw cannotRead(path, e);
  }
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const stream = createReadStream(path, { highWaterMark: CHUNK });
    try {
      for await (const c of stream) yield c as Uint8Array;
    } catch (e) {
      throw cannotRead(path, e);
    } finally {
      stream.destroy();
    }
  }
  return { name: path, size, chunks: chunks() };
}

/** The source for a path: Parquet and Arrow files are read as the CSV of the same table (`columnar-files.ts`). */
async function sourceFor(path: string, options: ReadOptions): Promise<{ src: DataSource; options: ReadOptions }> {
  const { columnarFormat, columnarSource } = await import('./columnar-files.js');
  const f = columnarFormat(path);
  if (!f) return { src: fileSource(path), options };
  return { src: columnarSource(path, f), options: { ...options, format: 'csv', delimiter: ',' } };
}

/** The size of a CSV file on disk that may be read in parts (`parallel.ts`), else null. */
function splittable(path: string, src: DataSource, options: ReadOptions & { split?: SplitOptions | false }): number | null {
  if (options.split === false || src.size === undefined || !src.chunks || options.format === 'jsonl' || formatFromName(path) === 'jsonl') return null;
  return src.size;
}

/**
 * Load a leads file (CSV, JSON Lines, Parquet or Arrow) from disk. A large
 * CSV file is read on all cores (`parallel.ts`; `split: false` reads it in
 * one piece).
 */
export async function loadLeadsFile(path: string, options: LoadOptions & ReadOptions & { split?: SplitOptions | false } = {}): Promise<LeadTable> {
  const s = await sourceFor(path, options);
  const size = splittable(path, s.src, options);
  if (size !== null) {
    const { loadLeadsParallel } = await import('./parallel.js');
    const t = await loadLeadsParallel(path, size, options, options.split || {});
    if (t) return t;
  }
  return loadLeads(s.src, { ...options, ...s.options });
}

/**
 * Load an events file (CSV, JSON Lines, Parquet or Arrow) from disk for the
 * given leads and activities. A large CSV file is read on all cores
 * (`parallel.ts`; `split: false` reads it in one piece).
 */
export async function loadEventsFile(
  path: string,
  leads: LeadTable,
  activities: readonly string[],
  options: LoadOptions & ReadOptions & { split?: SplitOptions | false } = {},
): Promise<EventTable> {
  const s = await sourceFor(path, options);
  const size = splittable(path, s.src, options);
  if (size !== null) {
    const { loadEventsParallel } = await import('./parallel.js');
    const t = await loadEventsParallel(path, size, leads, activities, options, options.split || {});
    if (t) return t;
  }
  return loadEvents(s.src, leads, activities, { ...options, ...s.options });
}

/** A leads file, from the columnar cache when `cache` is given and holds a valid entry. */
export async function readLeadsFile(
  path: string,
  options: LoadOptions & ReadOptions & { split?: SplitOptions | false } = {},
  cache: CacheOptions | false = false,
  /** run when the file is to be parsed (there is no cache entry for it), before it is */
  beforeParse?: () => Promise<void>,
): Promise<LeadTable> {
  const read = async () => {
    await beforeParse?.();
    return loadLeadsFile(path, options);
  };
  if (!cache) return read();
  const { cachedLeads } = await import('./cache.js');
  return cachedLeads(path, options, cache, read);
}

/**
 * The smallest events file, as a multiple of the leads file, read ahead: at
 * 1M leads, 5.7 events per lead (events 2.1x the leads' bytes) took
 * 5.7 s read ahead against 5.4-5.6 s one after the other, and 20 events per
 * lead (7.5x) 7.6-7.9 s against 9.4-9.8 s.
 */
const AHEAD_RATIO = 4;

/**
 * Start reading a large events CSV file on a worker thread now, while the
 * leads are read (`parallel.ts`); null when that would not help: another
 * format, a small file or one small next to its leads, one core.
 */
export async function eventsAhead(
  path: string,
  activities: readonly string[],
  options: LoadOptions & ReadOptions = {},
  /** the size of the leads file: the read-ahead's fixed costs grow with the leads (a worker, the ids sent back, the join), its gain with the events */
  leadsBytes = 0,
): Promise<EventsAhead | null> {
  if (options.format === 'jsonl' || formatFromName(path) === 'jsonl') return null;
  const { columnarFormat } = await import('./columnar-files.js');
  if (columnarFormat(path)) return null;
  const src = fileSource(path);
  const size = splittable(path, src, options);
  if (size === null || size < AHEAD_RATIO * leadsBytes) return null;
  const { readEventsAhead } = await import('./parallel.js');
  return readEventsAhead(path, size, activities, options);
}

/** An events file, from the columnar cache when `cache` is given (and the leads came through it). */
export async function readEventsFile(
  path: string,
  leads: LeadTable,
  activities: readonly string[],
  options: LoadOptions & ReadOptions = {},
  cache: CacheOptions | false = false,
  /** the file already being read on a worker (`eventsAhead`) */
  ahead?: EventsAhead | null,
): Promise<EventTable> {
  let used = false;
  const read = async () => {
    used = true;
    const t = ahead ? await ahead.join(leads) : null;
    return t ?? loadEventsFile(path, leads, activities, options);
  };
  try {
    if (!cache) return await read();
    const { cachedEvents } = await import('./cache.js');
    return await cachedEvents(path, leads, activities, options, cache, read);
  } finally {
    if (!used) ahead?.cancel();
  }
}

/**
 * The columnar cache: a data file's typed columns, saved after a first read
 * as an Apache Arrow IPC file (`arrow-tables.ts`) and loaded on later runs
 * instead of parsing the file again (Node only).
 *
 * Input: a data file's path, the reader options (id and outcome columns,
 * `--missing`, lenient, the column types the ruleset asks for; for events
 * also the activities and the leads table), and where the cache is.
 * Output: the LeadTable / EventTable, from the cache when a valid entry
 * exists, else from `read()` (then saved).
 * Where: `$LQL_CACHE_DIR`, else `$XDG_CACHE_HOME/lql`, else `~/.cache/lql`
 * (`%LOCALAPPDATA%\lql` on Windows): never beside the data, which may be
 * read-only or shared.
 * Key: the file's absolute path, size, mtime and a content hash (the whole
 * file up to 16 MiB; above that its first and last 4 MiB and 64 blocks of
 * 64 KiB spread over it), the reader options, the cache format and the
 * build of the readers. An entry is named `<path hash>-<file hash>-<options
 * hash>.arrow`; writing one removes the entries of older versions of the
 * same file.
 * Invariants: an entry is written to a temporary file in the cache folder
 * and renamed into place, so a reader never sees half a file; an entry
 * that is stale, corrupt, from another format or build, or unreadable is
 * ignored (and removed) and the data file is parsed; a failure to write the
 * cache never fails the load; after each write the folder is trimmed to its
 * size limit (`$LQL_CACHE_LIMIT`, e.g. `500M`, `4G`; 2 GiB by default),
 * least recently used entries first; files under `minBytes` (1 MiB by
 * default) are not cached (parsing them is as quick as loading).
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CACHE_FORMAT, eventsFromArrow, eventsToArrow, leadsFromArrow, leadsToArrow } from './arrow-tables.js';
import type { EventTable, LeadTable, LoadOptions } from './table.js';
import { readShared, type ReadJob } from './shared-read.js';
import { fileSize } from './files.js';

declare const __LQL_READER_BUILD__: string | undefined;
/** The build of the data readers (set by the CLI bundle); a new build never reads an older build's entries. */
const READER_BUILD = typeof __LQL_READER_BUILD__ !== 'undefined' ? __LQL_READER_BUILD__ : 'source';

export interface CacheOptions {
  /** the cache folder (default: see the header) */
  dir?: string;
  /** the folder's size limit in bytes */
  limit?: number;
  /** files smaller than this are not cached (default 1 MiB) */
  minBytes?: number;
  /** told whether each load came from the cache ('hit'), was parsed and saved ('saved'), or parsed only ('parsed') */
  onOutcome?: (file: string, outcome: 'hit' | 'saved' | 'parsed') => void;
  /** hands an entry's read to helper threads as well (see shared-read.ts; default: read on this thread alone) */
  share?: (job: ReadJob) => void;
}

const DEFAULT_LIMIT = 2 * 1024 ** 3;
const DEFAULT_MIN = 1 << 20;

/** The default cache folder. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LQL_CACHE_DIR) return resolve(env.LQL_CACHE_DIR);
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'lql');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lql');
}

/** `500M`, `4G`, `800000` (bytes) -> bytes; undefined when not a size. */
export function parseSize(s: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(s ?? '');
  if (!m) return undefined;
  return Math.round(Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase()));
}

function sha1(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

const WHOLE = 16 << 20;
const EDGE = 4 << 20;
const BLOCK = 64 << 10;
const BLOCKS = 64;

/** The file's size, mtime and content hash (see the header), or null when it cannot be read. */
export function fingerprint(path: string): { size: number; mtimeMs: number; hash: string } | null {
  let fd: number | undefined;
  try {
    const st = statSync(path);
    if (!st.isFile()) return null;
    fd = openSync(path, 'r');
    const h = createHash('sha1');
    const buf = Buffer.allocUnsafe(EDGE);
    const take = (pos: number, len: number) => {
      let got = 0;
      while (got < len) {
        const k = readSync(fd!, buf, got, len - got, pos + got);
        if (k === 0) break;
        got += k;
      }
      h.update(buf.subarray(0, got));
    };
    if (st.size <= WHOLE) {
      for (let pos = 0; pos < st.size; pos += EDGE) take(pos, Math.min(EDGE, st.size - pos));
    } else {
      take(0, EDGE);
      const span = st.size - 2 * EDGE - BLOCK;
      for (let i = 0; i < BLOCKS; i++) take(EDGE + Math.floor((span * i) / (BLOCKS - 1)), BLOCK);
      take(st.size - EDGE, EDGE);
    }
    return { size: st.size, mtimeMs: st.mtimeMs, hash: h.digest('hex') };
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The options that change what a leads file loads to, in a stable order. */
function leadOptions(o: LoadOptions & { format?: string; delimiter?: string; maxRecord?: number }): unknown {
  const types = o.types instanceof Map ? [...o.types] : Object.entries(o.types ?? {});
  types.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const only = o.only ? [...new Set(o.only)].sort() : null;
  return { id: o.id ?? null, outcome: o.outcome ?? null, missing: o.missing ?? [], lenient: !!o.lenient, types, only, dateFormat: o.dateFormat ?? null, format: o.format ?? null, delimiter: o.delimiter ?? null, maxRecord: o.maxRecord ?? null };
}

interface Entry {
  dir: string;
  path: string;
  /** the key written into the entry and checked on reading */
  key: string;
  /** prefix of every entry of this data file */
  prefix: string;
}

function entryFor(kind: 'leads' | 'events', file: string, options: unknown, dir: string): Entry | null {
  const fp = fingerprint(file);
  if (!fp) return null;
  const prefix = sha1(kind, '\0', resolve(file)).slice(0, 16);
  const fileHash = sha1(String(fp.size), '\0', String(fp.mtimeMs), '\0', fp.hash).slice(0, 16);
  const optHash = sha1(String(CACHE_FORMAT), '\0', READER_BUILD, '\0', JSON.stringify(options)).slice(0, 16);
  return { dir, path: join(dir, `${prefix}-${fileHash}-${optHash}.arrow`), key: `${prefix}-${fileHash}-${optHash}`, prefix };
}

/**
 * An entry's bytes, in shared memory: the tables loaded from it view them
 * without a copy, and a replay on threads (simulator/replay-threads.ts)
 * shares them with its workers.
 */
function readEntry(e: Entry, share: CacheOptions['share']): Uint8Array | null {
  try {
    const bytes = readShared(e.path, share);
    const now = new Date();
    try {
      utimesSync(e.path, now, now); // least recently used goes first
    } catch {
      /* read-only cache: still usable */
    }
    return bytes;
  } catch {
    return null;
  }
}

function drop(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* gone already */
  }
}

/** Write an entry atomically, remove older versions of the same file, trim the folder. */
function writeEntry(e: Entry, bytes: Uint8Array, limit: number): boolean {
  const tmp = join(e.dir, `.${e.key}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    mkdirSync(e.dir, { recursive: true });
    writeFileSync(tmp, bytes);
    renameSync(tmp, e.path);
  } catch {
    drop(tmp);
    return false;
  }
  const [, fileHash] = e.key.split('-');
  try {
    for (const name of readdirSync(e.dir)) {
      if (name.startsWith(e.prefix + '-') && name.endsWith('.arrow') && name.split('-')[1] !== fileHash) drop(join(e.dir, name));
    }
    trim(e.dir, limit);
  } catch {
    /* trimming is best effort */
  }
  return true;
}

/** Remove least recently used entries (and stale temporary files) until the folder is within `limit` bytes. */
export function trim(dir: string, limit: number): void {
  const entries: { path: string; size: number; used: number }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      const st = statSync(path);
      if (name.endsWith('.tmp')) {
        if (Date.now() - st.mtimeMs > 3_600_000) drop(path); // left by a run that was killed
        continue;
      }
      if (name.endsWith('.arrow')) entries.push({ path, size: st.size, used: st.mtimeMs });
    } catch {
      /* removed meanwhile */
    }
  }
  let total = entries.reduce((s, x) => s + x.size, 0);
  entries.sort((a, b) => a.used - b.used);
  for (const x of entries) {
    if (total <= limit) break;
    drop(x.path);
    total -= x.size;
  }
}

/** Every cache entry and its size (for `lql cache`). */
export function listCache(dir = defaultCacheDir()): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  try {
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.arrow')) continue;
      files++;
      bytes += statSync(join(dir, name)).size;
    }
  } catch {
    /* no cache yet */
  }
  return { files, bytes };
}

/** Remove every entry (the folder itself stays if it holds anything else). */
export function clearCache(dir = defaultCacheDir()): { files: number; bytes: number } {
  const had = listCache(dir);
  try {
    for (const name of readdirSync(dir)) if (name.endsWith('.arrow') || name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
  } catch {
    /* no cache yet */
  }
  return had;
}

/** The cache key of each leads table loaded through the cache (events entries depend on it). */
const leadKeys = new WeakMap<LeadTable, string>();

function settings(c: CacheOptions): { dir: string; limit: number; minBytes: number } {
  return { dir: c.dir ?? defaultCacheDir(), limit: c.limit ?? parseSize(process.env.LQL_CACHE_LIMIT) ?? DEFAULT_LIMIT, minBytes: c.minBytes ?? DEFAULT_MIN };
}

/** Load through the cache: the entry when valid, else `read()` and save. */
async function through<T>(
  kind: 'leads' | 'events',
  file: string,
  optionsKey: unknown,
  cache: CacheOptions,
  onProgress: LoadOptions['onProgress'],
  decode: (bytes: Uint8Array, key: string) => T | null,
  encode: (t: T, key: string) => Uint8Array,
  read: () => Promise<T>,
): Promise<{ table: T; key: string | undefined }> {
  const s = settings(cache);
  const e = optionsKey === null ? null : entryFor(kind, file, optionsKey, s.dir);
  if (e) {
    const bytes = readEntry(e, cache.share);
    if (bytes) {
      const t = decode(bytes, e.key);
      if (t) {
        onProgress?.(bytes.length, bytes.length);
        cache.onOutcome?.(file, 'hit');
        return { table: t, key: e.key };
      }
      drop(e.path);
    }
  }
  const t = await read();
  let saved = false;
  if (e && fileSize(file) >= s.minBytes) {
    saved = writeEntry(e, encode(t, e.key), s.limit);
    // the file changed while it was read: the entry would describe another content
    if (saved && entryFor(kind, file, optionsKey, s.dir)?.key !== e.key) {
      drop(e.path);
      saved = false;
    }
  }
  cache.onOutcome?.(file, saved ? 'saved' : 'parsed');
  return { table: t, key: e?.key };
}

type FileOptions = LoadOptions & { format?: string; delimiter?: string; maxRecord?: number };

/** Load a leads file through the cache; `read` parses it when there is no valid entry. */
export async function cachedLeads(file: string, options: FileOptions, cache: CacheOptions, read: () => Promise<LeadTable>): Promise<LeadTable> {
  const { table, key } = await through('leads', file, leadOptions(options), cache, options.onProgress, leadsFromArrow, leadsToArrow, read);
  if (key) leadKeys.set(table, key);
  return table;
}

/** Load an events file through the cache, for a leads table loaded through it (else it is just read). */
export async function cachedEvents(
  file: string,
  leads: LeadTable,
  activities: readonly string[],
  options: FileOptions,
  cache: CacheOptions,
  read: () => Promise<EventTable>,
): Promise<EventTable> {
  const leadKey = leadKeys.get(leads);
  const key = leadKey ? { leads: leadKey, activities, lenient: !!options.lenient, dateFormat: options.dateFormat ?? null, columns: options.eventColumns ?? null, format: options.format ?? null, delimiter: options.delimiter ?? null, maxRecord: options.maxRecord ?? null } : null;
  const { table } = await through(
    'events',
    file,
    key,
    cache,
    options.onProgress,
    (bytes, k) => eventsFromArrow(bytes, leads, k),
    (t, k) => eventsToArrow(t, leads, k),
    read,
  );
  return table;
}

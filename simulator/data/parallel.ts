/**
 * Reading a large CSV leads or events file on all cores (Node worker threads).
 *
 * Input: a file path (CSV, at least `minSize` bytes), the load options, and
 * for events the leads and the ruleset's activities.
 * Output: the LeadTable / EventTable the single reader would build, or null
 * when the file is not one to split (too small, JSON Lines, no header line
 * found, no worker available) or the parts cannot stand for it
 * (`lead-parts.ts`, `parts.ts`): the caller then reads it in one piece.
 * How: the header line is found (outside quotes), the rest is cut into
 * parts of about `partSize` bytes, each just after a line break (`cuts.ts`);
 * workers (`$LQL_THREADS`, else one per core but one, at most 4) each read
 * their parts from the file themselves (`parts-worker.ts`, one script for
 * both kinds) and send back typed arrays; then the parts are joined in
 * file order.
 * Progress sums the parts' (bytes, rows kept), as the workers report them
 * and as parts finish.
 * Invariants: a worker that fails or exits leaves the load to the single
 * reader, never to a partial table; `isCancelled()` (checked at every
 * progress report and before every part) stops the workers and throws
 * LoadCancelledError; the workers are always terminated.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { availableParallelism, freemem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { cutsOf } from './cuts.js';
import { threadsFromEnv, workerBeside, workerOptions } from './threads.js';
import { LoadCancelledError } from './errors.js';
import { joinLeadParts, type LeadsPartResult } from './lead-parts.js';
import { joinEventParts, type EventsPartResult } from './parts.js';
import { eventsPartOptions, leadsPartOptions, readPartTask, type PartTask } from './split-load.js';
import type { PartText } from './parts.js';
import type { EventRegion } from './events.js';
import type { EventTable, LeadTable, LoadOptions } from './table.js';

export interface SplitOptions {
  /** worker threads (default: `$LQL_THREADS`, else one per core but one, at most 4); fewer than 2 reads in one piece */
  workers?: number;
  /** bytes per part (default 64 MiB) */
  partSize?: number;
  /** the smallest file that is split (default 32 MiB) */
  minSize?: number;
  /** cut exactly at these byte offsets (tests: awkward places) */
  cuts?: number[];
  /** the worker script (default: `parts-worker.js` beside this module) */
  workerUrl?: URL;
  /** told how the file was read: in `parts`, or `whole` by the single reader */
  onRead?: (how: 'parts' | 'whole') => void;
  /** bytes of memory free (default: the system's, or less under a container's limit); a file is read ahead only when twice its size is free */
  freeMemory?: number;
}

/**
 * A part for a worker thread: bytes `start .. end` of the file at `path`,
 * read after the header bytes `prefix` (empty for the first part), as `kind`
 * with `options`.
 */
export type ThreadTask = { id: number; path: string; start: number; end: number; prefix: Uint8Array } & Pick<PartTask, 'kind' | 'options'>;

type Options = LoadOptions & { delimiter?: string; maxRecord?: number };

/** Bytes read from disk at a time, into one buffer reused for every read of a thread (fresh memory would cost a page fault per 4 KiB). */
const READ = 1 << 20;
/** Bytes given to the reader at a time: decoded pieces stay small strings (see DEFAULT_CHUNK in source.ts). */
const PIECE = 1 << 15;
let reused: Buffer | null = null;

/** Bytes `start .. end` of the open file `fd`, as pieces of the one buffer (each is read before the next overwrites it). */
function* range(fd: number, start: number, end: number): Generator<Uint8Array> {
  reused ??= Buffer.allocUnsafe(READ);
  const buffer = reused;
  let pos = start;
  while (pos < end) {
    const got = readSync(fd, buffer, 0, Math.min(end - pos, READ), pos);
    if (got === 0) break;
    pos += got;
    for (let i = 0; i < got; i += PIECE) yield buffer.subarray(i, Math.min(got, i + PIECE));
  }
}

/**
 * Read one part from the file itself (a worker, or this thread helping):
 * 1 MiB at a time, never the whole part in memory. Progress: bytes of the
 * part done (the header bytes put in front not counted), rows kept.
 */
export function readThreadTask(t: ThreadTask, onProgress?: (done: number, total: number, rows?: number) => void) {
  const fd = openSync(t.path, 'r');
  try {
    const bytes = { head: t.prefix, chunks: range(fd, t.start, t.end), size: t.prefix.length + t.end - t.start };
    const progress = onProgress && ((done: number, total: number, rows?: number) => onProgress(Math.max(0, done - t.prefix.length), total, rows));
    return readPartTask({ kind: t.kind, options: t.options, bytes, prefix: t.prefix.length } as PartTask<PartText>, progress);
  } finally {
    closeSync(fd);
  }
}

const LF = 10;

function readAt(fd: number, pos: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  const got = readSync(fd, b, 0, len, pos);
  return b.subarray(0, got);
}

/** The first offset after a line break at or after `pos` (the file's size if none). */
function nextLineStart(fd: number, pos: number, size: number): number {
  while (pos < size) {
    const w = readAt(fd, pos, Math.min(1 << 16, size - pos));
    if (w.length === 0) break;
    const k = w.indexOf(LF);
    if (k >= 0) return pos + k + 1;
    pos += w.length;
  }
  return size;
}

/**
 * Worker threads to use: `$LQL_THREADS` when set, else one per core but one
 * (at most 4), the main thread's core indexing the leads and joining the
 * parts. So a 2-core machine reads in one piece unless asked: there the
 * join's extra work was measured to cost more than the second core gave.
 */
function threads(): number {
  return threadsFromEnv(Math.min(4, availableParallelism() - 1));
}

function defaultWorker(): URL | null {
  return workerBeside(['parts-worker', 'js'].join('.'), import.meta.url);
}

/**
 * The parts joined (`join`; null when they were not read), and `onRead`
 * told how the file was read: in parts, also when the join throws the
 * file's error; else whole.
 */
function joined<T>(split: SplitOptions, join: (() => T | null) | null): T | null {
  let how: 'parts' | 'whole' = 'whole';
  try {
    const t = join?.() ?? null;
    if (t) how = 'parts';
    return t;
  } catch (e) {
    how = 'parts';
    throw e;
  } finally {
    split.onRead?.(how);
  }
}

/** Read a leads CSV file in parts on worker threads; null: read it in one piece instead. */
export async function loadLeadsParallel(path: string, size: number, options: Options, split: SplitOptions = {}): Promise<LeadTable | null> {
  const task = { kind: 'leads', options: leadsPartOptions(path, options) } as const;
  const parts = await readOnThreads<LeadsPartResult>(path, size, task, options, split, (r) => r.table.n);
  return joined(split, parts && (() => joinLeadParts(path, parts, options)));
}

/** Read an events CSV file in parts on worker threads; null: read it in one piece instead. */
export async function loadEventsParallel(
  path: string,
  size: number,
  leads: LeadTable,
  activities: readonly string[],
  options: Options,
  split: SplitOptions = {},
): Promise<EventTable | null> {
  const task = { kind: 'events', options: eventsPartOptions(path, activities, options) } as const;
  const regions = new EventRegions();
  const parts = await readOnThreads<EventsPartResult>(path, size, task, options, split, (r) => r.n, { regions });
  return joined(split, parts && (() => joinEventParts(path, leads, activities, parts, options.lenient === true, regions.whole ?? undefined)));
}

/** Memory free for this process: the system's, or what is left under its container's limit when that is lower. */
function memoryFree(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  const left = limit > 0 && limit < Number.MAX_SAFE_INTEGER ? limit - process.memoryUsage.rss() : Infinity;
  return Math.min(freemem(), left);
}

/**
 * An events file being read ahead on a worker thread while this thread
 * reads the leads (`readEventsAhead`).
 */
export interface EventsAhead {
  /** The table for `leads` once the worker is done; null: read the file in one piece instead. */
  join(leads: LeadTable): Promise<EventTable | null>;
  /** Report the read's progress to `f`: where it is now, and from now on. */
  onProgress(f: NonNullable<LoadOptions['onProgress']>): void;
  /** Stop the worker (the file came from the cache after all); a later `join` gives null. */
  cancel(): void;
}

/**
 * Start reading an events CSV file on a worker thread now, before its leads
 * are loaded: lead ids are coded as first seen (`EventsPart`) and mapped to
 * the leads' rows at `join`, so the two files are read on two cores at
 * once. Null when the file is too small to gain from it or there is no
 * second core or no worker (`$LQL_THREADS=1` reads everything here).
 */
export function readEventsAhead(path: string, size: number, activities: readonly string[], options: Options, split: SplitOptions = {}): EventsAhead | null {
  if ((split.workers ?? threadsFromEnv(availableParallelism())) < 2 || (split.workerUrl ?? defaultWorker()) === null || size < (split.minSize ?? 32 << 20))
    return null;
  // the parts and the joined table are held at once for a moment (about 0.4 bytes per byte of CSV more than one reader): only with memory to spare
  if (size * 2 > (split.freeMemory ?? memoryFree())) return null;
  let report: LoadOptions['onProgress'];
  let last: [number, number, number | undefined] | null = null;
  let cancelled = false;
  const task = { kind: 'events', options: eventsPartOptions(path, activities, options) } as const;
  const ahead = {
    ...options,
    onProgress: (done: number, total: number, rows?: number) => {
      last = [done, total, rows];
      report?.(done, total, rows);
    },
    isCancelled: () => cancelled || options.isCancelled?.() === true,
  };
  // this thread helps with the parts left once the leads are read (`join`)
  const regions = new EventRegions();
  let free: () => void = () => {};
  const help = new Promise<void>((resolve) => {
    free = resolve;
  });
  const parts = readOnThreads<EventsPartResult>(path, size, task, ahead, { partSize: 32 << 20, ...split, workers: 1 }, (r) => r.n, { help, regions }).then(
    (read) => ({ read }),
    // kept for `join`, so that a failure while the leads are read is never an unhandled rejection
    (error: unknown) => ({ error }),
  );
  return {
    join: async (leads) => {
      if (cancelled) return null;
      free();
      const got = await parts;
      if (cancelled) return null;
      if ('error' in got) throw got.error;
      const { read } = got;
      return joined(split, read && (() => joinEventParts(path, leads, activities, read, options.lenient === true, regions.whole ?? undefined)));
    },
    onProgress: (f) => {
      report = f;
      if (last) f(...last);
    },
    cancel: () => {
      cancelled = true;
    },
  };
}

/**
 * Room for each part's events in one pair of arrays in shared memory, the
 * table's once the parts are joined (`eventsInLeadOrder` moves them down to
 * be consecutive, touching no new memory): each part gets its share of the
 * events the first bytes promise at their lines per byte, plus 15%. A part
 * with more events goes on in arrays of its own (joined by copying).
 */
export class EventRegions {
  /** the whole arrays (null until planned, or where there is no shared memory) */
  whole: EventRegion | null = null;
  parts: EventRegion[] = [];

  /** Plan the regions of the parts `bounds` (byte offsets), from the file's first bytes `head`. */
  plan(head: Uint8Array, bounds: number[]): void {
    if (typeof SharedArrayBuffer === 'undefined') return;
    let lines = 0;
    for (let i = head.indexOf(LF); i >= 0; i = head.indexOf(LF, i + 1)) lines++;
    const perByte = Math.max(lines, 1) / Math.max(head.length, 1);
    const sizes = bounds.slice(1).map((end, k) => Math.ceil((end - bounds[k]!) * perByte * 1.15) + 1024);
    const total = sizes.reduce((a, b) => a + b, 0);
    const type = new Int32Array(new SharedArrayBuffer(total * 4));
    const time = new Float64Array(new SharedArrayBuffer(total * 8));
    this.whole = { type, time };
    let at = 0;
    this.parts = sizes.map((n) => {
      const r = { type: type.subarray(at, at + n), time: time.subarray(at, at + n) };
      at += n;
      return r;
    });
  }
}

/**
 * The file cut into parts, read by worker threads: the parts' results in
 * file order, or null (not split, or a worker failed). `rowsOf` counts a
 * part's rows for progress.
 */
async function readOnThreads<R>(
  path: string,
  size: number,
  task: Pick<ThreadTask, 'kind' | 'options'>,
  options: Options,
  split: SplitOptions,
  rowsOf: (r: R) => number,
  also: {
    /** once this settles, this thread reads the parts no worker has taken yet too (so one worker is enough) */
    help?: Promise<unknown>;
    /** for events: where the parts write their events */
    regions?: EventRegions;
  } = {},
): Promise<R[] | null> {
  const { help, regions } = also;
  const wanted = split.workers ?? threads();
  if (size < (split.minSize ?? 32 << 20) || wanted < (help ? 1 : 2)) return null;
  const url = split.workerUrl ?? defaultWorker();
  if (!url) return null;
  const fd = openSync(path, 'r');
  let cuts: { prefix: Uint8Array; bounds: number[] } | null;
  let head: Uint8Array;
  try {
    // a header line longer than this window: one piece
    head = readAt(fd, 0, Math.min(size, 1 << 20));
    const count = Math.max(wanted, Math.ceil(size / (split.partSize ?? 64 << 20)));
    cuts = cutsOf(head, size, count, (pos) => nextLineStart(fd, pos, size), split.cuts);
  } finally {
    closeSync(fd);
  }
  if (!cuts) return null;
  const { prefix, bounds } = cuts;
  const nParts = bounds.length - 1;
  regions?.plan(head, bounds);
  const nWorkers = Math.min(wanted, nParts);
  const results: R[] = new Array(nParts);
  const workers: Worker[] = [];
  let next = 0;
  // per part: bytes done and rows kept, as the workers report them
  const done = new Array<number>(nParts).fill(0);
  const rows = new Array<number>(nParts).fill(0);
  const report = () => {
    let d = 0;
    let r = 0;
    for (let k = 0; k < nParts; k++) {
      d += done[k]!;
      r += rows[k]!;
    }
    options.onProgress?.(d, size, r);
  };
  try {
    const ok = await new Promise<boolean>((resolve, reject) => {
      let finished = 0;
      let settled = false;
      const settle = (v: boolean | Error) => {
        if (settled) return;
        settled = true;
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
      const give = (w: Worker) => {
        if (options.isCancelled?.()) return settle(new LoadCancelledError(path));
        if (next >= nParts) return;
        const id = next++;
        w.postMessage(taskOf(id));
      };
      const taskOf = (id: number): ThreadTask => {
        const t = { ...task, id, path, start: bounds[id]!, end: bounds[id + 1]!, prefix: id === 0 ? new Uint8Array(0) : prefix } as ThreadTask;
        const into = regions?.parts[id];
        if (into && t.kind === 'events') t.options = { ...t.options, into };
        return t;
      };
      const finish = (id: number, result: R) => {
        results[id] = result;
        done[id] = bounds[id + 1]! - bounds[id]!;
        rows[id] = rowsOf(result);
        report();
        if (++finished === nParts) settle(true);
      };
      for (let i = 0; i < nWorkers; i++) {
        let w: Worker;
        try {
          w = new Worker(url, workerOptions());
        } catch {
          // a worker that cannot start: the file is read in one piece
          return settle(false);
        }
        workers.push(w);
        w.on('message', (m: { id: number; result?: R; progress?: [number, number]; failure?: string }) => {
          if (settled) return;
          if (m.progress) {
            if (options.isCancelled?.()) return settle(new LoadCancelledError(path));
            [done[m.id], rows[m.id]] = m.progress;
            return report();
          }
          if (!m.result) return settle(false);
          finish(m.id, m.result);
          if (!settled) give(w);
        });
        w.on('error', () => settle(false));
        w.on('exit', () => settle(false));
        give(w);
        // with this thread helping, each worker has its next part queued, so it never waits for this thread to hand one over
        if (help) give(w);
      }
      void help?.then(async () => {
        while (!settled && next < nParts) {
          if (options.isCancelled?.()) return settle(new LoadCancelledError(path));
          const id = next++;
          try {
            const result = readThreadTask(taskOf(id), (d, _t, r) => {
              done[id] = d;
              rows[id] = r ?? 0;
              report();
            }) as R;
            finish(id, result);
          } catch {
            // as for a worker that fails: the file is read in one piece
            return settle(false);
          }
          // let the workers' messages in between parts
          await new Promise((resolve) => setImmediate(resolve));
        }
      });
    });
    return ok ? results : null;
  } finally {
    for (const w of workers) void w.terminate();
  }
}

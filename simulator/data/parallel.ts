/**
 * Reading a large CSV events file on all cores (Node worker threads).
 *
 * Input: a file path (CSV, at least `minSize` bytes), the leads, the
 * ruleset's activities and the load options.
 * Output: the EventTable the single reader would build, or null when the
 * file is not one to split (too small, JSON Lines, no header line found,
 * no worker available) or the parts cannot stand for it (`parts.ts`): the
 * caller then reads it in one piece.
 * How: the header line is found (outside quotes), the rest is cut into
 * parts of about `partSize` bytes, each just after a line break; workers
 * (`$LQL_THREADS`, else one per core but one, at most 4) each read their parts from the file themselves
 * and send back typed arrays; the main thread meanwhile indexes the lead ids,
 * then joins the parts in file order. Progress is reported as parts finish.
 * Invariants: a worker that fails or exits leaves the load to the single
 * reader, never to a partial table; `isCancelled()` stops the workers and
 * throws LoadCancelledError; the workers are always terminated.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { headerEnd, textStart } from './cuts.js';
import { LoadCancelledError } from './errors.js';
import { leadIndex } from './leads.js';
import { joinEventParts, type EventsPartResult, type PartOptions } from './parts.js';
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
  /** told how the file was read: in `parts`, or `whole` by the single reader (and why) */
  onRead?: (how: 'parts' | 'whole', why?: string) => void;
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
  const env = Number(process.env.LQL_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : Math.min(4, availableParallelism() - 1);
}

function defaultWorker(): URL | null {
  // a name built at run time, so that bundlers leave it alone: the worker is an entry of its own beside this module
  const name = ['parts-worker', 'js'].join('.');
  const url = new URL('./' + name, import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** Read an events CSV file in parts on worker threads; null: read it in one piece instead. */
export async function loadEventsParallel(
  path: string,
  size: number,
  leads: LeadTable,
  activities: readonly string[],
  options: LoadOptions & { delimiter?: string; maxRecord?: number },
  split: SplitOptions = {},
): Promise<EventTable | null> {
  const t = await inParts(path, size, leads, activities, options, split);
  split.onRead?.(t ? 'parts' : 'whole');
  return t;
}

async function inParts(
  path: string,
  size: number,
  leads: LeadTable,
  activities: readonly string[],
  options: LoadOptions & { delimiter?: string; maxRecord?: number },
  split: SplitOptions = {},
): Promise<EventTable | null> {
  if (size < (split.minSize ?? 32 << 20) || (split.workers ?? threads()) < 2) return null;
  const url = split.workerUrl ?? defaultWorker();
  if (!url) return null;
  const fd = openSync(path, 'r');
  let prefix: Uint8Array;
  const bounds: number[] = [0];
  try {
    const head = readAt(fd, 0, Math.min(size, 1 << 20));
    const { bom, jsonl, empty } = textStart(head);
    // JSON Lines, or a header line longer than the window: one piece
    if (empty || jsonl) return null;
    const end = headerEnd(head, bom);
    if (end < 0 || end >= size) return null;
    prefix = head.slice(bom, end);
    if (split.cuts) {
      for (const c of [...split.cuts].sort((a, b) => a - b)) if (c > end && c < size && c > bounds[bounds.length - 1]!) bounds.push(c);
    } else {
      const partSize = split.partSize ?? 64 << 20;
      const count = Math.max(split.workers ?? threads(), Math.ceil((size - end) / partSize));
      for (let k = 1; k < count; k++) {
        const b = nextLineStart(fd, end + Math.floor(((size - end) * k) / count), size);
        if (b > bounds[bounds.length - 1]! && b < size) bounds.push(b);
      }
    }
  } finally {
    closeSync(fd);
  }
  bounds.push(size);
  const nParts = bounds.length - 1;
  if (nParts < 2) return null;

  const partOptions: PartOptions = {
    file: path,
    activities,
    lenient: options.lenient,
    dateFormat: options.dateFormat,
    eventColumns: options.eventColumns,
    delimiter: options.delimiter,
    maxRecord: options.maxRecord,
  };
  const nWorkers = Math.max(1, Math.min(split.workers ?? threads(), nParts));
  const results: (EventsPartResult | undefined)[] = new Array(nParts);
  const workers: Worker[] = [];
  let next = 0;
  let doneBytes = 0;
  let rows = 0;
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
        w.postMessage({ id, path, start: bounds[id]!, end: bounds[id + 1]!, prefix: id === 0 ? new Uint8Array(0) : prefix, options: partOptions });
      };
      for (let i = 0; i < nWorkers; i++) {
        const w = new Worker(url);
        workers.push(w);
        w.on('message', (m: { id: number; result?: EventsPartResult; failure?: string }) => {
          if (!m.result) return settle(false);
          results[m.id] = m.result;
          doneBytes += bounds[m.id + 1]! - bounds[m.id]!;
          rows += m.result.n;
          options.onProgress?.(doneBytes, size, rows);
          if (++finished === nParts) return settle(true);
          give(w);
        });
        w.on('error', () => settle(false));
        w.on('exit', () => settle(false));
        give(w);
      }
      // index the lead ids while the workers read (the join needs them)
      leadIndex(leads);
    });
    if (!ok) return null;
  } finally {
    for (const w of workers) void w.terminate();
  }
  return joinEventParts(path, leads, activities, results as EventsPartResult[], options.lenient === true);
}

/**
 * Reading a large CSV file held in memory in parts, each part in a worker
 * of the caller's (the browser playground's part readers), and joining the
 * parts into the table the single reader builds.
 *
 * Input: the file's bytes, its name, the load options, and `SplitOptions`:
 * how many parts to read side by side, and a `PartReader` that reads one
 * part elsewhere and reports its progress.
 * Output: the LeadTable / EventTable, or null when the file is not one to
 * split (JSON Lines, too few lines, one reader) or the parts cannot stand
 * for it (`lead-parts.ts`, `parts.ts`): the caller then reads it whole;
 * `readPartTask` -> one part read where it was sent (the browser's and the
 * CLI's workers), `progressEvery` -> its progress for their messages.
 * Invariants: cuts are found quote-aware and verified (`cuts.ts`); every
 * message keeps the file, line and column the single reader gives;
 * progress sums the parts (bytes, rows); `isCancelled()` is checked at every
 * progress report: the parts are then aborted and LoadCancelledError is
 * thrown. No dependency on node:.
 */
import { cutsInMemory } from './cuts.js';
import { LoadCancelledError } from './errors.js';
import { joinLeadParts, readLeadsPart, type LeadsPartOptions, type LeadsPartResult } from './lead-parts.js';
import { joinEventParts, readEventsPart, type EventsPartResult, type PartOptions, type PartText } from './parts.js';
import type { EventTable, LeadTable, LoadOptions } from './table.js';

/**
 * One part to read: the header bytes (`prefix` of them; 0 for the first
 * part) followed by the part; sent to a worker, `bytes` is the part in
 * memory (a worker that reads it from disk itself has it as chunks).
 */
export type PartTask<B extends PartText = Uint8Array> =
  | { kind: 'leads'; bytes: B; prefix: number; options: LeadsPartOptions }
  | { kind: 'events'; bytes: B; prefix: number; options: PartOptions };

/** Read one part where it was sent (a worker): by its kind, `readLeadsPart` or `readEventsPart`. */
export function readPartTask(task: PartTask<PartText>, onProgress?: (done: number, total: number, rows?: number) => void): LeadsPartResult | EventsPartResult {
  return task.kind === 'leads'
    ? readLeadsPart(task.bytes, task.prefix, task.options, onProgress)
    : readEventsPart(task.bytes, task.prefix, task.options, onProgress);
}

/** A reader's progress passed on at most every `ms` milliseconds, as `send(bytes done, rows kept)` (a worker's messages). */
export function progressEvery(ms: number, send: (done: number, rows: number) => void): (done: number, total: number, rows?: number) => void {
  let last = 0;
  return (done, _total, rows) => {
    const now = performance.now();
    if (now - last < ms) return;
    last = now;
    send(done, rows ?? 0);
  };
}

/** Reads a part elsewhere; `onProgress(bytes done, rows kept)` as it goes; stops (rejects) when `signal` aborts. */
export type PartReader = (task: PartTask, onProgress: (done: number, rows: number) => void, signal: AbortSignal) => Promise<LeadsPartResult | EventsPartResult>;

export interface SplitOptions {
  /** parts read side by side (fewer than 2: not split) */
  parts: number;
  read: PartReader;
  /** cut exactly at these byte offsets (tests: awkward places) */
  cuts?: number[];
  /** told when the parts start: how many */
  onParts?: (parts: number) => void;
}

type Options = LoadOptions & { delimiter?: string; maxRecord?: number };

/** Read the parts side by side; their results in file order. */
async function readParts<R>(
  name: string,
  bytes: Uint8Array,
  options: Options,
  split: SplitOptions,
  task: (b: Uint8Array, prefix: number) => PartTask,
): Promise<R[] | null> {
  if (split.parts < 2) return null;
  const cuts = cutsInMemory(bytes, split.parts, split.cuts);
  if (!cuts) return null;
  const { prefix, bounds } = cuts;
  const n = bounds.length - 1;
  split.onParts?.(n);
  const done = new Array<number>(n).fill(0);
  const rows = new Array<number>(n).fill(0);
  const abort = new AbortController();
  const report = () => {
    if (options.isCancelled?.()) {
      abort.abort();
      return;
    }
    let d = 0;
    let r = 0;
    for (let k = 0; k < n; k++) {
      d += done[k]!;
      r += rows[k]!;
    }
    options.onProgress?.(Math.min(d, bytes.length), bytes.length, r);
  };
  const jobs = Array.from({ length: n }, (_, k) => {
    const start = bounds[k]!;
    const end = bounds[k + 1]!;
    let part: Uint8Array;
    if (k === 0) part = bytes.slice(0, end);
    else {
      part = new Uint8Array(prefix.length + end - start);
      part.set(prefix);
      part.set(bytes.subarray(start, end), prefix.length);
    }
    const head = k === 0 ? 0 : prefix.length;
    return split.read(
      task(part, head),
      (d, r) => {
        done[k] = Math.max(0, d - head);
        rows[k] = r;
        report();
      },
      abort.signal,
    );
  });
  try {
    const results = await Promise.all(jobs);
    if (abort.signal.aborted) throw new LoadCancelledError(name);
    return results as R[];
  } catch (e) {
    abort.abort();
    if (e instanceof LoadCancelledError || options.isCancelled?.()) throw new LoadCancelledError(name);
    // a reader that failed (a worker that could not start or died): the file is read whole
    return null;
  }
}

function partOptions(name: string, options: Options) {
  return { file: name, lenient: options.lenient, dateFormat: options.dateFormat, delimiter: options.delimiter, maxRecord: options.maxRecord };
}

/** How each part of a leads file is read: as the single reader reads the whole file with these options. */
export function leadsPartOptions(name: string, options: Options): LeadsPartOptions {
  return {
    ...partOptions(name, options),
    id: options.id,
    outcome: options.outcome,
    missing: options.missing,
    types: options.types,
    ...(options.only ? { only: options.only } : {}),
  };
}

/** How each part of an events file is read (see `leadsPartOptions`). */
export function eventsPartOptions(name: string, activities: readonly string[], options: Options): PartOptions {
  return { ...partOptions(name, options), activities, eventColumns: options.eventColumns };
}

/** A leads file in parts; null: read it whole. */
export async function loadLeadsInParts(name: string, bytes: Uint8Array, options: Options, split: SplitOptions): Promise<LeadTable | null> {
  const opts = leadsPartOptions(name, options);
  const parts = await readParts<LeadsPartResult>(name, bytes, options, split, (b, prefix) => ({ kind: 'leads', bytes: b, prefix, options: opts }));
  return parts && joinLeadParts(name, parts, options);
}

/** An events file in parts; null: read it whole. */
export async function loadEventsInParts(
  name: string,
  bytes: Uint8Array,
  leads: LeadTable,
  activities: readonly string[],
  options: Options,
  split: SplitOptions,
): Promise<EventTable | null> {
  const opts = eventsPartOptions(name, activities, options);
  const parts = await readParts<EventsPartResult>(name, bytes, options, split, (b, prefix) => ({ kind: 'events', bytes: b, prefix, options: opts }));
  return parts && joinEventParts(name, leads, activities, parts, options.lenient === true);
}

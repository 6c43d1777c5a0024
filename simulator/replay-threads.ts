/**
 * Replay on threads (Node): one replay's leads shared between the calling
 * thread and worker threads (`kernel/kernel-thread.ts`), each running the
 * same bound kernel over ranges of leads and writing into the same output
 * arrays in shared memory.
 *
 * Input: a ruleset's IR (or compiled kernel), the tables, ReplayOptions; the
 * number of threads (`$LQL_THREADS`, else one per core, at most 4).
 * Output: the ScoredTable `replay()` gives for the same input, with its
 * output arrays over SharedArrayBuffers.
 * Invariants:
 * - threads are used only when they pay: an event replay of at least
 *   `minEvents` events whose events table already lives in shared memory
 *   (the columnar cache reads it there), so no thread copies it, or a
 *   snapshot of at least `minLeads` leads whose columns live there;
 *   otherwise, and for a run that reuses an earlier run's scores, this is
 *   `replay()`;
 * - the leads are cut into ranges of about equal numbers of events (of leads
 *   for a snapshot), several
 *   per thread; every thread takes the next range with one atomic add, so a
 *   thread slowed by other work on its core takes fewer; a range is written
 *   by exactly one thread, and the outputs equal the single-thread replay's
 *   (the same generated code over the same arrays);
 * - a worker that fails or exits costs time, never a result: the calling
 *   thread replays every range no worker marked as done;
 * - workers start on the first replay that uses them, are kept for the
 *   next ones (a `--baseline` run replays twice), and never keep the
 *   process alive while idle; `close()` ends them.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { IR } from '../language/compile/ir.js';
import type { CompiledKernel, OutputAllocator } from './kernel/emit-kernel.js';
import type { RankingJob, ThreadJob, ThreadReply } from './kernel/kernel-thread.js';
import { expectRankings } from './shared-ranking.js';
import { flagActivities, takeRanges } from './kernel/kernel-runtime.js';
import type { ReadJob } from './data/shared-read.js';
import { threadsFromEnv, workerBeside, workerOptions } from './data/threads.js';
import type { EventTable, LeadTable } from './data/table.js';
import { markComplete, replay, replayMode, startReplay, type ReplayOptions, type ScoredTable } from './replay.js';

export interface ThreadOptions {
  /** threads in all, the calling one included (default `$LQL_THREADS`, else one per core, at most 4) */
  threads?: number;
  /** the smallest event replay shared between threads (default 1,000,000 events) */
  minEvents?: number;
  /** the smallest snapshot shared between threads (default 200,000 leads) */
  minLeads?: number;
  /** ranges per thread (default 16: the last range taken is what the other thread may wait for) */
  rangesPerThread?: number;
  /** the worker script (default: `kernel-thread.js` beside this module, or in `kernel/` beside it) */
  workerUrl?: URL;
  /** whether the calling thread replays ranges too (default true; false leaves them to the workers, and to it only what they did not do) */
  callerTakes?: boolean;
  /** a job whose workers finish no range for this long is taken back (default 60 s) */
  stallMs?: number;
}

/** Output arrays in shared memory, so that every thread writes into the same ones. */
export const SHARED_ARRAYS: OutputAllocator = {
  f64: (n) => new Float64Array(new SharedArrayBuffer(n * 8)),
  i32: (n) => new Int32Array(new SharedArrayBuffer(n * 4)),
};

function isShared(a: ArrayBufferView | undefined): boolean {
  return a !== undefined && a.buffer instanceof SharedArrayBuffer;
}

/** Whether every array of the leads a kernel may read is in shared memory (a table the columnar cache read). */
function leadsShared(leads: LeadTable): boolean {
  if (!isShared(leads.closedAt)) return false;
  for (const c of leads.columns.values()) if (!isShared(c.type === 'text' ? c.codes : c.values)) return false;
  return true;
}

/** Threads in all: `$LQL_THREADS` when set, else one per core (at most 4). */
function replayThreadCount(): number {
  return threadsFromEnv(Math.min(4, availableParallelism()));
}

function defaultWorker(): URL | null {
  // the bundled CLI has the worker beside its chunks, the compiled modules in kernel/
  return workerBeside(['kernel-thread', 'js'].join('.'), import.meta.url, ['./', './kernel/']);
}

/** Cut leads 0..n-1 into `count` ranges of about equal numbers of events (of leads without events). */
export function eventRanges(offsets: Int32Array | null, n: number, count: number): Int32Array {
  const cuts: number[] = [0];
  const total = offsets ? offsets[n]! - offsets[0]! : n;
  let lead = 0;
  for (let k = 1; k < count; k++) {
    const want = Math.floor((total * k) / count);
    if (offsets) {
      // the first lead whose events start at or after the k-th share
      let lo = lead;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (offsets[mid]! - offsets[0]! < want) lo = mid + 1;
        else hi = mid;
      }
      lead = lo;
    } else lead = want;
    if (lead > cuts[cuts.length - 1]! && lead < n) cuts.push(lead);
  }
  cuts.push(n);
  return Int32Array.from(cuts);
}

export class ReplayThreads {
  private workers: Worker[] = [];
  private started = false;
  private nextJob = 1;
  private readonly threads: number;
  private readonly minEvents: number;
  private readonly minLeads: number;
  private readonly perThread: number;
  private readonly url: URL | null;
  private readonly callerTakes: boolean;
  private readonly stallMs: number;
  /** the last replay on threads: its ranges, and how many the workers replayed */
  last: { ranges: number; byWorkers: number } | undefined;

  constructor(opts: ThreadOptions = {}) {
    this.threads = Math.max(1, opts.threads ?? replayThreadCount());
    this.minEvents = opts.minEvents ?? 1_000_000;
    this.minLeads = opts.minLeads ?? 200_000;
    this.perThread = Math.max(1, opts.rangesPerThread ?? 16);
    this.url = opts.workerUrl ?? defaultWorker();
    this.callerTakes = opts.callerTakes ?? true;
    this.stallMs = opts.stallMs ?? 60_000;
  }

  /** Whether a replay of these tables would be shared between threads. */
  wouldShare(events: EventTable | null | undefined, opts: ReplayOptions = {}, leads?: LeadTable): boolean {
    if (this.threads < 2 || this.url === null || opts.previous || opts.range) return false;
    if (replayMode(events, opts) === 'events')
      return !!events && events.times.length >= this.minEvents && isShared(events.times) && isShared(events.offsets) && isShared(events.types);
    // a snapshot: its kernel is cheap per lead, so only many leads whose columns already live in shared memory
    return !!leads && leads.n >= this.minLeads && leadsShared(leads);
  }

  /** Hand a read to the workers too (`CacheOptions.share`: cache entries are read by every thread). */
  readonly share = (job: ReadJob): void => {
    this.start();
    for (const w of this.workers) {
      try {
        w.postMessage({ read: job });
      } catch {
        /* the reading thread reads that worker's share */
      }
    }
  };

  /**
   * Have the workers rank a replay's scores for the report while this
   * thread computes the rest of the report (simulator/shared-ranking.ts);
   * only for a table replayed on threads (its scores in shared memory).
   */
  rankAhead(table: ScoredTable): void {
    if (!this.workers.length || !table.scores.every(isShared)) return;
    const job: RankingJob = { scores: table.scores, outcome: table.outcome, out: expectRankings(table.scores, table.outcome) };
    for (const w of this.workers) {
      try {
        w.postMessage({ ranking: job });
      } catch {
        /* the report ranks that worker's share */
      }
    }
  }

  /** Start the workers now (their start-up then overlaps the caller's other work). */
  start(): void {
    if (this.started || this.threads < 2 || !this.url) return;
    this.started = true;
    for (let i = 1; i < this.threads; i++) {
      try {
        // not the main script's flags for reading its input (`node --input-type=module -e ...`)
        const w = new Worker(this.url, workerOptions());
        w.on('error', () => this.forget(w));
        w.on('exit', () => this.forget(w));
        w.unref();
        this.workers.push(w);
      } catch {
        break; // no more threads: the others share the work
      }
    }
  }

  private forget(w: Worker): void {
    this.workers = this.workers.filter((x) => x !== w);
  }

  /** The ScoredTable `replay(irOrKernel, leads, events, opts)` gives, replayed on the threads when they pay. */
  async replay(irOrKernel: IR | CompiledKernel, leads: LeadTable, events: EventTable | null | undefined, opts: ReplayOptions = {}): Promise<ScoredTable> {
    if (!this.wouldShare(events, opts, leads)) return replay(irOrKernel, leads, events, opts);
    const n = leads.n;
    const ir = 'bind' in irOrKernel ? irOrKernel.ir : irOrKernel;
    // which leads did each activity: found range by range with the kernel, unless given
    const did = opts.did ? undefined : ir.activities.map(() => new Uint8Array(new SharedArrayBuffer(n)));
    const job = startReplay(irOrKernel, leads, events, { ...opts, alloc: SHARED_ARRAYS, range: { lo: 0, hi: 0 }, ...(did ? { did } : {}) });
    const kernel = job.portable();
    if (!kernel) return replay(irOrKernel, leads, events, opts);
    this.start();
    const run = (lo: number, hi: number) => {
      job.runRange(lo, hi);
      if (did) flagActivities(kernel.ctx, did, lo, hi);
    };
    // ranges of about equal numbers of events; of leads for a snapshot
    const bounds = eventRanges(events && replayMode(events, opts) === 'events' ? events.offsets : null, n, this.threads * this.perThread);
    const ranges = bounds.length - 1;
    const state = new Int32Array(new SharedArrayBuffer((2 + ranges) * 4));
    const id = this.nextJob++;
    const replies = this.workers.map((w) => this.post(w, { job: id, kernel, bounds, state, ...(did ? { did } : {}) }));
    // this thread takes ranges too, until none is left
    let mine = this.callerTakes ? takeRanges(bounds, state, run, (done) => opts.onProgress?.(done, n)) : 0;
    const watch = this.stalled(state, this.stallMs);
    await Promise.race([Promise.all(replies), watch.stalled]);
    watch.stop();
    // ranges no worker took, or a worker took and did not finish (it failed or stalled): replayed here
    for (let r = 0; r < ranges; r++) {
      if (Atomics.load(state, 2 + r) !== 1) {
        run(bounds[r]!, bounds[r + 1]!);
        mine++;
      }
    }
    this.last = { ranges, byWorkers: ranges - mine };
    const table = job.result();
    markComplete(table, job.signature);
    return table;
  }

  /**
   * Resolves when no range of a job has been finished for `ms` while the
   * workers still hold some (a worker that hangs): its workers are then ended,
   * and this thread replays what they did not finish (a range it replays
   * again gets the same values).
   */
  private stalled(state: Int32Array, ms: number): { stalled: Promise<void>; stop: () => void } {
    let timer: ReturnType<typeof setInterval> | undefined;
    const stalled = new Promise<void>((resolve) => {
      let seen = Atomics.load(state, 1);
      timer = setInterval(() => {
        const now = Atomics.load(state, 1);
        if (now !== seen) {
          seen = now;
          return;
        }
        clearInterval(timer);
        void this.close();
        resolve();
      }, ms);
      timer.unref();
    });
    return { stalled, stop: () => clearInterval(timer) };
  }

  /** Resolves when worker `w` ends job `msg` (done, failed or gone). */
  private post(w: Worker, msg: ThreadJob): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        w.off('message', onMessage);
        w.off('exit', done);
        w.off('error', done);
        w.off('messageerror', done);
        w.unref();
        resolve();
      };
      const onMessage = (m: ThreadReply) => {
        if (m.job === msg.job) done();
      };
      w.on('message', onMessage);
      w.on('exit', done);
      w.on('error', done);
      w.on('messageerror', done);
      w.ref();
      try {
        w.postMessage(msg);
      } catch {
        done();
      }
    });
  }

  /** End the workers. */
  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

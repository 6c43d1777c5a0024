/**
 * A worker thread that replays ranges of leads for `simulator/replay-threads.ts`,
 * and helps read cache entries into shared memory (`simulator/data/shared-read.ts`).
 *
 * Input: messages `ThreadJob`: a bound kernel as data (its generated source,
 * the function to call, what it reads), the ranges' bounds and the job's
 * shared state; or `{ read }`: a ReadJob; or `{ ranking }`: scores to rank
 * for the report.
 * Output: the kernel's outputs and the activity flags, written into the job's
 * shared arrays, `state[2 + r] = 1` once range r is written, and one
 * `ThreadReply` per job; for a read, the chunks it took read into place
 * (no reply: the reading thread waits on the shared state); for a ranking,
 * the AUC and lift table of each score no other thread has claimed, written
 * into place.
 * Invariants: takes ranges as every thread of the job does (`takeRanges`),
 * so a range is written by exactly one thread; the
 * generated source is compiled once per distinct source; never evaluates
 * anything but the kernel's own generated code.
 */
import { parentPort } from 'node:worker_threads';
import { flagActivities, KERNEL_RUNTIME, takeRanges } from './kernel-runtime.js';
import type { PortableKernel } from './emit-kernel.js';
import { readChunks, type ReadJob } from '../data/shared-read.js';
import { fillRankings, type SharedRanking } from '../shared-ranking.js';

/** A ranking job: rank these scores (simulator/shared-ranking.ts). */
export interface RankingJob {
  scores: Float64Array[];
  outcome: Int8Array;
  out: SharedRanking[];
}

/** A job: replay the ranges of `bounds` with `kernel` (sent by simulator/replay-threads.ts). */
export interface ThreadJob {
  job: number;
  kernel: PortableKernel;
  /** range r is leads bounds[r] .. bounds[r + 1] - 1 */
  bounds: Int32Array;
  /** shared: [0] the next range to take, [1] leads done, [2 + r] 1 once range r is written */
  state: Int32Array;
  /** shared, per activity: set for each lead of a range that did it (`flagActivities`), when given */
  did?: Uint8Array[];
}

/** What a kernel thread answers when a job ends. */
export type ThreadReply = { job: number; ok: true } | { job: number; ok: false; error: string };

type KernelFn = (ctx: PortableKernel['ctx'], lo: number, hi: number) => void;

const compiled = new Map<string, Record<string, KernelFn>>();

function fnOf(source: string, name: string): KernelFn {
  let fns = compiled.get(source);
  if (!fns) {
    fns = new Function('R', source)(KERNEL_RUNTIME) as Record<string, KernelFn>;
    if (compiled.size >= 8) compiled.clear();
    compiled.set(source, fns);
  }
  return fns[name]!;
}

parentPort?.on('message', (m: ThreadJob | { read: ReadJob } | { ranking: RankingJob }) => {
  if ('read' in m) {
    readChunks(m.read);
    return;
  }
  if ('ranking' in m) {
    fillRankings(m.ranking.scores, m.ranking.outcome, m.ranking.out);
    return;
  }
  let reply: ThreadReply;
  try {
    const fn = fnOf(m.kernel.source, m.kernel.fn);
    const { ctx } = m.kernel;
    const did = m.did;
    takeRanges(m.bounds, m.state, (lo, hi) => {
      fn(ctx, lo, hi);
      if (did) flagActivities(ctx, did, lo, hi);
    });
    reply = { job: m.job, ok: true };
  } catch (e) {
    reply = { job: m.job, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});

/**
 * Ranking groups computed on another thread: while the report's other parts
 * are computed, a worker (`kernel/kernel-thread.ts`) sorts the scores into
 * the groups the ROC AUC and the lift table are computed from
 * (`ranking.ts`), into shared memory.
 *
 * Input: the scored table's score arrays and the outcome (in shared memory,
 * or copied to the worker); per score, a `SharedGroups` block.
 * Output: per score, the same `Groups` `computeGroups` gives on this thread
 * (the worker runs that very function), read without a copy.
 * Invariants: each score is claimed by exactly one thread (an atomic
 * compare-and-swap on its state: the worker before it starts it, the
 * reading thread when it needs a score no thread has started); the reading
 * thread waits only for a score the worker is computing, at most
 * `PATIENCE_MS`, then computes it itself; a worker that fails marks the
 * score failed and the reading thread computes it.
 */
import { computeGroups, groupsFromElsewhere, type Groups } from './ranking.js';

/** How long the reading thread waits for a score the worker is sorting. */
const PATIENCE_MS = 30_000;

/** state[0]: 0 free, 1 claimed by the worker, 2 done, 3 failed, 4 claimed by the reading thread; [1] groups; [2] won; [3] lost */
export interface SharedGroups {
  state: Int32Array;
  values: Float64Array;
  won: Int32Array;
  lost: Int32Array;
}

const FREE = 0;
const WORKER = 1;
const DONE = 2;
const FAILED = 3;
const READER = 4;

/** A block for the groups of a score over `n` leads (at most `n` distinct values). */
function sharedGroups(n: number): SharedGroups {
  return {
    state: new Int32Array(new SharedArrayBuffer(16)),
    values: new Float64Array(new SharedArrayBuffer(8 * n)),
    won: new Int32Array(new SharedArrayBuffer(4 * n)),
    lost: new Int32Array(new SharedArrayBuffer(4 * n)),
  };
}

/**
 * On the worker: compute each score's groups that no thread has claimed yet,
 * the last score first (the report ranks them first to last, so the reading
 * thread computes the first ones itself if it gets there before the worker).
 */
export function fillGroups(scores: ArrayLike<number>[], outcome: Int8Array, out: SharedGroups[]): void {
  for (let s = scores.length - 1; s >= 0; s--) {
    const score = scores[s]!;
    const o = out[s]!;
    if (Atomics.compareExchange(o.state, 0, FREE, WORKER) !== FREE) continue;
    let status = FAILED;
    try {
      // sorted groups are written straight into the shared arrays; counted ones (at most 4,096) are copied
      const g = computeGroups(score, outcome, () => o);
      const k = g.values.length;
      if (!(g.values instanceof Float64Array && g.values.buffer === o.values.buffer)) {
        for (let i = 0; i < k; i++) {
          o.values[i] = g.values[i]!;
          o.won[i] = g.won[i]!;
          o.lost[i] = g.lost[i]!;
        }
      }
      o.state[1] = k;
      o.state[2] = g.totalWon;
      o.state[3] = g.totalLost;
      status = DONE;
    } finally {
      Atomics.store(o.state, 0, status);
      Atomics.notify(o.state, 0);
    }
  }
}

/** The groups a worker computed, or null (then the caller computes them): claims the score when nobody has. */
function taken(o: SharedGroups): Groups | null {
  if (Atomics.compareExchange(o.state, 0, FREE, READER) === FREE) return null;
  if (Atomics.load(o.state, 0) === WORKER) Atomics.wait(o.state, 0, WORKER, PATIENCE_MS);
  if (Atomics.load(o.state, 0) !== DONE) return null;
  const k = o.state[1]!;
  return { values: o.values.subarray(0, k), won: o.won.subarray(0, k), lost: o.lost.subarray(0, k), totalWon: o.state[2]!, totalLost: o.state[3]! };
}

/** Blocks for `scores`, each registered so that the report's ranking takes the worker's groups. */
export function expectGroups(scores: Float64Array[], outcome: Int8Array): SharedGroups[] {
  return scores.map((score) => {
    const o = sharedGroups(score.length);
    groupsFromElsewhere(score, outcome, () => taken(o));
    return o;
  });
}

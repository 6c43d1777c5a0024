/**
 * Rankings computed on another thread: while the report's other parts are
 * computed, a worker (`kernel/kernel-thread.ts`) computes each score's ROC
 * AUC and lift table (`ranking.ts`) and writes the few numbers they are
 * into shared memory.
 *
 * Input: the scored table's score arrays and the outcome (in shared memory,
 * or copied to the worker); per score, a `SharedRanking` block.
 * Output: per score, the same `Ranking` that `computeRanking` gives on this
 * thread (the worker runs that very function; the lift rows are rebuilt
 * from their bounds and counts by the same `liftRow`).
 * Invariants: each score is claimed by exactly one thread (an atomic
 * compare-and-swap on its state: the worker before it starts it, the
 * reading thread when it needs a score no thread has started); the reading
 * thread waits only for a score the worker is computing, at most
 * `PATIENCE_MS`, then computes it itself; a worker that fails marks the
 * score failed and the reading thread computes it; a block holds a few
 * hundred bytes, whatever the number of leads.
 */
import { computeRanking, liftRow, rankingFromElsewhere, type Ranking } from './ranking.js';

/** How long the reading thread waits for a score the worker is ranking. */
const PATIENCE_MS = 30_000;
/** Lift table rows per score (the report's deciles). */
const PARTS = 10;
/** numbers[]: the AUC (NaN when there is none), its interval, won, lost, the number of lift rows, then per row min, max, won, lost */
const HEAD = 6;
const ROW = 4;

/** state[0]: 0 free, 1 claimed by the worker, 2 done, 3 failed, 4 claimed by the reading thread */
export interface SharedRanking {
  state: Int32Array;
  numbers: Float64Array;
}

const FREE = 0;
const WORKER = 1;
const DONE = 2;
const FAILED = 3;
const READER = 4;

function sharedRanking(): SharedRanking {
  return { state: new Int32Array(new SharedArrayBuffer(4)), numbers: new Float64Array(new SharedArrayBuffer(8 * (HEAD + ROW * PARTS))) };
}

/**
 * On the worker: rank each score that no thread has claimed yet, the last
 * score first (the report ranks them first to last, so the reading thread
 * computes the first ones itself if it gets there before the worker).
 */
export function fillRankings(scores: ArrayLike<number>[], outcome: Int8Array, out: SharedRanking[]): void {
  for (let s = scores.length - 1; s >= 0; s--) {
    const o = out[s]!;
    if (Atomics.compareExchange(o.state, 0, FREE, WORKER) !== FREE) continue;
    let status = FAILED;
    try {
      const r = computeRanking(scores[s]!, outcome, PARTS);
      const x = o.numbers;
      x[0] = r.auc ? r.auc.auc : NaN;
      x[1] = r.auc ? r.auc.ci[0] : NaN;
      x[2] = r.auc ? r.auc.ci[1] : NaN;
      const won = r.deciles.reduce((t, d) => t + d.won, 0);
      const lost = r.deciles.reduce((t, d) => t + d.lost, 0);
      x[3] = won;
      x[4] = lost;
      x[5] = r.deciles.length;
      r.deciles.forEach((d, k) => x.set([d.min, d.max, d.won, d.lost], HEAD + ROW * k));
      status = DONE;
    } finally {
      Atomics.store(o.state, 0, status);
      Atomics.notify(o.state, 0);
    }
  }
}

/** The ranking a worker computed, or null (then the caller computes it): claims the score when nobody has. */
function taken(o: SharedRanking): Ranking | null {
  if (Atomics.compareExchange(o.state, 0, FREE, READER) === FREE) return null;
  if (Atomics.load(o.state, 0) === WORKER) Atomics.wait(o.state, 0, WORKER, PATIENCE_MS);
  if (Atomics.load(o.state, 0) !== DONE) return null;
  const x = o.numbers;
  const won = x[3]!;
  const lost = x[4]!;
  const rows = x[5]!;
  const base = won / (won + lost);
  const deciles = Array.from({ length: rows }, (_, k) => {
    const at = HEAD + ROW * k;
    return liftRow(k + 1, x[at]!, x[at + 1]!, x[at + 2]!, x[at + 3]!, base);
  });
  return { auc: x[0] === x[0] ? { auc: x[0]!, ci: [x[1]!, x[2]!], won, lost } : null, deciles };
}

/** Blocks for `scores`, each registered so that the report's ranking takes the worker's result. */
export function expectRankings(scores: Float64Array[], outcome: Int8Array): SharedRanking[] {
  return scores.map((score) => {
    const o = sharedRanking();
    rankingFromElsewhere(score, outcome, PARTS, () => taken(o));
    return o;
  });
}

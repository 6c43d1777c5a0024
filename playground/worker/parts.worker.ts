/**
 * A part reader: a dedicated worker that reads one part of a large uploaded
 * CSV file (leads or events) with the simulator's readers, so that several
 * parts of one file are parsed side by side (`simulator/data/split-load.ts`).
 *
 * Input: one message, a `PartTask` (its bytes transferred).
 * Output: `{ progress: [bytes done, rows kept] }` messages now and then
 * (at most every 100 ms), then `{ result }` (its typed arrays transferred)
 * or `{ failure }` with the reason the part could not be read at all.
 * Invariants: reads exactly the bytes it is given; the LQL worker ends it
 * after its answer, or at once when the load is cancelled.
 */
import { transferList } from '../../simulator/data/parts.js';
import { progressEvery, readPartTask, type PartTask } from '../../simulator/data/split-load.js';

self.onmessage = (e: MessageEvent<PartTask>) => {
  const task = e.data;
  const progress = progressEvery(100, (done, rows) => self.postMessage({ progress: [done, rows] }));
  try {
    const result = readPartTask(task, progress);
    self.postMessage({ result }, { transfer: transferList(result) });
  } catch (err) {
    self.postMessage({ failure: err instanceof Error ? err.message : String(err) });
  }
};

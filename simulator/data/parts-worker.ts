/**
 * A worker thread that reads parts of a CSV leads or events file
 * (`parallel.ts`).
 *
 * Input: messages `ThreadTask` `{ id, path, start, end, prefix, kind, options }`:
 * read bytes `start .. end` of the file at `path`, after the header bytes
 * `prefix` (empty for the first part), as a part of a leads or events file.
 * Output: `{ id, progress: [bytes of the part done, rows kept] }` now and
 * then (at most every 100 ms), then one message per task, `{ id, result }` (a LeadsPartResult or an
 * EventsPartResult, its typed arrays transferred, not copied) or
 * `{ id, failure }` with the
 * reason when the part could not be read at all (the caller then reads the
 * file in one piece).
 * Invariants: reads only the byte range it is given (`readThreadTask`);
 * holds one part's table at a time; tasks sent while one is read wait their
 * turn.
 */
import { parentPort } from 'node:worker_threads';
import { readThreadTask, type ThreadTask } from './parallel.js';
import { transferList } from './parts.js';
import { progressEvery } from './split-load.js';

parentPort?.on('message', (t: ThreadTask) => {
  try {
    // progress: bytes of the part done (the header put in front not counted), and rows kept
    const progress = progressEvery(100, (done, rows) => parentPort!.postMessage({ id: t.id, progress: [done, rows] }));
    const result = readThreadTask(t, progress);
    parentPort!.postMessage({ id: t.id, result }, transferList(result));
  } catch (e) {
    parentPort!.postMessage({ id: t.id, failure: e instanceof Error ? e.message : String(e) });
  }
});

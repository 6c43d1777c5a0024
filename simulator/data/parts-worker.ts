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
 * Invariants: reads only the byte range it is given, 1 MiB at a time into
 * one buffer (never the whole part in memory); holds one part's table at a
 * time.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { ThreadTask } from './parallel.js';
import { transferList, type PartText } from './parts.js';
import { progressEvery, readPartTask, type PartTask } from './split-load.js';

/** Bytes read from disk at a time, into one buffer reused for every read (fresh memory would cost a page fault per 4 KiB). */
const READ = 1 << 20;
/** Bytes given to the reader at a time: decoded pieces stay small strings (see DEFAULT_CHUNK in source.ts). */
const PIECE = 1 << 15;
const buffer = Buffer.allocUnsafe(READ);

/** Bytes `start .. end` of the open file `fd`, as pieces of the one buffer (each is read before the next overwrites it). */
function* range(fd: number, start: number, end: number): Generator<Uint8Array> {
  let pos = start;
  while (pos < end) {
    const got = readSync(fd, buffer, 0, Math.min(end - pos, READ), pos);
    if (got === 0) break;
    pos += got;
    for (let i = 0; i < got; i += PIECE) yield buffer.subarray(i, Math.min(got, i + PIECE));
  }
}

parentPort?.on('message', (t: ThreadTask) => {
  let fd = -1;
  try {
    fd = openSync(t.path, 'r');
    const bytes = { head: t.prefix, chunks: range(fd, t.start, t.end), size: t.prefix.length + t.end - t.start };
    // progress: bytes of the part done (the header put in front not counted), and rows kept
    const progress = progressEvery(100, (done, rows) => parentPort!.postMessage({ id: t.id, progress: [Math.max(0, done - t.prefix.length), rows] }));
    const result = readPartTask({ kind: t.kind, options: t.options, bytes, prefix: t.prefix.length } as PartTask<PartText>, progress);
    parentPort!.postMessage({ id: t.id, result }, transferList(result));
  } catch (e) {
    parentPort!.postMessage({ id: t.id, failure: e instanceof Error ? e.message : String(e) });
  } finally {
    if (fd >= 0) closeSync(fd);
  }
});

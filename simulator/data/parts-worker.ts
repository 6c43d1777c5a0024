/**
 * A worker thread that reads parts of a CSV leads or events file
 * (`parallel.ts`).
 *
 * Input: messages `ThreadTask` `{ id, path, start, end, prefix, kind, options }`:
 * read bytes `start .. end` of the file at `path`, after the header bytes
 * `prefix` (empty for the first part), as a part of a leads or events file.
 * Output: one message per task, `{ id, result }` (a LeadsPartResult or an
 * EventsPartResult, its typed arrays transferred, not copied) or
 * `{ id, failure }` with the
 * reason when the part could not be read at all (the caller then reads the
 * file in one piece).
 * Invariants: reads only the byte range it is given; holds one part at a
 * time.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { ThreadTask } from './parallel.js';
import { transferList } from './parts.js';
import { readPartTask, type PartTask } from './split-load.js';

/** One buffer per worker, reused for every part (fresh memory for each would cost a page fault per 4 KiB). */
let buffer = Buffer.allocUnsafe(0);

function readRange(path: string, start: number, end: number, prefix: Uint8Array): Buffer {
  const need = prefix.length + (end - start);
  if (buffer.length < need) buffer = Buffer.allocUnsafe(need);
  buffer.set(prefix);
  const fd = openSync(path, 'r');
  try {
    let at = prefix.length;
    let pos = start;
    while (pos < end) {
      const got = readSync(fd, buffer, at, Math.min(end - pos, 1 << 26), pos);
      if (got === 0) break;
      at += got;
      pos += got;
    }
    return buffer.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

parentPort?.on('message', (t: ThreadTask) => {
  try {
    const bytes = readRange(t.path, t.start, t.end, t.prefix);
    const result = readPartTask({ kind: t.kind, options: t.options, bytes, prefix: t.prefix.length } as PartTask);
    parentPort!.postMessage({ id: t.id, result }, transferList(result));
  } catch (e) {
    parentPort!.postMessage({ id: t.id, failure: e instanceof Error ? e.message : String(e) });
  }
});

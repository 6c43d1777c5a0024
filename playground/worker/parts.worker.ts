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
import { readLeadsPart } from '../../simulator/data/lead-parts.js';
import { readEventsPart } from '../../simulator/data/parts.js';
import type { PartTask } from '../../simulator/data/split-load.js';

/** The distinct buffers of the typed arrays in a result, to transfer rather than copy. */
function buffers(x: unknown, out: Set<ArrayBuffer>, depth = 0): Set<ArrayBuffer> {
  if (depth > 4 || x === null || typeof x !== 'object') return out;
  if (ArrayBuffer.isView(x)) {
    if (x.buffer instanceof ArrayBuffer) out.add(x.buffer);
  } else if (x instanceof Map) {
    for (const v of x.values()) buffers(v, out, depth + 1);
  } else if (!Array.isArray(x)) {
    for (const v of Object.values(x)) buffers(v, out, depth + 1);
  }
  return out;
}

self.onmessage = (e: MessageEvent<PartTask>) => {
  const task = e.data;
  let last = 0;
  const progress = (done: number, _total: number, rows?: number) => {
    const now = performance.now();
    if (now - last < 100) return;
    last = now;
    self.postMessage({ progress: [done, rows ?? 0] });
  };
  try {
    const result =
      task.kind === 'leads' ? readLeadsPart(task.bytes, task.prefix, task.options, progress) : readEventsPart(task.bytes, task.prefix, task.options, progress);
    self.postMessage({ result }, { transfer: [...buffers(result, new Set())] });
  } catch (err) {
    self.postMessage({ failure: err instanceof Error ? err.message : String(err) });
  }
};

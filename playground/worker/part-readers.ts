/**
 * The LQL worker's part readers: each part of a large upload is read by a
 * dedicated worker (`parts.worker.ts`) started for it.
 *
 * Input: a `PartTask` and its progress callback and abort signal (from
 * `simulator/data/split-load.ts`). Output: the part's result.
 * Invariants: the part's bytes are transferred, not copied; the worker is
 * ended once it answers, fails, or the load is aborted (a new file was
 * chosen), so no reader outlives its load.
 */
import type { EventsPartResult } from '../../simulator/data/parts.js';
import type { LeadsPartResult } from '../../simulator/data/lead-parts.js';
import type { PartReader } from '../../simulator/data/split-load.js';

type Answer = { progress: [number, number] } | { result: LeadsPartResult | EventsPartResult } | { failure: string };

export const readPartInWorker: PartReader = (task, onProgress, signal) =>
  new Promise((resolve, reject) => {
    const w = new Worker(new URL('./parts.worker.ts', import.meta.url), { type: 'module', name: 'lql-reader' });
    const end = (f: () => void) => {
      signal.removeEventListener('abort', aborted);
      w.terminate();
      f();
    };
    const aborted = () => end(() => reject(new Error('reading cancelled')));
    if (signal.aborted) return aborted();
    signal.addEventListener('abort', aborted, { once: true });
    w.onmessage = (e: MessageEvent<Answer>) => {
      const m = e.data;
      if ('progress' in m) onProgress(m.progress[0], m.progress[1]);
      else if ('result' in m) end(() => resolve(m.result));
      else end(() => reject(new Error(m.failure)));
    };
    w.onerror = (e) => end(() => reject(new Error(e.message || 'a part reader stopped')));
    w.postMessage(task, [task.bytes.buffer as ArrayBuffer]);
  });

/**
 * The playground's web worker: hosts the LQL engine (checker, simulator,
 * compiler) off the page's thread and exposes `PlaygroundWorkerApi` through
 * comlink.
 *
 * Input: comlink messages from `client.ts`. Output: their answers.
 * Invariants: this file only wires the engine (`engine.ts`) to comlink and
 * to its replay helpers (`replay.worker.ts`): as many workers in all as
 * cores but one (`navigator.hardwareConcurrency` - 1, at least 1, at most
 * 4), or the count the page put in the worker's name (`workers=N`); the
 * helpers start only when a dataset large enough to share is loaded.
 * An upload of at least `SPLIT_BYTES` (or `split=B` in the name) is parsed
 * in parts by as many part readers (`part-readers.ts`) as cores but one
 * (at least 1: then it is read whole here), or `readers=N` from the name.
 */
import * as Comlink from 'comlink';
import { readersInParts, type FileReaders } from '../../simulator/dataset.js';
import { createEngine } from './engine.js';
import { readPartInWorker } from './part-readers.js';
import type { ReplayHelperApi } from './replay-helper.js';

/** Workers replaying one run together (this one included). */
const MAX_WORKERS = 4;
/** The smallest upload parsed in parts (docs/decisions.md: below it, starting the readers and joining costs more than it saves). */
const SPLIT_BYTES = 20e6;

const named = (key: string): number | undefined => {
  const m = new RegExp(`${key}=(\\d+)`).exec(typeof self.name === 'string' ? self.name : '');
  return m ? Number(m[1]) : undefined;
};
const cores = Math.floor(Number(navigator.hardwareConcurrency)) || 1;

function startHelpers(): ReplayHelperApi[] {
  if (typeof Worker === 'undefined') return [];
  // one core is left to the page and the browser: on two cores the LQL worker replays alone
  const workers = Math.max(1, Math.min(MAX_WORKERS, named('workers') ?? cores - 1));
  const n = workers - 1;
  return Array.from({ length: n }, (_, k) => {
    const w = new Worker(new URL('./replay.worker.ts', import.meta.url), { type: 'module', name: `lql-replay-${k + 1}` });
    return Comlink.wrap<ReplayHelperApi>(w) as unknown as ReplayHelperApi;
  });
}

/** parts of the file being read (1: read whole), shown with the progress */
let partsRead = 1;
const split = readersInParts(
  { parts: Math.max(1, named('readers') ?? cores - 1), read: readPartInWorker, onParts: (n) => (partsRead = n) },
  named('split') ?? SPLIT_BYTES,
);
const readers: FileReaders = {
  leads: (...a) => ((partsRead = 1), split.leads(...a)),
  events: (...a) => ((partsRead = 1), split.events(...a)),
};

Comlink.expose(createEngine({ helpers: startHelpers, readers, partsNow: () => partsRead }));

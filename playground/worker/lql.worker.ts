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
 */
import * as Comlink from 'comlink';
import { createEngine } from './engine.js';
import type { ReplayHelperApi } from './replay-helper.js';

/** Workers replaying one run together (this one included). */
const MAX_WORKERS = 4;

function startHelpers(): ReplayHelperApi[] {
  if (typeof Worker === 'undefined') return [];
  const asked = /workers=(\d+)/.exec(typeof self.name === 'string' ? self.name : '');
  const cores = Math.floor(Number(navigator.hardwareConcurrency)) || 1;
  // one core is left to the page and the browser: on two cores the LQL worker replays alone
  const workers = Math.max(1, Math.min(MAX_WORKERS, asked ? Number(asked[1]) : cores - 1));
  const n = workers - 1;
  return Array.from({ length: n }, (_, k) => {
    const w = new Worker(new URL('./replay.worker.ts', import.meta.url), { type: 'module', name: `lql-replay-${k + 1}` });
    return Comlink.wrap<ReplayHelperApi>(w) as unknown as ReplayHelperApi;
  });
}

Comlink.expose(createEngine({ helpers: startHelpers }));

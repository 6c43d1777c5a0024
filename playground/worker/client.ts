/**
 * The page's side of the worker: starts it, wraps it with comlink and
 * enforces "latest edit wins".
 *
 * Input: rules text and data from the UI. Output: promises of worker
 * answers; `run()` resolves only for the newest request (older ones resolve
 * as `superseded` without touching the UI).
 * Invariants:
 * - at most one run is wanted at a time: starting a run cancels the one
 *   before it (in the worker, via `cancel(id)`) and its answer is ignored;
 * - check requests also let only the newest answer through;
 * - the page thread never parses, checks or simulates.
 */
import * as Comlink from 'comlink';
import type { PlaygroundWorkerApi, RunRequest, RunResult, ProgressFn, LoadRequest, DataSummary, Diagnostic } from './api.js';

export type Remote = Comlink.Remote<PlaygroundWorkerApi>;

export interface WorkerClient {
  api: Remote;
  /** run the newest rules; resolves `undefined` if a newer run started meanwhile */
  run(req: RunRequest, onProgress?: ProgressFn): Promise<RunResult | undefined>;
  /** check the newest rules; resolves `undefined` if a newer check started meanwhile */
  check(text: string): Promise<Diagnostic[] | undefined>;
  loadData(req: LoadRequest, onProgress?: ProgressFn): Promise<DataSummary>;
  dispose(): void;
}

export function wrapWorker(api: Remote, dispose: () => void = () => {}): WorkerClient {
  let runSeq = 0;
  let checkSeq = 0;
  let active: number | undefined;
  return {
    api,
    async run(req, onProgress) {
      const id = ++runSeq;
      if (active !== undefined) void api.cancel(active);
      active = id;
      const result = await api.run(id, req, onProgress ? Comlink.proxy(onProgress) : undefined);
      if (id !== runSeq) return undefined;
      active = undefined;
      return result;
    },
    async check(text) {
      const id = ++checkSeq;
      const d = await api.check(text);
      return id === checkSeq ? d : undefined;
    },
    loadData(req, onProgress) {
      const transfer = [req.leads.bytes, ...(req.events ? [req.events.bytes] : [])];
      return api.loadData(Comlink.transfer(req, transfer), onProgress ? Comlink.proxy(onProgress) : undefined);
    },
    dispose,
  };
}

/**
 * Start the LQL worker. `workers`: how many workers may share a replay (the
 * LQL worker and its helpers; default one per core, at most 4); `readers`:
 * how many workers parse a large upload side by side (default one per core
 * but one); `splitBytes`: the smallest upload parsed in parts. All passed
 * in the worker's name.
 */
export function startWorker(opts: { workers?: number; readers?: number; splitBytes?: number } = {}): WorkerClient {
  const name = [
    'lql',
    ...(opts.workers !== undefined ? [`workers=${opts.workers}`] : []),
    ...(opts.readers !== undefined ? [`readers=${opts.readers}`] : []),
    ...(opts.splitBytes !== undefined ? [`split=${opts.splitBytes}`] : []),
  ].join(' ');
  const worker = new Worker(new URL('./lql.worker.ts', import.meta.url), { type: 'module', name });
  const api = Comlink.wrap<PlaygroundWorkerApi>(worker);
  return wrapWorker(api, () => {
    api[Comlink.releaseProxy]();
    worker.terminate();
  });
}

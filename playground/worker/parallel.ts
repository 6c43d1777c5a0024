/**
 * Parallel replay: one run's leads split between the LQL worker and its
 * replay helpers (other web workers, `replay.worker.ts`), merged back into
 * one ScoredTable.
 *
 * Input: helper factories (none: the engine replays alone), each dataset
 * once (`load`: the helpers get a copy of the tables), then replay requests
 * (IR, dataset version, mode, asOf, useClosedAt, a staleness test).
 * Output: the ScoredTable of the whole dataset, exactly as `startReplay`
 * over all leads gives it (same kernel, same tables, per-lead outputs copied
 * into place), or null when the run became stale.
 * Invariants:
 * - the leads are cut into contiguous ranges of about equal numbers of
 *   events (leads when there are no events), a few per worker; the engine
 *   and each helper take the next range as soon as they are free (so a
 *   worker slowed by other work on its core takes fewer), replay it in
 *   chunks, yielding between them, and the engine copies each part into
 *   place; without helpers the engine replays all leads as one range;
 * - a stale run stops everywhere: whenever `poke()` is called (on every
 *   new run, cancel and dataset) and between ranges the engine tests the
 *   run, and cancels its jobs in every worker; they stop at their next
 *   chunk;
 * - a helper that cannot answer (not started, another dataset, an error)
 *   costs time, never a result: its range goes back to the queue and the
 *   engine replays it (the engine replays its own ranges into the table's
 *   arrays directly, one bound kernel per run);
 * - helpers are started on the first dataset large enough to share
 *   (`minLeads`), so small datasets start no extra worker;
 * - a replay that can reuse `previous`'s final scores (only constants no
 *   score reads changed, e.g. a stage threshold) runs in the engine alone:
 *   it replays each lead's events only until its stages are settled;
 * - activity flags (which leads did each activity) depend only on the data,
 *   the activities, asOf and useClosedAt: they are computed once and reused.
 */
import type { IR } from '../../language/compile/ir.js';
import { compileKernel, type KernelMode, type OutputAllocator } from '../../simulator/kernel/emit-kernel.js';
import type { EventTable, LeadTable } from '../../simulator/data/table.js';
import { markComplete, startReplay, type ScoredTable } from '../../simulator/replay.js';
import { helperTables, macrotask, type PartResult, type ReplayHelperApi, type ReplayPart } from './replay-helper.js';

/** Ranges per worker in a replay (handed out one at a time). */
const RANGES_PER_WORKER = 3;

export interface PoolOptions {
  /** starts the helpers (called once, on the first dataset with at least `minLeads` leads) */
  helpers?: () => ReplayHelperApi[];
  /** datasets with fewer leads are replayed in the engine alone (default 16,384) */
  minLeads?: number;
}

export interface PoolReplay {
  ir: IR;
  version: number;
  leads: LeadTable;
  events: EventTable | null;
  mode: KernelMode;
  asOf: number;
  useClosedAt: boolean;
  /** leads per chunk between cancellation checks */
  chunk: number;
  stale: () => boolean;
  /** approximate: the engine's own share, scaled to all leads */
  onProgress?: (done: number, total: number) => void;
  /** an earlier replay of this dataset whose final scores may be reused (see ReplayOptions.previous) */
  previous?: ScoredTable;
  /** where the output arrays come from (see ReplayOptions.alloc) */
  alloc?: OutputAllocator;
}

export interface ReplayPool {
  load(version: number, leads: LeadTable, events: EventTable | null): void;
  replay(req: PoolReplay): Promise<ScoredTable | null>;
  /** re-test the staleness of replays waiting for helpers */
  poke(): void;
  /** helpers started so far */
  helpers(): number;
  /** for a table this pool replayed reusing an earlier run's final scores: how many leads it replayed in full */
  reused(table: ScoredTable): { fullLeads: number } | undefined;
}

/** Cut leads 0..n-1 into `parts` contiguous ranges of about equal work (events, else leads). */
export function splitLeads(n: number, offsets: Int32Array | null, parts: number): { lo: number; hi: number }[] {
  const out: { lo: number; hi: number }[] = [];
  const k = Math.max(1, Math.min(parts, n || 1));
  // work of leads 0..i-1: their events plus one per lead (leads without events still cost a little)
  const work = (i: number) => (offsets ? offsets[i]! - offsets[0]! : 0) + i;
  const total = work(n);
  let lo = 0;
  for (let p = 1; p <= k; p++) {
    let hi = n;
    if (p < k) {
      const target = (total * p) / k;
      let a = lo;
      let b = n;
      while (a < b) {
        const m = (a + b) >> 1;
        if (work(m) < target) a = m + 1;
        else b = m;
      }
      hi = a;
    }
    out.push({ lo, hi });
    lo = hi;
  }
  return out;
}

/** Copy a helper's part into the whole table's arrays. */
export function mergePart(st: ScoredTable, p: ReplayPart): void {
  p.scores.forEach((a, s) => st.scores[s]!.set(a, p.lo));
  p.bands.forEach((a, b) => st.bands[b]!.set(a, p.lo));
  st.stage.set(p.stage, p.lo);
  p.reached.forEach((a, k) => st.reached[k]!.set(a, p.lo));
  st.route.set(p.route, p.lo);
}

export function createReplayPool(opts: PoolOptions = {}): ReplayPool {
  const minLeads = opts.minLeads ?? 16_384;
  let helpers: ReplayHelperApi[] | undefined;
  /** the dataset each helper was sent (message order: a later request sees it) */
  const loaded: number[] = [];
  let current: { version: number; leads: LeadTable; events: EventTable | null } | undefined;
  let jobSeq = 0;
  let runSeq = 0;
  const watchers = new Set<() => void>();
  let didCache: { key: string; did: Uint8Array[] }[] = [];
  const reusedTables = new WeakMap<ScoredTable, { fullLeads: number }>();

  function sendTo(k: number): void {
    const c = current!;
    const h = helpers![k]!;
    loaded[k] = c.version;
    const t = helperTables(c.leads, c.events);
    h.load(c.version, t.leads, t.events).catch(() => { if (loaded[k] === c.version) loaded[k] = -1; });
  }

  return {
    load(version, leads, events) {
      current = { version, leads, events };
      didCache = [];
      if (!helpers && opts.helpers && leads.n >= minLeads) {
        try {
          helpers = opts.helpers();
        } catch {
          helpers = [];
        }
      }
      helpers?.forEach((_, k) => sendTo(k));
    },

    poke() {
      for (const w of [...watchers]) w();
    },

    helpers() {
      return helpers?.length ?? 0;
    },

    reused(table) {
      return reusedTables.get(table);
    },

    async replay(req) {
      const { leads, events, mode, asOf, useClosedAt, chunk, stale, version, ir } = req;
      const n = leads.n;
      if (stale()) return null;
      const run = ++runSeq;
      const key = mode === 'events' ? [version, asOf, useClosedAt, ...ir.activities].join('\u0000') : undefined;
      const did = key !== undefined ? didCache.find((c) => c.key === key)?.did : undefined;
      const job = startReplay(compileKernel(ir), leads, events, {
        mode, asOf, useClosedAt, range: { lo: 0, hi: 0 }, ...(did ? { did } : {}), ...(req.previous ? { previous: req.previous } : {}), ...(req.alloc ? { alloc: req.alloc } : {}),
      });
      // a replay that reuses the previous run's final scores is short: the engine does it alone
      const use = n >= minLeads && helpers && !job.reusing ? helpers.filter((_, k) => loaded[k] === version) : [];
      // ranges are handed out one at a time, so a worker slowed by others on its core takes fewer
      const queue = use.length ? splitLeads(n, mode === 'events' && events ? events.offsets : null, RANGES_PER_WORKER * (1 + use.length)) : [{ lo: 0, hi: n }];
      const total = queue.length;
      let merged = 0;
      let failed = false;
      const jobs = new Map<number, ReplayHelperApi>();
      const cancelAll = () => { for (const [id, h] of jobs) h.cancel(id).catch(() => undefined); };
      const progress = () => { merged++; req.onProgress?.(Math.round((merged / total) * n), n); };
      const helperWork = async (h: ReplayHelperApi): Promise<void> => {
        for (let range = queue.shift(); range && !failed; range = queue.shift()) {
          const id = ++jobSeq;
          jobs.set(id, h);
          const p = await h.replay(id, { version, run, ir, lo: range.lo, hi: range.hi, mode, asOf, useClosedAt, chunk })
            .catch((): PartResult => ({ status: 'missing' }));
          jobs.delete(id);
          if (failed) return;
          if (p.status === 'ok') {
            mergePart(table(), p);
            progress();
          } else if (p.status === 'missing') {
            // this helper cannot replay (another dataset, an error): its range goes back to the others
            queue.unshift(range);
            void localWork();
            return;
          } else {
            failed = true;
            return;
          }
        }
      };
      // the helpers first (their first ranges are posted at once), then the engine's share
      const helping = use.map(helperWork);
      // the whole table (names, activity flags) around the job's outputs, built once
      let st: ScoredTable | undefined;
      const table = () => (st ??= job.result());
      let localBusy = false;
      async function localWork(): Promise<void> {
        if (localBusy) return;
        localBusy = true;
        try {
          for (let range = queue.shift(); range && !failed; range = queue.shift()) {
            for (let at = range.lo; at < range.hi;) {
              const to = Math.min(range.hi, at + Math.max(1, chunk));
              job.runRange(at, to);
              at = to;
              await macrotask();
              if (failed) return;
              if (stale()) { failed = true; return; }
            }
            progress();
          }
        } finally {
          localBusy = false;
        }
      }
      const all = Promise.all([...helping, localWork()]);
      const ok = await new Promise<boolean>((resolve) => {
        let over = false;
        const finish = (v: boolean) => { if (!over) { over = true; watchers.delete(check); resolve(v); } };
        const check = () => { if (stale()) finish(false); };
        const settled = () => {
          if (failed || merged === total) finish(!failed && merged === total);
          // a range given back by a helper is being replayed here: wait for it
          else void localWork().then(settled);
        };
        watchers.add(check);
        void all.then(settled);
        check();
      });
      if (!ok || stale()) {
        failed = true;
        cancelAll();
        return null;
      }
      const out = table();
      markComplete(out, job.signature);
      if (job.reusing) reusedTables.set(out, { fullLeads: job.fullLeads });
      if (key !== undefined && !did) didCache = [{ key, did: out.did }, ...didCache].slice(0, 4);
      return out;
    },
  };
}

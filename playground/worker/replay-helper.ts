/**
 * A replay helper: replays one range of leads of the loaded dataset with a
 * ruleset's columnar kernel, so that several workers share one run (see
 * `parallel.ts`, which splits the leads and merges the parts).
 *
 * Input: `load(version, leads, events)` once per dataset (a copy of the
 * engine's tables, with the per-lead ids and source lines left out: the
 * kernel does not read them); `replay(job, req)` with the IR, the range
 * lo..hi-1, mode, asOf and useClosedAt of the run; `cancel(job)`.
 * Output: the kernel's outputs for leads lo..hi-1 only (typed arrays of
 * length hi - lo, ready to be transferred), `missing` when the request is for
 * a dataset this helper does not hold, `cancelled` when cancelled.
 * Invariants:
 * - the kernel is compiled and bound once per replay (`run`), whatever
 *   the number of ranges this helper is given for it;
 * - exactly the kernel `startReplay` uses (`compileKernel(ir).bind`) over
 *   identical tables, so every output equals the single-worker replay's;
 * - replays in chunks and yields a macrotask between them, so a `cancel`
 *   (or a newer dataset) is seen at the next chunk boundary;
 * - pure (no Worker API): `replay.worker.ts` exposes it with comlink, tests
 *   call it in-process.
 */
import type { IR } from '../../language/compile/ir.js';
import { compileKernel, type KernelMode } from '../../simulator/kernel/emit-kernel.js';
import type { EventTable, LeadTable } from '../../simulator/data/table.js';

export interface PartRequest {
  /** the dataset version the engine replays */
  version: number;
  /** the replay this range belongs to: ranges of one replay share the bound kernel */
  run: number;
  ir: IR;
  lo: number;
  hi: number;
  mode: KernelMode;
  asOf: number;
  useClosedAt: boolean;
  /** leads per chunk between cancellation checks */
  chunk: number;
}

/** The kernel's outputs for leads lo..hi-1 (index 0 is lead lo). */
export interface ReplayPart {
  status: 'ok';
  lo: number;
  hi: number;
  scores: Float64Array[];
  bands: Int32Array[];
  stage: Int32Array;
  reached: Float64Array[];
  route: Int32Array;
}

export type PartResult = ReplayPart | { status: 'cancelled' | 'missing' };

export interface ReplayHelperApi {
  /** hold this dataset (replacing any other) */
  load(version: number, leads: LeadTable, events: EventTable | null): Promise<void>;
  replay(job: number, req: PartRequest): Promise<PartResult>;
  /** stop job `job` at its next chunk boundary (also before it starts) */
  cancel(job: number): Promise<void>;
}

/** The table a helper needs, without what the kernel never reads (ids, source lines, diagnostics). */
export function helperTables(leads: LeadTable, events: EventTable | null): { leads: LeadTable; events: EventTable | null } {
  return {
    leads: { ...leads, ids: [], lines: new Int32Array(0), rejected: { rows: 0, diagnostics: [] }, warnings: [] },
    events: events ? { ...events, rejected: { rows: 0, diagnostics: [] }, unknownLeads: { events: 0, sample: [] } } : null,
  };
}

/** The typed arrays of a part (to transfer them instead of copying). */
export function partBuffers(p: ReplayPart): ArrayBuffer[] {
  return [...p.scores, ...p.bands, p.stage, ...p.reached, p.route].map((a) => a.buffer as ArrayBuffer);
}

export function macrotask(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof MessageChannel !== 'undefined') {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { ch.port1.close(); resolve(); };
      ch.port2.postMessage(0);
    } else setTimeout(resolve, 0);
  });
}

export function createReplayHelper(): ReplayHelperApi {
  let data: { version: number; leads: LeadTable; events: EventTable | null } | undefined;
  /** jobs cancelled before or while running (job ids increase; each is used once) */
  const cancelled = new Set<number>();
  const active = new Set<number>();
  let maxSeen = 0;
  let bound: { run: number; version: number; kernel: ReturnType<ReturnType<typeof compileKernel>['bind']> } | undefined;

  return {
    async load(version, leads, events) {
      data = { version, leads, events };
    },

    async cancel(job) {
      if (active.has(job) || job > maxSeen) cancelled.add(job);
    },

    async replay(job, req) {
      const stale = () => cancelled.has(job) || data?.version !== req.version;
      maxSeen = Math.max(maxSeen, job);
      active.add(job);
      try {
        if (cancelled.has(job)) return { status: 'cancelled' };
        const d = data;
        if (!d || d.version !== req.version) return { status: 'missing' };
        if (!bound || bound.run !== req.run || bound.version !== d.version) {
          const kernel = compileKernel(req.ir).bind({ leads: d.leads, events: d.events, mode: req.mode, asOf: req.asOf, useClosedAt: req.useClosedAt });
          bound = { run: req.run, version: d.version, kernel };
        }
        const k = bound.kernel;
        const lo = Math.max(0, req.lo);
        const hi = Math.min(d.leads.n, req.hi);
        for (let at = lo; at < hi;) {
          const to = Math.min(hi, at + Math.max(1, req.chunk));
          k.run(at, to);
          at = to;
          if (at < hi) {
            await macrotask();
            if (stale()) return { status: 'cancelled' };
          }
        }
        const o = k.out;
        const cut = <T extends Float64Array | Int32Array>(a: T): T => a.slice(lo, hi) as T;
        return {
          status: 'ok', lo, hi,
          scores: o.scores.map(cut), bands: o.bands.map(cut), stage: cut(o.stage), reached: o.reached.map(cut), route: cut(o.route),
        };
      } finally {
        active.delete(job);
        cancelled.delete(job);
      }
    },
  };
}

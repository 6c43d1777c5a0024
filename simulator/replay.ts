/**
 * Replay: runs a ruleset's columnar kernel over a LeadTable (and, in event
 * mode, its EventTable) and returns a ScoredTable.
 *
 * Input: IR (or an already compiled kernel), a LeadTable, an optional
 * EventTable, options (mode, asOf, chunking, progress, cancellation).
 * Output: a ScoredTable: the kernel's typed arrays (scores, band label
 * indexes, stage index, reached times, route index) plus every name needed
 * to read them, and per activity which leads did it (at least one replayed
 * event: strictly before closed_at when known, at or before asOf).
 * Invariants: no object per lead; the run asOf defaults to the latest
 * timestamp in the data (events, created_at, closed_at), else now; mode
 * defaults to `events` when an EventTable is given, else `snapshot`; a
 * `range` replays only those leads (the others keep the kernel's initial
 * outputs, for a caller that fills them from another worker); activity
 * flags passed in `did` are used as given (they depend only on the data,
 * the activities, asOf and useClosedAt, so callers may cache them).
 */
import type { IR } from '../language/compile/ir.js';
import { activityIndexes, compileKernel, type CompiledKernel, type KernelMode, type KernelOutput, type KernelSignature, type OutputAllocator, type PortableKernel } from './kernel/emit-kernel.js';
import { type EventTable, type LeadTable, latestByType } from './data/table.js';
import { flagActivities } from './kernel/kernel-runtime.js';

export interface ScoredTable extends KernelOutput {
  mode: KernelMode;
  /** the run's evaluation time for leads without closed_at (epoch ms) */
  asOf: number;
  ids: string[];
  outcome: Int8Array;
  scoreNames: string[];
  bandNames: string[];
  bandLabels: string[][];
  /** furthest first, as declared */
  stageNames: string[];
  routeNames: string[];
  activityNames: string[];
  /** per activity (ir.activities order): 1 if the lead did it (event mode; all 0 in snapshot mode) */
  did: Uint8Array[];
  /** the data has no times and no asOf was given: evaluated at 0, stage times are not reported */
  untimed?: boolean;
}

/** The names a ScoredTable carries, from the ruleset. */
export function scoredNames(ir: IR): Pick<ScoredTable, 'scoreNames' | 'bandNames' | 'bandLabels' | 'stageNames' | 'routeNames' | 'activityNames'> {
  return {
    scoreNames: ir.scores.map((s) => s.name),
    bandNames: ir.bands.map((b) => b.name),
    bandLabels: ir.bands.map((b) => b.labels.map((l) => l.label)),
    stageNames: ir.stages.map((s) => s.name),
    routeNames: ir.routes.map((r) => r.action),
    activityNames: [...ir.activities],
  };
}

export interface ReplayOptions {
  mode?: KernelMode;
  asOf?: number;
  /** apply the closed_at rules (default true) */
  useClosedAt?: boolean;
  /** leads per chunk between progress reports / cancellation checks */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
  /** replay only leads lo .. hi-1 (default all); `done`/`total` and progress count the leads of the range */
  range?: { lo: number; hi: number };
  /** activity flags computed before for the same leads, events, activities, asOf and useClosedAt (used as given) */
  did?: Uint8Array[];
  /**
   * An earlier complete replay: when it ran the same kernel over the same
   * data and differs only in constants no score reads (e.g. a stage
   * threshold), its final scores are reused and each lead's events are
   * replayed only until its stages are settled. Results are the same.
   */
  previous?: ScoredTable;
  /** where the output arrays come from (default: new arrays; see simulator/recycle.ts) */
  alloc?: OutputAllocator;
}

/** Complete replays (every lead) and what their final scores depend on. */
const complete = new WeakMap<ScoredTable, KernelSignature>();

/** Record that `table` holds the outputs of a replay over all its leads bound as `signature` (callers that merge ranges themselves). */
export function markComplete(table: ScoredTable, signature: KernelSignature): void {
  complete.set(table, signature);
}

/**
 * The run's default asOf (docs/semantics.md, "In the simulator"): the latest
 * of the events of declared activities (`activities`), created_at and
 * closed_at (without `activities`: of every event); NaN when the data has no such time (then the run evaluates at
 * 0 and has no stage times, never the clock's time).
 */
export function defaultAsOf(leads: LeadTable, events: EventTable | null | undefined, activities?: readonly string[]): number {
  let m = -Infinity;
  const scan = (a: Float64Array) => {
    for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  };
  const latest = events && latestByType(events);
  if (events && latest) {
    events.typeNames.forEach((name, c) => {
      if ((!activities || activities.includes(name)) && latest[c]! > m) m = latest[c]!;
    });
  } else if (events && !activities) scan(events.times);
  else if (events && activities) {
    const acts = activityIndexes(events, activities);
    const times = events.times;
    for (let j = 0; j < times.length; j++) if (acts[j]! >= 0 && times[j]! > m) m = times[j]!;
  }
  scan(leads.createdAt);
  scan(leads.closedAt);
  return Number.isFinite(m) ? m : NaN;
}

/** Prepared replay: call `step()` until it returns true (lets callers yield between chunks). */
export interface ReplayJob {
  total: number;
  done: number;
  step(): boolean;
  /** replay leads lo .. hi-1 now, into the same outputs (for callers that hand out ranges themselves) */
  runRange(lo: number, hi: number): void;
  /** the bound kernel as data, for other threads to replay ranges of the same outputs (null when reusing) */
  portable(): PortableKernel | null;
  /** what the outputs depend on (for `markComplete`) */
  signature: KernelSignature;
  /** whether this replay reuses `previous`'s final scores (for all leads but `fullLeads`) */
  reusing: boolean;
  /** leads replayed in full */
  fullLeads: number;
  result(): ScoredTable;
}

/** The replay's mode: as asked, else `events` when there is an events table, `snapshot` without. */
export function replayMode(events: EventTable | null | undefined, opts: Pick<ReplayOptions, 'mode'>): KernelMode {
  return opts.mode ?? (events ? 'events' : 'snapshot');
}

export function startReplay(
  irOrKernel: IR | CompiledKernel,
  leads: LeadTable,
  events: EventTable | null | undefined,
  opts: ReplayOptions = {},
): ReplayJob {
  const kernel = 'bind' in irOrKernel ? irOrKernel : compileKernel(irOrKernel);
  const ir = kernel.ir;
  const mode = replayMode(events, opts);
  const found = opts.asOf ?? defaultAsOf(leads, mode === 'events' ? events : null, ir.activities);
  // data without any time: evaluated at 0, and no stage times are reported
  const untimed = found !== found;
  const asOf = untimed ? 0 : found;
  const useClosedAt = opts.useClosedAt !== false;
  const n = leads.n;
  const flags = () => {
    const did = ir.activities.map(() => new Uint8Array(n));
    if (mode === 'events' && events) activityFlags(ir, leads, events, asOf, useClosedAt, did);
    return did;
  };
  const prevSig = opts.previous ? complete.get(opts.previous) : undefined;
  // with a previous run, the activity flags are needed first (the leads that did an edited activity's rule are replayed in full)
  let did = opts.did ?? (prevSig && mode === 'events' && events ? flags() : undefined);
  const bound = kernel.bind({
    leads, events: events ?? null, mode, asOf, useClosedAt,
    ...(opts.alloc ? { alloc: opts.alloc } : {}),
    ...(prevSig && opts.previous ? { previous: { signature: prevSig, scores: opts.previous.scores } } : {}),
    ...(did ? { did } : {}),
  });
  const chunk = Math.max(1, opts.chunk ?? 65_536);
  const lo = Math.max(0, Math.min(n, opts.range?.lo ?? 0));
  const hi = Math.max(lo, Math.min(n, opts.range?.hi ?? n));
  const job: ReplayJob = {
    total: hi - lo,
    done: 0,
    step() {
      if (job.done >= job.total) return true;
      const from = lo + job.done;
      const to = Math.min(hi, from + chunk);
      bound.run(from, to);
      job.done = to - lo;
      opts.onProgress?.(job.done, job.total);
      return job.done >= job.total;
    },
    runRange(a, b) {
      bound.run(a, b);
    },
    portable: () => bound.portable(),
    signature: bound.signature,
    reusing: bound.reusing,
    fullLeads: bound.fullLeads,
    result() {
      while (!job.step()) {
        /* run to the end */
      }
      did ??= flags();
      const table: ScoredTable = {
        ...bound.out,
        mode,
        asOf,
        // read through: a table loaded from the cache decodes its ids only when a report names a lead
        get ids() {
          return leads.ids;
        },
        outcome: leads.outcome,
        ...scoredNames(ir),
        did,
        ...(untimed ? { untimed: true } : {}),
      };
      if (lo === 0 && hi === n) complete.set(table, bound.signature);
      return table;
    },
  };
  return job;
}

/** Replay every lead at once. */
export function replay(
  irOrKernel: IR | CompiledKernel,
  leads: LeadTable,
  events?: EventTable | null,
  opts: ReplayOptions = {},
): ScoredTable {
  return startReplay(irOrKernel, leads, events, opts).result();
}

function activityFlags(
  ir: IR,
  leads: LeadTable,
  events: EventTable,
  asOf: number,
  useClosedAt: boolean,
  did: Uint8Array[],
): void {
  // the kernel's per-event activity index (built once per events table and activity list)
  const c = {
    acts: activityIndexes(events, ir.activities),
    offsets: events.offsets,
    times: events.times,
    closedAt: leads.closedAt,
    useClosed: useClosedAt,
    asOf,
  };
  flagActivities(c, did, 0, leads.n);
}

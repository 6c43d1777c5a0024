/**
 * The browser session the playground's engine answers from: the dataset
 * loaded, the last run and the pinned baseline's run (scores and report),
 * the replay pool, and the recycled output arrays.
 *
 * Input: datasets (`simulator/dataset.ts`), ruleset texts and IRs, a
 * staleness test per replay. Output: scored tables and cached runs.
 * Invariants:
 * - a cached run belongs to one dataset version: a new dataset drops them;
 * - replays go through the pool (`parallel.ts`) in chunks and answer null
 *   once stale; the earlier runs of the dataset are offered for reuse, so
 *   after an edit of a stage threshold only the stages are replayed;
 * - reports reuse the parts of an earlier report of the same data whose
 *   inputs are unchanged;
 * - the output arrays of runs no longer on screen are recycled only when
 *   nothing can still read them (one run in progress, no borrower).
 */
import type { IR } from '../../language/compile/ir.js';
import type { OutputAllocator } from '../../simulator/kernel/emit-kernel.js';
import type { Report } from '../../simulator/metrics.js';
import { OutputRecycler } from '../../simulator/recycle.js';
import type { ScoredTable } from '../../simulator/replay.js';
import { reportOf } from '../../simulator/simulate.js';
import { createSimulatorApi } from '../../simulator/worker-api.js';
import { compileForData, dataDiagnostics, datasetAsOf, retypedDataset, type Dataset } from '../../simulator/dataset.js';
import type { DataSummary, ProgressFn } from './api.js';
import { createReplayPool } from './parallel.js';
import type { ReplayHelperApi } from './replay-helper.js';

/** Leads per chunk between cancellation points (~10-20 ms of replay each on 2M events). */
const CHUNK = 8192;

export interface RunCache {
  text: string;
  version: number;
  ir: IR;
  scored: ScoredTable;
  report: Report;
}

export interface ReplayOptions {
  onProgress?: ProgressFn;
  /** default: the dataset's */
  asOf?: number;
  /** default true */
  useClosedAt?: boolean;
  /** leads between cancellation points (default CHUNK) */
  chunk?: number;
  /** the run whose final scores to reuse when it can (default: the last run or baseline of this dataset) */
  previous?: ScoredTable;
  /** where the output arrays come from (runs: the recycler) */
  alloc?: OutputAllocator;
}

export interface SessionOptions {
  /** starts the replay helpers (other workers); none: this worker replays alone */
  helpers?: () => ReplayHelperApi[];
  /** datasets with fewer leads are replayed without helpers (default 16,384) */
  minParallelLeads?: number;
}

/** Progress callbacks are comlink proxies: a page that went away must not fail the work. */
export function tell(onProgress: ProgressFn | undefined, p: Parameters<ProgressFn>[0]): void {
  if (onProgress) void Promise.resolve(onProgress(p)).catch(() => undefined);
}

export class Session {
  data: Dataset | undefined;
  last: RunCache | undefined;
  lastBaseline: RunCache | undefined;
  /** runs in progress: background jobs never share the worker with a run */
  running = 0;
  /** operations reading a run's tables across awaits (no table is recycled while one is in progress) */
  borrowers = 0;
  readonly sim = createSimulatorApi();
  /** output arrays of runs no longer on screen, reused by the next runs */
  readonly recycler = new OutputRecycler();
  private readonly pool: ReturnType<typeof createReplayPool>;

  constructor(opts: SessionOptions = {}) {
    this.pool = createReplayPool({
      ...(opts.helpers ? { helpers: opts.helpers } : {}),
      ...(opts.minParallelLeads !== undefined ? { minLeads: opts.minParallelLeads } : {}),
    });
  }

  /** Something made runs stale: tell the replays waiting for helpers. */
  poke(): void {
    this.pool.poke();
  }

  /** The run's reuse of earlier scores, if any. */
  reused(st: ScoredTable) {
    return this.pool.reused(st);
  }

  /** Check and compile against the loaded data's columns. */
  compile(text: string) {
    return compileForData(text, this.data);
  }

  /** The cached run of this text on the current data, if any. */
  cached(text: string): RunCache | undefined {
    return [this.last, this.lastBaseline].find((c) => c && c.text === text && c.version === this.data?.version);
  }

  /** The asOf of the run on screen, else the dataset's. */
  asOfNow(d: Dataset): number {
    return this.last && this.last.version === d.version ? this.last.scored.asOf : datasetAsOf(d);
  }

  setData(d: Dataset): DataSummary {
    this.data = d;
    this.recycler.clear();
    this.last = undefined;
    this.lastBaseline = undefined;
    this.sim.loadTables({ leads: d.leads, events: d.events });
    this.pool.load(d.version, d.leads, d.events);
    const events = d.events ? d.events.times.length : 0;
    return { ok: true, file: d.file, leads: d.leads.n, events, header: d.header, columns: d.columns, diagnostics: dataDiagnostics(d.leads, d.events) };
  }

  clear(): void {
    this.data = undefined;
    this.last = undefined;
    this.lastBaseline = undefined;
  }

  /** The dataset read with the types the rules declare, when they differ from the inferred ones. */
  retype(ir: IR): void {
    const d = this.data && retypedDataset(this.data, ir);
    if (d) this.setData(d);
  }

  /** The run and baseline now on screen; the tables they replace are recycled when nothing else can still read them. */
  keep(cur: RunCache | undefined, base: RunCache | undefined): void {
    const gone = [this.last, this.lastBaseline].filter((c): c is RunCache => c !== undefined && c !== cur && c !== base);
    this.last = cur;
    this.lastBaseline = base;
    if (this.running !== 1 || this.borrowers !== 0) return;
    for (const g of new Set(gone)) this.recycler.retire(g.scored, [cur?.scored, base?.scored]);
  }

  /** Replay in chunks (shared with the helpers); null when the run became stale meanwhile. */
  async replay(ir: IR, stale: () => boolean, o: ReplayOptions = {}): Promise<ScoredTable | null> {
    const d = this.data!;
    const asOf = o.asOf ?? datasetAsOf(d);
    const previous = o.previous ?? [this.last, this.lastBaseline].find((c) => c && c.version === d.version && c.scored.asOf === asOf)?.scored;
    const { onProgress } = o;
    const st = await this.pool.replay({
      ir, version: d.version, leads: d.leads, events: d.events, mode: d.events ? 'events' : 'snapshot',
      asOf, useClosedAt: o.useClosedAt ?? true, chunk: o.chunk ?? CHUNK, stale,
      ...(previous ? { previous } : {}),
      ...(o.alloc ? { alloc: o.alloc } : {}),
      ...(onProgress ? { onProgress: (done: number, total: number) => tell(onProgress, { phase: 'run', done, total }) } : {}),
    });
    return st && !stale() ? st : null;
  }

  /** A run to cache: the simulator's report, reusing the parts of an earlier run's report whose inputs are unchanged. */
  cacheOf(text: string, d: Dataset, ir: IR, scored: ScoredTable, ...earlier: (RunCache | undefined)[]): RunCache {
    const prev = earlier.find((c) => c && c.version === d.version && c.scored.mode === scored.mode);
    return { text, version: d.version, ir, scored, report: reportOf(ir, scored, d.leads, d.events, undefined, prev) };
  }

  /** The run of a text on the current data: cached, or replayed now; null when stale or no data, 'invalid' for rules with errors. */
  async scoredFor(text: string, stale: () => boolean): Promise<RunCache | null | 'invalid'> {
    if (!this.data) return null;
    const hit = this.cached(text);
    if (hit) return hit;
    const c = this.compile(text);
    if (!c.ir) return 'invalid';
    this.retype(c.ir);
    const again = this.cached(text);
    if (again) return again;
    const scored = await this.replay(c.ir, stale);
    return scored ? this.cacheOf(text, this.data, c.ir, scored, this.last, this.lastBaseline) : null;
  }
}

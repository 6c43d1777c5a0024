/**
 * The playground's engine: `PlaygroundWorkerApi` implemented over the LQL
 * front end and the simulator, run inside the web worker (or in-process in
 * tests).
 *
 * Input: ruleset texts, data files as bytes (CSV/JSONL), generation
 * requests, lead ids. Output: diagnostics, data summaries (with column
 * statistics for completion), reports in the playground's shape, test
 * results, explanations with the compiled scorer's full trace, rule
 * statistics, threshold sweeps and export files.
 * Invariants:
 * - runs replay the kernel in chunks of leads and `await` a macrotask
 *   between chunks, so `cancel(id)` and newer runs are seen: a stale run
 *   resolves `status: 'cancelled'` at its next chunk boundary;
 * - with replay helpers (other workers, `parallel.ts`), each replay is
 *   shared between this worker and the helpers, which hold a copy of the
 *   tables; the merged result equals the single-worker replay, and a stale
 *   run is cancelled in every worker;
 * - per dataset, the default asOf and the activity flags are computed once;
 *   the report reuses the last report's histograms and activity metrics
 *   where their inputs are unchanged;
 * - background work (`runStats`, `sweep`) stops as soon as any run starts
 *   and answers "cancelled"/empty instead of blocking it;
 * - nothing thrown by a ruleset or a data file escapes a call: every
 *   failure is an answer (`status: 'error'`, `ok: false`, a message);
 * - the scored leads of the last run (and of the baseline) are kept, so
 *   exports, changed leads and statistics read the same numbers the page
 *   shows;
 * - no Node-only module is used at run time.
 */
import { compileSource, COMPILER_VERSION } from '../../language/index.js';
import type { IR } from '../../language/compile/ir.js';
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import { emitModule } from '../../language/compile/emit-js.js';
import { emitSql } from '../../language/compile/emit-sql.js';
import { runTests } from '../../language/interpret/run-tests.js';
import { loadLeads, loadLeadsSync } from '../../simulator/data/leads.js';
import { loadEvents, loadEventsSync } from '../../simulator/data/events.js';
import type { AttrType } from '../../language/syntax/ast.js';
import type { EventTable, LeadTable } from '../../simulator/data/table.js';
import { columnInfo } from '../../simulator/data/column-info.js';
import { defaultAsOf, type ScoredTable } from '../../simulator/replay.js';
import { exportNames, rowAt, writeRows } from '../../simulator/score-export.js';
import { reportDelta, leadChanges } from '../../simulator/compare.js';
import { dataWeeks } from '../../simulator/time.js';
import type { Report } from '../../simulator/metrics.js';
import { computeReport } from '../../simulator/metrics.js';
import { ruleStats } from '../../simulator/rule-stats.js';
import { candidateThresholds, stageComparisons, stageFigures, withStageThresholds, wonLeads } from '../../simulator/thresholds.js';
import { generate } from '../../simulator/generate.js';
import { createSimulatorApi } from '../../simulator/worker-api.js';
import { diag } from '../../language/diagnostics/registry.js';
import type { Program } from '../../language/syntax/ast.js';
import type { ColumnInfo } from '../../language/service/context.js';
import type {
  PlaygroundWorkerApi, DataSummary, LoadRequest, GenerateRequest, ProgressFn, RunRequest, RunResult, TestReport,
  Explanation, ExportFile, ScorerTarget, SqlDialect, RunStats, SweepResult, ThresholdSweep, ThresholdCandidate,
} from './api.js';
import type { ChangedLead } from '../report/types.js';
import { toPlaygroundReport, scoreStats, changedStages } from './report.js';
import { joinOlist } from './olist.js';
import { createReplayPool } from './parallel.js';
import { macrotask } from './replay-helper.js';
import { OutputRecycler } from '../../simulator/recycle.js';
import type { OutputAllocator } from '../../simulator/kernel/emit-kernel.js';
import type { ReplayHelperApi } from './replay-helper.js';

export const ENGINE_VERSION = COMPILER_VERSION;

/** Leads per chunk between cancellation points (~10-20 ms of replay each on 2M events). */
const CHUNK = 8192;
/** Background replays (sweeps) use shorter chunks, so a run waits less for them to give way. */
const BACKGROUND_CHUNK = 2048;

interface ReplayChunkedOptions {
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

export interface EngineOptions {
  /** starts the replay helpers (other workers); none: this worker replays alone */
  helpers?: () => ReplayHelperApi[];
  /** datasets with fewer leads are replayed without helpers (default 16,384) */
  minParallelLeads?: number;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function diagnosticsOf(e: unknown): Diagnostic[] {
  const d = (e as { diagnostics?: unknown } | null)?.diagnostics;
  return Array.isArray(d) ? (d as Diagnostic[]) : [];
}

/** A fault of LQL itself while working on a task, as a diagnostic the page shows (never a silent failure). */
function internalError(task: string, e: unknown, file?: string): Diagnostic {
  return diag('LQL531', NO_RANGE, { task, message: message(e) }, file !== undefined ? { file } : {});
}

const NO_RANGE = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 2 } };

const decoder = new TextDecoder();

export { columnInfo };

/** The files a table was read from, to read them again with the ruleset's declared types. */
interface RawFiles {
  leads: Uint8Array | string;
  events?: Uint8Array | string;
  eventsName: string;
  opts: { id?: string; outcome?: string; missing?: string[]; lenient: boolean };
}

interface Loaded {
  version: number;
  file: string;
  raw?: RawFiles;
  leads: LeadTable;
  events: EventTable | null;
  header: string[];
  columns: ColumnInfo[];
  /** the default asOf of a run over this data (computed on first use) */
  asOf?: number;
}

interface RunCache {
  text: string;
  version: number;
  ir: IR;
  scored: ScoredTable;
  report: Report;
}

function slug(name: string | null | undefined): string {
  const s = (name ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return s || 'ruleset';
}


let regexSource: Promise<{ code: string; licence: string }> | undefined;
/** re2js's ES module build and licence, loaded only when an exported module needs `matches`. */
function loadRegexSource(): Promise<{ code: string; licence: string }> {
  regexSource ??= import('./re2js-source.js').then((m) => m.RE2JS_SOURCE);
  return regexSource;
}

/** The engine as a plain object (exposed with comlink by lql.worker.ts; called directly in tests). */
export function createEngine(opts: EngineOptions = {}): PlaygroundWorkerApi {
  let data: Loaded | undefined;
  let version = 0;
  let latestRun = 0;
  let cancelledUpTo = 0;
  /** bumped by every run: background jobs stop when it changes */
  let epoch = 0;
  /** runs in progress: background jobs never share the worker with a run */
  let running = 0;
  let last: RunCache | undefined;
  let lastBaseline: RunCache | undefined;
  const sim = createSimulatorApi();
  const pool = createReplayPool({
    ...(opts.helpers ? { helpers: opts.helpers } : {}),
    ...(opts.minParallelLeads !== undefined ? { minLeads: opts.minParallelLeads } : {}),
  });
  /** something that makes runs stale happened: tell the replays waiting for helpers */
  const changed = () => pool.poke();
  /** output arrays of runs no longer on screen, reused by the next runs */
  const recycler = new OutputRecycler();
  /** operations reading a run's tables across awaits (no table is recycled while one is in progress) */
  let borrowers = 0;
  /**
   * The run and baseline now on screen; the tables they replace are recycled
   * when nothing else can still read them (no other run or borrowing
   * operation in progress).
   */
  function keep(cur: RunCache | undefined, base: RunCache | undefined): void {
    const gone = [last, lastBaseline].filter((c): c is RunCache => c !== undefined && c !== cur && c !== base);
    last = cur;
    lastBaseline = base;
    if (running !== 1 || borrowers !== 0) return;
    for (const g of new Set(gone)) recycler.retire(g.scored, [cur?.scored, base?.scored]);
  }
  // (the latest time in the data; 0 for data without times, never the clock's time)
  const runAsOf = (d: Loaded) => (d.asOf ??= ((t) => (t === t ? t : 0))(defaultAsOf(d.leads, d.events)));

  /** Declared attributes the loaded data lacks: a warning at the declaration (every lead reads it as missing). */
  function absentColumns(program: Program): Diagnostic[] {
    if (!data) return [];
    const have = new Set(data.header);
    const out: Diagnostic[] = [];
    for (const d of program.decls) {
      if (d.kind === 'Attribute' && !have.has(d.name.text)) out.push(diag('LQL521', d.name.range, { column: d.name.text, hint: '' }));
    }
    return out;
  }

  const compile = (text: string) => {
    const c = compileSource(text, data ? { columns: data.header } : {});
    const extra = absentColumns(c.program);
    return extra.length ? { ...c, diagnostics: [...c.diagnostics, ...extra].sort((a, b) => a.range.start.offset - b.range.start.offset) } : c;
  };

  function setData(file: string, leads: LeadTable, events: EventTable | null, diagnostics: Diagnostic[], raw?: RawFiles): DataSummary {
    version++;
    recycler.clear();
    data = { version, file, leads, events, header: leads.header, columns: columnInfo(leads), ...(raw ? { raw } : {}) };
    last = undefined;
    lastBaseline = undefined;
    sim.loadTables({ leads, events });
    pool.load(version, leads, events);
    return { ok: true, file, leads: leads.n, events: events ? events.times.length : 0, header: leads.header, columns: data.columns, diagnostics: diagnostics.slice(0, 200) };
  }

  /**
   * Columns are typed by inference when a file is loaded; a ruleset that
   * declares another type for a column (e.g. `attribute x: text` over yes/no
   * values) reads it as declared, as `lql simulate` does: the file is read
   * again with those types (once per change of types).
   */
  function retype(ir: IR): void {
    const d = data;
    if (!d?.raw) return;
    const types: Record<string, AttrType> = Object.create(null) as Record<string, AttrType>;
    let differs = false;
    for (const a of ir.attributes) {
      const col = d.leads.columns.get(a.name);
      if (!col) continue;
      types[a.name] = a.type;
      if (col.type !== a.type) differs = true;
    }
    if (!differs) return;
    try {
      const leads = loadLeadsSync({ name: d.file, text: d.raw.leads }, { ...d.raw.opts, types });
      let events = d.events;
      if (d.raw.events !== undefined && leads.n !== d.leads.n) {
        events = loadEventsSync({ name: d.raw.eventsName, text: d.raw.events }, leads, [], d.raw.opts);
      }
      setData(d.file, leads, events, [], d.raw);
    } catch {
      // the declared type does not fit the values: keep the inferred columns (the run reports what it finds)
    }
  }

  /**
   * Replay in chunks (shared with the helpers); null when the run became
   * stale meanwhile. The earlier runs of this dataset are offered for reuse:
   * after an edit of a stage threshold only the stages are replayed.
   */
  async function replayChunked(ir: IR, stale: () => boolean, o: ReplayChunkedOptions = {}): Promise<ScoredTable | null> {
    const d = data!;
    const useClosedAt = o.useClosedAt ?? true;
    const asOf = o.asOf ?? runAsOf(d);
    const previous = o.previous ?? [last, lastBaseline].find((c) => c && c.version === d.version && c.scored.asOf === asOf)?.scored;
    const { onProgress } = o;
    const st = await pool.replay({
      ir, version: d.version, leads: d.leads, events: d.events, mode: d.events ? 'events' : 'snapshot',
      asOf, useClosedAt, chunk: o.chunk ?? CHUNK, stale,
      ...(previous ? { previous } : {}),
      ...(o.alloc ? { alloc: o.alloc } : {}),
      ...(onProgress ? { onProgress: (done: number, total: number) => void Promise.resolve(onProgress({ phase: 'run', done, total })).catch(() => undefined) } : {}),
    });
    return st && !stale() ? st : null;
  }

  /** The simulator's report (as `reportOf`), reusing the parts of an earlier run's report whose inputs are unchanged. */
  function reportFor(d: Loaded, ir: IR, scored: ScoredTable, ...earlier: (RunCache | undefined)[]): Report {
    const prev = earlier.find((c) => c && c.version === d.version && c.scored.mode === scored.mode);
    return computeReport(scored, {
      ruleset: ir.name,
      rejected: { rows: d.leads.rejected.rows, events: d.events ? d.events.rejected.rows : 0 },
      unknownLeadEvents: d.events ? d.events.unknownLeads.events : 0,
      time: { createdAt: d.leads.createdAt, weeks: dataWeeks(d.leads, scored.mode === 'events' ? d.events : null) },
      ...(prev ? { previous: { report: prev.report, scored: prev.scored } } : {}),
    });
  }

  async function scoredFor(text: string, stale: () => boolean): Promise<RunCache | null | 'invalid'> {
    if (!data) return null;
    for (const c of [last, lastBaseline]) if (c && c.text === text && c.version === data.version) return c;
    const c = compile(text);
    if (!c.ir) return 'invalid';
    retype(c.ir);
    for (const k of [last, lastBaseline]) if (k && k.text === text && k.version === data.version) return k;
    const scored = await replayChunked(c.ir, stale);
    if (!scored) return null;
    return { text, version: data.version, ir: c.ir, scored, report: reportFor(data, c.ir, scored, last, lastBaseline) };
  }

  const api: PlaygroundWorkerApi = {
    async info() {
      return { engine: 'simulator', version: ENGINE_VERSION };
    },

    async check(text) {
      try {
        return compile(text).diagnostics;
      } catch (e) {
        return [diag('LQL111', NO_RANGE, { phase: 'checking', message: message(e) })];
      }
    },

    async loadData(req: LoadRequest, onProgress?: ProgressFn): Promise<DataSummary> {
      epoch++;
      changed();
      let file = req.leads.name;
      const header: string[] = [];
      try {
        let leadsBytes: Uint8Array | string = new Uint8Array(req.leads.bytes);
        let eventsBytes: Uint8Array | string | undefined = req.events ? new Uint8Array(req.events.bytes) : undefined;
        let eventsName = req.events?.name ?? 'events';
        if (req.join === 'olist') {
          const j = joinOlist(decoder.decode(req.leads.bytes), req.events ? decoder.decode(req.events.bytes) : '');
          leadsBytes = j.leads;
          eventsBytes = j.events;
          file = 'olist-leads.csv';
          eventsName = 'olist-events.csv';
        }
        const progress = (name: string) => (done: number, total: number) => {
          if (onProgress) void Promise.resolve(onProgress({ phase: name, done, total })).catch(() => undefined);
        };
        const opts = {
          ...(req.id !== undefined ? { id: req.id } : {}),
          ...(req.outcome !== undefined ? { outcome: req.outcome } : {}),
          ...(req.missing?.length ? { missing: req.missing } : {}),
          lenient: req.lenient ?? false,
        };
        const leads = await loadLeads({ name: file, text: leadsBytes }, { ...opts, onProgress: progress(file) });
        header.push(...leads.header);
        let events: EventTable | null = null;
        if (eventsBytes !== undefined) {
          events = await loadEvents({ name: eventsName, text: eventsBytes }, leads, [], { ...opts, onProgress: progress(eventsName) });
        }
        return setData(file, leads, events, [...leads.warnings, ...leads.rejected.diagnostics, ...(events ? events.rejected.diagnostics : [])],
          { leads: leadsBytes, ...(eventsBytes !== undefined ? { events: eventsBytes } : {}), eventsName, opts });
      } catch (e) {
        data = undefined;
        last = undefined;
        lastBaseline = undefined;
        const ds = diagnosticsOf(e);
        const diagnostics: Diagnostic[] = ds.length ? ds : [internalError(`reading ${file}`, e, file)];
        return { ok: false, file, leads: 0, events: 0, header, diagnostics: diagnostics.slice(0, 200) };
      }
    },

    async generateData(req: GenerateRequest, onProgress?: ProgressFn): Promise<DataSummary> {
      epoch++;
      changed();
      try {
        onProgress?.({ phase: req.name, done: 0, total: req.leads });
        const g = generate({ leads: req.leads, seed: req.seed, ...(req.eventsPerLead !== undefined ? { eventsPerLead: req.eventsPerLead } : {}) });
        onProgress?.({ phase: req.name, done: req.leads, total: req.leads });
        return setData(req.name, g.leads, g.events, []);
      } catch (e) {
        data = undefined;
        return { ok: false, file: req.name, leads: 0, events: 0, header: [], diagnostics: [internalError(`generating ${req.name}`, e, req.name)] };
      }
    },

    async run(id: number, req: RunRequest, onProgress?: ProgressFn): Promise<RunResult> {
      const t0 = performance.now();
      const ms = () => Math.round(performance.now() - t0);
      latestRun = Math.max(latestRun, id);
      epoch++;
      changed();
      running++;
      const stale = () => id < latestRun || id <= cancelledUpTo;
      let diagnostics: Diagnostic[] = [];
      try {
        if (stale()) return { id, status: 'cancelled', diagnostics, ms: ms() };
        const c = compile(req.text);
        const tCompiled = performance.now();
        diagnostics = c.diagnostics;
        if (!c.ir) return { id, status: 'invalid', diagnostics, ms: ms() };
        if (!data) return { id, status: 'no-data', diagnostics, ms: ms() };
        retype(c.ir);
        const d = data;
        let cur: RunCache;
        let tReplayed = performance.now();
        if (last && last.text === req.text && last.version === d.version) cur = last;
        else {
          const scored = await replayChunked(c.ir, stale, { alloc: recycler, ...(onProgress ? { onProgress } : {}) });
          if (!scored) return { id, status: 'cancelled', diagnostics, ms: ms() };
          tReplayed = performance.now();
          cur = { text: req.text, version: d.version, ir: c.ir, scored, report: reportFor(d, c.ir, scored, last, lastBaseline) };
        }
        const report: Report = { ...cur.report };
        let changed: ChangedLead[] | undefined;
        if (req.baselineText !== undefined) {
          let base = lastBaseline && lastBaseline.text === req.baselineText && lastBaseline.version === d.version ? lastBaseline : undefined;
          if (!base && cur.text === req.baselineText) base = cur;
          if (!base) {
            const b = compileSource(req.baselineText, { columns: d.header });
            if (b.ir && b.ir.attributes.every((a) => { const col = d.leads.columns.get(a.name); return !col || col.type === a.type; })) {
              const bs = await replayChunked(b.ir, stale, { asOf: cur.scored.asOf, alloc: recycler });
              if (!bs) return { id, status: 'cancelled', diagnostics, ms: ms() };
              base = { text: req.baselineText, version: d.version, ir: b.ir, scored: bs, report: reportFor(d, b.ir, bs, lastBaseline, last) };
            }
          }
          if (base) {
            keep(last, base);
            report.baseline = base.report;
            report.delta = reportDelta(cur.report, base.report, { current: cur.scored, baseline: base.scored });
            if (req.changedLimit !== undefined) changed = changedStages(cur.scored, base.scored, req.changedLimit);
          }
        }
        keep(cur, lastBaseline);
        if (stale()) return { id, status: 'cancelled', diagnostics, ms: ms() };
        const out = toPlaygroundReport(report, cur.scored, cur.ir);
        const r = (x: number) => Math.round(x);
        const reuse = pool.reused(cur.scored);
        return { id, status: 'ok', diagnostics, report: out, ms: ms(), phases: { compile: r(tCompiled - t0), replay: r(tReplayed - tCompiled), report: r(performance.now() - tReplayed), reused: reuse !== undefined, fullLeads: reuse?.fullLeads ?? d.leads.n }, ...(changed ? { changed } : {}) };
      } catch (e) {
        return { id, status: 'error', diagnostics: [...diagnostics, internalError('running the simulation', e)], message: message(e), ms: ms() };
      } finally {
        running--;
      }
    },

    async cancel(id: number) {
      cancelledUpTo = Math.max(cancelledUpTo, id);
      changed();
    },

    async runTests(text: string): Promise<TestReport> {
      try {
        const c = compileSource(text);
        if (c.diagnostics.some((d) => d.severity === 'error')) return { available: true, invalid: true, passed: 0, failed: 0, tests: [] };
        const outcomes = runTests(c.program, c.checked.attributeTypes, text);
        const tests = outcomes.map((o) => ({
          name: o.name, line: o.line, passed: o.passed,
          failures: o.failures.map((f) => ({ expect: f.text, line: f.line, column: f.column, details: f.details })),
        }));
        return { available: true, passed: tests.filter((x) => x.passed).length, failed: tests.filter((x) => !x.passed).length, tests };
      } catch (e) {
        return { available: true, invalid: true, passed: 0, failed: 0, tests: [], diagnostics: [internalError('running the tests', e)] };
      }
    },

    async runStats(text: string): Promise<RunStats> {
      const mine = epoch;
      const none: RunStats = { ruleStats: [], scoreStats: [] };
      if (running > 0) return none;
      try {
        if (!data || !last || last.text !== text || last.version !== data.version) return none;
        const { ir, scored } = last;
        const pause = async () => {
          await macrotask();
          return epoch === mine && running === 0;
        };
        const rules = await ruleStats(ir, data.leads, data.events, scored, { pause });
        return rules ? { ruleStats: rules, scoreStats: scoreStats(scored) } : none;
      } catch (e) {
        return { ...none, diagnostics: [internalError('computing the rule statistics', e)] };
      }
    },

    async sweep(text: string, stageName?: string): Promise<SweepResult> {
      const mine = epoch;
      const stale = () => epoch !== mine || running > 0;
      const cancelled: SweepResult = { status: 'cancelled', stages: [], sweeps: [] };
      if (running > 0) return cancelled;
      try {
        if (!data) return { status: 'none', stages: [], sweeps: [] };
        const c = compile(text);
        if (!c.ir || c.ir.stages.length < 2) return { status: 'none', stages: [], sweeps: [] };
        const ir = c.ir;
        const stages = ir.stages.slice(0, -1).map((s) => s.name);
        const k = stageName !== undefined && stages.includes(stageName) ? stages.indexOf(stageName) : ir.stages.length - 2;
        const stage = ir.stages[k];
        const refs = stageComparisons(stage?.cond ?? null);
        if (!stage || !refs.length) return { status: 'none', stages, sweeps: [] };
        const base = await scoredFor(text, stale);
        if (base === null) return { ...cancelled, stages };
        if (base === 'invalid') return { status: 'none', stages, sweeps: [] };
        const d = data;
        const totals = { won: wonLeads(d.leads.outcome), weeks: dataWeeks(d.leads, base.scored.mode === 'events' ? d.events : null) };
        const sweeps: ThresholdSweep[] = [];
        for (const ref of refs) {
          const candidates: ThresholdCandidate[] = [];
          for (const thr of candidateThresholds(ref, base.scored.scores[base.scored.scoreNames.indexOf(ref.score)] ?? [])) {
            const st = thr === ref.value ? base.scored
              : await replayChunked(withStageThresholds(ir, k, new Map([[ref, thr]])), stale, { asOf: base.scored.asOf, chunk: BACKGROUND_CHUNK, previous: base.scored });
            if (!st) return { ...cancelled, stages };
            candidates.push(stageFigures(st, k, thr, totals));
            await macrotask();
            if (stale()) return { ...cancelled, stages };
          }
          sweeps.push({ stage: stage.name, comparison: ref.text, score: ref.score, op: ref.op, current: ref.value, candidates, recommended: null, note: '' });
        }
        return { status: 'ok', stages, sweeps };
      } catch (e) {
        return { status: 'none', stages: [], sweeps: [], diagnostics: [internalError('computing the threshold sweep', e)] };
      }
    },

    async explain(text: string, leadId: string, asOf?: string): Promise<Explanation> {
      const empty: Explanation = { available: true, found: false, id: leadId, scores: {}, bands: {}, stage: '', reached: {}, route: null };
      if (!data) return { ...empty, available: false };
      const c = compile(text);
      if (!c.ir) return { ...empty, message: 'rules' };
      retype(c.ir);
      const i = data.leads.ids.indexOf(leadId);
      if (i < 0) return empty;
      const at = asOf ? Date.parse(asOf.length === 10 ? asOf + 'T23:59:59.999Z' : asOf) : undefined;
      const lastAsOf = last && last.version === data.version ? last.scored.asOf : runAsOf(data);
      const r = sim.explain({ ir: c.ir, leadId, asOf: at !== undefined && Number.isFinite(at) ? at : lastAsOf });
      if (!r.ok) return { ...empty, message: r.error };
      const o = data.leads.outcome[i];
      return {
        available: true, found: true, id: leadId,
        outcome: o === 1 ? 'won' : o === 0 ? 'lost' : 'open',
        asOf: r.asOf, lead: r.lead, events: r.events.length,
        scores: r.result.scores, bands: r.result.bands, stage: r.result.stage, reached: r.result.reached, route: r.result.route,
        ...(r.result.explain ? { trace: r.result.explain } : {}),
      };
    },

    async changedLeads(text: string, baselineText: string, limit: number): Promise<ChangedLead[]> {
      const mine = epoch;
      const stale = () => epoch !== mine;
      try {
        const cur = await scoredFor(text, stale);
        const base = await scoredFor(baselineText, stale);
        if (!cur || cur === 'invalid' || !base || base === 'invalid') return [];
        return changedStages(cur.scored, base.scored, limit);
      } catch {
        // (the same comparison is made by every run with a baseline, which reports its own failure)
        return [];
      }
    },

    async exportScorer(text: string, target: ScorerTarget, dialect: SqlDialect = 'duckdb'): Promise<ExportFile> {
      const c = compileSource(text);
      const name = slug(c.ir?.name);
      if (!c.ir) return { ok: false, fileName: name, mime: 'text/plain', content: '', message: 'the rules have errors' };
      const ir = c.ir;
      try {
        if (target === 'json') return { ok: true, fileName: `${name}.json`, mime: 'application/json', content: JSON.stringify(ir, null, 2) + '\n' };
        if (target === 'sql') return { ok: true, fileName: `${name}.${dialect}.sql`, mime: 'application/sql', content: emitSql(ir, { dialect }) };
        const format = target === 'cjs' ? 'cjs' : 'esm';
        let content: string;
        try {
          content = emitModule(ir, { format, compilerVersion: COMPILER_VERSION });
        } catch {
          content = emitModule(ir, { format, compilerVersion: COMPILER_VERSION, regexEngineSource: await loadRegexSource() });
        }
        return { ok: true, fileName: `${name}.${format === 'esm' ? 'mjs' : 'cjs'}`, mime: 'text/javascript', content };
      } catch (e) {
        return { ok: false, fileName: name, mime: 'text/plain', content: '', message: message(e) };
      }
    },

    async exportScoredCsv(text: string): Promise<ExportFile> {
      const fileName = 'scored-leads.csv';
      if (!data) return { ok: false, fileName, mime: 'text/csv', content: '', message: 'no data loaded' };
      const c = compile(text);
      if (!c.ir) return { ok: false, fileName, mime: 'text/csv', content: '', message: 'the rules have errors' };
      const ir = c.ir;
      retype(ir);
      const asOf = last && last.version === data.version ? last.scored.asOf : runAsOf(data);
      const st = await replayChunked(ir, () => false, { asOf, useClosedAt: false });
      const pieces: string[] = [];
      writeRows('csv', exportNames(ir), st!.n, (i) => rowAt(st!, i), (p) => pieces.push(p));
      return { ok: true, fileName, mime: 'text/csv', content: pieces.join('') };
    },

    async exportReport(text: string, baselineText?: string): Promise<ExportFile> {
      const fileName = 'report.json';
      const mine = epoch;
      const stale = () => epoch !== mine;
      if (!data) return { ok: false, fileName, mime: 'application/json', content: '', message: 'no data loaded' };
      const cur = await scoredFor(text, stale);
      if (cur === 'invalid') return { ok: false, fileName, mime: 'application/json', content: '', message: 'the rules have errors' };
      if (!cur) return { ok: false, fileName, mime: 'application/json', content: '', message: 'superseded by a newer run; try again' };
      const report: Report = { ...cur.report };
      if (baselineText !== undefined) {
        const base = await scoredFor(baselineText, stale);
        if (base && base !== 'invalid') {
          report.baseline = base.report;
          report.delta = reportDelta(cur.report, base.report, { current: cur.scored, baseline: base.scored });
          report.changes = leadChanges(cur.scored, base.scored, 200);
        }
      }
      return { ok: true, fileName, mime: 'application/json', content: JSON.stringify(report, null, 2) + '\n' };
    },
  };
  // operations that may hold a run's tables across awaits
  for (const k of ['runStats', 'sweep', 'changedLeads', 'exportScoredCsv', 'exportReport'] as const) {
    const f = api[k] as (...args: unknown[]) => Promise<unknown>;
    (api as unknown as Record<string, unknown>)[k] = async (...args: unknown[]) => {
      borrowers++;
      try {
        return await f(...args);
      } finally {
        borrowers--;
      }
    };
  }
  return api;
}


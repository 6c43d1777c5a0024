/**
 * The playground's engine: `PlaygroundWorkerApi` over the simulator, run
 * inside the web worker (or in-process in tests). It adapts: the data,
 * checks, sweeps, statistics, reports and exports are the simulator's
 * (`dataset.ts`, `thresholds.ts`, `rule-stats.ts`, `simulate.ts`,
 * `scorer-files.ts`), the cached runs are the session's (`session.ts`);
 * this file turns calls into answers, and decides what is stale.
 *
 * Input: ruleset texts, data files as bytes (CSV/JSONL), generation
 * requests, lead ids. Output: answers in the shapes of `api.ts`.
 * Invariants:
 * - runs replay the kernel in chunks of leads and `await` a macrotask
 *   between chunks, so `cancel(id)` and newer runs are seen: a stale run
 *   resolves `status: 'cancelled'` at its next chunk boundary;
 * - with replay helpers (other workers, `parallel.ts`), each replay is
 *   shared between this worker and the helpers; the merged result equals
 *   the single-worker replay, and a stale run is cancelled in every worker;
 * - a load stops when a newer load starts or `cancelLoad()` is called (it
 *   answers `cancelled`, and the dataset loaded before stays);
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
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import { diag } from '../../language/diagnostics/registry.js';
import { runTests } from '../../language/interpret/run-tests.js';
import { LoadCancelledError } from '../../simulator/data/errors.js';
import { compileForData, datasetOf, readDataset, readsAsTyped, type FileReaders } from '../../simulator/dataset.js';
import { generate } from '../../simulator/generate.js';
import type { Report } from '../../simulator/metrics.js';
import { ruleStats } from '../../simulator/rule-stats.js';
import { exportNames, rowAt, writeRows } from '../../simulator/score-export.js';
import { fileSlug, scorerFile } from '../../simulator/scorer-files.js';
import { withBaseline } from '../../simulator/simulate.js';
import { stageComparisons, sweepStage, sweepStageIndex, sweepTotals } from '../../simulator/thresholds.js';
import type { ChangedLead } from '../report/types.js';
import type {
  DataSummary, Explanation, ExportFile, GenerateRequest, LoadRequest, PlaygroundWorkerApi, ProgressFn, RunRequest, RunResult, RunStats,
  ScorerTarget, SqlDialect, SweepResult, TestReport,
} from './api.js';
import { macrotask } from './replay-helper.js';
import { changedStages, scoreStats, toPlaygroundReport } from './report.js';
import { Session, tell, type RunCache, type SessionOptions } from './session.js';

export const ENGINE_VERSION = COMPILER_VERSION;

/** Background replays (sweeps) use short chunks, so a run waits less for them to give way. */
const BACKGROUND_CHUNK = 2048;

export interface EngineOptions extends SessionOptions {
  /** how uploaded files are read (default: in one piece, in this worker) */
  readers?: FileReaders;
  /** how many parts the file being read is read in (shown with the progress) */
  partsNow?: () => number;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function diagnosticsOf(e: unknown): Diagnostic[] {
  const d = (e as { diagnostics?: unknown } | null)?.diagnostics;
  return Array.isArray(d) ? (d as Diagnostic[]) : [];
}

const NO_RANGE = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 2 } };

/** A fault of LQL itself while working on a task, as a diagnostic the page shows (never a silent failure). */
function internalError(task: string, e: unknown, file?: string): Diagnostic {
  return diag('LQL531', NO_RANGE, { task, message: message(e) }, file !== undefined ? { file } : {});
}

let regexSource: Promise<{ code: string; licence: string }> | undefined;
/** re2js's ES module build and licence, loaded only when an exported module needs `matches`. */
function loadRegexSource(): Promise<{ code: string; licence: string }> {
  regexSource ??= import('./re2js-source.js').then((m) => m.RE2JS_SOURCE);
  return regexSource;
}

/** The engine as a plain object (exposed with comlink by lql.worker.ts; called directly in tests). */
export function createEngine(opts: EngineOptions = {}): PlaygroundWorkerApi {
  const s = new Session(opts);
  let latestRun = 0;
  let cancelledUpTo = 0;
  /** bumped by every run and load: background jobs stop when it changes */
  let epoch = 0;
  /** bumped by every load: a load in progress stops when it changes */
  let loads = 0;

  const api: PlaygroundWorkerApi = {
    async info() {
      return { engine: 'simulator', version: ENGINE_VERSION };
    },

    async check(text) {
      try {
        return s.compile(text).diagnostics;
      } catch (e) {
        return [diag('LQL111', NO_RANGE, { phase: 'checking', message: message(e) })];
      }
    },

    async loadData(req: LoadRequest, onProgress?: ProgressFn): Promise<DataSummary> {
      epoch++;
      const mine = ++loads;
      s.poke();
      const file = req.join === 'olist' ? 'olist-leads.csv' : req.leads.name;
      try {
        const { events, ...rest } = req;
        const files = {
          ...rest,
          leads: { name: req.leads.name, bytes: new Uint8Array(req.leads.bytes) },
          ...(events ? { events: { name: events.name, bytes: new Uint8Array(events.bytes) } } : {}),
        };
        let phase = '';
        let t0 = performance.now();
        const progress = (file: string, done: number, total: number, rows?: number) => {
          if (file !== phase) [phase, t0] = [file, performance.now()];
          const parts = opts.partsNow?.() ?? 1;
          tell(onProgress, {
            phase,
            done,
            total,
            ms: Math.round(performance.now() - t0),
            ...(rows !== undefined ? { rows } : {}),
            ...(parts > 1 ? { parts } : {}),
          });
        };
        const d = await readDataset(files, progress, opts.readers, () => loads !== mine);
        if (loads !== mine) throw new LoadCancelledError(file);
        return s.setData(d);
      } catch (e) {
        // a load cancelled by a newer one: the dataset on screen stays
        if (e instanceof LoadCancelledError) return { ok: false, cancelled: true, file, leads: 0, events: 0, header: [], diagnostics: [] };
        s.clear();
        const ds = diagnosticsOf(e);
        const diagnostics: Diagnostic[] = ds.length ? ds : [internalError(`reading ${file}`, e, file)];
        return { ok: false, file, leads: 0, events: 0, header: [], diagnostics: diagnostics.slice(0, 200) };
      }
    },

    async generateData(req: GenerateRequest, onProgress?: ProgressFn): Promise<DataSummary> {
      epoch++;
      loads++;
      s.poke();
      try {
        onProgress?.({ phase: req.name, done: 0, total: req.leads });
        const g = generate({ leads: req.leads, seed: req.seed, ...(req.eventsPerLead !== undefined ? { eventsPerLead: req.eventsPerLead } : {}) });
        onProgress?.({ phase: req.name, done: req.leads, total: req.leads });
        return s.setData(datasetOf(req.name, g.leads, g.events));
      } catch (e) {
        s.clear();
        return { ok: false, file: req.name, leads: 0, events: 0, header: [], diagnostics: [internalError(`generating ${req.name}`, e, req.name)] };
      }
    },

    async run(id: number, req: RunRequest, onProgress?: ProgressFn): Promise<RunResult> {
      const t0 = performance.now();
      const ms = () => Math.round(performance.now() - t0);
      latestRun = Math.max(latestRun, id);
      epoch++;
      s.poke();
      s.running++;
      const stale = () => id < latestRun || id <= cancelledUpTo;
      let diagnostics: Diagnostic[] = [];
      try {
        if (stale()) return { id, status: 'cancelled', diagnostics, ms: ms() };
        const c = s.compile(req.text);
        const tCompiled = performance.now();
        diagnostics = c.diagnostics;
        if (!c.ir) return { id, status: 'invalid', diagnostics, ms: ms() };
        if (!s.data) return { id, status: 'no-data', diagnostics, ms: ms() };
        s.retype(c.ir);
        const d = s.data;
        let cur: RunCache;
        let tReplayed = performance.now();
        if (s.last && s.last.text === req.text && s.last.version === d.version) cur = s.last;
        else {
          const scored = await s.replay(c.ir, stale, { alloc: s.recycler, ...(onProgress ? { onProgress } : {}) });
          if (!scored) return { id, status: 'cancelled', diagnostics, ms: ms() };
          tReplayed = performance.now();
          cur = s.cacheOf(req.text, d, c.ir, scored, s.last, s.lastBaseline);
        }
        let report: Report = cur.report;
        let changed: ChangedLead[] | undefined;
        if (req.baselineText !== undefined) {
          let base = s.lastBaseline && s.lastBaseline.text === req.baselineText && s.lastBaseline.version === d.version ? s.lastBaseline : undefined;
          if (!base && cur.text === req.baselineText) base = cur;
          if (!base) {
            const b = compileForData(req.baselineText, d);
            // (a baseline that reads a column with another type than the loaded one is not compared)
            if (b.ir && readsAsTyped(b.ir, d)) {
              const bs = await s.replay(b.ir, stale, { asOf: cur.scored.asOf, alloc: s.recycler });
              if (!bs) return { id, status: 'cancelled', diagnostics, ms: ms() };
              base = s.cacheOf(req.baselineText, d, b.ir, bs, s.lastBaseline, s.last);
            }
          }
          if (base) {
            s.keep(s.last, base);
            report = withBaseline(cur, base, null);
            if (req.changedLimit !== undefined) changed = changedStages(cur.scored, base.scored, req.changedLimit);
          }
        }
        s.keep(cur, s.lastBaseline);
        if (stale()) return { id, status: 'cancelled', diagnostics, ms: ms() };
        const out = toPlaygroundReport(report, cur.scored, cur.ir);
        const r = (x: number) => Math.round(x);
        const reuse = s.reused(cur.scored);
        const phases = {
          compile: r(tCompiled - t0),
          replay: r(tReplayed - tCompiled),
          report: r(performance.now() - tReplayed),
          reused: reuse !== undefined,
          fullLeads: reuse?.fullLeads ?? d.leads.n,
        };
        return { id, status: 'ok', diagnostics, report: out, ms: ms(), phases, ...(changed ? { changed } : {}) };
      } catch (e) {
        return { id, status: 'error', diagnostics: [...diagnostics, internalError('running the simulation', e)], message: message(e), ms: ms() };
      } finally {
        s.running--;
      }
    },

    async cancelLoad() {
      loads++;
    },

    async cancel(id: number) {
      cancelledUpTo = Math.max(cancelledUpTo, id);
      s.poke();
    },

    async runTests(text: string): Promise<TestReport> {
      try {
        const c = compileSource(text);
        if (c.diagnostics.some((d) => d.severity === 'error')) return { available: true, invalid: true, passed: 0, failed: 0, tests: [] };
        const tests = runTests(c.program, c.checked.attributeTypes, text).map((o) => ({
          name: o.name,
          line: o.line,
          passed: o.passed,
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
      if (s.running > 0) return none;
      try {
        if (!s.data || !s.last || s.last.text !== text || s.last.version !== s.data.version) return none;
        const { ir, scored } = s.last;
        const pause = async () => {
          await macrotask();
          return epoch === mine && s.running === 0;
        };
        const rules = await ruleStats(ir, s.data.leads, s.data.events, scored, { pause });
        return rules ? { ruleStats: rules, scoreStats: scoreStats(scored) } : none;
      } catch (e) {
        return { ...none, diagnostics: [internalError('computing the rule statistics', e)] };
      }
    },

    async sweep(text: string, stageName?: string): Promise<SweepResult> {
      const mine = epoch;
      const stale = () => epoch !== mine || s.running > 0;
      const none = (stages: string[] = []): SweepResult => ({ status: 'none', stages, sweeps: [] });
      if (s.running > 0) return { status: 'cancelled', stages: [], sweeps: [] };
      try {
        if (!s.data) return none();
        const c = s.compile(text);
        if (!c.ir || c.ir.stages.length < 2) return none();
        const ir = c.ir;
        const stages = ir.stages.slice(0, -1).map((s) => s.name);
        const k = sweepStageIndex(ir, stageName);
        if (!stageComparisons(ir.stages[k]?.cond ?? null).length) return none(stages);
        const cancelled: SweepResult = { status: 'cancelled', stages, sweeps: [] };
        const base = await s.scoredFor(text, stale);
        if (base === null) return cancelled;
        if (base === 'invalid') return none(stages);
        // the simulator's sweep, its replays made here in chunks, in the background
        const sweep = sweepStage(ir, k, base.scored, sweepTotals(s.data.leads, s.data.events, base.scored));
        let step = sweep.next();
        while (!step.done) {
          const st = await s.replay(step.value, stale, { asOf: base.scored.asOf, chunk: BACKGROUND_CHUNK, previous: base.scored });
          await macrotask();
          step = sweep.next(st && !stale() ? st : null);
        }
        return step.value ? { status: 'ok', stages, sweeps: step.value } : cancelled;
      } catch (e) {
        return { ...none(), diagnostics: [internalError('computing the threshold sweep', e)] };
      }
    },

    async explain(text: string, leadId: string, asOf?: string): Promise<Explanation> {
      const empty: Explanation = { available: true, found: false, id: leadId, scores: {}, bands: {}, stage: '', reached: {}, route: null };
      if (!s.data) return { ...empty, available: false };
      const c = s.compile(text);
      if (!c.ir) return { ...empty, message: 'rules' };
      s.retype(c.ir);
      const i = s.data.leads.ids.indexOf(leadId);
      if (i < 0) return empty;
      const at = asOf ? Date.parse(asOf.length === 10 ? asOf + 'T23:59:59.999Z' : asOf) : undefined;
      const r = s.sim.explain({ ir: c.ir, leadId, asOf: at !== undefined && Number.isFinite(at) ? at : s.asOfNow(s.data) });
      if (!r.ok) return { ...empty, message: r.error };
      const o = s.data.leads.outcome[i];
      return {
        available: true,
        found: true,
        id: leadId,
        outcome: o === 1 ? 'won' : o === 0 ? 'lost' : 'open',
        asOf: r.asOf,
        lead: r.lead,
        events: r.events.length,
        scores: r.result.scores,
        bands: r.result.bands,
        stage: r.result.stage,
        reached: r.result.reached,
        route: r.result.route,
        ...(r.result.explain ? { trace: r.result.explain } : {}),
      };
    },

    async changedLeads(text: string, baselineText: string, limit: number): Promise<ChangedLead[]> {
      const mine = epoch;
      const stale = () => epoch !== mine;
      try {
        const cur = await s.scoredFor(text, stale);
        const base = await s.scoredFor(baselineText, stale);
        if (!cur || cur === 'invalid' || !base || base === 'invalid') return [];
        return changedStages(cur.scored, base.scored, limit);
      } catch {
        // (the same comparison is made by every run with a baseline, which reports its own failure)
        return [];
      }
    },

    async exportScorer(text: string, target: ScorerTarget, dialect: SqlDialect = 'duckdb'): Promise<ExportFile> {
      const c = compileSource(text);
      if (!c.ir) return { ok: false, fileName: fileSlug(null), mime: 'text/plain', content: '', message: 'the rules have errors' };
      try {
        return { ok: true, ...(await scorerFile(c.ir, target, dialect, loadRegexSource)) };
      } catch (e) {
        return { ok: false, fileName: fileSlug(c.ir.name), mime: 'text/plain', content: '', message: message(e) };
      }
    },

    async exportScoredCsv(text: string): Promise<ExportFile> {
      const fileName = 'scored-leads.csv';
      if (!s.data) return { ok: false, fileName, mime: 'text/csv', content: '', message: 'no data loaded' };
      const c = s.compile(text);
      if (!c.ir) return { ok: false, fileName, mime: 'text/csv', content: '', message: 'the rules have errors' };
      s.retype(c.ir);
      const st = (await s.replay(c.ir, () => false, { asOf: s.asOfNow(s.data), useClosedAt: false }))!;
      const pieces: string[] = [];
      writeRows('csv', exportNames(c.ir), st.n, (i) => rowAt(st, i), (p) => pieces.push(p));
      return { ok: true, fileName, mime: 'text/csv', content: pieces.join('') };
    },

    async exportReport(text: string, baselineText?: string): Promise<ExportFile> {
      const fail = (m: string): ExportFile => ({ ok: false, fileName: 'report.json', mime: 'application/json', content: '', message: m });
      const mine = epoch;
      const stale = () => epoch !== mine;
      if (!s.data) return fail('no data loaded');
      const cur = await s.scoredFor(text, stale);
      if (cur === 'invalid') return fail('the rules have errors');
      if (!cur) return fail('superseded by a newer run; try again');
      let report = cur.report;
      if (baselineText !== undefined) {
        const base = await s.scoredFor(baselineText, stale);
        if (base && base !== 'invalid') report = withBaseline(cur, base, 200);
      }
      return { ok: true, fileName: 'report.json', mime: 'application/json', content: JSON.stringify(report, null, 2) + '\n' };
    },
  };
  // operations that may hold a run's tables across awaits
  for (const k of ['runStats', 'sweep', 'changedLeads', 'exportScoredCsv', 'exportReport'] as const) {
    const f = api[k] as (...args: unknown[]) => Promise<unknown>;
    (api as unknown as Record<string, unknown>)[k] = async (...args: unknown[]) => {
      s.borrowers++;
      try {
        return await f(...args);
      } finally {
        s.borrowers--;
      }
    };
  }
  return api;
}

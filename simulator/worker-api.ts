/**
 * The simulator behind a comlink interface, for the browser playground's
 * worker (and Node worker_threads through comlink's node adapter).
 *
 * Input (calls from the page): data as transferable ArrayBuffers (CSV or
 * JSON Lines file bytes, or ready typed columns), ruleset source text (or
 * IR), progress callbacks (`Comlink.proxy(fn)`).
 * Output: load summaries, simulation Reports with the ruleset's
 * diagnostics, and one lead's explanation.
 * Invariants:
 * - one run at a time is current: starting a run cancels any older one
 *   (a stale run resolves `{ ok: false, cancelled: true }` at its next
 *   chunk boundary), and `cancel()` cancels the current one;
 * - the kernel runs in chunks of leads with a macrotask between them, so
 *   cancel messages are handled while a run is in progress;
 * - nothing a ruleset or a data file does can throw out of an API call:
 *   every failure becomes `{ ok: false, ... }` and the worker stays up;
 * - this module has no Node-only imports (it runs in a browser worker).
 */
import * as Comlink from 'comlink';
import { compileSource } from '../language/index.js';
import type { IR } from '../language/compile/ir.js';
import type { Diagnostic } from '../language/diagnostics/diagnostic.js';
import { compileKernel } from './kernel/emit-kernel.js';
import { compileScorer } from '../language/compile/emit-js.js';
import type { ScoreResult } from '../language/shared/result-types.js';
import { loadLeads } from './data/leads.js';
import { loadEvents } from './data/events.js';
import type { Column, EventTable, LeadTable } from './data/table.js';
import { startReplay, type ScoredTable } from './replay.js';
import { reportOf } from './simulate.js';
import { leadChanges, reportDelta } from './compare.js';
import type { Report } from './metrics.js';
import type { KernelMode } from './kernel/emit-kernel.js';

export interface LoadSummary {
  ok: boolean;
  leads: number;
  events: number;
  columns: { name: string; type: Column['type'] }[];
  eventTypes: string[];
  rejected: { rows: number; events: number };
  diagnostics: Diagnostic[];
  error?: string;
}

/** Files as bytes (transfer the buffers: `Comlink.transfer(files, [files.leads, ...])`). */
export interface FileData {
  leads: ArrayBuffer;
  leadsName: string;
  events?: ArrayBuffer;
  eventsName?: string;
  /** id column name, or '@row' */
  id?: string;
  outcome?: string;
  missing?: string[];
  lenient?: boolean;
}

/** Ready typed columns (e.g. from another worker or a cache). */
export interface TableData {
  leads: LeadTable;
  events?: EventTable | null;
}

export interface RunRequest {
  /** ruleset source text (or `ir`) */
  source?: string;
  ir?: IR;
  /** the rules in use today, for a comparison */
  baselineSource?: string;
  asOf?: number;
  mode?: KernelMode;
  /** leads per chunk between progress reports and cancellation points (default 16384) */
  chunk?: number;
}

export type RunResult =
  | { ok: true; runId: number; report: Report; diagnostics: Diagnostic[]; ms: number }
  | { ok: false; runId: number; cancelled: boolean; diagnostics: Diagnostic[]; error: string | null };

export interface ExplainRequest {
  source?: string;
  ir?: IR;
  leadId: string;
  asOf?: number;
}

export type ExplainResult =
  | { ok: true; leadId: string; asOf: number; result: ScoreResult; lead: Record<string, unknown>; events: { type: string; at: number }[] }
  | { ok: false; error: string; diagnostics: Diagnostic[] };

export type ProgressFn = (done: number, total: number) => void;

export interface SimulatorApi {
  ping(): string;
  loadFiles(files: FileData, onProgress?: ProgressFn): Promise<LoadSummary>;
  loadTables(tables: TableData): LoadSummary;
  run(req: RunRequest, onProgress?: ProgressFn): Promise<RunResult>;
  /** cancel the current run (if any) */
  cancel(): void;
  explain(req: ExplainRequest): ExplainResult;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const macrotask = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof MessageChannel !== 'undefined' && typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'undefined') {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(0);
    } else setTimeout(resolve, 0);
  });

function diagnosticsOf(e: unknown): Diagnostic[] {
  const d = (e as { diagnostics?: unknown }).diagnostics;
  return Array.isArray(d) ? (d as Diagnostic[]) : [];
}

/** The API object (expose it with comlink, or call it directly). */
export function createSimulatorApi(): SimulatorApi {
  let leads: LeadTable | null = null;
  let events: EventTable | null = null;
  let lastRun = 0;
  let cancelledUpTo = 0;

  const summary = (diagnostics: Diagnostic[] = []): LoadSummary => ({
    ok: leads !== null,
    leads: leads?.n ?? 0,
    events: events?.times.length ?? 0,
    columns: leads ? [...leads.columns].map(([name, c]) => ({ name, type: c.type })) : [],
    eventTypes: events ? [...events.typeNames] : [],
    rejected: { rows: leads?.rejected.rows ?? 0, events: events?.rejected.rows ?? 0 },
    diagnostics,
  });

  function compileOrFail(req: { source?: string; ir?: IR }): { ir: IR | null; diagnostics: Diagnostic[] } {
    if (req.ir) return { ir: req.ir, diagnostics: [] };
    const r = compileSource(req.source ?? '');
    return { ir: r.ir, diagnostics: r.diagnostics };
  }

  async function replayChunked(ir: IR, runId: number, req: RunRequest, onProgress: ProgressFn | undefined, asOf?: number, mode?: KernelMode): Promise<ScoredTable | null> {
    const job = startReplay(compileKernel(ir), leads!, events, {
      ...(asOf !== undefined ? { asOf } : req.asOf !== undefined ? { asOf: req.asOf } : {}),
      ...(mode ?? req.mode ? { mode: mode ?? req.mode } : {}),
      chunk: req.chunk ?? 16_384,
    });
    for (;;) {
      if (runId <= cancelledUpTo) return null;
      const done = job.step();
      if (onProgress) void Promise.resolve(onProgress(job.done, job.total)).catch(() => undefined);
      if (done) break;
      await macrotask();
    }
    return job.result();
  }

  const api: SimulatorApi = {
    ping: () => 'pong',

    async loadFiles(files, onProgress) {
      try {
        leads = null;
        events = null;
        const opts = {
          ...(files.id !== undefined ? { id: files.id } : {}),
          ...(files.outcome !== undefined ? { outcome: files.outcome } : {}),
          ...(files.missing ? { missing: files.missing } : {}),
          lenient: files.lenient ?? false,
          ...(onProgress ? { onProgress: (d: number, t: number) => void Promise.resolve(onProgress(d, t)).catch(() => undefined) } : {}),
        };
        const lt = await loadLeads({ name: files.leadsName, text: new Uint8Array(files.leads) }, opts);
        let et: EventTable | null = null;
        if (files.events) {
          et = await loadEvents({ name: files.eventsName ?? 'events', text: new Uint8Array(files.events) }, lt, [], opts);
        }
        leads = lt;
        events = et;
        return summary([...lt.warnings, ...lt.rejected.diagnostics, ...(et ? et.rejected.diagnostics : [])]);
      } catch (e) {
        return { ...summary(diagnosticsOf(e)), ok: false, error: message(e) };
      }
    },

    loadTables(tables) {
      leads = tables.leads;
      events = tables.events ?? null;
      return summary();
    },

    async run(req, onProgress) {
      const runId = ++lastRun;
      cancelledUpTo = runId - 1; // every older run is stale
      const t0 = Date.now();
      let diagnostics: Diagnostic[] = [];
      try {
        if (!leads) return { ok: false, runId, cancelled: false, diagnostics, error: 'no data loaded' };
        const c = compileOrFail(req);
        diagnostics = c.diagnostics;
        if (!c.ir) return { ok: false, runId, cancelled: false, diagnostics, error: 'the ruleset has errors' };
        const scored = await replayChunked(c.ir, runId, req, onProgress);
        if (!scored) return { ok: false, runId, cancelled: true, diagnostics, error: null };
        const report = reportOf(c.ir, scored, leads, events);
        if (req.baselineSource !== undefined) {
          const b = compileSource(req.baselineSource);
          if (b.ir) {
            const bs = await replayChunked(b.ir, runId, req, undefined, scored.asOf, scored.mode);
            if (!bs) return { ok: false, runId, cancelled: true, diagnostics, error: null };
            const baseline = reportOf(b.ir, bs, leads, events);
            report.baseline = baseline;
            report.delta = reportDelta(report, baseline, { current: scored, baseline: bs });
            report.changes = leadChanges(scored, bs, 200);
          }
        }
        if (runId <= cancelledUpTo) return { ok: false, runId, cancelled: true, diagnostics, error: null };
        return { ok: true, runId, report, diagnostics, ms: Date.now() - t0 };
      } catch (e) {
        return { ok: false, runId, cancelled: false, diagnostics, error: message(e) };
      }
    },

    cancel() {
      cancelledUpTo = lastRun;
    },

    explain(req) {
      try {
        if (!leads) return { ok: false, error: 'no data loaded', diagnostics: [] };
        const c = compileOrFail(req);
        if (!c.ir) return { ok: false, error: 'the ruleset has errors', diagnostics: c.diagnostics };
        const i = leads.ids.indexOf(req.leadId);
        if (i < 0) return { ok: false, error: `no lead with id ${JSON.stringify(req.leadId)}`, diagnostics: [] };
        const lead = leadRecord(leads, i);
        const ca = leads.closedAt[i]!;
        const closed = ca === ca;
        const asOf = closed ? ca : req.asOf ?? defaultAsOfOf(leads, events);
        const evs: { type: string; at: number }[] = [];
        if (events) {
          for (let j = events.offsets[i]!; j < events.offsets[i + 1]!; j++) {
            const t = events.times[j]!;
            if (closed ? t >= ca : t > asOf) break;
            evs.push({ type: events.typeNames[events.types[j]!]!, at: t });
          }
        }
        const result = compileScorer(c.ir, { explain: true }).score(lead, evs, asOf);
        if (closed) {
          // the simulator counts a stage only if reached strictly before closed_at
          const low = c.ir.stages.length - 1;
          c.ir.stages.forEach((s, k) => {
            const t = result.reached[s.name];
            if (k < low && t !== null && t !== undefined && t >= ca) result.reached[s.name] = null;
          });
          result.stage = c.ir.stages.find((s) => result.reached[s.name] !== null)?.name ?? result.stage;
        }
        return { ok: true, leadId: req.leadId, asOf, result: toPlain(result), lead: toPlain(lead), events: evs };
      } catch (e) {
        return { ok: false, error: message(e), diagnostics: [] };
      }
    },
  };
  return api;
}

function defaultAsOfOf(leads: LeadTable, events: EventTable | null): number {
  let m = -Infinity;
  if (events) for (let j = 0; j < events.times.length; j++) if (events.times[j]! > m) m = events.times[j]!;
  for (let i = 0; i < leads.n; i++) {
    if (leads.createdAt[i]! > m) m = leads.createdAt[i]!;
    if (leads.closedAt[i]! > m) m = leads.closedAt[i]!;
  }
  return Number.isFinite(m) ? m : Date.now();
}

/** One lead's attributes as a record (null-prototype; dates as epoch ms). */
export function leadRecord(leads: LeadTable, i: number): Record<string, unknown> {
  const rec = Object.create(null) as Record<string, unknown>;
  for (const [name, c] of leads.columns) {
    let v: unknown = null;
    if (c.type === 'text') v = c.codes[i]! >= 0 ? c.dict[c.codes[i]!] : null;
    else if (c.type === 'bool') v = c.values[i] === 2 ? null : c.values[i] === 1;
    else v = c.values[i] === c.values[i] ? c.values[i] : null;
    rec[name] = v;
  }
  return rec;
}

/** Structured-clone-safe copy (null-prototype maps become plain data via JSON). */
function toPlain<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** Expose the simulator on a comlink endpoint (default: the worker's global scope). */
export function exposeSimulator(endpoint?: Comlink.Endpoint): SimulatorApi {
  const api = createSimulatorApi();
  Comlink.expose(api, endpoint);
  return api;
}

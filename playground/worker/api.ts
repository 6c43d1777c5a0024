/**
 * The seam between the playground page and the worker that hosts the
 * simulator: the interface the worker exposes through comlink.
 *
 * Input/output: plain, structured-clonable data only (text, numbers,
 * ArrayBuffers, the report JSON); progress callbacks are passed wrapped in
 * `Comlink.proxy`.
 * Invariants:
 * - the page never checks, runs or exports on its own thread: every call
 *   here runs in the worker;
 * - `run(id, ...)`: ids increase; `cancel(id)` asks the worker to stop run
 *   `id` (the worker checks between chunks of leads and resolves that run
 *   with `status: 'cancelled'`); the page ignores the result of any run
 *   that is not the latest, whatever its status;
 * - background work (rule statistics, threshold sweeps) yields between
 *   chunks and gives way to any newer run.
 */
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import type { SimulateReport, ChangedLead } from '../report/types.js';
import type { ColumnInfo, RuleStat, ScoreStat } from '../../language/service/context.js';
import type { ExplainTrace } from '../../language/shared/result-types.js';
import type { ThresholdSweep } from '../../simulator/thresholds.js';

export type { Diagnostic, ColumnInfo, RuleStat, ScoreStat, ExplainTrace };

export interface WorkerInfo {
  engine: 'simulator';
  version: string;
}

export interface Progress {
  /** what is being read or run: a file name, or 'run' */
  phase: string;
  done: number;
  total: number;
  /** reading a file: rows read so far */
  rows?: number;
  /** reading a file: ms since it started (for the speed and the time left) */
  ms?: number;
  /** reading a large file: the parts read side by side */
  parts?: number;
}
export type ProgressFn = (p: Progress) => void;

export interface DataFile {
  name: string;
  /** the file's bytes (UTF-8 text); transferred, not copied */
  bytes: ArrayBuffer;
}

export interface LoadRequest {
  leads: DataFile;
  events?: DataFile;
  /** id column, or '@row' to number the rows */
  id?: string;
  outcome?: string;
  missing?: string[];
  lenient?: boolean;
  /** how to turn the files into leads and events first: `olist` joins the Olist MQL and closed-deal files */
  join?: 'olist';
}

/** Generate a seeded ACME-like history in the worker (the default dataset; benchmarks). */
export interface GenerateRequest {
  leads: number;
  seed: number;
  /** mean events per lead (default 20) */
  eventsPerLead?: number;
  /** a name for the summary, e.g. `ACME (generated)` */
  name: string;
}

export interface DataSummary {
  ok: boolean;
  /** the load was cancelled by a newer one (the dataset loaded before stays) */
  cancelled?: boolean;
  file: string;
  leads: number;
  events: number;
  /** the leads file's columns, in file order (for the id/outcome mapping) */
  header: string[];
  /** every attribute column with its type, fill rate, distinct count and most frequent values */
  columns?: ColumnInfo[];
  /** problems in the data, each with file, line and column in its range */
  diagnostics: Diagnostic[];
}

export interface RunRequest {
  text: string;
  /** the pinned baseline's text: the report then carries `baseline` and `delta` */
  baselineText?: string;
  /** with a baseline: list up to this many leads whose stage changed (`RunResult.changed`) */
  changedLimit?: number;
}

export interface RunPhases {
  compile: number;
  replay: number;
  report: number;
  /** the previous run's final scores were reused, for all leads but `fullLeads` */
  reused: boolean;
  /** leads replayed in full (all of them unless `reused`) */
  fullLeads: number;
}

export interface RunResult {
  id: number;
  status: 'ok' | 'cancelled' | 'no-data' | 'invalid' | 'error';
  /** errors in the rules (status 'invalid') or the data */
  diagnostics: Diagnostic[];
  report?: SimulateReport;
  message?: string;
  ms: number;
  /** where the run's time went, in ms (checking and compiling, replaying the leads, computing the report); `reused`: the scores came from the previous run (a threshold edit) and only the stages were replayed */
  phases?: RunPhases;
  /** with a baseline and `changedLimit`: the leads whose stage changed against it */
  changed?: ChangedLead[];
}

export interface TestOutcome {
  name: string;
  /** 1-based line of the `test` keyword */
  line: number;
  passed: boolean;
  /** each failed `expect`: its text, 1-based line/column, and one line per comparison that failed */
  failures: { expect: string; line: number; column: number; details: string[] }[];
}
export interface TestReport {
  available: boolean;
  /** the ruleset has errors: tests did not run */
  invalid?: boolean;
  passed: number;
  failed: number;
  tests: TestOutcome[];
  /** an internal error that stopped them (LQL531) */
  diagnostics?: Diagnostic[];
}

export interface Explanation {
  available: boolean;
  found: boolean;
  id: string;
  /** why it could not be explained (errors in the rules, no data) */
  message?: string;
  /** the lead's outcome in the data */
  outcome?: 'won' | 'lost' | 'open';
  /** epoch ms the lead was evaluated at (closed_at for closed leads) */
  asOf?: number;
  /** the lead's attributes as read from the data */
  lead?: Record<string, unknown>;
  /** events replayed (before asOf) */
  events?: number;
  scores: Record<string, number>;
  bands: Record<string, string>;
  stage: string;
  /** epoch ms each stage was first reached, null if never */
  reached: Record<string, number | null>;
  route: string | null;
  /** the compiled scorer's full trace: every rule (fired or not, values read), stages, routes, stage history */
  trace?: ExplainTrace;
}

/** Per-rule and per-score statistics of the last run, for the editor's hover. */
export interface RunStats {
  ruleStats: RuleStat[];
  scoreStats: ScoreStat[];
  /** an internal error that stopped them (LQL531) */
  diagnostics?: Diagnostic[];
}

/** Threshold sweep of a stage's comparison `score >= threshold`, re-run at each candidate (the simulator's type). */
export type { ThresholdCandidate, ThresholdSweep } from '../../simulator/thresholds.js';
export interface SweepResult {
  status: 'ok' | 'cancelled' | 'none';
  /** stages that can be swept (those above the lowest) */
  stages: string[];
  sweeps: ThresholdSweep[];
  /** an internal error that stopped it (LQL531) */
  diagnostics?: Diagnostic[];
}

export type { ScorerTarget, SqlDialect } from '../../simulator/scorer-files.js';
import type { ScorerTarget, SqlDialect } from '../../simulator/scorer-files.js';

export interface ExportFile {
  ok: boolean;
  fileName: string;
  mime: string;
  content: string;
  message?: string;
}

export interface PlaygroundWorkerApi {
  info(): Promise<WorkerInfo>;
  /** parse and check the rules (against the loaded data's columns, if any) */
  check(text: string): Promise<Diagnostic[]>;
  loadData(req: LoadRequest, onProgress?: ProgressFn): Promise<DataSummary>;
  /** stop the load in progress (it answers `cancelled`) */
  cancelLoad(): Promise<void>;
  generateData(req: GenerateRequest, onProgress?: ProgressFn): Promise<DataSummary>;
  run(id: number, req: RunRequest, onProgress?: ProgressFn): Promise<RunResult>;
  cancel(id: number): Promise<void>;
  runTests(text: string): Promise<TestReport>;
  /** rule and score statistics of the rules' last run (computed in the background; empty if superseded) */
  runStats(text: string): Promise<RunStats>;
  /** precision/recall/volume as the thresholds of `stage` (default: the one above the lowest) move */
  sweep(text: string, stage?: string): Promise<SweepResult>;
  explain(text: string, leadId: string, asOf?: string): Promise<Explanation>;
  changedLeads(text: string, baselineText: string, limit: number): Promise<ChangedLead[]>;
  exportScorer(text: string, target: ScorerTarget, dialect?: SqlDialect): Promise<ExportFile>;
  exportScoredCsv(text: string): Promise<ExportFile>;
  exportReport(text: string, baselineText?: string): Promise<ExportFile>;
}

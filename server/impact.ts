/**
 * The impact of a change to a ruleset, for review: its backtest on the
 * workspace's shared data against a baseline (the last release, or another
 * version in a diff).
 *
 * Input: the new text, the baseline text (or null), the dataset's files and
 * load options.
 * Output: an `Impact`: the new report's stages, the deltas of the compare
 * module, and per stage the leads that entered it (reach it now, did not
 * before) and left it (reached it before, not now), counted and sampled.
 * Invariants: both texts run on the same loaded tables, with the simulator
 * the CLI and the browser worker use, so the figures equal `lql simulate
 * --baseline`; a text with errors yields `{ error }`, never a partial report.
 */
import { compileSource } from '../language/index.js';
import type { IR } from '../language/compile/ir.js';
import { loadEventsFile, loadLeadsFile } from '../simulator/data/files.js';
import { DataError } from '../simulator/data/errors.js';
import { simulateFull } from '../simulator/simulate.js';
import type { ScoredTable } from '../simulator/replay.js';
import type { StageMetrics } from '../simulator/metrics.js';
import type { ReportDelta } from '../simulator/compare.js';

export interface DatasetFiles {
  name: string;
  leadsPath: string;
  eventsPath: string | null;
  options: { id?: string; outcome?: string; missing?: string[] };
}

export interface StageMove {
  stage: string;
  entered: number;
  left: number;
  /** up to SAMPLE lead ids of each */
  enteredIds: string[];
  leftIds: string[];
}

export type Impact =
  | {
      dataset: string;
      leads: number;
      baseRate: number | null;
      stages: Pick<StageMetrics, 'name' | 'reached' | 'won' | 'precision' | 'recall' | 'lift'>[];
      baseline: null | { label: string; stages: Pick<StageMetrics, 'name' | 'reached' | 'won' | 'precision' | 'recall' | 'lift'>[] };
      delta: ReportDelta | null;
      moves: StageMove[];
      changedLeads: number;
    }
  | { error: string };

const SAMPLE = 50;

function compileOrError(text: string, what: string): IR | string {
  const r = compileSource(text);
  if (r.ir) return r.ir;
  const first = r.diagnostics.find((d) => d.severity === 'error');
  return `${what} has errors${first ? ` (line ${first.range.start.line}: ${first.message})` : ''}; no backtest was run.`;
}

/** Leads that reach each stage (by name) in one table but not in the other. */
export function stageMoves(current: ScoredTable, baseline: ScoredTable): StageMove[] {
  const out: StageMove[] = [];
  for (const stage of current.stageNames) {
    const ci = current.stageNames.indexOf(stage);
    const bi = baseline.stageNames.indexOf(stage);
    if (bi < 0) continue;
    const m: StageMove = { stage, entered: 0, left: 0, enteredIds: [], leftIds: [] };
    for (let i = 0; i < current.n; i++) {
      // stage names are furthest first: a lead reached `stage` when its final stage index is at most its index
      const now = current.stage[i]! >= 0 && current.stage[i]! <= ci;
      const before = baseline.stage[i]! >= 0 && baseline.stage[i]! <= bi;
      if (now && !before) {
        m.entered++;
        if (m.enteredIds.length < SAMPLE) m.enteredIds.push(current.ids[i]!);
      } else if (before && !now) {
        m.left++;
        if (m.leftIds.length < SAMPLE) m.leftIds.push(current.ids[i]!);
      }
    }
    out.push(m);
  }
  return out;
}

const pickStages = (stages: StageMetrics[]) => stages.map(({ name, reached, won, precision, recall, lift }) => ({ name, reached, won, precision, recall, lift }));

export async function computeImpact(text: string, baseline: { text: string; label: string } | null, data: DatasetFiles): Promise<Impact> {
  const ir = compileOrError(text, 'The proposed text');
  if (typeof ir === 'string') return { error: ir };
  const base = baseline ? compileOrError(baseline.text, baseline.label) : null;
  if (typeof base === 'string') return { error: base };
  const types: Record<string, 'text' | 'number' | 'bool' | 'date'> = Object.create(null);
  for (const x of [base, ir]) for (const a of x?.attributes ?? []) if (a.declared) types[a.name] = a.type;
  try {
    const leads = await loadLeadsFile(data.leadsPath, { ...data.options, types });
    const events = data.eventsPath ? await loadEventsFile(data.eventsPath, leads, ir.activities, {}) : null;
    const r = simulateFull(ir, leads, events, base ? { baseline: base, maxChanges: 0 } : {});
    return {
      dataset: data.name,
      leads: r.report.leads,
      baseRate: r.report.baseRate,
      stages: pickStages(r.report.stages),
      baseline: base && r.report.baseline ? { label: baseline!.label, stages: pickStages(r.report.baseline.stages) } : null,
      delta: r.report.delta ?? null,
      moves: r.baselineScored ? stageMoves(r.scored, r.baselineScored) : [],
      changedLeads: r.report.changes?.count ?? 0,
    };
  } catch (e) {
    if (e instanceof DataError) {
      const d = e.diagnostics[0];
      return { error: `The shared data could not be read${d ? ` (line ${d.range.start.line}: ${d.message})` : ''}.` };
    }
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

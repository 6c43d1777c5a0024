/**
 * The simulator's report (simulator/metrics.ts, the `simulate --json`
 * contract) in the shape the playground's views read (report/types.ts), plus
 * the sections only the playground draws: the fit × interest matrix, the
 * activities' 95% intervals and suggested points, score statistics.
 *
 * Input: a `Report`, the `ScoredTable` it was computed from, and the IR.
 * Output: a `SimulateReport` (plain JSON, structured-clonable), and helpers
 * for per-score statistics and the stage changes between two runs.
 * Invariants: counts are copied unchanged; a rate the simulator leaves
 * `null` (no decided outcome) becomes NaN, which the views show as a dash;
 * the matrix is a cross table of two bands over the same scored leads, so
 * its cells add up to the number of leads; pure functions.
 */
import type { IR } from '../../language/compile/ir.js';
import type { Report, Histogram, WeeklyVolume as SimWeekly } from '../../simulator/metrics.js';
import { wilson } from '../../simulator/metrics.js';
import type { ScoredTable } from '../../simulator/replay.js';
import type { StageDelta as SimStageDelta } from '../../simulator/compare.js';
import { suggestedPoints } from '../../simulator/suggest.js';
import type { ScoreStat } from '../../language/service/context.js';
import type { BandMatrix, ChangedLead, ScoreDistribution, SimulateReport, WeeklyVolume } from '../report/types.js';

const nn = (x: number | null | undefined): number => (x === null || x === undefined ? NaN : x);

function distributions(hs: Histogram[]): ScoreDistribution[] {
  return hs
    .filter((h) => h.edges.length > 1)
    .map((h) => ({
      score: h.name,
      bins: h.won.map((_, k) => ({ from: h.edges[k]!, to: h.edges[k + 1]!, won: h.won[k]!, lost: h.lost[k]!, open: h.open[k]! })),
    }));
}

function weekly(w: SimWeekly | null): WeeklyVolume[] | undefined {
  if (!w) return undefined;
  return w.stages.map((s) => ({ stage: s.name, weeks: w.weeks.map((wk, k) => ({ week: wk.start, count: s.counts[k]! })) }));
}

/** Which score a band reads, and which block that score is (fit, engagement, a score block or derived). */
function bandKind(ir: IR, band: IR['bands'][number]): 'fit' | 'engagement' | 'other' {
  if (band.source.k !== 'score') return 'other';
  const name = band.source.name;
  const s = ir.scores.find((x) => x.name === name);
  if (s && s.kind === 'block' && (s.block === 'fit' || s.block === 'engagement')) return s.block;
  return 'other';
}

/** The two bands of the fit × interest matrix: one from fit and one from engagement, else the first two. */
export function matrixBands(ir: IR): [number, number] | undefined {
  if (ir.bands.length < 2) return undefined;
  const fit = ir.bands.findIndex((b) => bandKind(ir, b) === 'fit');
  const eng = ir.bands.findIndex((b) => bandKind(ir, b) === 'engagement');
  if (fit >= 0 && eng >= 0) return [fit, eng];
  return [0, 1];
}

/** Cross table of two bands: leads, won, lost and close rate per pair of labels. */
export function bandMatrix(ir: IR, st: ScoredTable): BandMatrix | undefined {
  const pair = matrixBands(ir);
  if (!pair) return undefined;
  const [r, c] = pair;
  const rows = st.bandLabels[r]!;
  const cols = st.bandLabels[c]!;
  const nc = cols.length;
  const counts = new Int32Array(rows.length * nc * 3);
  const br = st.bands[r]!;
  const bc = st.bands[c]!;
  for (let i = 0; i < st.n; i++) {
    const o = st.outcome[i] === 1 ? 0 : st.outcome[i] === 0 ? 1 : 2;
    // band indexes are below their label counts, so the cell is in range
    counts[(br[i]! * nc + bc[i]!) * 3 + o]! += 1;
  }
  const cells: BandMatrix['cells'] = [];
  rows.forEach((row, i) => cols.forEach((col, j) => {
    const k = (i * nc + j) * 3;
    const won = counts[k]!;
    const lost = counts[k + 1]!;
    cells.push({ row, col, leads: won + lost + counts[k + 2]!, won, lost, closeRate: won + lost > 0 ? won / (won + lost) : NaN });
  }));
  return { rowBand: st.bandNames[r]!, colBand: st.bandNames[c]!, rows, cols, cells };
}

/** The playground's report from the simulator's. */
export function toPlaygroundReport(report: Report, st?: ScoredTable, ir?: IR): SimulateReport {
  const base = report.baseRate;
  const out: SimulateReport = {
    ruleset: report.ruleset ?? '',
    mode: report.mode,
    leads: report.leads,
    won: report.won,
    lost: report.lost,
    open: report.open,
    baseRate: nn(base),
    stages: report.stages.map((s) => ({
      name: s.name, reached: s.reached, won: s.won, lost: s.lost, open: s.reached - s.won - s.lost,
      precision: nn(s.precision), precisionCI: s.precisionCI ?? [NaN, NaN], recall: nn(s.recall), lift: nn(s.lift),
    })),
    routes: report.routes.map((r) => ({ name: r.name, leads: r.leads, won: r.won, lost: r.lost, closeRate: nn(r.closeRate) })),
    bands: Object.fromEntries(Object.entries(report.bands).map(([k, v]) => [k, v.map((b) => ({ label: b.label, leads: b.leads, won: b.won, lost: b.lost, closeRate: nn(b.closeRate) }))])),
    activities: report.activities.map((a) => ({
      name: a.name, leads: a.leads, won: a.won, lost: a.lost, closeRate: nn(a.closeRate), ratio: nn(a.ratio),
      closeRateCI: wilson(a.won, a.won + a.lost) ?? [NaN, NaN],
      suggestedPoints: suggestedPoints(a.won, a.lost, base),
    })),
    rejected: { ...report.rejected },
    distributions: distributions(report.scoreDistribution),
  };
  const w = weekly(report.weekly);
  if (w) out.weekly = w;
  if (report.monthly) out.monthly = report.monthly;
  if (report.ranking) {
    out.ranking = report.ranking
      .filter((x) => x.auc !== null)
      .map((x) => ({
        name: x.name, auc: nn(x.auc), aucCI: x.aucCI ?? [NaN, NaN],
        deciles: x.deciles.map((d) => ({ decile: d.decile, min: d.min, max: d.max, leads: d.leads, won: d.won, lost: d.lost, closeRate: nn(d.closeRate), lift: nn(d.lift) })),
      }));
  }
  if (st && ir) {
    const m = bandMatrix(ir, st);
    if (m) out.matrix = m;
  }
  if (report.baseline) out.baseline = toPlaygroundReport(report.baseline);
  if (report.delta) {
    const marginal = (m: NonNullable<SimStageDelta['entered']>) => ({ leads: m.leads, won: m.won, lost: m.lost, precision: nn(m.precision), precisionCI: m.precisionCI ?? [NaN, NaN] as [number, number] });
    out.delta = {
      stages: report.delta.stages.map((d) => ({
        name: d.name, reached: d.reached, won: d.won, precision: nn(d.precision), recall: nn(d.recall), lift: nn(d.lift),
        ...(d.entered && d.left ? { entered: marginal(d.entered), left: marginal(d.left), precisionDeltaCI: d.precisionDeltaCI ?? [NaN, NaN] as [number, number] } : {}),
      })),
    };
  }
  return out;
}

/** Min, max, mean, median and 90th percentile of each score. */
export function scoreStats(st: ScoredTable): ScoreStat[] {
  return st.scoreNames.map((name, s) => {
    const v = Float64Array.from(st.scores[s]!).sort();
    const n = v.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += v[i]!;
    return n === 0
      ? { name, min: 0, max: 0, mean: 0, leads: 0 }
      : { name, min: v[0]!, max: v[n - 1]!, mean: sum / n, median: v[Math.floor(n / 2)]!, p90: v[Math.min(n - 1, Math.floor(n * 0.9))]!, leads: n };
  });
}

/** Leads whose stage differs between the baseline run and the current one (table order, at most `limit`). */
export function changedStages(current: ScoredTable, baseline: ScoredTable, limit: number): ChangedLead[] {
  const out: ChangedLead[] = [];
  if (current.n !== baseline.n) return out;
  for (let i = 0; i < current.n && out.length < limit; i++) {
    const after = current.stageNames[current.stage[i]!] ?? '';
    const before = baseline.stageNames[baseline.stage[i]!] ?? '';
    if (after !== before) {
      const o = current.outcome[i];
      out.push({ id: current.ids[i]!, before, after, outcome: o === 1 ? 'won' : o === 0 ? 'lost' : 'open' });
    }
  }
  return out;
}

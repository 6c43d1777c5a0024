/**
 * Pure calculations behind the results views: axis ticks, the threshold
 * sweep, weekly capacity, suggested points, baseline deltas and a line diff.
 *
 * Input: parts of a `SimulateReport` (see `types.ts`) or two texts.
 * Output: plain numbers and rows ready to draw.
 * Invariants: no rounding of counts; a rate with a zero denominator is NaN
 * (shown as a dash), never 0; functions are pure and total.
 */
import type { ScoreDistribution, SimulateReport, StageMetrics, WeeklyVolume } from './types.js';

/** About `count` round tick values from 0 (or min) to at least max. */
export function niceTicks(max: number, count = 5, min = 0): number[] {
  if (!Number.isFinite(max) || !Number.isFinite(min)) return [0, 1];
  if (max <= min) max = min + 1;
  const span = max - min;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = start; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export interface SweepPoint {
  threshold: number;
  leads: number;
  won: number;
  lost: number;
  precision: number;
  recall: number;
  share: number;
}

/** For each bin's lower edge t: what a rule "score >= t" would have selected. */
export function thresholdSweep(dist: ScoreDistribution): SweepPoint[] {
  const bins = [...dist.bins].sort((a, b) => a.from - b.from);
  const totalWon = bins.reduce((a, b) => a + b.won, 0);
  const total = bins.reduce((a, b) => a + b.won + b.lost + b.open, 0);
  const out: SweepPoint[] = [];
  let won = 0;
  let lost = 0;
  let leads = 0;
  for (let i = bins.length - 1; i >= 0; i--) {
    const b = bins[i]!;
    won += b.won;
    lost += b.lost;
    leads += b.won + b.lost + b.open;
    out.push({
      threshold: b.from, leads, won, lost,
      precision: won + lost > 0 ? won / (won + lost) : NaN,
      recall: totalWon > 0 ? won / totalWon : NaN,
      share: total > 0 ? leads / total : NaN,
    });
  }
  return out.reverse();
}

export function weeksOverCapacity(w: WeeklyVolume, capacity: number): number {
  if (!(capacity > 0)) return 0;
  return w.weeks.filter((x) => x.count > capacity).length;
}

/** The close-rate method: points proportional to the ratio to the base rate. */
export function suggestedPoints(ratio: number, pointsAtBase: number): number {
  if (!Number.isFinite(ratio)) return NaN;
  return Math.round(ratio * pointsAtBase);
}

export interface StageComparison {
  name: string;
  current?: StageMetrics;
  baseline?: StageMetrics;
  reached: number;
  precision: number;
  recall: number;
  lift: number;
}

/** Stage-by-stage change from the baseline, matched by stage name. */
export function compareStages(report: SimulateReport, baseline: SimulateReport | undefined = report.baseline): StageComparison[] {
  if (!baseline) return [];
  const names = [...report.stages.map((s) => s.name)];
  for (const s of baseline.stages) if (!names.includes(s.name)) names.push(s.name);
  return names.map((name) => {
    const c = report.stages.find((s) => s.name === name);
    const b = baseline.stages.find((s) => s.name === name);
    const d = (k: 'reached' | 'precision' | 'recall' | 'lift') => (c ? c[k] : NaN) - (b ? b[k] : NaN);
    return { name, current: c, baseline: b, reached: d('reached'), precision: d('precision'), recall: d('recall'), lift: d('lift') };
  });
}

export type DiffLine = { kind: 'same' | 'add' | 'del'; text: string; oldLine?: number; newLine?: number };

/** Line diff by longest common subsequence (texts of a few thousand lines). */
export function lineDiff(a: string, b: string): DiffLine[] {
  const x = a.split('\n');
  const y = b.split('\n');
  // trim the common head and tail first: edits are usually small
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const xs = x.slice(head, x.length - tail);
  const ys = y.slice(head, y.length - tail);
  const n = xs.length;
  const m = ys.length;
  const out: DiffLine[] = [];
  for (let i = 0; i < head; i++) out.push({ kind: 'same', text: x[i]!, oldLine: i + 1, newLine: i + 1 });
  if (n * m > 4_000_000) {
    xs.forEach((t, i) => out.push({ kind: 'del', text: t, oldLine: head + i + 1 }));
    ys.forEach((t, j) => out.push({ kind: 'add', text: t, newLine: head + j + 1 }));
  } else {
    const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) {
      L[i]![j] = xs[i] === ys[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && xs[i] === ys[j]) { out.push({ kind: 'same', text: xs[i]!, oldLine: head + i + 1, newLine: head + j + 1 }); i++; j++; }
      // a changed line reads as the old one removed, then the new one added
      else if (i < n && (j === m || L[i + 1]![j]! >= L[i]![j + 1]!)) { out.push({ kind: 'del', text: xs[i]!, oldLine: head + i + 1 }); i++; }
      else { out.push({ kind: 'add', text: ys[j]!, newLine: head + j + 1 }); j++; }
    }
  }
  for (let k = 0; k < tail; k++) {
    out.push({ kind: 'same', text: x[x.length - tail + k]!, oldLine: x.length - tail + k + 1, newLine: y.length - tail + k + 1 });
  }
  return out;
}

/** Only changed lines with `context` unchanged lines around them. */
export function diffHunks(lines: DiffLine[], context = 2): (DiffLine | { kind: 'gap'; count: number })[] {
  const keep = new Uint8Array(lines.length);
  lines.forEach((l, i) => {
    if (l.kind !== 'same') for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = 1;
  });
  const out: (DiffLine | { kind: 'gap'; count: number })[] = [];
  let gap = 0;
  lines.forEach((l, i) => {
    if (keep[i]) { if (gap) out.push({ kind: 'gap', count: gap }); gap = 0; out.push(l); } else gap++;
  });
  if (gap && out.length) out.push({ kind: 'gap', count: gap });
  return out;
}

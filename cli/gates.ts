/**
 * Quality gates for CI: `lql simulate --require "MQL precision >= 0.70"`.
 *
 * Input: gate texts (as typed on the command line) and a simulate Report.
 * Output: `parseGate` gives a Gate or throws a UsageError that shows the
 * expected form; `evaluateGates` gives each gate with its actual value and
 * whether it held.
 * Grammar: `STAGE METRIC [change] OP NUMBER[%]`, where METRIC is one of
 * reached, won, lost, precision, precision_low, precision_high (the 95%
 * Wilson interval's ends), recall, lift; OP is >=, <=, >, <, == or !=;
 * `change` compares the change against the baseline (needs --baseline); a
 * rate may be written 0.70 or 70%. Invariants: a gate on a figure that
 * does not exist (no decided lead reached the stage) fails and says why;
 * an unknown stage or metric is a usage error naming the valid ones.
 */
import { nearest } from '../language/shared/names.js';
import type { Report, StageMetrics } from '../simulator/metrics.js';
import { UsageError } from './errors.js';

export const GATE_METRICS = ['reached', 'won', 'lost', 'precision', 'precision_low', 'precision_high', 'recall', 'lift'] as const;
export type GateMetric = (typeof GATE_METRICS)[number];
type Op = '>=' | '<=' | '>' | '<' | '==' | '!=';

export interface Gate {
  text: string;
  stage: string;
  metric: GateMetric;
  change: boolean;
  op: Op;
  value: number;
  percent: boolean;
}

export interface GateResult {
  gate: Gate;
  actual: number | null;
  passed: boolean;
  /** why there is no actual value */
  why?: string;
}

const RATES = new Set<GateMetric>(['precision', 'precision_low', 'precision_high', 'recall']);
const FORM = 'expected STAGE METRIC [change] OP NUMBER, like "MQL precision >= 0.70" or "SQL reached change <= 50"';

export function parseGate(text: string): Gate {
  const m = /^\s*(`[^`]+`|"[^"]+"|[^\s<>=!]+)\s+([A-Za-z_ ]+?)\s*(>=|<=|==|!=|>|<)\s*([+-]?\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new UsageError(`--require "${text}": ${FORM}.`);
  const stage = m[1]!.replace(/^[`"]|[`"]$/g, '');
  const words = m[2]!.trim().split(/\s+/);
  const change = words[words.length - 1] === 'change';
  if (change) words.pop();
  const metric = words.join('_').toLowerCase().replace(/^precision_(lo|low|lower)$/, 'precision_low').replace(/^precision_(hi|high|upper)$/, 'precision_high');
  if (!(GATE_METRICS as readonly string[]).includes(metric)) {
    const near = nearest(metric, GATE_METRICS);
    throw new UsageError(`--require "${text}": '${words.join(' ')}' is not a metric${near.length ? ` (did you mean '${near[0]}'?)` : ''}; use one of ${GATE_METRICS.join(', ')}.`);
  }
  const percent = m[5] === '%';
  const value = Number(m[4]) / (percent ? 100 : 1);
  if (percent && !RATES.has(metric as GateMetric)) throw new UsageError(`--require "${text}": ${metric} is a count or a ratio, not a percentage.`);
  return { text: text.trim(), stage, metric: metric as GateMetric, change, op: m[3] as Op, value, percent };
}

function figure(s: StageMetrics, metric: GateMetric): number | null {
  switch (metric) {
    case 'precision_low':
      return s.precisionCI?.[0] ?? null;
    case 'precision_high':
      return s.precisionCI?.[1] ?? null;
    default:
      return s[metric];
  }
}

function holds(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

/** Check that every gate names a stage the report has (and a baseline when it asks for a change). */
export function validateGates(gates: readonly Gate[], names: readonly string[], hasBaseline: boolean): void {
  for (const g of gates) {
    if (!names.includes(g.stage)) {
      const near = nearest(g.stage, names);
      throw new UsageError(`--require "${g.text}": the ruleset has no stage '${g.stage}'${near.length ? ` (did you mean '${near[0]}'?)` : ''}; its stages are ${names.join(', ')}.`);
    }
    if (g.change && !hasBaseline) throw new UsageError(`--require "${g.text}": a change is measured against a baseline; add --baseline OLD.lql.`);
  }
}

export function evaluateGates(gates: readonly Gate[], report: Report): GateResult[] {
  validateGates(gates, report.stages.map((s) => s.name), !!report.baseline);
  return gates.map((gate) => {
    const cur = report.stages.find((s) => s.name === gate.stage)!;
    let actual = figure(cur, gate.metric);
    let why: string | undefined;
    if (gate.change) {
      const base = report.baseline!.stages.find((s) => s.name === gate.stage);
      const b = base ? figure(base, gate.metric) : null;
      if (!base) why = `the baseline has no stage ${gate.stage}`;
      actual = actual === null || b === null ? null : actual - b;
    }
    if (actual === null && !why) why = RATES.has(gate.metric) || gate.metric === 'lift' ? `no decided lead (won or lost) reached ${gate.stage}` : 'no figure';
    return actual === null ? { gate, actual, passed: false, why } : { gate, actual, passed: holds(actual, gate.op, gate.value) };
  });
}

/** A gate's actual value as the user wrote the threshold (a percentage when they used %). */
export function showActual(r: GateResult): string {
  if (r.actual === null) return r.why ?? 'no figure';
  const v = r.gate.percent ? `${(r.actual * 100).toFixed(1)}%` : Number.isInteger(r.actual) ? String(r.actual) : r.actual.toFixed(4);
  return r.gate.change && r.actual > 0 ? `+${v}` : v;
}

export function formatGateLines(results: readonly GateResult[]): string[] {
  return results.map((r) => `${r.passed ? 'gate passed' : 'gate FAILED'}: ${r.gate.text} (${r.actual === null ? r.why : `actual ${showActual(r)}`})`);
}

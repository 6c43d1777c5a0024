/**
 * The report shape the results views read: the `lql simulate --json`
 * contract (spec/CLI.md), plus optional sections the views draw when a
 * report carries them.
 *
 * Input: JSON produced by the simulator (in the browser via the worker, or
 * `lql simulate --json` on the command line). Output: types only.
 * Invariants:
 * - every field of the CLI contract keeps its name and meaning: counts are
 *   exact integers, rates are plain numbers in [0, 1];
 * - the sections marked "optional" below are not in the CLI contract's
 *   example; a view whose section is absent says so instead of drawing
 *   anything, so a report with only the contract's fields still renders.
 */

export interface StageMetrics {
  name: string;
  reached: number;
  won: number;
  lost: number;
  /** reached leads with no decided outcome; optional: else reached - won - lost */
  open?: number;
  precision: number;
  precisionCI: [number, number];
  recall: number;
  lift: number;
}

export interface RouteMetrics {
  name: string;
  leads: number;
  won: number;
  lost: number;
  closeRate: number;
}

export interface BandLabelMetrics {
  label: string;
  leads: number;
  won: number;
  lost: number;
  closeRate: number;
}

export interface ActivityMetrics {
  name: string;
  leads: number;
  won: number;
  lost: number;
  closeRate: number;
  /** closeRate / baseRate */
  ratio: number;
  /** optional: 95% interval of closeRate */
  closeRateCI?: [number, number];
  /** optional: points `lql suggest` proposes */
  suggestedPoints?: number;
}

/** optional: one histogram per score, bins in ascending order */
export interface ScoreDistribution {
  score: string;
  bins: { from: number; to: number; won: number; lost: number; open: number }[];
}

/** optional: leads first reaching a stage, per ISO week (Monday, UTC) */
export interface WeeklyVolume {
  stage: string;
  weeks: { week: string; count: number }[];
}

/** optional: the fit x interest matrix, a cross table of two bands */
export interface BandMatrix {
  rowBand: string;
  colBand: string;
  rows: string[];
  cols: string[];
  cells: { row: string; col: string; leads: number; won: number; lost: number; closeRate: number }[];
}

/** Leads that reach a stage with one of the two rulesets only. */
export interface MarginalLeads {
  leads: number;
  won: number;
  lost: number;
  /** NaN without a decided lead */
  precision: number;
  precisionCI: [number, number];
}

export interface StageDelta {
  name: string;
  reached?: number;
  won?: number;
  precision?: number;
  recall?: number;
  lift?: number;
  /** reach the stage with the current rules only */
  entered?: MarginalLeads;
  /** reach the stage with the baseline only */
  left?: MarginalLeads;
  /** paired 95% interval of the change in precision */
  precisionDeltaCI?: [number, number];
}

export interface SimulateReport {
  ruleset: string;
  mode: 'events' | 'snapshot';
  leads: number;
  won: number;
  lost: number;
  open: number;
  baseRate: number;
  /** furthest first, as declared */
  stages: StageMetrics[];
  routes: RouteMetrics[];
  bands: Record<string, BandLabelMetrics[]>;
  activities: ActivityMetrics[];
  rejected: { rows: number; events: number };
  baseline?: SimulateReport;
  delta?: { stages: StageDelta[] };
  // --- optional sections -----------------------------------------------------
  distributions?: ScoreDistribution[];
  weekly?: WeeklyVolume[];
  matrix?: BandMatrix;
  /** per month of creation: leads, and per stage reached, won, lost */
  monthly?: { months: string[]; created: number[]; stages: { name: string; reached: number[]; won: number[]; lost: number[] }[] };
  /** per score: ROC AUC (DeLong 95% interval) and the close rate by decile */
  ranking?: { name: string; auc: number; aucCI: [number, number]; deciles: { decile: number; min: number; max: number; leads: number; won: number; lost: number; closeRate: number; lift: number }[] }[];
}

/** A lead whose stage differs between the baseline and the current rules. */
export interface ChangedLead {
  id: string;
  before: string;
  after: string;
  outcome: 'won' | 'lost' | 'open';
}

/**
 * Compare: a ruleset's report against a baseline's (the rules in use today)
 * on the same leads.
 *
 * Input: the current and baseline Reports, and their ScoredTables (same
 * LeadTable, so the same lead order).
 * Output: `delta` (current minus baseline, per stage/route/band label by
 * name, for the names both have) and `changes`: the leads whose stage or
 * route differs, with both values.
 * Invariants: deltas of rates are null when either side is null; a stage or
 * route present in only one of the two rulesets is listed in `onlyIn`.
 */
import type { Report } from './metrics.js';
import type { ScoredTable } from './replay.js';

export interface StageDelta {
  name: string;
  reached: number;
  won: number;
  precision: number | null;
  recall: number | null;
  lift: number | null;
}

export interface GroupDelta {
  name: string;
  leads: number;
  won: number;
  closeRate: number | null;
}

export interface ReportDelta {
  baseRate: number | null;
  stages: StageDelta[];
  routes: GroupDelta[];
  onlyIn: { current: string[]; baseline: string[] };
}

export interface LeadChange {
  id: string;
  stage: [string, string];
  route: [string | null, string | null];
}

export interface LeadChanges {
  /** number of leads whose stage or route changed */
  count: number;
  /** those leads, in table order (at most `limit` of them) */
  leads: LeadChange[];
  /** leads moved from baseline stage (row) to current stage (column), stages furthest first */
  stageMatrix: { baseline: string[]; current: string[]; counts: number[][] };
}

function sub(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

export function reportDelta(current: Report, baseline: Report): ReportDelta {
  const bStages = new Map(baseline.stages.map((s) => [s.name, s]));
  const cStageNames = new Set(current.stages.map((s) => s.name));
  const stages: StageDelta[] = [];
  for (const s of current.stages) {
    const b = bStages.get(s.name);
    if (!b) continue;
    stages.push({
      name: s.name,
      reached: s.reached - b.reached,
      won: s.won - b.won,
      precision: sub(s.precision, b.precision),
      recall: sub(s.recall, b.recall),
      lift: sub(s.lift, b.lift),
    });
  }
  const bRoutes = new Map(baseline.routes.map((r) => [r.name, r]));
  const cRouteNames = new Set(current.routes.map((r) => r.name));
  const routes: GroupDelta[] = [];
  for (const r of current.routes) {
    const b = bRoutes.get(r.name);
    if (!b) continue;
    routes.push({ name: r.name, leads: r.leads - b.leads, won: r.won - b.won, closeRate: sub(r.closeRate, b.closeRate) });
  }
  return {
    baseRate: sub(current.baseRate, baseline.baseRate),
    stages,
    routes,
    onlyIn: {
      current: [
        ...current.stages.filter((s) => !bStages.has(s.name)).map((s) => `stage ${s.name}`),
        ...current.routes.filter((r) => !bRoutes.has(r.name)).map((r) => `route ${r.name}`),
      ],
      baseline: [
        ...baseline.stages.filter((s) => !cStageNames.has(s.name)).map((s) => `stage ${s.name}`),
        ...baseline.routes.filter((r) => !cRouteNames.has(r.name)).map((r) => `route ${r.name}`),
      ],
    },
  };
}

export function leadChanges(current: ScoredTable, baseline: ScoredTable, limit = Infinity): LeadChanges {
  if (current.n !== baseline.n) throw new Error('compare: the two runs are not over the same leads');
  const leads: LeadChange[] = [];
  const counts = baseline.stageNames.map(() => current.stageNames.map(() => 0));
  let count = 0;
  for (let i = 0; i < current.n; i++) {
    const cs = current.stage[i]!;
    const bs = baseline.stage[i]!;
    if (bs >= 0 && cs >= 0) counts[bs]![cs]!++;
    const csn = current.stageNames[cs] ?? '';
    const bsn = baseline.stageNames[bs] ?? '';
    const cr = current.route[i]! >= 0 ? current.routeNames[current.route[i]!]! : null;
    const br = baseline.route[i]! >= 0 ? baseline.routeNames[baseline.route[i]!]! : null;
    if (csn !== bsn || cr !== br) {
      count++;
      if (leads.length < limit) leads.push({ id: current.ids[i]!, stage: [bsn, csn], route: [br, cr] });
    }
  }
  return { count, leads, stageMatrix: { baseline: baseline.stageNames, current: current.stageNames, counts } };
}

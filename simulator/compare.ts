/**
 * Compare: a ruleset's report against a baseline's (the rules in use today)
 * on the same leads.
 *
 * Input: the current and baseline Reports, and their ScoredTables (same
 * LeadTable, so the same lead order).
 * Output: `delta` (current minus baseline, per stage/route/band label by
 * name, for the names both have) and `changes`: the leads whose stage or
 * route differs, with both values. With both scored tables, each stage's
 * delta also has the marginal leads: `entered` (reached it with the current
 * rules only) and `left` (with the baseline only), each with leads, won,
 * lost, precision and its 95% Wilson interval, and `precisionDeltaCI`, a
 * 95% interval for the change in precision suited to paired data (the same
 * leads scored twice): Newcombe's MOVER method (hybrid score), combining
 * the two precisions' Wilson intervals with the correlation of the two
 * precisions, estimated by the delta method from the decided leads both
 * rulesets reach (Newcombe 1998, method 10; Zou & Donner 2008). When no
 * decided lead entered or left, the change is exactly 0 and so is its
 * interval.
 * Invariants: deltas of rates are null when either side is null; a stage or
 * route present in only one of the two rulesets is listed in `onlyIn`.
 */
import { rate, wilson, type Report } from './metrics.js';
import type { ScoredTable } from './replay.js';

export interface MarginalLeads {
  leads: number;
  won: number;
  lost: number;
  precision: number | null;
  precisionCI: [number, number] | null;
}

export interface StageDelta {
  name: string;
  reached: number;
  won: number;
  precision: number | null;
  recall: number | null;
  lift: number | null;
  /** leads that reach the stage with the current rules but not with the baseline */
  entered?: MarginalLeads;
  /** leads that reach the stage with the baseline but not with the current rules */
  left?: MarginalLeads;
  /** 95% interval of the change in precision (paired: see the header) */
  precisionDeltaCI?: [number, number] | null;
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

function marginal(won: number, lost: number, leads: number): MarginalLeads {
  return { leads, won, lost, precision: rate(won, lost), precisionCI: wilson(won, won + lost) };
}

/** Whether lead i reached stage k of a scored table (the lowest stage: every lead). */
function reachedAt(st: ScoredTable, k: number): (i: number) => boolean {
  const r = st.reached[k]!;
  return k === st.stageNames.length - 1 ? () => true : (i) => r[i] === r[i];
}

/**
 * 95% interval for pC - pB, the change in precision of one stage between two
 * scorings of the same leads (Newcombe's MOVER with Wilson intervals and the
 * delta-method correlation of the two precisions).
 */
export function pairedPrecisionDeltaCI(
  cur: { won: number; lost: number },
  base: { won: number; lost: number },
  /** decided leads both reach: won, lost */
  both: { won: number; lost: number },
  changed: boolean,
): [number, number] | null {
  const nC = cur.won + cur.lost;
  const nB = base.won + base.lost;
  if (!nC || !nB) return null;
  if (!changed) return [0, 0];
  const pC = cur.won / nC;
  const pB = base.won / nB;
  const [lC, uC] = wilson(cur.won, nC)!;
  const [lB, uB] = wilson(base.won, nB)!;
  // delta method: pX - PX ~ sum over X's leads of (y - pX) / nX, so the covariance comes from the shared leads
  const cov = (both.won * (1 - pC) * (1 - pB) + both.lost * pC * pB) / (nC * nB);
  const vC = (pC * (1 - pC)) / nC;
  const vB = (pB * (1 - pB)) / nB;
  const r = vC > 0 && vB > 0 ? Math.max(-1, Math.min(1, cov / Math.sqrt(vC * vB))) : 0;
  const d = pC - pB;
  const lo = d - Math.sqrt(Math.max(0, (pC - lC) ** 2 + (uB - pB) ** 2 - 2 * r * (pC - lC) * (uB - pB)));
  const hi = d + Math.sqrt(Math.max(0, (uC - pC) ** 2 + (pB - lB) ** 2 - 2 * r * (uC - pC) * (pB - lB)));
  return [Math.max(-1, lo), Math.min(1, hi)];
}

/** The marginal leads of one stage (by name in both tables) and the paired interval of its change in precision. */
export function stageMarginals(current: ScoredTable, baseline: ScoredTable, name: string): Pick<StageDelta, 'entered' | 'left' | 'precisionDeltaCI'> | null {
  const kc = current.stageNames.indexOf(name);
  const kb = baseline.stageNames.indexOf(name);
  if (kc < 0 || kb < 0 || current.n !== baseline.n) return null;
  const inC = reachedAt(current, kc);
  const inB = reachedAt(baseline, kb);
  const out = current.outcome;
  // counts by [entered, left, both] x [won, lost, open]
  const c = new Int32Array(9);
  for (let i = 0; i < current.n; i++) {
    const a = inC(i);
    const b = inB(i);
    if (!a && !b) continue;
    const g = a && b ? 2 : a ? 0 : 1;
    c[g * 3 + (out[i] === 1 ? 0 : out[i] === 0 ? 1 : 2)]! += 1; // g < 3
  }
  const entered = marginal(c[0]!, c[1]!, c[0]! + c[1]! + c[2]!);
  const left = marginal(c[3]!, c[4]!, c[3]! + c[4]! + c[5]!);
  const both = { won: c[6]!, lost: c[7]! };
  const changed = entered.won + entered.lost + left.won + left.lost > 0;
  return {
    entered,
    left,
    precisionDeltaCI: pairedPrecisionDeltaCI(
      { won: both.won + entered.won, lost: both.lost + entered.lost },
      { won: both.won + left.won, lost: both.lost + left.lost },
      both,
      changed,
    ),
  };
}

/**
 * Current minus baseline. With the two scored tables (same leads, same
 * order), each stage also gets its marginal leads and the paired interval of
 * its change in precision.
 */
export function reportDelta(current: Report, baseline: Report, scored?: { current: ScoredTable; baseline: ScoredTable }): ReportDelta {
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
      ...(scored ? stageMarginals(scored.current, scored.baseline, s.name) : null),
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

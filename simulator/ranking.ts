/**
 * Ranking quality of a score against the outcome: ROC AUC with a 95%
 * interval, and the close rate by decile (a lift table).
 *
 * Input: a score per lead (Float64Array) and the outcome (Int8Array: 1 won,
 * 0 lost, -1 open). Only decided leads (won or lost) count.
 * Output: `auc` -> { auc, ci, won, lost } where auc is the probability that
 * a random won lead scores higher than a random lost one (ties count one
 * half: the Mann-Whitney statistic), and ci is DeLong's 95% interval
 * (DeLong, DeLong & Clarke-Pearson 1988: the variance from each lead's
 * placement values), clamped to [0, 1]; `liftTable` -> ten groups of
 * decided leads of (nearly) equal size, highest scores first, each with its
 * score range, won, lost, close rate and lift over the base rate. Leads with
 * equal scores never straddle two deciles (a decile may then hold more or
 * fewer than a tenth, and there may be fewer than ten).
 * Invariants: pure; NaN scores are left out; null when either class is
 * empty.
 */
import { rate, wilson } from './metrics.js';

const Z95 = 1.959963984540054;

export interface AucResult {
  auc: number;
  ci: [number, number];
  won: number;
  lost: number;
}

/**
 * A score's decided leads grouped by value (what the AUC and the lift table
 * are computed from), visited in order rather than held: for a score of a
 * million distinct values, the groups would take 16 bytes each.
 */
interface Groups {
  totalWon: number;
  totalLost: number;
  /** each distinct value, ascending, with how many won and lost leads hold it (0 and -0 are one value, named as first met) */
  walk(into: Tally): void;
}

/**
 * Rankings another thread is computing for a score array and outcome
 * (simulator/shared-ranking.ts): taken, once, by the next `ranking` of that
 * score; `take` returns null when that thread did not deliver (then it is
 * computed here).
 */
const pending = new WeakMap<object, { outcome: Int8Array; parts: number; take: () => Ranking | null }>();

/** Let the next `ranking(score, outcome, parts)` use what `take` returns. */
export function rankingFromElsewhere(score: ArrayLike<number>, outcome: Int8Array, parts: number, take: () => Ranking | null): void {
  pending.set(score, { outcome, parts, take });
}

/** Values that are whole numbers spanning fewer than this many are counted in an array indexed by value. */
const SPAN = 4096;

function groupsOf(score: ArrayLike<number>, outcome: Int8Array): Groups {
  return wholeGroups(score, outcome) ?? countedGroups(score, outcome) ?? sortedGroups(score, outcome);
}

/**
 * Groups of whole-number scores spanning fewer than `SPAN` values (sums of
 * integer points: the usual case), counted in arrays indexed by value; null
 * for other scores.
 */
function wholeGroups(score: ArrayLike<number>, outcome: Int8Array): Groups | null {
  let min = Infinity;
  let max = -Infinity;
  let seen = 0;
  for (let i = 0; i < outcome.length; i++) {
    const o = outcome[i];
    if (o !== 1 && o !== 0) continue;
    const s = score[i]!;
    if (s !== s) continue;
    if (s !== Math.floor(s)) return null;
    seen++;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  // no decided lead with a score: no groups
  if (!seen) return { totalWon: 0, totalLost: 0, walk: () => {} };
  // infinite scores span no finite range (Infinity - Infinity is NaN): counted by the Map
  if (!(max - min < SPAN)) return null;
  const won = new Int32Array(max - min + 1);
  const lost = new Int32Array(max - min + 1);
  let tw = 0;
  let tl = 0;
  // a zero is named as the first one met among the leads (0 or -0), as a Map keyed by value would
  let zero = 0;
  for (let i = 0; i < outcome.length; i++) {
    const o = outcome[i];
    if (o !== 1 && o !== 0) continue;
    const s = score[i]!;
    if (s !== s) continue;
    if (s === 0 && zero === 0) zero = Object.is(s, -0) ? -1 : 1;
    if (o === 1) {
      won[s - min]!++;
      tw++;
    } else {
      lost[s - min]!++;
      tl++;
    }
  }
  return {
    totalWon: tw,
    totalLost: tl,
    walk(into) {
      for (let k = 0; k < won.length; k++) {
        const w = won[k]!;
        const l = lost[k]!;
        if (w + l === 0) continue;
        const v = min + k;
        into.add(v === 0 && zero < 0 ? -0 : v, w, l);
      }
    },
  };
}

/** Groups by counting, when the scores take few distinct values; null when they take many. */
function countedGroups(score: ArrayLike<number>, outcome: Int8Array): Groups | null {
  const at = new Map<number, number>();
  const won: number[] = [];
  const lost: number[] = [];
  const values: number[] = [];
  let tw = 0;
  let tl = 0;
  for (let i = 0; i < outcome.length; i++) {
    const o = outcome[i];
    if (o !== 1 && o !== 0) continue;
    const s = score[i]!;
    if (s !== s) continue;
    let k = at.get(s);
    if (k === undefined) {
      if (values.length === SPAN) return null;
      k = values.length;
      at.set(s, k);
      values.push(s);
      won.push(0);
      lost.push(0);
    }
    if (o === 1) {
      won[k]!++;
      tw++;
    } else {
      lost[k]!++;
      tl++;
    }
  }
  const order = values.map((_, k) => k).sort((x, y) => values[x]! - values[y]!);
  return {
    totalWon: tw,
    totalLost: tl,
    walk(into) {
      for (const k of order) into.add(values[k]!, won[k]!, lost[k]!);
    },
  };
}

/** Groups by sorting (any number of distinct values): the won and the lost scores apart, each sorted, merged as they are walked. */
function sortedGroups(score: ArrayLike<number>, outcome: Int8Array): Groups {
  // each sorted natively (a typed-array sort, no comparator)
  let nw = 0;
  let nl = 0;
  for (let i = 0; i < outcome.length; i++) {
    const s = score[i]!;
    if (s !== s) continue;
    if (outcome[i] === 1) nw++;
    else if (outcome[i] === 0) nl++;
  }
  const ws = new Float64Array(nw);
  const ls = new Float64Array(nl);
  nw = 0;
  nl = 0;
  for (let i = 0; i < outcome.length; i++) {
    const s = score[i]!;
    if (s !== s) continue;
    if (outcome[i] === 1) ws[nw++] = s;
    else if (outcome[i] === 0) ls[nl++] = s;
  }
  ws.sort();
  ls.sort();
  return {
    totalWon: nw,
    totalLost: nl,
    walk(into) {
      let a = 0;
      let b = 0;
      while (a < nw || b < nl) {
        // the next distinct value, and how many of each class hold it
        const v = b >= nl || (a < nw && ws[a]! <= ls[b]!) ? ws[a]! : ls[b]!;
        let w = 0;
        let l = 0;
        while (a < nw && ws[a] === v) {
          a++;
          w++;
        }
        while (b < nl && ls[b] === v) {
          b++;
          l++;
        }
        into.add(v, w, l);
      }
    },
  };
}

/** ROC AUC of a score (higher = more likely won) with DeLong's 95% interval; null without both classes. */
export function auc(score: ArrayLike<number>, outcome: Int8Array): AucResult | null {
  return computeRanking(score, outcome).auc;
}

/** Both `auc` and `liftTable` of one score. */
export interface Ranking {
  auc: AucResult | null;
  deciles: LiftRow[];
}

/** Both `auc` and `liftTable` of one score (or as another thread computed them, see `rankingFromElsewhere`). */
export function ranking(score: ArrayLike<number>, outcome: Int8Array, parts = 10): Ranking {
  const p = pending.get(score);
  if (p && p.outcome === outcome && p.parts === parts) {
    pending.delete(score);
    const r = p.take();
    if (r) return r;
  }
  return computeRanking(score, outcome, parts);
}

export interface LiftRow {
  /** 1 = the highest scores */
  decile: number;
  /** lowest and highest score in the group */
  min: number;
  max: number;
  leads: number;
  won: number;
  lost: number;
  closeRate: number | null;
  closeRateCI: [number, number] | null;
  lift: number | null;
}

/** Close rate by decile of the score among decided leads, highest scores first. */
export function liftTable(score: ArrayLike<number>, outcome: Int8Array, parts = 10): LiftRow[] {
  return computeRanking(score, outcome, parts).deciles;
}

/**
 * `ranking`, always computed on this thread, in one ascending walk of the
 * groups. The AUC: DeLong's placement values, summed. The lift table: cut
 * from the highest value down, a group closes at the first value that
 * reaches the next tenth of the decided leads (a tie block covering several
 * tenths makes one group). Seen from below, a value v closes a group when
 * some m >= 1 has (leads above v) * parts < m * total <= (leads at or above
 * v) * parts; the groups are then the runs from one closing value up to
 * just below the next.
 */
export function computeRanking(score: ArrayLike<number>, outcome: Int8Array, parts = 10): Ranking {
  const g = groupsOf(score, outcome);
  const t = new Tally(g.totalWon, g.totalLost, parts);
  g.walk(t);
  return t.result();
}

/**
 * What the walk of `computeRanking` sums, group by group (one class, so that
 * every walk calls the same method and the compiler can inline it).
 */
class Tally {
  // placement values: for a won lead at value v, the share of lost leads below v (+ half the ties);
  // for a lost lead at v, the share of won leads above v (+ half the ties)
  private lostBelow = 0;
  private wonBelow = 0;
  /** the sum of the won leads' placement values (the AUC times W) */
  private s10 = 0;
  private s10sq = 0;
  private s01 = 0;
  private s01sq = 0;
  /** lift groups from the lowest up: [min, max, won, lost] each */
  private readonly groups: number[][] = [];
  private cur: number[] | null = null;
  private readonly total: number;

  constructor(
    private readonly W: number,
    private readonly L: number,
    private readonly parts: number,
  ) {
    this.total = W + L;
  }

  add(v: number, w: number, l: number): void {
    const { W, L, total, parts } = this;
    if (L) {
      const v10 = (this.lostBelow + 0.5 * l) / L;
      this.s10 += w * v10;
      this.s10sq += w * v10 * v10;
    }
    if (W) {
      const v01 = (W - this.wonBelow - w + 0.5 * w) / W;
      this.s01 += l * v01;
      this.s01sq += l * v01 * v01;
    }
    const atOrAbove = (total - this.lostBelow - this.wonBelow) * parts;
    const m = Math.floor(atOrAbove / total);
    let cur = this.cur;
    if (!cur || (m >= 1 && m * total > atOrAbove - (w + l) * parts)) {
      cur = [v, v, 0, 0];
      this.cur = cur;
      this.groups.push(cur);
    }
    cur[1] = v;
    cur[2]! += w;
    cur[3]! += l;
    this.lostBelow += l;
    this.wonBelow += w;
  }

  result(): Ranking {
    const { W, L } = this;
    let aucResult: AucResult | null = null;
    if (W && L) {
      const a = this.s10 / W;
      const var10 = W > 1 ? (this.s10sq - (this.s10 * this.s10) / W) / (W - 1) : 0;
      const var01 = L > 1 ? (this.s01sq - (this.s01 * this.s01) / L) / (L - 1) : 0;
      const se = Math.sqrt(Math.max(0, var10 / W + var01 / L));
      aucResult = { auc: a, ci: [Math.max(0, a - Z95 * se), Math.min(1, a + Z95 * se)], won: W, lost: L };
    }
    const base = W / this.total;
    const deciles = this.groups.reverse().map(([min, max, won, lost], k) => liftRow(k + 1, min!, max!, won!, lost!, base));
    return { auc: aucResult, deciles };
  }
}

/** One row of the lift table: a group of decided leads from `min` to `max`; `base` is the close rate of all of them. */
export function liftRow(decile: number, min: number, max: number, won: number, lost: number, base: number): LiftRow {
  const cr = rate(won, lost);
  return {
    decile,
    min,
    max,
    leads: won + lost,
    won,
    lost,
    closeRate: cr,
    closeRateCI: wilson(won, won + lost),
    lift: cr !== null && base > 0 ? cr / base : null,
  };
}

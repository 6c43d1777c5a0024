/**
 * Time in a backtest: how many weeks the data covers (the one denominator of
 * every per-week figure, in `simulate` and in `suggest --capacity`), the
 * median time from creation to each stage, and the monthly precision and
 * volume of each stage.
 *
 * Input: lead creation times (epoch ms, NaN when unknown), event times, the
 * stage times of a ScoredTable. Output: plain numbers and rows.
 * Invariants:
 * - weeks = (latest - earliest) / 7 days over created_at and event times,
 *   at least 1; null when the data has no such times or they are all the
 *   same instant (a snapshot export): then no per-week figure is given;
 * - medianDays is over the leads that reached the stage and have a
 *   created_at, from created_at to the first time they reached it; it is
 *   only given for event history (in a snapshot the stage time is just the
 *   evaluation time); a stage time before creation counts as 0 days;
 * - the monthly rows group leads by the UTC month of created_at (a cohort):
 *   per stage, the leads created that month that reached it, won, lost and
 *   precision; months are consecutive from the first to the last.
 */
import { type EventTable, type LeadTable, notedTimeSpan } from './data/table.js';

const DAY = 86_400_000;

/** Weeks covered by the data's times (created_at, events), or null when it has none to speak of. */
export function dataWeeks(leads: Pick<LeadTable, 'createdAt'>, events: Pick<EventTable, 'times'> | Pick<EventTable, 'times' | 'types'> | null): number | null {
  let lo = Infinity;
  let hi = -Infinity;
  const scan = (a: Float64Array) => {
    for (let i = 0; i < a.length; i++) {
      const t = a[i]!;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
  };
  scan(leads.createdAt);
  // the span a reader noted (the columnar cache stores it), else a pass over the times
  const span = events && 'types' in events ? notedTimeSpan(events) : undefined;
  if (span) {
    lo = Math.min(lo, span.earliest);
    hi = Math.max(hi, span.latest);
  } else if (events) scan(events.times);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo) return null;
  return Math.max(1, (hi - lo) / (7 * DAY));
}

/** Median days from created_at to the stage time over the leads with both; null when none. */
export function medianDays(reached: Float64Array, createdAt: Float64Array): number | null {
  let n = 0;
  for (let i = 0; i < reached.length; i++) if (reached[i] === reached[i] && createdAt[i] === createdAt[i]) n++;
  if (!n) return null;
  // a typed array sorted natively: no comparator calls for up to a million leads
  const d = new Float64Array(n);
  n = 0;
  for (let i = 0; i < reached.length; i++) {
    const r = reached[i]!;
    const c = createdAt[i]!;
    if (r === r && c === c) d[n++] = Math.max(0, (r - c) / DAY);
  }
  d.sort();
  const m = n >> 1;
  return n % 2 ? d[m]! : (d[m - 1]! + d[m]!) / 2;
}

export interface MonthlyStage {
  name: string;
  /** per month: leads created that month that reached the stage, and how they closed */
  reached: number[];
  won: number[];
  lost: number[];
}

export interface Monthly {
  /** `YYYY-MM`, consecutive */
  months: string[];
  /** leads created each month */
  created: number[];
  /** every stage, furthest first */
  stages: MonthlyStage[];
}

/** The UTC month of a time as year * 12 + month (0-based), by calendar arithmetic (no Date per lead); NaN outside Date's range. */
export function monthIndex(t: number): number {
  if (!(Math.abs(t) <= 8.64e15)) return NaN;
  // days since 1970-01-01 -> civil date (proleptic Gregorian; H. Hinnant's days_from_civil inverse)
  const z = Math.floor(t / DAY) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 2 : mp - 10; // 0-based, January = 0
  const year = yoe + era * 400 + (month < 2 ? 1 : 0);
  return year * 12 + month;
}

/** Monthly volume and outcome per stage, by the month each lead was created; null without creation times. */
export function monthly(st: { n: number; outcome: Int8Array; stageNames: string[]; reached: Float64Array[] }, createdAt: Float64Array): Monthly | null {
  // the month of each day between the first and the last creation day, computed once per day, not per lead
  let dLo = Infinity;
  let dHi = -Infinity;
  for (let i = 0; i < st.n; i++) {
    const c = createdAt[i]!;
    if (!(Math.abs(c) <= 8.64e15)) continue;
    const d = Math.floor(c / DAY);
    if (d < dLo) dLo = d;
    if (d > dHi) dHi = d;
  }
  if (!Number.isFinite(dLo)) return null;
  const hi = monthIndex(dHi * DAY);
  // at most 20 years: earlier days are left out
  dLo = Math.max(dLo, dHi - 240 * 31);
  const monthOfDay = new Int32Array(dHi - dLo + 1);
  for (let d = dLo; d <= dHi; d++) monthOfDay[d - dLo] = monthIndex(d * DAY);
  const lo = Math.max(monthOfDay[0]!, hi - 239); // at most 20 years
  const len = hi - lo + 1;
  const months = Array.from({ length: len }, (_, k) => `${Math.floor((lo + k) / 12)}-${String(((lo + k) % 12) + 1).padStart(2, '0')}`);
  const created = new Array<number>(len).fill(0);
  const low = st.stageNames.length - 1;
  const stages: MonthlyStage[] = st.stageNames.map((name) => ({
    name,
    reached: new Array<number>(len).fill(0),
    won: new Array<number>(len).fill(0),
    lost: new Array<number>(len).fill(0),
  }));
  for (let i = 0; i < st.n; i++) {
    const c = createdAt[i]!;
    if (!(Math.abs(c) <= 8.64e15)) continue;
    const day = Math.floor(c / DAY) - dLo;
    if (day < 0) continue;
    const m = monthOfDay[day]! - lo;
    if (m < 0) continue;
    created[m]!++;
    const o = st.outcome[i];
    for (let k = 0; k <= low; k++) {
      const r = st.reached[k]![i]!;
      if (k < low && r !== r) continue;
      const s = stages[k]!;
      s.reached[m]!++;
      if (o === 1) s.won[m]!++;
      else if (o === 0) s.lost[m]!++;
    }
  }
  return { months, created, stages };
}

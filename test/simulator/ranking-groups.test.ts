import { describe, expect, it } from 'vitest';
import { auc, liftTable, ranking } from '../../simulator/ranking.js';
import { aucRef, seeded } from '../support/independent.js';
import { medianDays, monthIndex } from '../../simulator/time.js';

/** Scores and outcomes: `distinct` possible score values (ties when few), some open leads and NaN scores. */
function sample(n: number, distinct: number, seed: number, step = 0.5): { score: Float64Array; outcome: Int8Array } {
  const rnd = seeded(seed);
  const score = new Float64Array(n);
  const outcome = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const won = rnd() < 0.3;
    const r = rnd();
    outcome[i] = r < 0.1 ? -1 : won ? 1 : 0;
    // won leads score a little higher on average
    score[i] = r > 0.97 ? NaN : Math.floor((rnd() + (won ? 0.2 : 0)) * distinct) * step - 3;
  }
  return { score, outcome };
}

describe('ranking on many leads', () => {
  for (const [label, distinct, step] of [
    ['few distinct scores (counted)', 40, 0.5],
    ['whole-number scores (counted by value)', 3000, 1],
    ['many distinct scores (sorted)', 200_000, 0.5],
  ] as const) {
    it(`${label}: AUC and interval match the pairwise reference, the deciles add up`, () => {
      const { score, outcome } = sample(30_000, distinct, distinct, step);
      const won: number[] = [];
      const lost: number[] = [];
      for (let i = 0; i < score.length; i++) {
        if (score[i] !== score[i]) continue;
        if (outcome[i] === 1) won.push(score[i]!);
        else if (outcome[i] === 0) lost.push(score[i]!);
      }
      const ref = aucRef(won, lost);
      const a = auc(score, outcome)!;
      expect(a.won).toBe(won.length);
      expect(a.lost).toBe(lost.length);
      expect(a.auc).toBeCloseTo(ref.auc, 12);
      expect(a.ci[0]).toBeCloseTo(ref.lo, 12);
      expect(a.ci[1]).toBeCloseTo(ref.hi, 12);
      const rows = liftTable(score, outcome);
      expect(ranking(score, outcome)).toEqual({ auc: a, deciles: rows });
      expect(rows.reduce((s, r) => s + r.won, 0)).toBe(won.length);
      expect(rows.reduce((s, r) => s + r.lost, 0)).toBe(lost.length);
      // highest scores first, and no score in two deciles
      for (let k = 1; k < rows.length; k++) expect(rows[k]!.max).toBeLessThan(rows[k - 1]!.min);
      // the top decile by hand: the leads scoring at least its minimum
      const top = rows[0]!;
      expect(won.filter((s) => s >= top.min).length).toBe(top.won);
      expect(lost.filter((s) => s >= top.min).length).toBe(top.lost);
    });
  }

  it('negated scores give the complementary AUC', () => {
    const { score, outcome } = sample(2_000, 30, 5);
    const before = auc(score, outcome)!.auc;
    expect(
      auc(
        score.map((s) => -s),
        outcome,
      )!.auc,
    ).toBeCloseTo(1 - before, 12);
  });
});

describe('the lift table walked from the highest score down', () => {
  /** The lift rows by hand: decided leads sorted by score, highest first, cut at each tenth; a tie block is never split. */
  function liftRef(score: Float64Array, outcome: Int8Array): { min: number; max: number; won: number; lost: number }[] {
    const leads: { s: number; won: boolean }[] = [];
    for (let i = 0; i < score.length; i++) if (score[i] === score[i] && outcome[i]! >= 0) leads.push({ s: score[i]!, won: outcome[i] === 1 });
    leads.sort((a, b) => b.s - a.s);
    const total = leads.length;
    const rows: { min: number; max: number; won: number; lost: number }[] = [];
    let i = 0;
    let next = 1;
    while (i < total) {
      const row = { min: leads[i]!.s, max: leads[i]!.s, won: 0, lost: 0 };
      // take whole tie blocks until the next tenth of the leads is reached
      while (i < total && (row.won + row.lost === 0 || i * 10 < next * total)) {
        const v = leads[i]!.s;
        while (i < total && leads[i]!.s === v) {
          if (leads[i]!.won) row.won++;
          else row.lost++;
          i++;
        }
        row.min = v;
      }
      while (next * total <= i * 10) next++;
      rows.push(row);
    }
    return rows;
  }

  for (const [label, distinct, step] of [
    ['counted', 300, 0.5],
    ['counted by value', 300, 1],
    ['sorted', 50_000, 0.5],
  ] as const) {
    it(`${label}: the rows match the hand computation, ties and all`, () => {
      const { score, outcome } = sample(40_000, distinct, 11, step);
      // a block of large ties at the top and at the bottom
      for (let i = 0; i < 3000; i++) score[i * 13] = i % 2 ? 1e6 : -1e6;
      const got = liftTable(score, outcome).map((r) => ({ min: r.min, max: r.max, won: r.won, lost: r.lost }));
      expect(got).toEqual(liftRef(score, outcome));
      expect(got.length).toBeGreaterThan(5);
    });
  }

  it('a block of 0 and -0 is one value, named as the ascending walk meets it first', () => {
    // many distinct values (the sorted path), with zeros of both signs among won and lost leads
    const n = 20_000;
    const score = new Float64Array(n);
    const outcome = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      score[i] = i < 4000 ? (i % 2 ? 0 : -0) : i;
      outcome[i] = i % 3 === 0 ? 1 : 0;
    }
    const rows = liftTable(score, outcome);
    const bottom = rows[rows.length - 1]!;
    // the 4,000 zeros are one block: the bottom row holds all of them and nothing below
    expect(bottom.won + bottom.lost).toBeGreaterThanOrEqual(4000);
    expect(bottom.min === 0).toBe(true);
    // a won lead holds -0 (i = 0), and -0 sorts before 0: the value is named -0, as in the ascending walk
    expect(Object.is(bottom.min, -0)).toBe(true);
    // with only +0 among the won leads, the won side names it +0
    for (let i = 0; i < 4000; i++) if (outcome[i] === 1) score[i] = 0;
    expect(Object.is(liftTable(score, outcome).at(-1)!.min, 0)).toBe(true);
    expect(auc(score, outcome)).toEqual(ranking(score, outcome).auc);
  });

  it('no decided lead with a score: no AUC and no deciles, on every path', () => {
    const open = Int8Array.from([-1, -1, -1]);
    for (const score of [Float64Array.from([1, 2, 3]), Float64Array.from([0.5, 1.5, 2.5]), Float64Array.from([NaN, NaN, NaN])]) {
      expect(ranking(score, open)).toEqual({ auc: null, deciles: [] });
      // decided leads whose scores are all NaN
      expect(ranking(Float64Array.from([NaN, NaN, NaN]), Int8Array.from([1, 0, 1]))).toEqual({ auc: null, deciles: [] });
    }
    // infinite scores are scores: all +Infinity is one tie (AUC 0.5, one row)
    const inf = ranking(Float64Array.from([Infinity, Infinity, Infinity]), Int8Array.from([1, 0, 1]));
    expect(inf.auc?.auc).toBe(0.5);
    expect(inf.deciles.map((d) => [d.min, d.max, d.won, d.lost])).toEqual([[Infinity, Infinity, 2, 1]]);
    expect(ranking(Float64Array.from([-Infinity, 3, Infinity]), Int8Array.from([0, 1, 1])).auc?.auc).toBe(1);
    // one class only: deciles, no AUC
    const won = ranking(Float64Array.from([1, 2, 3]), Int8Array.from([1, 1, 1]));
    expect(won.auc).toBeNull();
    expect(won.deciles.reduce((t, d) => t + d.won, 0)).toBe(3);
  });

  it('whole-number scores name a zero as the first lead holding one does (0 or -0)', () => {
    const score = Float64Array.from([3, -0, 0, 1, 2, 0, 5, -1]);
    const outcome = Int8Array.from([1, 0, 1, 0, 1, 0, 1, 0]);
    const zeroRow = (s: Float64Array) => liftTable(s, outcome, 8).find((r) => r.min === 0)!;
    expect(Object.is(zeroRow(score).min, -0)).toBe(true);
    score[1] = 0;
    score[2] = -0;
    expect(Object.is(zeroRow(score).min, 0)).toBe(true);
    // the zeros are one value: 1 won and 2 lost in one row
    expect([zeroRow(score).won, zeroRow(score).lost]).toEqual([1, 2]);
  });
});

describe('calendar months and medians without a Date per lead', () => {
  it('monthIndex is the UTC year and month Date gives, across eras, leap days and month ends', () => {
    const rnd = seeded(29);
    const times = [
      0,
      -1,
      8.64e15,
      -8.64e15,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2000, 2, 1),
      Date.UTC(1900, 1, 28, 12),
      Date.UTC(-400, 0, 1),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
    ];
    for (let i = 0; i < 20_000; i++) times.push(Math.round((rnd() - 0.5) * 2 * (i % 2 ? 8.64e15 : 4e12)));
    for (const t of times) {
      const d = new Date(t);
      expect(monthIndex(t)).toBe(d.getUTCFullYear() * 12 + d.getUTCMonth());
    }
    expect(monthIndex(8.64e15 + 1)).toBeNaN();
  });

  it('medianDays is the median of the days from creation to the stage, over leads with both times', () => {
    const DAY = 86_400_000;
    // days 5, 1, 0 (before creation counts 0), 3: sorted 0 1 3 5 -> (1 + 3) / 2
    const created = new Float64Array([0, 10 * DAY, 20 * DAY, NaN, 30 * DAY, 0]);
    const reached = new Float64Array([5 * DAY, 11 * DAY, 19 * DAY, 4 * DAY, 33 * DAY, NaN]);
    expect(medianDays(reached, created)).toBe(2);
    expect(medianDays(reached.subarray(0, 2), created.subarray(0, 2))).toBe(3);
    expect(medianDays(new Float64Array([NaN]), new Float64Array([0]))).toBeNull();
  });
});

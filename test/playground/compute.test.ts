/**
 * Calculations behind the results views: ticks, threshold sweep, capacity,
 * suggested points, stage comparison and the line diff.
 */
import { describe, expect, it } from 'vitest';
import { niceTicks, thresholdSweep, weeksOverCapacity, suggestedPoints, compareStages, lineDiff, diffHunks } from '../../playground/report/compute.js';
import { report } from './fixtures/report.js';

describe('report calculations', () => {
  it('makes round ticks that cover the maximum', () => {
    expect(niceTicks(812)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const t = niceTicks(75, 6, -50);
    expect(t[0]).toBeLessThanOrEqual(-50);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(75);
  });

  it('sweeps thresholds from the same bins the histogram draws', () => {
    const sweep = thresholdSweep(report.distributions![0]!);
    expect(sweep.map((p) => p.threshold)).toEqual([-50, -25, 0, 25, 50]);
    expect(sweep[0]!.leads).toBe(9240);
    expect(sweep[0]!.recall).toBe(1);
    expect(sweep[0]!.share).toBe(1);
    const top = sweep[4]!;
    expect(top.leads).toBe(540);
    expect(top.precision).toBeCloseTo(361 / 540, 10);
    expect(top.recall).toBeCloseTo(361 / 3561, 10);
  });

  it('a rate with nothing to divide by is NaN, not 0', () => {
    const s = thresholdSweep({ score: 'x', bins: [{ from: 0, to: 1, won: 0, lost: 0, open: 3 }] });
    expect(s[0]!.precision).toBeNaN();
    expect(s[0]!.recall).toBeNaN();
  });

  it('counts weeks over capacity, none without a capacity', () => {
    const w = report.weekly![0]!;
    expect(weeksOverCapacity(w, 50)).toBe(3);
    expect(weeksOverCapacity(w, 0)).toBe(0);
  });

  it('suggests points proportional to the ratio to the base rate', () => {
    expect(suggestedPoints(3, 10)).toBe(30);
    expect(suggestedPoints(0.26, 10)).toBe(3);
    expect(suggestedPoints(NaN, 10)).toBeNaN();
  });

  it('compares stages with the baseline by name', () => {
    const c = compareStages(report);
    expect(c.map((x) => x.name)).toEqual(['SQL', 'MQL', 'lead']);
    expect(c[0]!.reached).toBe(112);
    expect(c[1]!.precision).toBeCloseTo(0.61 - 0.62, 10);
    expect(compareStages({ ...report, baseline: undefined })).toEqual([]);
  });

  it('diffs lines', () => {
    const a = 'a\nb\nc\nd';
    const b = 'a\nB\nc\nd\ne';
    const d = lineDiff(a, b);
    expect(d.filter((l) => l.kind === 'del').map((l) => l.text)).toEqual(['b']);
    expect(d.filter((l) => l.kind === 'add').map((l) => l.text)).toEqual(['B', 'e']);
    expect(d.filter((l) => l.kind !== 'del').map((l) => l.text).join('\n')).toBe(b);
    expect(d.filter((l) => l.kind !== 'add').map((l) => l.text).join('\n')).toBe(a);
    // a changed line: the old one first (−), then the new one (+)
    expect(d.slice(1, 3).map((l) => l.kind + ':' + l.text)).toEqual(['del:b', 'add:B']);
    expect(lineDiff('x\n>= 40\ny', 'x\n>= 25\ny').map((l) => l.kind)).toEqual(['same', 'del', 'add', 'same']);
    expect(diffHunks(lineDiff(a, a))).toEqual([]);
    const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    const h = diffHunks(lineDiff(long, long.replace('line 20', 'LINE 20')), 2);
    expect(h.filter((x) => x.kind === 'gap').length).toBe(2);
  });
});

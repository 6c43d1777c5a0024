// Recycled output arrays: zero-filled on reuse, never an array still in use.
import { describe, expect, it } from 'vitest';
import { OutputRecycler } from '../../simulator/recycle.js';
import type { KernelOutput } from '../../simulator/kernel/emit-kernel.js';

function table(n: number, fill: number): KernelOutput {
  return {
    n,
    scores: [new Float64Array(n).fill(fill), new Float64Array(n).fill(fill)],
    bands: [new Int32Array(n).fill(fill)],
    stage: new Int32Array(n).fill(fill),
    reached: [new Float64Array(n).fill(fill)],
    route: new Int32Array(n).fill(fill),
  };
}

describe('OutputRecycler', () => {
  it('hands retired arrays out again, zero-filled, and only of the asked length', () => {
    const r = new OutputRecycler();
    const old = table(5, 7);
    r.retire(old, []);
    expect(r.size).toBe(6);
    const a = r.f64(5);
    expect([...old.scores, ...old.reached]).toContain(a);
    expect([...a]).toEqual([0, 0, 0, 0, 0]);
    const b = r.i32(5);
    expect([old.bands[0], old.stage, old.route]).toContain(b);
    expect([...b]).toEqual([0, 0, 0, 0, 0]);
    // another length: a new array, the retired ones stay
    const c = r.f64(6);
    expect(c.length).toBe(6);
    expect(r.size).toBe(4);
  });

  it('never recycles an array shared with a table still in use, nor one twice', () => {
    const r = new OutputRecycler();
    const live = table(4, 1);
    const old = { ...table(4, 2), scores: live.scores };
    r.retire(old, [live, undefined]);
    r.retire(old, [live]);
    expect(r.size).toBe(4);
    const handed = [r.f64(4), r.f64(4)];
    expect(handed).not.toContain(live.scores[0]);
    expect(handed).not.toContain(live.scores[1]);
    expect(handed[0]).not.toBe(handed[1]);
  });

  it('keeps at most `limit` arrays of each kind, and forgets them on clear()', () => {
    const r = new OutputRecycler(3);
    for (let k = 0; k < 4; k++) r.retire(table(3, k), []);
    expect(r.size).toBe(6);
    r.clear();
    expect(r.size).toBe(0);
  });
});

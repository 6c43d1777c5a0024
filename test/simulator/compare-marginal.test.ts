// A compare reports the leads that entered and left each stage, with their
// close rates and a paired 95% interval for the change in precision; each
// figure is checked against an independent count of the same CSV (and the
// interval against a bootstrap over the leads).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../cli/run.js';
import { readCsvRecords, seeded, wilsonRef } from '../support/independent.js';
import { pairedPrecisionDeltaCI } from '../../simulator/compare.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-compare-'));
const shared = join(new URL('../../', import.meta.url).pathname, '..', 'shared', 'data');
const xed = join(shared, 'x-education', 'Leads.csv');

const rules = (mql: number) => `ruleset "visits"
attribute TotalVisits: number
stages {
  MQL when TotalVisits >= ${mql}
  lead otherwise
}
`;

/** The paired interval written out again from the formula (Wilson + MOVER with the delta-method correlation). */
function moverRef(cw: number, cl: number, bw: number, bl: number, kw: number, kl: number): [number, number] {
  const nC = cw + cl;
  const nB = bw + bl;
  const pC = cw / nC;
  const pB = bw / nB;
  const [lC, uC] = wilsonRef(cw, nC);
  const [lB, uB] = wilsonRef(bw, nB);
  // covariance of the two precisions: the shared leads' (y - pC)(y - pB), summed, over nC nB
  let cov = 0;
  for (let i = 0; i < kw; i++) cov += (1 - pC) * (1 - pB);
  for (let i = 0; i < kl; i++) cov += (0 - pC) * (0 - pB);
  cov /= nC * nB;
  const r = cov / Math.sqrt(((pC * (1 - pC)) / nC) * ((pB * (1 - pB)) / nB));
  const d = pC - pB;
  return [d - Math.sqrt((pC - lC) ** 2 + (uB - pB) ** 2 - 2 * r * (pC - lC) * (uB - pB)), d + Math.sqrt((uC - pC) ** 2 + (pB - lB) ** 2 - 2 * r * (uC - pC) * (pB - lB))];
}

describe.skipIf(!existsSync(xed))('compare on X Education: the marginal leads', () => {
  it('entered/left leads, their close rates, and the paired interval match an independent count', async () => {
    const cur = join(dir, 'cur.lql');
    const base = join(dir, 'base.lql');
    writeFileSync(cur, rules(5));
    writeFileSync(base, rules(8));
    const args = ['--leads', xed, '--id', 'Prospect ID', '--outcome', 'Converted', '--missing', 'Select'];
    const r = await run(['simulate', cur, '--baseline', base, ...args, '--json']);
    expect(r.code, r.err).toBe(0);
    const mql = JSON.parse(r.out).delta.stages.find((s: { name: string }) => s.name === 'MQL');

    // independent: leads with 5 <= TotalVisits < 8 entered; none left
    const recs = readCsvRecords(xed);
    const tv = (x: Record<string, string>) => (x.TotalVisits === '' || x.TotalVisits === 'Select' ? NaN : Number(x.TotalVisits));
    const entered = recs.filter((x) => tv(x) >= 5 && tv(x) < 8);
    const won = entered.filter((x) => x.Converted === '1').length;
    const kept = recs.filter((x) => tv(x) >= 8);
    const keptWon = kept.filter((x) => x.Converted === '1').length;
    expect(mql.entered.leads).toBe(entered.length);
    expect(mql.entered.won).toBe(won);
    expect(mql.entered.lost).toBe(entered.length - won);
    expect(mql.entered.precision).toBeCloseTo(won / entered.length, 12);
    const [lo, hi] = wilsonRef(won, entered.length);
    expect(mql.entered.precisionCI[0]).toBeCloseTo(lo, 12);
    expect(mql.entered.precisionCI[1]).toBeCloseTo(hi, 12);
    expect(mql.left).toEqual({ leads: 0, won: 0, lost: 0, precision: null, precisionCI: null });
    const ref = moverRef(keptWon + won, kept.length - keptWon + entered.length - won, keptWon, kept.length - keptWon, keptWon, kept.length - keptWon);
    expect(mql.precisionDeltaCI[0]).toBeCloseTo(ref[0], 12);
    expect(mql.precisionDeltaCI[1]).toBeCloseTo(ref[1], 12);
    expect(mql.precisionDeltaCI[0]).toBeLessThan(mql.precision);
    expect(mql.precisionDeltaCI[1]).toBeGreaterThan(mql.precision);

    // a bootstrap over the leads (resampling the same leads scored twice) gives about the same interval
    const rnd = seeded(5);
    const kinds = recs.map((x) => (tv(x) >= 8 ? 2 : tv(x) >= 5 ? 1 : 0) * 2 + (x.Converted === '1' ? 1 : 0));
    const deltas: number[] = [];
    for (let b = 0; b < 400; b++) {
      const c = [0, 0, 0, 0, 0, 0];
      for (let i = 0; i < kinds.length; i++) c[kinds[Math.floor(rnd() * kinds.length)]!]!++;
      const pC = (c[3]! + c[5]!) / (c[2]! + c[3]! + c[4]! + c[5]!);
      const pB = c[5]! / (c[4]! + c[5]!);
      deltas.push(pC - pB);
    }
    deltas.sort((a, b) => a - b);
    expect(Math.abs(deltas[10]! - mql.precisionDeltaCI[0])).toBeLessThan(0.01);
    expect(Math.abs(deltas[389]! - mql.precisionDeltaCI[1])).toBeLessThan(0.01);

    // the human report words it as a user would
    const text = (await run(['simulate', cur, '--baseline', base, ...args])).out;
    const p = (x: number) => (100 * x).toFixed(1) + '%';
    expect(text).toContain(`MQL: the ${entered.length.toLocaleString('en-US')} added MQLs close at ${p(won / entered.length)} (95% CI ${p(lo)}–${p(hi)}).`);
    expect(text).toMatch(/Precision −\d+\.\d pts \(95% CI −\d+\.\d to −\d+\.\d pts, paired\)/);
  });
});

describe('compare on planted data: leads both enter and leave', () => {
  it('counts entered and left leads by hand, marks small samples, and the identical ruleset changes nothing', async () => {
    const rnd = seeded(21);
    const rows = ['id,outcome,a,b'];
    for (let i = 0; i < 600; i++) {
      const a = Math.floor(rnd() * 10);
      const b = Math.floor(rnd() * 10);
      const won = rnd() < 0.1 + a / 20;
      rows.push(`L${i},${won ? 'won' : 'lost'},${a},${b}`);
    }
    const leads = join(dir, 'ab.csv');
    writeFileSync(leads, rows.join('\n') + '\n');
    const mk = (cond: string) => `ruleset "ab"\nattribute a: number\nattribute b: number\nstages {\n  SQL when ${cond}\n  lead otherwise\n}\n`;
    const cur = join(dir, 'a.lql');
    const base = join(dir, 'b.lql');
    writeFileSync(cur, mk('a >= 9'));
    writeFileSync(base, mk('b >= 9'));
    const j = JSON.parse((await run(['simulate', cur, '--baseline', base, '--leads', leads, '--json'])).out);
    const sql = j.delta.stages[0];
    const recs = readCsvRecords(leads);
    const ent = recs.filter((x) => Number(x.a) >= 9 && Number(x.b) < 9);
    const left = recs.filter((x) => Number(x.a) < 9 && Number(x.b) >= 9);
    expect(sql.entered.leads).toBe(ent.length);
    expect(sql.entered.won).toBe(ent.filter((x) => x.outcome === 'won').length);
    expect(sql.left.leads).toBe(left.length);
    expect(sql.left.won).toBe(left.filter((x) => x.outcome === 'won').length);
    const both = recs.filter((x) => Number(x.a) >= 9 && Number(x.b) >= 9);
    const bw = both.filter((x) => x.outcome === 'won').length;
    const ew = sql.entered.won;
    const lw = sql.left.won;
    const ref = moverRef(bw + ew, both.length - bw + ent.length - ew, bw + lw, both.length - bw + left.length - lw, bw, both.length - bw);
    expect(sql.precisionDeltaCI[0]).toBeCloseTo(ref[0], 12);
    expect(sql.precisionDeltaCI[1]).toBeCloseTo(ref[1], 12);
    const text = (await run(['simulate', cur, '--baseline', base, '--leads', leads])).out;
    expect(text).toContain(`the ${ent.length} added SQLs close at`);
    expect(text).toContain(`the ${left.length} dropped SQLs closed at`);
    // fewer than 30 decided leads in `both` is not printed, but any group under 30 is flagged
    if (left.length < 30) expect(text).toContain(`a small sample: ${left.length} decided leads`);

    const same = JSON.parse((await run(['simulate', cur, '--baseline', cur, '--leads', leads, '--json'])).out);
    expect(same.delta.stages[0].entered.leads).toBe(0);
    expect(same.delta.stages[0].left.leads).toBe(0);
    expect(same.delta.stages[0].precisionDeltaCI).toEqual([0, 0]);
  });

  it('the interval holds the change and is null without decided leads', () => {
    expect(pairedPrecisionDeltaCI({ won: 0, lost: 0 }, { won: 3, lost: 4 }, { won: 0, lost: 0 }, true)).toBeNull();
    const ci = pairedPrecisionDeltaCI({ won: 30, lost: 10 }, { won: 20, lost: 20 }, { won: 20, lost: 10 }, true)!;
    expect(ci[0]).toBeLessThan(0.25);
    expect(ci[1]).toBeGreaterThan(0.25);
  });
});

// suggest --train-until learns the points as well as the thresholds on the
// earlier leads, and shows the suggested ruleset beside the current one on
// the later leads. The data is planted: "pro" leads win 4 times in 5, "free"
// leads 1 in 7, in every month; the current rules favour "free". So the
// learned ruleset must score "pro" up and "free" down, and on the later
// leads its MQLs are exactly the later "pro" leads, counted here by hand.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { run } from '../cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-train-until-'));
const DAY = 86_400_000;
const start = Date.UTC(2025, 0, 1);
const leads = Array.from({ length: 400 }, (_, k) => {
  const i = k + 1;
  const pro = i % 4 === 0;
  const won = pro ? i % 20 !== 0 : i % 7 === 1;
  return { id: `L${i}`, plan: pro ? 'pro' : 'free', won, created: start + k * DAY };
});
writeFileSync(
  join(dir, 'leads.csv'),
  ['id,outcome,created_at,plan', ...leads.map((l) => `${l.id},${l.won ? 'won' : 'lost'},${new Date(l.created).toISOString().slice(0, 10)},${l.plan}`)].join('\n') + '\n',
);
writeFileSync(join(dir, 'rules.lql'), 'attribute plan: text\nfit { +20 when plan == "free" }\nstages {\n  MQL when fit >= 20\n  lead otherwise\n}\n');

describe('suggest --train-until: learned points and thresholds, checked on later leads', () => {
  const cutIso = '2025-10-01';
  const cut = Date.parse(cutIso);
  const later = leads.filter((l) => l.created >= cut);
  const count = (ls: typeof leads) => ({ reached: ls.length, won: ls.filter((l) => l.won).length });

  it('JSON: the suggested ruleset reaches exactly the later "pro" leads', async () => {
    const r = await run(['suggest', join(dir, 'rules.lql'), '--leads', join(dir, 'leads.csv'), '--train-until', cutIso, '--precision', '0.7', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    // 2025-01-01 + 273 days = 2025-10-01: 273 earlier leads, 127 later ones
    expect(j.train.leads).toBe(273);
    expect(j.test.leads).toBe(127);
    // the points were learned: pro up, free down (the same suggestions as `learned`)
    const pts = Object.fromEntries(j.learned.attributes.map((a: { condition: string; points: number }) => [a.condition, a.points]));
    expect(pts['plan == "pro"']).toBeGreaterThan(0);
    expect(pts['plan == "free"']).toBeLessThan(0);
    expect(j.ruleset.replaced).toEqual(['fit']);
    // current rules on the later leads: the "free" ones
    expect(j.check.current).toMatchObject(count(later.filter((l) => l.plan === 'free')));
    // the suggested ruleset on the later leads: the "pro" ones, 80% precision by construction
    const pro = later.filter((l) => l.plan === 'pro');
    expect(j.ruleset.later).toMatchObject(count(pro));
    expect(j.ruleset.later.precision).toBeCloseTo(pro.filter((l) => l.won).length / pro.length, 12);
    expect(j.ruleset.goalMet).toBe(true);
    // and on the earlier leads it was fitted to
    const earlierPro = leads.filter((l) => l.created < cut && l.plan === 'pro');
    expect(j.ruleset.earlier).toMatchObject(count(earlierPro));
  });

  it('text: the suggested ruleset beside the current one', async () => {
    const r = await run(['suggest', join(dir, 'rules.lql'), '--leads', join(dir, 'leads.csv'), '--train-until', cutIso, '--precision', '0.7']);
    expect(r.code, r.err).toBe(0);
    const pro = later.filter((l) => l.plan === 'pro');
    const free = later.filter((l) => l.plan === 'free');
    const row = (label: string) => r.out.split('\n').find((l) => l.trimStart().startsWith(label)) ?? '';
    expect(row('current MQL')).toMatch(new RegExp(`^\\s+current MQL\\s+${free.length}\\s`));
    expect(row('learned points (fit)')).toMatch(new RegExp(`\\s${pro.length}\\s`));
    expect(r.out).toContain('The suggested ruleset has the learned points in place of the rules of fit, and thresholds learned for a precision of at least 70.0%. It meets that goal on the later leads.');
  });
});

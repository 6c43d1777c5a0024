// Per-week figures, days to stage, monthly rows, ROC AUC and lift tables in
// `simulate`, and the capacity goal of `suggest`: each checked against an
// independent computation over the same CSV (planted event history, and
// X Education, whose snapshot has no dates).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../cli/run.js';
import { aucRef, readCsvRecords, seeded } from '../support/independent.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-time-'));
const shared = join(new URL('../../', import.meta.url).pathname, '..', 'shared', 'data');
const xed = join(shared, 'x-education', 'Leads.csv');
const DAY = 86_400_000;

/** 300 leads created one a day from 2025-01-01; about half request a demo some days later. */
function planted() {
  const rnd = seeded(3);
  const leads = ['id,outcome,created_at,size'];
  const events = ['lead_id,type,at'];
  const t0 = Date.UTC(2025, 0, 1);
  const truth: { created: number; demo: number | null; won: boolean; size: number }[] = [];
  for (let i = 0; i < 300; i++) {
    const created = t0 + i * DAY;
    const demo = rnd() < 0.5 ? created + Math.floor(rnd() * 40) * DAY + 3_600_000 : null;
    const size = Math.floor(rnd() * 100);
    const won = rnd() < (demo ? 0.5 : 0.15) + size / 1000;
    truth.push({ created, demo, won, size });
    leads.push(`P${i},${won ? 'won' : 'lost'},${new Date(created).toISOString()},${size}`);
    if (demo) events.push(`P${i},demo,${new Date(demo).toISOString()}`);
    events.push(`P${i},visit,${new Date(created + DAY).toISOString()}`);
  }
  writeFileSync(join(dir, 'leads.csv'), leads.join('\n') + '\n');
  writeFileSync(join(dir, 'events.csv'), events.join('\n') + '\n');
  writeFileSync(
    join(dir, 'rules.lql'),
    `ruleset "planted"\nattribute size: number\nactivity demo, visit\nfit { +1 per size }\nengagement { +10 once demo }\nstages {\n  MQL when demo\n  lead otherwise\n}\n`,
  );
  return truth;
}

describe('time and ranking on planted event history', () => {
  const truth = planted();
  const args = [join(dir, 'rules.lql'), '--leads', join(dir, 'leads.csv'), '--events', join(dir, 'events.csv')];

  it('weeks, per week, median days to stage and monthly rows match a hand count', async () => {
    const r = await run(['simulate', ...args, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const times = truth.flatMap((t) => [t.created, t.created + DAY, ...(t.demo ? [t.demo] : [])]);
    const weeks = (Math.max(...times) - Math.min(...times)) / (7 * DAY);
    expect(j.weeks).toBeCloseTo(weeks, 9);
    const mql = j.stages[0];
    const demos = truth.filter((t) => t.demo !== null);
    expect(mql.reached).toBe(demos.length);
    expect(mql.perWeek).toBeCloseTo(demos.length / weeks, 9);
    const d = demos.map((t) => (t.demo! - t.created) / DAY).sort((a, b) => a - b);
    const med = d.length % 2 ? d[(d.length - 1) / 2]! : (d[d.length / 2 - 1]! + d[d.length / 2]!) / 2;
    expect(mql.medianDays).toBeCloseTo(med, 9);
    // monthly cohorts: January 2025 has 31 leads created
    expect(j.monthly.months.slice(0, 3)).toEqual(['2025-01', '2025-02', '2025-03']);
    expect(j.monthly.created[0]).toBe(31);
    const jan = demos.filter((t) => new Date(t.created).getUTCMonth() === 0 && new Date(t.created).getUTCFullYear() === 2025);
    expect(j.monthly.stages[0].reached[0]).toBe(jan.length);
    expect(j.monthly.stages[0].won[0]).toBe(jan.filter((t) => t.won).length);
    expect(j.monthly.created.reduce((a: number, b: number) => a + b, 0)).toBe(300);
    const text = (await run(['simulate', ...args])).out;
    expect(text).toMatch(new RegExp(`MQL +${demos.length} .* ${(demos.length / weeks).toFixed(1)} +${med.toFixed(1)}`));
  });

  it('ROC AUC with DeLong interval and the lift table match an independent computation', async () => {
    const j = JSON.parse((await run(['simulate', ...args, '--json'])).out);
    const fit = j.ranking.find((x: { name: string }) => x.name === 'fit');
    const ref = aucRef(truth.filter((t) => t.won).map((t) => t.size), truth.filter((t) => !t.won).map((t) => t.size));
    expect(fit.auc).toBeCloseTo(ref.auc, 12);
    expect(fit.aucCI[0]).toBeCloseTo(ref.lo, 12);
    expect(fit.aucCI[1]).toBeCloseTo(ref.hi, 12);
    // engagement takes two values (0, 10): two groups, the demo leads first
    const eng = j.ranking.find((x: { name: string }) => x.name === 'engagement');
    const demos = truth.filter((t) => t.demo !== null);
    expect(eng.deciles.length).toBe(2);
    expect(eng.deciles[0]).toMatchObject({ decile: 1, min: 10, max: 10, leads: demos.length, won: demos.filter((t) => t.won).length });
    // fit deciles: each holds about a tenth of the leads, ties kept together, highest first
    const byFit = [...truth].sort((a, b) => b.size - a.size);
    let at = 0;
    for (const row of fit.deciles) {
      const group = byFit.slice(at, at + row.leads);
      expect(group[0]!.size).toBe(row.max);
      expect(group.at(-1)!.size).toBe(row.min);
      expect(row.won).toBe(group.filter((t) => t.won).length);
      at += row.leads;
      if (at < byFit.length) expect(byFit[at]!.size).toBeLessThan(row.min);
      expect(at).toBeGreaterThanOrEqual(Math.floor((row.decile * 300) / 10));
    }
    expect(at).toBe(300);
  });

  it('--capacity uses the same weeks as simulate and says when the goal cannot be met', async () => {
    const sim = JSON.parse((await run(['simulate', ...args, '--json'])).out);
    const sug = JSON.parse((await run(['suggest', ...args, '--capacity', '1/week', '--json'])).out);
    expect(sug.thresholds.weeks).toBeCloseTo(sim.weeks, 12);
    // MQL is "demo": nothing to tune
    expect(sug.thresholds.verdict).toBe('The condition of MQL has no comparison of a score with a number to tune.');
    writeFileSync(join(dir, 'rules2.lql'), `ruleset "planted2"\nattribute size: number\nactivity demo, visit\nfit { +1 per size }\nengagement { +10 once demo }\nstages {\n  MQL when engagement >= 10 and fit >= 20\n  lead otherwise\n}\n`);
    const a2 = [join(dir, 'rules2.lql'), ...args.slice(1)];
    const no = await run(['suggest', ...a2, '--capacity', '0.01/week']);
    expect(no.out).toMatch(/The goal cannot be met: no setting tried keeps MQL at or under 0.01\/week\. The fewest is /);
    const ok = JSON.parse((await run(['suggest', ...a2, '--capacity', '2/week', '--json'])).out);
    expect(ok.thresholds.verdict).toMatch(/^Goal met: /);
    const all = [...ok.thresholds.sweeps.flatMap((s: { candidates: unknown[] }) => s.candidates), ...ok.thresholds.joint.candidates] as { reached: number; perWeek: number }[];
    for (const c of all) expect(c.perWeek).toBeCloseTo(c.reached / sim.weeks, 9);
    // the whole-condition sweep scales both thresholds: at factor 2 it is engagement >= 20 (no lead) 
    const f2 = ok.thresholds.joint.candidates.find((c: { threshold: number }) => c.threshold === 2);
    expect(f2.setting).toBe('engagement >= 20, fit >= 40');
    expect(f2.reached).toBe(0);
  });
});

describe('validation on later leads (planted history)', () => {
  const truth = planted();
  const args = [join(dir, 'leads.csv'), '--events', join(dir, 'events.csv')];

  it('simulate --split-at reports both periods, counted by hand', async () => {
    const r = await run(['simulate', join(dir, 'rules.lql'), '--leads', ...args, '--split-at', '2025-06-01', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const cut = Date.UTC(2025, 5, 1);
    const before = truth.filter((t) => t.created < cut);
    const after = truth.filter((t) => t.created >= cut);
    expect(before.length).toBe(31 + 28 + 31 + 30 + 31);
    expect([j.before.leads, j.after.leads, j.undated]).toEqual([before.length, after.length, 0]);
    for (const [rep, part] of [[j.before, before], [j.after, after]] as const) {
      const demo = part.filter((t) => t.demo !== null);
      expect(rep.stages[0]).toMatchObject({ name: 'MQL', reached: demo.length, won: demo.filter((t) => t.won).length });
      expect(rep.won).toBe(part.filter((t) => t.won).length);
    }
    const text = (await run(['simulate', join(dir, 'rules.lql'), '--leads', ...args, '--split-at', '2025-06-01'])).out;
    expect(text).toContain(`before: ${before.length} leads`);
    expect(text).toContain(`after : ${after.length} leads`);
    const bad = await run(['simulate', join(dir, 'rules.lql'), '--leads', ...args, '--split-at', '2030-01-01']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--split-at 2030-01-01: no lead was created on or after that date; pick an earlier one.');
  });

  it('suggest --train-until learns on earlier leads and checks the learned thresholds on later ones', async () => {
    writeFileSync(join(dir, 'rules3.lql'), `ruleset "planted3"\nattribute size: number\nactivity demo, visit\nfit { +1 per size }\nengagement { +10 once demo }\nstages {\n  MQL when engagement >= 10 and fit >= 20\n  lead otherwise\n}\n`);
    const r = await run(['suggest', join(dir, 'rules3.lql'), '--leads', ...args, '--train-until', '2025-08-01', '--precision', '0.6', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const cut = Date.UTC(2025, 7, 1);
    const train = truth.filter((t) => t.created < cut);
    const test = truth.filter((t) => t.created >= cut);
    expect(j.train).toEqual({ leads: train.length, decided: train.length });
    expect(j.test).toEqual({ leads: test.length, decided: test.length });
    // learned from the earlier leads only: the base rate is theirs
    expect(j.learned.baseRate).toBeCloseTo(train.filter((t) => t.won).length / train.length, 12);
    const count = (eng: number, fit: number) => {
      const m = test.filter((t) => (t.demo !== null ? 10 : 0) >= eng && t.size >= fit);
      return { reached: m.length, won: m.filter((t) => t.won).length };
    };
    expect(j.check.current).toMatchObject(count(10, 20));
    if (j.check.setting) {
      const eng = Number(/engagement >= (-?[\d.]+)/.exec(j.check.setting)?.[1] ?? 10);
      const fit = Number(/fit >= (-?[\d.]+)/.exec(j.check.setting)?.[1] ?? 20);
      expect(j.check.suggested).toMatchObject(count(eng, fit));
      const c = count(eng, fit);
      expect(j.check.goalMet).toBe(c.reached > 0 && c.won / c.reached >= 0.6);
    }
  });
});

describe.skipIf(!existsSync(xed))('a snapshot without dates', () => {
  it('X Education: no per-week figures, and --capacity says why', async () => {
    const base = ['examples/x-education/x-education.lql', '--leads', xed, '--id', 'Prospect ID', '--outcome', 'Converted', '--missing', 'Select'];
    const j = JSON.parse((await run(['simulate', ...base, '--json'])).out);
    expect(j.weeks).toBeNull();
    expect(j.weekly).toBeNull();
    expect(j.stages[0].perWeek).toBeNull();
    const text = (await run(['simulate', ...base])).out;
    expect(text).toContain('No per-week figures: the data has no dates');
    expect(text).not.toMatch(/\/week|per week:/);
    const s = await run(['suggest', ...base, '--capacity', '5/week']);
    expect(s.out).toContain('--capacity cannot be checked: the data has no dates');
    expect(s.out).not.toMatch(/\d\/week/);
    // AUC of a score that is just the time on site equals the column's own AUC
    writeFileSync(join(dir, 'time.lql'), 'ruleset "time"\nattribute `Total Time Spent on Website`: number\nfit { +1 per `Total Time Spent on Website` }\n');
    const t = JSON.parse((await run(['simulate', join(dir, 'time.lql'), ...base.slice(1), '--json'])).out);
    const recs = readCsvRecords(xed);
    const v = (x: Record<string, string>) => Number(x['Total Time Spent on Website']);
    const ref = aucRef(recs.filter((x) => x.Converted === '1').map(v), recs.filter((x) => x.Converted === '0').map(v));
    const fit = t.ranking.find((x: { name: string }) => x.name === 'fit');
    expect(fit.auc).toBeCloseTo(ref.auc, 12);
    expect(fit.aucCI[0]).toBeCloseTo(ref.lo, 12);
    expect(fit.aucCI[1]).toBeCloseTo(ref.hi, 12);
  });
});

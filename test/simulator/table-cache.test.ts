// Per-dictionary lookup tables are cached across kernels for the same data
// (what the playground does on every edit): rulesets whose text tests differ
// only in a flag, an operator or a literal must still get their own tables.
import { it, expect } from 'vitest';
import { compileSource } from '../../language/index.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import { scoreAll } from '../../simulator/simulate.js';

const csv = 'id,outcome,title,email\n1,won,VP Sales,a@Gmail.com\n2,lost,vp ops,b@corp.example\n3,lost,Head,c@gmail.com\n4,won,,d@x.example\n';
const leads = loadLeadsSync({ name: 'l.csv', text: csv }, { types: { title: 'text', email: 'text' } });
const variants = [
  'fit { +10 when title matches /vp/i }',
  'fit { +10 when title matches /vp/ }',
  'fit { +10 when title matches /VP/ }',
  'fit { +10 when title contains "vp" }',
  'fit { +10 when title starts with "vp" }',
  'fit { +10 when lower(title) == "vp ops" }',
  'fit { +10 when lower(title) != "vp ops" }',
  'fit { +10 when domain(email) in ["gmail.com"] }',
  'fit { +10 when domain(email) in ["corp.example", "x.example"] }',
  'fit { +10 when title matches /vp/i }',
];

it('each variant scores as the object scorer does, on the same table', () => {
  const seen = new Set<string>();
  for (const v of variants) {
    const src = `attribute title: text\nattribute email: text\n${v}\n`;
    const ir = compileSource(src).ir!;
    const rows = scoreAll(ir, leads, null, { asOf: 0 });
    const scorer = compileScorer(ir);
    const lines = csv.trim().split('\n').slice(1).map((l) => l.split(','));
    const want = lines.map(([, , title, email]) => scorer.score({ title, email }, [], 0).scores.fit);
    expect(rows.map((r) => r.scores.fit), v).toEqual(want);
    seen.add(want.join());
  }
  expect(seen.size).toBeGreaterThanOrEqual(5); // the variants really differ
});

it('rulesets that differ only in thresholds share kernel code but not results', async () => {
  const { compileKernel } = await import('../../simulator/kernel/emit-kernel.js');
  const src = (k: number, b: number) => `attribute n: number\nfit { +10 when n >= ${k} }\nband g from fit { A >= ${b}, B otherwise }\nstages { S when fit >= ${b}, base otherwise }\n`;
  const data = loadLeadsSync({ name: 'n.csv', text: 'id,outcome,n\n1,won,5\n2,lost,15\n3,lost,\n' }, { types: { n: 'number' } });
  const irs = [src(10, 5), src(1, 5), src(10, 20)].map((t) => compileSource(t).ir!);
  expect(compileKernel(irs[0]!).source).toBe(compileKernel(irs[1]!).source);
  const got = irs.map((ir) => scoreAll(ir, data, null, { asOf: 0 }).map((r) => `${r.scores.fit}/${r.bands.g}/${r.stage}`));
  expect(got).toEqual([
    ['0/B/base', '10/A/S', '0/B/base'], // n >= 10: only lead 2; band A at fit >= 5
    ['10/A/S', '10/A/S', '0/B/base'], // n >= 1: leads 1 and 2; missing n never matches
    ['0/B/base', '10/B/base', '0/B/base'], // band and stage need fit >= 20
  ]);
});

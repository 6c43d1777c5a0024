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

// Hostile names and strings through the whole pipeline, from LQL source:
// backticked attribute names like `__proto__` and `constructor`, quotes,
// backslashes, `</script>`, U+2028 and `${` in names, list items, route
// actions and the ruleset name. The interpreter, the compiled scorer, the
// exported module and the simulator (CSV with the same column names) must
// all read them as ordinary data and agree; nothing may reach Object.prototype.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { compileSource } from '../../language/index.js';
import { interpret } from '../../language/interpret/index.js';
import { compileScorer, emitModule } from '../../language/compile/emit-js.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import { scoreAll } from '../../simulator/simulate.js';

const HOSTILE = ['__proto__', 'constructor', 'prototype', 'a"b', 'back\\slash', '</script><script>alert(1)</script>', 'line\u2028sep', '${process.exit(1)}', "it's"];

function lqlString(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

function source(): string {
  const attrs = HOSTILE.filter((h) => !h.includes('`') && !h.includes('\n'));
  const lines = [`ruleset ${lqlString('R </script> \u2028 ${x}')}`];
  attrs.forEach((a, i) => lines.push(`attribute \`${a}\`: text`, `segment s${i} = \`${a}\` == ${lqlString(a)}`));
  lines.push(`list L = [${HOSTILE.map(lqlString).join(', ')}]`);
  lines.push(`fit {\n${attrs.map((_, i) => `  +${i + 1} when s${i}`).join('\n')}\n  +100 when \`__proto__\` in L\n}`);
  lines.push(`stages {\n  \`toString\` when fit >= 3\n  \`hasOwnProperty\` otherwise\n}`);
  lines.push(`route {\n${HOSTILE.map((h) => `  ${lqlString(h)} when \`${attrs[0]}\` == ${lqlString(h)}`).join('\n')}\n  "none" otherwise\n}`);
  return lines.join('\n') + '\n';
}

describe('hostile names and strings', () => {
  const src = source();
  const r = compileSource(src);

  it('check without errors', () => {
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('interpreter, compiled scorer and exported module agree and read own properties only', async () => {
    const scorer = compileScorer(r.ir!);
    const dir = mkdtempSync(join(tmpdir(), 'lql-sec-'));
    const mod = join(dir, 'm.mjs');
    writeFileSync(mod, emitModule(r.ir!, { format: 'esm', compilerVersion: 'test' }));
    const m = await import(pathToFileURL(mod).href);
    const leads: Record<string, unknown>[] = [
      {},
      JSON.parse('{"__proto__": "__proto__", "constructor": "constructor"}'),
      Object.fromEntries(HOSTILE.map((h) => [h, h])),
      { 'a"b': 'nope', '</script><script>alert(1)</script>': '</script><script>alert(1)</script>' },
    ];
    for (const lead of leads) {
      const want = interpret(r.program, r.checked.attributeTypes, lead, [], 0, src);
      const got = scorer.score(lead, [], 0);
      const viaModule = m.score(lead, [], 0);
      expect(got.scores.fit).toBe(want.scores.fit);
      expect(viaModule.scores.fit).toBe(want.scores.fit);
      expect(got.stage).toBe(want.stage);
      expect(got.route).toBe(want.route);
      expect(viaModule.route).toBe(want.route);
    }
    // An inherited property is not an attribute: an empty lead matches nothing
    expect(scorer.score({}, [], 0).scores.fit).toBe(0);
    expect(scorer.score({}, [], 0).stage).toBe('hasOwnProperty');
    // the lead with every hostile value hits every rule, and the list rule
    const all = scorer.score(leads[2]!, [], 0);
    expect(all.scores.fit).toBe(100 + (HOSTILE.length * (HOSTILE.length + 1)) / 2);
    expect(all.stage).toBe('toString');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('fit');
  });

  it('the simulator reads a CSV with the same column names and agrees', () => {
    const cols = HOSTILE.filter((h) => !h.includes('\u2028'));
    const q = (s: string) => '"' + s.replace(/"/g, '""') + '"';
    const csv = ['id,outcome,' + cols.map(q).join(','), '1,won,' + cols.map(q).join(','), '2,lost,' + cols.map(() => 'x').join(',')].join('\n');
    const leads = loadLeadsSync({ name: 'hostile.csv', text: csv }, { types: Object.fromEntries(cols.map((c) => [c, 'text'])) as never });
    const rows = scoreAll(r.ir!, leads, null, { asOf: 0 });
    const scorer = compileScorer(r.ir!);
    for (const row of rows) {
      const lead = Object.fromEntries(cols.map((c) => [c, row.id === '1' ? c : 'x']));
      const want = scorer.score(lead, [], 0);
      expect(row.scores.fit).toBe(want.scores.fit);
      expect(row.stage).toBe(want.stage);
      expect(row.route).toBe(want.route);
    }
  });
});

describe('catastrophic regular expressions', () => {
  it('back-references and look-arounds are rejected when checking, with a code and place', () => {
    const r = compileSource('segment s = t matches /(a)\\1/\nsegment u = t matches /(?=a)b/\nfit { +1 when s or u }');
    expect(r.diagnostics.filter((d) => d.code === 'LQL304').map((d) => `${d.range.start.line}:${d.range.start.column}`)).toEqual(['1:23', '2:23']);
  });

  it('(a+)+$ on a long value finishes in every engine (linear time)', () => {
    const src = 'attribute t: text\nfit { +1 when t matches /(a+)+$/ }\n';
    const r = compileSource(src);
    const value = 'a'.repeat(30_000) + '!';
    const lead = { t: value };
    expect(interpret(r.program, r.checked.attributeTypes, lead, [], 0).scores.fit).toBe(0);
    expect(compileScorer(r.ir!).score(lead, [], 0).scores.fit).toBe(0);
    const leads = loadLeadsSync({ name: 'long.csv', text: `id,outcome,t\n1,won,${value}\n2,lost,aaa\n` }, { types: { t: 'text' } });
    const rows = scoreAll(r.ir!, leads, null, { asOf: 0 });
    expect(rows.map((x) => x.scores.fit)).toEqual([0, 1]);
  });
});

// The parser's trees, pinned: for the examples, the case corpus, the lql
// snippets of the docs and a fixed sample of generated rulesets, the AST
// (with every range), the comments and the diagnostics hash to the values in
// golden/trees.json, written from the earlier two-path parser (a hand-written
// parser for error-free text, chevrotain otherwise) that the one chevrotain
// parser replaced: for valid text it builds the same trees. A change of
// tree shows as a changed hash for that input;
// `UPDATE_GOLDEN=1 npx vitest run test/language/parse-golden.test.ts` rewrites the file (for a deliberate change of the tree, checked by hand).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from '../../language/syntax/parser.js';
import { arbRuleset } from '../support/gen-ruleset.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const GOLDEN = new URL('test/language/golden/trees.json', root);

function inputs(): Record<string, string> {
  const out: Record<string, string> = {};
  out['spec/acme.lql'] = readFileSync(new URL('../shared/spec/examples/acme.lql', root), 'utf8');
  for (const f of readdirSync(new URL('examples/', root), { recursive: true }).map(String).filter((f) => f.endsWith('.lql')).sort()) {
    out[`examples/${f}`] = read(`examples/${f}`);
  }
  for (const f of readdirSync(new URL('test/cases/', root)).filter((f) => f.endsWith('.lql')).sort()) out[`cases/${f}`] = read(`test/cases/${f}`);
  const docs = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  for (const d of docs) {
    const blocks = [...read(d).matchAll(/```lql\n([\s\S]*?)```/g)];
    blocks.forEach((m, i) => {
      out[`${d}#${i}`] = m[1] ?? '';
    });
  }
  fc.sample(arbRuleset, { seed: 12, numRuns: 150 }).forEach((text, i) => {
    out[`generated/${i}`] = text;
  });
  return out;
}

function treeHash(text: string): string {
  const { program, diagnostics } = parse(text);
  const tree = JSON.stringify({ program, diagnostics: diagnostics.map((d) => [d.code, d.message, d.range]) });
  return createHash('sha256').update(tree).digest('hex').slice(0, 16);
}

describe('parser trees (golden)', () => {
  const all = inputs();
  it('covers the examples, the corpus, the docs and generated rulesets', () => {
    const names = Object.keys(all);
    expect(names.filter((n) => n.startsWith('cases/')).length).toBeGreaterThan(40);
    expect(names.filter((n) => n.startsWith('examples/')).length).toBeGreaterThan(3);
    expect(names.filter((n) => n.startsWith('generated/')).length).toBe(150);
  });

  it('builds the pinned tree for every input', () => {
    const got = Object.fromEntries(Object.entries(all).map(([name, text]) => [name, treeHash(text)]));
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, JSON.stringify(got, null, 1) + '\n');
    const want = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, string>;
    expect(got).toEqual(want);
  });
});

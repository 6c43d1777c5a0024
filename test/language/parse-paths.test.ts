// The two parse paths build the same tree: error-free text goes through the
// direct scanner and parser, anything else through chevrotain with recovery.
// On valid programs (generated, the examples, and layout variations) and on
// mutated ones, `parse(text)` equals `parse(text, { path: 'chevrotain' })`:
// same AST with the same ranges, same diagnostics, same comments.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from '../../language/syntax/parser.js';
import { arbRuleset } from '../support/gen-ruleset.js';

const root = new URL('../../', import.meta.url);
const examples = [
  readFileSync(new URL('../shared/spec/examples/acme.lql', root), 'utf8'),
  ...readdirSync(new URL('examples/', root), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.lql'))
    .map((f) => readFileSync(new URL(`examples/${f}`, root), 'utf8')),
  ...readdirSync(new URL('test/cases/', root))
    .filter((f) => f.endsWith('.lql'))
    .map((f) => readFileSync(new URL(`test/cases/${f}`, root), 'utf8')),
];

function same(text: string): void {
  const a = parse(text);
  const b = parse(text, { path: 'chevrotain' });
  expect(a.diagnostics).toEqual(b.diagnostics);
  expect(a.program).toEqual(b.program);
  expect(a.tokens.map((t) => [t.tokenType.name, t.image, t.startOffset])).toEqual(b.tokens.map((t) => [t.tokenType.name, t.image, t.startOffset]));
}

describe('direct parser == chevrotain parser', () => {
  it('on the examples and the case corpus', () => {
    expect(examples.length).toBeGreaterThan(10);
    for (const text of examples) same(text);
  });

  it('on generated rulesets', () => {
    fc.assert(fc.property(arbRuleset, same), { numRuns: 300 });
  });

  it('on layout variations: CRLF, tabs, comments, blank lines', () => {
    const variants = (t: string) => [t.replace(/\n/g, '\r\n'), t.replace(/  /g, '\t'), t.replace(/\n/g, ' # c\n'), t.replace(/\n/g, '\n\n')];
    for (const text of examples.slice(0, 5)) for (const v of variants(text)) same(v);
  });

  it('on mutated programs (valid or not)', () => {
    const acme = examples[0];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: acme.length - 1 }), fc.integer({ min: 0, max: 12 }), fc.string({ maxLength: 4 }), (at, len, ins) => {
        same(acme.slice(0, at) + ins + acme.slice(at + len));
      }),
      { numRuns: 300 },
    );
  });
});

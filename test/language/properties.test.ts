// Properties of the whole language pipeline on random input: the front end
// never throws, generated rulesets are valid, and the compiled scorer gives
// exactly what the reference interpreter gives.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { compileSource, parse, check } from '../../language/index.js';
import { interpret } from '../../language/interpret/index.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import { arbRuleset, arbCase } from '../support/gen-ruleset.js';

const acme = readFileSync(new URL('../../../shared/spec/examples/acme.lql', import.meta.url), 'utf8');

describe('the front end never throws', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const r = compileSource(text);
        expect(Array.isArray(r.diagnostics)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('on text made of LQL tokens in random order', () => {
    const tokens = ['segment', 'x', '=', 'when', '+10', 'fit', '{', '}', 'and', 'or', 'not', '(', ')', 'in', '[', ']', '"a"', '5', 'days', 'per', 'count', 'stages', 'otherwise', 'band', 'from', '>=', '==', 'matches', '/a/i', ',', 'test', 'expect', 'lead', ':', 'at', '2026-01-01', 'route', 'score', 'decay', 'half-life', '`a b`', '#c\n', '\n'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 60 }), (ts) => {
        const r = compileSource(ts.join(' '));
        expect(Array.isArray(r.diagnostics)).toBe(true);
        for (const d of r.diagnostics) expect(d.code).not.toBe('LQL111');
      }),
      { numRuns: 1000 },
    );
  });

  it('on mutations of a valid program (deletions, insertions, swaps)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: acme.length - 1 }), fc.integer({ min: 1, max: 40 }), fc.string({ maxLength: 5 }), (at, len, ins) => {
        const mutated = acme.slice(0, at) + ins + acme.slice(at + len);
        const p = parse(mutated);
        const c = check(p.program);
        expect(Array.isArray(c.diagnostics)).toBe(true);
        for (const d of [...p.diagnostics, ...c.diagnostics]) {
          expect(d.range.start.line).toBeGreaterThanOrEqual(1);
          expect(d.range.start.column).toBeGreaterThanOrEqual(1);
          expect(d.message).not.toMatch(/Expecting|token of type|MismatchedToken|NoViableAlt/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('generated rulesets', () => {
  it('check without errors', () => {
    fc.assert(
      fc.property(arbRuleset, (src) => {
        const r = compileSource(src);
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        expect(errors.map((e) => `${e.code} ${e.range.start.line}:${e.range.start.column} ${e.message}`), src).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('compiled scorer == reference interpreter on random leads and events', () => {
    fc.assert(
      fc.property(arbCase, ({ source, lead, events, asOf }) => {
        const r = compileSource(source);
        expect(r.ir).not.toBeNull();
        const want = interpret(r.program, r.checked.attributeTypes, lead, events, asOf, source);
        const got = compileScorer(r.ir!).score(lead, events, asOf);
        expect(got.stage).toBe(want.stage);
        expect(got.route).toBe(want.route);
        expect({ ...got.bands }).toEqual({ ...want.bands });
        expect({ ...got.reached }).toEqual({ ...want.reached });
        for (const k of Object.keys(want.scores)) expect(got.scores[k]).toBeCloseTo(want.scores[k]!, 9);
        expect(got.reasons.map((x) => [x.score, x.line])).toEqual(want.reasons.map((x) => [x.score, x.line]));
      }),
      { numRuns: 400 },
    );
  });
});

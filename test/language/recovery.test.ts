// Error recovery: one error per mistake, at the place it was typed, naming
// the nearest fix, and no cascade into unrelated errors. Each ruleset below
// is valid except for the one mistake, so every other diagnostic would be a
// cascade. Recovered trees have no missing parts (no `undefined` anywhere).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../language/index.js';
import { parse } from '../../language/syntax/parser.js';

const HEAD = 'attribute industry: text\nattribute employees: number\nactivity demo_request, webinar\n';
const TAIL = 'engagement {\n  +5 per demo_request\n  +3 once webinar\n}\nstages {\n  MQL when fit >= 10\n  lead otherwise\n}\n';

/** The errors of a ruleset, as `line:column message`. */
function errors(text: string): string[] {
  return compileSource(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`);
}

describe('one error per mistake, with the nearest fix', () => {
  it('the ruleset without the mistake has no error (so any other error below is a cascade)', () => {
    expect(errors(`${HEAD}fit {\n  +10 when industry == "x"\n  +5 when employees > 10\n}\n${TAIL}`)).toEqual([]);
  });

  it('`whn` after the points: did you mean `when`, and the rule is still read', () => {
    expect(errors(`${HEAD}fit {\n  +10 whn industry == "x"\n  +5 when employees > 10\n}\n${TAIL}`)).toEqual([
      '5:7 Expected `when`, `per` or `once` here, but found `whn`. Did you mean `when`?',
    ]);
    const fit = parse(`${HEAD}fit {\n  +10 whn industry == "x"\n}\n`).program.decls[3];
    expect(fit).toMatchObject({ kind: 'ScoreBlock', items: [{ kind: 'WhenRule', points: { value: 10 }, cond: { kind: 'Compare', op: '==' } }] });
  });

  it('`+5 if ...` (a word from other languages): did you mean `when`', () => {
    expect(errors(`${HEAD}fit {\n  +10 when industry == "x"\n  +5 if employees > 10\n}\n${TAIL}`)).toEqual([
      '6:6 Expected `when`, `per` or `once` here, but found `if`. Did you mean `when`?',
    ]);
  });

  it('`onse`: did you mean `once`, read as a once rule', () => {
    const text = `${HEAD}fit {\n  +10 when industry == "x"\n}\nengagement {\n  +5 per demo_request\n  +3 onse webinar\n}\nstages {\n  MQL when fit >= 10\n  lead otherwise\n}\n`;
    expect(errors(text)).toEqual(['9:6 Expected `when`, `per` or `once` here, but found `onse`. Did you mean `once`?']);
    const eng = parse(text).program.decls[4];
    expect(eng).toMatchObject({ items: [{ kind: 'PerRule' }, { kind: 'OnceRule', target: { text: 'webinar' } }] });
  });

  it('`andd` is reported where it is typed, as `and`', () => {
    expect(errors(`${HEAD}segment big = employees > 100 andd industry == "x"\nfit {\n  +10 when big\n}\n${TAIL}`)).toEqual([
      '4:31 Unexpected `andd`: a new declaration was expected here. Did you mean `and`?',
    ]);
  });

  it('a misspelt `when` or `otherwise` in stages: one error, the stages still read', () => {
    const fit = 'fit {\n  +10 when industry == "x"\n}\n';
    const eng = 'engagement {\n  +5 per demo_request\n  +3 once webinar\n}\n';
    expect(errors(`${HEAD}${fit}${eng}stages {\n  MQL whn fit >= 10\n  lead otherwise\n}\n`)).toEqual([
      '12:7 Expected `when` or `otherwise` here, but found `whn`. Did you mean `when`?',
    ]);
    expect(errors(`${HEAD}${fit}${eng}stages {\n  MQL when fit >= 10\n  lead othrwise\n}\n`)).toEqual([
      '13:8 Expected `when` or `otherwise` here, but found `othrwise`. Did you mean `otherwise`?',
    ]);
  });

  it('a misspelt declaration keyword: the next declarations are still read', () => {
    expect(
      errors(
        `${HEAD}fit {\n  +10 when industry == "x"\n}\nengagment {\n  +5 per demo_request\n  +3 once webinar\n}\nstages {\n  MQL when fit >= 10\n  lead otherwise\n}\n`,
      ),
    ).toEqual(['7:1 Unexpected `engagment`: a new declaration was expected here. Did you mean `engagement`?']);
  });

  it('a missing `}`: one error where the next declaration starts', () => {
    expect(errors(`${HEAD}fit {\n  +10 when industry == "x"\n\n${TAIL}`)).toEqual(['7:1 Expected } here, but found `engagement`.']);
  });

  it('a word that is no keyword gets no made-up suggestion', () => {
    expect(errors(`${HEAD}fit {\n  +10 demo_request\n}\n${TAIL}`)).toEqual([
      '5:7 Expected `when`, `per` or `once` after the points, but found `demo_request`.',
    ]);
  });
});

describe('text nested beyond any limit', () => {
  it('5,000 parentheses: LQL106 (nested too deeply), not an internal error', () => {
    const r = compileSource(`attribute x: number\nfit { +1 when ${'('.repeat(5000)}x > 1${')'.repeat(5000)} }\n`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LQL106']);
    expect(r.diagnostics[0]!.message).toContain('at most 200');
    expect(r.diagnostics[0]!.range.start.line).toBe(2);
  });
});

describe('recovered trees are complete', () => {
  const acme = readFileSync(new URL('../../../shared/spec/examples/acme.lql', import.meta.url), 'utf8');

  /** paths of `undefined` values in a tree, and of nodes without a valid range */
  function holes(node: unknown, path = '', out: string[] = []): string[] {
    if (node === undefined) out.push(path);
    if (!node || typeof node !== 'object') return out;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) holes(node[i], `${path}[${i}]`, out);
      return out;
    }
    const n = node as { kind?: string; range?: { start: { line: number; column: number } } };
    if (n.kind && n.kind !== 'Program' && !(n.range && n.range.start.line >= 1 && n.range.start.column >= 1)) out.push(`${path}.range`);
    for (const [k, v] of Object.entries(node)) holes(v, `${path}.${k}`, out);
    return out;
  }

  it('on mutations of a valid ruleset: no undefined part, every node has a range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: acme.length - 1 }), fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 5 }), (at, len, ins) => {
        const { program } = parse(acme.slice(0, at) + ins + acme.slice(at + len));
        expect(holes(program)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});

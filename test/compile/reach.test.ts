// Reachable score ranges and LQL406 (a band label or stage no lead can
// reach). Every expected range below is added up by hand from the rules.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileSource } from '../../language/index.js';
import { scoreRanges } from '../../language/compile/reach.js';

function ranges(src: string): Record<string, [number, number]> {
  const r = compileSource(src);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return Object.fromEntries([...scoreRanges(r.ir!)].map(([k, v]) => [k, [v.lo, v.hi]]));
}

function warnings(src: string): string[] {
  return compileSource(src)
    .diagnostics.filter((d) => d.code === 'LQL406')
    .map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`);
}

const HEAD = 'attribute industry: text\nattribute employees: number\nattribute title: text\nattribute budget: number\nactivity visit, demo\n';

describe('score ranges', () => {
  it('when rules on different values of one attribute never add together', () => {
    // industry: at most one of +30 / +20 / +15; the title rule adds 10 to any: max 30 + 10; min -50
    const r = ranges(
      HEAD +
        'fit {\n +30 when industry == "fs" and employees >= 5000\n +20 when industry == "services" and employees < 100\n +15 when industry == "manufacturing"\n +10 when title matches /vp/i\n -50 when title == "student"\n}\n',
    );
    expect(r.fit).toEqual([-50, 40]);
  });

  it('number bounds exclude each other; an or requires nothing', () => {
    // employees >= 5000 and employees < 100 never together: 30 or 20, plus 5 (an `or` needs nothing) = 35
    expect(ranges(HEAD + 'fit {\n +30 when employees >= 5000\n +20 when employees < 100\n +5 when employees < 50 or industry == "x"\n}\n').fit).toEqual([0, 35]);
    // `>= 100` and `<= 100` meet at 100: both add
    expect(ranges(HEAD + 'fit {\n +30 when employees >= 100\n +20 when employees <= 100\n}\n').fit).toEqual([0, 50]);
    // `> 100` and `<= 100` do not
    expect(ranges(HEAD + 'fit {\n +30 when employees > 100\n +20 when employees <= 100\n}\n').fit).toEqual([0, 30]);
    // in-lists: ["a", "b"] and ["b", "c"] share b: both add; ["a"] and ["c"] do not
    expect(ranges(HEAD + 'fit {\n +7 when industry in ["a", "b"]\n +5 when industry in ["b", "c"]\n +3 when industry == "c"\n}\n').fit).toEqual([0, 12]);
  });

  it('activity rules: once adds at most its points, per needs a max, decay never raises', () => {
    // +15 once, +2 per visit max 20, -30 once demo: [-30, 35]
    expect(ranges(HEAD + 'engagement {\n +15 once demo\n +2 per visit, max 20\n -30 once visit\n decay half-life 30 days\n}\n').engagement).toEqual([-30, 35]);
    // +2 per visit with no max is unbounded above
    expect(ranges(HEAD + 'engagement {\n +2 per visit\n}\n').engagement).toEqual([0, Infinity]);
    // +1 per budget (an attribute) is unbounded both ways unless max
    expect(ranges(HEAD + 'score s {\n +1 per budget, max 10\n}\n').s).toEqual([-10, 10]);
  });

  it('derived scores by interval arithmetic', () => {
    const r = ranges(HEAD + 'fit {\n +30 when industry == "a"\n -10 when industry == "b"\n}\nengagement {\n +40 once demo\n}\nscore total = fit + engagement\nscore diff = fit - 2 * engagement\n');
    expect(r.fit).toEqual([-10, 30]);
    expect(r.total).toEqual([-10, 70]);
    // fit - 2 * engagement: [-10 - 80, 30 - 0]
    expect(r.diff).toEqual([-90, 30]);
  });
});

describe('LQL406', () => {
  it('ACME: grade A needs fit >= 50, the most fit can reach is 40', () => {
    const src = readFileSync(new URL('../../examples/acme.lql', import.meta.url), 'utf8');
    const line = src.split('\n').findIndex((l) => l.startsWith('band grade')) + 1;
    const col = src.split('\n')[line - 1]!.indexOf('A >=') + 1;
    expect(warnings(src)).toEqual([
      `${line}:${col} Label \`A\` of band \`grade\` can never be reached: it needs fit >= 50, but the most fit can reach is 40 (\`+30 when enterprise_finance\`, \`+10 when decision_maker\`).`,
    ]);
  });

  it('a low label that the score never falls to, and a stage out of reach', () => {
    const src = HEAD + 'score s {\n +20 when industry == "a"\n +5 once demo\n}\nscore base = s + 10\nband b from base { high >= 30, low otherwise }\nband c from base { top >= 60, mid >= 5, none otherwise }\nstages {\n SQL when base >= 40\n MQL when base >= 20\n lead otherwise\n}\n';
    // s in [0, 25], base = s + 10 in [10, 35]: `top >= 60` never; `none` (below 5) never; SQL needs base >= 40
    expect(warnings(src)).toEqual([
      '12:20 Label `top` of band `c` can never be reached: it needs base >= 60, but the most base can reach is 35.',
      '12:41 Label `none` of band `c` can never be reached: it needs base < 5, but base is never below 10.',
      '14:2 Stage `SQL` can never be reached: it needs base >= 40, but the most base can reach is 35.',
    ]);
  });

  it('a stage whose own condition is out of reach is still reached through a stage above it', () => {
    // MQL needs fit >= 50 (fit reaches 30 at most), but SQL (fit >= 20) reaches MQL too: no warning
    expect(warnings(HEAD + 'fit {\n +30 when industry == "a"\n}\nstages {\n SQL when fit >= 20\n MQL when fit >= 50\n lead otherwise\n}\n')).toEqual([]);
    // both out of reach: both are named
    expect(warnings(HEAD + 'fit {\n +30 when industry == "a"\n}\nstages {\n SQL when fit >= 40\n MQL when fit >= 50\n lead otherwise\n}\n')).toEqual([
      '10:2 Stage `SQL` can never be reached: it needs fit >= 40, but the most fit can reach is 30 (`+30 when industry == "a"`).',
      '11:2 Stage `MQL` can never be reached: it needs fit >= 50, but the most fit can reach is 30 (`+30 when industry == "a"`).',
    ]);
  });

  it('nothing when every label can be reached', () => {
    expect(warnings(HEAD + 'fit {\n +30 when industry == "a"\n +25 when title == "vp"\n}\nband g from fit { A >= 50, B >= 30, C otherwise }\n')).toEqual([]);
  });
});

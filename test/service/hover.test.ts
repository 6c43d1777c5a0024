// Hover, tested with cursor markers: `$0` is where the mouse rests.
import { describe, expect, it } from 'vitest';
import { getHover, type ServiceContext } from '../../language/service/index.js';
import { at } from './cursor.js';

const SRC = `attribute employees: number
activity web_visit
segment big = employees >= 500
fit {
  +30 when big
  -10 when industry == "retail"
}
engagement {
  +2 per web_visit, max 20
}
score total = fit + engagement
band grade from fit { A >= 30, B otherwise }
`;

function hoverAt(fixture: string, ctx: ServiceContext = {}): string | null {
  const { text, offset } = at(fixture);
  return getHover(text, offset, ctx)?.contents.value ?? null;
}

const mark = (needle: string, src = SRC, occurrence = 1): string => {
  let i = -1;
  for (let k = 0; k < occurrence; k++) i = src.indexOf(needle, i + 1);
  return src.slice(0, i + 1) + '$0' + src.slice(i + 1);
};

describe('hover', () => {
  it("a column: type, distinct values, fill rate and samples from the data", () => {
    const ctx: ServiceContext = { columns: [{ name: 'industry', type: 'text', distinct: 14, fillRate: 0.82, samples: ['finance', 'retail'] }] };
    const h = hoverAt(mark('industry'), ctx)!;
    expect(h).toContain('**industry**');
    expect(h).toContain('read from the data');
    expect(h).toContain('14 distinct values');
    expect(h).toContain('82% filled');
    expect(h).toContain('`retail`');
  });

  it('a declared attribute: its type and declaration line', () => {
    expect(hoverAt(mark('employees >='))).toContain('attribute (number), declared at line 1');
  });

  it("a score: kind, rules and last run's distribution", () => {
    const ctx: ServiceContext = { scoreStats: [{ name: 'fit', min: -10, max: 30, mean: 12.5, median: 10, leads: 1000 }] };
    const h = hoverAt(mark('fit +'), ctx)!;
    expect(h).toContain('profile score (fit), 2 rules; declared at line 4');
    expect(h).toContain('Last run (1,000 leads): min -10 · median 10 · mean 12.5 · max 30');
    expect(hoverAt(mark('total'))).toContain('derived score = `fit + engagement`');
  });

  it("a rule's points and its statistics from the last run", () => {
    const ctx: ServiceContext = { ruleStats: [{ line: 5, fired: 1234, closeRate: 0.183 }] };
    const h = hoverAt(mark('+30'), ctx)!;
    expect(h).toContain('**+30** points');
    expect(h).toContain('`+30 when big`');
    expect(h).toContain('fired for 1,234 leads; 18% of them closed');
  });

  it('a segment, a band, an activity: kind and declaration line', () => {
    expect(hoverAt(mark('big\n'))).toContain('segment, declared at line 3');
    expect(hoverAt(mark('big\n'))).toContain('`employees >= 500`');
    expect(hoverAt(mark('grade'))).toContain('Labels: A >= 30, B otherwise');
    expect(hoverAt(mark('web_visit,'))).toContain('activity (event type), declared at line 2');
  });

  it("a keyword's one-line doc", () => {
    expect(hoverAt(mark('when'))).toContain('N points if the condition holds');
    expect(hoverAt(mark('max'))).toContain('at most M points');
  });

  it('nothing over punctuation or blank space', () => {
    expect(hoverAt('fit {  $0  }')).toBeNull();
  });
});

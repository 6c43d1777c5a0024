// Completion, tested with cursor markers: `$0` is where the user is typing.
import { describe, expect, it } from 'vitest';
import { getCompletions } from '../../language/service/index.js';
import type { ServiceContext } from '../../language/service/index.js';
import { at } from './cursor.js';

const HEAD = `attribute employees: number
attribute signup: date
activity web_visit, demo_request
list freemail = ["gmail.com"]
segment big = employees >= 500
band grade from fit { A >= 50, B >= 30, C otherwise }
`;

const ctx: ServiceContext = {
  columns: [
    { name: 'industry', type: 'text', samples: ['finance', 'retail'], fillRate: 0.9, distinct: 12 },
    { name: 'Lead Origin', type: 'text', samples: ['API'], fillRate: 1, distinct: 3 },
    { name: 'TotalVisits', type: 'number', fillRate: 0.97 },
    { name: 'employees', type: 'number' },
    { name: 'signup', type: 'date' },
  ],
};

function labels(fixture: string, c: ServiceContext = {}): string[] {
  const { text, offset } = at(fixture);
  return getCompletions(text, offset, c).map((i) => i.label);
}

describe('completion: keywords', () => {
  it('offers declaration keywords at the start of a declaration', () => {
    expect(labels('$0')).toEqual(expect.arrayContaining(['segment', 'fit', 'engagement', 'stages', 'route', 'test', 'activity']));
    expect(labels(HEAD + 'seg$0')).toEqual(['segment']);
  });

  it('offers when/per/once after points', () => {
    expect(labels(HEAD + 'engagement {\n  +5 $0\n}')).toEqual(['when', 'per', 'once']);
    expect(labels(HEAD + 'fit {\n  +5 $0\n}')).toEqual(['when', 'per']);
  });

  it('offers `in last` and `, max` after a per target, `, max` after its window', () => {
    expect(labels(HEAD + 'engagement {\n  +5 per web_visit $0\n}')).toEqual(['in last', ', max']);
    expect(labels(HEAD + 'engagement {\n  +5 per web_visit in last 30 days $0\n}')).toEqual([', max']);
  });

  it('places `, max` right after the target', () => {
    const { text, offset } = at(HEAD + 'engagement {\n  +5 per web_visit $0\n}');
    const max = getCompletions(text, offset).find((i) => i.label === ', max')!;
    expect(max.textEdit.newText).toBe(', max ');
    expect(max.textEdit.range.start.character).toBe('  +5 per web_visit'.length);
  });

  it('offers duration units after a number in a window', () => {
    expect(labels(HEAD + 'engagement {\n  +5 per web_visit in last 30 $0\n}').slice(0, 3)).toEqual(['days', 'weeks', 'hours']);
    expect(labels(HEAD + 'segment s = count(web_visit in last 2 $0')).toContain('weeks');
    expect(labels(HEAD + 'engagement {\n  decay half-life 1 $0\n}')).toContain('week');
  });

  it('offers condition operators after a value, and/or after a comparison', () => {
    const ops = labels(HEAD + 'segment s = employees $0');
    expect(ops).toEqual(expect.arrayContaining(['==', '>=', 'in', 'not in', 'between', 'contains', 'starts with', 'matches', 'is missing', 'and', 'or']));
    const after = labels(HEAD + 'segment s = employees >= 10 $0');
    expect(after).toEqual(expect.arrayContaining(['and', 'or']));
    expect(after).not.toContain('==');
  });

  it('offers when/otherwise after a stage name and a route action', () => {
    expect(labels(HEAD + 'stages {\n  SQL when big\n  MQL $0\n}')).toEqual(expect.arrayContaining(['when', 'otherwise']));
    expect(labels(HEAD + 'route {\n  "Call" $0\n}')).toEqual(['when', 'otherwise']);
  });

  it('offers test items inside a test', () => {
    expect(labels(HEAD + 'test "t" {\n  $0\n}')).toEqual(['lead', 'events', 'at', 'expect']);
  });

  it('offers nothing inside comments and texts', () => {
    expect(labels(HEAD + '# seg$0')).toEqual([]);
    expect(labels(HEAD + 'segment s = industry == "fin$0"')).toEqual([]);
  });
});

describe('completion: names by kind', () => {
  it('activities after per, once, count( and days since last', () => {
    expect(labels(HEAD + 'engagement {\n  +5 once $0\n}')).toEqual(['web_visit', 'demo_request']);
    expect(labels(HEAD + 'segment s = count($0')).toEqual(['web_visit', 'demo_request']);
    expect(labels(HEAD + 'segment s = days since last d$0')).toEqual(['demo_request']);
  });

  it('numeric attributes as well after per', () => {
    expect(labels(HEAD + 'engagement {\n  +5 per $0\n}', ctx)).toEqual(expect.arrayContaining(['web_visit', 'employees', 'TotalVisits']));
    expect(labels(HEAD + 'engagement {\n  +5 per $0\n}', ctx)).not.toContain('industry');
  });

  it('date attributes and `last` after days since', () => {
    expect(labels(HEAD + 'segment s = days since $0')).toEqual(['last', 'signup']);
  });

  it('lists after in', () => {
    expect(labels(HEAD + 'segment s = domain(email) in $0')).toEqual(['freemail']);
  });

  it("a band's labels after `grade ==` and inside `grade in [`", () => {
    expect(labels(HEAD + 'segment s = grade == $0')).toEqual(['A', 'B', 'C']);
    expect(labels(HEAD + 'segment s = grade in [A, $0')).toEqual(['B', 'C']);
  });

  it('stages after stage ==', () => {
    expect(labels(HEAD + 'stages { SQL when big, lead otherwise }\nroute { "x" when stage == $0')).toEqual(['SQL', 'lead']);
  });

  it('scores after band ... from, attribute types after a colon', () => {
    expect(labels(HEAD + 'fit { +1 when big }\nband g2 from $0')).toContain('fit');
    expect(labels('attribute x: $0')).toEqual(['text', 'number', 'bool', 'date']);
  });

  it('values in a condition: segments, scores, bands, columns, functions', () => {
    const got = labels(HEAD + 'fit { +1 when big }\nsegment s = $0', ctx);
    expect(got).toEqual(expect.arrayContaining(['big', 'fit', 'grade', 'industry', 'Lead Origin', 'lower', 'domain', 'days since', 'not']));
  });
});

describe('completion: columns', () => {
  it('offers columns inside backticks, filtered as typed, replacing the whole quoted name', () => {
    for (const fx of ['segment s = `Lead $0', 'segment s = `Lead O$0`', 'fit { +5 when `Le$0 }']) {
      const { text, offset } = at(HEAD + fx);
      const items = getCompletions(text, offset, ctx);
      const origin = items.find((i) => i.label === 'Lead Origin');
      expect(origin, fx).toBeDefined();
      // the editor filters on the typed text from the backtick on
      const typed = text.slice(text.lastIndexOf('`', offset - 1), offset);
      expect(origin!.filterText!.startsWith(typed), fx).toBe(true);
      expect(items.map((i) => i.label)).not.toContain('industry');
      // applying the edit gives one quoted name, never a doubled backtick
      const r = origin!.textEdit.range;
      const lines = text.split('\n');
      const startOff = lines.slice(0, r.start.line).reduce((a, l) => a + l.length + 1, 0) + r.start.character;
      const endOff = lines.slice(0, r.end.line).reduce((a, l) => a + l.length + 1, 0) + r.end.character;
      const applied = text.slice(0, startOff) + origin!.textEdit.newText + text.slice(endOff);
      expect(applied).toContain('`Lead Origin`');
      expect(applied).not.toContain('``');
    }
  });

  it('gives type and sample values, and inserts backticks when needed', () => {
    const { text, offset } = at(HEAD + 'segment s = Lea$0');
    const items = getCompletions(text, offset, ctx);
    const col = items.find((i) => i.label === 'Lead Origin')!;
    expect(col.detail).toBe('text');
    expect(col.textEdit.newText).toBe('`Lead Origin`');
    expect(col.textEdit.range.start.character).toBe('segment s = '.length);
    const ind = getCompletions(...(Object.values(at(HEAD + 'segment s = ind$0')) as [string, number]), ctx).find((i) => i.label === 'industry')!;
    expect(ind.documentation?.value).toContain('`finance`');
    expect(ind.documentation?.value).toContain('90% filled');
  });

  it('after a comparison with a column, its sample values come first', () => {
    const got = labels(HEAD + 'segment s = industry == $0', ctx);
    expect(got.slice(0, 2)).toEqual(['"finance"', '"retail"']);
  });

  it('completes a backticked name being typed', () => {
    expect(labels(HEAD + 'segment s = `Lead$0', ctx)).toContain('Lead Origin');
  });
});

describe('completion: column documentation from the data', () => {
  it('shows hostile column names and values as written, never as a link or HTML', async () => {
    // @ts-expect-error: a plain ES module of Monaco's without type declarations
    const { marked } = await import('../../node_modules/monaco-editor/esm/vs/base/common/marked/marked.js');
    const c: ServiceContext = { columns: [{ name: '[x](https://evil.example)', type: 'text', samples: ['<img src=x>', 'x` [y](http://e.example) `z', 'www.evil.example'] }] };
    const { text, offset } = at('fit { +1 when $0 }');
    const item = getCompletions(text, offset, c).find((i) => i.label === '[x](https://evil.example)')!;
    const html = (marked as { parse(s: string, o: object): string }).parse(item.documentation!.value, { async: false });
    expect(html).not.toMatch(/<(a|img)[\s>]/);
    const seen = html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    for (const s of ['[x](https://evil.example)', '<img src=x>', 'x` [y](http://e.example) `z', 'www.evil.example']) expect(seen).toContain(s);
  });
});

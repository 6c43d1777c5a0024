// Hover, tested with cursor markers: `$0` is where the mouse rests.
import { describe, expect, it } from 'vitest';
import { getHover, type ServiceContext } from '../../language/service/index.js';
import { at } from './cursor.js';
// the Markdown renderer the editor itself uses for hovers
// @ts-expect-error: a plain ES module of Monaco's without type declarations
import { marked } from '../../node_modules/monaco-editor/esm/vs/base/common/marked/marked.js';

const render = (m: string): string => (marked as { parse(s: string, o: object): string }).parse(m, { async: false });
/** The text a reader sees, with HTML tags removed and entities decoded. */
const visible = (html: string): string =>
  html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

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

  it('user names, rule text and data values show as written: never a link, an image, HTML or emphasis', () => {
    const link = '[click me](https://evil.example/x)';
    const src = [
      `attribute \`${link}\`: text`,
      'attribute `![img](https://evil.example/i.png)`: number',
      'activity `<img src=x onerror=alert(1)>`',
      'segment `*bold* _it_ www.evil.example` = `' + link + '` == "[a](http://b.example) ``x``"',
      'fit {',
      '  +5 when `*bold* _it_ www.evil.example`',
      '  +1 per `![img](https://evil.example/i.png)`',
      '}',
      'engagement { +1 per `<img src=x onerror=alert(1)>` }',
      'band `[b](https://evil.example)` from fit { `[l](https://evil.example)` >= 1, low otherwise }',
      '',
    ].join('\n');
    const samples = ['`` [s](https://evil.example) ``', '<b>x</b>', 'http://plain.example'];
    const ctx: ServiceContext = { columns: [{ name: link, type: 'text', samples }] };
    const names = [link, '![img](https://evil.example/i.png)', '<img src=x onerror=alert(1)>', '*bold* _it_ www.evil.example', '[b](https://evil.example)', '[l](https://evil.example)'];
    let hovered = 0;
    for (const name of names) {
      for (let i = src.indexOf(name); i >= 0; i = src.indexOf(name, i + 1)) {
        const h = getHover(src, i + 2, ctx);
        if (!h) continue;
        hovered++;
        const html = render(h.contents.value);
        expect(html, name).not.toMatch(/<(a|img|em|strong[^>]*>[^<]*<em|script|b)[\s>]/);
        expect(html, name).not.toContain('href');
        expect(visible(html), name).toContain(name);
      }
    }
    expect(hovered).toBeGreaterThanOrEqual(8);
    const col = visible(render(getHover(src, src.indexOf(link) + 2, ctx)!.contents.value));
    for (const v of samples) expect(col).toContain(v);
    // a rule's text, with the segment name in it
    const rule = render(getHover(src, src.indexOf('+5') + 1, ctx)!.contents.value);
    expect(rule).not.toMatch(/<(a|em|img)[\s>]/);
    expect(visible(rule)).toContain('+5 when `*bold* _it_ www.evil.example`');
  });
});

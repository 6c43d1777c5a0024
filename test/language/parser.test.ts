// Lexer and parser cases, the precedence spec, and recovery: one run of the
// parser reports every independent syntax error at its own line and column.
import { describe, it, expect } from 'vitest';
import { lexer, KEYWORDS, TOKEN_TABLE, needsQuoting } from '../../language/syntax/tokens.js';
import { parse, parseDateLiteral, unquoteString } from '../../language/syntax/parser.js';
import type * as A from '../../language/syntax/ast.js';

const kinds = (text: string) => lexer.tokenize(text).tokens.map((t) => t.tokenType.name);

/** A compact, readable rendering of a condition's tree (for precedence tests). */
function show(e: A.Expr | A.Value): string {
  switch (e.kind) {
    case 'Or':
      return `or(${show(e.left)}, ${show(e.right)})`;
    case 'And':
      return `and(${show(e.left)}, ${show(e.right)})`;
    case 'Not':
      return `not(${show(e.operand)})`;
    case 'Paren':
      return show(e.inner);
    case 'Truthy':
      return show(e.value);
    case 'Compare':
      return `${show(e.left)}${e.op}${show(e.right)}`;
    case 'Between':
      return `between(${show(e.value)}, ${show(e.low)}, ${show(e.high)})`;
    case 'In':
      return `${e.negated ? 'notin' : 'in'}(${show(e.value)})`;
    case 'Ref':
      return e.name.text;
    case 'Number':
      return String(e.value);
    default:
      return e.kind;
  }
}

function cond(text: string): string {
  const r = parse(`segment s = ${text}`);
  expect(r.diagnostics).toEqual([]);
  const d = r.program.decls[0] as A.SegmentDecl;
  return show(d.cond);
}

function arith(text: string): string {
  const r = parse(`score t = ${text}`);
  expect(r.diagnostics).toEqual([]);
  const walk = (a: A.Arith): string =>
    a.kind === 'ArithBinary' ? `(${walk(a.left)}${a.op}${walk(a.right)})` : a.kind === 'ArithParen' ? walk(a.inner) : a.kind === 'ArithNeg' ? `-${walk(a.operand)}` : a.kind === 'Number' ? String(a.value) : a.name.text;
  return walk((r.program.decls[0] as A.DerivedScoreDecl).expr);
}

describe('lexer', () => {
  it('splits keywords, names, literals and operators', () => {
    expect(kinds('fit { +30 when employees >= 5_000 }')).toEqual(['Fit', 'LBrace', 'Plus', 'NumberLiteral', 'When', 'Identifier', 'GtEq', 'NumberLiteral', 'RBrace']);
    expect(kinds('fitness')).toEqual(['Identifier']);
    expect(kinds('`Lead Origin` == "Landing Page"')).toEqual(['QuotedIdentifier', 'EqEq', 'StringLiteral']);
    expect(kinds('2026-01-10 2026-01-10T09:30:00Z 12.5')).toEqual(['DateTime', 'DateTime', 'NumberLiteral']);
    expect(kinds('title matches /director|vp/i')).toEqual(['Identifier', 'Matches', 'RegexLiteral']);
    expect(kinds('decay half-life 30 days')).toEqual(['Decay', 'HalfLife', 'NumberLiteral', 'Days']);
    expect(kinds('x # comment\ny')).toEqual(['Identifier', 'Identifier']);
  });

  it('drives highlighting from the same table', () => {
    const names = TOKEN_TABLE.map((t) => t.name);
    expect(names).toContain('Identifier');
    expect(TOKEN_TABLE.find((t) => t.name === 'When')!.category).toBe('keyword');
    expect(TOKEN_TABLE.find((t) => t.name === 'Days')!.category).toBe('unit');
    expect(TOKEN_TABLE.find((t) => t.name === 'Comment')!.category).toBe('comment');
    expect(KEYWORDS).toContain('half-life');
  });

  it('knows which names need backticks', () => {
    expect(needsQuoting('Lead Origin')).toBe(true);
    expect(needsQuoting('segment')).toBe(true);
    expect(needsQuoting('fit')).toBe(false); // soft keyword
    expect(needsQuoting('employees')).toBe(false);
  });

  it('decodes string escapes and dates', () => {
    expect(unquoteString('"a\\"b\\\\c\\n\\t\\u{e9}"').value).toBe('a"b\\c\n\té');
    expect(unquoteString('"bad \\q"').badEscape).toBe(4);
    expect(parseDateLiteral('2026-01-10')).toBe(Date.UTC(2026, 0, 10));
    expect(parseDateLiteral('2026-01-10T09:30:00+02:00')).toBe(Date.UTC(2026, 0, 10, 7, 30));
    expect(parseDateLiteral('2026-02-30')).toBeNaN();
  });
});

describe('precedence', () => {
  it('not binds tighter than and, and tighter than or', () => {
    expect(cond('a or b and c')).toBe('or(a, and(b, c))');
    expect(cond('a and b or c')).toBe('or(and(a, b), c)');
    expect(cond('not a and b')).toBe('and(not(a), b)');
    expect(cond('not (a and b)')).toBe('not(and(a, b))');
    expect(cond('a or b or c')).toBe('or(or(a, b), c)');
  });
  it('between takes its own `and`', () => {
    expect(cond('x between 1 and 5 and y')).toBe('and(between(x, 1, 5), y)');
  });
  it('comparisons bind tighter than logic; not in is one operator', () => {
    expect(cond('x >= 1 and y != 2')).toBe('and(x>=1, y!=2)');
    expect(cond('not x in L')).toBe('not(in(x))');
    expect(cond('x not in L')).toBe('notin(x)');
  });
  it('arithmetic: * over + and -, left to right', () => {
    expect(arith('a + b * c')).toBe('(a+(b*c))');
    expect(arith('a - b - c')).toBe('((a-b)-c)');
    expect(arith('(a + b) * -c')).toBe('((a+b)*-c)');
  });
});

describe('every construct parses', () => {
  it('parses the declarations of LANGUAGE.md into the AST', () => {
    const r = parse(`ruleset "R"
attribute employees: number
activity web_visit, demo_request
list freemail = ["gmail.com", "hotmail.com"]
segment ent = industry == "financial_services" and employees >= 5000
fit { +30 when ent, -50 when domain(email) in freemail }
engagement { +2 per web_visit, max 20
  +5 per web_visit in last 30 days, max 15
  +40 once demo_request
  +10 when count(web_visit in last 30 days) > 15
  decay half-life 30 days }
score bant { +1 when budget >= 10000 }
score total = fit + engagement
band grade from fit { A >= 50, B >= 30, C >= -10, D otherwise }
stages { SQL when MQL and demo_request, MQL when fit >= 30, lead otherwise }
route { "call" when grade in [A, B], "drop" otherwise }
test "t" {
  lead { industry: "x", employees: 8000, "odd key": true, \`since\`: 2026-01-01 }
  events { web_visit at 2026-01-02, demo_request at 2026-01-10T10:00:00Z }
  at 2026-01-11
  expect stage == SQL and route == "call"
}`);
    expect(r.diagnostics).toEqual([]);
    expect(r.program.decls.map((d) => d.kind)).toEqual(['Ruleset', 'Attribute', 'Activity', 'List', 'Segment', 'ScoreBlock', 'ScoreBlock', 'ScoreBlock', 'DerivedScore', 'Band', 'Stages', 'Route', 'Test']);
    const eng = r.program.decls[6] as A.ScoreBlock;
    expect(eng.items.map((i) => i.kind)).toEqual(['PerRule', 'PerRule', 'OnceRule', 'WhenRule', 'Decay']);
    const per = eng.items[1] as A.PerRule;
    expect(per.points.value).toBe(5);
    expect(per.window!.ms).toBe(30 * 86_400_000);
    expect(per.max!.value).toBe(15);
    const band = r.program.decls[9] as A.BandDecl;
    expect(band.entries.map((e) => e.threshold?.value ?? null)).toEqual([50, 30, -10, null]);
    const stages = r.program.decls[10] as A.StagesDecl;
    expect(stages.entries.map((e) => e.name.text)).toEqual(['SQL', 'MQL', 'lead']);
    const t = r.program.decls[12] as A.TestDecl;
    expect(t.lead.map((f) => f.key.text)).toEqual(['industry', 'employees', 'odd key', 'since']);
    expect(t.events[1]?.at.value).toBe(Date.UTC(2026, 0, 10, 10));
    expect(t.at!.value).toBe(Date.UTC(2026, 0, 11));
  });

  it('gives every node a range (1-based line and column)', () => {
    const r = parse('fit {\n  +30 when `Lead Origin` == "API"\n}');
    const rule = (r.program.decls[0] as A.ScoreBlock).items[0] as A.WhenRule;
    expect(rule.range.start).toMatchObject({ line: 2, column: 3 });
    const cmp = rule.cond as A.Compare;
    expect((cmp.left as A.Ref).name).toMatchObject({ text: 'Lead Origin', quoted: true });
    expect(cmp.left.range.start).toMatchObject({ line: 2, column: 12 });
    expect(cmp.right.range).toMatchObject({ start: { line: 2, column: 29 }, end: { line: 2, column: 34 } });
  });

  it('keeps comments', () => {
    const r = parse('# head\nfit { +1 when a } # tail');
    expect(r.program.comments.map((c) => [c.text, c.range.start.line, c.range.start.column])).toEqual([
      [' head', 1, 1],
      [' tail', 2, 19],
    ]);
  });
});

describe('errors and recovery', () => {
  it('reports every independent mistake in one run, each at its place', () => {
    const src = [
      'segment a = x = 1', // 1: single = (col 15)
      'fit { +30 when y >= }', // 2: missing value before } (col 21)
      'band g from fit { A >= 10, B otherwise }',
      'route { "a" when b == @ }', // 4: stray character (col 23)
      'stages { SQL when "unterminated }', // 5: unterminated text (col 19)
    ].join('\n');
    const r = parse(src);
    const got = r.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.column}`);
    expect(got).toContain('LQL104@1:15');
    expect(got).toContain('LQL110@2:21');
    expect(got).toContain('LQL100@4:23');
    expect(got).toContain('LQL101@5:19');
    // the band between the broken declarations survived
    expect(r.program.decls.some((d) => d.kind === 'Band')).toBe(true);
    for (const d of r.diagnostics) expect(d.message).not.toMatch(/Expecting|token of type|-->/);
  });

  it('resumes at the next declaration after a broken one', () => {
    const r = parse('segment a = \nsegment b = y > 1\nfit { +1 when b }');
    expect(r.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.message}`)).toEqual(['2:1 Expected a condition, but found `segment`.']);
    expect(r.program.decls.map((d) => d.kind)).toEqual(['Segment', 'ScoreBlock']);
  });

  it('suggests the declaration keyword a misspelt word was probably meant to be', () => {
    const r = parse('fit { +1 when a }\nengagment { +1 when b }');
    expect(r.diagnostics.map((d) => [d.range.start.line, d.range.start.column, d.message])).toEqual([
      [2, 1, 'Unexpected `engagment`: a new declaration was expected here. Did you mean `engagement`?'],
    ]);
  });

  it('says what was expected in plain words', () => {
    const r = parse('band g from fit { A >= high }');
    expect(r.diagnostics[0]?.message).toBe('Expected a number here, but found `high`.');
    const r2 = parse('fit { 30 }');
    expect(r2.diagnostics[0]?.message).toMatch(/^Expected `when`, `per` or `once`|^Expected .*when/);
  });
});

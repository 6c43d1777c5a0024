/**
 * Nothing fails in silence on a big or extreme ruleset: number literals that
 * do not fit are errors at the literal (LQL108, LQL109); a condition nested
 * too deeply or too large once segments are written in place is an error at
 * the place the limit is crossed (LQL106, LQL107), never an internal error,
 * a stack overflow or a hang; a ruleset within the limits compiles and
 * scores the same in every engine; an internal failure is a diagnostic
 * (LQL111), never an IR-less success.
 *
 * Input: generated rulesets (3,000 chained segments, 6,000 `and`s, 40
 * segments each used twice, a 100,000-rule block). Output: pass/fail.
 */
import { describe, expect, it, vi } from 'vitest';
import { compileSource } from '../../language/index.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import { interpret } from '../../language/interpret/index.js';
import { format } from '../../language/format/formatter.js';
import { MAX_DEPTH, MAX_PARTS } from '../../language/check/limits.js';
import { postgresUnavailable, startPostgres } from '../support/postgres.js';
import { diff, runDuckDB, runPostgres, type TestLead } from '../sql/harness.js';

const codes = (src: string) => compileSource(src).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}@${d.range.start.line}:${d.range.start.column}`);

describe('number literals that do not fit', () => {
  it('are errors at the literal: points, comparisons, thresholds, durations', () => {
    const src = [
      'attribute x: number', //                                        line 1
      'activity visit', //                                             line 2
      'fit {', //                                                      line 3
      '  +1e400 when x > 0', //                                        line 4, col 3
      '  +1 when x < 1e400', //                                        line 5, col 15
      '  -1 when x > -1_000e400', //                                   line 6, col 15 (the sign is part of the number)
      '}',
      'engagement { +1 per visit in last 1e400 days  +1 once visit in last 1e300 weeks }', // line 8: col 35 and 69
      'stages { hot when fit >= 1e999  lead otherwise }', //            line 9, col 26
      '',
    ].join('\n');
    expect(codes(src)).toEqual(['LQL108@4:3', 'LQL108@5:15', 'LQL108@6:15', 'LQL109@8:35', 'LQL109@8:69', 'LQL108@9:26']);
    expect(compileSource(src).ir).toBeNull();
  });

  it('the largest numbers and durations that fit are accepted, and mean what they say', () => {
    const src = 'attribute x: number\nactivity v\nfit { +1e15 when x < 1.7e308  +1e308 when x > 1.75e308 }\nengagement { +1 per v in last 104249991 days }\n';
    const r = compileSource(src);
    expect(r.diagnostics).toEqual([]);
    const s = compileScorer(r.ir!);
    expect(s.score({ x: 1.6e308 }, [], 0).scores.fit).toBe(1e15);
    expect(s.score({ x: 1.7e308 }, [], 0).scores.fit).toBe(0);
    expect(codes('activity v\nengagement { +1 per v in last 104249992 days }\n')).toEqual(['LQL109@2:31']);
  });
});

/** `x > 0 and x > 1 and ... ` with n comparisons: nested n + 1 levels (n - 1 `and`s over a comparison of two operands). */
const chain = (n: number) => Array.from({ length: n }, (_, i) => `x > ${i}`).join(' and ');

describe('conditions nested too deeply', () => {
  it('the limit is exact: the deepest allowed condition passes, one more level is LQL106 at the condition', () => {
    expect(MAX_DEPTH).toBe(200);
    expect(codes(`attribute x: number\nfit { +1 when ${chain(MAX_DEPTH - 1)} }\n`)).toEqual([]);
    expect(codes(`attribute x: number\nfit { +1 when ${chain(MAX_DEPTH)} }\n`)).toEqual(['LQL106@2:15']);
  });

  it('6,000 `and`s: one LQL106 naming the limit, no internal error', () => {
    const r = compileSource(`attribute x: number\nfit { +1 when ${chain(6000)} }\n`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LQL106']);
    expect(r.diagnostics[0]!.message).toContain('at most 200');
  });

  it('6,000 `not`s: LQL106 at the innermost `not` that goes over', () => {
    const r = compileSource(`attribute x: number\nfit { +1 when ${'not '.repeat(6000)}x > 1 }\n`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LQL106']);
    // x > 1 is 2 levels; 198 nots around it make 200; the 199th from the inside goes over
    const col = r.diagnostics[0]!.range.start.column;
    expect(col).toBe(15 + 4 * (6000 - 199));
  });

  it('3,000 chained segments: LQL106 at the use of the segment that brings it over, once', () => {
    const lines = ['attribute x: number', 'segment s0 = x > 0'];
    for (let i = 1; i < 3000; i++) lines.push(`segment s${i} = s${i - 1} and x > ${i}`);
    lines.push('fit { +1 when s2999 }', '');
    const r = compileSource(lines.join('\n'));
    expect(r.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.column}`)).toEqual(
      // s0's condition `x > 0` is 2 levels; a segment used as a condition is its name (one level more)
      // inside a truth test (another): s(k) = `s(k-1) and x > k` is h(k-1) + 3 = 3k + 2 levels; the name
      // s(k-1) in s(k) is 3k levels, over 200 first at k = 67 (line 69, column 15)
      ['LQL106@69:15'],
    );
    expect(r.diagnostics[0]!.message).toContain('segment `s66` written in place');
    expect(r.ir).toBeNull();
  });

  it('40 segments each using the one before twice: LQL107 (too many parts), not a hang', () => {
    const lines = ['attribute x: number', 'segment s0 = x > 0'];
    for (let i = 1; i <= 40; i++) lines.push(`segment s${i} = s${i - 1} or s${i - 1}`);
    lines.push('fit { +1 when s40 }', '');
    const r = compileSource(lines.join('\n'));
    const errs = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errs.map((d) => d.code)).toEqual(['LQL107']);
    expect(MAX_PARTS).toBe(100_000);
    // parts(s0) = 3 (x, >, 0); a use of s(k) as a condition is parts(s(k)) + 2 (the name, the truth
    // test); s(k) = `use or use` has 2 * (parts(s(k-1)) + 2) + 1 = 8 * 2^k - 5 parts: over 100,000
    // first at k = 14 (the `or` on line 16)
    let p = 3;
    let k = 0;
    while (p <= MAX_PARTS) { k++; p = 2 * (p + 2) + 1; }
    expect([errs[0]!.range.start.line, errs[0]!.range.start.column]).toEqual([k + 2, 15]);
    expect(k).toBe(14);
  });
});

describe('within the limits, every engine handles the deepest condition', () => {
  it('the interpreter, the compiled scorer and the formatter agree on a condition 200 levels deep', () => {
    const src = `attribute x: number\nfit { +1 when ${chain(MAX_DEPTH - 1)} }\n`;
    const r = compileSource(src);
    expect(r.diagnostics).toEqual([]);
    const s = compileScorer(r.ir!);
    for (const x of [MAX_DEPTH - 1, MAX_DEPTH - 2, -1]) {
      const want = x > MAX_DEPTH - 2 ? 1 : 0;
      expect(s.score({ x }, [], 0).scores.fit).toBe(want);
      expect(interpret(r.program, r.checked.attributeTypes, { x }, [], 0, src).scores.fit).toBe(want);
    }
    const f = format(src);
    expect('text' in f && f.text.replace(/\s+/g, ' ')).toContain(chain(MAX_DEPTH - 1));
  });
});

describe('within the limits, the SQL engines run the deepest condition', () => {
  it('DuckDB and PostgreSQL agree with the JS scorer on a condition 200 levels deep (segments and `and`s)', async () => {
    const half = Math.floor((MAX_DEPTH - 2) / 3); // chained segments: 3 levels each (see above)
    const lines = ['attribute x: number', 'segment s0 = x > 0'];
    for (let i = 1; i < half; i++) lines.push(`segment s${i} = s${i - 1} and x > ${i}`);
    lines.push(`fit { +1 when ${chain(MAX_DEPTH - 1)}  +2 when s${half - 1} }`, '');
    const r = compileSource(lines.join('\n'));
    expect(r.diagnostics).toEqual([]);
    const js = compileScorer(r.ir!);
    const leads: TestLead[] = [-1, 10, half, MAX_DEPTH - 1].map((x) => ({ id: `x${x}`, attrs: { x }, events: [] }));
    const duck = await runDuckDB(r.ir!, leads);
    for (const l of leads) expect(diff(js.score(l.attrs, [], undefined), duck.results.get(l.id)), l.id).toEqual([]);
    expect(duck.results.get(`x${MAX_DEPTH - 1}`)!.scores.fit).toBe(3);
    if (postgresUnavailable()) return;
    const pg = await startPostgres();
    try {
      const post = await runPostgres(pg.client, r.ir!, leads);
      for (const l of leads) expect(diff(js.score(l.attrs, [], undefined), post.results.get(l.id)), l.id).toEqual([]);
    } finally {
      await pg.stop();
    }
  });
});

describe('a 100,000-rule block', () => {
  it('compiles and scores: x = 500.5 passes the 501 rules x > 0 .. x > 500', { timeout: 180_000 }, () => {
    const rules = Array.from({ length: 100_000 }, (_, i) => `  +1 when x > ${i}`).join('\n');
    const r = compileSource(`attribute x: number\nfit {\n${rules}\n}\n`);
    expect(r.diagnostics).toEqual([]);
    expect(r.ir!.scores[0]!.kind === 'block' && r.ir!.scores[0]!.rules.length).toBe(100_000);
    const s = compileScorer(r.ir!);
    expect(s.score({ x: 500.5 }, [], 0).scores.fit).toBe(501);
  });
});

describe('an internal failure', () => {
  it('after checking is LQL111, never a result without IR and without a word', async () => {
    vi.resetModules();
    vi.doMock('../../language/compile/lower.js', () => ({
      lower: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    }));
    const { compileSource: compileMocked } = await import('../../language/index.js');
    const r = compileMocked('attribute x: number\nfit { +1 when x > 1 }\n');
    vi.doUnmock('../../language/compile/lower.js');
    expect(r.ir).toBeNull();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LQL111']);
    expect(r.diagnostics[0]!.message).toContain('Maximum call stack size exceeded');
    expect(r.diagnostics[0]!.message).toContain('fault in LQL');
  });
});

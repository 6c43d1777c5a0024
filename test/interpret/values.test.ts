// Reading raw values (docs/semantics.md, "Reading values") and the
// interpreter's guarantees: null-prototype results, no endless recursion.
import { describe, expect, it } from 'vitest';
import { parseIsoDate, readAs } from '../../language/shared/values.js';
import { interpret } from '../../language/interpret/interpreter.js';
import { parse } from '../../language/syntax/parser.js';

describe('readAs', () => {
  it('numbers', () => {
    expect(readAs(42, 'number')).toBe(42);
    expect(readAs(' -1.5 ', 'number')).toBe(-1.5);
    expect(readAs('1e3', 'number')).toBe(1000);
    for (const v of ['', null, undefined, NaN, Infinity, '5_000', '1,000', 'abc', '0x10', true, {}]) {
      expect(readAs(v, 'number')).toBeNull();
    }
  });
  it('text', () => {
    expect(readAs('a', 'text')).toBe('a');
    expect(readAs(12, 'text')).toBe('12');
    expect(readAs(false, 'text')).toBe('false');
    for (const v of ['', null, undefined, NaN, new Date(0), {}]) expect(readAs(v, 'text')).toBeNull();
  });
  it('bool', () => {
    for (const v of [true, 1, 'true', ' YES ', 'y', '1']) expect(readAs(v, 'bool')).toBe(true);
    for (const v of [false, 0, 'False', 'no', 'N', '0']) expect(readAs(v, 'bool')).toBe(false);
    for (const v of [2, 'maybe', '', null]) expect(readAs(v, 'bool')).toBeNull();
  });
  it('dates', () => {
    expect(readAs('2026-01-10', 'date')).toBe(Date.UTC(2026, 0, 10));
    expect(readAs('2026-01-10T09:30:00Z', 'date')).toBe(Date.UTC(2026, 0, 10, 9, 30));
    expect(readAs('2026-01-10T09:30', 'date')).toBe(Date.UTC(2026, 0, 10, 9, 30));
    expect(readAs('2026-01-10 09:30:00', 'date')).toBe(Date.UTC(2026, 0, 10, 9, 30));
    expect(readAs('2026-01-10T09:30:00.123456+02:00', 'date')).toBe(Date.UTC(2026, 0, 10, 7, 30, 0, 123));
    expect(readAs('2026-01-10T09:30:00-0130', 'date')).toBe(Date.UTC(2026, 0, 10, 11, 0));
    expect(readAs(new Date(5), 'date')).toBe(5);
    expect(readAs(5, 'date')).toBe(5);
    for (const v of ['2026-02-29', '2026-13-01', '2026-01-10T24:00', '10/01/2026', 'x', true]) {
      expect(readAs(v, 'date')).toBeNull();
    }
    expect(parseIsoDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });
});

describe('interpret', () => {
  it('returns null-prototype records', () => {
    const { program } = parse('fit { +1 when x == "a" }\nband b from fit { hi >= 1, lo otherwise }');
    const r = interpret(program, new Map(), { x: 'a' }, []);
    for (const rec of [r.scores, r.bands, r.reached]) expect(Object.getPrototypeOf(rec)).toBeNull();
    expect(r.scores.fit).toBe(1);
    expect(r.bands.b).toBe('hi');
  });

  it('stops on cycles instead of recursing forever', () => {
    const seg = parse('segment a = b\nsegment b = a\nfit { +1 when a }').program;
    expect(() => interpret(seg, new Map(), {}, [])).toThrow(/depends on itself/);
    const der = parse('score x = y + 1\nscore y = x * 2').program;
    expect(() => interpret(der, new Map(), {}, [])).toThrow(/depends on itself/);
  });

  it('rejects an unreadable asOf', () => {
    const { program } = parse('fit { +1 when x == "a" }');
    expect(() => interpret(program, new Map(), {}, [], 'yesterday')).toThrow(RangeError);
  });

  it('prints rule text back when no source is given', () => {
    const src = 'activity v\nengagement {\n  +2   per v in last 7 days,\n   max 20\n  -5 when not (x contains "a") }';
    const { program } = parse(src);
    const at = '2026-01-01';
    const withSrc = interpret(program, new Map(), {}, [{ type: 'v', at }], at, src);
    const without = interpret(program, new Map(), {}, [{ type: 'v', at }], at);
    expect(withSrc.reasons.map((r) => r.rule)).toEqual(['+2 per v in last 7 days, max 20', '-5 when not (x contains "a")']);
    expect(without.reasons).toEqual(withSrc.reasons);
  });
});

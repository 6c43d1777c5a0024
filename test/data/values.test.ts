// Cell readers: they accept exactly what the reference interpreter accepts
// (docs/semantics.md, "Reading values"), checked on hand-picked cases and on
// random strings against language/shared/values.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readAs, parseIsoDate as refIsoDate } from '../../language/shared/values.js';
import { parseBool, parseBoolRange, parseIsoDate, parseNumber, parseNumberRange, parseOutcome, parseOutcomeRange, parseTime } from '../../simulator/data/values.js';

describe('numbers', () => {
  it('hand-picked', () => {
    expect(parseNumber('42')).toBe(42);
    expect(parseNumber('-1.5')).toBe(-1.5);
    expect(parseNumber('+.5')).toBe(0.5);
    expect(parseNumber('1.')).toBe(1);
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber(' 7 ')).toBe(7);
    expect(parseNumber('0.1')).toBe(0.1);
    expect(parseNumber('123456789012345678901')).toBe(123456789012345678901);
    for (const bad of ['', ' ', '.', '-', '0x1F', 'Infinity', '1,200', '1e', 'abc', '12abc']) expect(parseNumber(bad), bad).toBeNaN();
    expect(parseNumberRange('xx-2.25yy', 2, 7)).toBe(-2.25);
  });

  it('agree with the interpreter on random decimal-ish strings', () => {
    const s = fc.string({ unit: fc.constantFrom('0', '1', '9', '.', '-', '+', 'e', 'E', ' ', 'x'), maxLength: 12 });
    fc.assert(
      fc.property(s, (text) => {
        const ref = readAs(text, 'number');
        const got = parseNumber(text);
        expect(Number.isNaN(got) ? null : got).toBe(ref);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('dates', () => {
  it('hand-picked', () => {
    expect(parseIsoDate('2026-01-10')).toBe(Date.UTC(2026, 0, 10));
    expect(parseIsoDate('2026-01-10T09:30:00Z')).toBe(Date.UTC(2026, 0, 10, 9, 30));
    expect(parseIsoDate('2026-01-10 09:30')).toBe(Date.UTC(2026, 0, 10, 9, 30));
    expect(parseIsoDate('2026-01-10T09:30:00.123456+05:30')).toBe(Date.UTC(2026, 0, 10, 4, 0, 0, 123));
    expect(parseIsoDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    // years 0-99 are years 0-99, not 1900-1999
    expect(new Date(parseIsoDate('0099-12-31')).getUTCFullYear()).toBe(99);
    for (const bad of ['2026-02-30', '2023-02-29', '2026-13-01', '2026-1-10', '2026-01-10T24:00', '2026-01-10T09:30:00+24:00', 'yesterday', '']) {
      expect(parseIsoDate(bad), bad).toBeNaN();
    }
    expect(parseTime('1768037400000')).toBe(1768037400000);
  });

  it('agree with the interpreter on random date-shaped strings', () => {
    const d = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
    const tail = fc.oneof(
      fc.constant(''),
      fc.tuple(fc.constantFrom('T', ' ', 't'), d(2), fc.constantFrom(':', ''), d(2), fc.constantFrom('', ':00', ':59', ':60', ':07.5', ':07.123456')).map((p) => p.join('')),
    );
    const zone = fc.constantFrom('', 'Z', '+02:00', '-0530', '+05', '+5', 'z', '+24:00');
    const gen = fc.tuple(d(4), d(2), d(2), tail, zone).map(([y, m, dd, t, z]) => `${y}-${m}-${dd}${t}${z}`);
    fc.assert(
      fc.property(gen, (text) => {
        const ref = refIsoDate(text);
        const got = parseIsoDate(text);
        expect(Number.isNaN(got) ? null : got).toBe(ref);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('bools and outcomes', () => {
  it('bool words', () => {
    for (const w of ['true', 'YES', 'y', '1', ' True ']) expect(parseBool(w), w).toBe(1);
    for (const w of ['false', 'No', 'N', '0']) expect(parseBool(w), w).toBe(0);
    for (const w of ['maybe', '', '2', 'yess']) expect(parseBool(w), w).toBe(2);
    expect(parseBoolRange('[Yes]', 1, 4)).toBe(1);
  });

  it('outcome words, in place and from text', () => {
    const cases: [string, number][] = [['won', 1], ['Converted', 1], ['CLOSED_LOST', 0], ['open', -1], ['', -1], ['  ', -1], [' lost ', 0], ['nope', -2]];
    for (const [w, v] of cases) {
      expect(parseOutcome(w), w).toBe(v);
      expect(parseOutcomeRange(`[${w}]`, 1, w.length + 1), w).toBe(v);
    }
  });
});

// Type inference of undeclared columns: a column read as numbers while it
// can be, and dictionary-coded from its exact texts when it turns out not
// to be, gives the same column as coding every cell and typing the
// dictionary (number, else bool, else date, else text).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import type { Column } from '../../simulator/data/table.js';
import { isBlank, isBoolWord, parseBool, parseIsoDate, parseNumber } from '../../simulator/data/values.js';

/** The column the docs define: codes over the distinct texts in order of first appearance, typed by them. */
function reference(cells: string[], missing: string[]): Column {
  const dict: string[] = [];
  const index = new Map<string, number>();
  const codes = cells.map((c) => {
    if (c === '' || missing.includes(c)) return -1;
    let k = index.get(c);
    if (k === undefined) {
      k = dict.length;
      dict.push(c);
      index.set(c, k);
    }
    return k;
  });
  const values = dict.filter((d) => !isBlank(d));
  if (values.length > 0) {
    if (values.every((v) => parseNumber(v) === parseNumber(v))) {
      return { type: 'number', values: Float64Array.from(codes, (k) => (k < 0 ? NaN : parseNumber(dict[k]!))) };
    }
    if (values.every(isBoolWord)) return { type: 'bool', values: Uint8Array.from(codes, (k) => (k < 0 ? 2 : parseBool(dict[k]!))) };
    if (values.every((v) => parseIsoDate(v) === parseIsoDate(v))) {
      return { type: 'date', values: Float64Array.from(codes, (k) => (k < 0 ? NaN : parseIsoDate(dict[k]!))) };
    }
  }
  return { type: 'text', codes: Int32Array.from(codes), dict };
}

function csvCell(c: string): string {
  return /[",\r\n]/.test(c) ? '"' + c.replace(/"/g, '""') + '"' : c;
}

function loadColumn(cells: string[], missing: string[], chunkSize?: number): Column {
  const text = 'id,outcome,x\n' + cells.map((c, i) => `L${i},,${csvCell(c)}\n`).join('');
  const t = loadLeadsSync({ name: 'leads.csv', text }, { missing, chunkSize });
  return t.columns.get('x')!;
}

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: min, maxLength: max });
const numberText = fc
  .tuple(fc.constantFrom('', '', '-', '+'), digits(0, 17), fc.constantFrom('', '', '.'), digits(0, 9))
  .map(([s, a, d, b]) => s + a + (d ? d + b : ''));
const cell = fc.oneof(
  { weight: 8, arbitrary: numberText },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '  ', ' 7 ', '1e3', '-2.5E-2', '0x10', 'Infinity', '1,5', 'n/a', 'a"b') },
  { weight: 1, arbitrary: fc.constantFrom('abc', 'true', 'No', '2026-01-10', '2026-01-10T09:30:00Z', '12345678901234567') },
);

describe('inferred columns', () => {
  it('match coding every cell and typing the dictionary (property)', () => {
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 40 }), fc.boolean(), fc.constantFrom(undefined, 7, 64), (cells, useMissing, chunkSize) => {
        const missing = useMissing ? ['n/a', '0'] : [];
        expect(loadColumn(cells, missing, chunkSize)).toEqual(reference(cells, missing));
      }),
      { numRuns: 300 },
    );
  });

  it('turn to text after many numbers, keeping each spelling in order of first appearance', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const cells: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const r = rnd();
      cells.push(r < 0.1 ? '' : r < 0.5 ? (rnd() * 1e6).toFixed(2) : r < 0.7 ? String(Math.floor(rnd() * 100)).padStart(3, '0') : r < 0.8 ? '-' + (rnd() * 10).toFixed(4) : String(Math.floor(rnd() * 1e4)));
    }
    const numbers = loadColumn(cells, []);
    expect(numbers.type).toBe('number');
    expect(numbers).toEqual(reference(cells, []));
    cells.push('unknown');
    const text = loadColumn(cells, []);
    expect(text.type).toBe('text');
    expect(text).toEqual(reference(cells, []));
  });

  it('a column of blanks and placeholders only is text', () => {
    const cells = ['', ' ', 'n/a', '', '  '];
    expect(loadColumn(cells, ['n/a'])).toEqual(reference(cells, ['n/a']));
    expect(loadColumn(cells, ['n/a']).type).toBe('text');
  });
});

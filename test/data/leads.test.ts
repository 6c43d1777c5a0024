// Loading leads: typed columns, inference, outcome words, --missing, @row,
// renames, hostile column names, JSON Lines, strict and lenient modes.
import { describe, expect, it } from 'vitest';
import { leadIndex, loadLeadsSync } from '../../simulator/data/leads.js';
import type { Column, LeadTable, LoadOptions } from '../../simulator/data/table.js';
import { DataError } from '../../simulator/data/errors.js';
import { brief, diagnosticsOf } from './helpers.js';

function load(text: string, options: LoadOptions & { format?: 'csv' | 'jsonl' } = {}, name = 'leads.csv'): LeadTable {
  return loadLeadsSync({ name, text }, options);
}
function col(t: LeadTable, name: string): Column {
  const c = t.columns.get(name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}
function texts(c: Column): (string | null)[] {
  if (c.type !== 'text') throw new Error(`not text: ${c.type}`);
  return [...c.codes].map((k) => (k < 0 ? null : c.dict[k]!));
}

describe('typed columns', () => {
  const t = load(
    'id,outcome,created_at,closed_at,employees,ratio,opt_in,seen,industry\n' +
      'L1,won,2026-01-10,2026-02-01T09:30:00Z,120,0.5,yes,2026-01-11,Software\n' +
      'L2,lost,,,,-1e3,NO,,Retail\n' +
      'L3,,2026-01-10T09:30:00+02:00,, 7 ,.25,true,2026-03-01,Software\n',
  );

  it('has the rows, ids, lines and outcome', () => {
    expect(t.n).toBe(3);
    expect(t.ids).toEqual(['L1', 'L2', 'L3']);
    expect([...t.lines]).toEqual([2, 3, 4]);
    expect([...t.outcome]).toEqual([1, 0, -1]);
    expect(t.header).toEqual(['id', 'outcome', 'created_at', 'closed_at', 'employees', 'ratio', 'opt_in', 'seen', 'industry']);
    expect([...t.columns.keys()]).toEqual(['employees', 'ratio', 'opt_in', 'seen', 'industry']);
  });

  it('reads created_at and closed_at as UTC epoch ms (no offset = UTC)', () => {
    expect(t.createdAt[0]).toBe(Date.UTC(2026, 0, 10));
    expect(t.createdAt[1]).toBeNaN();
    expect(t.createdAt[2]).toBe(Date.UTC(2026, 0, 10, 7, 30));
    expect(t.closedAt[0]).toBe(Date.UTC(2026, 1, 1, 9, 30));
    expect(t.closedAt[1]).toBeNaN();
  });

  it('infers number, bool, date and text over the whole column', () => {
    expect(col(t, 'employees')).toEqual({ type: 'number', values: new Float64Array([120, NaN, 7]) });
    expect(col(t, 'ratio')).toEqual({ type: 'number', values: new Float64Array([0.5, -1000, 0.25]) });
    expect(col(t, 'opt_in')).toEqual({ type: 'bool', values: new Uint8Array([1, 0, 1]) });
    expect(col(t, 'seen')).toEqual({ type: 'date', values: new Float64Array([Date.UTC(2026, 0, 11), NaN, Date.UTC(2026, 2, 1)]) });
    const ind = col(t, 'industry');
    expect(ind.type).toBe('text');
    expect(texts(ind)).toEqual(['Software', 'Retail', 'Software']);
    if (ind.type === 'text') expect(ind.dict).toEqual(['Software', 'Retail']);
  });

  it('one non-number anywhere makes the column text, keeping the spelling', () => {
    const u = load('id,outcome,zip\nA,won,02134\nB,lost,10001\nC,lost,n/a\n');
    expect(texts(col(u, 'zip'))).toEqual(['02134', '10001', 'n/a']);
  });

  it('a 0/1 column is a number, and a column with no values is text', () => {
    const u = load('id,outcome,flag,empty\nA,won,1,\nB,lost,0,\n');
    expect(col(u, 'flag')).toEqual({ type: 'number', values: new Float64Array([1, 0]) });
    expect(texts(col(u, 'empty'))).toEqual([null, null]);
  });

  it('declared types win over inference', () => {
    const u = load('id,outcome,zip,flag,when\nA,won,02134,y,1768037400000\nB,lost,,N,2026-01-10\n', {
      types: { zip: 'text', flag: 'bool', when: 'date' },
    });
    expect(texts(col(u, 'zip'))).toEqual(['02134', null]);
    expect(col(u, 'flag')).toEqual({ type: 'bool', values: new Uint8Array([1, 0]) });
    expect(col(u, 'when')).toEqual({ type: 'date', values: new Float64Array([1768037400000, Date.UTC(2026, 0, 10)]) });
  });

  it('a declared column missing from the file is a warning naming it', () => {
    const u = load('id,outcome,Employees\nA,won,3\n', { types: { employees: 'number' } });
    expect(u.warnings.map((d) => `${d.code} ${d.severity} ${d.message}`)).toEqual([
      'LQL521 warning The ruleset reads `employees` but the leads file has no such column; every lead is missing it. The file has `Employees`; did you mean that?',
    ]);
  });
});

describe('outcome words', () => {
  it('accepts every synonym in any case; empty is open', () => {
    const words = ['won', 'WON', 'lost', 'Open', '1', '0', 'true', 'False', 'yes', 'NO', 'converted', 'Closed_Won', 'closed_lost', '', ' won '];
    const t = load('id,outcome\n' + words.map((w, i) => `L${i},${w}`).join('\n') + '\n');
    expect([...t.outcome]).toEqual([1, 1, 0, -1, 1, 0, 1, 0, 1, 0, 1, 1, 0, -1, 1]);
  });

  it('any other word is an error listing the accepted words', () => {
    const [d] = diagnosticsOf(() => load('id,outcome\nL1,won\nL2,pending\n'));
    expect(brief(d!)).toBe(
      '3:4 LQL511 `pending` in column `outcome` is not an outcome; expected won, lost or open (also 1/0, true/false, yes/no, converted, closed_won/closed_lost, in any case), or an empty cell for open.',
    );
  });
});

describe('--missing placeholders', () => {
  const text = 'id,outcome,city,visits,ok\nA,won,Select,unknown,yes\nB,lost,Pune,3,unknown\nC,unknown,Select,4,no\n';

  it('are missing in every column, and open as an outcome', () => {
    const t = load(text, { missing: ['Select', 'unknown'] });
    expect(texts(col(t, 'city'))).toEqual([null, 'Pune', null]);
    expect(col(t, 'visits')).toEqual({ type: 'number', values: new Float64Array([NaN, 3, 4]) });
    expect(col(t, 'ok')).toEqual({ type: 'bool', values: new Uint8Array([1, 2, 0]) });
    expect([...t.outcome]).toEqual([1, 0, -1]);
  });

  it('also in declared columns', () => {
    const t = load(text, { missing: ['Select', 'unknown'], types: { visits: 'number', ok: 'bool', city: 'text' } });
    expect(col(t, 'visits')).toEqual({ type: 'number', values: new Float64Array([NaN, 3, 4]) });
    expect(col(t, 'ok')).toEqual({ type: 'bool', values: new Uint8Array([1, 2, 0]) });
    expect(texts(col(t, 'city'))).toEqual([null, 'Pune', null]);
  });

  it('without --missing they are ordinary values', () => {
    const [d] = diagnosticsOf(() => load(text));
    expect(d!.code).toBe('LQL511');
    const t = load(text.replace('C,unknown', 'C,'));
    expect(texts(col(t, 'city'))).toEqual(['Select', 'Pune', 'Select']);
    expect(texts(col(t, 'visits'))).toEqual(['unknown', '3', '4']);
  });
});

describe('ids and renames', () => {
  it('@row numbers the data rows 1, 2, ... and the file needs no id column', () => {
    const t = load('"age";"y"\n58;"no"\n44;"yes"\n', { id: '@row', outcome: 'y' });
    expect(t.ids).toEqual(['1', '2']);
    expect([...t.outcome]).toEqual([0, 1]);
    expect([...t.columns.keys()]).toEqual(['age']);
  });

  it('--id and --outcome rename the columns; an `id` column is then an attribute', () => {
    const t = load('Prospect ID,Converted,id\np-1,1,7\np-2,0,8\n', { id: 'Prospect ID', outcome: 'Converted' });
    expect(t.ids).toEqual(['p-1', 'p-2']);
    expect([...t.outcome]).toEqual([1, 0]);
    expect(col(t, 'id')).toEqual({ type: 'number', values: new Float64Array([7, 8]) });
  });

  it('finds a repeated id whether the ids before it were in order or not', () => {
    const cases: [string, string[], string[]][] = [
      ['L1,L2,L3,L2', ['L1', 'L2', 'L3'], ['5:1 LQL509 Lead id `L2` is already used on line 3; expected every lead once, with a unique id.']],
      ['L1,L2,L2,L3', ['L1', 'L2', 'L3'], ['4:1 LQL509 Lead id `L2` is already used on line 3; expected every lead once, with a unique id.']],
      ['b,a,c,b,a', ['b', 'a', 'c'], ['5:1 LQL509 Lead id `b` is already used on line 2; expected every lead once, with a unique id.', '6:1 LQL509 Lead id `a` is already used on line 3; expected every lead once, with a unique id.']],
      ['a,ab,abc,ab,b', ['a', 'ab', 'abc', 'b'], ['5:1 LQL509 Lead id `ab` is already used on line 3; expected every lead once, with a unique id.']],
    ];
    for (const [list, ids, issues] of cases) {
      const text = 'id,outcome\n' + list.split(',').map((id) => `${id},won\n`).join('');
      const t = load(text, { lenient: true });
      expect(t.ids, list).toEqual(ids);
      expect(t.rejected.diagnostics.map(brief), list).toEqual(issues);
      expect(diagnosticsOf(() => load(text)).map(brief), list).toEqual(issues);
      const index = leadIndex(t);
      ids.forEach((id, row) => expect(index.values[index.find(id, 0, id.length)]).toBe(row));
      expect(index.find('zz', 0, 2)).toBe(-1);
    }
  });

  it('a rejected row does not use up its id', () => {
    const t = load('id,outcome\nL1,won\nL2,maybe\nL2,lost\nL0,won\nL2,won\n', { lenient: true });
    expect(t.ids).toEqual(['L1', 'L2', 'L0']);
    expect(t.rejected.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.code}`)).toEqual(['3:4 LQL511', '6:1 LQL509']);
    expect(leadIndex(t).values[leadIndex(t).find('L0', 0, 2)]).toBe(2);
  });

  it('a missing id column suggests a close name and --id @row', () => {
    const [d] = diagnosticsOf(() => load('ID,outcome\n1,won\n'));
    expect(brief(d!)).toBe(
      '1:1 LQL502 The leads file has no `id` column. Did you mean `ID`? Use --id "ID". Or use --id @row to number the rows. Columns found: `ID`, `outcome`.',
    );
    const [e] = diagnosticsOf(() => load('id,Outcome\n1,won\n'));
    expect(e!.message).toBe('The leads file has no `outcome` column. Did you mean `Outcome`? Use --outcome "Outcome". Columns found: `id`, `Outcome`.');
  });
});

describe('hostile column names and values', () => {
  it('are ordinary names and values', () => {
    const names = ['__proto__', 'constructor', 'toString', 'has "quotes"', 'with space', 'ünï cødé', 'hasOwnProperty', ''];
    const header = ['id', 'outcome', ...names].map((n) => '"' + n.replace(/"/g, '""') + '"').join(',');
    const t = load(`${header}\n__proto__,won,1,2,3,4,5,6,7,8\nconstructor,lost,a,b,9,d,e,f,g,h\n`, {
      types: { constructor: 'text', toString: 'number' } as Record<string, 'text' | 'number'>,
    });
    expect(t.ids).toEqual(['__proto__', 'constructor']);
    expect([...t.columns.keys()]).toEqual(names);
    expect(texts(col(t, '__proto__'))).toEqual(['1', 'a']);
    expect(texts(col(t, 'constructor'))).toEqual(['2', 'b']);
    expect(col(t, 'toString')).toEqual({ type: 'number', values: new Float64Array([3, 9]) });
    expect(texts(col(t, ''))).toEqual(['8', 'h']);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('a declared-types record is read by own keys only', () => {
    // `constructor` is not declared here, even though every object has one
    const t = load('id,outcome,constructor\nA,won,12\n', { types: {} });
    expect(col(t, 'constructor').type).toBe('number');
  });

  it('accepts the types as a Map', () => {
    const t = load('id,outcome,n\nA,won,12\n', { types: new Map([['n', 'text' as const]]) });
    expect(texts(col(t, 'n'))).toEqual(['12']);
  });
});

describe('JSON Lines', () => {
  const text =
    '{"id":"L1","outcome":"won","employees":120,"vip":true,"city":"Pune"}\n' +
    '\n' +
    '{"id":"L2","outcome":null,"employees":"7","vip":false,"__proto__":"x"}\r\n' +
    '  \n' +
    '{"id":3,"outcome":"lost","city":null}\n';

  it('reads objects, new keys as new columns, absent and null as missing', () => {
    const t = load(text, {}, 'leads.jsonl');
    expect(t.ids).toEqual(['L1', 'L2', '3']);
    expect([...t.lines]).toEqual([1, 3, 5]);
    expect([...t.outcome]).toEqual([1, -1, 0]);
    expect(t.header).toEqual(['id', 'outcome', 'employees', 'vip', 'city', '__proto__']);
    expect(col(t, 'employees')).toEqual({ type: 'number', values: new Float64Array([120, 7, NaN]) });
    expect(col(t, 'vip')).toEqual({ type: 'bool', values: new Uint8Array([1, 0, 2]) });
    expect(texts(col(t, 'city'))).toEqual(['Pune', null, null]);
    expect(texts(col(t, '__proto__'))).toEqual([null, 'x', null]);
  });

  it('is detected from the first character when the name says nothing', () => {
    expect(load(text, {}, 'leads.data').n).toBe(3);
  });
});

describe('strict and lenient', () => {
  const text = 'id,outcome,employees\nL1,won,1\nL2,lost,many\nL3,maybe,3\nL1,won,4\nL4,lost,5,6\nL5,open,7\n';

  it('strict reads on to count every bad row, then stops', () => {
    let err: unknown;
    try {
      load(text, { types: { employees: 'number' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    const e = err as DataError;
    // rows at lines 3 (many), 4 (maybe), 5 (L1 again), 6 (4 fields): four bad rows, all listed
    expect(e.badRows).toBe(4);
    expect(e.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.code}`)).toEqual(['3:9 LQL512', '4:4 LQL511', '5:1 LQL509', '6:11 LQL506']);
    expect(brief(e.diagnostics[0]!)).toBe(
      '3:9 LQL512 `many` in column `employees` is not a number; expected a finite decimal number such as 42, -1.5 or 1e3 (the ruleset reads this column as a number), or an empty cell for missing.',
    );
  });

  it('lenient skips each bad row whole and counts it', () => {
    const t = load(text, { types: { employees: 'number' }, lenient: true });
    expect(t.ids).toEqual(['L1', 'L5']);
    expect(col(t, 'employees')).toEqual({ type: 'number', values: new Float64Array([1, 7]) });
    expect(t.rejected.rows).toBe(4);
    expect(t.rejected.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.code}`)).toEqual([
      '3:9 LQL512',
      '4:4 LQL511',
      '5:1 LQL509',
      '6:11 LQL506',
    ]);
    expect(t.rejected.diagnostics.every((d) => d.file === 'leads.csv')).toBe(true);
  });

  it('a rejected row adds nothing to an inferred column', () => {
    const t = load('id,outcome,size\nA,won,1\nB,bogus,abc\nC,lost,3\n', { lenient: true });
    expect(col(t, 'size')).toEqual({ type: 'number', values: new Float64Array([1, 3]) });
  });

  it('keeps at most 100 diagnostics but counts every row', () => {
    const rows = Array.from({ length: 250 }, (_, i) => `L${i},nope`).join('\n');
    const t = load(`id,outcome\nA,won\n${rows}\n`, { lenient: true });
    expect(t.n).toBe(1);
    expect(t.rejected.rows).toBe(250);
    expect(t.rejected.diagnostics.length).toBe(100);
  });
});

// The CSV reader: RFC 4180 quoting, line ends, BOM, delimiter detection,
// positions, and that splitting the input anywhere never changes the result.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { detectDelimiter } from '../../simulator/data/csv.js';
import { brief, readCsv, readCsvRanges } from './helpers.js';

describe('RFC 4180', () => {
  it('reads plain fields and a header', () => {
    const r = readCsv(['a,b,c\n1,2,3\n4,5,6\n']);
    expect(r.header).toEqual(['a', 'b', 'c']);
    expect(r.rows).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
    expect(r.lines).toEqual([2, 3]);
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks', () => {
    const r = readCsv(['name,note\n"Smith, Jo","said ""hi"""\n"multi\nline",x\nlast,"a\r\nb"\n']);
    expect(r.rows).toEqual([
      ['Smith, Jo', 'said "hi"'],
      ['multi\nline', 'x'],
      ['last', 'a\r\nb'],
    ]);
    // the record with an embedded line break starts on line 3; the next on line 5
    expect(r.lines).toEqual([2, 3, 5]);
  });

  it('reads empty fields, quoted empty fields and a missing final line break', () => {
    const r = readCsv(['a,b,c\n,,\n"",x,""\n1,2,3']);
    expect(r.rows).toEqual([
      ['', '', ''],
      ['', 'x', ''],
      ['1', '2', '3'],
    ]);
  });

  it('reads CRLF, LF and lone CR line ends alike', () => {
    expect(readCsv(['a,b\r\n1,2\r\n3,4\r\n']).rows).toEqual([['1', '2'], ['3', '4']]);
    expect(readCsv(['a,b\r1,2\r3,4\r']).rows).toEqual([['1', '2'], ['3', '4']]);
    expect(readCsv(['a,b\n1,2\r\n3,4']).rows).toEqual([['1', '2'], ['3', '4']]);
  });

  it('skips blank lines but keeps counting lines', () => {
    const r = readCsv(['a,b\n\n1,2\n\r\n\n3,4\n\n']);
    expect(r.rows).toEqual([['1', '2'], ['3', '4']]);
    expect(r.lines).toEqual([3, 6]);
  });

  it('drops a UTF-8 byte order mark and keeps unicode text', () => {
    const r = readCsv(['\uFEFFid,ville\n1,Zürich 🚀\n']);
    expect(r.header).toEqual(['id', 'ville']);
    expect(r.rows).toEqual([['1', 'Zürich 🚀']]);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(readCsv(['a,b\n5" screen,x\n']).rows).toEqual([['5" screen', 'x']]);
  });
});

describe('delimiter', () => {
  it('is detected from the header line', () => {
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('"a";"b";"c"')).toBe(';');
    expect(detectDelimiter('"a;x",b')).toBe(',');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('single')).toBe(',');
  });

  it('reads a ;-separated file where every field is quoted', () => {
    const r = readCsv(['"age";"job";"y"\n58;"management";"no"\n44;"tech; ops";"yes"\n']);
    expect(r.header).toEqual(['age', 'job', 'y']);
    expect(r.rows).toEqual([
      ['58', 'management', 'no'],
      ['44', 'tech; ops', 'yes'],
    ]);
  });

  it('detects the delimiter even when the header arrives in pieces', () => {
    const r = readCsv(['"a"', ';"b', '"\n1;', '2\n']);
    expect(r.rows).toEqual([['1', '2']]);
  });
});

describe('splitting the input anywhere gives the same rows', () => {
  const text =
    '\uFEFFid,"na,me",note\r\nL1,"Jo ""JJ"" Smith","line1\nline2"\r\n\r\nL2,,x\rL3,"",\n"L4","a,b",""""\n';
  const whole = readCsv([text]);

  it('every single split point', () => {
    expect(whole.rows.length).toBe(4);
    for (let k = 0; k <= text.length; k++) {
      const r = readCsv([text.slice(0, k), text.slice(k)]);
      expect(r.header, `split at ${k}`).toEqual(whole.header);
      expect(r.rows, `split at ${k}`).toEqual(whole.rows);
      expect(r.lines, `split at ${k}`).toEqual(whole.lines);
    }
  });

  it('random chunkings (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces: string[] = [];
        let prev = 0;
        for (const p of points) {
          pieces.push(text.slice(prev, p));
          prev = p;
        }
        pieces.push(text.slice(prev));
        const r = readCsv(pieces);
        expect(r.rows).toEqual(whole.rows);
        expect(r.lines).toEqual(whole.lines);
      }),
    );
  });

  it('ranges of one string, cut anywhere (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 8 }), (cuts) => {
        const r = readCsvRanges(text, cuts);
        expect(r.header).toEqual(whole.header);
        expect(r.rows).toEqual(whole.rows);
        expect(r.lines).toEqual(whole.lines);
      }),
    );
  });

  it('places every error the same, in pieces or in ranges, split at every point', () => {
    const bad = '\uFEFFid,note\r\nL1,"a"b\nL2,x,y\nL3\n\nL4,"multi\nline"\r\nL5,"open\nL6,z\n';
    const placed = (r: ReturnType<typeof readCsv>) => ({
      rows: r.rows,
      lines: r.lines,
      issues: r.issues.diagnostics.map((d) => ({ message: brief(d), range: d.range })),
    });
    const want = placed(readCsv([bad], { lenient: true }));
    expect(want.rows).toEqual([['L4', 'multi\nline'], ['L6', 'z']]);
    expect(want.issues.map((i) => i.message.split(' ').slice(0, 2).join(' '))).toEqual(['2:7 LQL505', '3:6 LQL506', '4:3 LQL507', '8:4 LQL504']);
    for (let k = 0; k <= bad.length; k++) {
      expect(placed(readCsv([bad.slice(0, k), bad.slice(k)], { lenient: true })), `split at ${k}`).toEqual(want);
      expect(placed(readCsvRanges(bad, [k], { lenient: true })), `range cut at ${k}`).toEqual(want);
      expect(placed(readCsvRanges(bad, [k, k + 3, k + 11], { lenient: true })), `range cuts at ${k}`).toEqual(want);
    }
  });

  it('round-trips any table written with RFC 4180 quoting (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '😀'), maxLength: 6 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 5 }), fc.nat(200), (ncol, rows, cut) => {
        const q = (s: string) => '"' + s.replace(/"/g, '""') + '"';
        const header = Array.from({ length: ncol }, (_, i) => `c${i}`);
        const body = rows.map((r) => r.slice(0, ncol));
        const text = [header.join(','), ...body.map((r) => r.map(q).join(','))].join('\r\n') + '\r\n';
        const k = cut % (text.length + 1);
        const r = readCsv([text.slice(0, k), text.slice(k)]);
        expect(r.header).toEqual(header);
        expect(r.rows).toEqual(body);
      }),
    );
  });
});

describe('syntax errors name the line and character column', () => {
  it('an unterminated quote', () => {
    const r = readCsv(['id,note\nL1,"open\nL2,x\n'], { lenient: true });
    expect(r.issues.diagnostics.map(brief)).toEqual([
      '2:4 LQL504 This quoted field is never closed: expected a closing `"` before the end of the file. A `"` inside a quoted field is written twice: `""`.',
    ]);
    // lenient: reading resumes on the line after the one where the quote opened
    expect(r.rows).toEqual([['L2', 'x']]);
    expect(r.issues.rows).toBe(1);
  });

  it('text after a closing quote', () => {
    const r = readCsv(['id,note\nL1,"a"b,c\nL2,x\n'], { lenient: true });
    expect(r.issues.diagnostics.map(brief)).toEqual([
      '2:7 LQL505 Unexpected `b` after the closing quote of a field; expected `,` or the end of the line. A `"` inside a quoted field is written twice: `""`.',
    ]);
    expect(r.rows).toEqual([['L2', 'x']]);
  });

  it('ragged rows, columns counted in characters on the row\'s own line', () => {
    const r = readCsv(['a;b\n"x\ny";2;3\n1\n'], { lenient: true });
    expect(r.issues.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.code}`)).toEqual([
      // the third field of the record that starts on line 2 is on line 3, after `y";2;`
      '3:6 LQL506',
      '4:2 LQL507',
    ]);
    expect(r.rows).toEqual([]);
  });

  it('a line longer than the limit, without hanging, in any chunking', () => {
    const long = 'x'.repeat(5000);
    for (const size of [7, 100, 4096, 100_000]) {
      const text = `id,note\nL1,ok\nL2,${long}\nL3,fine\n`;
      const pieces: string[] = [];
      for (let p = 0; p < text.length; p += size) pieces.push(text.slice(p, p + size));
      const cuts: number[] = [];
      for (let p = size; p < text.length; p += size) cuts.push(p);
      for (const r of [readCsv(pieces, { lenient: true, maxRecord: 1000 }), readCsvRanges(text, cuts, { lenient: true, maxRecord: 1000 })]) {
        expect(r.rows).toEqual([['L1', 'ok'], ['L3', 'fine']]);
        expect(r.lines).toEqual([2, 4]);
        expect(r.issues.diagnostics.map(brief)).toEqual([
          '3:1 LQL508 This line is longer than 1,000 characters, the longest a row may be; expected rows separated by line breaks. Is this a CSV file?',
        ]);
      }
    }
  });
});

// The corpus of malformed files in test/fixtures/data: each gives exactly
// one diagnostic with the file, line, character column and message written
// below by hand; lenient mode skips and counts the bad rows instead.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEventsFile, loadLeadsFile } from '../../simulator/data/files.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import type { LoadOptions } from '../../simulator/data/table.js';
import { brief, dataErrorOfAsync, diagnosticsOfAsync } from './helpers.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'data');
const fixture = (name: string) => join(dir, name);

const QUOTE_HINT = 'A `"` inside a quoted field is written twice: `""`.';

const cases: { file: string; options?: LoadOptions; expected: string; badRows?: number }[] = [
  {
    file: 'unterminated-quote.csv',
    expected: `3:9 LQL504 This quoted field is never closed: expected a closing \`"\` before the end of the file. ${QUOTE_HINT}`,
  },
  {
    file: 'too-many-fields.csv',
    expected: '3:12 LQL506 This row has 4 fields but the header has 3; expected 3 fields separated by `,`. Put a value that contains `,` in double quotes.',
  },
  {
    file: 'too-few-fields.csv',
    expected: '3:8 LQL507 This row has 2 fields but the header has 3; expected 3 fields separated by `,` (an empty value is still a field: `a,,c`).',
  },
  {
    file: 'duplicate-id.csv',
    expected: '4:1 LQL509 Lead id `L1` is already used on line 2; expected every lead once, with a unique id.',
  },
  {
    file: 'missing-id.csv',
    expected: '3:1 LQL510 This row has no lead id in column `id`; expected a unique id for every lead (or use --id @row to number the rows).',
  },
  {
    file: 'bad-date.csv',
    expected:
      '3:9 LQL513 `2026-02-30` in column `created_at` is not a date; expected an ISO 8601 date such as 2026-01-10 or 2026-01-10T09:30:00Z (no offset means UTC), or epoch milliseconds, or an empty cell for missing.',
  },
  {
    file: 'bad-number.csv',
    options: { types: { employees: 'number' } },
    expected:
      '3:9 LQL512 `twelve` in column `employees` is not a number; expected a finite decimal number such as 42, -1.5 or 1e3 (the ruleset reads this column as a number), or an empty cell for missing.',
  },
  {
    file: 'bad-number-quoted.csv',
    options: { types: { employees: 'number' } },
    expected:
      '3:9 LQL512 `1,200` in column `employees` is not a number; expected a finite decimal number such as 42, -1.5 or 1e3 (the ruleset reads this column as a number), or an empty cell for missing.',
  },
  {
    file: 'unknown-outcome.csv',
    expected:
      '3:4 LQL511 `maybe` in column `outcome` is not an outcome; expected won, lost or open (also 1/0, true/false, yes/no, converted, closed_won/closed_lost, in any case), or an empty cell for open.',
  },
  {
    file: 'text-after-quote.csv',
    expected: `2:14 LQL505 Unexpected \`h\` after the closing quote of a field; expected \`,\` or the end of the line. ${QUOTE_HINT}`,
  },
  {
    file: 'empty.csv',
    expected: '1:1 LQL500 The file is empty; expected a header row naming the columns (id, outcome, ...), then one row per lead.',
  },
  {
    file: 'header-only.csv',
    expected: '1:1 LQL501 The file has a header but no rows; expected one row per lead after the header.',
  },
  {
    file: 'duplicate-column.csv',
    expected: '1:14 LQL503 Column `x` appears twice in the header (fields 3 and 4); expected every column name once. Rename one of them.',
  },
  {
    file: 'missing-id-column.csv',
    expected:
      '1:1 LQL502 The leads file has no `id` column. Name the id column with --id COL, or use --id @row to number the rows. Columns found: `lead`, `outcome`.',
  },
  {
    // three bad lines (2: bad JSON, 3: an array, 4: a nested value): all listed, the first is
    file: 'bad.jsonl',
    badRows: 3,
    expected: '2:29 LQL515 This line is not a JSON object (it stops being valid JSON at column 29); expected one JSON object per line, like {"id": "L1", "outcome": "won"}.',
  },
  {
    file: 'duplicate-key.jsonl',
    expected: '2:50 LQL523 Key `employees` appears twice in this object (columns 33 and 50); expected every key once. Remove one of the two values.',
  },
];

describe('strict: bad rows stop the load, naming file, line and column', () => {
  for (const c of cases) {
    it(c.file, async () => {
      const ds = await diagnosticsOfAsync(() => loadLeadsFile(fixture(c.file), c.options));
      expect(ds.length).toBe(c.badRows ?? 1);
      expect(brief(ds[0]!)).toBe(c.expected);
      expect(ds[0]!.file).toBe(fixture(c.file));
      expect(ds[0]!.severity).toBe('error');
    });
  }
});

describe('JSON Lines keys', () => {
  it('a key-like text inside a value (quotes, escapes, braces) is not a second key', async () => {
    const t = await loadLeadsFile(fixture('key-like-text.jsonl'));
    expect(t.ids).toEqual(['L1']);
    expect([...t.columns.keys()]).toContain('note');
  });

  it('lenient: the line with a key written twice is skipped and counted', async () => {
    const t = await loadLeadsFile(fixture('duplicate-key.jsonl'), { lenient: true });
    expect(t.ids).toEqual(['L1']);
    expect(t.rejected.rows).toBe(1);
  });
});

describe('lenient: bad rows are skipped and counted', () => {
  it('unterminated quote: reading resumes on the next line', async () => {
    const t = await loadLeadsFile(fixture('unterminated-quote.csv'), { lenient: true });
    expect(t.ids).toEqual(['L1', 'L3']);
    expect(t.rejected.rows).toBe(1);
  });

  it('ragged rows, duplicate ids, bad values', async () => {
    for (const [file, ids] of [
      ['too-many-fields.csv', ['L1', 'L3']],
      ['too-few-fields.csv', ['L1', 'L3']],
      ['duplicate-id.csv', ['L1', 'L2']],
      ['bad-date.csv', ['L1']],
      ['unknown-outcome.csv', ['L1']],
      ['missing-id.csv', ['L1']],
    ] as const) {
      const t = await loadLeadsFile(fixture(file), { lenient: true });
      expect(t.ids, file).toEqual(ids);
      expect(t.rejected.rows, file).toBe(1);
      expect(t.rejected.diagnostics.length, file).toBe(1);
    }
  });

  it('JSON Lines: bad JSON, a non-object and a nested value', async () => {
    const t = await loadLeadsFile(fixture('bad.jsonl'), { lenient: true });
    expect(t.ids).toEqual(['L1']);
    expect(t.rejected.rows).toBe(3);
    expect(t.rejected.diagnostics.map(brief)).toEqual([
      '2:29 LQL515 This line is not a JSON object (it stops being valid JSON at column 29); expected one JSON object per line, like {"id": "L1", "outcome": "won"}.',
      '3:1 LQL515 This line is not a JSON object (found an array); expected one JSON object per line, like {"id": "L1", "outcome": "won"}.',
      '4:28 LQL516 The value of `tags` is an object; expected text, a number, true/false or null.',
    ]);
  });

  it('problems with the whole file still stop a lenient load', async () => {
    for (const file of ['empty.csv', 'header-only.csv', 'duplicate-column.csv', 'missing-id-column.csv']) {
      const ds = await diagnosticsOfAsync(() => loadLeadsFile(fixture(file), { lenient: true }));
      expect(ds.length, file).toBe(1);
    }
  });
});

describe('a byte order mark with CRLF line ends and a quoted comma', () => {
  it('loads', async () => {
    const t = await loadLeadsFile(fixture('bom-crlf.csv'));
    expect(t.header).toEqual(['id', 'outcome', 'city']);
    expect(t.ids).toEqual(['L1', 'L2']);
    const city = t.columns.get('city');
    expect(city?.type === 'text' && [...city.codes].map((c) => city.dict[c])).toEqual(['Pune', 'Navi Mumbai, MH']);
    expect([...t.lines]).toEqual([2, 3]);
  });
});

describe('extremely long lines: a clear error, no hang, bounded memory', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lql-data-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('an unquoted 2 MB line', async () => {
    const path = join(tmp, 'long-line.csv');
    writeFileSync(path, 'id,outcome,note\nL1,won,ok\nL2,lost,' + 'x'.repeat(2 * 1024 * 1024) + '\nL3,won,fine\n');
    const ds = await diagnosticsOfAsync(() => loadLeadsFile(path));
    expect(ds.map(brief)).toEqual([
      '3:1 LQL508 This line is longer than 1,048,576 characters, the longest a row may be; expected rows separated by line breaks. Is this a CSV file?',
    ]);
    const t = await loadLeadsFile(path, { lenient: true });
    expect(t.ids).toEqual(['L1', 'L3']);
    expect([...t.lines]).toEqual([2, 4]);
    expect(t.rejected.rows).toBe(1);
  });

  it('a quote that is never closed, followed by 2 MB of lines', async () => {
    const path = join(tmp, 'long-quote.csv');
    writeFileSync(path, 'id,outcome,note\nL1,won,ok\nL2,lost,"' + ('y'.repeat(99) + '\n').repeat(20_000) + 'L3,won,fine\n');
    const e = await dataErrorOfAsync(() => loadLeadsFile(path));
    expect(brief(e.diagnostics[0]!)).toBe(
      '3:9 LQL508 This row is longer than 1,048,576 characters, the longest a row may be; the quoted field that starts here (line 3, column 9) is probably never closed. A `"` inside a quoted field is written twice: `""`.',
    );
    // strict counts the rows the lenient load skips (below): the bad row and the 19,999 short lines after it
    expect(e.badRows).toBe(1 + 19_999);
    expect(e.diagnostics.length).toBe(5);
    // lenient: resumes on line 4; the first run of y's is on line 3 itself, so the
    // 19,999 following 1-field lines are each a short row
    const t = await loadLeadsFile(path, { lenient: true });
    expect(t.ids).toEqual(['L1', 'L3']);
    expect(t.rejected.rows).toBe(1 + 19_999);
    expect(t.rejected.diagnostics.length).toBe(100);
  });

  it('a JSON Lines line over the limit', () => {
    const text = '{"id":"L1","outcome":"won"}\n{"id":"L2","note":"' + 'z'.repeat(5000) + '"}\n{"id":"L3","outcome":"lost"}\n';
    const t = loadLeadsSync({ name: 'l.jsonl', text }, { lenient: true, maxRecord: 1000, chunkSize: 512 });
    expect(t.ids).toEqual(['L1', 'L3']);
    expect(t.rejected.diagnostics.map(brief)).toEqual([
      '2:1 LQL508 This line is longer than 1,000 characters, the longest a row may be; expected one JSON object per line, each on its own line.',
    ]);
  });
});

describe('events file errors', () => {
  it('a bad time stops the load; an unknown lead does not', async () => {
    const leads = loadLeadsSync({ name: 'l.csv', text: 'id,outcome\nL1,won\nL2,lost\n' });
    const ds = await diagnosticsOfAsync(() => loadEventsFile(fixture('events-bad.csv'), leads, ['visit']));
    expect(ds.map(brief)).toEqual([
      '4:9 LQL518 `yesterday` in column `at` is not a time; expected an ISO 8601 time such as 2026-01-10T09:30:00Z (no offset means UTC) or epoch milliseconds such as 1768037400000.',
    ]);
    const ev = await loadEventsFile(fixture('events-bad.csv'), leads, ['visit'], { lenient: true });
    expect(ev.rejected.rows).toBe(1);
    expect(ev.unknownLeads).toEqual({ events: 1, sample: ['ZZ'] });
    expect([...ev.offsets]).toEqual([0, 1, 1]);
  });

  it('a file that cannot be read is a diagnostic, not a raw exception', async () => {
    const ds = await diagnosticsOfAsync(() => loadLeadsFile(fixture('no-such-file.csv')));
    expect(ds[0]!.code).toBe('LQL522');
    expect(ds[0]!.message).toBe(`Cannot read \`${fixture('no-such-file.csv')}\`: no such file.`);
    const dd = await diagnosticsOfAsync(() => loadLeadsFile(dir));
    expect(dd[0]!.message).toBe(`Cannot read \`${dir}\`: it is a folder, not a file.`);
  });
});

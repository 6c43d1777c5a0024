/**
 * Columns are read as the ruleset types them, declared or from their use,
 * by both data readers (`lql score`/`simulate` in JS and `--engine duckdb`):
 * `zip starts with "0"` makes zip text, so `02134` stays `02134`; JSON
 * strings such as "042", "yes" or an ISO date stay text in a text column; a
 * column used as a number with `12,000`, `1e400`, `inf` or `NaN` is a bad
 * value named with file:line:col, never Infinity or a silently dropped row.
 * Expected values are worked by hand from the files below.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { run } from '../cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-typing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const ENGINES = [[], ['--engine', 'duckdb']];

/** `lql score` rows as objects (CSV on stdout, no quoted commas in these files). */
function rows(out: string): Record<string, string>[] {
  const [head, ...lines] = out.trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

describe('undeclared attributes are read as their use types them', () => {
  const rules = file(
    'zip.lql',
    'fit {\n  +10 when zip starts with "0"\n  +1 when code == "042"\n  +2 when answer == "yes"\n  +4 when note == "2026-01-01"\n  +100 when employees >= 10\n}\n',
  );

  test.each(ENGINES)('CSV: zip 02134 stays text %s', async (...engine) => {
    const leads = file('zip.csv', 'id,outcome,zip,code,answer,note,employees\na,won,02134,042,yes,2026-01-01,12\nb,lost,90210,42,no,x,9\n');
    const r = await run(['score', rules, '--leads', leads, '--as-of', '2026-02-01', ...engine]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // a: 10 + 1 + 2 + 4 + 100 = 117; b: 90210 does not start with 0, "42" is not "042", no, x, 9 < 10 -> 0
    expect(rows(r.out).map((x) => [x.id, x.fit])).toEqual([['a', '117'], ['b', '0']]);
  });

  test.each(ENGINES)('JSON Lines: "042", "yes" and ISO-date strings stay text %s', async (...engine) => {
    const leads = file(
      'zip.jsonl',
      '{"id":"a","outcome":"won","zip":"02134","code":"042","answer":"yes","note":"2026-01-01","employees":12}\n' +
        '{"id":"b","outcome":"lost","zip":2134,"code":42,"answer":true,"note":"2026-01-01T00:00:00Z","employees":"10"}\n',
    );
    const r = await run(['score', rules, '--leads', leads, '--as-of', '2026-02-01', ...engine]);
    expect(r.err).toBe('');
    // a: 117 as above; b: zip 2134 -> "2134" (no leading 0), code 42 -> "42", true -> "true",
    // the note is another text, employees "10" -> 10 >= 10: 100
    expect(rows(r.out).map((x) => [x.id, x.fit])).toEqual([['a', '117'], ['b', '100']]);
  });
});

describe('a column used as a number holds a bad value', () => {
  const rules = file('emp.lql', 'fit { +10 when employees >= 10 }\n');
  test.each([
    ['12,000', 'emp1.csv', 'id,outcome,employees\na,won,5\nb,lost,"12,000"\n', 3, 8],
    ['1e400', 'emp2.csv', 'id,outcome,employees\na,won,5\nb,lost,1e400\n', 3, 8],
    ['inf', 'emp3.csv', 'id,outcome,employees\na,won,inf\n', 2, 7],
    ['NaN', 'emp4.csv', 'id,outcome,employees\na,won,NaN\n', 2, 7],
  ] as const)('%s: LQL512 with file:line:col in both engines', async (value, name, text, line, col) => {
    const leads = file(name, text);
    for (const engine of ENGINES) {
      const r = await run(['score', rules, '--leads', leads, '--as-of', '2026-02-01', ...engine]);
      expect(r.code, engine.join(' ')).toBe(1);
      expect(r.out).toBe('');
      expect(r.err, engine.join(' ')).toContain(`${name}:${line}:${col}: error LQL512: \`${value}\` in column \`employees\` is not a number`);
    }
  });

  test('JSON Lines: 1e400 as a JSON number is a bad value too', async () => {
    const leads = file('emp.jsonl', '{"id":"a","outcome":"won","employees":1e400}\n');
    for (const engine of ENGINES) {
      const r = await run(['score', rules, '--leads', leads, ...engine]);
      expect(r.code, engine.join(' ')).toBe(1);
      expect(r.err, engine.join(' ')).toMatch(/emp\.jsonl:1:\d+: error LQL512/);
    }
  });
});

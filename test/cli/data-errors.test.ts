// Data errors as a user sees them: every bad row is counted (the first five
// are listed with file:line:col), and `--lenient` is offered only when
// skipping bad rows would let the command run (never for a missing file,
// a missing column or an empty file). Each reader (CSV, JSON Lines, events)
// and each data command is covered.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-data-errors-'));
/** The lines of stderr a user reads first: the diagnostics and the summary (not the help-page links under them). */
const shown = (err: string) => err.trim().split('\n').filter((l) => !l.startsWith(' '));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const rules = file(
  'r.lql',
  'attribute employees: number\nactivity demo\nfit { +10 when employees >= 100 }\nengagement { +40 once demo }\nstages { MQL when fit >= 10  lead otherwise }\n',
);

// 20 leads; rows of L3, L5, L7, ..., L15 (7 rows) have a bad number in `employees`, at lines 4, 6, ..., 16
const leadLines = ['id,outcome,employees'];
for (let i = 1; i <= 20; i++) leadLines.push(`L${i},${i % 4 === 0 ? 'won' : 'lost'},${i % 2 === 1 && i >= 3 && i <= 15 ? 'many' : 50 * i}`);
const badCsv = file('bad.csv', leadLines.join('\n') + '\n');
const goodCsv = file('good.csv', leadLines.map((l) => l.replace(',many', ',7')).join('\n') + '\n');

describe('every bad row is counted, the first five are listed', () => {
  for (const cmd of ['simulate', 'score', 'suggest']) {
    it(`${cmd}: CSV leads with 7 bad rows`, async () => {
      const r = await run([cmd, rules, '--leads', badCsv]);
      expect(r.code).toBe(1);
      const lines = shown(r.err);
      // L3, L5, L7, L9 (lines 4-10, `many` at column 9 after `L3,lost,`) and L11 (line 12, column 10): the first five
      expect(lines.slice(0, 5).map((l) => l.replace(/: error LQL\d+:.*/, '').replace(dir + '/', ''))).toEqual([
        'bad.csv:4:9',
        'bad.csv:6:9',
        'bad.csv:8:9',
        'bad.csv:10:9',
        'bad.csv:12:10',
      ]);
      expect(lines[0]).toContain('error LQL512');
      expect(lines[5]).toBe(
        `7 rows of ${badCsv} have bad values (the first 5 are listed above). Nothing was computed. Fix them, or use --lenient to skip bad rows (they are counted in the report).`,
      );
      expect(lines).toHaveLength(6);
    });
  }

  it('with --lenient the 7 rows are skipped and counted: 13 leads remain', async () => {
    const r = await run(['simulate', rules, '--leads', badCsv, '--lenient', '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.leads).toBe(13);
    expect(rep.rejected.rows).toBe(7);
  });

  it('JSON Lines leads: one bad row is named in the singular', async () => {
    const jl = file(
      'bad.jsonl',
      ['{"id":"a","outcome":"won","employees":200}', '{"id":"b","outcome":"lost","employees":"lots"}', '{"id":"c","outcome":"lost","employees":3}'].join('\n') + '\n',
    );
    const r = await run(['simulate', rules, '--leads', jl]);
    expect(r.code).toBe(1);
    const lines = shown(r.err);
    expect(lines[0]).toMatch(/bad\.jsonl:2:\d+: error LQL512/);
    expect(lines[1]).toBe(`1 row of ${jl} has a bad value. Nothing was computed. Fix it, or use --lenient to skip bad rows (they are counted in the report).`);
    expect(lines).toHaveLength(2);
  });

  it('events: 3 rows with bad times and 1 without a type, counted together', async () => {
    const ev = file(
      'bad-events.csv',
      ['lead_id,type,at', 'L1,demo,2026-01-02', 'L2,demo,yesterday', 'L3,,2026-01-02', 'L4,demo,2026-13-01', 'L5,demo,soon', 'L6,demo,2026-01-03'].join('\n') + '\n',
    );
    for (const cmd of ['simulate', 'score', 'suggest']) {
      const r = await run([cmd, rules, '--leads', goodCsv, '--events', ev]);
      expect(r.code).toBe(1);
      const lines = shown(r.err);
      expect(lines.map((l) => /^[^:]*bad-events\.csv:(\d+):\d+: error (LQL\d+)/.exec(l)?.slice(1).join(' ')).slice(0, 4)).toEqual([
        '3 LQL518',
        '4 LQL517',
        '5 LQL518',
        '6 LQL518',
      ]);
      expect(lines[4]).toBe(`4 rows of ${ev} have bad values. Nothing was computed. Fix them, or use --lenient to skip bad rows (they are counted in the report).`);
    }
  });

  it('explain --leads stops on bad rows in the same words', async () => {
    const r = await run(['explain', rules, '--leads', badCsv, '--id', 'L2']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`7 rows of ${badCsv} have bad values (the first 5 are listed above).`);
  });
});

describe('--lenient is not offered where it would not help', () => {
  const cases: [string, string[], RegExp][] = [
    ['a missing file', ['--leads', join(dir, 'nope.csv')], /LQL522/],
    ['a missing id column', ['--leads', file('noid.csv', 'key,outcome\na,won\n')], /LQL502/],
    ['a missing outcome column', ['--leads', file('nooutcome.csv', 'id,result\na,won\n')], /LQL502/],
    ['an empty file', ['--leads', file('empty.csv', '')], /LQL500/],
    ['a header only', ['--leads', file('header.csv', 'id,outcome,employees\n')], /LQL501/],
    ['a duplicate column in the header', ['--leads', file('dup.csv', 'id,outcome,id\na,won,b\n')], /LQL503/],
    ['events without a type column', ['--leads', goodCsv, '--events', file('ev-notype.csv', 'lead_id,kind,at\nL1,demo,2026-01-01\n')], /LQL502/],
  ];
  for (const [what, args, code] of cases) {
    it(what, async () => {
      for (const cmd of ['simulate', 'score']) {
        const r = await run([cmd, rules, ...args]);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(code);
        expect(r.err).not.toContain('--lenient');
        expect(shown(r.err).at(-1)).toBe('Nothing was computed.');
      }
    });
  }
});

describe('--engine duckdb', () => {
  it('counts the bad rows as the JS engine does, and points at the JS engine for --lenient', async () => {
    const js = await run(['simulate', rules, '--leads', badCsv]);
    const duck = await run(['simulate', rules, '--leads', badCsv, '--engine', 'duckdb']);
    expect(duck.code).toBe(1);
    expect(duck.err).toBe(js.err.replace('use --lenient', 'use --engine js --lenient'));
    expect(duck.err).toContain('7 rows of');
  });
});

describe('the API', () => {
  it('an LqlError lists the first five bad rows and counts them all', async () => {
    const { simulate, LqlError } = await import('../../api/index.js');
    const { readFileSync } = await import('node:fs');
    let err: unknown;
    try {
      await simulate(readFileSync(rules, 'utf8'), { leads: badCsv });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LqlError);
    const e = err as InstanceType<typeof LqlError>;
    expect(e.diagnostics).toHaveLength(5);
    expect(e.message.trim().split('\n').at(-1)).toBe(`7 rows of ${badCsv} have bad values (the first 5 are listed above).`);
  });
});

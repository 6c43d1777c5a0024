// The example rulesets on the real datasets in ../shared/data: they check,
// pass their tests, and `lql simulate --json` reports counts that match an
// independent count of the raw files (awk-style, written here by hand).
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, existsSync, mkdtempSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { csvCells } from '../support/independent.js';

const root = new URL('../../', import.meta.url).pathname;
const shared = join(root, '..', 'shared', 'data');
const lql = join(root, 'bin', 'lql.js');

function run(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [lql, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const cells = csvCells;

function countOutcome(file: string, delim: string, col: string, wonWords: string[]): { n: number; won: number } {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length);
  const head = cells(lines[0]!, delim);
  const k = head.indexOf(col);
  let won = 0;
  for (const l of lines.slice(1)) if (wonWords.includes(cells(l, delim)[k]!)) won++;
  return { n: lines.length - 1, won };
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) execFileSync('npm', ['run', 'build:cli'], { cwd: root, stdio: 'ignore' });
});

describe('example rulesets on the real datasets', () => {
  it('check cleanly, are formatted and pass their tests', () => {
    const files = ['examples/x-education/x-education.lql', 'examples/bank-marketing/bank-marketing.lql', 'examples/olist/olist.lql'];
    const c = run(['check', '--no-warnings', ...files]);
    expect(c.code, c.out + c.err).toBe(0);
    expect(run(['fmt', '--check', ...files]).code).toBe(0);
    const t = run(['test', ...files]);
    expect(t.code, t.out).toBe(0);
    expect(t.out.trim().split('\n').pop()).toMatch(/^\d+ passed, 0 failed$/);
  });

  it('X Education: counts match the raw file', () => {
    const file = join(shared, 'x-education', 'Leads.csv');
    const want = countOutcome(file, ',', 'Converted', ['1']);
    const r = run(['simulate', 'examples/x-education/x-education.lql', '--leads', file, '--id', 'Prospect ID', '--outcome', 'Converted', '--missing', 'Select', '--json']);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.mode).toBe('snapshot');
    expect(rep.leads).toBe(want.n);
    expect(rep.won).toBe(want.won);
    expect(want).toEqual({ n: 9240, won: 3561 }); // as the dataset's README states
    expect(rep.stages.at(-1).reached).toBe(want.n);
    for (const s of rep.stages) {
      expect(s.won + s.lost).toBe(s.reached);
      expect(s.precision).toBeCloseTo(s.won / s.reached, 12);
      expect(s.recall).toBeCloseTo(s.won / want.won, 12);
    }
  });

  it('UCI bank marketing: counts match the raw file', () => {
    const file = join(shared, 'uci-bank-marketing', 'bank-full.csv');
    const want = countOutcome(file, ';', 'y', ['yes']);
    const r = run(['simulate', 'examples/bank-marketing/bank-marketing.lql', '--leads', file, '--id', '@row', '--outcome', 'y', '--missing', 'unknown', '--json']);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out);
    expect([rep.leads, rep.won]).toEqual([want.n, want.won]);
    expect(want).toEqual({ n: 45211, won: 5289 });
    expect(rep.baseRate).toBeCloseTo(5289 / 45211, 12);
  });

  it('Olist: the join gives 8,000 leads, 842 won, and the report agrees', () => {
    const out = mkdtempSync(join(tmpdir(), 'lql-olist-'));
    execFileSync(process.execPath, [join(root, 'examples/olist/join.mjs'), join(shared, 'olist-marketing-funnel'), out]);
    const deals = readFileSync(join(shared, 'olist-marketing-funnel', 'olist_closed_deals_dataset.csv'), 'utf8').split(/\r?\n/).filter(Boolean).length - 1;
    const r = run(['simulate', 'examples/olist/olist.lql', '--leads', join(out, 'leads.csv'), '--events', join(out, 'events.csv'), '--json']);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.mode).toBe('events');
    expect(rep.leads).toBe(8000);
    expect(rep.won).toBe(deals); // every deal has its MQL
    expect(rep.weekly.weeks.length).toBeGreaterThan(40);
    const paid = rep.activities.find((a: { name: string }) => a.name === 'contact_paid_search');
    expect(paid.leads).toBe(1586); // rows with origin paid_search in the MQL file
  });
});

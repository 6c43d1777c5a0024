// `suggest` leaves out columns that identify leads or give the outcome away:
// generated data with a planted id, a planted running number and planted
// leaks, and the real X Education / bank files, each figure checked against
// an independent count of the same CSV.
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../cli/run.js';
import { readCsvRecords, seeded } from '../support/independent.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-guards-'));
const shared = join(new URL('../../', import.meta.url).pathname, '..', 'shared', 'data');

const RULES = `ruleset "planted"
attribute industry: text
attribute employees: number
fit {
  +20 when industry == "software"
}
engagement { +1 per employees, max 10 }
score total = fit + engagement
stages {
  MQL when total >= 20
  lead otherwise
}
`;

/** 2,000 leads: industry and employees carry a real signal; lead_no, crm_ref are ids; call_result and deal_value leak. */
function planted(): string {
  const rnd = seeded(11);
  const rows = ['id,outcome,lead_no,crm_ref,industry,employees,call_result,deal_value'];
  const used = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const industry = ['software', 'services', 'retail'][Math.floor(rnd() * 3)]!;
    const employees = Math.floor(rnd() * 40);
    const p = (industry === 'software' ? 0.5 : industry === 'services' ? 0.3 : 0.15) + employees / 400;
    const won = rnd() < p;
    let ref: string;
    do ref = 'R' + Math.floor(rnd() * 1e9).toString(16);
    while (used.has(ref));
    used.add(ref);
    const r = rnd();
    const call = won ? (r < 0.6 ? 'Signed' : 'Callback') : r < 0.6 ? 'No answer' : 'Callback';
    const deal = won ? String(500 + Math.floor(rnd() * 5000)) : '';
    rows.push([`L${i}`, won ? 'won' : 'lost', 100000 + 7 * i, ref, industry, employees, call, deal].join(','));
  }
  return rows.join('\n') + '\n';
}

const rules = join(dir, 'planted.lql');
const leads = join(dir, 'planted.csv');
beforeAll(() => {
  writeFileSync(rules, RULES);
  writeFileSync(leads, planted());
});

describe('suggest: id and leak guards on planted data', () => {
  it('leaves out the planted ids and leaks, with reasons, and keeps the real signals', async () => {
    const r = await run(['suggest', rules, '--leads', leads, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const byCol = Object.fromEntries(j.excluded.map((e: { column: string; reason: string }) => [e.column, e.reason]));
    expect(byCol).toEqual({ lead_no: 'id', crm_ref: 'id', call_result: 'leak', deal_value: 'leak' });
    const cols = new Set(j.attributes.map((a: { name: string }) => a.name));
    expect([...cols].sort()).toEqual(['employees', 'industry']);

    // evidence figures against an independent count of the CSV
    const recs = readCsvRecords(leads);
    const signed = recs.filter((x) => x.call_result === 'Signed');
    const noAnswer = recs.filter((x) => x.call_result === 'No answer');
    const ev = j.excluded.find((e: { column: string }) => e.column === 'call_result').evidence as string;
    expect(ev).toContain(`"Signed": ${signed.filter((x) => x.outcome === 'won').length} of ${signed.length} won (100.0%)`);
    expect(ev).toContain(`"No answer": ${noAnswer.filter((x) => x.outcome === 'lost').length} of ${noAnswer.length} lost (100.0%)`);
    const noDeal = recs.filter((x) => x.deal_value === '');
    expect(j.excluded.find((e: { column: string }) => e.column === 'deal_value').evidence).toContain(`missing: ${noDeal.length} of ${noDeal.length} lost`);
    expect(j.excluded.find((e: { column: string }) => e.column === 'lead_no').evidence).toMatch(/^rises with the row order in 100\.0% of rows/);
    expect(j.excluded.find((e: { column: string }) => e.column === 'crm_ref').evidence).toMatch(/^2000 different values in 2000 rows/);
  });

  it('--include keeps a flagged column (and says so); --exclude leaves out more', async () => {
    const r = await run(['suggest', rules, '--leads', leads, '--include', 'call_result', '--exclude', 'employees']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('call_result == "Signed"');
    expect(r.out).not.toMatch(/^\s+employees [<>]/m);
    expect(r.out).toMatch(/Kept with --include although they look suspicious:\n\s+call_result \(a possible leak\)/);
    expect(r.out).toMatch(/Columns left out[^\n]*\n(?:.*\n)*\s+employees: excluded: excluded with --exclude/);
    const j = JSON.parse((await run(['suggest', rules, '--leads', leads, '--include', 'call_result', '--json'])).out);
    expect(j.included.map((e: { column: string }) => e.column)).toEqual(['call_result']);
    expect(j.excluded.map((e: { column: string }) => e.column)).not.toContain('call_result');
  });

  it('an unknown column in --exclude is a usage error naming the nearest', async () => {
    const r = await run(['suggest', rules, '--leads', leads, '--exclude', 'call_reslt']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--exclude: the leads file has no column 'call_reslt'. Did you mean 'call_result'?");
  });
});

describe.skipIf(!existsSync(join(shared, 'x-education', 'Leads.csv')))('suggest guards on the real datasets', () => {
  it('X Education: Tags and Lead Quality are leaks, Lead Number an id; Lead Source is kept', async () => {
    const file = join(shared, 'x-education', 'Leads.csv');
    const r = await run(['suggest', 'examples/x-education/x-education.lql', '--leads', file, '--id', 'Prospect ID', '--outcome', 'Converted', '--missing', 'Select', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.excluded.map((e: { column: string; reason: string }) => `${e.column}:${e.reason}`)).toEqual(['Lead Number:id', 'Tags:leak', 'Lead Quality:leak']);
    const names = new Set(j.attributes.map((a: { name: string }) => a.name));
    expect(names.has('Tags') || names.has('Lead Quality') || names.has('Lead Number')).toBe(false);
    expect(names.has('Lead Source')).toBe(true);
    expect(j.snippet).not.toContain('Tags');
    // independent count of the raw file
    const recs = readCsvRecords(file);
    const worst = recs.filter((x) => x['Lead Quality'] === 'Worst');
    const horizzon = recs.filter((x) => x.Tags === 'Closed by Horizzon');
    expect(worst.length).toBe(601);
    const lq = j.excluded.find((e: { column: string }) => e.column === 'Lead Quality').evidence;
    expect(lq).toContain(`"Worst": ${worst.filter((x) => x.Converted === '0').length} of ${worst.length} lost (98.0%)`);
    const tags = j.excluded.find((e: { column: string }) => e.column === 'Tags').evidence;
    expect(tags).toContain('and 5 more such values');
    expect(horizzon.filter((x) => x.Converted === '1').length).toBe(356);
    // Lead Number falls row by row
    const nums = recs.map((x) => Number(x['Lead Number']));
    let down = 0;
    for (let i = 1; i < nums.length; i++) if (nums[i]! < nums[i - 1]!) down++;
    expect(j.excluded[0].evidence).toContain(`falls with the row order in ${((100 * down) / (nums.length - 1)).toFixed(1)}% of rows`);
  });

  it('UCI bank: the call duration (known only after the call) is a leak', async () => {
    const file = join(shared, 'uci-bank-marketing', 'bank-full.csv');
    const r = await run(['suggest', 'examples/bank-marketing/bank-marketing.lql', '--leads', file, '--id', '@row', '--outcome', 'y', '--missing', 'unknown', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.excluded.map((e: { column: string; reason: string }) => `${e.column}:${e.reason}`)).toEqual(['duration:leak']);
    const recs = readCsvRecords(file);
    const short = recs.filter((x) => Number(x.duration) < 89);
    expect(j.excluded[0].evidence).toContain(`below 89: ${short.filter((x) => x.y === 'no').length} of ${short.length} lost`);
  });
});

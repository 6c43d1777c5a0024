// The three real datasets in ../shared/data load with the right row counts
// and base rates. Expected counts were taken independently with Python's
// csv module (X Education: 9,240 rows, 3,561 with Converted = 1; bank-full:
// 45,211 rows, 5,289 with y = yes; Olist: 8,000 MQLs, 842 deals, all 842
// deal ids among the MQLs, first contacts 2017-06-14 .. 2018-05-31, 60 MQLs
// with no origin).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLeadsFile } from '../../simulator/data/files.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import type { Column } from '../../simulator/data/table.js';

const data = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const have = existsSync(join(data, 'x-education', 'Leads.csv'));

function count(c: Column | undefined, pred: (v: number) => boolean): number {
  if (!c || c.type === 'text') throw new Error('expected a typed column');
  let n = 0;
  for (const v of c.values) if (pred(v)) n++;
  return n;
}

describe.skipIf(!have)('real datasets', () => {
  it('X Education (CRLF, quoted commas, Select placeholders)', async () => {
    const t = await loadLeadsFile(join(data, 'x-education', 'Leads.csv'), {
      id: 'Prospect ID',
      outcome: 'Converted',
      missing: ['Select'],
    });
    expect(t.n).toBe(9240);
    expect(t.outcome.filter((o) => o === 1).length).toBe(3561);
    expect(t.outcome.filter((o) => o === 0).length).toBe(5679);
    expect(t.rejected.rows).toBe(0);
    expect(t.header.length).toBe(37);
    // Select is missing: Specialization has 1,942 Select and 1,438 empty cells
    const spec = t.columns.get('Specialization')!;
    expect(spec.type).toBe('text');
    if (spec.type === 'text') {
      expect(spec.dict).not.toContain('Select');
      expect(spec.codes.filter((c) => c < 0).length).toBe(1942 + 1438);
    }
    expect(t.columns.get('TotalVisits')!.type).toBe('number');
    expect(count(t.columns.get('Do Not Email'), (v) => v === 1)).toBe(734);
    // the other id column also works, and is then an attribute here
    const u = await loadLeadsFile(join(data, 'x-education', 'Leads.csv'), { id: 'Lead Number', outcome: 'Converted' });
    expect(u.ids[0]).toBe('660737');
    expect(u.columns.has('Prospect ID')).toBe(true);
  });

  it('UCI bank-full (; delimiter, all quoted, unknown, no id)', async () => {
    const t = await loadLeadsFile(join(data, 'uci-bank-marketing', 'bank-full.csv'), {
      id: '@row',
      outcome: 'y',
      missing: ['unknown'],
    });
    expect(t.n).toBe(45211);
    expect(t.outcome.filter((o) => o === 1).length).toBe(5289);
    expect(t.ids[0]).toBe('1');
    expect(t.ids[45210]).toBe('45211');
    expect(t.columns.get('age')).toMatchObject({ type: 'number' });
    expect(t.columns.get('pdays')!.type).toBe('number');
    const first = t.columns.get('balance')!;
    expect(first.type === 'number' && first.values[0]).toBe(2143);
    expect(t.columns.get('housing')!.type).toBe('bool');
    const job = t.columns.get('job')!;
    expect(job.type === 'text' && job.dict.includes('unknown')).toBe(false);
  });

  it('Olist MQLs and deals (date-only and space-separated times)', async () => {
    const dir = join(data, 'olist-marketing-funnel');
    // the deals file read as a leads table of its own: every listed lead is won
    const deals = await loadLeadsFile(join(dir, 'olist_closed_deals_dataset.csv'), { id: 'mql_id', outcome: 'has_company' });
    expect(deals.n).toBe(842);
    const won = deals.columns.get('won_date')!;
    expect(won.type).toBe('date');
    expect(won.type === 'date' && won.values[0]).toBe(Date.UTC(2018, 1, 26, 19, 58, 54));
    // the MQL file has no outcome column; a user joins it with the deals (here, by hand)
    const mqls = readFileSync(join(dir, 'olist_marketing_qualified_leads_dataset.csv'), 'utf8').split('\n');
    const wonIds = new Set(deals.ids);
    const joined =
      mqls[0] + ',outcome\n' +
      mqls.slice(1).filter((l) => l !== '').map((l) => `${l},${wonIds.has(l.slice(0, l.indexOf(','))) ? 'won' : 'lost'}`).join('\n');
    const t = loadLeadsSync({ name: 'olist-joined.csv', text: joined }, { id: 'mql_id' });
    expect(t.n).toBe(8000);
    expect(t.outcome.filter((o) => o === 1).length).toBe(842);
    const first = t.columns.get('first_contact_date')!;
    expect(first.type).toBe('date');
    if (first.type === 'date') {
      expect(Math.min(...first.values)).toBe(Date.UTC(2017, 5, 14));
      expect(Math.max(...first.values)).toBe(Date.UTC(2018, 4, 31));
    }
    const origin = t.columns.get('origin')!;
    expect(origin.type === 'text' && origin.codes.filter((c) => c < 0).length).toBe(60);
  });
});

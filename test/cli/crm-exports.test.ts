// Other CRMs' exports: events whose columns have other names
// (`--event-lead`, `--event-type`, `--event-time`) and dates written as CRM
// exports write them (`2025-04-01 11:40` always; `04/01/2025 11:40` and
// `04/01/2025` with `--date-format MDY|DMY`). An export with renamed
// columns and month-first dates gives the same report as the canonical
// files; a slash date without --date-format, and an impossible one with it,
// are errors at file:line:col.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { run } from './run.js';
import { parseTimeText } from '../../language/shared/values.js';

const dir = mkdtempSync(join(tmpdir(), 'lql-crm-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const shown = (err: string) => err.trim().split('\n').filter((l) => !l.startsWith(' '));

describe('parseTimeText reads the dates CRM exports write', () => {
  const utc = (iso: string) => Date.parse(iso);
  it('ISO with a space and no seconds, always', () => {
    expect(parseTimeText('2025-04-01 11:40')).toBe(utc('2025-04-01T11:40:00Z'));
    expect(parseTimeText('2025-04-01 11:40', 'DMY')).toBe(utc('2025-04-01T11:40:00Z'));
  });
  it('slash dates only with an order', () => {
    expect(parseTimeText('04/01/2025 11:40')).toBeNull();
    expect(parseTimeText('04/01/2025 11:40', 'MDY')).toBe(utc('2025-04-01T11:40:00Z'));
    expect(parseTimeText('04/01/2025 11:40', 'DMY')).toBe(utc('2025-01-04T11:40:00Z'));
    expect(parseTimeText('4/1/2025', 'MDY')).toBe(utc('2025-04-01T00:00:00Z'));
    expect(parseTimeText('12/31/2025 23:59:59', 'MDY')).toBe(utc('2025-12-31T23:59:59Z'));
    expect(parseTimeText('29/02/2024', 'DMY')).toBe(utc('2024-02-29T00:00:00Z'));
  });
  it('impossible dates are null in either order', () => {
    for (const bad of ['13/13/2025', '31/02/2025', '29/02/2025', '00/10/2025', '04/01/2025 24:00', '04/01/2025 11:60', '04/01/25'])
      for (const order of ['MDY', 'DMY'] as const) expect(parseTimeText(bad, order), `${bad} ${order}`).toBeNull();
    expect(parseTimeText('02/31/2025', 'MDY')).toBeNull();
    expect(parseTimeText('31/12/2025', 'MDY')).toBeNull();
    expect(parseTimeText('12/31/2025', 'DMY')).toBeNull();
  });
});

const rules = file(
  'r.lql',
  [
    'attribute employees: number',
    'attribute signed_up: date',
    'activity demo, visit',
    'fit { +10 when employees >= 100  +5 when days since signed_up <= 30 }',
    'engagement { +40 once demo  +5 per visit, max 20  decay half-life 14 days }',
    'stages { SQL when fit >= 10 and engagement >= 40  MQL when engagement >= 15  lead otherwise }',
  ].join('\n') + '\n',
);

// the canonical files (spec/DATA.md names, ISO times) ...
const leads = [
  ['L1', 'won', '250', '2025-03-02', '2025-03-01T08:00:00Z', '2025-04-20'],
  ['L2', 'lost', '40', '2025-03-10', '2025-03-09T10:15:00Z', '2025-05-02'],
  ['L3', 'open', '120', '', '2025-03-15T00:00:00Z', ''],
  ['L4', 'won', '900', '2025-04-12', '2025-04-11T16:45:00Z', '2025-06-01'],
  ['L5', 'lost', '15', '2025-02-01', '2025-01-30T09:00:00Z', '2025-03-03'],
];
const events = [
  ['L1', 'visit', '2025-03-03T09:30:00Z'],
  ['L1', 'demo', '2025-03-20T14:05:00Z'],
  ['L2', 'visit', '2025-03-11T11:40:00Z'],
  ['L2', 'visit', '2025-03-12T11:41:00Z'],
  ['L3', 'demo', '2025-04-01T11:40:00Z'],
  ['L4', 'visit', '2025-04-13T07:00:00Z'],
  ['L4', 'visit', '2025-04-14T07:00:00Z'],
  ['L4', 'visit', '2025-04-15T07:00:00Z'],
  ['L5', 'demo', '2025-02-02T12:00:00Z'],
];
const canonLeads = file('leads.csv', ['id,outcome,employees,signed_up,created_at,closed_at', ...leads.map((r) => r.join(','))].join('\n') + '\n');
const canonEvents = file('events.csv', ['lead_id,type,at', ...events.map((r) => r.join(','))].join('\n') + '\n');

// ... and the same data as another CRM exports it: month-first slash dates, minutes
// only (the times above have no seconds), other column names and column order
const mdy = (iso: string) => {
  if (!iso) return '';
  const [d, t] = iso.replace('Z', '').split('T');
  const [y, m, day] = d!.split('-');
  return `${m}/${day}/${y}${t ? ' ' + t.slice(0, 5) : ''}`;
};
const exportLeads = file(
  'export-leads.csv',
  ['Record ID,Lifecycle,employees,signed_up,created_at,closed_at', ...leads.map(([id, o, e, s, c, cl]) => [id, o, e, mdy(s!), mdy(c!), mdy(cl!)].join(','))].join('\n') + '\n',
);
const exportEvents = file(
  'export-events.csv',
  ['Timestamp,Contact ID,Activity', ...events.map(([l, t, a]) => [mdy(a!), l, t].join(','))].join('\n') + '\n',
);
const exportArgs = ['--leads', exportLeads, '--events', exportEvents, '--id', 'Record ID', '--outcome', 'Lifecycle', '--event-lead', 'Contact ID', '--event-type', 'Activity', '--event-time', 'Timestamp', '--date-format', 'MDY'];
const canonArgs = ['--leads', canonLeads, '--events', canonEvents];

describe('an export with renamed columns and MDY dates', () => {
  it('the export really is month-first and renamed', () => {
    expect(mdy('2025-04-01T11:40:00Z')).toBe('04/01/2025 11:40');
    expect(mdy('2025-03-02')).toBe('03/02/2025');
  });

  it('simulate gives the same report as the canonical files', async () => {
    const a = await run(['simulate', rules, ...canonArgs, '--json']);
    const b = await run(['simulate', rules, ...exportArgs, '--json']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const norm = (s: string) => {
      const r = JSON.parse(s);
      delete r.files;
      delete r.data;
      return JSON.stringify(r, (k, v) => (k === 'file' || k === 'leadsFile' || k === 'eventsFile' ? undefined : v));
    };
    expect(norm(b.out)).toBe(norm(a.out));
    const rep = JSON.parse(a.out);
    expect(rep.leads).toBe(5);
  });

  it('score gives the same rows (hand check: L1 has a demo and one visit)', async () => {
    const a = await run(['score', rules, ...canonArgs, '--jsonl', '--as-of', '2025-04-01']);
    const b = await run(['score', rules, ...exportArgs, '--jsonl', '--as-of', '2025-04-01']);
    expect(b.code).toBe(0);
    expect(b.out).toBe(a.out);
    const l1 = JSON.parse(a.out.split('\n')[0]!);
    expect(l1.id).toBe('L1');
    // L1 is closed on 2025-04-20, after the as-of: evaluated at 2025-04-01; signed up 2025-03-02 (30 days before): fit 10 + 5
    expect(l1.scores.fit).toBe(15);
    // demo 11.41 days and a visit 28.69 days before the as-of, half-life 14 days: 40 * 2^(-11.41/14) + 5 * 2^(-28.69/14)
    const age = (iso: string) => (Date.parse('2025-04-01T00:00:00Z') - Date.parse(iso)) / 86_400_000;
    expect(l1.scores.engagement).toBeCloseTo(40 * 2 ** (-age('2025-03-20T14:05:00Z') / 14) + 5 * 2 ** (-age('2025-03-03T09:30:00Z') / 14), 8);
  });

  it('suggest and explain read the export the same way', async () => {
    const a = await run(['suggest', rules, ...canonArgs, '--json']);
    const b = await run(['suggest', rules, ...exportArgs, '--json']);
    expect(b.code).toBe(0);
    expect(b.out).toBe(a.out);
    const ea = await run(['explain', rules, ...canonArgs, '--id', 'L3', '--json']);
    const eb = await run(['explain', rules, ...exportArgs.filter((x, i, all) => x !== '--id' && all[i - 1] !== '--id'), '--id-column', 'Record ID', '--id', 'L3', '--json']);
    expect(eb.code).toBe(0);
    expect(eb.out).toBe(ea.out);
  });

  it('the DuckDB engine maps the event columns too (ISO times)', async () => {
    const ev = file('export-events-iso.csv', ['Timestamp,Contact ID,Activity', ...events.map(([l, t, a]) => [a, l, t].join(','))].join('\n') + '\n');
    const args = ['--leads', canonLeads, '--events', ev, '--event-lead', 'Contact ID', '--event-type', 'Activity', '--event-time', 'Timestamp'];
    const js = await run(['score', rules, ...canonArgs]);
    const duck = await run(['score', rules, ...args, '--engine', 'duckdb']);
    expect(duck.code).toBe(0);
    expect(duck.out).toBe(js.out);
  });
});

describe('errors', () => {
  it('a slash date without --date-format says to pass it (no --lenient hint)', async () => {
    const r = await run(['simulate', rules, ...exportArgs.slice(0, -2)]);
    expect(r.code).toBe(1);
    const lines = shown(r.err);
    // the first lead row, column 23 (`created_at` holds 03/01/2025 08:00 after `L1,won,250,03/02/2025,`)
    expect(lines[0]).toMatch(/export-leads\.csv:2:23: error LQL525: `03\/01\/2025 08:00` in column `created_at` is a date written with slashes/);
    expect(lines.at(-1)).toBe(`5 rows of ${exportLeads} have bad values (the first 5 are listed above). Nothing was computed. Pass --date-format MDY or DMY.`.replace(' (the first 5 are listed above)', ''));
    expect(r.err).not.toContain('--lenient');
  });

  it('an impossible date in the given order is an error at file:line:col', async () => {
    const ev = file('bad-order.csv', 'Timestamp,Contact ID,Activity\n04/01/2025 11:40,L1,visit\n13/13/2025 09:00,L2,visit\n31/02/2025,L3,demo\n');
    const args = ['--leads', canonLeads, '--events', ev, '--event-lead', 'Contact ID', '--event-type', 'Activity', '--event-time', 'Timestamp'];
    const r = await run(['simulate', rules, ...args, '--date-format', 'DMY']);
    expect(r.code).toBe(1);
    const lines = shown(r.err);
    expect(lines[0]).toBe(
      `${ev}:3:1: error LQL526: \`13/13/2025 09:00\` in column \`Timestamp\` is not a date in day/month/year order (--date-format DMY); expected 01/04/2025 or 01/04/2025 11:40 (April 1), or an empty cell for missing. Is the order right?`,
    );
    expect(lines[1]).toMatch(/bad-order\.csv:4:1: error LQL526: `31\/02\/2025`/);
  });

  it('a renamed events column that is not there names the option', async () => {
    const r = await run(['simulate', rules, ...canonArgs, '--event-time', 'Timestamp']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('The events file has no `Timestamp` column. Expected the columns lead_id, type and at, or name this one with --event-time COL.');
    const r2 = await run(['simulate', rules, '--leads', canonLeads, '--events', exportEvents, '--date-format', 'MDY', '--event-lead', 'Contact_ID', '--event-type', 'Activity', '--event-time', 'Timestamp']);
    expect(r2.err).toContain('The events file has no `Contact_ID` column. Did you mean `Contact ID`? Use --event-lead "Contact ID".');
  });

  it('--date-format takes MDY or DMY only; --engine duckdb refuses it', async () => {
    expect((await run(['simulate', rules, ...canonArgs, '--date-format', 'YMD'])).code).toBe(2);
    const d = await run(['simulate', rules, ...exportArgs, '--engine', 'duckdb']);
    expect(d.code).toBe(2);
    expect(d.err).toContain('--date-format is not available with --engine duckdb');
  });
});

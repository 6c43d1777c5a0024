// Loading events into CSR order: per lead, sorted by time, stable for equal
// times; type codes in declaration order; unknown leads and types counted.
import { describe, expect, it } from 'vitest';
import { eventWarnings, loadEventsSync, sortSegments } from '../../simulator/data/events.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import type { EventTable } from '../../simulator/data/table.js';
import { brief, diagnosticsOf } from './helpers.js';

const leads = loadLeadsSync({ name: 'leads.csv', text: 'id,outcome\nA,won\nB,lost\nC,\n' });

/** Per lead, the events as `type@iso` in CSR order. */
function byLead(ev: EventTable): string[][] {
  const out: string[][] = [];
  for (let l = 0; l + 1 < ev.offsets.length; l++) {
    const list: string[] = [];
    for (let j = ev.offsets[l]!; j < ev.offsets[l + 1]!; j++) list.push(`${ev.typeNames[ev.types[j]!]}@${new Date(ev.times[j]!).toISOString().slice(11, 16)}`);
    out.push(list);
  }
  return out;
}

describe('CSR order', () => {
  const text =
    'lead_id,type,at\n' +
    'B,visit,2026-01-01T10:00:00Z\n' +
    'A,demo,2026-01-01T12:00:00Z\n' +
    'A,visit,2026-01-01T09:00:00Z\n' +
    'B,email,2026-01-01T08:00:00Z\n' +
    'A,email,2026-01-01T12:00:00Z\n' +
    'A,webinar,2026-01-01T12:00:00Z\n' +
    'A,visit,2026-01-01T11:00:00Z\n';

  it('groups by lead, sorts by time, keeps file order for equal times', () => {
    const ev = loadEventsSync({ name: 'events.csv', text }, leads, ['visit', 'demo', 'email']);
    expect([...ev.offsets]).toEqual([0, 5, 7, 7]);
    expect(byLead(ev)).toEqual([
      // demo, email and webinar are all at 12:00 and stay in file order
      ['visit@09:00', 'visit@11:00', 'demo@12:00', 'email@12:00', 'webinar@12:00'],
      ['email@08:00', 'visit@10:00'],
      [],
    ]);
  });

  it('a file already in lead order (with times out of order and an unknown lead between) gives the same CSR table', () => {
    const ordered =
      'lead_id,type,at\n' +
      'A,visit,2026-01-01T11:00:00Z\n' +
      'A,demo,2026-01-01T09:00:00Z\n' +
      'A,email,2026-01-01T11:00:00Z\n' +
      'X,visit,2026-01-01T10:00:00Z\n' +
      'B,visit,2026-01-01T10:00:00Z\n' +
      'C,demo,2026-01-01T08:00:00Z\n' +
      'C,visit,2026-01-01T07:00:00Z\n';
    const ev = loadEventsSync({ name: 'events.csv', text: ordered }, leads, ['visit', 'demo', 'email']);
    expect([...ev.offsets]).toEqual([0, 3, 4, 6]);
    expect(byLead(ev)).toEqual([['demo@09:00', 'visit@11:00', 'email@11:00'], ['visit@10:00'], ['visit@07:00', 'demo@08:00']]);
    expect(ev.types.length).toBe(6);
    expect(ev.unknownLeads.events).toBe(1);
  });

  it('codes types in declaration order, then unknown types in first-seen order', () => {
    const ev = loadEventsSync({ name: 'events.csv', text }, leads, ['email', 'visit', 'demo']);
    expect(ev.typeNames).toEqual(['email', 'visit', 'demo', 'webinar']);
    expect(ev.types[0]).toBe(1); // A's first event: visit
    expect({ ...ev.unknownTypes }).toEqual({ webinar: 1 });
  });

  it('reads epoch milliseconds and ISO times alike', () => {
    const t = Date.UTC(2026, 0, 10, 9, 30);
    const ev = loadEventsSync({ name: 'e.csv', text: `lead_id,type,at\nA,visit,${t}\nA,visit,2026-01-10T09:29:00Z\nA,demo,2026-01-10 09:31\n` }, leads, [
      'visit',
      'demo',
    ]);
    expect([...ev.times]).toEqual([t - 60_000, t, t + 60_000]);
  });

  it('sorts long segments stably too', () => {
    const n = 1000;
    const times = new Float64Array(n);
    const types = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      times[i] = (i * 7919) % 50; // many equal times, out of order
      types[i] = i;
    }
    sortSegments(new Int32Array([0, n]), types, times);
    for (let i = 1; i < n; i++) {
      expect(times[i]! > times[i - 1]! || (times[i] === times[i - 1] && types[i]! > types[i - 1]!)).toBe(true);
    }
  });

  it('reads JSON Lines events', () => {
    const ev = loadEventsSync(
      { name: 'e.jsonl', text: '{"lead_id":"B","type":"visit","at":1000}\n{"lead_id":"A","type":"demo","at":"1970-01-01T00:00:02Z"}\n' },
      leads,
      ['visit', 'demo'],
    );
    expect([...ev.offsets]).toEqual([0, 1, 2, 2]);
    expect([...ev.times]).toEqual([2000, 1000]);
  });
});

describe('unknown leads and types', () => {
  const text = 'lead_id,type,at\nA,visit,1\nX9,visit,2\nX9,visit,3\nX8,demo,4\nB,__proto__,5\n';

  it('events of unknown leads are counted with a sample, never stored', () => {
    const ev = loadEventsSync({ name: 'events.csv', text }, leads, ['visit']);
    expect(ev.unknownLeads).toEqual({ events: 3, sample: ['X9', 'X8'] });
    expect([...ev.offsets]).toEqual([0, 1, 2, 2]);
    expect(ev.types.length).toBe(2);
    expect(ev.times.length).toBe(2);
    expect(Object.keys(ev.unknownTypes)).toEqual(['demo', '__proto__']);
    expect(ev.unknownTypes['__proto__']).toBe(1);
    expect(ev.unknownTypes['demo']).toBe(1);
    expect(eventWarnings(ev).map(brief)).toEqual([
      '1:1 LQL519 3 events name lead ids that are not in the leads file (for example `X9`, `X8`); they are counted here and not replayed.',
      '1:1 LQL520 1 events have type `demo`, which is not a declared activity; no rule counts them. Declare it with `activity` if it matters.',
      '1:1 LQL520 1 events have type `__proto__`, which is not a declared activity; no rule counts them. Declare it with `activity` if it matters.',
    ]);
  });

  it('missing required fields and columns are errors', () => {
    expect(diagnosticsOf(() => loadEventsSync({ name: 'e.csv', text: 'lead_id,type,at\nA,,5\n' }, leads, [])).map(brief)).toEqual([
      '2:3 LQL517 This event has no `type`; expected the name of an activity, such as demo_request.',
    ]);
    expect(diagnosticsOf(() => loadEventsSync({ name: 'e.csv', text: 'lead,type,at\nA,v,5\n' }, leads, [])).map(brief)).toEqual([
      '1:1 LQL502 The events file has no `lead_id` column. Expected the columns lead_id, type and at, or name this one with --event-lead COL. Columns found: `lead`, `type`, `at`.',
    ]);
    expect(diagnosticsOf(() => loadEventsSync({ name: 'e.csv', text: '' }, leads, [])).map(brief)).toEqual([
      '1:1 LQL500 The file is empty; expected a header row naming the columns (lead_id, type, at), then one row per event.',
    ]);
  });

  it('a header-only events file is zero events', () => {
    const ev = loadEventsSync({ name: 'e.csv', text: 'lead_id,type,at\n' }, leads, ['visit']);
    expect([...ev.offsets]).toEqual([0, 0, 0, 0]);
  });
});

describe('scale', () => {
  it('loads 1M events in 12 bytes per event plus 4 per lead, in CSR order', () => {
    const nLeads = 20_000;
    const ids = Array.from({ length: nLeads }, (_, i) => `lead-${i}`);
    const lt = loadLeadsSync({ name: 'l.csv', text: 'id,outcome\n' + ids.map((id) => `${id},won`).join('\n') + '\n' });
    const n = 1_000_000;
    const parts: string[] = ['lead_id,type,at\n'];
    for (let i = 0; i < n; i++) parts.push(`lead-${(i * 7) % nLeads},${i % 3 === 0 ? 'visit' : 'demo'},${1_700_000_000_000 + ((i * 7919) % 100_000)}\n`);
    const ev = loadEventsSync({ name: 'e.csv', text: parts.join('') }, lt, ['visit', 'demo']);
    expect(ev.offsets[nLeads]).toBe(n);
    expect(ev.types.byteLength + ev.times.byteLength).toBe(12 * n);
    expect(ev.offsets.byteLength).toBe(4 * (nLeads + 1));
    for (let l = 0; l < nLeads; l++) {
      expect(ev.offsets[l + 1]! - ev.offsets[l]!).toBe(50);
      for (let j = ev.offsets[l]! + 1; j < ev.offsets[l + 1]!; j++) if (ev.times[j]! < ev.times[j - 1]!) throw new Error(`lead ${l} out of order`);
    }
  });
});

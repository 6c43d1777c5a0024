// The shared case corpus (test/cases) through the simulator's path: the lead
// and its events written as JSON Lines, read by the data readers with the
// ruleset's attribute types (declared or from use), and scored by the
// columnar kernel in event mode and, without events, in snapshot mode. Each
// case's hand-worked expectations must hold exactly, as in the interpreter,
// the compiled scorer and the SQL export.
import { describe, expect, test } from 'vitest';
import { compileSource } from '../../language/index.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import { loadEventsSync } from '../../simulator/data/events.js';
import { DataError } from '../../simulator/data/errors.js';
import { replay } from '../../simulator/replay.js';
import { scoredRows } from '../../simulator/simulate.js';
import { compareResult, loadCases } from '../cases/load.js';

const SPECIAL = new Set(['id', 'outcome', 'created_at', 'closed_at']);
const cases = loadCases().filter((c) => c.expect && !Object.keys(c.lead).some((k) => SPECIAL.has(k)));

describe('case corpus through the data readers and the kernel', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { ir } = compileSource(c.source);
    expect(ir).not.toBeNull();
    const types = Object.fromEntries(ir!.attributes.map((a) => [a.name, a.type]));
    const leadsText = JSON.stringify({ id: 'L1', outcome: 'open', ...c.lead }) + '\n';
    let leads: ReturnType<typeof loadLeadsSync>;
    try {
      leads = loadLeadsSync({ name: 'leads.jsonl', text: leadsText }, { types });
    } catch (e) {
      // a value the scorer reads as missing (`n/a` for a number) is a bad value in a data file
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).diagnostics.map((d) => d.code).every((code) => ['LQL512', 'LQL513', 'LQL514'].includes(code))).toBe(true);
      return;
    }
    const eventsText = c.events.length
      ? c.events.map((e) => JSON.stringify({ lead_id: 'L1', type: e.type, at: e.at })).join('\n') + '\n'
      : 'lead_id,type,at\n';
    const events = loadEventsSync({ name: 'events', text: eventsText, format: c.events.length ? 'jsonl' : 'csv' }, leads, ir!.activities);
    // the default of docs/semantics.md for one lead: its latest event of a declared activity, else 0
    const declared = c.eventsMs.filter((e) => ir!.activities.includes(e.type)).map((e) => e.at);
    const asOf = c.asOfMs ?? (declared.length ? Math.max(...declared) : 0);
    const modes = c.events.length ? (['events'] as const) : (['events', 'snapshot'] as const);
    for (const mode of modes) {
      const row = scoredRows(replay(ir!, leads, mode === 'events' ? events : null, { asOf, mode, useClosedAt: false }))[0]!;
      const want = mode === 'snapshot' ? { ...c.expect!, reached: undefined } : c.expect!;
      expect(compareResult({ ...row, reasons: [] }, { ...want, reasons: undefined }), mode).toEqual([]);
    }
  });
});

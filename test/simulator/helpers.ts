/**
 * Test helpers for the simulator: build LeadTable / EventTable objects by
 * hand from plain lead records and events (independent of the data readers),
 * compile LQL source, and random data for property tests.
 */
import type { Column, EventTable, LeadTable } from '../../simulator/data/table.js';
import type { IR } from '../../language/compile/ir.js';
import { compileSource } from '../../language/index.js';

export const DAY = 86_400_000;
export const ms = (iso: string): number => Date.parse(iso.length === 10 ? iso + 'T00:00:00Z' : iso);

export interface TLead {
  id: string;
  outcome?: 'won' | 'lost' | 'open';
  created_at?: number | null;
  closed_at?: number | null;
  attrs?: Record<string, string | number | boolean | null>;
}

export interface TEvent {
  lead: string;
  type: string;
  at: number;
}

export function compile(src: string): IR {
  const r = compileSource(src);
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.ir || errs.length) throw new Error('compile failed: ' + errs.map((d) => `${d.code} ${d.message}`).join('; '));
  return r.ir;
}

/** A LeadTable from records; column types from `types` (else inferred from the first present value). */
export function leadTable(leads: TLead[], types: Record<string, 'number' | 'text' | 'bool' | 'date'> = {}): LeadTable {
  const n = leads.length;
  const names = new Set<string>();
  for (const l of leads) for (const k of Object.keys(l.attrs ?? {})) names.add(k);
  for (const k of Object.keys(types)) names.add(k);
  const columns = new Map<string, Column>();
  for (const name of names) {
    let type = types[name];
    if (!type) {
      const v = leads.map((l) => l.attrs?.[name]).find((x) => x !== null && x !== undefined);
      type = typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'text';
    }
    if (type === 'text') {
      const dict: string[] = [];
      const idx = new Map<string, number>();
      const codes = new Int32Array(n);
      leads.forEach((l, i) => {
        const v = l.attrs?.[name];
        if (v === null || v === undefined || v === '') {
          codes[i] = -1;
          return;
        }
        const s = String(v);
        let c = idx.get(s);
        if (c === undefined) {
          c = dict.length;
          dict.push(s);
          idx.set(s, c);
        }
        codes[i] = c;
      });
      columns.set(name, { type: 'text', codes, dict });
    } else if (type === 'bool') {
      const values = new Uint8Array(n);
      leads.forEach((l, i) => {
        const v = l.attrs?.[name];
        values[i] = v === true ? 1 : v === false ? 0 : 2;
      });
      columns.set(name, { type: 'bool', values });
    } else {
      const values = new Float64Array(n);
      leads.forEach((l, i) => {
        const v = l.attrs?.[name];
        values[i] = typeof v === 'number' ? v : NaN;
      });
      columns.set(name, { type, values });
    }
  }
  return {
    file: 'leads.test',
    n,
    ids: leads.map((l) => l.id),
    lines: Int32Array.from(leads.map((_, i) => i + 2)),
    outcome: Int8Array.from(leads.map((l) => (l.outcome === 'won' ? 1 : l.outcome === 'lost' ? 0 : -1))),
    createdAt: Float64Array.from(leads.map((l) => l.created_at ?? NaN)),
    closedAt: Float64Array.from(leads.map((l) => l.closed_at ?? NaN)),
    columns,
    header: ['id', 'outcome', ...names],
    rejected: { rows: 0, diagnostics: [] },
    warnings: [],
  };
}

/** An EventTable in CSR order; `typeNames` = activities then other types seen. */
export function eventTable(leads: LeadTable, events: TEvent[], activities: readonly string[]): EventTable {
  const idx = new Map(leads.ids.map((id, i) => [id, i]));
  const typeNames = [...activities];
  const per: { t: number; at: number }[][] = leads.ids.map(() => []);
  let unknown = 0;
  for (const e of events) {
    const i = idx.get(e.lead);
    if (i === undefined) {
      unknown++;
      continue;
    }
    let t = typeNames.indexOf(e.type);
    if (t < 0) {
      t = typeNames.length;
      typeNames.push(e.type);
    }
    per[i]!.push({ t, at: e.at });
  }
  const offsets = new Int32Array(leads.n + 1);
  const total = per.reduce((a, p) => a + p.length, 0);
  const types = new Int32Array(total);
  const times = new Float64Array(total);
  let j = 0;
  per.forEach((p, i) => {
    offsets[i] = j;
    p.sort((a, b) => a.at - b.at);
    for (const e of p) {
      types[j] = e.t;
      times[j] = e.at;
      j++;
    }
  });
  offsets[leads.n] = j;
  return {
    file: 'events.test',
    offsets,
    types,
    times,
    typeNames,
    unknownLeads: { events: unknown, sample: [] },
    unknownTypes: {},
    rejected: { rows: 0, diagnostics: [] },
  };
}

import { mulberry32 as rng, ACTIVITIES } from '../../simulator/generate.js';
export { rng };

export const ACME = `
ruleset "ACME B2B qualification"
attribute industry: text
attribute employees: number
attribute country: text
attribute title: text
attribute email: text
attribute budget: number
attribute timeframe_days: number
activity web_visit, content_download, webinar_attended, pricing_page_view,
         demo_request, quote_request, email_click, unsubscribe
list freemail = ["gmail.com", "hotmail.com", "yahoo.com", "outlook.com"]
segment enterprise_finance = industry == "financial_services" and employees >= 5000
segment small_services     = industry == "services" and employees < 100
segment manufacturing      = industry == "manufacturing"
segment decision_maker     = title matches /director|vp|head|chief/i
fit {
  +30 when enterprise_finance
  +20 when small_services
  +15 when manufacturing
  +10 when decision_maker
  -50 when domain(email) in freemail
}
engagement {
  +2  per web_visit, max 20
  +8  per content_download
  +12 per webinar_attended
  +15 once pricing_page_view
  +40 once demo_request
  +5  per email_click in last 30 days, max 15
  -30 once unsubscribe
  +10 when count(web_visit in last 30 days) > 15
  decay half-life 30 days
}
score bant {
  +1 when budget >= 10000
  +1 when decision_maker
  +1 when demo_request or quote_request
  +1 when timeframe_days <= 90
}
score total = fit + engagement
band grade from fit { A >= 50, B >= 30, C >= 10, D otherwise }
band temperature from engagement { hot >= 60, warm >= 25, cold otherwise }
stages {
  SQL  when fit >= 30 and (quote_request or bant >= 3)
  MQL  when fit >= 30 and engagement >= 40
  lead otherwise
}
route {
  "Sales: call within 24h"    when grade in [A, B] and temperature == hot
  "Marketing: nurture"        when grade in [A, B]
  "Sales: low-cost follow-up" when temperature == hot
  "Drop from flow"            otherwise
}
`;

/** The generated ACME history's activities (from the generator). */
export const ACME_ACTIVITIES: string[] = [...ACTIVITIES];

// ---------------------------------------------------------------------------
// Random ACME-like leads and events (coarse times, so equal timestamps happen).

const INDUSTRIES = ['financial_services', 'services', 'manufacturing', 'retail', 'Services', 'energy'];
const TITLES = ['VP Finance', 'Head of Ops', 'engineer', 'Director', 'chief of staff', 'intern', 'vP sales'];
const EMAILS = ['a@gmail.com', 'b@bank.example', 'c@HOTMAIL.com', 'noat', 'x@y@outlook.com', 'z@acme.io'];

export function randomData(seed: number, n: number, activities: readonly string[], opts: { closedShare?: number } = {}) {
  const r = rng(seed);
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const maybe = <T,>(v: T): T | null => (r() < 0.15 ? null : v);
  const t0 = ms('2026-01-01');
  const leads: TLead[] = [];
  const events: TEvent[] = [];
  for (let i = 0; i < n; i++) {
    const id = `L${i}`;
    const closed = r() < (opts.closedShare ?? 0.6);
    const created = t0 + Math.floor(r() * 90) * DAY;
    const closedAt = closed ? created + Math.floor(r() * 120 * DAY) : null;
    const outcome = closed ? (r() < 0.4 ? 'won' : 'lost') : 'open';
    leads.push({
      id,
      outcome,
      created_at: created,
      closed_at: closedAt,
      attrs: {
        industry: maybe(pick(INDUSTRIES)),
        employees: maybe(pick([10, 50, 99, 100, 300, 5000, 8000])),
        title: maybe(pick(TITLES)),
        email: maybe(pick(EMAILS)),
        budget: maybe(pick([0, 5000, 10000, 50000])),
        timeframe_days: maybe(pick([30, 90, 91, 365])),
        country: maybe(pick(['US', 'ES', 'DE'])),
      },
    });
    const ne = Math.floor(r() * 25);
    for (let k = 0; k < ne; k++) {
      // coarse times so that equal timestamps happen
      const at = created + Math.floor(r() * 160) * (DAY / 2);
      events.push({ lead: id, type: pick([...activities, 'ignored_type']), at });
    }
  }
  return { leads, events };
}


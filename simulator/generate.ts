/**
 * A seeded generator of ACME-like lead history, for examples, tests and
 * benchmarks.
 *
 * Input: the number of leads, a seed, the time span and the mean number of
 * events per lead.
 * Output: a LeadTable and an EventTable built directly in columnar form
 * (`generate`), and CSV files in the formats of spec/DATA.md (`writeCsv`):
 * `leads.csv` (id, outcome, created_at, closed_at, industry, employees,
 * country, title, email, budget, timeframe_days) and `events.csv` (lead_id,
 * type, at) with the activities web_visit, content_download,
 * webinar_attended, pricing_page_view, demo_request, quote_request,
 * email_click, unsubscribe.
 * The model: each lead has a hidden fit (industry, size, seniority, a
 * company email) and a hidden interest; interest drives how many events of
 * which kinds it has; the chance to win grows with both, so good rules
 * (like spec/examples/acme.lql) show lift. About 15% of leads are still
 * open; won leads keep visiting after they close (onboarding), so a
 * backtest that ignored closed_at would see the outcome leak into the score.
 * Invariants: the same options give the same data (mulberry32 PRNG); events
 * are in CSR order sorted by time; times are whole minutes.
 */
import { openSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Column, EventTable, LeadTable } from './data/table.js';

export const ACTIVITIES = [
  'web_visit',
  'content_download',
  'webinar_attended',
  'pricing_page_view',
  'demo_request',
  'quote_request',
  'email_click',
  'unsubscribe',
] as const;

export interface GenerateOptions {
  leads: number;
  /** default 1 */
  seed?: number;
  /** first created_at (epoch ms), default 2025-01-06 */
  start?: number;
  /** leads are created over this many days, default 365 */
  days?: number;
  /** mean events per lead, default 20 */
  eventsPerLead?: number;
}

export interface Generated {
  leads: LeadTable;
  events: EventTable;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INDUSTRIES = ['financial_services', 'services', 'manufacturing', 'retail', 'healthcare', 'technology', 'education'];
const INDUSTRY_W = [0.14, 0.2, 0.16, 0.14, 0.12, 0.16, 0.08];
const COUNTRIES = ['US', 'GB', 'DE', 'ES', 'FR', 'MX', 'BR', 'IN'];
const TITLES = [
  'VP Finance',
  'Head of Operations',
  'Director of IT',
  'Chief Risk Officer',
  'Procurement Manager',
  'Analyst',
  'Engineer',
  'Marketing Specialist',
  'Student',
  'Office Manager',
  'CEO',
  'Owner',
];
const SENIOR = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
const FREEMAIL = ['gmail.com', 'hotmail.com', 'yahoo.com', 'outlook.com'];
const USERS = ['info', 'sales', 'ana', 'john', 'maria', 'li', 'sam', 'contact', 'ops', 'finance'];

function pickW(r: () => number, w: readonly number[]): number {
  let x = r() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) {
    x -= w[i]!;
    if (x < 0) return i;
  }
  return w.length - 1;
}

function dictColumn(codes: Int32Array, dict: string[]): Column {
  return { type: 'text', codes, dict };
}

/** Generate leads and their event history in columnar form. */
export function generate(opts: GenerateOptions): Generated {
  const n = Math.max(0, Math.floor(opts.leads));
  const r = mulberry32(opts.seed ?? 1);
  const start = opts.start ?? Date.UTC(2025, 0, 6);
  const days = opts.days ?? 365;
  const mean = opts.eventsPerLead ?? 20;

  const ids: string[] = new Array<string>(n);
  const outcome = new Int8Array(n);
  const createdAt = new Float64Array(n);
  const closedAt = new Float64Array(n).fill(NaN);
  const industry = new Int32Array(n);
  const employees = new Float64Array(n);
  const country = new Int32Array(n);
  const title = new Int32Array(n);
  const email = new Int32Array(n);
  const budget = new Float64Array(n);
  const timeframe = new Float64Array(n);
  const domains: string[] = [...FREEMAIL];
  for (let i = 0; i < 300; i++) domains.push(`company${i}.example`);
  const emailDict: string[] = [];
  for (const d of domains) for (const u of USERS) emailDict.push(`${u}@${d}`);

  // events: sized after the per-lead counts are known
  const counts = new Int32Array(n);
  const interest = new Float64Array(n);
  const postClose = new Uint8Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    ids[i] = `L${String(i + 1).padStart(7, '0')}`;
    const ind = pickW(r, INDUSTRY_W);
    // enterprise buyers are common in financial services
    const big = ind === 0 && r() < 0.5;
    industry[i] = r() < 0.03 ? -1 : ind;
    const emp = Math.round(Math.exp(2 + r() * 8));
    employees[i] = r() < 0.05 ? NaN : big ? 5000 + Math.round(r() * 45000) : emp;
    country[i] = Math.floor(r() * COUNTRIES.length);
    const ti = Math.floor(r() * TITLES.length);
    title[i] = r() < 0.08 ? -1 : ti;
    const free = r() < 0.25;
    const dom = free ? Math.floor(r() * FREEMAIL.length) : FREEMAIL.length + Math.floor(r() * 300);
    email[i] = r() < 0.04 ? -1 : dom * USERS.length + Math.floor(r() * USERS.length);
    budget[i] = r() < 0.3 ? NaN : Math.round(Math.exp(7 + r() * 5));
    timeframe[i] = r() < 0.35 ? NaN : [30, 60, 90, 180, 365][Math.floor(r() * 5)]!;
    createdAt[i] = start + Math.floor((r() * days * DAY) / MINUTE) * MINUTE;

    // hidden fit in about [-2, 2]
    let fit = 0;
    if (ind === 0 && employees[i]! >= 5000) fit += 1.4;
    if (ind === 1 && emp < 100) fit += 1.0;
    if (ind === 2) fit += 0.8;
    if (SENIOR[ti]) fit += 0.6;
    if (free) fit -= 1.2;
    if (budget[i]! >= 10000) fit += 0.3;
    // hidden interest in [0, 1], a little correlated with fit
    const inter = Math.min(1, Math.max(0, r() * 0.8 + 0.1 * fit + (r() < 0.1 ? 0.3 : 0)));
    interest[i] = inter;
    const k = Math.max(0, Math.round(mean * (0.2 + 1.6 * inter) * (0.5 + r())));
    counts[i] = k;
    const z = -3.2 + 1.0 * fit + 4.0 * inter;
    const p = 1 / (1 + Math.exp(-z));
    const u = r();
    if (u < 0.15) {
      outcome[i] = -1;
    } else {
      const won = r() < p;
      outcome[i] = won ? 1 : 0;
      closedAt[i] = createdAt[i]! + Math.floor((r() * 150 * DAY + 7 * DAY) / MINUTE) * MINUTE;
      // won leads keep coming back after the deal (onboarding visits)
      if (won) postClose[i] = 1 + Math.floor(r() * 6);
    }
    total += k + postClose[i]!;
  }

  const offsets = new Int32Array(n + 1);
  const types = new Int32Array(total);
  const times = new Float64Array(total);
  let j = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = j;
    const k = counts[i]!;
    const c0 = createdAt[i]!;
    const ca = closedAt[i]!;
    const spanEnd = ca === ca ? ca : c0 + 180 * DAY;
    const span = Math.max(MINUTE, spanEnd - c0);
    const inter = interest[i]!;
    const a = j;
    // per-lead activity mix: interested leads view prices and ask for demos
    // and quotes; uninterested ones unsubscribe
    const w = [0.5, 0.12, 0.05 + 0.05 * inter, 0.02 + 0.08 * inter, 0.005 + 0.05 * inter * inter, 0.002 + 0.035 * inter * inter, 0.14, 0.04 * (1 - inter) * (1 - inter)];
    for (let q = 0; q < k; q++) {
      times[j] = c0 + Math.floor((r() * span) / MINUTE) * MINUTE;
      types[j] = pickW(r, w);
      j++;
    }
    for (let q = 0; q < postClose[i]!; q++) {
      times[j] = ca + Math.floor((r() * 60 * DAY) / MINUTE) * MINUTE;
      types[j] = r() < 0.7 ? 0 : 4;
      j++;
    }
    sortSegment(types, times, a, j);
  }
  offsets[n] = j;

  const columns = new Map<string, Column>();
  columns.set('industry', dictColumn(industry, INDUSTRIES));
  columns.set('employees', { type: 'number', values: employees });
  columns.set('country', dictColumn(country, COUNTRIES));
  columns.set('title', dictColumn(title, TITLES));
  columns.set('email', dictColumn(email, emailDict));
  columns.set('budget', { type: 'number', values: budget });
  columns.set('timeframe_days', { type: 'number', values: timeframe });

  const leads: LeadTable = {
    file: 'generated-leads',
    n,
    ids,
    lines: Int32Array.from({ length: n }, (_, i) => i + 2),
    outcome,
    createdAt,
    closedAt,
    columns,
    header: ['id', 'outcome', 'created_at', 'closed_at', 'industry', 'employees', 'country', 'title', 'email', 'budget', 'timeframe_days'],
    rejected: { rows: 0, diagnostics: [] },
    warnings: [],
  };
  const events: EventTable = {
    file: 'generated-events',
    offsets,
    types,
    times,
    typeNames: [...ACTIVITIES],
    unknownLeads: { events: 0, sample: [] },
    unknownTypes: {},
    rejected: { rows: 0, diagnostics: [] },
  };
  return { leads, events };
}

/** Insertion sort of one lead's events by time (segments are short). */
function sortSegment(types: Int32Array, times: Float64Array, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    const t = times[i]!;
    const y = types[i]!;
    let k = i - 1;
    while (k >= a && times[k]! > t) {
      times[k + 1] = times[k]!;
      types[k + 1] = types[k]!;
      k--;
    }
    times[k + 1] = t;
    types[k + 1] = y;
  }
}

function iso(t: number): string {
  return t === t ? new Date(t).toISOString().replace('.000Z', 'Z') : '';
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

class Out {
  private buf: string[] = [];
  private size = 0;
  constructor(private sink: CsvSink) {}
  line(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.buf.length) this.sink.write(this.buf.join('\n') + '\n');
    this.buf = [];
    this.size = 0;
  }
}

/** Where a CSV file goes: pieces, then `ready` (all on disk), `commit` (in place), or `abort`. */
export interface CsvSink {
  write(s: string): void;
  ready(): void;
  commit(): void;
  abort(): void;
}

/** A plain file written in place (tests and benchmarks into fresh folders; `lql-gen` writes through cli/files.ts). */
function plainFile(path: string): CsvSink {
  const fd = openSync(path, 'w');
  let open = true;
  const close = () => {
    if (open) (open = false), closeSync(fd);
  };
  return { write: (s) => void writeSync(fd, s), ready: close, commit: close, abort: close };
}

/**
 * Write `leads.csv` and `events.csv` into `dir` (created if needed), each
 * through `open(path)`; both are complete before either is committed.
 */
export function writeCsv(gen: Generated, dir: string, open: (path: string) => CsvSink = plainFile): { leads: string; events: string } {
  mkdirSync(dir, { recursive: true });
  const { leads, events } = gen;
  const lf = join(dir, 'leads.csv');
  const ef = join(dir, 'events.csv');
  const files: CsvSink[] = [];
  try {
    files.push(open(lf));
    const out = new Out(files[0]!);
    const attrs = ['industry', 'employees', 'country', 'title', 'email', 'budget', 'timeframe_days'];
    out.line(['id', 'outcome', 'created_at', 'closed_at', ...attrs].join(','));
    const cols = attrs.map((a) => leads.columns.get(a)!);
    for (let i = 0; i < leads.n; i++) {
      const o = leads.outcome[i]!;
      const cells = [leads.ids[i]!, o === 1 ? 'won' : o === 0 ? 'lost' : 'open', iso(leads.createdAt[i]!), iso(leads.closedAt[i]!)];
      for (const c of cols) {
        if (c.type === 'text') cells.push(c.codes[i]! >= 0 ? csvCell(c.dict[c.codes[i]!]!) : '');
        else if (c.type === 'bool') cells.push(c.values[i] === 1 ? 'true' : c.values[i] === 0 ? 'false' : '');
        else if (c.type === 'date') cells.push(iso(c.values[i]!));
        else cells.push(c.values[i] === c.values[i] ? String(c.values[i]) : '');
      }
      out.line(cells.join(','));
    }
    out.flush();
    files.push(open(ef));
    const out2 = new Out(files[1]!);
    out2.line('lead_id,type,at');
    for (let i = 0; i < leads.n; i++) {
      const id = leads.ids[i]!;
      for (let j = events.offsets[i]!; j < events.offsets[i + 1]!; j++) {
        out2.line(`${id},${events.typeNames[events.types[j]!]!},${iso(events.times[j]!)}`);
      }
    }
    out2.flush();
    for (const f of files) f.ready();
    for (const f of files) f.commit();
  } finally {
    for (const f of files) f.abort();
  }
  return { leads: lf, events: ef };
}

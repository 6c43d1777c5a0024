// The columnar cache (simulator/data/cache.ts): a re-run loads the same
// tables and prints the same report as parsing the files; stale, corrupt and
// foreign entries are ignored; writes are atomic; the folder keeps to its
// size limit; `--no-cache` and `lql cache clear` work. The reference is
// always the file parsed without the cache, an independent route (the
// parser), and the reports are compared whole.
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_FORMAT, eventsFromArrow, eventsToArrow, leadsFromArrow, leadsToArrow } from '../../simulator/data/arrow-tables.js';
import { cachedEvents, cachedLeads, clearCache, fingerprint, listCache, parseSize, trim, type CacheOptions } from '../../simulator/data/cache.js';
import { loadEventsFile, loadLeadsFile } from '../../simulator/data/files.js';
import { type EventTable, type LeadTable, type LoadOptions, latestByType, notedTimeSpan } from '../../simulator/data/table.js';
import { dataWeeks } from '../../simulator/time.js';
import { generate, writeCsv } from '../../simulator/generate.js';
import { run } from '../cli/run.js';

const shared = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const xedu = join(shared, 'x-education', 'Leads.csv');
const bank = join(shared, 'uci-bank-marketing', 'bank-full.csv');
const examples = join(import.meta.dirname, '..', '..', 'examples');

let work: string;
let gen: { leads: string; events: string };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'lql-cache-test-'));
  // 12,000 ACME-like leads, ~8 events each: both files are over the 1 MiB caching threshold
  gen = writeCsv(generate({ leads: 12_000, seed: 11, eventsPerLead: 8 }), join(work, 'gen'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function outcomes(): { log: string[]; opts: CacheOptions } {
  const log: string[] = [];
  return { log, opts: { onOutcome: (_f, o) => log.push(o) } };
}

/**
 * An events table with its type codes widened (the cache keeps them in the
 * narrowest integer), without the latest time per type a loaded entry
 * carries: checked here against a scan of its own events.
 */
function wide(e: EventTable): EventTable {
  const latest = latestByType(e);
  if (latest) {
    const want = e.typeNames.map((_, c) => {
      let m = -Infinity;
      for (let j = 0; j < e.types.length; j++) if (e.types[j] === c && e.times[j]! > m) m = e.times[j]!;
      return m;
    });
    expect(Array.from(latest)).toEqual(want);
    // and the span of all its times, which the weeks of the report are computed from
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of e.times) {
      lo = Math.min(lo, t);
      hi = Math.max(hi, t);
    }
    expect(notedTimeSpan(e)).toEqual({ earliest: lo, latest: hi });
  }
  return { ...e, types: Int32Array.from(e.types) };
}

async function leadsTwice(file: string, options: LoadOptions, cache: CacheOptions) {
  const read = () => loadLeadsFile(file, options);
  const first = await cachedLeads(file, options, cache, read);
  const second = await cachedLeads(file, options, cache, read);
  return { first, second };
}

describe('columnar cache: tables', () => {
  it('a re-run loads the same leads and events tables as parsing (generated data)', async () => {
    const dir = join(work, 'c1');
    const { log, opts } = outcomes();
    const types = { employees: 'number', industry: 'text', title: 'text', country: 'text' } as const;
    const { first, second } = await leadsTwice(gen.leads, { types }, { ...opts, dir });
    expect(log).toEqual(['saved', 'hit']);
    const parsed = await loadLeadsFile(gen.leads, { types });
    expect(second).toEqual(parsed);
    expect(first).toEqual(parsed);
    const acts = ['web_visit', 'email_open', 'demo_request'];
    const read = () => loadEventsFile(gen.events, second, acts);
    const e1 = await cachedEvents(gen.events, second, acts, {}, { ...opts, dir }, read);
    const e2 = await cachedEvents(gen.events, second, acts, {}, { ...opts, dir }, read);
    expect(log).toEqual(['saved', 'hit', 'saved', 'hit']);
    expect(wide(e2)).toEqual(e1);
    expect(e2.types.length).toBeGreaterThan(50_000);
    // the loaded table carries its time span, and the report's weeks from it are those of a scan of the times
    expect(notedTimeSpan(e2)).toBeDefined();
    expect(dataWeeks(second, e2)).toBe(dataWeeks(second, { times: Float64Array.from(e2.times) }));
    expect(dataWeeks(second, e2)).toBeGreaterThan(1);
    // a few types: one byte per event
    expect(e2.types).toBeInstanceOf(Int8Array);
  });

  it('the shared datasets round-trip (placeholders, CRLF, quoted commas, @row ids)', async () => {
    for (const [file, options] of [
      [xedu, { id: 'Prospect ID', outcome: 'Converted', missing: ['Select'] }],
      [bank, { id: '@row', outcome: 'y', missing: ['unknown'], types: { balance: 'number', housing: 'bool' } }],
    ] as [string, LoadOptions][]) {
      if (!existsSync(file)) continue;
      const { log, opts } = outcomes();
      const { second } = await leadsTwice(file, options, { ...opts, dir: join(work, 'c2') });
      expect(log).toEqual(['saved', 'hit']);
      expect(second).toEqual(await loadLeadsFile(file, options));
    }
  }, 240_000); // six loads of two real files: slow on a loaded machine

  it('the entry is an Arrow IPC file other tools can read: named, typed columns', async () => {
    const dir = join(work, 'c3');
    await cachedLeads(gen.leads, { types: { employees: 'number' } }, { dir }, () => loadLeadsFile(gen.leads, { types: { employees: 'number' } }));
    const [name] = readdirSync(dir).filter((n) => n.endsWith('.arrow'));
    const t = tableFromIPC(readFileSync(join(dir, name!)));
    expect(t.numRows).toBe(12_000);
    const parsed = await loadLeadsFile(gen.leads, { types: { employees: 'number' } });
    expect(t.getChild('lql_id')!.get(0)).toBe(parsed.ids[0]);
    const emp = parsed.columns.get('employees')!;
    expect(emp.type).toBe('number');
    if (emp.type === 'number') expect(t.getChild('employees')!.get(5)).toBe(emp.values[5]);
    expect(String(t.schema.fields.find((f) => f.name === 'industry')!.type)).toMatch(/Dictionary/);
    // times are epoch milliseconds (floats, null when missing), read as they are
    const row = parsed.createdAt.findIndex((x) => x === x);
    expect(t.getChild('lql_created_at_ms')!.get(row)).toBe(parsed.createdAt[row]);
    expect(t.getChild('lql_created_at_ms')!.get(row)).toBe(Date.parse(readFileSync(gen.leads, 'utf8').split('\n')[row + 1]!.split(',')[2]!));
    expect(t.schema.fields.find((f) => f.name === 'lql_closed_at_ms')!.metadata.get('unit')).toBe('epoch milliseconds, UTC');
  });

  it('an events entry is one row per lead: its id and its events (type, time) as a list, in CSR order', async () => {
    const dir = join(work, 'c9');
    const types = { employees: 'number' } as const;
    const read = () => loadLeadsFile(gen.leads, { types });
    await cachedLeads(gen.leads, { types }, { dir }, read);
    // leads from the entry: their ids are still UTF-8 when the events entry is written from them
    const leads = await cachedLeads(gen.leads, { types }, { dir }, read);
    const acts = ['web_visit', 'email_open', 'demo_request'];
    const parsed = await loadEventsFile(gen.events, await read(), acts);
    await cachedEvents(gen.events, leads, acts, {}, { dir }, () => loadEventsFile(gen.events, leads, acts));
    const name = readdirSync(dir).find(
      (n) => n.endsWith('.arrow') && statSync(join(dir, n)).size > 0 && tableFromIPC(readFileSync(join(dir, n))).schema.fields[0]!.name === 'lead_id',
    );
    const t = tableFromIPC(readFileSync(join(dir, name!)));
    expect(t.schema.fields.map((f) => f.name)).toEqual(['lead_id', 'events']);
    expect(t.numRows).toBe(12_000);
    // lead 17 by hand from the CSV: its rows in the events file, sorted by time (stable)
    const csv = readFileSync(gen.events, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const id = csv[40]![0]!;
    const mine = csv.filter((r) => r[0] === id).map((r, k) => ({ type: r[1], at: Date.parse(r[2]!), k }));
    mine.sort((a, b) => a.at - b.at || a.k - b.k);
    const row = t.toArray().find((r) => r.lead_id === id)!;
    expect([...row.events].map((e: { type: string; at_ms: number }) => ({ type: e.type, at: e.at_ms }))).toEqual(mine.map(({ type, at }) => ({ type, at })));
    // and the table loaded from it is the parsed one, its arrays views of the entry's bytes
    const bytes = readFileSync(join(dir, name!));
    const key = name!.replace(/\.arrow$/, '');
    const back = eventsFromArrow(bytes, leads, key)!;
    expect(wide(back)).toEqual(parsed);
    expect(back.types.buffer).toBe(bytes.buffer);
    expect(back.times.buffer).toBe(bytes.buffer);
    expect(back.offsets.buffer).toBe(bytes.buffer);
  });

  it('an events entry that does not fit its leads is refused: other lead count, bad offsets, unknown type codes', async () => {
    const leads = await loadLeadsFile(gen.leads);
    const ev = await loadEventsFile(gen.events, leads, ['web_visit']);
    const good = eventsToArrow(ev, leads, 'k');
    expect(wide(eventsFromArrow(good, leads, 'k')!)).toEqual(ev);
    expect(eventsFromArrow(good, leads, 'other key')).toBeNull();
    expect(eventsFromArrow(good, { ...leads, n: leads.n - 1 }, 'k')).toBeNull();
    const falling = ev.offsets.slice();
    falling[5] = falling[7]! + 1;
    expect(eventsFromArrow(eventsToArrow({ ...ev, offsets: falling }, leads, 'k'), leads, 'k')).toBeNull();
    const badType = ev.types.slice();
    badType[100] = ev.typeNames.length;
    expect(eventsFromArrow(eventsToArrow({ ...ev, types: badType }, leads, 'k'), leads, 'k')).toBeNull();
    expect(eventsFromArrow(leadsToArrow(leads, 'k'), leads, 'k')).toBeNull();
    expect(eventsFromArrow(good.subarray(0, good.length - 100), leads, 'k')).toBeNull();
  });

  it('a leads entry with an outcome other than won, lost or open is refused', async () => {
    const leads = await loadLeadsFile(gen.leads);
    expect(leadsFromArrow(leadsToArrow(leads, 'k'), 'k')?.n).toBe(leads.n);
    for (const bad of [2, -2]) {
      const outcome = leads.outcome.slice();
      outcome[leads.n - 1] = bad;
      expect(leadsFromArrow(leadsToArrow({ ...leads, outcome }, 'k'), 'k')).toBeNull();
    }
  });

  it('type codes take one byte up to 128 types, two up to 32,768; the same table comes back', () => {
    const leads = { n: 2, ids: ['a', 'b'] } as unknown as LeadTable;
    for (const [k, kind] of [
      [128, Int8Array],
      [129, Int16Array],
      [40_000, Int32Array],
    ] as const) {
      const typeNames = Array.from({ length: k }, (_, i) => `t${i}`);
      const ev: EventTable = {
        file: 'e.csv',
        offsets: new Int32Array([0, 2, 3]),
        types: new Int32Array([0, k - 1, k >> 1]),
        times: new Float64Array([1, 2, 3]),
        typeNames,
        unknownLeads: { events: 0, sample: [] },
        unknownTypes: Object.create(null) as Record<string, number>,
        rejected: { rows: 0, diagnostics: [] },
      };
      const back = eventsFromArrow(eventsToArrow(ev, leads, 'k'), leads, 'k')!;
      expect(back.types).toBeInstanceOf(kind);
      expect([...back.types]).toEqual([0, k - 1, k >> 1]);
      expect(wide(back)).toEqual(ev);
    }
  });

  it('cached leads decode their ids and text dictionaries when first read; assigned values stay', async () => {
    const parsed = await loadLeadsFile(gen.leads);
    const bytes = leadsToArrow(parsed, 'k');
    const t = leadsFromArrow(bytes, 'k')!;
    expect(Object.getOwnPropertyDescriptor(t, 'ids')!.get).toBeDefined();
    expect(t.ids[0]).toBe(parsed.ids[0]);
    expect(t.ids).toEqual(parsed.ids);
    expect(Object.getOwnPropertyDescriptor(t, 'ids')!.value).toBe(t.ids);
    const industry = t.columns.get('industry')!;
    expect(industry.type === 'text' && industry.dict).toEqual((parsed.columns.get('industry') as { dict: string[] }).dict);
    const u = leadsFromArrow(leadsToArrow(parsed, 'k'), 'k')!;
    u.ids = ['x'];
    expect(u.ids).toEqual(['x']);
    // an entry written from a table whose ids were replaced writes the new ids
    const again = leadsFromArrow(
      leadsToArrow(
        {
          ...parsed,
          n: 1,
          ids: ['x'],
          lines: parsed.lines.subarray(0, 1),
          outcome: parsed.outcome.subarray(0, 1),
          createdAt: parsed.createdAt.subarray(0, 1),
          closedAt: parsed.closedAt.subarray(0, 1),
          columns: new Map(),
        },
        'k',
      ),
      'k',
    )!;
    expect(again.ids).toEqual(['x']);
  });

  it('options are part of the key: other types or options parse again', async () => {
    const dir = join(work, 'c4');
    const { log, opts } = outcomes();
    const read = (o: LoadOptions) => () => loadLeadsFile(gen.leads, o);
    await cachedLeads(gen.leads, {}, { ...opts, dir }, read({}));
    const typed = await cachedLeads(gen.leads, { types: { employees: 'text' } }, { ...opts, dir }, read({ types: { employees: 'text' } }));
    await cachedLeads(gen.leads, { lenient: true }, { ...opts, dir }, read({ lenient: true }));
    await cachedLeads(gen.leads, { types: { employees: 'text' } }, { ...opts, dir }, read({ types: { employees: 'text' } }));
    expect(log).toEqual(['saved', 'saved', 'saved', 'hit']);
    expect(typed.columns.get('employees')!.type).toBe('text');
  });

  it('a changed file is parsed again and its old entry removed', async () => {
    const dir = join(work, 'c5');
    const file = join(work, 'changing.csv');
    cpSync(gen.leads, file);
    const { log, opts } = outcomes();
    const read = () => loadLeadsFile(file);
    await cachedLeads(file, {}, { ...opts, dir }, read);
    const before = readFileSync(file, 'utf8');
    const last = before.trimEnd().split('\n').at(-1)!.split(',');
    last[0] = 'L_appended';
    appendFileSync(file, last.join(',') + '\n');
    const t = await cachedLeads(file, {}, { ...opts, dir }, read);
    expect(log).toEqual(['saved', 'saved']);
    expect(t.ids.at(-1)).toBe('L_appended');
    expect(readdirSync(dir).filter((n) => n.endsWith('.arrow'))).toHaveLength(1);
  });

  it('the same size and time but other content in a sampled block is a new key', () => {
    const a = join(work, 'same-a.csv');
    const b = join(work, 'same-b.csv');
    writeFileSync(a, 'id\n' + 'x'.repeat(1000) + '\n');
    writeFileSync(b, 'id\n' + 'y'.repeat(1000) + '\n');
    expect(fingerprint(a)!.size).toBe(fingerprint(b)!.size);
    expect(fingerprint(a)!.hash).not.toBe(fingerprint(b)!.hash);
  });

  it('a corrupt or truncated entry is ignored, removed and rewritten; the load is right', async () => {
    const dir = join(work, 'c6');
    const { log, opts } = outcomes();
    const read = () => loadLeadsFile(gen.leads);
    await cachedLeads(gen.leads, {}, { ...opts, dir }, read);
    const [name] = readdirSync(dir).filter((n) => n.endsWith('.arrow'));
    const path = join(dir, name!);
    const good = readFileSync(path);
    for (const bad of [good.subarray(0, good.length >> 1), Buffer.from('not arrow at all'), Buffer.alloc(0)]) {
      writeFileSync(path, bad);
      const t = await cachedLeads(gen.leads, {}, { ...opts, dir }, read);
      expect(t).toEqual(await read());
    }
    expect(log).toEqual(['saved', 'saved', 'saved', 'saved']);
  });

  it('an entry of another format version or key is refused', async () => {
    const t = await loadLeadsFile(gen.leads);
    const bytes = leadsToArrow(t, 'k1');
    expect(leadsFromArrow(bytes, 'k1')).toEqual(t);
    expect(leadsFromArrow(bytes, 'k2')).toBeNull();
    const text = Buffer.from(bytes)
      .toString('latin1')
      .replace(`"format":${CACHE_FORMAT}`, `"format":${CACHE_FORMAT - 1}`);
    expect(leadsFromArrow(Buffer.from(text, 'latin1'), 'k1')).toBeNull();
  });

  it('writes go through a temporary file in the cache folder; nothing is left behind', async () => {
    const dir = join(work, 'c7');
    await cachedLeads(gen.leads, {}, { dir }, () => loadLeadsFile(gen.leads));
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // an unwritable cache folder never fails the load
    const file = join(work, 'not-a-dir');
    writeFileSync(file, 'x');
    const t = await cachedLeads(gen.leads, {}, { dir: join(file, 'sub') }, () => loadLeadsFile(gen.leads));
    expect(t.n).toBe(12_000);
  });

  it('small files are not cached; the folder keeps to its limit, least recently used first', async () => {
    const dir = join(work, 'c8');
    const { log, opts } = outcomes();
    await cachedLeads(join(examples, 'data', 'acme-leads.csv'), {}, { ...opts, dir }, () => loadLeadsFile(join(examples, 'data', 'acme-leads.csv')));
    expect(log).toEqual(['parsed']);
    await cachedLeads(gen.leads, {}, { dir }, () => loadLeadsFile(gen.leads));
    const one = listCache(dir).bytes;
    await cachedLeads(gen.leads, { lenient: true }, { dir, limit: Math.floor(one * 1.5) }, () => loadLeadsFile(gen.leads, { lenient: true }));
    expect(listCache(dir).files).toBe(1);
    trim(dir, 0);
    expect(listCache(dir).files).toBe(0);
    expect(parseSize('500M')).toBe(500 * 1024 ** 2);
    expect(parseSize('2G')).toBe(2 * 1024 ** 3);
    expect(parseSize('1.5k')).toBe(1536);
    expect(parseSize('lots')).toBeUndefined();
  });
});

describe('columnar cache: the command line', () => {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.LQL_CACHE_DIR;
    process.env.LQL_CACHE_DIR = join(work, 'cli-cache');
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.LQL_CACHE_DIR;
    else process.env.LQL_CACHE_DIR = saved;
  });

  it('simulate prints the same report from the files, from the cache and with --no-cache', async () => {
    const args = ['simulate', join(examples, 'acme.lql'), '--leads', gen.leads, '--events', gen.events, '--json'];
    const a = await run(args);
    expect(a.code).toBe(0);
    expect(listCache().files).toBe(2);
    const stamp = readdirSync(join(work, 'cli-cache')).map((n) => statSync(join(work, 'cli-cache', n)).size);
    const b = await run(args);
    const c = await run([...args, '--no-cache']);
    expect(b.out).toBe(a.out);
    expect(c.out).toBe(a.out);
    expect(readdirSync(join(work, 'cli-cache')).map((n) => statSync(join(work, 'cli-cache', n)).size)).toEqual(stamp);
    const r = JSON.parse(a.out) as { leads: number };
    expect(r.leads).toBe(12_000);
  });

  // (snapshots without dates are evaluated at --as-of, else at the current time)
  it('X Education and bank marketing: the same report from CSV and from the cache', async () => {
    for (const args of [
      [
        'simulate',
        join(examples, 'x-education', 'x-education.lql'),
        '--leads',
        xedu,
        '--id',
        'Prospect ID',
        '--outcome',
        'Converted',
        '--missing',
        'Select',
        '--as-of',
        '2026-06-01',
        '--json',
      ],
      [
        'simulate',
        join(examples, 'bank-marketing', 'bank-marketing.lql'),
        '--leads',
        bank,
        '--id',
        '@row',
        '--outcome',
        'y',
        '--missing',
        'unknown',
        '--as-of',
        '2026-06-01',
        '--json',
      ],
    ]) {
      if (!existsSync(args[3]!)) continue;
      const first = await run(args);
      const again = await run(args);
      const plain = await run([...args, '--no-cache']);
      expect(first.code).toBe(0);
      expect(again.out).toBe(plain.out);
      expect(first.out).toBe(plain.out);
    }
  });

  it('lql cache shows and clears the folder', async () => {
    const shown = await run(['cache']);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/cached data files?, \d+\.\d MB/);
    const cleared = await run(['cache', 'clear']);
    expect(cleared.out).toMatch(/^removed \d+ cached data files?/);
    expect(listCache().files).toBe(0);
    expect(clearCache().files).toBe(0);
    expect((await run(['cache', 'wipe'])).code).toBe(2);
  });
});

// An events CSV read from its bytes (plain rows straight into the table,
// the rest through the CSV reader) gives exactly what reading its decoded
// text gives: the same table, the same counts, the same messages at the same
// line and column, for any cut into chunks.
import { describe, expect, it } from 'vitest';
import { EventsBuilder, eventsInLeadOrder, loadEventsSync } from '../../simulator/data/events.js';
import { CsvReader } from '../../simulator/data/csv.js';
import { EventBytesReader } from '../../simulator/data/event-bytes.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import { readEventsPart } from '../../simulator/data/parts.js';
import { parseCommonTimeBytes, parseTimeRange } from '../../simulator/data/values.js';
import { DataError } from '../../simulator/data/errors.js';
import type { EventTable, LoadOptions } from '../../simulator/data/table.js';
import type { ReadOptions } from '../../simulator/data/leads.js';
import { seeded } from '../support/independent.js';

const enc = new TextEncoder();

const IDS = ['L1', 'L2', 'L3', 'Zoë', 'L 5', '"L6"', 'L7'];
const leads = loadLeadsSync({ name: 'leads.csv', text: 'id,outcome\nL1,won\nL2,lost\nL3,\nZoë,won\nL 5,lost\nL6,\n' });
const ACTIVITIES = ['visit', 'demo', 'email'];

/** One generated events line (without its line break), mostly plain, sometimes anything a real export holds. */
function line(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const x = r();
  if (x < 0.03) return '';
  if (x < 0.05) return pick(['L1,visit', 'L1,visit,2026-01-01,extra', '   ', 'L1;visit;2026-01-01']);
  const id = x < 0.1 ? pick(['L99', '', ' ', ' L1', 'L1 ', 'Zoë', '"L2"', '"L,2"']) : pick(IDS.slice(0, 3));
  const type = x > 0.9 ? pick(['webinar', '', ' ', 'démo', '"demo"', 'visit ', 'Visit']) : pick(ACTIVITIES);
  const day = 1 + Math.floor(r() * 28);
  const d = `2026-0${1 + Math.floor(r() * 9)}-${String(day).padStart(2, '0')}`;
  const times = [
    `${d}T10:${String(Math.floor(r() * 60)).padStart(2, '0')}:00Z`,
    `${d}T10:30:00Z`,
    `${d} 08:15:07`,
    `${d}T23:59:59.123Z`,
    `${d}T23:59:59.1Z`,
    `${d}T10:30`,
    `${d}T10:30+02:00`,
    d,
    `${d}Z`,
    '1767225600000',
    '0',
    '-5',
    '1e12',
    '2026-02-30T10:00:00Z',
    '2026-13-01',
    'soon',
    '',
    ' 2026-01-01',
    '"2026-01-02T00:00:00Z"',
    '"2026-01-02\n10:00"',
  ];
  const at = x > 0.8 ? pick(times) : times[Math.floor(r() * 4)]!;
  return `${id},${type},${at}`;
}

/** A plain line: a known lead, a declared type, a time of the common shape. */
function plainLine(r: () => number): string {
  return `${IDS[Math.floor(r() * 3)]},${ACTIVITIES[Math.floor(r() * 3)]},2026-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 10)}T0${Math.floor(r() * 10)}:30:00Z`;
}

/**
 * A generated events file: its header, then `n` lines with LF, CRLF or
 * (rarely) lone CR breaks; each line is any line (`line`) with chance
 * `odd`, else a plain one.
 */
function file(seed: number, n: number, odd = 1): string {
  const r = seeded(seed);
  const crlf = r() < 0.4;
  const parts = [r() < 0.2 ? '\uFEFFlead_id,type,at' : 'lead_id,type,at'];
  for (let i = 0; i < n; i++) parts.push(r() < odd ? line(r) : plainLine(r));
  let text = parts.join(crlf ? '\r\n' : '\n');
  if (r() < 0.5) text += crlf ? '\r\n' : '\n';
  if (r() < 0.05) text = text.replace('\n', '\r');
  return text;
}

type Outcome = { table: Omit<EventTable, 'file'> } | { error: unknown };

function outcome(load: () => EventTable): Outcome {
  try {
    const { file: _f, ...table } = load();
    return { table };
  } catch (e) {
    if (e instanceof DataError) return { error: e.diagnostics };
    throw e;
  }
}

type Opts = LoadOptions & ReadOptions;

/** The CSV reader alone on `text`'s UTF-8 bytes cut into `chunk`-byte pieces, each decoded (as every byte source was read before). */
function decodedPieces(text: string, chunk: number, options: Opts): Outcome {
  return outcome(() => {
    const b = new EventsBuilder('events.csv', leads, ACTIVITIES, options);
    const csv = new CsvReader(b, { file: 'events.csv', issues: b.issues, maxRecord: options.maxRecord });
    const bytes = enc.encode(text);
    const dec = new TextDecoder();
    for (let i = 0; i < bytes.length; i += chunk) csv.push(dec.decode(bytes.subarray(i, i + chunk), { stream: true }));
    csv.end();
    return b.finish();
  });
}

/** Read as text (the CSV reader alone) and as bytes cut into `chunk`-byte pieces. */
function both(text: string, chunk: number, options: Opts = {}) {
  // a byte order mark is dropped from bytes before any offset is counted (as the decoder does), not from a string
  const asText = outcome(() => loadEventsSync({ name: 'events.csv', text: text.replace(/^\uFEFF/, '') }, leads, ACTIVITIES, options));
  const asBytes = outcome(() => loadEventsSync({ name: 'events.csv', text: enc.encode(text) }, leads, ACTIVITIES, { ...options, chunkSize: chunk }));
  return { asText, asBytes };
}

describe('events read from bytes', () => {
  it('plain rows give the table the text reader gives (checked by hand)', () => {
    const text = 'lead_id,type,at\nL2,demo,2026-01-02T10:00:00Z\nL1,visit,2026-01-01T09:30:00Z\nL2,email,2026-01-01\n';
    const ev = loadEventsSync({ name: 'events.csv', text: enc.encode(text) }, leads, ACTIVITIES);
    expect([...ev.offsets.subarray(0, 3)]).toEqual([0, 1, 3]);
    expect([...ev.types.subarray(0, 3)]).toEqual([0, 2, 1]);
    expect([...ev.times.subarray(0, 3)]).toEqual([Date.UTC(2026, 0, 1, 9, 30), Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 2, 10)]);
  });

  it('messages keep their line and column after plain rows, CRLF and a non-ASCII row', () => {
    const text = 'lead_id,type,at\r\nL1,visit,2026-01-01\r\nZoë,demo,2026-01-01\r\nL2,demo,bad\r\n';
    const { asBytes } = both(text, 7);
    const diags = (asBytes as { error: { code: string; range: { start: { line: number; column: number; offset: number } } }[] }).error;
    expect(diags[0]!.code).toBe('LQL518');
    // line 4, the time starts after `L2,demo,` (column 9); offset: the 3 lines before (17 + 21 + 21 characters) + 8
    expect(diags[0]!.range.start).toEqual({ line: 4, column: 9, offset: 17 + 21 + 21 + 8 });
  });

  for (const lenient of [false, true]) {
    it(`generated files, ${lenient ? 'lenient' : 'strict'}: the same outcome as the text reader for any chunk size`, () => {
      let tables = 0;
      for (let seed = 1; seed <= 150; seed++) {
        const text = file(seed, 5 + (seed % 40));
        for (const chunk of [1, 2, 3, 7, 16, 61, 4096]) {
          const { asText, asBytes } = both(text, chunk, { lenient });
          expect(asBytes, `seed ${seed}, chunk ${chunk}`).toEqual(asText);
          if ('table' in asText) tables++;
        }
      }
      // the files are not all refused: most strict loads fail on their bad rows, lenient ones never
      expect(tables).toBeGreaterThan(lenient ? 1000 : 20);
    });
  }

  it('long stretches of plain lines with a few odd ones (read with native searches) give the same outcome', () => {
    for (let seed = 400; seed < 460; seed++) {
      const text = file(seed, 300, 0.01);
      for (const chunk of [257, 1000, 4096, 1 << 15]) {
        for (const lenient of [false, true]) {
          const { asText, asBytes } = both(text, chunk, { lenient });
          expect(asBytes, `seed ${seed}, chunk ${chunk}`).toEqual(asText);
        }
      }
      const opts = { file: 'events.csv', activities: ACTIVITIES, lenient: true };
      const plainText = text.replace(/^\uFEFF/, '');
      const bytes = enc.encode(plainText);
      expect(readEventsPart({ head: new Uint8Array(0), size: bytes.length, chunks: pieces(bytes, 600) }, 0, opts), `seed ${seed}`).toEqual(
        readEventsPart(plainText, 0, opts),
      );
    }
  });

  it('plain lines are stored without the CSV reader: it reads only the header and the odd lines', () => {
    for (const [crlf, chunk] of [
      [false, 64],
      [true, 64],
      [false, 1 << 15],
      [true, 1 << 15],
    ] as const) {
      const lines = ['lead_id,type,at'];
      for (let i = 0; i < 3000; i++) lines.push(`L${1 + (i % 3)},${ACTIVITIES[i % 3]},2026-01-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`);
      // three odd lines: a quoted field, a new type, an unknown lead
      lines[1500] = '"L1",visit,2026-01-01';
      lines[2000] = 'L1,webinar,2026-01-01';
      lines[2500] = 'L99,visit,2026-01-01';
      const bytes = enc.encode(lines.join(crlf ? '\r\n' : '\n') + '\n');
      const b = new EventsBuilder('events.csv', leads, ACTIVITIES, {});
      const csv = new CsvReader(b, { file: 'events.csv', issues: b.issues });
      const pushed: string[] = [];
      const push = csv.push.bind(csv);
      csv.push = (text: string, start?: number, end?: number) => {
        pushed.push(text.slice(start ?? 0, end ?? text.length));
        push(text, start, end);
      };
      const reader = new EventBytesReader(b, csv);
      for (let i = 0; i < bytes.length; i += chunk) reader.pushBytes(bytes.subarray(i, i + chunk));
      reader.end();
      const eol = crlf ? '\r\n' : '\n';
      // the header's chunk goes to the CSV reader up to its last line break (the lines that fit whole in it), then only the odd lines
      const text = lines.join(eol) + eol;
      const head = text.slice(0, text.lastIndexOf('\n', chunk - 1) + 1);
      const whole = head.split(eol).length - 1;
      expect(whole).toBeLessThan(1500);
      expect(pushed.join(''), `crlf ${crlf}, chunk ${chunk}`).toBe(head + [lines[1500], lines[2000], lines[2500]].join(eol) + eol);
      const t = b.finish();
      expect(t.times.length).toBe(2999);
      expect(t.unknownLeads.events).toBe(1);
      expect(t.unknownTypes).toEqual({ webinar: 1 });
    }
  });

  it('a part read alone (lead ids coded as first seen) equals its text read', () => {
    for (let seed = 200; seed < 260; seed++) {
      const text = file(seed, 30).replace(/^\uFEFF/, '');
      const opts = { file: 'events.csv', activities: ACTIVITIES, lenient: true };
      const a = readEventsPart(text, 0, opts);
      for (const chunk of [5, 4096]) {
        const bytes = enc.encode(text);
        const b = readEventsPart({ head: new Uint8Array(0), size: bytes.length, chunks: pieces(bytes, chunk) }, 0, opts);
        expect(b, `seed ${seed}`).toEqual(a);
      }
    }
  });

  it('chunks that are views of one buffer, overwritten by the next read (as a worker reads a file), give the same outcome', () => {
    for (let seed = 300; seed < 340; seed++) {
      const text = file(seed, 25).replace(/^\uFEFF/, '');
      const bytes = enc.encode(text);
      for (const size of [1, 3, 8, 64]) {
        for (const lenient of [false, true]) {
          const asText = outcome(() => loadEventsSync({ name: 'events.csv', text }, leads, ACTIVITIES, { lenient }));
          const reused = outcome(() => loadEventsSync({ name: 'events.csv', chunks: reusing(bytes, size) }, leads, ACTIVITIES, { lenient }));
          expect(reused, `seed ${seed}, size ${size}`).toEqual(asText);
        }
      }
    }
  });

  it('a line longer than the row limit, and a file with no line break at all, are refused as by the text reader', () => {
    const long = 'lead_id,type,at\nL1,visit,2026-01-01\n' + 'L1,' + 'x'.repeat(300) + ',2026-01-01\nL2,demo,2026-01-02\n';
    for (const lenient of [false, true]) {
      const { asText, asBytes } = both(long, 16, { lenient, maxRecord: 100 });
      expect(asBytes).toEqual(asText);
    }
    // a quote left open runs past the limit over several lines and closes later: judged on the same text either way
    // (a record is judged at the end of each piece read: the reference is the CSV reader alone on the same pieces, decoded)
    const runaway = 'lead_id,type,at\nL1,visit,"2026-01-01\n' + 'L1,visit,2026-01-02\n'.repeat(6) + 'L1,visit,x"\nL1,visit,2026-01-03\n';
    for (const chunk of [1 << 15, 64, 7]) {
      for (const lenient of [false, true]) {
        const { asBytes } = both(runaway, chunk, { lenient, maxRecord: 100 });
        expect(asBytes, `chunk ${chunk}, lenient ${lenient}`).toEqual(decodedPieces(runaway, chunk, { lenient, maxRecord: 100 }));
      }
    }
    // by hand, read as one piece: the open quote makes lines 2-9 one record longer than 100 characters (LQL508 at 2:1), line 10 is read
    const one = both(runaway, 1 << 15, { lenient: true, maxRecord: 100 }).asBytes as { table: EventTable };
    expect(one.table.times.length).toBe(1);
    expect(one.table.rejected.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column])).toEqual([['LQL508', 2, 1]]);
    const noBreak = 'lead_id,type,at' + ',x'.repeat(200);
    const { asText, asBytes } = both(noBreak, 16, { maxRecord: 100 });
    expect(asBytes).toEqual(asText);
  });

  it('bytes that are not UTF-8 are refused at their line and column', () => {
    const bytes = enc.encode('lead_id,type,at\nL1,visit,2026-01-01\nL2,d\u00e9mo,2026-01-01\n');
    const bad = new Uint8Array(bytes);
    // `é` is C3 A9: a lone A9 is not UTF-8
    bad[bytes.indexOf(0xc3)] = 0x41;
    let err: unknown;
    try {
      loadEventsSync({ name: 'events.csv', text: bad }, leads, ACTIVITIES, { chunkSize: 8 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    const d = (err as DataError).diagnostics[0]!;
    expect(d.code).toBe('LQL530');
    expect([d.range.start.line, d.range.start.column]).toEqual([3, 6]);
  });
});

/** `b` in pieces of `size` bytes, each a view of one buffer that the next piece overwrites. */
function* reusing(b: Uint8Array, size: number): Generator<Uint8Array> {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < b.length; i += size) {
    const n = Math.min(size, b.length - i);
    buffer.set(b.subarray(i, i + n));
    yield buffer.subarray(0, n);
    buffer.fill(0x2c);
  }
}

function* pieces(b: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

describe('parts written into regions of one table (shared memory)', () => {
  /** `n` events of leads L1..L3 in lead order, as CSV. */
  function ordered(n: number): string {
    const lines = ['lead_id,type,at'];
    for (let i = 0; i < n; i++) {
      const lead = 1 + Math.floor((i * 3) / n);
      lines.push(`L${lead},${ACTIVITIES[i % 3]},2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`);
    }
    return lines.join('\n') + '\n';
  }
  const opts = { file: 'events.csv', activities: ACTIVITIES };

  it("a part larger than the builder's first arrays, in a region or past its end, reads as in arrays of its own", () => {
    const text = ordered(70_000);
    const own = readEventsPart(text, 0, opts);
    for (const room of [80_000, 70_000, 1_000]) {
      const types = new Int32Array(new SharedArrayBuffer((room + 8) * 4));
      const times = new Float64Array(new SharedArrayBuffer((room + 8) * 8));
      const into = { type: types.subarray(8, 8 + room), time: times.subarray(8, 8 + room) };
      const r = readEventsPart(text, 0, { ...opts, into });
      expect({ ...r, lead: [...r.lead], type: [...r.type], time: [...r.time] }, `room ${room}`).toEqual({
        ...own,
        lead: [...own.lead],
        type: [...own.type],
        time: [...own.time],
      });
      // in its region when it fits, else in arrays of its own
      expect(r.type.buffer === types.buffer, `room ${room}`).toBe(room >= 70_000);
    }
  });
});

describe('runs in regions of one table', () => {
  it('are moved down in place, their type codes mapped: the table that copying them gives', () => {
    const types = new Int32Array(new SharedArrayBuffer(40 * 4));
    const times = new Float64Array(new SharedArrayBuffer(40 * 8));
    // three runs at 0, 12 and 25 (gaps between), leads in order across them; the second's type 0 is the table's 2
    const spec = [
      { at: 0, lead: [0, 0, 1, 1, 1], type: [0, 1, 0, 1, 1], time: [5, 3, 9, 8, 7] },
      { at: 12, lead: [1, 2, 2, 2], type: [0, 1, 0, 0], time: [1, 4, 2, 2], typeMap: Int32Array.from([2, 1]) },
      { at: 25, lead: [3, 3, 3, 4, 4, 4], type: [1, 1, 0, 0, 1, 2], time: [6, 6, 1, 0, 0, 9] },
    ];
    const inRegions = spec.map((r) => {
      types.set(r.type, r.at);
      times.set(r.time, r.at);
      return {
        lead: Int32Array.from(r.lead),
        type: types.subarray(r.at, r.at + r.type.length),
        time: times.subarray(r.at, r.at + r.time.length),
        n: r.lead.length,
        typeMap: r.typeMap,
      };
    });
    const own = spec.map((r) => ({
      lead: Int32Array.from(r.lead),
      type: Int32Array.from(r.type),
      time: Float64Array.from(r.time),
      n: r.lead.length,
      typeMap: r.typeMap,
    }));
    const a = eventsInLeadOrder(5, inRegions, undefined, { type: types, time: times });
    const b = eventsInLeadOrder(5, own);
    expect(a.types.buffer).toBe(types.buffer);
    expect({ offsets: [...a.offsets], types: [...a.types], times: [...a.times] }).toEqual({
      offsets: [...b.offsets],
      types: [...b.types],
      times: [...b.times],
    });
    // by hand: lead 1 has 9@0, 8@1, 7@1 then 1@2 (mapped from 0); sorted by time: 1, 7, 8, 9
    expect([...b.offsets]).toEqual([0, 2, 6, 9, 12, 15]);
    expect([...b.times.subarray(2, 6)]).toEqual([1, 7, 8, 9]);
    expect([...b.types.subarray(2, 6)]).toEqual([2, 1, 1, 0]);
    // runs that are not in regions of those arrays are copied
    const ownAgain = spec.map((r) => ({
      lead: Int32Array.from(r.lead),
      type: Int32Array.from(r.type),
      time: Float64Array.from(r.time),
      n: r.lead.length,
      typeMap: r.typeMap,
    }));
    const elsewhere = eventsInLeadOrder(5, ownAgain, undefined, { type: types, time: times });
    expect([...elsewhere.times]).toEqual([...b.times]);
    expect(elsewhere.types.buffer).not.toBe(types.buffer);
  });
});

describe('the common time shapes read from bytes', () => {
  it('give what the text reader gives, or decline (NaN) and leave the text to it', () => {
    const r = seeded(7);
    const alphabet = '0123456789-:TZ .+';
    const samples = [
      '2026-01-01',
      '2026-01-01T10:00:00Z',
      '2024-02-29T23:59:59.999Z',
      '2023-02-29',
      '1767225600000',
      '2026-01-01T10:00',
      '2026-01-01 10:00:00',
      '2026-01-01Z',
    ];
    for (let i = 0; i < 20000; i++) {
      let s = samples[i % samples.length]!;
      // mutate: change, drop or add characters
      const k = Math.floor(r() * 3);
      for (let m = 0; m < k; m++) {
        const p = Math.floor(r() * (s.length + 1));
        const c = alphabet[Math.floor(r() * alphabet.length)]!;
        const op = r();
        s = op < 0.4 ? s.slice(0, p) + c + s.slice(p + 1) : op < 0.7 ? s.slice(0, p) + s.slice(p + 1) : s.slice(0, p) + c + s.slice(p);
      }
      const b = enc.encode(`,${s},`);
      const fast = parseCommonTimeBytes(b, 1, b.length - 1);
      if (fast === fast) expect(fast, s).toBe(parseTimeRange(s, 0, s.length));
    }
    // the shapes a file writes most are read here, not declined
    for (const s of ['2026-01-01', '2026-01-01T10:00:00Z', '2026-01-01 10:00:00', '2024-02-29T23:59:59.999Z', '1767225600000']) {
      const b = enc.encode(s);
      expect(parseCommonTimeBytes(b, 0, b.length), s).toBe(parseTimeRange(s, 0, s.length));
    }
    expect(parseCommonTimeBytes(enc.encode('2026-01-01T10:00:00Z'), 0, 20)).toBe(Date.UTC(2026, 0, 1, 10));
  });
});

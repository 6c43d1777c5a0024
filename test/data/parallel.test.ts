// Reading a leads or events file in parts on worker threads gives the table,
// the counts and the messages (file, line, column) of the single reader,
// wherever the parts are cut: inside quoted fields, between CR and LF, inside
// a UTF-8 character, inside a row, right after the header, or cleanly after a
// line break. Parts that cannot stand for the file, and workers that fail,
// leave the file to the single reader; the columnar cache is written after a
// read in parts and reads back the same table.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { workerBundle } from '../support/worker-bundle.js';
import { loadEventsFile, loadLeadsFile, readLeadsFile } from '../../simulator/data/files.js';
import { LoadCancelledError } from '../../simulator/data/errors.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import { readEventsAhead, type SplitOptions } from '../../simulator/data/parallel.js';
import type { EventTable, LeadTable, LoadOptions } from '../../simulator/data/table.js';
import { generate, writeCsv } from '../../simulator/generate.js';
import { loadFailure, plainLeads, type LoadFailure } from './helpers.js';

// the worker runs as JavaScript: bundled from the sources under test
const worker = workerBundle('parts-worker', 'simulator/data/parts-worker.ts');
const ROOT = join(import.meta.dirname, '..', '..');

type Outcome = { table: EventTable } | LoadFailure;

async function load(path: string, leads: LeadTable, acts: string[], lenient: boolean, split: SplitOptions | false): Promise<Outcome> {
  try {
    return { table: await loadEventsFile(path, leads, acts, { lenient, split }) };
  } catch (e) {
    return loadFailure(e);
  }
}

/** Plain values of a table, for deep equality. */
function plain(o: Outcome): unknown {
  if ('error' in o) return o;
  const t = o.table;
  return {
    offsets: [...t.offsets],
    types: [...t.types],
    times: [...t.times],
    typeNames: t.typeNames,
    unknownLeads: t.unknownLeads,
    unknownTypes: { ...t.unknownTypes },
    rejected: t.rejected,
  };
}

/** The single reader's result, and the parts' result with these cuts; also how the parts were read. */
async function both(path: string, leads: LeadTable, acts: string[], cuts: number[], lenient = false) {
  const single = await load(path, leads, acts, lenient, false);
  let how = '';
  const parts = await load(path, leads, acts, lenient, { cuts, minSize: 0, workers: 2, workerUrl: worker.url(), onRead: (h) => (how = h) });
  return { single, parts, how };
}

/**
 * A CSV file written to the test folder before the tests of a block: a byte
 * order mark, the header and the rows, CRLF line ends; `at(s)` is the byte
 * offset of `s` in it.
 */
function crlfFile(name: string, header: string, rows: string[]) {
  const bytes = Buffer.from('\uFEFF' + header + '\r\n' + rows.join('\r\n') + '\r\n', 'utf8');
  const file = { bytes, path: '', at: (s: string, from = 0) => bytes.indexOf(Buffer.from(s, 'utf8'), from) };
  beforeAll(() => {
    file.path = join(worker.dir(), name);
    writeFileSync(file.path, bytes);
  });
  return file;
}

const LEADS = 'id,outcome\nA,won\n"B\nline two",lost\nC;D,\nÉlodie,won\n';

describe('events read in parts', () => {
  const leads = loadLeadsSync({ name: 'leads.csv', text: LEADS });
  const acts = ['visit', 'démo', 'email'];
  // `;` separated, CRLF line ends, a byte order mark, a quoted id with a line break, a `""`,
  // a multi-byte type name, an unknown lead and an undeclared type
  const rows = [
    'A;visit;2026-01-01T10:00:00Z',
    '"B\nline two";démo;2026-01-02T10:00:00Z',
    'Élodie;email;2026-01-03T10:00:00Z',
    '"C;D";"vi""sit";2026-01-04T10:00:00Z',
    'Z;visit;2026-01-05T10:00:00Z',
    'A;démo;2026-01-01T09:00:00Z',
    'Élodie;visit;2026-01-06T10:00:00Z',
    '"B\nline two";email;2026-01-07T10:00:00Z',
    'A;email;2026-01-01T10:00:00Z',
  ];
  const file = crlfFile('events.csv', 'lead_id;type;at', rows);
  const { bytes, at } = file;

  it('cut after line breaks: read in parts, the same table', async () => {
    // after the header, and not after the line breaks inside the quoted ids
    const cuts = lineStarts(bytes).filter((c) => c > at('A;visit') && bytes[c - 2] !== 66 /* B */);
    const { single, parts, how } = await both(file.path, leads, acts, cuts);
    expect(how).toBe('parts');
    expect(plain(parts)).toEqual(plain(single));
    const t = (single as { table: EventTable }).table;
    // by hand: A has 3 events, B 2, C;D 1, Élodie 2; Z is unknown; `vi"sit` is not declared
    expect([...t.offsets]).toEqual([0, 3, 5, 6, 8]);
    expect(t.unknownLeads).toEqual({ events: 1, sample: ['Z'] });
    expect({ ...t.unknownTypes }).toEqual({ 'vi"sit': 1 });
  });

  it('cut at awkward places: the same table (the single reader takes over where a cut is not at a row end)', async () => {
    const awkward: [string, number][] = [
      ['inside the quoted field, after its line break', at('line two')],
      ['between CR and LF', at('\r\n', at('visit;2026-01-05')) + 1],
      ['inside the two bytes of é', at('émo;2026-01-02') + 1],
      ['inside É', at('Élodie;visit') + 1],
      ['inside a row', at('email;2026-01-03')],
    ];
    for (const [label, cut] of awkward) {
      const { single, parts, how } = await both(file.path, leads, acts, [cut, at('Élodie;visit')]);
      expect(plain(parts), label).toEqual(plain(single));
      expect(how, label).toBe('whole');
    }
  });
});

describe("errors from parts carry the whole file's lines and columns", () => {
  const leads = loadLeadsSync({ name: 'leads.csv', text: 'id,outcome\nA,won\nB,lost\n' });
  const acts = ['visit'];
  // line 1 header; line 3 has a quoted type over two lines; bad times on lines 6 and 9
  const text = [
    'lead_id,type,at',
    'A,visit,2026-01-01T10:00:00Z',
    'A,"vis',
    'it",2026-01-01T11:00:00Z',
    'B,visit,2026-01-02T10:00:00Z',
    'B,visit,not a time',
    'A,visit,2026-01-03T10:00:00Z',
    'B,visit,2026-01-04T10:00:00Z',
    'A,visit,2026-13-45',
    'B,visit,2026-01-05T10:00:00Z',
    '',
  ].join('\n');
  let path = '';
  beforeAll(() => {
    path = join(worker.dir(), 'bad.csv');
    writeFileSync(path, text);
  });
  const lineStart = (n: number) =>
    text
      .split('\n')
      .slice(0, n - 1)
      .join('\n').length + 1;

  it('lenient: the same counts, and each message at its line (found by hand: 6 and 9, column 9)', async () => {
    const cuts = [lineStart(5), lineStart(7), lineStart(9)];
    const { single, parts, how } = await both(path, leads, acts, cuts, true);
    expect(how).toBe('parts');
    expect(plain(parts)).toEqual(plain(single));
    const t = (parts as { table: EventTable }).table;
    expect(t.rejected.rows).toBe(2);
    expect(t.rejected.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column, d.range.start.offset])).toEqual([
      ['LQL518', 6, 9, lineStart(6) + 8],
      ['LQL518', 9, 9, lineStart(9) + 8],
    ]);
  });

  it('strict: the bad rows of all parts, in file order, as the single reader lists them', async () => {
    for (const cuts of [[lineStart(5), lineStart(7)], [lineStart(7)], [lineStart(3), lineStart(8)]]) {
      const { single, parts } = await both(path, leads, acts, cuts);
      expect(parts).toEqual(single);
      const e = parts as { error: { line: number }[]; badRows: number };
      expect(e.error.map((d) => d.line)).toEqual([6, 9]);
      expect(e.badRows).toBe(2);
    }
  });
});

describe('generated history', () => {
  it("a generated events file, cut in many places (clean and not), reads to the single reader's table", async () => {
    const gen = generate({ leads: 400, seed: 11 });
    const files = writeCsv(gen, join(worker.dir(), 'gen'));
    const leads = await loadLeadsFile(files.leads);
    const acts = [...new Set(gen.events.typeNames)].slice(0, 5);
    const size = (await import('node:fs')).statSync(files.events).size;
    const cuts: number[] = [];
    for (let k = 1; k < 7; k++) cuts.push(Math.floor((size * k) / 7));
    const { single, parts } = await both(files.events, leads, acts, cuts);
    expect(plain(parts)).toEqual(plain(single));
    // cut just after line breaks: read in parts
    const text = (await import('node:fs')).readFileSync(files.events);
    const clean = cuts.map((c) => text.indexOf(10, c) + 1);
    const r = await both(files.events, leads, acts, clean);
    expect(r.how).toBe('parts');
    expect(plain(r.parts)).toEqual(plain(r.single));
    expect((r.single as { table: EventTable }).table.types.length).toBeGreaterThan(1000);
  });
});

describe('events read ahead, while the leads are read', () => {
  /** The events read ahead on a worker (this thread taking parts once the leads are there), or null when not started. */
  async function ahead(path: string, leads: () => Promise<LeadTable>, acts: string[], lenient: boolean, split: SplitOptions): Promise<Outcome | null> {
    const size = statSync(path).size;
    const a = readEventsAhead(path, size, acts, { lenient }, { minSize: 0, workers: 2, workerUrl: worker.url(), ...split });
    if (!a) return null;
    try {
      const t = await a.join(await leads());
      return t ? { table: t } : null;
    } catch (e) {
      return loadFailure(e);
    }
  }

  it("a generated events file read ahead in parts, by the worker and this thread, gives the single reader's table", async () => {
    const gen = generate({ leads: 600, seed: 5 });
    const files = writeCsv(gen, join(worker.dir(), 'ahead'));
    const acts = [...new Set(gen.events.typeNames)].slice(0, 4);
    const text = readFileSync(files.events);
    const leads = await loadLeadsFile(files.leads);
    const single = await load(files.events, leads, acts, false, false);
    for (const parts of [2, 5, 9]) {
      const cuts: number[] = [];
      for (let k = 1; k < parts; k++) cuts.push(text.indexOf(10, Math.floor((text.length * k) / parts)) + 1);
      let how = '';
      // the leads are read while the worker reads: this thread then takes the parts left
      const r = await ahead(files.events, () => loadLeadsFile(files.leads), acts, false, { cuts, onRead: (h) => (how = h) });
      expect(how, `${parts} parts`).toBe('parts');
      expect(plain(r!), `${parts} parts`).toEqual(plain(single));
    }
    expect((single as { table: EventTable }).table.types.length).toBeGreaterThan(5000);
  });

  it('bad rows: the messages and counts of the single reader, strict and lenient', async () => {
    const leadsText = 'id,outcome\nA,won\nB,lost\n';
    const lines = ['lead_id,type,at'];
    for (let i = 0; i < 400; i++) lines.push(`${i % 2 ? 'A' : 'B'},visit,2026-01-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`);
    lines[50] = 'A,visit,not a time';
    lines[300] = 'B,visit';
    lines[350] = 'Q,visit,2026-01-01';
    const path = join(worker.dir(), 'ahead-bad.csv');
    writeFileSync(path, lines.join('\n') + '\n');
    const leads = loadLeadsSync({ name: 'leads.csv', text: leadsText });
    const bytes = readFileSync(path);
    const cuts = [bytes.indexOf(10, 3000) + 1, bytes.indexOf(10, 9000) + 1];
    for (const lenient of [false, true]) {
      const single = await load(path, leads, ['visit'], lenient, false);
      const r = await ahead(path, async () => leads, ['visit'], lenient, { cuts });
      expect(plain(r!)).toEqual(plain(single));
    }
    // by hand: line 51 (its time) and line 301 (two fields), then the unknown lead Q on line 351
    const strict = (await ahead(path, async () => leads, ['visit'], false, { cuts })) as LoadFailure;
    expect((strict as { error: { line: number }[] }).error.map((d) => d.line)).toEqual([51, 301]);
  });

  it('a worker that cannot even be created: the events are read in one piece, and nothing is left unhandled', async () => {
    const path = join(worker.dir(), 'ahead-bad.csv');
    const leads = loadLeadsSync({ name: 'leads.csv', text: 'id,outcome\nA,won\nB,lost\n' });
    const single = await load(path, leads, ['visit'], true, false);
    // a URL no worker can be made from: `new Worker` throws at once (as it does for flags a worker refuses)
    const a = readEventsAhead(
      path,
      statSync(path).size,
      ['visit'],
      { lenient: true },
      { minSize: 0, workers: 2, workerUrl: new URL('http://example.com/w.js') },
    )!;
    expect(a).not.toBeNull();
    // the leads are still being read: the failure must wait for `join` without an unhandled rejection
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await a.join(leads)).toBeNull();
    expect(plain(await load(path, leads, ['visit'], true, { minSize: 0, workers: 2, workerUrl: new URL('http://example.com/w.js') }))).toEqual(plain(single));
  });

  it('one core, a small file, little free memory, or a cancelled read: nothing is read ahead', async () => {
    const path = join(worker.dir(), 'ahead-bad.csv');
    expect(readEventsAhead(path, statSync(path).size, ['visit'], {}, { minSize: 0, workers: 1, workerUrl: worker.url() })).toBeNull();
    expect(readEventsAhead(path, statSync(path).size, ['visit'], {}, { workers: 2, workerUrl: worker.url() })).toBeNull();
    // not with less free memory than twice the file
    expect(
      readEventsAhead(path, statSync(path).size, ['visit'], {}, { minSize: 0, workers: 2, workerUrl: worker.url(), freeMemory: statSync(path).size }),
    ).toBeNull();
    const a = readEventsAhead(path, statSync(path).size, ['visit'], {}, { minSize: 0, workers: 2, workerUrl: worker.url(), cuts: [4000] })!;
    a.cancel();
    expect(await a.join(loadLeadsSync({ name: 'leads.csv', text: 'id,outcome\nA,won\nB,lost\n' }))).toBeNull();
  });
});

type LeadsOutcome = { table: unknown } | LoadFailure;

async function loadLeadsOutcome(path: string, options: LoadOptions, split: SplitOptions | false): Promise<LeadsOutcome> {
  try {
    return { table: plainLeads(await loadLeadsFile(path, { ...options, split })) };
  } catch (e) {
    return loadFailure(e);
  }
}

/** The single reader's leads table (or failure), and the one read in parts with these cuts; also how the parts were read. */
async function leadsBoth(path: string, cuts: number[], options: LoadOptions = {}, split: SplitOptions = {}) {
  const single = await loadLeadsOutcome(path, options, false);
  let how = '';
  const parts = await loadLeadsOutcome(path, options, { cuts, minSize: 0, workers: 2, workerUrl: worker.url(), onRead: (h) => (how = h), ...split });
  return { single, parts, how };
}

/** The offsets just after each line break of `bytes` (where a clean cut may go). */
function lineStarts(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) out.push(i + 1);
  return out;
}

describe('leads read in parts', () => {
  // `;` separated, a byte order mark, CRLF line ends, a quoted id with a line break in it,
  // `""` and `;` in quoted fields, two- and three-byte UTF-8 characters, an undeclared number column
  const rows = [
    'A1;won;2026-01-01;"Zoë ""Z"" Ångström";1.5',
    '"B\r\nline two";lost;2026-01-02;"x; y";2',
    'Élodie;won;2026-01-03;日本語の会社;3',
    'C4;;2026-01-04;plain;',
    'D5;lost;2026-01-05;"multi\nline";5',
    'E6;won;;Ünïcödé;6',
  ];
  const file = crlfFile('leads-awkward.csv', 'id;outcome;created_at;name;score', rows);
  const { at } = file;

  it('cut after the line breaks that end rows: read in parts, the same table', async () => {
    // the row ends: after the CRLF of each row, not after the line breaks inside quoted fields
    const rowEnds = [at('"B'), at('Élodie'), at('C4;'), at('D5;'), at('E6;')];
    const { single, parts, how } = await leadsBoth(file.path, rowEnds);
    expect(how).toBe('parts');
    expect(parts).toEqual(single);
    // by hand: six leads on lines 2, 3 (over two lines), 5, 6, 7 (over two lines) and 9
    const t = (single as { table: { ids: string[]; lines: number[]; outcome: number[]; columns: Record<string, { type: string; values?: number[] }> } }).table;
    expect(t.ids).toEqual(['A1', 'B\r\nline two', 'Élodie', 'C4', 'D5', 'E6']);
    expect(t.lines).toEqual([2, 3, 5, 6, 7, 9]);
    expect(t.columns.score).toEqual({ type: 'number', values: [1.5, 2, 3, Number.NaN, 5, 6] });
  });

  it('cut at awkward places: the same table, read by the single reader where a cut is not at a row end', async () => {
    const header = at('A1;');
    const awkward: [string, number[], 'parts' | 'whole'][] = [
      ['inside the quoted id, after its line break', [at('line two')], 'whole'],
      ['inside the quoted id, between its CR and LF', [at('\nline two')], 'whole'],
      ['inside a quoted field, after `""`', [at('Z"" Å') + 3], 'whole'],
      ['between CR and LF at a row end', [at('\r\nD5') + 1], 'whole'],
      ['inside the two bytes of É', [at('Élodie') + 1], 'whole'],
      ['inside the three bytes of 日', [at('日本') + 1, at('日本') + 2], 'whole'],
      ['inside a row', [at('plain')], 'whole'],
      ['one byte after the header', [header + 1], 'whole'],
      // a cut right at the end of the header is no cut: the other one splits the file
      ['right after the header', [header, at('D5;')], 'parts'],
    ];
    for (const [label, cuts, expected] of awkward) {
      const { single, parts, how } = await leadsBoth(file.path, cuts);
      expect(parts, label).toEqual(single);
      expect(how, label).toBe(expected);
    }
  });

  it('an id in two parts: the single reader names both lines (by hand: line 5 repeats line 2)', async () => {
    const dup = join(worker.dir(), 'leads-dup.csv');
    const t = 'id,outcome\nk1,won\nk2,lost\nk3,won\nk1,lost\nk5,won\n';
    writeFileSync(dup, t);
    const cut = t.indexOf('k3');
    for (const lenient of [false, true]) {
      const { single, parts, how } = await leadsBoth(dup, [cut], { lenient });
      expect(how).toBe('whole');
      expect(parts).toEqual(single);
    }
    const strict = (await leadsBoth(dup, [cut])).parts as LoadFailure;
    expect(strict.error.map((d) => [d.code, d.line, d.column])).toEqual([['LQL509', 5, 1]]);
    expect(strict.error[0]!.message).toContain('already used on line 2');
  });

  it("a malformed row in the second part: the single reader's file, line and column, strict and lenient", async () => {
    const bad = join(worker.dir(), 'leads-bad.csv');
    // line 1 header; line 3 has a quoted note over two lines; line 6 an unknown outcome; line 8 too many fields
    const lines = ['id,outcome,note', 'a,won,x', 'b,lost,"two', 'lines"', 'c,won,y', 'd,perhaps,z', 'e,lost,w', 'f,won,v,extra', 'g,lost,u', ''];
    const t = lines.join('\n');
    writeFileSync(bad, t);
    const lineStart = (n: number) => lines.slice(0, n - 1).join('\n').length + 1;
    const cuts = [lineStart(5), lineStart(8)];
    const strict = await leadsBoth(bad, cuts);
    expect(strict.how).toBe('parts');
    expect(strict.parts).toEqual(strict.single);
    const e = strict.parts as LoadFailure;
    // by hand: `perhaps` starts at column 3 of line 6; the 4th field of line 8 at column 9
    expect(e.error.map((d) => [d.code, d.line, d.column, d.offset])).toEqual([
      ['LQL511', 6, 3, lineStart(6) + 2],
      ['LQL506', 8, 9, lineStart(8) + 8],
    ]);
    expect(e.badRows).toBe(2);
    const lenient = await leadsBoth(bad, cuts, { lenient: true });
    expect(lenient.how).toBe('parts');
    expect(lenient.parts).toEqual(lenient.single);
    const table = (lenient.parts as { table: { ids: string[]; lines: number[]; rejected: { rows: number } } }).table;
    expect(table.ids).toEqual(['a', 'b', 'c', 'e', 'g']);
    expect(table.lines).toEqual([2, 3, 5, 7, 9]);
    expect(table.rejected.rows).toBe(2);
  });

  it('a worker that fails or exits: the single reader reads the file, never a partial table', async () => {
    const throws = join(worker.dir(), 'worker-throws.mjs');
    writeFileSync(throws, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => { throw new Error('worker failed'); });\n");
    const exits = join(worker.dir(), 'worker-exits.mjs');
    writeFileSync(exits, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n");
    const answers = join(worker.dir(), 'worker-fails.mjs');
    writeFileSync(
      answers,
      "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', (t) => parentPort.postMessage({ id: t.id, failure: 'no memory' }));\n",
    );
    for (const w of [throws, exits, answers]) {
      const { single, parts, how } = await leadsBoth(file.path, [at('Élodie'), at('D5;')], {}, { workerUrl: pathToFileURL(w) });
      expect(how, w).toBe('whole');
      expect(parts, w).toEqual(single);
    }
  });

  it('a load cancelled before or while the workers read stops with LoadCancelledError, not a read in one piece', async () => {
    const split: SplitOptions = { cuts: [file.at('Élodie'), file.at('C4;'), file.at('E6;')], minSize: 0, workers: 2, workerUrl: worker.url() };
    await expect(loadLeadsFile(file.path, { isCancelled: () => true, split })).rejects.toBeInstanceOf(LoadCancelledError);
    // the two workers are given their first parts, then the next check (a report or the third part) finds the load cancelled
    let calls = 0;
    await expect(loadLeadsFile(file.path, { isCancelled: () => ++calls > 2, split })).rejects.toBeInstanceOf(LoadCancelledError);
    expect(calls).toBe(3);
  });

  it('X Education export (CRLF, quoted fields with commas, `Select` as missing): the same table wherever it is cut', async () => {
    const file = join(ROOT, '..', 'shared', 'data', 'x-education', 'Leads.csv');
    const xb = readFileSync(file);
    const starts = lineStarts(xb);
    const opts: LoadOptions = { id: 'Prospect ID', outcome: 'Converted', missing: ['Select'] };
    // seven clean cuts, spread over the file
    const clean = Array.from({ length: 7 }, (_, k) => starts[Math.floor(((k + 1) * starts.length) / 8)]!);
    const r = await leadsBoth(file, clean, opts);
    expect(r.how).toBe('parts');
    expect(r.parts).toEqual(r.single);
    const t = (r.single as { table: { n: number; columns: Record<string, { type: string }> } }).table;
    expect(t.n).toBe(9240);
    // between a CR and its LF, and inside a quoted field with a comma (`"Better Career Prospects"`-like fields)
    const quoted = xb.indexOf(Buffer.from(',"'), starts[4000]) + 3;
    for (const cuts of [[clean[2]! - 1], [quoted], [clean[1]!, clean[3]! - 1, clean[5]!]]) {
      const w = await leadsBoth(file, cuts, opts);
      expect(w.how).toBe('whole');
      expect(w.parts).toEqual(w.single);
    }
    // lenient, declared types: the same table and counts in parts
    const typed: LoadOptions = { ...opts, lenient: true, types: { TotalVisits: 'number', 'Do Not Email': 'bool' } };
    const l = await leadsBoth(file, clean, typed);
    expect(l.how).toBe('parts');
    expect(l.parts).toEqual(l.single);
  });

  it('a generated leads file in parts equals the single reader; `@row` ids and lenient counts too', async () => {
    const files = writeCsv(generate({ leads: 3000, seed: 7, eventsPerLead: 1 }), join(worker.dir(), 'gen-leads'));
    const lb = readFileSync(files.leads);
    const starts = lineStarts(lb);
    const clean = [starts[500]!, starts[1200]!, starts[2999]!];
    for (const opts of [{}, { id: '@row' }, { lenient: true, types: { employees: 'text' as const } }]) {
      const r = await leadsBoth(files.leads, clean, opts);
      expect(r.how).toBe('parts');
      expect(r.parts).toEqual(r.single);
    }
    // cut by size only (not at line breaks): the same table, whoever read it
    const size = statSync(files.leads).size;
    const r = await leadsBoth(
      files.leads,
      [1, 2, 3].map((k) => Math.floor((size * k) / 4)),
    );
    expect(r.parts).toEqual(r.single);
    // the file's own cuts (the default): read in parts; progress only grows, and ends with the whole file and every lead
    const seen: { done: number; total: number; rows: number }[] = [];
    let how = '';
    const t = await loadLeadsFile(files.leads, {
      onProgress: (done, total, rows) => seen.push({ done, total, rows: rows ?? 0 }),
      split: { minSize: 0, workers: 2, workerUrl: worker.url(), onRead: (h) => (how = h) },
    });
    expect(how).toBe('parts');
    expect(plainLeads(t)).toEqual((r.single as { table: unknown }).table);
    expect(seen.at(-1)).toEqual({ done: size, total: size, rows: 3000 });
    for (let k = 1; k < seen.length; k++) {
      expect(seen[k]!.done).toBeGreaterThanOrEqual(seen[k - 1]!.done);
      expect(seen[k]!.rows).toBeGreaterThanOrEqual(seen[k - 1]!.rows);
    }
    // the events find their leads in the table read in parts (its id index kept from the join) as in the single reader's
    const acts = ['web_visit', 'email_click'];
    const single = await loadLeadsFile(files.leads, { split: false });
    const events = await loadEventsFile(files.events, t, acts, { split: false });
    expect(plain({ table: events })).toEqual(plain({ table: await loadEventsFile(files.events, single, acts, { split: false }) }));
    expect(events.unknownLeads.events).toBe(0);
    expect(events.types.length).toBeGreaterThan(1000);
  });

  it('a part read from disk in pieces: characters split between pieces and reads are read whole', async () => {
    // 2.6 MB of mostly three-byte characters: the 32 KiB pieces and 1 MiB reads of each part end inside characters
    const rowsText = Array.from({ length: 40_000 }, (_, i) => `id${i},${i % 3 ? 'won' : 'lost'},日本語の会社${'é'.repeat(i % 5)}${i}`);
    const f = join(worker.dir(), 'leads-utf8.csv');
    const b = Buffer.from('id,outcome,name\n' + rowsText.join('\n') + '\n', 'utf8');
    writeFileSync(f, b);
    const starts = lineStarts(b);
    const r = await leadsBoth(f, [starts[13_001]!, starts[29_999]!]);
    expect(r.how).toBe('parts');
    expect(r.parts).toEqual(r.single);
    const t = (r.single as { table: { n: number; columns: Record<string, { dict: string[] }> } }).table;
    expect(t.n).toBe(40_000);
    expect(t.columns.name!.dict[4]).toBe('日本語の会社éééé4');
  });

  it('the columnar cache is written after a read in parts, and reads back the same table', async () => {
    const files = writeCsv(generate({ leads: 2000, seed: 3, eventsPerLead: 1 }), join(worker.dir(), 'gen-cache'));
    const lb = readFileSync(files.leads);
    const starts = lineStarts(lb);
    const single = plainLeads(await loadLeadsFile(files.leads, { split: false }));
    const outcomes: string[] = [];
    const cache = { dir: join(worker.dir(), 'cache'), minBytes: 0, onOutcome: (_f: string, o: string) => outcomes.push(o) };
    let how = '';
    const split: SplitOptions = { cuts: [starts[700]!, starts[1400]!], minSize: 0, workers: 2, workerUrl: worker.url(), onRead: (h) => (how = h) };
    const first = await readLeadsFile(files.leads, { split }, cache);
    expect(how).toBe('parts');
    const second = await readLeadsFile(files.leads, { split }, cache);
    expect(outcomes).toEqual(['saved', 'hit']);
    expect(plainLeads(first)).toEqual(single);
    expect(plainLeads(second)).toEqual(single);
  });
});

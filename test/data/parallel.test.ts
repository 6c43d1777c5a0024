// Reading an events file in parts on worker threads gives the table, the
// counts and the messages (file, line, column) of the single reader, wherever
// the parts are cut: inside quoted fields, between CR and LF, inside a UTF-8
// character, inside a row, or cleanly after a line break.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEventsFile } from '../../simulator/data/files.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import type { SplitOptions } from '../../simulator/data/parallel.js';
import type { EventTable, LeadTable } from '../../simulator/data/table.js';
import { generate, writeCsv } from '../../simulator/generate.js';
import { loadFailure, type LoadFailure } from './helpers.js';
import { loadLeadsFile } from '../../simulator/data/files.js';

const ROOT = join(import.meta.dirname, '..', '..');
let dir = '';
let workerUrl: URL;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lql-parts-'));
  // the worker runs as JavaScript: bundle it from the sources under test
  await build({
    cwd: ROOT,
    input: { 'parts-worker': 'simulator/data/parts-worker.ts' },
    platform: 'node',
    external: [/^node:/],
    logLevel: 'silent',
    output: { dir: join(dir, 'worker'), format: 'esm', entryFileNames: '[name].js' },
  });
  workerUrl = pathToFileURL(join(dir, 'worker', 'parts-worker.js'));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
  const parts = await load(path, leads, acts, lenient, { cuts, minSize: 0, workers: 2, workerUrl, onRead: (h) => (how = h) });
  return { single, parts, how };
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
  const text = '\uFEFFlead_id;type;at\r\n' + rows.join('\r\n') + '\r\n';
  const bytes = Buffer.from(text, 'utf8');
  let path = '';
  beforeAll(() => {
    path = join(dir, 'events.csv');
    writeFileSync(path, bytes);
  });

  /** Byte offsets of interest in the file. */
  const at = (s: string, from = 0) => bytes.indexOf(Buffer.from(s, 'utf8'), from);

  it('cut after line breaks: read in parts, the same table', async () => {
    const afterLf: number[] = [];
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) afterLf.push(i + 1);
    // after the header, and not after the line breaks inside the quoted ids
    const cuts = afterLf.filter((c) => c > at('A;visit') && bytes[c - 2] !== 66 /* B */);
    const { single, parts, how } = await both(path, leads, acts, cuts);
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
      const { single, parts, how } = await both(path, leads, acts, [cut, at('Élodie;visit')]);
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
    path = join(dir, 'bad.csv');
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
    const files = writeCsv(gen, join(dir, 'gen'));
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

// Reading a leads or events file held in memory in parts (the browser
// playground's part readers) gives the table, the counts and the messages
// (file, line, column) of the single reader, wherever the parts are cut:
// inside quoted fields, between CR and LF, inside a UTF-8 character, inside
// a row, or cleanly after a line break. A split that cannot stand for the
// file answers null and the file is read whole, as the playground does.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEventsSync } from '../../simulator/data/events.js';
import { readLeadsPart } from '../../simulator/data/lead-parts.js';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import { readEventsPart } from '../../simulator/data/parts.js';
import { loadEventsInParts, loadLeadsInParts, type PartReader } from '../../simulator/data/split-load.js';
import type { LoadOptions } from '../../simulator/data/table.js';
import { generate, writeCsv } from '../../simulator/generate.js';
import { loadFailure, plainLeads } from './helpers.js';

const enc = new TextEncoder();

/** Reads each part in this process, through a structured clone as a worker's answer would arrive. */
const inProcess: PartReader = async (task, onProgress) => {
  const progress = (d: number, _t: number, r?: number) => onProgress(d, r ?? 0);
  const r =
    task.kind === 'leads' ? readLeadsPart(task.bytes, task.prefix, task.options, progress) : readEventsPart(task.bytes, task.prefix, task.options, progress);
  return structuredClone(r);
};

async function leadsBoth(text: string | Uint8Array, cuts: number[], opts: LoadOptions = {}) {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  let single: unknown;
  try {
    single = plainLeads(loadLeadsSync({ name: 'leads.csv', text: bytes }, opts));
  } catch (e) {
    single = loadFailure(e);
  }
  let parts: unknown;
  let split = false;
  try {
    const t = await loadLeadsInParts('leads.csv', bytes, opts, { parts: cuts.length + 1, read: inProcess, cuts });
    split = t !== null;
    parts = plainLeads(t ?? loadLeadsSync({ name: 'leads.csv', text: bytes }, opts));
  } catch (e) {
    parts = loadFailure(e);
  }
  return { single, parts, split };
}

/** Every cut of the text into two parts gives the single reader's answer. */
async function everyCut(text: string, opts: LoadOptions = {}): Promise<number> {
  const bytes = enc.encode(text);
  let split = 0;
  for (let c = 1; c < bytes.length; c++) {
    const r = await leadsBoth(bytes, [c], opts);
    expect(r.parts, `cut at ${c}`).toEqual(r.single);
    if (r.split) split++;
  }
  return split;
}

describe('leads read in parts', () => {
  it('gives the single reader table at every cut, and splits at row ends', async () => {
    const text =
      'id,outcome,created_at,employees,plan,paying,signup\n' +
      'a1,won,2025-01-02,10,basic,yes,2025-01-02\n' +
      'a2,lost,2025-01-03,,"pro, annual",no,\n' +
      'a3,,2025-01-04,250,basic,true,2025-02-01\n' +
      'a4,won,2025-01-05,7,"multi\nline",no,2025-03-01\n' +
      'a5,lost,2025-01-06,12,basic,yes,2025-04-01\n';
    const split = await everyCut(text);
    // the cuts just after the line breaks that end rows a1..a4 are read in parts
    expect(split).toBe(4);
  });

  it('CRLF line ends, quotes with CRLF inside, and UTF-8 names', async () => {
    const text =
      'id,outcome,name,score\r\n' +
      'x1,won,"Zoë ""Z"" Ångström",1.5\r\n' +
      'x2,lost,"two\r\nlines",2\r\n' +
      'x3,lost,日本語の会社,3\r\n' +
      'x4,won,Ünïcödé,4\r\n';
    const split = await everyCut(text);
    expect(split).toBe(3);
  });

  it('types an undeclared column from all parts: numbers in one, text in another', async () => {
    const text =
      'id,outcome,size,flag,when\n' + 'r1,won,10,yes,2025-01-01\n' + 'r2,lost,12,no,\n' + 'r3,won,n/a,yes,2025-01-03\n' + 'r4,lost,  ,no,2025-01-04\n';
    await everyCut(text);
    // blank in one part, numbers in the other: still a number column, read in parts
    const r = await leadsBoth('id,outcome,size\nr1,won,10\nr2,lost,12\nr3,won, \nr4,lost,\n', [37]);
    expect(r.split).toBe(true);
    expect(r.parts).toEqual(r.single);
    expect((r.parts as { columns: Record<string, { type: string }> }).columns.size?.type).toBe('number');
  });

  it('@row ids count the rows of the parts before, bad rows included', async () => {
    const text = 'outcome,plan\nwon,a\nmaybe,b\nlost,c\nwon,d\nlost,e\n';
    for (const lenient of [false, true]) await everyCut(text, { id: '@row', lenient });
  });

  it('bad rows: the same first messages and count, strict and lenient', async () => {
    const text =
      'id,outcome,created_at,n\n' +
      'a,won,2025-01-01,1\n' +
      'b,perhaps,2025-01-01,2\n' +
      'c,won,yesterday,3\n' +
      'd,lost,2025-01-02,4\n' +
      ',lost,2025-01-02,5\n';
    for (const lenient of [false, true]) await everyCut(text, { lenient, types: { n: 'number' } });
  });

  it('an id in two parts, a missing column, declared types and placeholders', async () => {
    await everyCut('id,outcome,plan\nk1,won,a\nk2,lost,b\nk1,won,c\n');
    await everyCut('id,result,plan\nk1,won,a\nk2,lost,b\n');
    await everyCut('id,outcome,zip,vip\nk1,won,02134,yes\nk2,lost,unknown,no\nk3,won,10001,unknown\n', {
      types: { zip: 'text', vip: 'bool' },
      missing: ['unknown'],
    });
  });

  it('a generated history in three parts equals the single reader (leads and events)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lql-split-'));
    try {
      const files = writeCsv(generate({ leads: 3000, seed: 11, eventsPerLead: 5 }), dir);
      const leadBytes = readFileSync(files.leads);
      const r = await leadsBoth(leadBytes, [], {});
      expect(r.single).toEqual(r.parts);
      const parted = await loadLeadsInParts('leads.csv', leadBytes, {}, { parts: 3, read: inProcess });
      expect(parted).not.toBeNull();
      const single = loadLeadsSync({ name: 'leads.csv', text: leadBytes });
      expect(plainLeads(parted!)).toEqual(plainLeads(single));
      const eventBytes = readFileSync(files.events);
      const acts = ['web_visit', 'email_click'];
      let seen = { done: 0, total: 0, rows: 0 };
      const ev = await loadEventsInParts(
        'events.csv',
        eventBytes,
        single,
        acts,
        { onProgress: (done, total, rows) => (seen = { done, total, rows: rows ?? 0 }) },
        { parts: 3, read: inProcess },
      );
      const ev1 = loadEventsSync({ name: 'events.csv', text: eventBytes }, single, acts);
      expect(ev).not.toBeNull();
      expect({ ...ev!, offsets: [...ev!.offsets], types: [...ev!.types], times: [...ev!.times] }).toEqual({
        ...ev1,
        offsets: [...ev1.offsets],
        types: [...ev1.types],
        times: [...ev1.times],
      });
      // the last progress report covers the whole file, less the header put in front of the later parts, and every event read
      expect(seen.total).toBe(eventBytes.length);
      expect(seen.rows).toBe(ev1.times.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops when cancelled, and JSON Lines or one part are not split', async () => {
    const text = enc.encode('id,outcome\n' + Array.from({ length: 2000 }, (_, i) => `l${i},won\n`).join(''));
    await expect(loadLeadsInParts('leads.csv', text, { isCancelled: () => true }, { parts: 2, read: inProcess })).rejects.toThrow(/cancel/i);
    expect(
      await loadLeadsInParts('leads.jsonl', enc.encode('{"id":"a","outcome":"won"}\n{"id":"b","outcome":"won"}\n'), {}, { parts: 2, read: inProcess }),
    ).toBeNull();
    expect(await loadLeadsInParts('leads.csv', text, {}, { parts: 1, read: inProcess })).toBeNull();
  });
});

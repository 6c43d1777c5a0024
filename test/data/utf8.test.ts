/**
 * Data files are UTF-8 or refused, the same in every engine: bytes that are
 * not UTF-8 stop the load with LQL530 at their file, line and column (the
 * JS reader used to turn them into U+FFFD silently, DuckDB to fail); a
 * character split across read chunks, a byte order mark and a real U+FFFD
 * written as UTF-8 are read as text.
 *
 * Input: small CSV files as bytes, read in chunks of every size from 1 byte;
 * the CLI with `--engine js` and `--engine duckdb`. Output: pass/fail.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import { DataError } from '../../simulator/data/errors.js';

const enc = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function problem(bytes: Uint8Array, chunkSize: number): string {
  try {
    loadLeadsSync({ name: 'leads.csv', text: bytes }, { chunkSize });
    return 'read';
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    const d = e.diagnostics[0]!;
    return `${d.file}:${d.range.start.line}:${d.range.start.column} ${d.code}`;
  }
}

describe('strict UTF-8 in data files', () => {
  // line 3 is `L2,Dir` then the Latin-1 byte 0xE9 (é in Windows-1252): column 7
  const bad = cat(enc('id,title,outcome\r\nL1,Ünïcödé ✓ 😀,won\r\nL2,Dir'), new Uint8Array([0xe9]), enc('ctor,lost\r\n'));

  it('a byte that is not UTF-8 is LQL530 at its line and column, whatever the chunk size', () => {
    for (const size of [1, 2, 3, 5, 7, 16, 1 << 15]) expect(problem(bad, size), `chunks of ${size}`).toBe('leads.csv:3:7 LQL530');
  });

  it('an unfinished character at the end of the file, or a lone continuation byte, is LQL530 too', () => {
    expect(problem(cat(enc('id,outcome\nL1,won\nL2,'), new Uint8Array([0xf0, 0x9f, 0x98])), 2)).toBe('leads.csv:3:4 LQL530');
    expect(problem(cat(enc('id,outcome\n'), new Uint8Array([0x80]), enc('x,won\n')), 4)).toBe('leads.csv:2:1 LQL530');
  });

  it('characters split across chunks, a byte order mark and a real U+FFFD are read as written', () => {
    const good = cat(new Uint8Array([0xef, 0xbb, 0xbf]), enc('id,title,outcome\nL1,\ufffd 😀 é ✓,won\nL2,\ufeffx,lost\n'));
    for (const size of [1, 2, 3, 4, 1 << 15]) {
      const t = loadLeadsSync({ name: 'leads.csv', text: good }, { chunkSize: size });
      expect(t.ids, `chunks of ${size}`).toEqual(['L1', 'L2']);
      const col = t.columns.get('title')!;
      expect(col.type === 'text' && [...col.codes].map((c) => col.dict[c])).toEqual(['\ufffd 😀 é ✓', '\ufeffx']);
    }
  });

  it('a character split across chunks that are views of one reused buffer (as a worker reads a file) is read whole', () => {
    const good = enc('id,title,outcome\nL1,😀 é ✓,won\n');
    for (const size of [1, 2, 3, 5]) {
      // each chunk is overwritten by the next read: the decoder must keep a copy of an unfinished character
      const buffer = Buffer.alloc(size);
      const chunks = function* () {
        for (let i = 0; i < good.length; i += size) {
          const n = Math.min(size, good.length - i);
          buffer.set(good.subarray(i, i + n));
          yield buffer.subarray(0, n);
          buffer.fill(0x41);
        }
      };
      const t = loadLeadsSync({ name: 'leads.csv', chunks: chunks() });
      const col = t.columns.get('title')!;
      expect(col.type === 'text' && [...col.codes].map((c) => col.dict[c]), `chunks of ${size}`).toEqual(['😀 é ✓']);
    }
  });

  it('the command line refuses it the same way with the JS and the DuckDB engine', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lql-utf8-'));
    try {
      writeFileSync(join(dir, 'leads.csv'), bad);
      writeFileSync(join(dir, 'r.lql'), 'attribute title: text\nfit { +10 when title matches /dir/i }\nstages { MQL when fit >= 10  lead otherwise }\n');
      const bin = fileURLToPath(new URL('../../bin/lql.js', import.meta.url));
      for (const engine of ['js', 'duckdb']) {
        const r = spawnSync(process.execPath, [bin, 'simulate', 'r.lql', '--leads', 'leads.csv', '--engine', engine], { cwd: dir, encoding: 'utf8' });
        expect(r.status, engine).toBe(1);
        expect(r.stderr, engine).toContain('leads.csv:3:7: error LQL530');
        expect(r.stdout, engine).toBe('');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

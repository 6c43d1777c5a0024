// Progress, cancellation and the stderr progress bar.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoadCancelledError } from '../../simulator/data/errors.js';
import { loadLeads, loadLeadsSync } from '../../simulator/data/leads.js';
import { progressBar, renderBar } from '../../simulator/data/progress.js';
import { REGISTRY } from '../../language/diagnostics/registry.js';

const text = 'id,outcome,n\n' + Array.from({ length: 5000 }, (_, i) => `L${i},won,${i}`).join('\n') + '\n';

describe('progress and cancellation', () => {
  it('reports growing progress up to the total', () => {
    const calls: [number, number][] = [];
    loadLeadsSync({ name: 'l.csv', text }, { onProgress: (d, t) => calls.push([d, t]), chunkSize: 1000 });
    expect(calls.length).toBeGreaterThan(10);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
    expect(calls.at(-1)).toEqual([text.length, text.length]);
  });

  it('stops when cancelled, checked before every chunk', async () => {
    let checks = 0;
    const chunks = (function* () {
      for (let p = 0; p < text.length; p += 100) yield new TextEncoder().encode(text.slice(p, p + 100));
    })();
    await expect(
      loadLeads({ name: 'l.csv', chunks }, { isCancelled: () => ++checks > 3 }),
    ).rejects.toBeInstanceOf(LoadCancelledError);
    expect(checks).toBe(4);
  });

  it('reads bytes split inside a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('id,outcome,city\nL1,won,Zürich\nL2,lost,東京\n');
    const pieces = Array.from(bytes, (b) => new Uint8Array([b]));
    const t = await loadLeads({ name: 'l.csv', chunks: pieces });
    const c = t.columns.get('city')!;
    expect(c.type === 'text' && c.dict).toEqual(['Zürich', '東京']);
  });
});

describe('progress bar', () => {
  function fakeStream(isTTY: boolean) {
    const out: string[] = [];
    return { out, stream: { isTTY, columns: 80, write: (s: string) => out.push(s) } };
  }

  it('draws nothing when stderr is not a terminal', () => {
    const { out, stream } = fakeStream(false);
    let now = 0;
    const bar = progressBar({ stream, now: () => now });
    now = 5000;
    bar.onProgress(50, 100);
    bar.finish();
    expect(out).toEqual([]);
  });

  it('draws nothing in the first 300 ms, then draws and erases', () => {
    const { out, stream } = fakeStream(true);
    let now = 1000;
    const bar = progressBar({ stream, label: 'leads.csv', now: () => now });
    now = 1200;
    bar.onProgress(10, 100);
    expect(out).toEqual([]);
    now = 1400;
    bar.onProgress(50, 100);
    expect(out.length).toBe(1);
    expect(out[0]).toContain('leads.csv');
    expect(out[0]).toContain(' 50%');
    bar.finish();
    expect(out.at(-1)).toBe('\r\x1b[K');
  });

  it('renders a bar', () => {
    // 60 columns: 5 for the name, 16 for the tail, 4 for spaces and brackets: a 35-cell bar, 9 filled
    expect(renderBar('f.csv', 1_048_576, 4 * 1_048_576, 60)).toBe('f.csv [' + '#'.repeat(9) + '.'.repeat(26) + ']  25% 1.0/4.0 MB');
  });
});

describe('every data code has a help page', () => {
  it('LQL500-LQL579', () => {
    const codes = Object.keys(REGISTRY).filter((c) => /^LQL5[0-7]\d$/.test(c));
    expect(codes.length).toBeGreaterThan(20);
    for (const code of codes) {
      const page = join(import.meta.dirname, '..', '..', 'docs', 'errors', `${code}.md`);
      expect(existsSync(page), page).toBe(true);
      expect(readFileSync(page, 'utf8')).toContain(code);
    }
  });
});

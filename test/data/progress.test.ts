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
  it('shows rows, rows per second and the time left at the pace so far, as room allows', () => {
    const MB = 1_048_576;
    // 25 of 100 MB in 2 s: 75 MB left at 12.5 MB/s = 6 s; 250,000 rows in 2 s = 125,000 rows/s
    const wide = renderBar('leads.csv', 25 * MB, 100 * MB, 120, { rows: 250_000, elapsedMs: 2000 });
    expect(wide).toContain(' 25% 25/100 MB · 250k rows, 125k rows/s · 0:06 left');
    expect(wide.length).toBeLessThanOrEqual(120);
    const narrow = renderBar('leads.csv', 25 * MB, 100 * MB, 60, { rows: 250_000, elapsedMs: 2000 });
    expect(narrow).toContain('0:06 left');
    expect(narrow).not.toContain('rows/s');
    expect(narrow.length).toBeLessThanOrEqual(60);
    // 3.5M rows in 70 s at 1.2 GB of 2.4 GB: 70 s more
    expect(renderBar('events.csv', 1200 * MB, 2400 * MB, 200, { rows: 3_500_000, elapsedMs: 70_000 })).toContain('3.5M rows, 50k rows/s · 1:10 left');
    expect(renderBar('x.csv', 10, 10, 120, { rows: 5, elapsedMs: 1000 })).not.toContain('left');
  });

  it('the loaders report the rows loaded so far', () => {
    const rows: number[] = [];
    loadLeadsSync({ name: 'l.csv', text }, { onProgress: (_d, _t, r) => rows.push(r ?? -1), chunkSize: 1000 });
    expect(rows.at(-1)).toBe(5000);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!).toBeGreaterThanOrEqual(rows[i - 1]!);
  });

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

// The playground engine reading uploads: in parts above the size (with the
// rows, time and parts in its progress), the same dataset as read whole, and
// a load stopped by a newer choice answers `cancelled` and keeps the data on
// screen.
import { describe, expect, it } from 'vitest';
import { readLeadsPart } from '../../simulator/data/lead-parts.js';
import { readEventsPart } from '../../simulator/data/parts.js';
import type { PartReader } from '../../simulator/data/split-load.js';
import { readersInParts } from '../../simulator/dataset.js';
import { createEngine } from '../../playground/worker/engine.js';
import type { Progress } from '../../playground/worker/api.js';

const enc = new TextEncoder();
const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `L${i + from},${['won', 'lost', ''][i % 3]},2025-01-0${1 + (i % 9)},${i % 50}\n`).join('');
const csv = (n: number) => enc.encode('id,outcome,created_at,employees\n' + rows(n)).buffer as ArrayBuffer;
const RULES = 'ruleset "T"\nattribute employees: number\nfit {\n  +10 when employees >= 25\n}\nstages {\n  MQL when fit >= 10\n  lead otherwise\n}\n';

const inProcess: PartReader = async (task, onProgress) => {
  const p = (d: number, _t: number, r?: number) => onProgress(d, r ?? 0);
  return task.kind === 'leads' ? readLeadsPart(task.bytes, task.prefix, task.options, p) : readEventsPart(task.bytes, task.prefix, task.options, p);
};

describe('playground engine: reading uploads', () => {
  it('reads a large file in parts, with rows and parts in the progress, as read whole', async () => {
    let parts = 1;
    const split = readersInParts({ parts: 3, read: inProcess, onParts: (n) => (parts = n) }, 1000);
    const w = createEngine({ readers: split, partsNow: () => parts });
    const seen: Progress[] = [];
    const s = await w.loadData({ leads: { name: 'leads.csv', bytes: csv(3000) }, id: 'id' }, (p) => seen.push(p));
    expect(s.ok).toBe(true);
    expect(s.leads).toBe(3000);
    expect(seen.some((p) => p.parts === 3 && (p.rows ?? 0) > 0 && p.ms !== undefined)).toBe(true);
    const whole = createEngine();
    const s1 = await whole.loadData({ leads: { name: 'leads.csv', bytes: csv(3000) }, id: 'id' });
    expect(s.columns).toEqual(s1.columns);
    const [a, b] = await Promise.all([w.run(1, { text: RULES }), whole.run(1, { text: RULES })]);
    expect(a.report?.stages).toEqual(b.report?.stages);
  });

  it('a load stopped for a newer choice answers cancelled and keeps the data loaded before', async () => {
    // a reader that reports progress until it is stopped
    const slow: PartReader = (_task, onProgress, signal) =>
      new Promise((_resolve, reject) => {
        const t = setInterval(() => onProgress(1, 1), 5);
        signal.addEventListener('abort', () => {
          clearInterval(t);
          reject(new Error('stopped'));
        });
      });
    const w = createEngine({ readers: readersInParts({ parts: 2, read: slow }, 10_000) });
    const first = await w.loadData({ leads: { name: 'small.csv', bytes: csv(100) }, id: 'id' });
    expect(first.leads).toBe(100);
    const big = w.loadData({ leads: { name: 'big.csv', bytes: csv(2000) }, id: 'id' });
    await new Promise((r) => setTimeout(r, 30));
    await w.cancelLoad();
    const answer = await big;
    expect(answer).toMatchObject({ ok: false, cancelled: true, diagnostics: [] });
    const run = await w.run(1, { text: RULES });
    expect(run.status).toBe('ok');
    expect(run.report?.stages.reduce((n, st) => Math.max(n, st.reached), 0)).toBe(100);
  });
});

// Replay on threads (simulator/replay-threads.ts) and reading into shared
// memory (simulator/data/shared-read.ts). The reference is the single-thread
// replay of the same tables (`replay()`, whose own correctness the kernel
// and differential suites check): every output array, the activity flags
// and the whole report must be identical, whatever the number of threads
// and ranges, and whatever a worker does (fails to start, throws, exits).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { workerBundle } from '../support/worker-bundle.js';
import { generate } from '../../simulator/generate.js';
import { type EventTable, type LeadTable, latestByType, noteLatestByType } from '../../simulator/data/table.js';
import { defaultAsOf, replay, type ScoredTable } from '../../simulator/replay.js';
import { eventRanges, ReplayThreads } from '../../simulator/replay-threads.js';
import { simulateFull, simulateFullOn } from '../../simulator/simulate.js';
import { readChunks, readShared, type ReadJob } from '../../simulator/data/shared-read.js';
import { ACME, compile } from './helpers.js';
import { ranking } from '../../simulator/ranking.js';
import { expectRankings, fillRankings } from '../../simulator/shared-ranking.js';
import { compileKernel } from '../../simulator/kernel/emit-kernel.js';
import { eventRows } from '../../simulator/split.js';

// the worker runs as JavaScript: bundled from the sources under test
const worker = workerBundle('kernel-thread', 'simulator/kernel/kernel-thread.ts');

function shared<T extends Int8Array | Uint8Array | Int16Array | Int32Array | Float64Array>(a: T): T {
  const C = a.constructor as new (b: SharedArrayBuffer) => T;
  const out = new C(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** The events table in shared memory, as the columnar cache loads it. */
function sharedEvents(e: EventTable): EventTable {
  return { ...e, offsets: shared(e.offsets), types: shared(e.types), times: shared(e.times) };
}

/** The leads table with every array a kernel reads in shared memory, as the columnar cache loads it. */
function sharedLeads(l: LeadTable): LeadTable {
  const columns = new Map([...l.columns].map(([name, c]) => [name, c.type === 'text' ? { ...c, codes: shared(c.codes) } : { ...c, values: shared(c.values as Float64Array) }] as const));
  return { ...l, closedAt: shared(l.closedAt), createdAt: shared(l.createdAt), outcome: shared(l.outcome), columns: columns as LeadTable['columns'] };
}

/** Every per-lead output of a scored table, as plain arrays. */
function outputs(t: ScoredTable) {
  return {
    n: t.n,
    asOf: t.asOf,
    mode: t.mode,
    scores: t.scores.map((a) => Array.from(a)),
    bands: t.bands.map((a) => Array.from(a)),
    stage: Array.from(t.stage),
    reached: t.reached.map((a) => Array.from(a)),
    route: Array.from(t.route),
    did: t.did.map((a) => Array.from(a)),
  };
}

const ir = compile(ACME);
let data: { leads: LeadTable; events: EventTable };

beforeAll(() => {
  const g = generate({ leads: 3_000, seed: 5, eventsPerLead: 12 });
  data = { leads: g.leads, events: sharedEvents(g.events) };
});

describe('replay on threads', () => {
  it('cuts the leads into ranges of about equal numbers of events', () => {
    const offsets = Int32Array.from([0, 10, 10, 11, 30, 31, 40]);
    const b = eventRanges(offsets, 6, 4);
    expect(b[0]).toBe(0);
    expect(b[b.length - 1]).toBe(6);
    for (let i = 1; i < b.length; i++) expect(b[i]!).toBeGreaterThan(b[i - 1]!);
    // 40 events in 4 shares of 10; leads start at events 0, 10, 10, 11, 30, 31: the first lead starting at
    // or after 10 is lead 1, at or after 20 and 30 both lead 4 (one cut)
    expect(Array.from(b)).toEqual([0, 1, 4, 6]);
    expect(Array.from(eventRanges(null, 10, 3))).toEqual([0, 3, 6, 10]);
    // more ranges than leads: every range holds at least one lead
    expect(Array.from(eventRanges(Int32Array.from([0, 5, 9]), 2, 8))).toEqual([0, 1, 2]);
  });

  it('every output equals the single-thread replay (2 and 3 threads, few and many ranges)', async () => {
    const want = outputs(replay(ir, data.leads, data.events));
    for (const [threads, rangesPerThread] of [
      [2, 1],
      [2, 8],
      [3, 50],
    ] as const) {
      const pool = new ReplayThreads({ threads, rangesPerThread, minEvents: 0, workerUrl: worker.url() });
      try {
        expect(pool.wouldShare(data.events)).toBe(true);
        const got = await pool.replay(ir, data.leads, data.events, {});
        expect(got.scores[0]!.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(outputs(got)).toEqual(want);
      } finally {
        await pool.close();
      }
    }
  });

  it('as lql score replays (closed_at not applied, a given asOf): the same outputs', async () => {
    const opts = { useClosedAt: false, asOf: Date.UTC(2025, 3, 1) };
    const pool = new ReplayThreads({ threads: 2, rangesPerThread: 6, minEvents: 0, workerUrl: worker.url(), callerTakes: false });
    try {
      const got = await pool.replay(ir, data.leads, data.events, opts);
      expect(pool.last?.byWorkers).toBe(12);
      const want = replay(ir, data.leads, data.events, opts);
      expect(outputs(got)).toEqual(outputs(want));
      // and it differs from the simulator's closed_at rules somewhere (the option reaches the workers)
      expect(outputs(got)).not.toEqual(outputs(replay(ir, data.leads, data.events, { asOf: opts.asOf })));
    } finally {
      await pool.close();
    }
  });

  it('the workers replay ranges: all of them when the calling thread takes none', async () => {
    const pool = new ReplayThreads({ threads: 3, rangesPerThread: 5, minEvents: 0, workerUrl: worker.url(), callerTakes: false });
    try {
      const got = await pool.replay(ir, data.leads, data.events, {});
      expect(outputs(got)).toEqual(outputs(replay(ir, data.leads, data.events)));
      expect(pool.last).toEqual({ ranges: 15, byWorkers: 15 });
    } finally {
      await pool.close();
    }
  });

  it('the whole report is the same, with a baseline too, and the asOf and activities given', async () => {
    const baseline = compile(ACME.replace('MQL  when fit >= 30 and engagement >= 40', 'MQL  when fit >= 30 and engagement >= 25'));
    const pool = new ReplayThreads({ threads: 2, minEvents: 0, workerUrl: worker.url() });
    try {
      for (const opts of [{}, { baseline }, { asOf: Date.UTC(2025, 5, 1) }]) {
        const a = await simulateFullOn(pool, ir, data.leads, data.events, opts);
        const b = simulateFull(ir, data.leads, data.events, opts);
        expect(a.report).toEqual(b.report);
      }
    } finally {
      await pool.close();
    }
  });

  it('a ruleset whose kernel reads a text dictionary on its slow path gives the same outputs', async () => {
    // comparing two text attributes is not tabulated: the generated code reads both dictionaries
    const src = ACME.replace('  +10 when decision_maker\n', '  +10 when decision_maker\n  +3 when industry == country\n');
    const ir2 = compile(src);
    const pool = new ReplayThreads({ threads: 2, minEvents: 0, workerUrl: worker.url() });
    try {
      expect(outputs(await pool.replay(ir2, data.leads, data.events, {}))).toEqual(outputs(replay(ir2, data.leads, data.events)));
    } finally {
      await pool.close();
    }
  });

  it('a worker that fails to start, throws on a job or exits costs time, never a result', async () => {
    const want = outputs(replay(ir, data.leads, data.events));
    const bad = {
      throws:
        "import { parentPort } from 'node:worker_threads'; parentPort.on('message', (m) => { if (m.read) return; Atomics.add(m.state, 0, 1); throw new Error('boom'); });",
      exits:
        "import { parentPort } from 'node:worker_threads'; parentPort.on('message', (m) => { if (m.read) return; Atomics.add(m.state, 0, 3); process.exit(3); });",
      start: "throw new Error('cannot start');",
      silent:
        "import { parentPort } from 'node:worker_threads'; parentPort.on('message', (m) => { if (!m.read) parentPort.postMessage({ job: m.job, ok: true }); });",
    };
    for (const [name, code] of Object.entries(bad)) {
      const file = join(worker.dir(), `${name}.mjs`);
      writeFileSync(file, code);
      const pool = new ReplayThreads({ threads: 2, rangesPerThread: 4, minEvents: 0, workerUrl: pathToFileURL(file), callerTakes: false });
      try {
        pool.start();
        await new Promise((r) => setTimeout(r, 200));
        expect(outputs(await pool.replay(ir, data.leads, data.events, {}))).toEqual(want);
        expect(pool.last?.byWorkers).toBe(0);
      } finally {
        await pool.close();
      }
    }
  });

  it('a snapshot of leads in shared memory is replayed on threads too, with the same outputs', async () => {
    const leads = sharedLeads(data.leads);
    const pool = new ReplayThreads({ threads: 2, rangesPerThread: 5, minLeads: 1000, workerUrl: worker.url(), callerTakes: false });
    try {
      expect(pool.wouldShare(null, {}, leads)).toBe(true);
      expect(pool.wouldShare(data.events, { mode: 'snapshot' }, leads)).toBe(true);
      // columns not in shared memory (a parsed file), or too few leads: one thread
      expect(pool.wouldShare(null, {}, data.leads)).toBe(false);
      expect(new ReplayThreads({ threads: 2, workerUrl: worker.url() }).wouldShare(null, {}, leads)).toBe(false);
      for (const opts of [{}, { asOf: Date.UTC(2025, 3, 1), useClosedAt: false }]) {
        const got = await pool.replay(ir, leads, null, opts);
        expect(got.mode).toBe('snapshot');
        // the worker replayed ranges (this thread took none)
        expect(pool.last?.byWorkers).toBe(pool.last?.ranges);
        expect(pool.last!.ranges).toBeGreaterThan(1);
        expect(outputs(got)).toEqual(outputs(replay(ir, data.leads, null, opts)));
      }
    } finally {
      await pool.close();
    }
  });

  it('falls back to one thread when threads would not pay or cannot share the tables', async () => {
    const pool = new ReplayThreads({ threads: 2, workerUrl: worker.url() });
    try {
      // fewer events than the threshold; events not in shared memory; a snapshot
      expect(pool.wouldShare(data.events)).toBe(false);
      const plain = new ReplayThreads({ threads: 2, minEvents: 0, workerUrl: worker.url() });
      const g = generate({ leads: 200, seed: 6, eventsPerLead: 5 });
      expect(plain.wouldShare(g.events)).toBe(false);
      expect(plain.wouldShare(data.events, { mode: 'snapshot' })).toBe(false);
      expect(new ReplayThreads({ threads: 1, minEvents: 0, workerUrl: worker.url() }).wouldShare(data.events)).toBe(false);
      expect(outputs(await plain.replay(ir, g.leads, g.events, {}))).toEqual(outputs(replay(ir, g.leads, g.events)));
      await plain.close();
    } finally {
      await pool.close();
    }
  });
});

describe('default asOf from the latest time per type', () => {
  it('equals the scan of every event, with and without the declared activities', () => {
    const e = data.events;
    const latest = new Float64Array(e.typeNames.length).fill(-Infinity);
    for (let j = 0; j < e.types.length; j++) latest[e.types[j]!] = Math.max(latest[e.types[j]!]!, e.times[j]!);
    // a table of copies of the arrays, with the latest times noted (`e` itself keeps the scan)
    const withLatest = { ...e, times: e.times.slice(), types: e.types.slice() };
    noteLatestByType(withLatest, latest);
    // only some activities declared: the latest of those types (an independent scan)
    const some = e.typeNames.slice(0, 2);
    let m = -Infinity;
    for (let j = 0; j < e.types.length; j++) if (some.includes(e.typeNames[e.types[j]!]!) && e.times[j]! > m) m = e.times[j]!;
    for (let i = 0; i < data.leads.n; i++) m = Math.max(m, data.leads.createdAt[i]! || -Infinity, data.leads.closedAt[i]! || -Infinity);
    expect(defaultAsOf(data.leads, withLatest, some)).toBe(m);
    expect(defaultAsOf(data.leads, withLatest, some)).toBe(defaultAsOf(data.leads, e, some));
    expect(defaultAsOf(data.leads, withLatest)).toBe(defaultAsOf(data.leads, e));
    expect(defaultAsOf(data.leads, withLatest, ir.activities)).toBe(defaultAsOf(data.leads, e, ir.activities));
  });
});

describe('reading into shared memory', () => {
  let file = '';
  let want: Uint8Array;
  beforeAll(() => {
    // 40 MiB of varied bytes: three chunks
    want = new Uint8Array((40 << 20) + 12_345);
    for (let i = 0; i < want.length; i++) want[i] = (i * 2654435761) >>> 24;
    file = join(worker.dir(), 'bytes.bin');
    writeFileSync(file, want);
  });

  it('alone, and with a helper thread reading chunks, gives the file', async () => {
    const alone = readShared(file);
    expect(alone.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.compare(alone, readFileSync(file))).toBe(0);
    const w = new Worker(worker.url());
    await new Promise((r) => w.once('online', r));
    try {
      const helped = readShared(file, (job) => w.postMessage({ read: job }));
      expect(Buffer.compare(helped, want)).toBe(0);
    } finally {
      await w.terminate();
    }
  });

  it('a helper reads nothing from a path that now names another file', () => {
    const other = join(worker.dir(), 'other.bin');
    writeFileSync(other, want.subarray(0, 1000));
    const job: ReadJob = {
      path: other,
      file: { dev: 0, ino: 0, size: want.length, mtimeMs: 0 },
      bytes: new Uint8Array(new SharedArrayBuffer(want.length)),
      state: new Int32Array(new SharedArrayBuffer(4 * 4)),
    };
    readChunks(job);
    // no chunk taken, none marked: the reading thread reads them all itself
    expect(Array.from(job.state)).toEqual([0, 0, 0, 0]);
    // a helper handed the job while the file is replaced between the two opens: the result is still the first file
    const swapped = readShared(file, (j) => readChunks({ ...j, path: other }));
    expect(Buffer.compare(swapped, want)).toBe(0);
  });

  it('a helper that fails a chunk leaves it to the reading thread', () => {
    // the helper takes the next chunk and fails it
    const failing = (job: ReadJob) => {
      const c = Atomics.add(job.state, 0, 1);
      Atomics.store(job.state, 1 + c, -1);
    };
    expect(Buffer.compare(readShared(file, failing), want)).toBe(0);
    // a helper that reads everything through the shared routine
    expect(
      Buffer.compare(
        readShared(file, (job) => readChunks(job)),
        want,
      ),
    ).toBe(0);
  });
});

describe('rankings computed on another thread', () => {
  /** A score with many distinct values (sorted groups) and one with few (counted groups), in shared memory. */
  function scores(): { many: Float64Array; few: Float64Array; outcome: Int8Array } {
    const n = 20_000;
    const many = new Float64Array(new SharedArrayBuffer(8 * n));
    const few = new Float64Array(new SharedArrayBuffer(8 * n));
    const outcome = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      many[i] = i % 97 === 0 ? NaN : Math.sin(i) * 100;
      few[i] = (i * 7) % 13;
      outcome[i] = i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : -1;
    }
    return { many, few, outcome };
  }

  it('the rankings a worker computes give the same AUC and lift table as computing them here', async () => {
    const { many, few, outcome } = scores();
    const want = [ranking(many, outcome), ranking(few, outcome)];
    const out = expectRankings([many, few], outcome);
    const w = new Worker(worker.url());
    await new Promise((r) => w.once('online', r));
    try {
      w.postMessage({ ranking: { scores: [many, few], outcome, out } });
      // the worker takes the last score first; wait until it has finished both
      for (const o of out) while (Atomics.load(o.state, 0) < 2) Atomics.wait(o.state, 0, Atomics.load(o.state, 0), 100);
      expect(out.map((o) => Atomics.load(o.state, 0))).toEqual([2, 2]);
      expect([ranking(many, outcome), ranking(few, outcome)]).toEqual(want);
    } finally {
      await w.terminate();
    }
  });

  it('a score no worker has started is computed here; a failed one too', () => {
    const { many, few, outcome } = scores();
    const want = [ranking(many, outcome), ranking(few, outcome)];
    // nobody fills them: the report claims both and computes them
    const out = expectRankings([many, few], outcome);
    expect([ranking(many, outcome), ranking(few, outcome)]).toEqual(want);
    expect(out.map((o) => Atomics.load(o.state, 0))).toEqual([4, 4]);
    // a worker that failed on a score (state 3)
    const failed = expectRankings([many], outcome);
    Atomics.store(failed[0]!.state, 0, 3);
    expect(ranking(many, outcome)).toEqual(want[0]);
    // rankings filled on this thread through the same routine the worker runs
    const filled = expectRankings([many, few], outcome);
    fillRankings([many, few], outcome, filled);
    expect([ranking(many, outcome), ranking(few, outcome)]).toEqual(want);
    // registered for another outcome array: not used
    const other = Int8Array.from(outcome, (o) => (o === 1 ? 0 : o === 0 ? 1 : -1));
    const wrong = expectRankings([many], other);
    fillRankings([many], other, wrong);
    expect(ranking(many, outcome)).toEqual(want[0]);
  });
});

describe('replay on threads: what a worker can do wrong, and what is not shared', () => {
  it('a worker that hangs on a range is ended after the stall time; this thread replays what it did not finish', async () => {
    const file = join(worker.dir(), 'hangs.mjs');
    writeFileSync(
      file,
      "import { parentPort } from 'node:worker_threads'; parentPort.on('message', (m) => { if (m.read || m.ranking) return; Atomics.add(m.state, 0, 1); for (;;) {} });",
    );
    const pool = new ReplayThreads({ threads: 2, rangesPerThread: 4, minEvents: 0, workerUrl: pathToFileURL(file), stallMs: 300 });
    try {
      pool.start();
      await new Promise((r) => setTimeout(r, 200));
      expect(outputs(await pool.replay(ir, data.leads, data.events, {}))).toEqual(outputs(replay(ir, data.leads, data.events)));
      expect(pool.last?.byWorkers).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('a replay of a range of leads is not shared', () => {
    const pool = new ReplayThreads({ threads: 2, minEvents: 0, workerUrl: worker.url() });
    expect(pool.wouldShare(data.events)).toBe(true);
    expect(pool.wouldShare(data.events, { range: { lo: 0, hi: 10 } })).toBe(false);
  });

  it('dictionaries go to the workers only when the generated code reads them', () => {
    const bind = (src: string) => compileKernel(compile(src)).bind({ leads: data.leads, events: data.events, mode: 'events', asOf: Date.UTC(2025, 5, 1) });
    // the ACME rules test text through per-dictionary tables: no dictionary is sent
    expect(
      bind(ACME)
        .portable()!
        .ctx.dicts.every((d) => d === null),
    ).toBe(true);
    // comparing two text attributes reads both dictionaries
    const both = bind(ACME.replace('  +10 when decision_maker\n', '  +10 when decision_maker\n  +3 when industry == country\n')).portable()!;
    expect(both.ctx.dicts.filter((d) => d !== null).length).toBeGreaterThanOrEqual(2);
  });

  it("the rows of a table do not keep the whole table's latest time per type", () => {
    const e = data.events;
    const latest = new Float64Array(e.typeNames.length).fill(Date.UTC(2030, 0, 1));
    const whole = { ...e, times: e.times.slice(), types: e.types.slice() };
    noteLatestByType(whole, latest);
    const sub = eventRows(whole, Int32Array.from([0, 1, 2]));
    expect(latestByType(sub)).toBeUndefined();
    // the subset's default asOf comes from its own events (and the leads' dates)
    let m = -Infinity;
    for (let j = 0; j < sub.times.length; j++) m = Math.max(m, sub.times[j]!);
    expect(defaultAsOf({ ...data.leads, createdAt: new Float64Array(data.leads.n).fill(NaN), closedAt: new Float64Array(data.leads.n).fill(NaN) }, sub)).toBe(
      m,
    );
  });
});

// The simulator's comlink API in a real worker thread (comlink's Node
// adapter): run, cancel, run again; a crashing ruleset does not kill the
// worker; explain one lead; load CSV bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { build } from 'rolldown';
import type { SimulatorApi } from '../../simulator/worker-api.js';
import { generate, writeCsv } from '../../simulator/generate.js';
import { simulate } from '../../simulator/simulate.js';
import { ACME, compile } from './helpers.js';

let dir: string;
let worker: Worker;
let api: Comlink.Remote<SimulatorApi>;
const gen = generate({ leads: 60_000, seed: 5, eventsPerLead: 20 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lql-worker-'));
  const entry = fileURLToPath(new URL('./worker-entry.ts', import.meta.url));
  await build({
    input: entry,
    platform: 'node',
    logLevel: 'silent',
    output: { file: join(dir, 'worker.mjs'), format: 'esm' },
  });
  worker = new Worker(join(dir, 'worker.mjs'));
  api = Comlink.wrap<SimulatorApi>(nodeEndpoint(worker));
  expect(await api.ping()).toBe('pong');
  const s = await api.loadTables({ leads: gen.leads, events: gen.events });
  expect(s).toMatchObject({ ok: true, leads: 60_000 });
});

afterAll(async () => {
  api?.[Comlink.releaseProxy]();
  await worker?.terminate();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('worker API', () => {
  it('run, cancel (stale run and explicit cancel), run again', async () => {
    // a run started while another is in progress makes the older one stale
    const first = api.run({ source: ACME, chunk: 500 });
    const second = api.run({ source: ACME, chunk: 500 });
    const [a, b] = await Promise.all([first, second]);
    expect(a).toMatchObject({ ok: false, cancelled: true });
    expect(b.ok).toBe(true);

    // explicit cancel after the first progress report
    let cancelled = false;
    const progress: number[] = [];
    const third = api.run(
      { source: ACME, chunk: 500 },
      Comlink.proxy((done: number) => {
        progress.push(done);
        if (!cancelled) {
          cancelled = true;
          void api.cancel();
        }
      }),
    );
    const c = await third;
    expect(c).toMatchObject({ ok: false, cancelled: true });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBeLessThan(60_000);

    // and again: the full report, equal to an in-process run
    const d = await api.run({ source: ACME });
    expect(d.ok).toBe(true);
    if (d.ok) {
      const local = simulate(compile(ACME), gen.leads, gen.events);
      expect(JSON.parse(JSON.stringify(d.report))).toEqual(JSON.parse(JSON.stringify(local)));
      expect(d.report.stages.map((s) => s.name)).toEqual(['SQL', 'MQL', 'lead']);
    }
  });

  it('a crashing or broken ruleset does not kill the worker', async () => {
    const bad = await api.run({ source: 'fit { +10 when }' });
    expect(bad).toMatchObject({ ok: false, cancelled: false });
    if (!bad.ok) expect(bad.diagnostics.length).toBeGreaterThan(0);
    // an IR the kernel cannot run (an activity that is not declared) throws inside the worker
    const ir = compile(ACME);
    const broken = structuredClone(ir);
    (broken.scores[1] as { rules: { activity?: string }[] }).rules[0]!.activity = 'no_such_activity';
    const crash = await api.run({ ir: broken });
    expect(crash).toMatchObject({ ok: false, cancelled: false });
    if (!crash.ok) expect(crash.error).toMatch(/no_such_activity/);
    expect(await api.ping()).toBe('pong');
    const ok = await api.run({ ir });
    expect(ok.ok).toBe(true);
  });

  it('explains one lead', async () => {
    const id = gen.leads.ids[3]!;
    const r = await api.explain({ source: ACME, leadId: id });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.result.scores).toHaveProperty('fit');
      expect(Array.isArray(r.result.explain?.rules)).toBe(true);
      const ca = gen.leads.closedAt[3]!;
      if (ca === ca) {
        expect(r.asOf).toBe(ca);
        expect(r.events.every((e) => e.at < ca)).toBe(true);
      }
    }
    expect(await api.explain({ source: ACME, leadId: 'nope' })).toMatchObject({ ok: false });
  });

  it('loads CSV bytes (transferred) and runs on them', async () => {
    const small = generate({ leads: 500, seed: 9 });
    const files = writeCsv(small, join(dir, 'csv'));
    const lb = readFileSync(files.leads);
    const eb = readFileSync(files.events);
    const leads = lb.buffer.slice(lb.byteOffset, lb.byteOffset + lb.byteLength);
    const events = eb.buffer.slice(eb.byteOffset, eb.byteOffset + eb.byteLength);
    const s = await api.loadFiles(Comlink.transfer({ leads, leadsName: 'leads.csv', events, eventsName: 'events.csv' }, [leads, events]));
    expect(s.error).toBeUndefined();
    expect(s).toMatchObject({ ok: true, leads: 500, events: small.events.times.length });
    const r = await api.run({ source: ACME });
    expect(r.ok).toBe(true);
    if (r.ok) {
      const local = simulate(compile(ACME), small.leads, small.events);
      expect(r.report.stages).toEqual(local.stages);
      expect(r.report.activities).toEqual(local.activities);
    }
  });
});

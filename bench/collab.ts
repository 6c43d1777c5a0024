/**
 * Co-editing sync latency of `lql serve`: 50 simulated editors (Hocuspocus
 * providers over loopback WebSockets) on one ruleset; edits are made in
 * turn by the editors, one every 20 ms, and each is timed from the moment
 * one editor makes it to the moment each other editor has it.
 *
 * Input: none (a fresh server on a temporary data folder, PGlite storage).
 * Output: p50 / p95 / max of the delivery latency (per receiving editor) and
 * of "every editor has it", against the goal p95 < 100 ms; the same load on
 * a bare in-memory Hocuspocus server (no authorisation, no storage) as the
 * reference, in the same process.
 * Invariants: every edit is counted (an edit not delivered to all editors
 * within 30 s fails the run); servers and clients are closed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { HocuspocusProvider } from '@hocuspocus/provider';

const EDITORS = 50;
const EDITS = 300;
const PACE_MS = 20;

interface Figures { p50: number; p95: number; max: number; allP50: number; allP95: number }

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function measure(wsUrl: string, name: string, token: string): Promise<Figures> {
  const sent = new Map<number, number>();
  const delivered: number[] = [];
  const remaining = new Map<number, number>();
  const lastArrival = new Map<number, number>();
  const docs: Y.Doc[] = [];
  const providers: HocuspocusProvider[] = [];
  for (let i = 0; i < EDITORS; i++) {
    const doc = new Y.Doc();
    const me = i;
    doc.getText('source').observe((ev) => {
      if (ev.transaction.local) return;
      const now = performance.now();
      for (const op of ev.delta) {
        if (typeof op.insert !== 'string') continue;
        for (const m of op.insert.matchAll(/\[e(\d+)\]/g)) {
          const n = Number(m[1]);
          const t0 = sent.get(n);
          if (t0 === undefined) continue;
          delivered.push(now - t0);
          remaining.set(n, remaining.get(n)! - 1);
          lastArrival.set(n, now - t0);
        }
      }
      void me;
    });
    const provider = new HocuspocusProvider({ url: wsUrl, WebSocketPolyfill: WebSocket, name, document: doc, token } as never);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('an editor did not sync in 60 s')), 60_000);
      provider.on('synced', () => { clearTimeout(timer); resolve(); });
    });
    docs.push(doc);
    providers.push(provider);
  }
  for (let n = 0; n < EDITS; n++) {
    const text = docs[n % EDITORS]!.getText('source');
    remaining.set(n, EDITORS - 1);
    sent.set(n, performance.now());
    text.insert(n % 3 === 0 ? 0 : text.length, `[e${n}]`);
    await new Promise((r) => setTimeout(r, PACE_MS));
  }
  const end = Date.now() + 30_000;
  while ([...remaining.values()].some((v) => v > 0)) {
    if (Date.now() > end) throw new Error('some edits did not reach every editor within 30 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  providers.forEach((p) => p.destroy());
  const d = delivered.sort((a, b) => a - b);
  const all = [...lastArrival.values()].sort((a, b) => a - b);
  return { p50: pct(d, 0.5), p95: pct(d, 0.95), max: d[d.length - 1]!, allP50: pct(all, 0.5), allP95: pct(all, 0.95) };
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

export async function run(): Promise<string[]> {
  const { serve } = await import('../server/serve.js');
  const { Server } = await import('@hocuspocus/server');
  const out: string[] = [`${EDITORS} editors on one ruleset over loopback, ${EDITS} edits (one every ${PACE_MS} ms, made in turn by the editors); latency from the edit to each other editor`];

  // reference: a bare Hocuspocus server, in memory, no authorisation or storage
  const bare = new Server({ port: 0, quiet: true, stopOnSignals: false } as never);
  await bare.listen();
  const barePort = (bare.httpServer.address() as import('node:net').AddressInfo).port;
  const ref = await measure(`ws://127.0.0.1:${barePort}`, 'bench', 'x');
  await bare.destroy();

  const dataDir = mkdtempSync(join(tmpdir(), 'lql-bench-serve-'));
  const admin = 'bench-admin-token';
  const running = await serve({ port: 0, dataDir, adminToken: admin, out: () => {}, err: () => {} });
  try {
    const res = await fetch(`${running.url}/api/rulesets`, {
      method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', source: 'ruleset "bench"\n' }),
    });
    const created = (await res.json()) as { id: string; links: { edit: string } };
    const token = new URL(created.links.edit).searchParams.get('token')!;
    const f = await measure(`${running.url.replace(/^http/, 'ws')}/collab?token=${encodeURIComponent(token)}`, created.id, token);
    out.push(
      `lql serve (PGlite, every update stored before it is acknowledged):`,
      `  to each editor:       p50 ${ms(f.p50)}, p95 ${ms(f.p95)}, max ${ms(f.max)}   (goal p95 < 100 ms: ${f.p95 < 100 ? 'met' : 'NOT met'})`,
      `  to all ${EDITORS - 1} others:     p50 ${ms(f.allP50)}, p95 ${ms(f.allP95)}`,
      `bare Hocuspocus in memory (reference, same load):`,
      `  to each editor:       p50 ${ms(ref.p50)}, p95 ${ms(ref.p95)}, max ${ms(ref.max)}`,
      `  ratio lql serve / reference at p95: ${(f.p95 / ref.p95).toFixed(2)}x`,
    );
  } finally {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}

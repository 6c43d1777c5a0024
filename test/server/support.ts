/**
 * Test support for `lql serve`: start a server (in this process, or as a
 * separate `lql serve` process that can be killed), call its API, and
 * connect simulated editors (Hocuspocus providers over `ws`) or raw
 * WebSocket clients speaking the protocol byte by byte.
 *
 * Invariants: servers listen on 127.0.0.1 on a free port with a fresh data
 * folder; every helper that waits has a deadline and fails with a message
 * saying what it was waiting for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { HocuspocusProvider, type HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { serve, type Running } from '../../server/serve.js';
import { startPostgres, postgresUnavailable, type PostgresServer } from '../support/postgres.js';

export const ADMIN = 'test-admin-token-0123456789';

export interface Backend {
  name: string;
  /** null when this back end cannot run here (with the reason in `skip`) */
  url: () => string | undefined;
  skip: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The two storage back ends: embedded PGlite, and a real PostgreSQL server via --database. */
export function backends(): Backend[] {
  let pg: PostgresServer | undefined;
  const pgSkip = postgresUnavailable();
  return [
    { name: 'PGlite', url: () => undefined, skip: null, start: async () => {}, stop: async () => {} },
    {
      name: 'PostgreSQL',
      url: () => `postgres://postgres@127.0.0.1:${pg!.port}/postgres`,
      skip: pgSkip,
      start: async () => { pg = await startPostgres(); },
      stop: async () => { await pg?.stop(); },
    },
  ];
}

export interface TestServer extends Running {
  dataDir: string;
  stop(): Promise<void>;
}

export async function startServer(opts: { databaseUrl?: string; dataDir?: string; port?: number; staticDir?: string } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'lql-serve-'));
  const running = await serve({ port: opts.port ?? 0, dataDir, databaseUrl: opts.databaseUrl, adminToken: ADMIN, staticDir: opts.staticDir, out: () => {}, err: () => {} });
  return {
    ...running,
    dataDir,
    async stop() {
      await running.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `lql serve` as its own process (for kill -9); resolves when it listens. */
export async function spawnServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/lql.js', 'serve', '--port', '0', '--data', dataDir], {
    env: { ...process.env, LQL_ADMIN_TOKEN: ADMIN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lql serve did not start in 240 s:\n${log}`)), 240_000);
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`lql serve exited (${code}):\n${log}`)); });
  });
  return { url, child };
}

export async function api(base: string, path: string, opts: { token?: string; method?: string; body?: unknown; name?: string; raw?: BodyInit; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.name) headers['x-lql-name'] = encodeURIComponent(opts.name);
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method: opts.method ?? (opts.body !== undefined || opts.raw ? 'POST' : 'GET'), headers, body: opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined) });
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json };
}

export function tokenOf(link: string): string {
  return new URL(link).searchParams.get('token')!;
}

export async function createRuleset(base: string, source: string, name = 'Test') {
  const r = await api(base, '/api/rulesets', { token: ADMIN, body: { name, source } });
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
  return { id: r.json.id as string, edit: tokenOf(r.json.links.edit), review: tokenOf(r.json.links.review), view: tokenOf(r.json.links.view), links: r.json.links };
}

export interface Editor {
  doc: Y.Doc;
  text: Y.Text;
  provider: HocuspocusProvider;
  socket: HocuspocusProviderWebsocket;
  destroy(): void;
}

/** A simulated editor: a Y.Doc synced through a Hocuspocus provider. Resolves once synced. */
export async function connectEditor(base: string, id: string, token: string, opts: { name?: string; timeoutMs?: number } = {}): Promise<Editor> {
  const doc = new Y.Doc();
  const provider = new HocuspocusProvider({
    url: base.replace(/^http/, 'ws') + `/collab?token=${encodeURIComponent(token)}`,
    WebSocketPolyfill: WebSocket,
    name: id,
    document: doc,
    token,
  } as never);
  const socket = provider.configuration.websocketProvider;
  provider.awareness?.setLocalStateField('user', { name: opts.name ?? 'tester', color: '#336699' });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`editor for ${id} did not sync in ${opts.timeoutMs ?? 30_000} ms`)), opts.timeoutMs ?? 30_000);
    provider.on('synced', () => { clearTimeout(timer); resolve(); });
    provider.on('authenticationFailed', () => { clearTimeout(timer); reject(new Error('authentication failed')); });
  });
  return { doc, text: doc.getText('source'), provider, socket, destroy: () => provider.destroy() };
}

/** Wait until `cond` holds, polling; fail after `ms` with `what`. */
export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Wait until the server has acknowledged every local change of the editor. */
export function acked(e: Editor, ms = 20_000): Promise<void> {
  return until(() => !e.provider.hasUnsyncedChanges, ms, 'the server to acknowledge the edits');
}

// --- the raw protocol (Hocuspocus framing around y-protocols) -------------

export function authMessage(doc: string, token: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  encoding.writeVarUint(e, 2); // Auth
  encoding.writeVarUint(e, 0); // token
  encoding.writeVarString(e, token);
  return encoding.toUint8Array(e);
}

export function updateMessage(doc: string, update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  encoding.writeVarUint(e, 0); // Sync
  encoding.writeVarUint(e, 2); // update
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** A Yjs update that inserts `s` at the start of the text (from a fresh client). */
export function insertUpdate(s: string): Uint8Array {
  const d = new Y.Doc();
  d.getText('source').insert(0, s);
  return Y.encodeStateAsUpdate(d);
}

export interface RawClient {
  ws: WebSocket;
  received: Uint8Array[];
  closed: Promise<{ code: number }>;
  send(m: Uint8Array): void;
}

export async function rawClient(base: string, token: string | null): Promise<RawClient> {
  const ws = new WebSocket(base.replace(/^http/, 'ws') + '/collab' + (token !== null ? `?token=${encodeURIComponent(token)}` : ''));
  const received: Uint8Array[] = [];
  ws.on('message', (d: Buffer) => received.push(new Uint8Array(d)));
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return { ws, received, closed, send: (m) => ws.send(m) };
}

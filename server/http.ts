/**
 * The HTTP side of `lql serve`: the built playground (static files), the
 * JSON API of docs/serve.md, and the WebSocket upgrade to the collaboration
 * endpoint (`/collab?token=...`).
 *
 * Input: HTTP requests and upgrades.
 * Output: responses; JSON bodies `{ "error": "..." }` for every refusal
 * (400 bad request, 401 missing or unknown token, 403 a role that may not do
 * this, 404, 409 wrong state, 413 body too large, 422 ruleset with errors,
 * 429 too many failed tokens).
 * Invariants:
 * - only static files answer without a token; every API call and every
 *   collaboration connection presents a token that the server checks
 *   (`Authorization: Bearer`, or `?token=` on the upgrade) and that opens
 *   the ruleset named in the path;
 * - bodies are read up to a limit and refused past it (413) without being
 *   buffered further;
 * - static paths never leave the playground folder.
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Db } from './db.js';
import { FailureLimiter, lookupToken, may, opens, type Action, type Grant } from './access.js';
import type { Collab } from './collab.js';
import * as ws from './workspace.js';
import { HttpError, type Actor } from './workspace.js';

export const LIMITS = {
  /** JSON bodies (ruleset text, comments, decisions) */
  json: 1 << 20,
  /** dataset uploads (leads and events together) */
  upload: 256 << 20,
  /** one collaboration message */
  message: 1 << 20,
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

function send(res: ServerResponse, status: number, body: string | Uint8Array, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `The request body is ${declared} bytes; the limit is ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new HttpError(413, `The request body is larger than the limit of ${limit} bytes.`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const buf = await readBody(req, LIMITS.json);
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8') || '{}');
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new HttpError(400, 'The request body must be a JSON object.');
  return v as Record<string, unknown>;
}

function str(body: Record<string, unknown>, key: string, opts: { max: number; required?: boolean }): string {
  const v = body[key];
  if (v === undefined && !opts.required) return '';
  if (typeof v !== 'string') throw new HttpError(400, `"${key}" must be a string.`);
  if (v.length > opts.max) throw new HttpError(413, `"${key}" is longer than ${opts.max} characters.`);
  return v;
}

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1]! : null;
}

function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** The name a person gave in the page (X-LQL-Name), else the link's role. */
function actorOf(req: IncomingMessage, grant: Grant): Actor {
  const raw = req.headers['x-lql-name'];
  let name = typeof raw === 'string' ? decodeURIComponentSafe(raw).replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 80) : '';
  if (!name) name = 'someone';
  return { name, role: grant.role };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface HttpOptions {
  db: Db;
  collab: Collab;
  dataDir: string;
  staticDir: string;
  limiter?: FailureLimiter;
}

export function createHttpServer(o: HttpOptions): Server {
  const limiter = o.limiter ?? new FailureLimiter();
  const { db, collab, dataDir } = o;

  async function authorise(req: IncomingMessage, token: string | null): Promise<Grant> {
    const addr = clientAddress(req);
    if (limiter.blocked(addr)) throw new HttpError(429, 'Too many wrong tokens from this address; try again in a minute.');
    if (!token) throw new HttpError(401, 'A token is required: send `Authorization: Bearer <token>` (the token of a ruleset link, or the admin token).');
    const grant = await lookupToken(db, token);
    if (!grant) {
      limiter.fail(addr);
      throw new HttpError(401, 'The token is not valid.');
    }
    return grant;
  }

  function check(grant: Grant, rulesetId: string | null, action: Action): void {
    if (rulesetId !== null && !opens(grant, rulesetId)) throw new HttpError(403, 'This token does not open this ruleset.');
    if (!may(grant.role, action)) throw new HttpError(403, `${grant.role === "edit" ? "An" : "A"} ${grant.role} link may not ${ACTION_WORDS[action]}.`);
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string[], query: URLSearchParams): Promise<void> {
    const grant = await authorise(req, bearer(req));
    const method = req.method ?? 'GET';
    const actor = actorOf(req, grant);
    // /api/rulesets
    if (path.length === 1) {
      if (method === 'POST') {
        check(grant, null, 'create');
        const body = await readJson(req);
        const name = str(body, 'name', { max: 200 }).trim() || 'Untitled ruleset';
        const source = str(body, 'source', { max: LIMITS.json });
        const host = req.headers.host && /^[\w.:[\]-]+$/.test(req.headers.host) ? req.headers.host : '127.0.0.1';
        return json(res, 201, await ws.createRuleset(db, actor, name, source, `http://${host}`));
      }
      if (method === 'GET') {
        check(grant, null, 'create');
        return json(res, 200, await ws.listRulesets(db));
      }
      throw new HttpError(405, `${method} is not supported here.`);
    }
    const id = path[1]!;
    if (!opens(grant, id)) throw new HttpError(403, 'This token does not open this ruleset.');
    await ws.rulesetInfo(db, id); // 404 for an unknown ruleset (admin)
    const rest = path.slice(2).join('/');
    const route = `${method} ${rest}`;
    const num = (s: string | undefined) => {
      if (!s || !/^\d{1,15}$/.test(s)) throw new HttpError(404, 'Not found.');
      return Number(s);
    };
    const p = path.slice(2);
    switch (true) {
      case route === 'GET ': {
        check(grant, id, 'read');
        return json(res, 200, { ...(await ws.rulesetInfo(db, id)), role: grant.role });
      }
      case route === 'GET source':
        check(grant, id, 'read');
        return send(res, 200, await collab.text(id), 'text/plain; charset=utf-8');
      case route === 'GET dataset': {
        check(grant, id, 'read');
        const d = await ws.currentDataset(db, id);
        return json(res, 200, d ? { id: d.id, name: d.name, leads: d.leads, events: d.events, options: d.options, uploadedBy: d.uploadedBy, uploadedAt: d.uploadedAt } : null);
      }
      case method === 'GET' && p[0] === 'dataset' && (p[1] === 'leads' || p[1] === 'events') && p.length === 2: {
        check(grant, id, 'read');
        const d = await ws.currentDataset(db, id);
        const file = p[1] === 'leads' ? d?.leadsFile : d?.eventsFile;
        if (!file) throw new HttpError(404, `This workspace has no shared ${p[1]} file.`);
        return send(res, 200, readFileSync(join(dataDir, 'datasets', file)), 'application/octet-stream');
      }
      case route === 'POST dataset': {
        check(grant, id, 'upload');
        const up = await readUpload(req);
        const d = await ws.uploadDataset(db, dataDir, id, actor, up);
        collab.notify(id, 'dataset');
        return json(res, 201, d && { id: d.id, name: d.name, leads: d.leads, events: d.events, options: d.options, uploadedBy: d.uploadedBy, uploadedAt: d.uploadedAt });
      }
      case route === 'GET comments':
        check(grant, id, 'read');
        return json(res, 200, await ws.listComments(db, id));
      case route === 'POST comments': {
        check(grant, id, 'comment');
        const body = await readJson(req);
        const text = str(body, 'body', { max: 10_000, required: true });
        const at = body.threadId !== undefined
          ? { threadId: Number.isInteger(body.threadId) ? (body.threadId as number) : -1 }
          : { line: Number.isInteger(body.line) && (body.line as number) >= 1 ? (body.line as number) : 1 };
        const r = await ws.addComment(db, id, actor, text, at);
        collab.notify(id, 'review');
        return json(res, 201, r);
      }
      case method === 'POST' && p[0] === 'comments' && p[2] === 'resolve' && p.length === 3: {
        check(grant, id, 'comment');
        const body = await readJson(req);
        await ws.resolveThread(db, id, actor, num(p[1]), body.resolved !== false);
        collab.notify(id, 'review');
        return json(res, 200, { ok: true });
      }
      case route === 'GET proposals':
        check(grant, id, 'read');
        return json(res, 200, await ws.listProposals(db, id));
      case route === 'POST proposals': {
        check(grant, id, 'propose');
        const body = await readJson(req);
        const title = str(body, 'title', { max: 200 }).trim();
        const r = await ws.propose(db, dataDir, id, actor, title, await collab.text(id));
        collab.notify(id, 'review');
        return json(res, 201, r);
      }
      case method === 'GET' && p[0] === 'proposals' && p.length === 2:
        check(grant, id, 'read');
        return json(res, 200, await ws.getProposal(db, id, num(p[1])));
      case method === 'POST' && p[0] === 'proposals' && p[2] === 'decision' && p.length === 3: {
        check(grant, id, 'decide');
        const body = await readJson(req);
        const decision = body.decision;
        if (decision !== 'approve' && decision !== 'reject') throw new HttpError(400, '"decision" must be "approve" or "reject".');
        const r = await ws.decide(db, id, actor, num(p[1]), decision, str(body, 'comment', { max: 10_000 }));
        collab.notify(id, 'review');
        return json(res, 200, r);
      }
      case method === 'POST' && p[0] === 'proposals' && p[2] === 'publish' && p.length === 3: {
        check(grant, id, 'publish');
        const r = await ws.publish(db, id, actor, num(p[1]));
        collab.notify(id, 'review');
        return json(res, 201, r);
      }
      case route === 'GET releases':
        check(grant, id, 'read');
        return json(res, 200, await ws.listReleases(db, id));
      case method === 'GET' && p[0] === 'releases' && p.length === 2:
        check(grant, id, 'read');
        return json(res, 200, ws.releaseJson(await ws.getRelease(db, id, p[1]!), true));
      case method === 'GET' && p[0] === 'releases' && p.length === 3: {
        check(grant, id, 'read');
        const file = RELEASE_FILES[p[2]!];
        if (!file) throw new HttpError(404, `A release has ${Object.keys(RELEASE_FILES).join(', ')}.`);
        const r = await ws.getRelease(db, id, p[1]!);
        const body = file.column === 'report' ? JSON.stringify(r.report, null, 2) : (r[file.column] as string);
        return send(res, 200, body, file.type, { 'Content-Disposition': `attachment; filename="${p[2]}"` });
      }
      case route === 'GET diff': {
        check(grant, id, 'read');
        return json(res, 200, await ws.diffVersions(db, dataDir, id, query.get('a') ?? '', query.get('b') ?? 'live', () => collab.text(id)));
      }
      case route === 'GET audit':
        check(grant, id, 'read');
        return json(res, 200, await ws.auditLog(db, id));
    }
    throw new HttpError(404, `There is no ${method} /api/rulesets/:id/${rest}.`);
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: `${req.method} is not supported here.` });
    const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
    const file = normalize(join(o.staticDir, rel));
    if (!file.startsWith(normalize(o.staticDir + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      return json(res, 404, { error: 'Not found.' });
    }
    send(res, 200, readFileSync(file), TYPES[extname(file)] ?? 'application/octet-stream', { 'Cache-Control': 'no-cache' });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return json(res, 400, { error: 'The path is not valid.' });
    }
    const handle = async () => {
      if (pathname === '/api/rulesets' || pathname.startsWith('/api/rulesets/')) {
        const path = pathname.slice('/api/'.length).split('/').filter((s, i) => s !== '' || i < 2);
        await api(req, res, path, url.searchParams);
      } else if (pathname.startsWith('/api/') || pathname === '/api') {
        await authorise(req, bearer(req));
        throw new HttpError(404, `There is no ${req.method} ${pathname}.`);
      } else serveStatic(req, res, pathname);
    };
    handle().catch((e: unknown) => {
      if (res.headersSent) return res.destroy();
      if (e instanceof HttpError) json(res, e.status, { error: e.message });
      else {
        process.stderr.write(`lql serve: ${req.method} ${pathname}: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
        json(res, 500, { error: 'The server failed to answer this request; see its log.' });
      }
      // an unread body is dropped rather than read to the end
      if (!req.complete) req.resume();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.message });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ error: text })}`);
    };
    if (url.pathname !== '/collab') return refuse(404, 'Not Found');
    authorise(req, url.searchParams.get('token')).then((grant) => {
      wss.handleUpgrade(req, socket, head, (client) => {
        client.on('error', () => client.terminate());
        collab.hocuspocus.handleConnection(client, req, { grant });
      });
    }, (e: unknown) => refuse(e instanceof HttpError ? e.status : 500, e instanceof HttpError && e.status === 429 ? 'Too Many Requests' : 'Unauthorized'));
  });
  return server;
}

const ACTION_WORDS: Record<Action, string> = {
  read: 'read this ruleset',
  edit: 'edit the text',
  comment: 'comment',
  propose: 'propose a change',
  upload: 'upload data',
  decide: 'approve or reject proposals',
  publish: 'publish releases',
  create: 'create or list rulesets (the admin token can)',
};

const RELEASE_FILES: Record<string, { column: string; type: string }> = {
  'scorer.mjs': { column: 'esm', type: 'text/javascript; charset=utf-8' },
  'scorer.cjs': { column: 'cjs', type: 'text/javascript; charset=utf-8' },
  'scorer.sql': { column: 'sql', type: 'application/sql; charset=utf-8' },
  'source.lql': { column: 'source', type: 'text/plain; charset=utf-8' },
  'report.json': { column: 'report', type: 'application/json; charset=utf-8' },
};

/** A dataset upload: multipart/form-data with `leads` (file), optional `events` (file), `name`, `id`, `outcome`, `missing`. */
async function readUpload(req: IncomingMessage): Promise<ws.DatasetUpload> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data;/i.test(type)) throw new HttpError(400, 'Upload the data as multipart/form-data with a `leads` file (and optionally an `events` file).');
  const body = await readBody(req, LIMITS.upload);
  let form: FormData;
  try {
    form = await new Response(new Blob([new Uint8Array(body)]), { headers: { 'content-type': type } }).formData();
  } catch {
    throw new HttpError(400, 'The upload is not valid multipart/form-data.');
  }
  const file = async (key: string) => {
    const f = form.get(key);
    if (f === null) return null;
    if (typeof f === 'string') throw new HttpError(400, `"${key}" must be a file.`);
    return { name: (f.name || key).slice(0, 200), bytes: new Uint8Array(await f.arrayBuffer()) };
  };
  const leads = await file('leads');
  if (!leads) throw new HttpError(400, 'The upload has no `leads` file.');
  const field = (k: string) => {
    const v = form.get(k);
    return typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined;
  };
  const missing = field('missing')?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    name: field('name') ?? leads.name,
    leads,
    events: await file('events'),
    options: { ...(field('id') ? { id: field('id') } : {}), ...(field('outcome') ? { outcome: field('outcome') } : {}), ...(missing?.length ? { missing } : {}) },
  };
}

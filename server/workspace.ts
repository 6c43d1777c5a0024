/**
 * A ruleset's workspace on the server: creation with its capability links,
 * shared datasets, comment threads, proposals with their stored impact,
 * decisions, immutable releases, diffs and the audit log.
 *
 * Input: the store, the live text (from the collaboration layer), the actor
 * (a self-declared name plus the role of the link used).
 * Output: plain JSON-ready objects for the HTTP layer.
 * Invariants:
 * - every change writes an audit entry in the same transaction;
 * - a proposal freezes the text at the moment it is made; only an approved
 *   proposal can be published; a release is never changed (the database
 *   refuses it too) and numbers 1, 2, ... per ruleset;
 * - a release's ESM/CJS/SQL are compiled from its own frozen source by the
 *   same modules as `lql compile`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { structuredPatch } from 'diff';
import { compileSource, COMPILER_VERSION } from '../language/index.js';
import { emitModule } from '../language/compile/emit-js.js';
import type { Db, Queryable, Row } from './db.js';
import { newToken, storeToken, type Role } from './access.js';
import { createDoc } from './collab.js';
import { computeImpact, type DatasetFiles, type Impact } from './impact.js';

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface Actor {
  name: string;
  role: Role;
}

export const actorLabel = (a: Actor) => `${a.name} (${a.role === 'admin' ? 'admin' : `${a.role} link`})`;

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? null : new Date(String(v)).toISOString());

export async function audit(db: Queryable, rulesetId: string | null, actor: Actor, action: string, detail: Record<string, unknown> = {}): Promise<void> {
  await db.query('INSERT INTO audit_log (ruleset_id, actor, action, detail) VALUES ($1, $2, $3, $4)', [rulesetId, actorLabel(actor), action, JSON.stringify(detail)]);
}

export interface Links {
  edit: string;
  review: string;
  view: string;
}

export async function createRuleset(db: Db, actor: Actor, name: string, source: string, baseUrl: string): Promise<{ id: string; links: Links }> {
  const id = randomBytes(9).toString('base64url');
  const tokens = { edit: newToken(), review: newToken(), view: newToken() };
  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO rulesets (id, name, created_by) VALUES ($1, $2, $3)', [id, name, actorLabel(actor)]);
    for (const role of ['edit', 'review', 'view'] as const) await storeToken(tx, tokens[role], role, id);
    await createDoc(tx, id, source);
    await audit(tx, id, actor, 'create ruleset', { name });
  });
  const link = (t: string) => `${baseUrl}/?ruleset=${encodeURIComponent(id)}&token=${encodeURIComponent(t)}`;
  return { id, links: { edit: link(tokens.edit), review: link(tokens.review), view: link(tokens.view) } };
}

export async function rulesetInfo(db: Queryable, id: string): Promise<{ id: string; name: string; createdAt: string | null }> {
  const r = (await db.query<{ id: string; name: string; created_at: unknown }>('SELECT id, name, created_at FROM rulesets WHERE id = $1', [id]))[0];
  if (!r) throw new HttpError(404, `There is no ruleset '${id}'.`);
  return { id: r.id, name: r.name, createdAt: iso(r.created_at) };
}

export async function listRulesets(db: Queryable) {
  const rows = await db.query<{ id: string; name: string; created_at: unknown }>('SELECT id, name, created_at FROM rulesets ORDER BY created_at, id');
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: iso(r.created_at) }));
}

// --- datasets ------------------------------------------------------------

export interface DatasetUpload {
  name: string;
  leads: { name: string; bytes: Uint8Array };
  events: { name: string; bytes: Uint8Array } | null;
  options: { id?: string; outcome?: string; missing?: string[] };
}

function datasetJson(r: Row) {
  return {
    id: r.id as string,
    name: r.name as string,
    leads: { name: r.leads_name as string, bytes: Number(r.leads_bytes) },
    events: r.events_file ? { name: r.events_name as string, bytes: Number(r.events_bytes) } : null,
    options: r.options as DatasetUpload['options'],
    uploadedBy: r.uploaded_by as string,
    uploadedAt: iso(r.uploaded_at),
  };
}

export async function uploadDataset(db: Db, dataDir: string, rulesetId: string, actor: Actor, up: DatasetUpload) {
  const id = randomBytes(9).toString('base64url');
  const dir = join(dataDir, 'datasets', rulesetId, id);
  mkdirSync(dir, { recursive: true });
  // stored under fixed names: the uploaded names are labels only, never paths
  writeFileSync(join(dir, 'leads'), up.leads.bytes);
  if (up.events) writeFileSync(join(dir, 'events'), up.events.bytes);
  try {
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO datasets (id, ruleset_id, name, leads_file, leads_name, leads_bytes, events_file, events_name, events_bytes, options, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [id, rulesetId, up.name, join(rulesetId, id, 'leads'), up.leads.name, up.leads.bytes.byteLength,
          up.events ? join(rulesetId, id, 'events') : null, up.events?.name ?? null, up.events?.bytes.byteLength ?? null,
          JSON.stringify(up.options), actorLabel(actor)],
      );
      await audit(tx, rulesetId, actor, 'upload data', { dataset: id, name: up.name, leads: up.leads.name, events: up.events?.name ?? null });
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return currentDataset(db, rulesetId);
}

export async function currentDataset(db: Queryable, rulesetId: string) {
  const r = (await db.query('SELECT * FROM datasets WHERE ruleset_id = $1 ORDER BY uploaded_at DESC, id DESC LIMIT 1', [rulesetId]))[0];
  return r ? { ...datasetJson(r), leadsFile: r.leads_file as string, eventsFile: (r.events_file as string | null) ?? null } : null;
}

async function datasetFiles(db: Queryable, dataDir: string, rulesetId: string): Promise<DatasetFiles | null> {
  const d = await currentDataset(db, rulesetId);
  if (!d) return null;
  return {
    name: d.name,
    leadsPath: join(dataDir, 'datasets', d.leadsFile),
    eventsPath: d.eventsFile ? join(dataDir, 'datasets', d.eventsFile) : null,
    options: d.options,
  };
}

// --- comments ------------------------------------------------------------

export async function listComments(db: Queryable, rulesetId: string) {
  const rows = await db.query('SELECT * FROM comments WHERE ruleset_id = $1 ORDER BY id', [rulesetId]);
  const threads = new Map<number, { id: number; line: number | null; resolved: boolean; resolvedBy: string | null; comments: { id: number; author: string; body: string; at: string | null }[] }>();
  for (const r of rows) {
    const c = { id: Number(r.id), author: r.author as string, body: r.body as string, at: iso(r.created_at) };
    if (r.thread_id == null) threads.set(c.id, { id: c.id, line: r.line == null ? null : Number(r.line), resolved: r.resolved_at != null, resolvedBy: (r.resolved_by as string | null) ?? null, comments: [c] });
    else threads.get(Number(r.thread_id))?.comments.push(c);
  }
  return [...threads.values()];
}

export async function addComment(db: Db, rulesetId: string, actor: Actor, body: string, at: { line: number } | { threadId: number }) {
  if (!body.trim()) throw new HttpError(400, 'A comment needs some text.');
  return db.transaction(async (tx) => {
    if ('threadId' in at) {
      const t = await tx.query('SELECT id FROM comments WHERE id = $1 AND ruleset_id = $2 AND thread_id IS NULL', [at.threadId, rulesetId]);
      if (!t.length) throw new HttpError(404, `There is no comment thread ${at.threadId} on this ruleset.`);
      const r = await tx.query<{ id: number }>('INSERT INTO comments (ruleset_id, thread_id, body, author) VALUES ($1, $2, $3, $4) RETURNING id', [rulesetId, at.threadId, body, actorLabel(actor)]);
      await audit(tx, rulesetId, actor, 'reply', { thread: at.threadId, comment: Number(r[0]!.id) });
      return { id: Number(r[0]!.id) };
    }
    const r = await tx.query<{ id: number }>('INSERT INTO comments (ruleset_id, line, body, author) VALUES ($1, $2, $3, $4) RETURNING id', [rulesetId, at.line, body, actorLabel(actor)]);
    await audit(tx, rulesetId, actor, 'comment', { thread: Number(r[0]!.id), line: at.line });
    return { id: Number(r[0]!.id) };
  });
}

export async function resolveThread(db: Db, rulesetId: string, actor: Actor, threadId: number, resolved: boolean) {
  await db.transaction(async (tx) => {
    const t = await tx.query('UPDATE comments SET resolved_by = $3, resolved_at = CASE WHEN $4::boolean THEN now() ELSE NULL END WHERE id = $1 AND ruleset_id = $2 AND thread_id IS NULL RETURNING id',
      [threadId, rulesetId, resolved ? actorLabel(actor) : null, resolved]);
    if (!t.length) throw new HttpError(404, `There is no comment thread ${threadId} on this ruleset.`);
    await audit(tx, rulesetId, actor, resolved ? 'resolve' : 'reopen', { thread: threadId });
  });
}

// --- proposals and releases ------------------------------------------------

function proposalJson(r: Row) {
  return {
    id: Number(r.id),
    title: r.title as string,
    source: r.source as string,
    baseVersion: r.base_version == null ? null : Number(r.base_version),
    impact: (r.backtest as Impact | null) ?? null,
    status: r.status as string,
    author: r.author as string,
    createdAt: iso(r.created_at),
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: iso(r.decided_at),
    decisionComment: (r.decision_comment as string | null) ?? null,
  };
}

function releaseJson(r: Row, full = false) {
  return {
    version: Number(r.version),
    proposalId: r.proposal_id == null ? null : Number(r.proposal_id),
    publishedBy: r.published_by as string,
    publishedAt: iso(r.published_at),
    ...(full ? { source: r.source as string, report: r.report as Impact | null } : {}),
  };
}

async function latestRelease(db: Queryable, rulesetId: string): Promise<Row | null> {
  return (await db.query('SELECT * FROM releases WHERE ruleset_id = $1 ORDER BY version DESC LIMIT 1', [rulesetId]))[0] ?? null;
}

export async function listProposals(db: Queryable, rulesetId: string) {
  return (await db.query('SELECT * FROM proposals WHERE ruleset_id = $1 ORDER BY id DESC', [rulesetId])).map(proposalJson);
}

export async function getProposal(db: Queryable, rulesetId: string, id: number) {
  const r = (await db.query('SELECT * FROM proposals WHERE ruleset_id = $1 AND id = $2', [rulesetId, id]))[0];
  if (!r) throw new HttpError(404, `There is no proposal ${id} on this ruleset.`);
  return proposalJson(r);
}

function errorsOf(text: string): string | null {
  const r = compileSource(text);
  if (r.ir) return null;
  const d = r.diagnostics.find((x) => x.severity === 'error');
  return d ? `line ${d.range.start.line}, column ${d.range.start.column}: ${d.message}` : 'the text has errors';
}

export async function propose(db: Db, dataDir: string, rulesetId: string, actor: Actor, title: string, text: string) {
  const err = errorsOf(text);
  if (err) throw new HttpError(422, `The ruleset has errors, so it cannot be proposed (${err}). Fix them first.`);
  const base = await latestRelease(db, rulesetId);
  const data = await datasetFiles(db, dataDir, rulesetId);
  const impact: Impact = data
    ? await computeImpact(text, base ? { text: base.source as string, label: `release ${base.version}` } : null, data)
    : { error: 'No shared data has been uploaded to this workspace, so the impact could not be computed. Upload a dataset and propose again.' };
  const r = await db.transaction(async (tx) => {
    const rows = await tx.query(
      "INSERT INTO proposals (ruleset_id, title, source, base_version, backtest, status, author) VALUES ($1, $2, $3, $4, $5, 'open', $6) RETURNING *",
      [rulesetId, title || 'Proposal', text, base ? Number(base.version) : null, JSON.stringify(impact), actorLabel(actor)],
    );
    await audit(tx, rulesetId, actor, 'propose', { proposal: Number(rows[0]!.id), title });
    return rows[0]!;
  });
  return proposalJson(r);
}

export async function decide(db: Db, rulesetId: string, actor: Actor, id: number, decision: 'approve' | 'reject', comment: string) {
  return db.transaction(async (tx) => {
    const p = (await tx.query('SELECT status FROM proposals WHERE ruleset_id = $1 AND id = $2 FOR UPDATE', [rulesetId, id]))[0];
    if (!p) throw new HttpError(404, `There is no proposal ${id} on this ruleset.`);
    if (p.status !== 'open') throw new HttpError(409, `Proposal ${id} is already ${p.status}; only open proposals can be approved or rejected.`);
    const rows = await tx.query(
      'UPDATE proposals SET status = $3, decided_by = $4, decided_at = now(), decision_comment = $5 WHERE ruleset_id = $1 AND id = $2 RETURNING *',
      [rulesetId, id, decision === 'approve' ? 'approved' : 'rejected', actorLabel(actor), comment],
    );
    await audit(tx, rulesetId, actor, decision, { proposal: id, comment });
    return proposalJson(rows[0]!);
  });
}

export async function publish(db: Db, rulesetId: string, actor: Actor, proposalId: number) {
  return db.transaction(async (tx) => {
    const p = (await tx.query('SELECT * FROM proposals WHERE ruleset_id = $1 AND id = $2 FOR UPDATE', [rulesetId, proposalId]))[0];
    if (!p) throw new HttpError(404, `There is no proposal ${proposalId} on this ruleset.`);
    if (p.status !== 'approved') throw new HttpError(409, `Proposal ${proposalId} is ${p.status}; only an approved proposal can be published.`);
    const compiled = compileSource(p.source as string);
    if (!compiled.ir) throw new HttpError(422, 'The proposal no longer compiles; it cannot be published.');
    const esm = emitModule(compiled.ir, { format: 'esm', compilerVersion: COMPILER_VERSION });
    const cjs = emitModule(compiled.ir, { format: 'cjs', compilerVersion: COMPILER_VERSION });
    let sql: string;
    try {
      const { emitSql } = await import('../language/compile/emit-sql.js');
      sql = emitSql(compiled.ir, { dialect: 'duckdb' });
    } catch (e) {
      sql = `-- This ruleset cannot be exported as SQL: ${(e instanceof Error ? e.message : String(e)).replace(/\n/g, ' ')}\n`;
    }
    const last = await tx.query<{ v: number | null }>('SELECT max(version) AS v FROM releases WHERE ruleset_id = $1', [rulesetId]);
    const version = Number(last[0]?.v ?? 0) + 1;
    const rows = await tx.query(
      'INSERT INTO releases (ruleset_id, version, proposal_id, source, esm, cjs, sql, report, published_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *',
      [rulesetId, version, proposalId, p.source, esm, cjs, sql, JSON.stringify(p.backtest), actorLabel(actor)],
    );
    await tx.query("UPDATE proposals SET status = 'published' WHERE id = $1", [proposalId]);
    await audit(tx, rulesetId, actor, 'publish', { proposal: proposalId, version });
    return releaseJson(rows[0]!, true);
  });
}

export async function listReleases(db: Queryable, rulesetId: string) {
  return (await db.query('SELECT * FROM releases WHERE ruleset_id = $1 ORDER BY version DESC', [rulesetId])).map((r) => releaseJson(r));
}

/** A release by number or `latest`; 404 when there is none. */
export async function getRelease(db: Queryable, rulesetId: string, which: string): Promise<Row> {
  const r = which === 'latest'
    ? await latestRelease(db, rulesetId)
    : /^\d+$/.test(which) ? (await db.query('SELECT * FROM releases WHERE ruleset_id = $1 AND version = $2', [rulesetId, Number(which)]))[0] ?? null : null;
  if (!r) throw new HttpError(404, which === 'latest' ? 'This ruleset has no release yet: approve a proposal and publish it first.' : `There is no release '${which}' of this ruleset.`);
  return r;
}

export { releaseJson };

/** One side of a diff: `release:N`, `proposal:N` or `live`. */
async function version(db: Queryable, rulesetId: string, ref: string, liveText: () => Promise<string>): Promise<{ label: string; text: string }> {
  const m = /^(release|proposal):(\d+)$/.exec(ref);
  if (ref === 'live') return { label: 'the live text', text: await liveText() };
  if (!m) throw new HttpError(400, `'${ref}' is not a version: use release:N, proposal:N or live.`);
  if (m[1] === 'release') return { label: `release ${m[2]}`, text: (await getRelease(db, rulesetId, m[2]!)).source as string };
  return { label: `proposal ${m[2]}`, text: (await getProposal(db, rulesetId, Number(m[2]))).source };
}

export async function diffVersions(db: Queryable, dataDir: string, rulesetId: string, a: string, b: string, liveText: () => Promise<string>) {
  const va = await version(db, rulesetId, a, liveText);
  const vb = await version(db, rulesetId, b, liveText);
  const patch = structuredPatch(va.label, vb.label, va.text, vb.text, '', '', { context: 3 });
  const data = await datasetFiles(db, dataDir, rulesetId);
  const impact: Impact = data ? await computeImpact(vb.text, va, data) : { error: 'No shared data has been uploaded to this workspace.' };
  return { a: va.label, b: vb.label, hunks: patch.hunks.map((h) => ({ oldStart: h.oldStart, newStart: h.newStart, lines: h.lines })), impact };
}

export async function auditLog(db: Queryable, rulesetId: string) {
  const rows = await db.query('SELECT * FROM audit_log WHERE ruleset_id = $1 ORDER BY id DESC LIMIT 500', [rulesetId]);
  return rows.map((r) => ({ id: Number(r.id), at: iso(r.at), actor: r.actor as string, action: r.action as string, detail: r.detail }));
}

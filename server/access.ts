/**
 * Access for `lql serve`: capability tokens, their roles, what each role may
 * do, and the limit on failed attempts.
 *
 * Input: a presented token (HTTP `Authorization: Bearer`, the `token` query
 * parameter of a collaboration connection), the client's address.
 * Output: the token's grant ({role, rulesetId}) or a refusal.
 * Invariants:
 * - a token is 128 random bits (crypto.randomBytes), shown once, stored only
 *   as its SHA-256 hash; lookups compare hashes;
 * - roles: `admin` (all rulesets, creates them), and per ruleset `edit`,
 *   `review`, `view`; `may` is the one table of what each role may do;
 * - an address with too many failed tokens in a minute is refused (429)
 *   before its token is even looked up, until the minute has passed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './db.js';

export type Role = 'admin' | 'edit' | 'review' | 'view';
export type Action = 'read' | 'edit' | 'comment' | 'propose' | 'upload' | 'decide' | 'publish' | 'create';

/** What each role may do (admin may do everything). */
const ALLOWED: Record<Exclude<Role, 'admin'>, ReadonlySet<Action>> = {
  edit: new Set<Action>(['read', 'edit', 'comment', 'propose', 'upload']),
  review: new Set<Action>(['read', 'comment', 'decide', 'publish']),
  view: new Set<Action>(['read']),
};

export function may(role: Role, action: Action): boolean {
  return role === 'admin' || ALLOWED[role].has(action);
}

export interface Grant {
  role: Role;
  /** the ruleset the token opens; null for the admin token */
  rulesetId: string | null;
}

export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export async function storeToken(db: Queryable, token: string, role: Role, rulesetId: string | null): Promise<void> {
  await db.query('INSERT INTO access_tokens (hash, ruleset_id, role) VALUES ($1, $2, $3)', [hashToken(token), rulesetId, role]);
}

/** The grant of a token, or null when it is unknown (or not token-shaped). */
export async function lookupToken(db: Queryable, token: string | null | undefined): Promise<Grant | null> {
  if (!token || token.length > 200) return null;
  const rows = await db.query<{ role: Role; ruleset_id: string | null }>('SELECT role, ruleset_id FROM access_tokens WHERE hash = $1', [hashToken(token)]);
  const r = rows[0];
  return r ? { role: r.role, rulesetId: r.ruleset_id } : null;
}

/** Does this grant open ruleset `id`? */
export function opens(grant: Grant, id: string): boolean {
  return grant.role === 'admin' || grant.rulesetId === id;
}

/**
 * The admin token: from LQL_ADMIN_TOKEN when set (its hash replaces any
 * stored one), else generated at the first start. Returns the token to
 * print when one was generated now, else null.
 */
export async function ensureAdminToken(db: Queryable, fromEnv: string | undefined): Promise<string | null> {
  if (fromEnv) {
    await db.query("DELETE FROM access_tokens WHERE role = 'admin'");
    await storeToken(db, fromEnv, 'admin', null);
    return null;
  }
  const have = await db.query("SELECT 1 FROM access_tokens WHERE role = 'admin' LIMIT 1");
  if (have.length) return null;
  const token = newToken();
  await storeToken(db, token, 'admin', null);
  return token;
}

/** Failed-token limiter: at most `max` failures per address per window. */
export class FailureLimiter {
  private failures = new Map<string, number[]>();
  constructor(private readonly max = 20, private readonly windowMs = 60_000) {}

  blocked(addr: string, now = Date.now()): boolean {
    const list = this.recent(addr, now);
    return list.length >= this.max;
  }

  fail(addr: string, now = Date.now()): void {
    const list = this.recent(addr, now);
    list.push(now);
    this.failures.set(addr, list);
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(addr: string, now: number): number[] {
    const list = (this.failures.get(addr) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length) this.failures.set(addr, list);
    else this.failures.delete(addr);
    return list;
  }
}

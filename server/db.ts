/**
 * Storage for `lql serve`: one small SQL interface over either an embedded
 * PostgreSQL (PGlite, files under `--data`) or a PostgreSQL server
 * (`--database postgres://...`), and the schema migrations both run.
 *
 * Input: a data folder or a connection URL.
 * Output: a `Db` with `query` (parameterised SQL, rows as objects),
 * `transaction` and `close`.
 * Invariants:
 * - both back ends run the same migrations, in order, each once, recorded
 *   in `lql_migrations`; a migration runs inside one transaction;
 * - every statement is parameterised: no value is ever spliced into SQL;
 * - byte columns come back as Uint8Array on both back ends;
 * - releases are immutable in the database itself (a trigger refuses
 *   UPDATE and DELETE), not only in the HTTP layer.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  /** 'pglite' (embedded) or 'postgres' (a server) */
  kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The schema, as numbered migrations. Append only: never edit a migration that has shipped. */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE lql_settings (key text PRIMARY KEY, value text NOT NULL);
  CREATE TABLE rulesets (
    id text PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL
  );
  CREATE TABLE access_tokens (
    hash text PRIMARY KEY,
    ruleset_id text REFERENCES rulesets(id),
    role text NOT NULL CHECK (role IN ('admin', 'edit', 'review', 'view')),
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE doc_updates (
    seq bigserial PRIMARY KEY,
    ruleset_id text NOT NULL REFERENCES rulesets(id),
    data bytea NOT NULL
  );
  CREATE INDEX doc_updates_ruleset ON doc_updates (ruleset_id, seq);
  CREATE TABLE doc_snapshots (
    ruleset_id text PRIMARY KEY REFERENCES rulesets(id),
    state bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE datasets (
    id text PRIMARY KEY,
    ruleset_id text NOT NULL REFERENCES rulesets(id),
    name text NOT NULL,
    leads_file text NOT NULL,
    leads_name text NOT NULL,
    leads_bytes bigint NOT NULL,
    events_file text,
    events_name text,
    events_bytes bigint,
    options jsonb NOT NULL,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE comments (
    id bigserial PRIMARY KEY,
    ruleset_id text NOT NULL REFERENCES rulesets(id),
    thread_id bigint REFERENCES comments(id),
    line integer,
    body text NOT NULL,
    author text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    resolved_by text,
    resolved_at timestamptz
  );
  CREATE TABLE proposals (
    id bigserial PRIMARY KEY,
    ruleset_id text NOT NULL REFERENCES rulesets(id),
    title text NOT NULL,
    source text NOT NULL,
    base_version integer,
    backtest jsonb,
    status text NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'published')),
    author text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_by text,
    decided_at timestamptz,
    decision_comment text
  );
  CREATE TABLE releases (
    ruleset_id text NOT NULL REFERENCES rulesets(id),
    version integer NOT NULL,
    proposal_id bigint REFERENCES proposals(id),
    source text NOT NULL,
    esm text NOT NULL,
    cjs text NOT NULL,
    sql text NOT NULL,
    report jsonb,
    published_by text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ruleset_id, version)
  );
  CREATE FUNCTION lql_release_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'releases are immutable';
  END $$;
  CREATE TRIGGER releases_immutable BEFORE UPDATE OR DELETE ON releases
    FOR EACH ROW EXECUTE FUNCTION lql_release_immutable();
  CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    ruleset_id text,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    action text NOT NULL,
    detail jsonb NOT NULL
  );
  CREATE INDEX audit_log_ruleset ON audit_log (ruleset_id, id);
  `,
];

async function migrate(db: Db): Promise<void> {
  await db.query('CREATE TABLE IF NOT EXISTS lql_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const done = new Set((await db.query<{ version: number }>('SELECT version FROM lql_migrations')).map((r) => Number(r.version)));
  for (let i = 0; i < MIGRATIONS.length; i++) {
    const version = i + 1;
    if (done.has(version)) continue;
    await db.transaction(async (tx) => {
      for (const stmt of splitStatements(MIGRATIONS[i]!)) await tx.query(stmt);
      await tx.query('INSERT INTO lql_migrations (version) VALUES ($1)', [version]);
    });
  }
}

/** Split a migration into statements at `;` outside `$$ ... $$` bodies. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inBody = false;
  for (let i = 0; i < sql.length; i++) {
    if (sql.startsWith('$$', i)) {
      inBody = !inBody;
      cur += '$$';
      i++;
      continue;
    }
    const ch = sql[i]!;
    if (ch === ';' && !inBody) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function bytesOut(rows: Row[]): Row[] {
  for (const r of rows) for (const k in r) if (Buffer.isBuffer(r[k])) r[k] = new Uint8Array(r[k] as Buffer);
  return rows;
}

async function openPglite(dir: string): Promise<Db> {
  mkdirSync(dir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = await PGlite.create(join(dir, 'pgdata'));
  // PGlite runs one statement at a time; transactions hold it exclusively.
  const db: Db = {
    kind: 'pglite',
    query: async <T extends Row>(sql: string, params: unknown[] = []) => (await pg.query<T>(sql, params)).rows,
    transaction: (fn) => pg.transaction((tx) => fn({ query: async <T extends Row>(sql: string, params: unknown[] = []) => (await tx.query<T>(sql, params)).rows })),
    close: () => pg.close(),
  };
  await migrate(db);
  return db;
}

async function openPostgres(url: string): Promise<Db> {
  const { default: pg } = await import('pg');
  // bigint ids and counts as numbers (they stay far below 2^53 here)
  pg.types.setTypeParser(20, (v: string) => Number(v));
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  await pool.query('SELECT 1');
  const db: Db = {
    kind: 'postgres',
    query: async <T extends Row>(sql: string, params: unknown[] = []) => bytesOut((await pool.query(sql, params)).rows) as T[],
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const r = await fn({ query: async <T extends Row>(sql: string, params: unknown[] = []) => bytesOut((await client.query(sql, params)).rows) as T[] });
        await client.query('COMMIT');
        return r;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
  await migrate(db);
  return db;
}

/** Open (and migrate) the store: a PostgreSQL server when `url` is given, else PGlite under `dataDir`. */
export function openDb(opts: { dataDir: string; url?: string }): Promise<Db> {
  return opts.url ? openPostgres(opts.url) : openPglite(opts.dataDir);
}

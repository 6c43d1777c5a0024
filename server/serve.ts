/**
 * `lql serve`: one process serving the built playground, the HTTP API and
 * the collaboration endpoint, over PGlite under `--data` or a PostgreSQL
 * server (`--database`).
 *
 * Input: port, data folder, optional database URL, LQL_ADMIN_TOKEN.
 * Output: a running server; on the first start without LQL_ADMIN_TOKEN the
 * admin token, printed once on stdout; `listening on URL` on stderr.
 * Invariants: this module (and PGlite, Hocuspocus, ws, pg) is loaded only
 * by `lql serve`, never by other commands; SIGINT/SIGTERM close connections
 * and the database cleanly (but nothing is lost on a hard kill either).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { openDb, type Db } from './db.js';
import { ensureAdminToken } from './access.js';
import { createCollab, type Collab } from './collab.js';
import { createHttpServer } from './http.js';

export interface ServeOptions {
  port: number;
  host?: string;
  dataDir: string;
  databaseUrl?: string;
  adminToken?: string;
  /** the built playground (default: dist/playground next to this module) */
  staticDir?: string;
  out?: (s: string) => void;
  err?: (s: string) => void;
}

export interface Running {
  url: string;
  port: number;
  db: Db;
  collab: Collab;
  http: Server;
  close(): Promise<void>;
}

export function defaultStaticDir(): string {
  return fileURLToPath(new URL('../playground/', import.meta.url));
}

export async function serve(o: ServeOptions): Promise<Running> {
  const out = o.out ?? ((s: string) => process.stdout.write(s + '\n'));
  const err = o.err ?? ((s: string) => process.stderr.write(s + '\n'));
  const dataDir = resolve(o.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const staticDir = o.staticDir ?? defaultStaticDir();
  if (!existsSync(resolve(staticDir, 'index.html'))) err(`lql serve: the playground is not built (${staticDir} has no index.html); run \`npm run build:playground\`. The API still works.`);
  const db = await openDb({ dataDir, url: o.databaseUrl });
  const generated = await ensureAdminToken(db, o.adminToken);
  if (generated) {
    out(`Admin token (shown once; keep it safe, it creates rulesets): ${generated}`);
  }
  const collab = createCollab(db);
  const http = createHttpServer({ db, collab, dataDir, staticDir: resolve(staticDir) });
  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(o.port, o.host ?? '127.0.0.1', () => ok());
  });
  const port = (http.address() as AddressInfo).port;
  const url = `http://${o.host && o.host !== '0.0.0.0' ? o.host : '127.0.0.1'}:${port}`;
  err(`lql serve: listening on ${url} (storage: ${o.databaseUrl ? 'PostgreSQL server' : `PGlite in ${dataDir}`})`);
  let closed = false;
  return {
    url, port, db, collab, http,
    async close() {
      if (closed) return;
      closed = true;
      collab.hocuspocus.closeConnections();
      http.closeAllConnections();
      await new Promise<void>((ok) => http.close(() => ok()));
      await db.close();
    },
  };
}

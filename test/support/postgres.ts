/**
 * A throwaway PostgreSQL server for tests that prove the exported SQL on a
 * real database.
 *
 * Input: nothing but the machine: the PostgreSQL server binaries (`initdb`,
 * `pg_ctl`), found in /usr/local/bin, on PATH, or under
 * /usr/lib/postgresql/<version>/bin (newest first).
 * Output: `startPostgres()` returns a connected `pg` client and a `stop()`
 * that shuts the server down and deletes its data folder.
 * Invariants:
 * - the server listens on 127.0.0.1 only, on a free port, with its socket in
 *   its own temporary folder; it never touches a system cluster;
 * - when the process runs as root, initdb and the server run as the
 *   `postgres` system user (`runuser -u postgres -- ...`), which owns the
 *   temporary folder (initdb refuses to run as root);
 * - `stop()` is idempotent and always removes the folder, also after a
 *   failed start; a process exit handler stops a server a test forgot;
 * - when no binaries exist, `findPostgresBin()` returns null; tests skip
 *   with a visible reason, except on CI (`CI=true`) where `requirePostgres()`
 *   throws a clear error instead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  client: pg.Client;
  port: number;
  dataDir: string;
  /** the server's major version, e.g. 15 */
  version: number;
  /** stop the server and delete its folder (safe to call twice) */
  stop(): Promise<void>;
}

/** The folder holding initdb and pg_ctl, or null when PostgreSQL is not installed. */
export function findPostgresBin(): string | null {
  const candidates: string[] = ['/usr/local/bin'];
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(root, v, 'bin'));
  }
  for (const dir of candidates) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return null;
}

/**
 * Why PostgreSQL tests cannot run here, or null when they can. On CI
 * (`CI=true`) a missing server is an error, not a reason to skip.
 */
export function postgresUnavailable(): string | null {
  if (findPostgresBin() !== null) return null;
  const msg =
    'PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/local/bin, PATH or ' +
    '/usr/lib/postgresql/*/bin; install the `postgresql` package to run the SQL tests on PostgreSQL';
  if (process.env.CI === 'true') throw new Error(msg);
  return msg;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Run a server binary, as the postgres user when we are root. */
function runPg(bin: string, args: string[], timeoutMs = 120_000): { status: number | null; out: string } {
  const cmd = isRoot ? 'runuser' : bin;
  const argv = isRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs, cwd: tmpdir() });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

const running = new Set<() => void>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const stop of [...running]) stop();
  });
}

/** Start a fresh server and connect to it. Throws with the server's log on failure. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (bin === null) throw new Error(postgresUnavailable() ?? 'PostgreSQL not found');
  const base = mkdtempSync(join(tmpdir(), 'lql-pg-'));
  const dataDir = join(base, 'data');
  const sockDir = join(base, 'sock');
  const logFile = join(base, 'server.log');
  let stopped = false;
  let started = false;

  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    running.delete(stopSync);
    if (started) runPg(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], 40_000);
    rmSync(base, { recursive: true, force: true });
  };
  installExitHook();
  running.add(stopSync);

  try {
    chmodSync(base, 0o700);
    if (isRoot) {
      const { uid, gid } = postgresIds();
      chownSync(base, uid, gid);
    }
    const mk = runPg('/bin/mkdir', ['-p', sockDir]);
    if (mk.status !== 0) throw new Error(`cannot create the socket folder: ${mk.out}`);
    const init = runPg(join(bin, 'initdb'), [
      '-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync',
    ]);
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.out}`);
    const port = await freePort();
    const opts = [
      `-p ${port}`,
      `-c listen_addresses=127.0.0.1`,
      `-c unix_socket_directories=${sockDir}`,
      `-c fsync=off`,
      `-c synchronous_commit=off`,
      `-c full_page_writes=off`,
      `-c max_connections=20`,
      `-c shared_buffers=64MB`,
      `-c max_parallel_workers_per_gather=0`,
      `-c TimeZone=UTC`,
    ].join(' ');
    const start = runPg(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-o', opts, '-w', '-t', '60', 'start']);
    started = true;
    if (start.status !== 0) {
      const log = runPg('/bin/cat', [logFile]).out;
      throw new Error(`pg_ctl start failed:\n${start.out}\n${log}`);
    }
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await client.connect();
    const v = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    const version = Math.floor(Number(v.rows[0]!.server_version_num) / 10000);
    return {
      client,
      port,
      dataDir,
      version,
      async stop() {
        try {
          await client.end();
        } catch {
          // the server may already be gone
        }
        stopSync();
      },
    };
  } catch (e) {
    stopSync();
    throw e;
  }
}

/** Rows of SQL literal values, batched into multi-row INSERTs (one round trip per batch). */
export async function insertRows(
  client: pg.Client,
  table: string,
  columns: string[],
  rows: (string | number | boolean | null)[][],
  batch = 1000,
): Promise<void> {
  const qi = (s: string) => '"' + s.replace(/"/g, '""') + '"';
  // E'' with backslashes doubled reads the same under either standard_conforming_strings setting
  const lit = (v: string | number | boolean | null) =>
    v === null ? 'NULL' : typeof v === 'string' ? "E'" + v.replace(/\\/g, '\\\\').replace(/'/g, "''") + "'" : String(v);
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    const values = chunk.map((r) => '(' + r.map(lit).join(', ') + ')').join(',\n');
    await client.query(`INSERT INTO ${qi(table)} (${columns.map(qi).join(', ')}) VALUES ${values}`);
  }
}

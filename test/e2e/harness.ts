/**
 * Browser test harness for the playground.
 *
 * Input: the repository (sources, `dist/playground`), the Debian Chromium at
 * /usr/bin/chromium. Output: `startHarness()` -> a served build and a
 * fresh headless browser context; `stop()` closes everything.
 * Invariants:
 * - the build is (re)made with `vite build` only if `dist/playground` is
 *   missing or older than any playground source; concurrent callers wait
 *   on a lock directory instead of building twice;
 * - the site is served by a tiny node:http server on 127.0.0.1 on a free
 *   port (no network); `datasets/` maps to ../shared/data like the dev
 *   server, `docs/errors/` comes from the build;
 * - Chromium runs headless with a fresh, temporary user-data dir, and with
 *   background networking, sync, component updates and QUIC off;
 * - if Chromium is missing, `chromiumPath()` is undefined: the tests skip,
 *   except under CI=true, where they fail with a message saying how to
 *   install it.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(ROOT, 'dist', 'playground');
export const SCREENSHOTS = join(ROOT, 'test-output', 'screenshots');
const DATASETS = join(ROOT, '..', 'shared', 'data');
const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic',
];

export function chromiumPath(): string | undefined {
  return existsSync(CHROMIUM) ? CHROMIUM : undefined;
}

export const MISSING_CHROMIUM =
  `Chromium is not installed at ${CHROMIUM}; the playground's browser tests need it. ` +
  'Install it with: apt-get update && apt-get install -y chromium (.ci/run does this).';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** Sources the built playground depends on. */
const SOURCES = ['playground', 'language', 'simulator', 'examples', 'docs/errors', 'vite.config.ts', 'package.json'];

export function buildIsStale(): boolean {
  const index = join(DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((s) => newestMtime(join(ROOT, s)) > built);
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Build the playground if it is missing or stale (one builder at a time). */
export async function ensureBuild(): Promise<void> {
  const lock = join(ROOT, 'test-output', '.playground-build.lock');
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // someone else is building; a lock older than 5 minutes is left over
      if (waited > 300_000 || Date.now() - statSync(lock).mtimeMs > 300_000) { rmSync(lock, { recursive: true, force: true }); continue; }
      await sleep(250);
    }
  }
  try {
    if (buildIsStale()) {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
        cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000,
      });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.md': 'text/markdown; charset=utf-8', '.csv': 'text/csv; charset=utf-8',
  '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.png': 'image/png', '.wasm': 'application/wasm',
};

function fileIn(dir: string, rel: string): string | undefined {
  const file = normalize(join(dir, rel));
  if (!file.startsWith(normalize(dir + sep)) && file !== normalize(dir)) return undefined;
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

export function serveStatic(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const file = path.startsWith('/datasets/')
      ? fileIn(DATASETS, path.slice('/datasets/'.length))
      : fileIn(DIST, path === '/' ? 'index.html' : path.slice(1));
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    });
  });
}

export interface Harness {
  url: string;
  context: BrowserContext;
  /** a new page, with console errors and page errors collected */
  newPage(): Promise<{ page: Page; errors: string[] }>;
  screenshot(page: Page, name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(MISSING_CHROMIUM);
  await ensureBuild();
  const { server, url } = await serveStatic();
  const userDataDir = mkdtempSync(join(tmpdir(), 'lql-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      timeout: 60_000,
    });
  } catch (e) {
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    url,
    context,
    async newPage() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      return { page, errors };
    },
    async screenshot(page, name) {
      const file = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      return file;
    },
    async stop() {
      await context.close().catch(() => {});
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Browser benchmark of the playground (a measurement, not a timed test).
 *
 * Input: the repository (builds `dist/playground` with `vite build` when it
 * is missing or older than the playground's sources), the Debian Chromium at
 * /usr/bin/chromium. Sizes from LQL_BENCH_PLAYGROUND_LEADS (default 100,000
 * leads, ~20 events each, generated in the page's worker) and
 * LQL_BENCH_PLAYGROUND_EDITS (default 15); LQL_BENCH_PLAYGROUND_WORKERS
 * sets the page's `?workers=N` (default: the page's own choice).
 * Output: `run()` resolves to report lines:
 * - bundle sizes of the built page: main JS, the LQL worker, Monaco's editor
 *   worker, the lazily loaded regex-engine chunk, CSS, total, each with gzip;
 * - time to interactive of the built page (navigation start to the editor
 *   taking input, and to the first metrics on screen with the default ACME
 *   history);
 * - with 100k leads / ~2M events, four series of one-keystroke edits (a
 *   number's last digit selected and typed over): the MQL threshold (only
 *   the stages are replayed; the scores are reused), the points of a rule on
 *   an activity ~41% of the leads did (those are replayed in full), of a rule
 *   on an activity ~85% of the leads did (nearly a full replay), and of a fit
 *   rule (a full replay): median and p90 latency from the keystroke to the
 *   frame painted with the new text's results (target < 200 ms median),
 *   split into request, worker round trip, React commit and paint (from the
 *   page's `lql:*` performance marks), the worker's phases, and the longest
 *   main-thread task seen while editing (the editor must never block: runs
 *   happen in the worker).
 * Invariants: served from 127.0.0.1 only (no network); each edit starts once
 * the results on screen are current (the run status's `data-current`) and
 * ends when they are current again, so every measurement sees its own report;
 * the browser and server are closed even when a step fails.
 */
import { findRoot } from './util.js';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic'];

function repoRoot(): string {
  return findRoot(fileURLToPath(import.meta.url));
}

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const n of readdirSync(path)) if (n !== 'node_modules' && !n.startsWith('.')) m = Math.max(m, newest(join(path, n)));
  return m;
}

function ensureBuilt(root: string, dist: string): string {
  const index = join(dist, 'index.html');
  const srcs = ['playground', 'language', 'simulator', 'examples', 'vite.config.ts'].map((s) => newest(join(root, s)));
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...srcs)) return 'up to date';
  const t0 = performance.now();
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return `built in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8', '.ttf': 'font/ttf', '.csv': 'text/csv',
};

function serve(dist: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dist, path === '/' ? 'index.html' : path.slice(1)));
    if (!file.startsWith(normalize(dist + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })));
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

function bundleLines(dist: string): string[] {
  const dir = join(dist, 'assets');
  const files = readdirSync(dir).map((f) => {
    const buf = readFileSync(join(dir, f));
    return { f, size: buf.length, gz: gzipSync(buf, { level: 9 }).length };
  });
  const pick = (re: RegExp) => files.filter((x) => re.test(x.f));
  const sum = (xs: { size: number; gz: number }[]) => xs.reduce((a, x) => ({ size: a.size + x.size, gz: a.gz + x.gz }), { size: 0, gz: 0 });
  const row = (label: string, xs: { size: number; gz: number }[]) => {
    const s = sum(xs);
    return `  ${label.padEnd(30)} ${kb(s.size).padStart(9)}  gzip ${kb(s.gz).padStart(8)}`;
  };
  const js = pick(/\.js$/);
  return [
    'bundle (dist/playground/assets):',
    row('main JS (page, Monaco, React)', pick(/^index-.*\.js$/)),
    row('LQL worker (simulator)', pick(/^lql\.worker-.*\.js$/)),
    row('Monaco editor worker', pick(/^editor\.worker-.*\.js$/)),
    row('re2js for exports (lazy)', pick(/^re2js-source-.*\.js$/)),
    row('CSS', pick(/\.css$/)),
    row('all JS', js),
    row('total (JS, CSS, font)', files),
  ];
}

function stats(xs: number[]): { median: number; p90: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { median: q(0.5), p90: q(0.9), min: s[0]!, max: s[s.length - 1]! };
}

type Page = import('playwright-core').Page;

/**
 * Put the cursor after `find` in the editor, then edit its last digit
 * `edits` times, measuring keystroke -> new MQL count painted. The text at
 * the end of `find` must be a number whose last digit the edits replace.
 */
async function editSeries(page: Page, find: string, edits: number, label: string): Promise<string[]> {
  // cursor to the end of the line (`... engagement >= 40`), with the editor's Find
  await page.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Control+F');
  // typing in the Find box selects the first match after the cursor (the top)
  await page.locator('.monaco-editor .find-widget .find-part textarea').fill(find);
  await page.keyboard.press('Escape');
  await page.keyboard.press('ArrowRight');
  // long tasks on the page's main thread while editing
  await page.evaluate(() => {
    const w = window as unknown as { __long: number[]; __lastKey: number; __obs?: PerformanceObserver };
    w.__long = [];
    w.__lastKey = 0;
    w.__obs?.disconnect();
    w.__obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) w.__long.push(e.duration); });
    w.__obs.observe({ type: 'longtask', buffered: false });
    window.addEventListener('keydown', (ev) => { if (ev.key.length === 1) w.__lastKey = performance.now(); }, true);
  });
  const status = '[data-testid="run-status"]';
  const card = '.stage-row[data-stage="MQL"] .reached';
  const digits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
  const lat: number[] = [];
  const runMs: number[] = [];
  const phases: [number, number, number][] = [];
  const parts: [number, number, number, number][] = [];
  let changedCount = 0;
  let reused = 0;
  let timedOut = 0;
  const full: number[] = [];
  const current = () => page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-current') === 'true', status, { timeout: 30_000 });
  for (let e = 0; e < Math.min(edits, digits.length); e++) {
    await current();
    const before = await page.locator(card).first().innerText();
    // arm a watcher that records when the results of the new text are on screen (after the frame is
    // painted): the run status says "current" again once that run's report is committed
    await page.evaluate((sel) => {
      const w = window as unknown as { __done?: Promise<number> };
      w.__done = new Promise<number>((resolve) => {
        const el = document.querySelector(sel)!;
        let stale = false;
        const check = () => {
          const now = el.getAttribute('data-current');
          if (now === 'false') stale = true;
          else if (stale && now === 'true') { obs.disconnect(); requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)); }
        };
        const obs = new MutationObserver(check);
        obs.observe(el, { attributes: true, attributeFilter: ['data-current'] });
      });
    }, status);
    // one keystroke per edit: the last digit is selected and typed over (no intermediate text)
    await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.press(String(digits[e]));
    const r = await page.evaluate(async () => {
      const w = window as unknown as { __done: Promise<number>; __lastKey: number };
      const timeout = new Promise<number>((res) => setTimeout(() => res(-1), 10_000));
      const at = await Promise.race([w.__done, timeout]);
      const m = (n: string) => performance.getEntriesByName(n, 'mark').at(-1)?.startTime ?? NaN;
      return { at, key: w.__lastKey, req: m('lql:run-request'), res: m('lql:run-result'), commit: m('lql:report-commit') };
    });
    if (r.at < 0) { timedOut++; continue; }
    lat.push(r.at - r.key);
    parts.push([r.req - r.key, r.res - r.req, r.commit - r.res, r.at - r.commit]);
    if (await page.locator(card).first().innerText() !== before) changedCount++;
    const text = await page.locator(status).innerText();
    const title = (await page.locator(status).getAttribute('title')) ?? '';
    const m = /(\d[\d,]*) ms/.exec(text);
    if (m) runMs.push(Number(m[1]!.replace(/,/g, '')));
    const ph = /compile (\d+) ms, replay (\d+) ms( \(scores reused[^)]*\))?, report (\d+) ms/.exec(title);
    if (ph) { phases.push([Number(ph[1]), Number(ph[2]), Number(ph[4])]); if (ph[3]) reused++; }
    const fl = /(\d[\d,]*) leads replayed in full/.exec(title);
    if (fl) full.push(Number(fl[1]!.replace(/,/g, '')));
  }
  const longTasks = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
  const out: string[] = [];
  if (!lat.length) return [`${label}: no edit's results reached the screen within 10 s`];
  const s = stats(lat);
  out.push(`edit -> new metrics on screen, ${lat.length} ${label} (${changedCount} of them changed the MQL count${timedOut ? `; ${timedOut} not answered within 10 s, not counted` : ''}):`);
  out.push(`  keystroke to painted frame: median ${s.median.toFixed(0)} ms, p90 ${s.p90.toFixed(0)} ms, min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)} (target < 200 ms median)`);
  const med = (k: number) => stats(parts.map((p) => p[k]!)).median.toFixed(0);
  out.push(`  median split: keystroke -> run requested ${med(0)} ms, request -> answer ${med(1)} ms, answer -> report committed ${med(2)} ms, commit -> painted ${med(3)} ms`);
  const r = runMs.length ? stats(runMs) : undefined;
  if (r) out.push(`  the worker's run (compile + replay + report): median ${r.median} ms, p90 ${r.p90} ms`);
  if (phases.length) {
    const pm = (k: number) => stats(phases.map((p) => p[k]!)).median;
    out.push(`  worker phases (median): check + compile ${pm(0)} ms, replay ${pm(1)} ms, report ${pm(2)} ms; ${reused} of ${phases.length} runs reused scores${full.length ? `, replaying in full a median of ${stats(full).median.toLocaleString('en-US')} leads` : ''}`);
  }
  out.push(`  longest main-thread task while editing: ${longTasks.length ? Math.max(...longTasks).toFixed(0) + ' ms' : 'none over 50 ms'} (runs happen in the worker)`);
  return out;
}

export async function run(): Promise<string[]> {
  if (!existsSync(CHROMIUM)) return [`(not run: Chromium is not installed at ${CHROMIUM}; apt-get install -y chromium)`];
  const { chromium } = await import('playwright-core');
  const root = repoRoot();
  const dist = join(root, 'dist', 'playground');
  const out: string[] = [`build: ${ensureBuilt(root, dist)}`];
  out.push(...bundleLines(dist));
  const leads = Number(process.env.LQL_BENCH_PLAYGROUND_LEADS ?? 100_000);
  const edits = Number(process.env.LQL_BENCH_PLAYGROUND_EDITS ?? 15);
  /** workers sharing a replay (default: the page's, one per core minus one) */
  const workers = process.env.LQL_BENCH_PLAYGROUND_WORKERS;

  const { server, url } = await serve(dist);
  const userDir = mkdtempSync(join(tmpdir(), 'lql-bench-'));
  const ctx = await chromium.launchPersistentContext(userDir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 800 } });
  try {
    // --- time to interactive (default page: ACME example and its 3,000-lead history)
    const tti: { editor: number; metrics: number }[] = [];
    for (let k = 0; k < 3; k++) {
      const page = await ctx.newPage();
      await page.goto(url, { waitUntil: 'commit' });
      await page.evaluate(() => localStorage.clear());
      await page.goto(url + '?fresh=' + k, { waitUntil: 'commit' });
      await page.locator('.monaco-editor .view-lines').waitFor({ timeout: 60_000 });
      const editor = await page.evaluate(() => performance.now());
      await page.locator('.stage-row[data-stage="MQL"]').waitFor({ timeout: 60_000 });
      const metrics = await page.evaluate(() => performance.now());
      tti.push({ editor, metrics });
      await page.close();
    }
    const ttiE = stats(tti.map((x) => x.editor));
    const ttiM = stats(tti.map((x) => x.metrics));
    out.push(`time to interactive (built page, 127.0.0.1, median of 3): editor takes input ${ttiE.median.toFixed(0)} ms; first metrics (ACME, 3,000 leads) ${ttiM.median.toFixed(0)} ms`);

    // --- edit -> new metrics on screen, large history generated in the worker
    const page = await ctx.newPage();
    await page.goto(`${url}?leads=${leads}&seed=7${workers ? `&workers=${workers}` : ''}`, { waitUntil: 'commit' });
    const t0 = Date.now();
    await page.locator('.monaco-editor .view-lines').waitFor({ timeout: 60_000 });
    await page.locator('.stage-row[data-stage="MQL"]').waitFor({ timeout: 300_000 });
    const loadedMs = Date.now() - t0;
    const summary = await page.locator('.summary').innerText();
    const data = await page.getByRole('tab', { name: 'Data' }).click().then(() => page.getByTestId('data-loaded').innerText());
    await page.getByRole('tab', { name: 'Overview' }).click();
    await page.locator('.stage-row[data-stage="MQL"]').waitFor();
    out.push(`large history: ${data.replace(/\s+/g, ' ')}; page ready with metrics in ${(loadedMs / 1000).toFixed(1)} s (${summary.split('\n').slice(0, 2).join(' ').trim()})`);

    out.push(...await editSeries(page, 'MQL  when fit >= 30 and engagement >= 40', edits,
      'threshold edits (`engagement >= 40` -> 41, 42, ...: only the stages are replayed, the scores are reused)'));
    out.push(...await editSeries(page, '+40', edits,
      'points edits (`+40 once demo_request` -> 41, 42, ...: the leads that requested a demo, ~41%, are replayed in full, the others reuse their scores)'));
    out.push(...await editSeries(page, '+8', edits,
      'points edits (`+8 per content_download` -> 1, 2, ...: ~85% of the leads downloaded content, all of those are replayed in full)'));
    out.push(...await editSeries(page, '+10', edits,
      'profile points edits (`+10 when decision_maker` -> 11, 12, ...: a fit rule, every lead is replayed in full; only some values move leads across `fit >= 30`)'));
    await page.close();
  } finally {
    await ctx.close().catch(() => {});
    await new Promise<void>((res) => server.close(() => res()));
    rmSync(userDir, { recursive: true, force: true });
  }
  return out;
}

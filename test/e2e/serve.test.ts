// `lql serve` in Chromium: two people co-edit one ruleset and see each
// other's text and cursor; a proposal shows its impact; approve and publish
// make a release whose scorer.mjs scores a lead as the source says; a view
// link cannot edit; names, comments and data values render as text; a
// restart of the server keeps everything.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, DIST, SCREENSHOTS, chromiumPath, ensureBuild } from './harness.js';
import { api, connectEditor, createRuleset, startServer, acked, type TestServer } from '../server/support.js';

const SOURCE = `ruleset "Small"
attribute industry: text
fit {
  +40 when industry == "finance"
}
stages {
  MQL when fit >= 30
  lead otherwise
}
`;
// one lead id is hostile markup: it must show as text wherever it appears
const LEADS = 'id,outcome,industry\nL1,won,finance\nL2,lost,finance\n<img src=x onerror=window.__xss=3>,won,finance\nL4,lost,retail\nL5,won,retail\n';
const HOSTILE_NAME = '<img src=x onerror=window.__xss=1>';
const HOSTILE_COMMENT = '<script>window.__xss=2</script> why 30?';

async function editorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll<HTMLElement>('.monaco-editor .view-lines .view-line')];
    lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    return lines.map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ')).join('\n');
  });
}

describe.skipIf(!chromiumPath())('lql serve in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let dataDir: string;
  let port: number;
  beforeAll(async () => {
    await ensureBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'lql-serve-e2e-'));
    server = await startServer({ dataDir, staticDir: DIST });
    port = server.port;
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 400_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function open(link: string, name: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    await context.addInitScript((n) => localStorage.setItem('lql.collab.name', n), name);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(link);
    await page.locator('.monaco-editor .view-lines').waitFor({ timeout: 60_000 });
    await expect.poll(() => editorText(page), { timeout: 30_000 }).toContain('ruleset "Small"');
    return { page, errors, context };
  }

  it('co-edit, review by impact, publish, view-only, text-only rendering, restart', async () => {
    const rs = await createRuleset(server.url, SOURCE, 'Small <b>bold</b>');
    const form = new FormData();
    form.set('leads', new Blob([LEADS]), 'leads.csv');
    form.set('name', 'Five leads');
    expect((await api(server.url, `/api/rulesets/${rs.id}/dataset`, { token: rs.edit, raw: form })).status).toBe(201);

    const ana = await open(rs.links.edit, 'Ana');
    const bo = await open(rs.links.edit, 'Bo');
    // the ruleset name is text, not markup
    await expect.poll(() => ana.page.getByTestId('ruleset-name').textContent()).toBe('Small <b>bold</b>');

    // Ana types at the end, Bo at the start: each sees the other's text
    await ana.page.locator('.monaco-editor .view-lines').click();
    await ana.page.keyboard.press('Control+End');
    await ana.page.keyboard.type('# note from Ana\n');
    await bo.page.locator('.monaco-editor .view-lines').click();
    await bo.page.keyboard.press('Control+Home');
    await bo.page.keyboard.type('# note from Bo\n');
    await expect.poll(() => editorText(bo.page), { timeout: 15_000 }).toContain('# note from Ana');
    await expect.poll(() => editorText(ana.page), { timeout: 15_000 }).toContain('# note from Bo');
    // presence: each sees the other's name and cursor
    await expect.poll(() => ana.page.getByTestId('people').textContent(), { timeout: 15_000 }).toContain('Bo');
    await expect.poll(() => ana.page.locator('.monaco-editor .yRemoteSelectionHead').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => bo.page.locator('.monaco-editor .yRemoteSelectionHead').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    // the shared data reached both browsers' workers: the results tab has a report
    await ana.page.screenshot({ path: join(SCREENSHOTS, 'serve-coediting.png') });
    const source = (await api(server.url, `/api/rulesets/${rs.id}/source`, { token: rs.view })).text;
    expect(source.startsWith('# note from Bo\nruleset "Small"')).toBe(true);
    expect(source).toContain('# note from Ana\n');

    // Ana proposes: the proposal shows its impact (finance leads reach MQL: 3, two won)
    await ana.page.getByTestId('proposal-title').fill('first version');
    await ana.page.getByTestId('propose').click();
    const impact = ana.page.getByTestId('impact').first();
    await impact.waitFor({ timeout: 30_000 });
    expect(await impact.locator('tbody tr').first().textContent()).toMatch(/^MQL3/);

    // a reviewer with a hostile name comments, approves and publishes
    const rev = await open(rs.links.review, HOSTILE_NAME);
    await rev.page.getByTestId('comment-text').fill(HOSTILE_COMMENT);
    await rev.page.getByTestId('comment-add').click();
    await expect.poll(() => rev.page.getByTestId('thread').first().textContent(), { timeout: 15_000 }).toContain(HOSTILE_COMMENT);
    await rev.page.getByTestId('approve').click();
    await rev.page.getByTestId('publish').click();
    await expect.poll(() => rev.page.getByTestId('releases').textContent(), { timeout: 15_000 }).toContain('Release 1');
    // Ana's page hears about it without reloading
    await expect.poll(() => ana.page.getByTestId('releases').textContent(), { timeout: 15_000 }).toContain('Release 1');
    const mjs = await api(server.url, `/api/rulesets/${rs.id}/releases/latest/scorer.mjs`, { token: rs.view });
    const file = join(mkdtempSync(join(tmpdir(), 'lql-e2e-rel-')), 'scorer.mjs');
    writeFileSync(file, mjs.text);
    const scorer = await import(pathToFileURL(file).href);
    expect(scorer.score({ industry: 'finance' }).stage).toBe('MQL');
    expect(scorer.score({ industry: 'retail' }).stage).toBe('lead');

    // a stricter bar, typed by a third editor; Ana proposes it: 3 leads leave MQL against release 1
    const node = await connectEditor(server.url, rs.id, rs.edit, { name: 'Cy' });
    const at = node.text.toString().indexOf('fit >= 30') + 'fit >= '.length;
    node.doc.transact(() => { node.text.delete(at, 2); node.text.insert(at, '50'); });
    await acked(node);
    node.destroy();
    await expect.poll(() => editorText(ana.page), { timeout: 15_000 }).toContain('MQL when fit >= 50');
    await ana.page.getByTestId('proposal-title').fill('stricter MQL');
    await ana.page.getByTestId('propose').click();
    await expect.poll(() => ana.page.getByTestId('proposal').first().textContent(), { timeout: 30_000 }).toContain('stricter MQL');
    const row = ana.page.getByTestId('proposal').first().locator('tbody tr').first();
    // stage, reached, change, precision, change, entering, leaving
    await expect.poll(() => row.locator('td').allTextContents(), { timeout: 15_000 }).toEqual(['MQL', '0', '-3', '–', '–', '0', '3']);
    await ana.page.getByTestId('proposal').first().scrollIntoViewIfNeeded();
    await ana.page.screenshot({ path: join(SCREENSHOTS, 'serve-review.png') });

    // nothing hostile ran
    for (const p of [ana.page, bo.page, rev.page]) expect(await p.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await expect.poll(() => ana.page.getByTestId('thread').first().textContent()).toContain(`${HOSTILE_NAME} (review link)`);

    // a view link cannot edit: the editor is read-only and the server keeps the text
    const viewer = await open(rs.links.view, 'Viewer');
    const before = (await api(server.url, `/api/rulesets/${rs.id}/source`, { token: rs.view })).text;
    await viewer.page.locator('.monaco-editor .view-lines').click();
    await viewer.page.keyboard.press('Control+Home');
    await viewer.page.keyboard.type('# viewer was here\n');
    await viewer.page.waitForTimeout(1000);
    expect(await editorText(viewer.page)).not.toContain('# viewer was here');
    expect((await api(server.url, `/api/rulesets/${rs.id}/source`, { token: rs.view })).text).toBe(before);
    expect(await viewer.page.getByTestId('propose').count()).toBe(0);

    // restart the server on the same data and port: everything is still there
    await server.stop();
    server = await startServer({ dataDir, staticDir: DIST, port });
    await ana.page.reload();
    await ana.page.locator('.monaco-editor .view-lines').waitFor({ timeout: 60_000 });
    await expect.poll(() => editorText(ana.page), { timeout: 30_000 }).toContain('MQL when fit >= 50');
    expect(await editorText(ana.page)).toContain('# note from Bo');
    await expect.poll(() => ana.page.getByTestId('releases').textContent(), { timeout: 15_000 }).toContain('Release 1');
    expect(await ana.page.getByTestId('thread').first().textContent()).toContain(HOSTILE_COMMENT);
    expect(await ana.page.getByTestId('proposal').count()).toBe(2);
    // Bo's page reconnects by itself and keeps co-editing
    await bo.page.locator('.monaco-editor .view-lines').click();
    await bo.page.keyboard.press('Control+Home');
    await bo.page.keyboard.type('# after restart\n');
    await expect.poll(() => editorText(ana.page), { timeout: 30_000 }).toContain('# after restart');

    for (const x of [ana, bo, rev, viewer]) expect(x.errors).toEqual([]);
  }, 600_000);
});

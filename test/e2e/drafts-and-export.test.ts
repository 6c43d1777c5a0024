/**
 * Browser tests of the built playground for what a user must never lose or
 * get wrong: share links never destroy a draft (a reload after sharing opens
 * the newer draft; a colleague's link keeps the draft as a version the user
 * can restore), and the PostgreSQL export downloads in the browser with
 * exactly the query the SQL exporter gives in Node.
 *
 * Input: `dist/playground` (built if stale by the harness), Chromium.
 * Output: pass/fail, and screenshots in test-output/screenshots/.
 * Invariants: no network beyond 127.0.0.1; each test opens its own page;
 * without Chromium the suite skips locally and fails under CI=true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath, ROOT, startHarness, type Harness } from './harness.js';
import { encodeShareHash } from '../../playground/share/share.js';
import { compileSource } from '../../language/index.js';
import { emitSql } from '../../language/compile/emit-sql.js';

const inCI = process.env.CI === 'true';
const haveChromium = chromiumPath() !== undefined;
const ACME_TEXT = readFileSync(join(ROOT, 'examples', 'acme.lql'), 'utf8');

/** The editor's visible text (Monaco renders only what is in view; these tests work at the top). */
async function editorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll<HTMLElement>('.monaco-editor .view-lines .view-line')];
    lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    return lines.map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ')).join('\n');
  });
}

/** The autosaved draft in the page's localStorage. */
async function savedDraft(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const raw = localStorage.getItem('lql.playground.v1.draft');
    return raw === null ? null : (JSON.parse(raw) as string);
  });
}

async function typeAtTop(page: Page, text: string) {
  await page.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.type(text);
}

describe.skipIf(!haveChromium && !inCI)('drafts, share links and the PostgreSQL export in the browser', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function openFresh() {
    const { page, errors } = await h.newPage();
    await page.goto(h.url);
    await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
    await page.reload();
    await page.locator('.monaco-editor .view-lines').waitFor({ timeout: 30_000 });
    return { page, errors };
  }

  it('type, copy a share link, keep editing, reload: the newer text stays', { timeout: 180_000 }, async () => {
    const { page, errors } = await openFresh();
    await typeAtTop(page, '# first version\n');
    await page.getByTestId('share').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#rules=/);
    await typeAtTop(page, '# newer edit\n');
    await expect.poll(() => savedDraft(page), { timeout: 10_000 }).toContain('# newer edit');
    await page.reload();
    await page.locator('.monaco-editor .view-lines').waitFor({ timeout: 30_000 });
    await expect.poll(() => editorText(page)).toContain('# newer edit');
    expect(await editorText(page)).toContain('# first version');
    // the autosave did not go back to the link's older text
    await page.waitForTimeout(1000);
    expect(await savedDraft(page)).toContain('# newer edit');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a colleague's link opens their rules and keeps my draft as a version I can restore", { timeout: 240_000 }, async () => {
    const { page } = await openFresh();
    await typeAtTop(page, '# my own work\n');
    await expect.poll(() => savedDraft(page), { timeout: 10_000 }).toContain('# my own work');
    await page.close();
    // the colleague's link, opened in a new tab (same localStorage, new session)
    const theirs = '# colleague rules\n' + ACME_TEXT;
    const { page: tab, errors } = await h.newPage();
    await tab.goto(h.url + encodeShareHash(theirs));
    await tab.locator('.monaco-editor .view-lines').waitFor({ timeout: 30_000 });
    await expect.poll(() => editorText(tab)).toContain('# colleague rules');
    const banner = tab.getByTestId('kept-draft');
    await expect.poll(() => banner.innerText()).toContain('My draft before opening a link');
    await h.screenshot(tab, 'kept-draft-banner');
    const versions = await tab.evaluate(() => JSON.parse(localStorage.getItem('lql.playground.v1.versions') ?? '[]') as { text: string }[]);
    expect(versions.map((v) => v.text.split('\n')[0])).toEqual(['# my own work']);
    // a reload does not apply the link over edits made since
    await typeAtTop(tab, '# edited after opening\n');
    await expect.poll(() => savedDraft(tab), { timeout: 10_000 }).toContain('# edited after opening');
    await tab.reload();
    await tab.locator('.monaco-editor .view-lines').waitFor({ timeout: 30_000 });
    await expect.poll(() => editorText(tab)).toContain('# edited after opening');
    await tab.close();
    // restoring the draft from the banner keeps the link's rules as a version in turn
    const { page: tab2 } = await h.newPage();
    await tab2.goto(h.url + encodeShareHash(theirs));
    await tab2.locator('.monaco-editor .view-lines').waitFor({ timeout: 30_000 });
    await tab2.getByRole('button', { name: 'Restore my draft' }).click();
    await expect.poll(() => editorText(tab2)).toContain('# edited after opening');
    const after = await tab2.evaluate(() => JSON.parse(localStorage.getItem('lql.playground.v1.versions') ?? '[]') as { name: string; text: string }[]);
    expect(after.map((v) => v.text.split('\n')[0])).toEqual(['# colleague rules', '# edited after opening', '# my own work']);
    expect(errors).toEqual([]);
    await tab2.close();
  });

  it('downloads the PostgreSQL export: the same query the SQL exporter gives in Node', { timeout: 180_000 }, async () => {
    const { page, errors } = await openFresh();
    await page.getByRole('tab', { name: 'Export' }).click();
    await page.getByLabel('SQL dialect').selectOption('postgres');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'SQL query' }).click()]);
    const out = join(ROOT, 'test-output', 'e2e-export');
    mkdirSync(out, { recursive: true });
    const file = join(out, dl.suggestedFilename());
    await dl.saveAs(file);
    expect(dl.suggestedFilename()).toBe('acme-b2b-qualification.postgres.sql');
    const sql = readFileSync(file, 'utf8');
    expect(sql).toContain('PostgreSQL');
    const ir = compileSource(ACME_TEXT).ir!;
    expect(sql).toBe(emitSql(ir, { dialect: 'postgres' }));
    expect(errors).toEqual([]);
    await page.close();
  });
});

/**
 * Every screen of the playground as a user sees it, at a laptop (1400x900)
 * and a small screen (1024x768): screenshots for a person to read, and
 * checks that hold on every screen — accessible names and text contrast
 * (axe-core), one row of navigation, nothing wider than the window, code
 * without wrapping; plus the behaviours a first-time user meets: problems
 * re-checked when the data changes, the share-link toast, a stage nobody
 * reached, chart hover values and the capacity overrun.
 *
 * Input: the built playground (the harness builds it when stale), the
 * shared datasets (served by the harness under datasets/), Chromium.
 * Output: pass/fail, screenshots in test-output/screenshots/screens-*.png.
 * Invariants: no network beyond 127.0.0.1; without Chromium the suite skips
 * locally and fails under CI=true (see playground.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumPath, ROOT, startHarness, type Harness } from './harness.js';
import { gotoLineEnd } from './page-helpers.js';

const haveChromium = chromiumPath() !== undefined;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const X_EDUCATION = join(ROOT, '..', 'shared', 'data', 'x-education', 'Leads.csv');

const SIZES = [
  { width: 1400, height: 900 },
  { width: 1024, height: 768 },
];

const TABS = ['Data', 'Overview', 'Fit × interest', 'Scores', 'Weekly volume', 'Activities', 'Routes', 'Compare', 'Explain a lead', 'Tests', 'Export'];

async function open(h: Harness, size: { width: number; height: number }) {
  const { page, errors } = await h.newPage();
  await page.setViewportSize(size);
  await page.goto(h.url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByRole('tab', { name: 'Overview' }).click();
  await page.locator('.stage-row[data-stage="MQL"]').waitFor({ timeout: 60_000 });
  return { page, errors };
}

/** axe-core violations of the rules a screen must pass (names, labels, contrast), outside Monaco's own widgets. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run({ exclude: [['.monaco-editor']] }, {
      runOnly: { type: 'rule', values: ['label', 'button-name', 'color-contrast', 'image-alt', 'svg-img-alt', 'aria-allowed-attr', 'aria-required-attr', 'aria-valid-attr-value', 'select-name', 'link-name', 'document-title', 'html-has-lang'] },
    });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  });
}

describe.skipIf(!haveChromium && process.env.CI !== 'true')('every screen, at two sizes', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); }, 300_000);
  afterAll(async () => { await h?.stop(); });

  for (const size of SIZES) {
    it(`${size.width}x${size.height}: each view fits, reads and passes the accessibility checks`, async () => {
      const { page, errors } = await open(h, size);
      // the editor: 13 px code, no wrapping
      const fontSize = await page.locator('.monaco-editor .view-line').first().evaluate((e) => getComputedStyle(e).fontSize);
      expect(fontSize).toBe('13px');
      // the navigation lists every view in one column, each on one line
      const tabBoxes = await page.getByRole('tab').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, h: r.height })));
      expect(new Set(tabBoxes.map((b) => Math.round(b.x))).size).toBe(1);
      for (const b of tabBoxes) expect(b.h).toBeLessThan(34);
      for (const tab of TABS) {
        await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
        await page.waitForTimeout(300);
        const name = `screens-${size.width}-${tab.toLowerCase().replace(/[^a-z]+/g, '-')}`;
        await h.screenshot(page, name);
        // nothing sticks out of the window sideways
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${tab}: page wider than the window`).toBeLessThanOrEqual(0);
        expect(await axeViolations(page), tab).toEqual([]);
      }
      // the whole stage table is on the first screen of the overview
      await page.getByRole('tab', { name: 'Overview' }).click();
      const table = await page.getByTestId('stage-table').boundingBox();
      expect(table).not.toBeNull();
      if (size.width >= 1100) expect(table!.y + table!.height).toBeLessThan(size.height);
      expect(errors).toEqual([]);
      await page.close();
    }, 240_000);
  }

  it('re-checks the rules when the data changes: columns of the new file, no stale problems', async () => {
    if (!existsSync(X_EDUCATION)) return;
    const { page, errors } = await open(h, SIZES[0]!);
    const problems = page.getByTestId('problems');
    // the ACME rules: no errors, only LQL406 (grade A is out of fit's reach)
    await expect.poll(() => problems.innerText(), { timeout: 20_000 }).toContain('0 errors, 1 warning');
    // the ACME rules read columns X Education does not have: the problems say so at once, with no keystroke
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByTestId('leads-file').setInputFiles(X_EDUCATION);
    await expect.poll(() => page.getByTestId('id-column').inputValue(), { timeout: 10_000 }).not.toBe('');
    await page.getByTestId('id-column').selectOption('Prospect ID');
    await page.getByTestId('outcome-column').selectOption('Converted');
    await page.getByTestId('load-data').click();
    await expect.poll(() => page.getByTestId('data-loaded').innerText(), { timeout: 60_000 }).toContain('9,240 leads');
    await expect.poll(() => problems.innerText(), { timeout: 20_000 }).toMatch(/LQL(210|521)/);
    expect(await problems.innerText()).not.toContain('No problems');
    await h.screenshot(page, 'screens-acme-rules-on-x-education');
    // opening the X Education example with its own rules and data leaves no warning about the previous data's columns
    await page.getByTestId('open-x-education').click();
    await expect.poll(() => page.getByTestId('data-loaded').innerText().catch(() => ''), { timeout: 60_000 }).toContain('Leads.csv');
    await expect.poll(() => problems.innerText(), { timeout: 20_000 }).not.toMatch(/LQL210|LQL521/);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('shows the share-link confirmation as a visible toast that goes away', async () => {
    const { page } = await open(h, SIZES[0]!);
    await page.getByTestId('share').click();
    const toast = page.getByTestId('toast');
    await expect.poll(() => toast.isVisible(), { timeout: 5_000 }).toBe(true);
    expect(await toast.innerText()).toMatch(/link/i);
    const box = await toast.boundingBox();
    expect(box!.width).toBeGreaterThan(50);
    await h.screenshot(page, 'screens-share-toast');
    await expect.poll(() => toast.count(), { timeout: 10_000 }).toBe(0);
    await page.close();
  }, 120_000);

  it('weekly volume: bars over the capacity are hatched and named, and hovering a bar shows its week and count', async () => {
    const { page, errors } = await open(h, SIZES[0]!);
    await page.getByRole('tab', { name: 'Weekly volume' }).click();
    await page.getByTestId('capacity').fill('3');
    // the weekly chart (the tab also has the monthly view below it)
    const weekly = page.locator('figure.chart', { hasText: 'Leads reaching MQL per week' });
    const over = weekly.locator('g.bar[data-over="true"]');
    await expect.poll(() => over.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // the status line counts the same weeks the chart hatches
    const status = await page.getByRole('status').filter({ hasText: 'over capacity' }).innerText();
    expect(status).toMatch(new RegExp(`^${await over.count()} of \\d+ weeks over capacity`));
    expect(await weekly.locator('.legend').innerText()).toContain('Week over capacity');
    // hover the first hatched bar
    const bar = over.first().locator('rect').first();
    const bb = await bar.boundingBox();
    await page.mouse.move(bb!.x + bb!.width / 2, bb!.y + Math.max(1, bb!.height / 2));
    const label = page.getByTestId('chart-hover');
    await expect.poll(() => label.count()).toBe(1);
    const text = (await label.evaluate((e) => [...e.querySelectorAll('text')].map((t) => t.textContent).join('\n')));
    expect(text).toMatch(/\d{4}/);
    const n = Number(/MQL: (\d+)/.exec(text)?.[1]);
    expect(n).toBeGreaterThan(3);
    expect(text).toContain('Week over capacity');
    await h.screenshot(page, 'screens-volume-capacity-hover');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('says so for a stage that no lead reaches, with no dashes and no zero change', async () => {
    const { page, errors } = await open(h, SIZES[0]!);
    const before = Number((await page.locator('.stage-row[data-stage="SQL"] .reached').innerText()).replace(/\D/g, ''));
    expect(before).toBeGreaterThan(0);
    await page.getByTestId('pin').click();
    // make SQL unreachable: `... and fit >= 1000` at the end of the SQL line
    await gotoLineEnd(page, '', 'SQL  when fit >= 30');
    await page.keyboard.type(' and fit >= 1000');
    const row = page.locator('.stage-row[data-stage="SQL"]');
    await expect.poll(() => row.innerText(), { timeout: 20_000 }).toContain('No lead reached this stage');
    expect(await row.innerText()).not.toMatch(/–\s+–/);
    // the change in reached is shown (it went down); no "0" or "0×" change is shown for rates it no longer has
    const deltas = await row.locator('.delta').allInnerTexts();
    expect(deltas.length).toBe(1);
    expect(deltas[0]!.replace(/^vs baseline:\s*/, '').replace('−', '-')).toBe(`-${before}`);
    await h.screenshot(page, 'screens-empty-stage');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

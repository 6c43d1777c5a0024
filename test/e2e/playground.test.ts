/**
 * Browser tests of the built playground, in headless Chromium.
 *
 * Input: `dist/playground` (built if stale by the harness), Chromium.
 * Output: pass/fail, and screenshots in test-output/screenshots/ for a
 * person to look at (layout, readability on a projector).
 * Invariants: no network beyond 127.0.0.1; each test opens its own page;
 * without Chromium the suite skips locally and fails under CI=true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createElement as el } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath, DIST, MISSING_CHROMIUM, startHarness, type Harness } from './harness.js';
import { I18nProvider } from '../../playground/i18n/index.js';
import { SummaryBar, KpiCards, Funnel } from '../../playground/report/Overview.js';
import { Heatmap } from '../../playground/report/Matrix.js';
import { ScoreViews } from '../../playground/report/Scores.js';
import { VolumeView } from '../../playground/report/Volume.js';
import { ActivityTable } from '../../playground/report/Tables.js';
import { report } from '../playground/fixtures/report.js';

const inCI = process.env.CI === 'true';
const haveChromium = chromiumPath() !== undefined;

describe('chromium is available for browser tests under CI', () => {
  it.runIf(inCI)('has /usr/bin/chromium', () => {
    if (!haveChromium) throw new Error(MISSING_CHROMIUM);
  });
});

/** The editor's visible text, line by line (Monaco renders only what is in view). */
async function editorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll<HTMLElement>('.monaco-editor .view-lines .view-line')];
    lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    return lines.map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ')).join('\n');
  });
}

async function openFresh(h: Harness, hash = '') {
  const { page, errors } = await h.newPage();
  await page.goto(h.url + hash);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('.monaco-editor .view-lines').waitFor({ timeout: 30_000 });
  return { page, errors };
}

describe.skipIf(!haveChromium && !inCI)('playground in the browser', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  }, 300_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('loads with the ACME example in the editor', async () => {
    const { page, errors } = await openFresh(h);
    await expect.poll(() => editorText(page)).toContain('ACME B2B qualification');
    await expect.poll(() => page.locator('h1').innerText()).toBe('LQL Playground');
    // the example is valid: no problems
    await expect.poll(() => page.getByTestId('problems').innerText(), { timeout: 10_000 }).toContain('No problems');
    await h.screenshot(page, '01-loaded-en');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('takes typing, and shows a syntax error as a marker with its code', async () => {
    const { page, errors } = await openFresh(h);
    await page.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('segment typed_here = \n');
    await expect.poll(() => editorText(page)).toContain('segment typed_here =');
    await expect.poll(() => page.locator('.squiggly-error').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const problems = await page.getByTestId('problems').innerText();
    expect(problems).toMatch(/LQL\d{3}/);
    expect(problems).toMatch(/[1-9]\d* errors?/);
    await h.screenshot(page, '02-typing-error');
    // the help link of the first problem points at its page
    const href = await page.getByTestId('problems').locator('a').first().getAttribute('href');
    expect(href).toMatch(/docs\/errors\/LQL\d{3}\.md$/);
    // resetting to the example (from the versions menu) clears the problems
    await page.locator('details.versions > summary').click();
    await page.getByRole('button', { name: 'Reset to example' }).click();
    await expect.poll(() => editorText(page)).not.toContain('typed_here');
    await expect.poll(() => page.getByTestId('problems').innerText(), { timeout: 10_000 }).toContain('No problems');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('switches to Spanish and back', async () => {
    const { page } = await openFresh(h);
    await page.getByTestId('language').selectOption('es');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('es');
    await expect.poll(() => page.getByRole('tab', { name: 'Datos' }).count()).toBe(1);
    expect(await page.getByText('Idioma').count()).toBeGreaterThan(0);
    expect(await page.getByText('Cargar datos').count()).toBe(1);
    await h.screenshot(page, '03-spanish');
    // the choice is remembered
    await page.reload();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('es');
    await page.getByTestId('language').selectOption('en');
    await expect.poll(() => page.getByRole('tab', { name: 'Data' }).count()).toBe(1);
    await page.close();
  });

  it('loads a leads file and lists data problems by line and column', async () => {
    const { page, errors } = await openFresh(h);
    const good = 'id,outcome,industry,employees\nL1,won,services,20\nL2,lost,manufacturing,300\nL3,,services,40\n';
    await page.getByTestId('leads-file').setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await expect.poll(() => page.getByTestId('outcome-column').inputValue()).toBe('outcome');
    await page.getByTestId('load-data').click();
    await expect.poll(() => page.getByTestId('data-loaded').innerText(), { timeout: 10_000 }).toContain('3 leads');
    await page.getByRole('tab', { name: 'Overview' }).click();
    await expect.poll(() => page.locator('.summary').innerText(), { timeout: 10_000 }).toMatch(/Leads\s+3/);
    await h.screenshot(page, '04-overview');

    await page.getByRole('tab', { name: 'Data' }).click();
    const bad = 'id,outcome\nL1,won\nL1,lost\nL3,maybe\n';
    await page.getByTestId('leads-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByTestId('load-data').click();
    const table = page.getByTestId('data-errors');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 10_000 }).toBe(2);
    const rows = await table.locator('tbody tr').allInnerTexts();
    expect(rows[0]).toMatch(/bad\.csv\s+3\s+1\s+LQL509/);
    expect(rows[1]).toMatch(/bad\.csv\s+4\s+4\s+LQL511/);
    await h.screenshot(page, '05-data-errors');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('moves between result tabs with the arrow keys', async () => {
    const { page } = await openFresh(h);
    await page.getByRole('tab', { name: 'Data' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Overview');
    expect(await page.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('End');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Export');
    await page.close();
  });

  it('shares the rules in the link and restores them from it', async () => {
    const { page } = await openFresh(h);
    await page.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('# shared version\n');
    await expect.poll(() => editorText(page)).toContain('# shared version');
    await page.getByTestId('share').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#rules=/);
    const hash = await page.evaluate(() => location.hash);
    await page.close();
    const other = await h.newPage();
    await other.page.goto(h.url + hash);
    await other.page.locator('.monaco-editor .view-lines').waitFor();
    await expect.poll(() => editorText(other.page)).toContain('# shared version');
    await other.page.close();
  });

  it('draws the results views readably (fixture report, built styles)', async () => {
    const css = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.css'))
      .map((f) => readFileSync(join(DIST, 'assets', f), 'utf8')).join('\n');
    const body = renderToStaticMarkup(el(I18nProvider, { locale: 'en', children:
      el('div', { className: 'results-pane', style: { width: '640px' } },
        el('div', { className: 'stack' },
          el(SummaryBar, { report }), el(KpiCards, { report }), el(Funnel, { report }), el(Heatmap, { matrix: report.matrix }),
          el(ScoreViews, { distributions: report.distributions }),
          el(VolumeView, { weekly: report.weekly, capacity: 60, onCapacity: () => {} }),
          el(ActivityTable, { activities: report.activities, pointsAtBase: 10, onPointsAtBase: () => {} }))) }));
    const { page, errors } = await h.newPage();
    await page.setContent(`<!doctype html><html lang="en"><head><style>${css}</style></head><body>${body}</body></html>`);
    // every chart has a title on both axes
    const charts = await page.locator('figure.chart svg').count();
    expect(charts).toBe(4);
    expect(await page.locator('figure.chart svg .axis-title').count()).toBe(charts * 2);
    await page.setViewportSize({ width: 680, height: 900 });
    const shots = ['06-views-kpis', '07-views-charts', '08-views-volume'];
    for (let i = 0; i < shots.length; i++) {
      await page.evaluate((y) => window.scrollTo(0, y), i * 880);
      await h.screenshot(page, shots[i]!);
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});

/**
 * Browser tests of the analysis views: the leads that entered and left a
 * stage in Compare, the monthly precision and volume per stage, and the
 * ranking quality (ROC AUC, close rate by decile) per score. Screenshots go
 * to test-output/screenshots/ for a person to look at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath, ROOT, startHarness, type Harness } from './harness.js';
import { gotoLineEnd, openFresh, reached, settled, waitForMetrics } from './page-helpers.js';

const ACME_TEXT = readFileSync(join(ROOT, 'examples', 'acme.lql'), 'utf8');
const run = chromiumPath() !== undefined || process.env.CI === 'true';

describe.skipIf(!run)('analysis views in the browser', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 300_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('Compare lists the added MQLs with their close rate and the paired interval', async () => {
    const { page, errors } = await openFresh(h);
    await waitForMetrics(page);
    await settled(page);
    const before = await reached(page, 'MQL');
    await page.getByTestId('pin').click();
    await expect.poll(() => page.getByTestId('pin').getAttribute('aria-pressed')).toBe('true');
    await gotoLineEnd(page, ACME_TEXT, 'MQL  when fit >= 30 and engagement >= 40');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('25');
    await expect.poll(() => reached(page, 'MQL'), { timeout: 10_000 }).toBeGreaterThan(before);
    await settled(page);
    const after = await reached(page, 'MQL');
    await page.getByRole('tab', { name: 'Compare' }).click();
    const table = page.getByTestId('marginal-table');
    await table.waitFor();
    const mql = table.locator('tbody tr', { hasText: 'MQL' }).first();
    // lowering a threshold only adds leads: the added count is the change in reached, none dropped
    const cells = await mql.locator('td').allInnerTexts();
    expect(cells[0]).toBe('added');
    expect(Number(cells[1]!.replace(/[^0-9]/g, ''))).toBe(after - before);
    expect(cells[4]).toMatch(/^\d+(\.\d)?%\s*\(\d+(\.\d)?%–\d+(\.\d)?%\)/);
    expect(cells[5]).toMatch(/pp\s*\(.+pp … .+pp\)/);
    const all = await table.locator('tbody tr').allInnerTexts();
    const at = all.findIndex((x) => x.startsWith('MQL'));
    const dropped = await table.locator('tbody tr').nth(at + 1).locator('td').allInnerTexts();
    expect(dropped.slice(0, 2)).toEqual(['dropped', '0']);
    await table.scrollIntoViewIfNeeded();
    await h.screenshot(page, '20-compare-marginal');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Volume shows the monthly chart and table; Scores shows ROC AUC and deciles', async () => {
    const { page, errors } = await openFresh(h);
    await waitForMetrics(page);
    await settled(page);
    await page.getByRole('tab', { name: 'Volume' }).click();
    const monthly = page.getByTestId('monthly');
    await monthly.waitFor();
    const rows = monthly.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(3);
    const first = await rows.first().locator('th, td').allInnerTexts();
    expect(first[0]).toMatch(/^\d{4}-\d{2}$/);
    // reached = won + lost + open, so reached >= won + lost
    const [, , r, w, l] = first.map((x) => Number(x.replace(/[^0-9]/g, '')));
    expect(r!).toBeGreaterThanOrEqual(w! + l!);
    await monthly.scrollIntoViewIfNeeded();
    await h.screenshot(page, '21-monthly');
    await page.getByRole('tab', { name: 'Scores' }).click();
    const ranking = page.getByTestId('ranking');
    await ranking.waitFor();
    const auc = await ranking.locator('tbody tr').first().locator('td').allInnerTexts();
    for (const a of auc) {
      const m = /^(0\.\d+|1)\s*\((0\.\d+|1)–(0\.\d+|1)\)$/.exec(a.trim());
      expect(m, a).not.toBeNull();
      expect(Number(m![2])).toBeLessThanOrEqual(Number(m![1]));
      expect(Number(m![3])).toBeGreaterThanOrEqual(Number(m![1]));
    }
    await ranking.scrollIntoViewIfNeeded();
    await h.screenshot(page, '22-ranking');
    expect(errors).toEqual([]);
    await page.close();
  });
});

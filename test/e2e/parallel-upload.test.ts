/**
 * A large upload is parsed in parts by several browser workers, with
 * progress (rows, speed, time left) on screen, and gives the metrics
 * `lql simulate --json` gives for the same files.
 *
 * Input: a generated ACME history (100,000 leads) written to a temporary
 * folder, the built playground opened with `?readers=3&splitMB=1` (so both
 * files are read in three parts on any machine), Chromium.
 * Output: pass/fail, and screenshots of the reading and the loaded states
 * in test-output/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, writeCsv } from '../../simulator/generate.js';
import type { Report } from '../../simulator/metrics.js';
import { chromiumPath, ROOT, startHarness, type Harness } from './harness.js';
import { reached, settled } from './page-helpers.js';

const haveChromium = chromiumPath() !== undefined;
const inCI = process.env.CI === 'true';

describe.skipIf(!haveChromium && !inCI)('a large upload in the browser', () => {
  let h: Harness;
  let dir = '';
  let files: { leads: string; events: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lql-upload-'));
    files = writeCsv(generate({ leads: 100_000, seed: 5, eventsPerLead: 8 }), dir);
    h = await startHarness();
  }, 300_000);

  afterAll(async () => {
    await h?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads it in parallel parts with progress, and the metrics equal the CLI', async () => {
    const cli = JSON.parse(
      execFileSync(
        process.execPath,
        [join(ROOT, 'bin', 'lql.js'), 'simulate', join(ROOT, 'examples', 'acme.lql'), '--leads', files.leads, '--events', files.events, '--json', '--no-cache'],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 28,
        },
      ),
    ) as Report;

    const { page, errors } = await h.newPage();
    await page.goto(`${h.url}?readers=3&splitMB=1`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.locator('.monaco-editor .view-lines').waitFor({ timeout: 30_000 });
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByTestId('leads-file').setInputFiles(files.leads);
    await page.getByTestId('events-file').setInputFiles(files.events);
    await expect.poll(() => page.getByTestId('outcome-column').inputValue()).toBe('outcome');
    await page.getByTestId('id-column').selectOption('id');
    // every text the progress line shows while it reads
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="load-progress-detail"]');
        if (el?.textContent && seen[seen.length - 1] !== el.textContent) seen.push(el.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('load-data').click();
    await page.getByTestId('load-progress-detail').waitFor({ timeout: 30_000 });
    await h.screenshot(page, 'upload-reading-in-parts');

    await expect
      .poll(
        () =>
          page
            .getByTestId('data-loaded')
            .innerText()
            .catch(() => ''),
        { timeout: 120_000 },
      )
      .toContain('100,000 leads');
    const loaded = await page.getByTestId('data-loaded').innerText();
    expect(loaded.replace(/,/g, '')).toContain(`${cli.leads} leads and`);
    await h.screenshot(page, 'upload-loaded');
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    // rows read so far, in three parts side by side, with the speed and the time left
    expect(
      seen.some((t) => /[\d,]+ rows read/.test(t) && /in 3 parts side by side/.test(t)),
      seen.join(' | '),
    ).toBe(true);
    expect(
      seen.some((t) => /MB\/s · about \d+ seconds? left/.test(t)),
      seen.join(' | '),
    ).toBe(true);
    const rows = seen.map((t) => Number(/([\d,]+) rows read/.exec(t)?.[1]?.replace(/,/g, '') ?? 0));
    expect(Math.max(...rows)).toBeGreaterThan(0);

    await page.getByRole('tab', { name: 'Overview' }).click();
    await page.locator('.stage-row[data-stage="MQL"]').waitFor({ timeout: 60_000 });
    await settled(page);
    for (const s of cli.stages) {
      expect(await reached(page, s.name), s.name).toBe(s.reached);
      // the row's counts: reached, won, lost (open follows from them)
      const cells = await page.locator(`.stage-row[data-stage="${s.name}"] td.num`).allInnerTexts();
      expect(cells.slice(0, 3).map((c) => Number(c.replace(/[^0-9]/g, ''))), s.name).toEqual([s.reached, s.won, s.lost]);
    }
    await h.screenshot(page, 'upload-overview');
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});

/**
 * Page helpers shared by the playground's browser tests: open a fresh page,
 * wait for the first report and for the results of the current text, read
 * a KPI card, and move the editor's cursor with the keyboard only.
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { Harness } from './harness.js';

export async function openFresh(h: Harness, hash = '') {
  const { page, errors } = await h.newPage();
  await page.goto(h.url + hash);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('.monaco-editor .view-lines').waitFor({ timeout: 30_000 });
  return { page, errors };
}

/** Wait until the ACME history is loaded and the first report is on screen. */
export async function waitForMetrics(page: Page) {
  await page.getByRole('tab', { name: 'Overview' }).click();
  await page.locator('.stage-row[data-stage="MQL"]').waitFor({ timeout: 30_000 });
}

/** Wait until the results on screen are those of the editor's current text (no run pending or superseded). */
export async function settled(page: Page) {
  await expect.poll(() => page.getByTestId('run-status').getAttribute('data-current'), { timeout: 15_000 }).toBe('true');
}

/** The number of leads reaching a stage, as the stage table shows it. */
export async function reached(page: Page, stage: string): Promise<number> {
  const t = await page.locator(`.stage-row[data-stage="${stage}"] .reached`).first().innerText();
  return Number(t.replace(/[^0-9]/g, ''));
}

/** Put the cursor at the end of the first editor line containing `needle` (with the editor's Find, keyboard only). */
export async function gotoLineEnd(page: Page, text: string, needle: string) {
  const line = text.split('\n').findIndex((l) => l.includes(needle));
  await page.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Control+F');
  const find = page.locator('.monaco-editor .find-widget .find-part textarea');
  await find.waitFor();
  await find.fill(needle);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.press('End');
  return line + 1;
}


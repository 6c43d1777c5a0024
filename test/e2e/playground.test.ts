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
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadLeadsSync } from '../../simulator/data/leads.js';
import { loadEventsSync } from '../../simulator/data/events.js';
import { leadRecord } from '../../simulator/worker-api.js';
import { chromiumPath, DIST, MISSING_CHROMIUM, ROOT, startHarness, type Harness } from './harness.js';
import { gotoLineEnd, openFresh, reached, settled, waitForMetrics } from './page-helpers.js';
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

const ACME_TEXT = readFileSync(join(ROOT, 'examples', 'acme.lql'), 'utf8');

describe.skipIf(!haveChromium && !inCI)('playground in the browser', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  }, 300_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('loads with the ACME example, its generated history and metrics', async () => {
    const { page, errors } = await openFresh(h);
    await expect.poll(() => editorText(page)).toContain('ACME B2B qualification');
    await expect.poll(() => page.locator('h1').innerText()).toBe('LQL Playground');
    // the example is valid: no errors; its one warning is LQL406 (grade A needs fit >= 50, fit reaches 40 at most)
    await expect.poll(() => page.getByTestId('problems').innerText(), { timeout: 10_000 }).toContain('0 errors, 1 warning');
    expect(await page.getByTestId('problems').innerText()).toContain('the most fit can reach is 40');
    expect(await page.getByTestId('placeholder-banner').count()).toBe(0);
    await waitForMetrics(page);
    await expect.poll(() => page.locator('.summary').innerText()).toMatch(/Leads\s+3,000/);
    expect(await reached(page, 'MQL')).toBeGreaterThan(0);
    expect(await reached(page, 'SQL')).toBeGreaterThan(0);
    expect(await page.getByTestId('stage-table').locator('thead').innerText()).toContain('95% interval');
    expect(await page.locator('.stage-row[data-stage="MQL"]').innerText()).toMatch(/\d+\.\d% – \d+\.\d%/);
    await expect.poll(() => page.getByTestId('run-status').innerText()).toMatch(/Updated in \d[\d,]* ms/);
    await h.screenshot(page, '01-loaded-en');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('marks a mistake at its line and column, and new metrics follow the fix', async () => {
    const { page, errors } = await openFresh(h);
    await waitForMetrics(page);
    await expect.poll(() => reached(page, 'MQL')).toBeGreaterThan(0);
    const before = await reached(page, 'MQL');
    // a misspelled score at the end of the MQL line: an unknown name, marked where it starts
    const line = await gotoLineEnd(page, ACME_TEXT, 'MQL  when fit >= 30 and engagement >= 40');
    const col = ACME_TEXT.split('\n')[line - 1]!.length + 6;
    const typo = ' and engagment >= 60';
    await page.keyboard.type(typo);
    await expect.poll(() => page.locator('.squiggly-error').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const problems = page.getByTestId('problems');
    await expect.poll(() => problems.locator('li').first().innerText()).toMatch(new RegExp(`^${line}:${col}\\s+LQL\\d{3}.*engagment`));
    // the squiggle is drawn on that line of the editor, under the misspelled name (measured in one
    // frame, and polled: squiggles of the texts typed on the way are replaced as the check catches up)
    const offsets = () => page.evaluate(() => {
      const word = [...document.querySelectorAll('.monaco-editor .view-line span')]
        .find((x) => x.children.length === 0 && x.textContent === 'engagment')?.getBoundingClientRect();
      if (!word) return 'no word';
      const near = [...document.querySelectorAll('.monaco-editor .squiggly-error')].map((e) => e.getBoundingClientRect())
        .filter((r) => r.width > 0 && Math.abs(r.y - word.y) < 30 && Math.abs(r.x - word.x) < 12);
      return near.length > 0 ? 'under the word' : 'no squiggle under the word';
    });
    await expect.poll(offsets, { timeout: 10_000 }).toBe('under the word');
    await expect.poll(() => page.getByTestId('run-status').innerText()).toContain('Fix the errors');
    await h.screenshot(page, '02-mistake-marked');
    // fix the name: the stage now needs engagement >= 60 too, so fewer MQLs
    for (let i = 0; i < typo.length; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type(' and engagement >= 60');
    await expect.poll(() => problems.innerText(), { timeout: 10_000 }).toContain('0 errors, 1 warning');
    await expect.poll(() => reached(page, 'MQL'), { timeout: 10_000 }).toBeLessThan(before);
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
    await expect.poll(() => page.getByTestId('problems').innerText(), { timeout: 10_000 }).toContain('0 errors, 1 warning');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('switches to Spanish and back', async () => {
    const { page } = await openFresh(h);
    await page.getByTestId('language').selectOption('es');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('es');
    await expect.poll(() => page.getByRole('tab', { name: 'Datos' }).count()).toBe(1);
    expect(await page.getByText('Idioma').count()).toBeGreaterThan(0);
    await page.getByRole('tab', { name: 'Datos' }).click();
    expect(await page.getByText('Cargar datos').count()).toBe(1);
    await page.getByRole('tab', { name: 'Resumen' }).click();
    await expect.poll(() => page.getByTestId('stage-table').innerText(), { timeout: 30_000 }).toMatch(/Tasa de cierre/);
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
    await page.getByRole('tab', { name: 'Data' }).click();
    const head = 'id,outcome,created_at,closed_at,industry,employees,country,title,email,budget,timeframe_days';
    const good = `${head}\nL1,won,2025-01-02,2025-03-01,services,20,US,CEO,a@x.example,20000,30\n` +
      'L2,lost,2025-01-05,2025-02-01,manufacturing,300,GB,Analyst,b@gmail.com,,\nL3,,2025-02-01,,financial_services,9000,ES,VP Finance,c@bank.example,90000,60\n';
    await page.getByTestId('leads-file').setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await expect.poll(() => page.getByTestId('outcome-column').inputValue()).toBe('outcome');
    await page.getByTestId('load-data').click();
    await expect.poll(() => page.getByTestId('data-loaded').innerText(), { timeout: 10_000 }).toContain('3 leads');
    await page.getByRole('tab', { name: 'Overview' }).click();
    await expect.poll(() => page.locator('.summary').innerText(), { timeout: 10_000 }).toMatch(/Leads\s+3\b/);
    expect(await page.locator('.summary').innerText()).toMatch(/History\s+snapshot/);

    await page.getByRole('tab', { name: 'Data' }).click();
    const bad = 'id,outcome\nL1,won\nL1,lost\nL3,maybe\n';
    await page.getByTestId('leads-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByTestId('load-data').click();
    const table = page.getByTestId('data-errors');
    // strict: the first problem stops the load and is named by file, line and column
    await expect.poll(() => table.locator('tbody tr').first().innerText(), { timeout: 10_000 }).toMatch(/bad\.csv\s+3\s+1\s+LQL509/);
    expect(await page.getByTestId('data-loaded').count()).toBe(0);
    // lenient: bad rows are skipped and each is listed
    await page.getByTestId('lenient').check();
    await page.getByTestId('load-data').click();
    await expect.poll(() => page.getByTestId('data-loaded').innerText(), { timeout: 10_000 }).toContain('1 lead and 0 events');
    const rows = await table.locator('tbody tr').allInnerTexts();
    expect(rows[0]).toMatch(/bad\.csv\s+3\s+1\s+LQL509/);
    expect(rows[1]).toMatch(/bad\.csv\s+4\s+4\s+LQL511/);
    await h.screenshot(page, '05-data-errors');
    // a malformed file (an unclosed quote): a clear error with line and column, and the page keeps working
    const broken = 'id,outcome,industry\nL1,won,services\nL2,"lost,retail\nL3,won,retail\n';
    await page.getByTestId('leads-file').setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) });
    await page.getByTestId('lenient').uncheck();
    await page.getByTestId('load-data').click();
    await expect.poll(() => table.locator('tbody tr').first().innerText(), { timeout: 10_000 }).toMatch(/broken\.csv\s+3\s+\d+\s+LQL5\d\d\s+\S/);
    await page.getByRole('tab', { name: 'Tests' }).click();
    await expect.poll(() => page.getByTestId('tests').innerText()).toContain('4 passed, 0 failed');
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

  it('pins a baseline, shows deltas after a threshold change, and explains a changed lead', async () => {
    const { page, errors } = await openFresh(h);
    await waitForMetrics(page);
    await expect.poll(() => reached(page, 'MQL')).toBeGreaterThan(0);
    const before = await reached(page, 'MQL');
    await page.getByTestId('pin').click();
    await expect.poll(() => page.getByTestId('pin').getAttribute('aria-pressed')).toBe('true');
    // engagement >= 40 -> engagement >= 25: more MQLs
    await gotoLineEnd(page, ACME_TEXT, 'MQL  when fit >= 30 and engagement >= 40');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('25');
    await expect.poll(() => reached(page, 'MQL'), { timeout: 10_000 }).toBeGreaterThan(before);
    // typing '25' sends a run for '>= 2' first: read the figures of the final text
    await settled(page);
    const after = await reached(page, 'MQL');
    const delta = page.locator('.stage-row[data-stage="MQL"] .delta').first();
    await expect.poll(() => delta.getAttribute('title')).toBe(`vs baseline: +${(after - before).toLocaleString('en-US')}`);
    await h.screenshot(page, '06-baseline-deltas');
    await page.getByRole('tab', { name: 'Compare' }).click();
    await expect.poll(() => page.locator('.diff-add').innerText()).toContain('engagement >= 25');
    const changedRow = page.locator('table', { hasText: 'Before' }).locator('tbody tr').first();
    await expect.poll(() => changedRow.innerText(), { timeout: 10_000 }).toMatch(/lead\s+MQL/);
    await h.screenshot(page, '07-compare');
    const id = (await changedRow.locator('th button').innerText()).trim();
    await changedRow.locator('th button').click();
    await expect.poll(() => page.getByTestId('explain-stage').innerText(), { timeout: 10_000 }).toBe('MQL');
    expect(await page.getByTestId('explain-id').inputValue()).toBe(id);
    const ex = await page.getByTestId('explanation').innerText();
    expect(ex).toContain('did not fire');
    expect(ex).toMatch(/engagement >= 25/);
    await h.screenshot(page, '08-explain');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('exports an ES module scorer that gives, in Node, the stages of the exported scored leads', async () => {
    const { page, errors } = await openFresh(h);
    await waitForMetrics(page);
    await page.getByRole('tab', { name: 'Export' }).click();
    const out = join(ROOT, 'test-output', 'e2e-export');
    mkdirSync(out, { recursive: true });
    const save = async (button: string) => {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
      const file = join(out, dl.suggestedFilename());
      await dl.saveAs(file);
      return file;
    };
    const esm = await save('ES module (.mjs)');
    expect(esm).toMatch(/acme-b2b-qualification\.mjs$/);
    const csv = readFileSync(await save('Scored leads (CSV)'), 'utf8').trim().split('\n');
    const report = JSON.parse(readFileSync(await save('Report (JSON)'), 'utf8')) as { asOf: string; leads: number };
    await h.screenshot(page, '09-export');
    expect(report.leads).toBe(3000);
    const src = readFileSync(esm, 'utf8');
    expect(src).not.toMatch(/^\s*import\s/m);
    const mod = (await import(pathToFileURL(esm).href + '?t=' + Date.now())) as { score: (l: unknown, e: unknown, a: unknown) => { stage: string }; ruleset: { stages: string[] } };
    expect(mod.ruleset.stages).toEqual(['SQL', 'MQL', 'lead']);
    // the page's data is the ACME history in examples/data (same generator, same seed)
    const leads = loadLeadsSync({ name: 'acme-leads.csv', text: readFileSync(join(ROOT, 'examples', 'data', 'acme-leads.csv'), 'utf8') });
    const events = loadEventsSync({ name: 'acme-events.csv', text: readFileSync(join(ROOT, 'examples', 'data', 'acme-events.csv'), 'utf8') }, leads, []);
    const head = csv[0]!.split(',');
    const stageCol = head.indexOf('stage');
    const asOf = Date.parse(report.asOf);
    let compared = 0;
    const stages = new Set<string>();
    for (let i = 0; i < leads.n; i += 7) {
      const row = csv[i + 1]!.split(',');
      expect(row[0]).toBe(leads.ids[i]);
      const evs: { type: string; at: number }[] = [];
      for (let j = events.offsets[i]!; j < events.offsets[i + 1]!; j++) {
        if (events.times[j]! > asOf) break;
        evs.push({ type: events.typeNames[events.types[j]!]!, at: events.times[j]! });
      }
      const r = mod.score(leadRecord(leads, i), evs, asOf);
      expect(r.stage, leads.ids[i]).toBe(row[stageCol]);
      stages.add(r.stage);
      compared++;
    }
    expect(compared).toBeGreaterThan(400);
    expect([...stages].sort()).toEqual(['MQL', 'SQL', 'lead']);
    writeFileSync(join(out, 'compared.txt'), `${compared} leads compared\n`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs the tests of the ruleset and marks pass/fail at each test line', async () => {
    const { page, errors } = await openFresh(h);
    await page.getByRole('tab', { name: 'Tests' }).click();
    await expect.poll(() => page.getByTestId('tests').innerText(), { timeout: 10_000 }).toContain('4 passed, 0 failed');
    await expect.poll(() => page.getByRole('tab', { name: /Tests/ }).innerText()).toContain('4/4');
    // break one expectation
    await gotoLineEnd(page, ACME_TEXT, 'expect fit == 40');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('1');
    // the intermediate text ('== 4') fails the same test: wait for the final one
    await expect.poll(() => page.getByTestId('tests').innerText(), { timeout: 10_000 }).toMatch(/expected fit == 41, got 40/);
    const tests = await page.getByTestId('tests').innerText();
    expect(tests).toContain('3 passed, 1 failed');
    expect(tests).toContain('✘ fail');
    expect(tests).toContain('enterprise bank asking for a quote is SQL');
    await expect.poll(() => page.locator('.monaco-editor .test-line-fail').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.monaco-editor .squiggly-error').count()).toBeGreaterThan(0);
    await h.screenshot(page, '10-tests');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows every results view with real data', async () => {
    const { page, errors } = await openFresh(h);
    await waitForMetrics(page);
    const shots: [string, string, string][] = [
      ['Fit × interest', '11-matrix', '.heatmap td'],
      ['Scores', '12-scores', '[data-testid="stage-sweep"]'],
      ['Weekly volume', '13-volume', 'figure.chart svg[role=img]'],
      ['Activities', '14-activities', '.data-table tbody tr'],
      ['Routes', '15-routes', '.data-table tbody tr'],
      ['Data', '16-data', '[data-testid="gallery"]'],
    ];
    for (const [tab, name, sel] of shots) {
      await page.getByRole('tab', { name: tab }).click();
      await page.locator(sel).first().waitFor({ timeout: 30_000 });
      if (tab === 'Weekly volume') await page.getByTestId('capacity').fill('40');
      await h.screenshot(page, name);
    }
    // the threshold sweep marks the current value
    await page.getByRole('tab', { name: 'Scores' }).click();
    expect(await page.getByTestId('stage-sweep').innerText()).toContain('current');
    // hover over a rule's points shows last-run statistics
    await page.getByRole('tab', { name: 'Overview' }).click();
    await gotoLineEnd(page, ACME_TEXT, '+40 once demo_request');
    const demo = page.locator('.monaco-editor .view-line', { hasText: '+40 once demo_request' });
    // the innermost token holding the points
    const box = await demo.evaluate((el) => {
      const spans = [...el.querySelectorAll('span')].filter((s) => s.children.length === 0 && /40/.test(s.textContent ?? ''));
      const r = spans[0]!.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    });
    await page.mouse.move(box.x - 30, box.y);
    await page.mouse.move(box.x, box.y, { steps: 3 });
    await expect.poll(() => page.locator('.monaco-hover').allInnerTexts().then((t) => t.join('\n')), { timeout: 15_000 })
      .toMatch(/Last run: fired for [\d,]+ leads/);
    await h.screenshot(page, '17-hover-rule-stats');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the other example rulesets with their datasets when the server has them', async () => {
    const { page, errors } = await openFresh(h);
    await page.getByRole('tab', { name: 'Data' }).click();
    const open = page.getByTestId('open-x-education');
    await expect.poll(() => open.isEnabled()).toBe(true);
    await open.click();
    await expect.poll(() => editorText(page), { timeout: 15_000 }).toContain('X Education (online courses, India)');
    await expect.poll(() => page.locator('.summary').innerText(), { timeout: 60_000 }).toMatch(/Leads\s+9,240/);
    await expect.poll(() => page.getByTestId('problems').innerText(), { timeout: 10_000 }).not.toMatch(/[1-9]\d* errors?/);
    expect(await reached(page, 'SQL')).toBeGreaterThan(500);
    await h.screenshot(page, '18-x-education');
    expect(errors).toEqual([]);
    await page.close();
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
    const charts = await page.locator('figure.chart svg[role=img]').count();
    expect(charts).toBe(4);
    expect(await page.locator('figure.chart svg[role=img] .axis-title').count()).toBe(charts * 2);
    await page.setViewportSize({ width: 680, height: 900 });
    const shots = ['20-fixture-kpis', '21-fixture-charts', '22-fixture-volume'];
    for (let i = 0; i < shots.length; i++) {
      await page.evaluate((y) => window.scrollTo(0, y), i * 880);
      await h.screenshot(page, shots[i]!);
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});

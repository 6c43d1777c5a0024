/**
 * Results views rendered without a browser (React server rendering) from a
 * report in the `simulate --json` shape: the numbers land where a reader
 * looks for them, in both languages, charts have labelled axes, and a report
 * with only the contract's fields still renders.
 */
import { describe, expect, it } from 'vitest';
import { createElement as h, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nProvider, type Locale } from '../../playground/i18n/index.js';
import { SummaryBar, KpiCards, Funnel } from '../../playground/report/Overview.js';
import { Heatmap, cellColor } from '../../playground/report/Matrix.js';
import { ScoreViews } from '../../playground/report/Scores.js';
import { VolumeView } from '../../playground/report/Volume.js';
import { ActivityTable, RouteTable, BandTables } from '../../playground/report/Tables.js';
import { ComparePanel } from '../../playground/report/Compare.js';
import { TestsPanel } from '../../playground/report/Tests.js';
import { ExplainPanel } from '../../playground/report/Explain.js';
import { DataPanel } from '../../playground/data/DataPanel.js';
import { report } from './fixtures/report.js';
import type { SimulateReport } from '../../playground/report/types.js';

function render(el: ReactElement, locale: Locale = 'en'): string {
  return renderToStaticMarkup(h(I18nProvider, { locale, children: el }))
    .replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');
}
const raw = (el: ReactElement) => renderToStaticMarkup(h(I18nProvider, { locale: 'en', children: el }));

const minimal: SimulateReport = {
  ruleset: 'r', mode: 'snapshot', leads: 10, won: 4, lost: 6, open: 0, baseRate: 0.4,
  stages: [{ name: 'MQL', reached: 5, won: 3, lost: 2, precision: 0.6, precisionCI: [0.23, 0.88], recall: 0.75, lift: 1.5 }],
  routes: [], bands: {}, activities: [], rejected: { rows: 0, events: 0 },
};

describe('results views', () => {
  it('summary shows totals, base rate and skipped rows', () => {
    const t = render(h(SummaryBar, { report }));
    expect(t).toContain('Leads 9,240');
    expect(t).toContain('Base close rate 38.5%');
    expect(t).toContain('event history');
    expect(t).toContain('2 rows and 5 events skipped');
    expect(render(h(SummaryBar, { report }), 'es')).toContain('Leads 9.240');
  });

  it('a stage table row per stage: reached, won, lost, open, precision with its interval, recall, lift, change vs baseline', () => {
    const t = render(h(KpiCards, { report }));
    expect(t).toContain('Stage Reached Won Lost Open Close rate 95% interval Share of won Lift');
    expect(raw(h(KpiCards, { report }))).toContain('title="Precision (close rate)"');
    // the SQL row: 812 reached (+112 vs baseline), 701 won, 111 lost, 0 open, 86.3% (+2.0 pp), interval, recall, lift
    expect(t).toContain('SQL 812 vs baseline: +112 701 111 0 86.3% vs baseline: +2.0 pp 83.9% – 88.5% 19.7%');
    expect(t).toContain('2.24×');
    const es = render(h(KpiCards, { report }), 'es');
    expect(es).toContain('Etapa Alcanzados Ganados Perdidos Abiertos Tasa de cierre');
    expect(es).toContain('Intervalo del 95 %');
  });

  it('says so for a stage no lead reached, with no dashes and no zero change', () => {
    const empty = { ...report, stages: report.stages.map((s) => (s.name === 'SQL' ? { ...s, reached: 0, won: 0, lost: 0, open: 0, precision: NaN, precisionCI: [NaN, NaN] as [number, number], recall: 0, lift: NaN } : s)) };
    const t = render(h(KpiCards, { report: { ...empty, baseline: { ...empty, baseline: undefined } } }));
    expect(t).toContain('SQL 0 0 0 0 No lead reached this stage');
    expect(t).not.toContain('– – –');
    expect(t).not.toMatch(/vs baseline: [+-]?0(\.0)?( pp|×)?\b/);
  });

  it('the funnel is widest first, with labelled axes', () => {
    const html = raw(h(Funnel, { report }));
    expect(html).toContain('role="img"');
    const t = render(h(Funnel, { report }));
    expect(t.indexOf('lead')).toBeLessThan(t.indexOf('SQL'));
    expect(t).toContain('Leads reached');
    expect(t).toContain('Stage');
  });

  it('the heatmap is a table of band pairs with leads and close rate', () => {
    const t = render(h(Heatmap, { matrix: report.matrix }));
    expect(t).toContain('Fit band: grade');
    expect(t).toContain('Interest band: temperature');
    expect(t).toContain('1,860 48.7%');
    expect(raw(h(Heatmap, { matrix: report.matrix }))).toContain('aria-label="B × cold: 1,860 leads, close rate 48.7%"');
    expect(render(h(Heatmap, {}))).toContain('no fit × interest table');
    expect(cellColor(0.75, 0.75).color).toBe('#ffffff');
    expect(cellColor(0, 0.75).background).toBe('rgb(255, 255, 255)');
  });

  it('score histogram and threshold sweep have axis titles', () => {
    const t = render(h(ScoreViews, { distributions: report.distributions }));
    expect(t).toContain('Score distribution by outcome: fit');
    expect(t).toContain('Threshold (fit ≥)');
    expect(t).toContain('Leads');
    expect(t).toContain('Won');
    expect(t).toContain('Precision');
    expect(render(h(ScoreViews, {}))).toContain('no score distributions');
  });

  it('weekly volume counts weeks over the typed capacity', () => {
    const t = render(h(VolumeView, { weekly: report.weekly, capacity: 50, onCapacity: () => {} }));
    expect(t).toContain('Leads reaching MQL per week');
    expect(t).toContain('3 of 5 weeks over capacity');
    expect(t).toContain('Week starting');
    expect(raw(h(VolumeView, { weekly: report.weekly, capacity: 50, onCapacity: () => {} }))).toContain('class="ref-line"');
    expect(render(h(VolumeView, { capacity: 0, onCapacity: () => {} }))).toContain('needs event history');
  });

  it('activity table suggests points from the ratio, or the report\'s own', () => {
    const t = render(h(ActivityTable, { activities: report.activities, pointsAtBase: 10, onPointsAtBase: () => {} }));
    expect(t).toContain('demo_request 520 260 50.0% 1.3× +13');
    expect(t).toContain('quote_request 300 240 80.0% (75.1% – 84.1%) 2.08× +21');
    expect(t).toContain('unsubscribe 800 80 10.0% 0.26× -30');
  });

  it('route and band tables', () => {
    const t = render(h(RouteTable, { routes: report.routes }));
    expect(t).toContain('Sales: call within 24h 410 300 110 73.2%');
    expect(render(h(BandTables, { bands: report.bands }))).toContain('Band grade');
    expect(render(h(RouteTable, { routes: [] }))).toContain('no routes');
  });

  it('a report with only the contract fields renders every view', () => {
    for (const el of [
      h(SummaryBar, { report: minimal }), h(KpiCards, { report: minimal }), h(Funnel, { report: minimal }),
      h(Heatmap, { matrix: minimal.matrix }), h(ScoreViews, { distributions: minimal.distributions }),
      h(VolumeView, { weekly: minimal.weekly, capacity: 10, onCapacity: () => {} }),
      h(ActivityTable, { activities: minimal.activities, pointsAtBase: 10, onPointsAtBase: () => {} }),
      h(RouteTable, { routes: minimal.routes }), h(BandTables, { bands: minimal.bands }),
    ]) expect(() => render(el)).not.toThrow();
    expect(render(h(KpiCards, { report: minimal }))).not.toContain('vs baseline');
  });

  it('compare shows stage changes, the text diff and changed leads', () => {
    const t = render(h(ComparePanel, {
      report, baselineText: 'fit {\n  +10 when a\n}', text: 'fit {\n  +20 when a\n}',
      changed: [{ id: 'L7', before: 'lead', after: 'MQL', outcome: 'won' }],
    }));
    expect(t).toContain('MQL · Precision (close rate) 62.0% 61.0% -1.0 pp');
    expect(t).toContain('+10 when a');
    expect(t).toContain('+20 when a');
    expect(t).toContain('L7 lead MQL Won');
    expect(render(h(ComparePanel, { report, baselineText: 'a', text: 'b', onExplain: () => {},
      changed: [{ id: 'L7', before: 'lead', after: 'MQL', outcome: 'won' }] }))).toContain('L7 lead MQL Won');
    expect(render(h(ComparePanel, { text: 'x', changed: [] }))).toContain('Pin the current rules as a baseline');
  });

  it('tests panel says pass and fail in words', () => {
    const t = render(h(TestsPanel, { report: { available: true, passed: 1, failed: 1, tests: [
      { name: 'bank is SQL', line: 70, passed: true, failures: [] },
      { name: 'decays', line: 90, passed: false, failures: [{ expect: 'engagement == 20', line: 94, column: 3, details: ['expected engagement == 20, got 21.5'] }] },
    ] } }));
    expect(t).toContain('1 passed, 1 failed');
    expect(t).toContain('✔ pass bank is SQL');
    expect(t).toContain('✘ fail decays');
    expect(t).toContain('expected engagement == 20, got 21.5');
    expect(t).toContain('(line 94)');
    expect(render(h(TestsPanel, { report: { available: true, invalid: true, passed: 0, failed: 0, tests: [] } }))).toContain('Fix the errors');
  });

  it('explain panel lists rules fired and not fired with their values', () => {
    const t = render(h(ExplainPanel, { onExplain: () => {}, result: {
      available: true, found: true, id: 'L1', scores: { fit: 40 }, bands: { grade: 'B' }, stage: 'SQL',
      reached: { MQL: Date.UTC(2026, 0, 10), SQL: null }, route: 'Marketing: nurture',
      trace: {
        asOf: Date.UTC(2026, 0, 10),
        rules: [
          { score: 'fit', index: 0, line: 24, rule: '+30 when enterprise_finance', kind: 'when', fired: true, points: 30, events: null, value: null,
            cond: { id: 1, src: 'employees >= 5000', line: 24, value: true, args: [], reads: [{ id: 2, src: 'employees', type: 'number', value: 8000 }] } },
          { score: 'fit', index: 1, line: 25, rule: '+20 when small_services', kind: 'when', fired: false, points: 20, events: null, value: null,
            cond: { id: 3, src: 'small_services', line: 25, value: false, args: [], reads: [] } },
        ],
        stages: [{ name: 'MQL', reached: Date.UTC(2026, 0, 10), cond: null }, { name: 'SQL', reached: null, cond: null }],
        routes: [{ action: 'Marketing: nurture', line: 60, cond: null, chosen: true }],
        history: [{ at: Date.UTC(2026, 0, 10), reached: ['MQL'] }],
      },
    } }));
    expect(t).toContain('Stage SQL');
    expect(t).toContain('fit 40');
    expect(t).toContain('MQL Jan 10, 2026');
    expect(t).toContain('Stage history');
    expect(t).toContain('SQL never');
    expect(t).toContain('+30');
    expect(t).toContain('employees = 8,000');
    expect(t).toContain('➜ Marketing: nurture');
    expect(t).toContain('did not fire');
  });

  it('data panel lists problems with file, line and column', () => {
    const t = render(h(DataPanel, {
      busy: false, onLoad: () => {}, onOpenExample: () => {},
      summary: { ok: false, file: 'bad.csv', leads: 0, events: 0, header: ['id', 'outcome'], diagnostics: [
        { code: 'LQL509', severity: 'error', message: 'Lead id `L1` is already used on line 2.', file: 'bad.csv',
          range: { start: { offset: 0, line: 3, column: 1 }, end: { offset: 0, line: 3, column: 2 } } },
      ] },
    }));
    expect(t).toContain('Problems in the data');
    expect(t).toContain('bad.csv 3 1 LQL509 Lead id `L1` is already used on line 2.');
    expect(render(h(DataPanel, { busy: true, onLoad: () => {}, onOpenExample: () => {}, progress: { phase: 'leads.csv', done: 50, total: 200 } })))
      .toContain('Reading leads.csv: 25%');
  });
});

/**
 * The overview of a backtest: totals, a compact stage table (one row per
 * stage with every figure of the stage) and the funnel.
 *
 * Input: a `SimulateReport` (the `simulate --json` contract); its
 * `baseline`, when present, adds the change on each KPI.
 * Output: React elements.
 * Invariants: numbers come from the report unchanged (formatted only);
 * precision is always shown with its 95% interval; open leads are shown
 * beside precision because they are not in its denominator.
 */
import { memo } from 'react';
import { useI18n } from '../i18n/index.js';
import type { SimulateReport, StageMetrics } from './types.js';
import { compareStages } from './compute.js';
import { FunnelBars } from './charts.js';

function SummaryBarView({ report }: { report: SimulateReport }) {
  const { t, f } = useI18n();
  const items: [string, string][] = [
    [t('summary.leads'), f.int(report.leads)],
    [t('summary.won'), f.int(report.won)],
    [t('summary.lost'), f.int(report.lost)],
    [t('summary.open'), f.int(report.open)],
    [t('summary.baseRate'), f.pct(report.baseRate)],
    [t('summary.mode'), report.mode === 'events' ? t('summary.modeEvents') : t('summary.modeSnapshot')],
  ];
  return (
    <div className="summary">
      <dl className="summary-list">
        {items.map(([k, v]) => (
          <div key={k} className="summary-item"><dt>{k}</dt><dd>{v}</dd></div>
        ))}
      </dl>
      {(report.rejected.rows > 0 || report.rejected.events > 0) && (
        <p className="warning" role="note">{t('summary.rejected', { rows: report.rejected.rows, events: report.rejected.events })}</p>
      )}
    </div>
  );
}

function openOf(s: StageMetrics): number {
  return s.open ?? Math.max(0, s.reached - s.won - s.lost);
}

/** The change against the baseline under a figure; nothing when there is no change or no figure to compare. */
function Delta({ value, format, better = 'up' }: { value: number | undefined; format: (n: number) => string; better?: 'up' | 'none' }) {
  const { t } = useI18n();
  if (value === undefined || !Number.isFinite(value) || value === 0) return null;
  const cls = better === 'none' ? 'delta' : value > 0 ? 'delta up' : 'delta down';
  const text = format(value);
  return <span className={cls} title={t('kpi.delta', { value: text })}><span className="visually-hidden">{t('kpi.deltaPrefix')} </span>{text}</span>;
}

function KpiCardsView({ report }: { report: SimulateReport }) {
  const { t, f } = useI18n();
  if (!report.stages.length) return <p className="muted">{t('summary.noStages')}</p>;
  const cmp = compareStages(report);
  const base = report.baseline?.stages ?? [];
  return (
    <table className="data-table stage-table" data-testid="stage-table">
      <caption>{t('kpi.title')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('kpi.stageCol')}</th>
          <th scope="col" className="num">{t('kpi.reached')}</th>
          <th scope="col" className="num">{t('table.won')}</th>
          <th scope="col" className="num">{t('table.lost')}</th>
          <th scope="col" className="num">{t('kpi.openCol')}</th>
          <th scope="col" className="num" title={t('kpi.precision')}>{t('kpi.precisionCol')}</th>
          <th scope="col" className="num">{t('kpi.intervalCol')}</th>
          <th scope="col" className="num" title={t('kpi.recall')}>{t('kpi.recallCol')}</th>
          <th scope="col" className="num" title={t('kpi.lift')}>{t('kpi.liftCol')}</th>
        </tr>
      </thead>
      <tbody>
        {report.stages.map((s) => {
          const d = cmp.find((c) => c.name === s.name);
          const b = base.find((x) => x.name === s.name);
          // a rate is compared only when both runs have leads in the stage
          const both = (s.won + s.lost) > 0 && b !== undefined && (b.won + b.lost) > 0;
          const empty = s.reached === 0;
          return (
            <tr key={s.name} className="stage-row" data-stage={s.name}>
              <th scope="row">{s.name}</th>
              <td className="num"><span className="figure reached">{f.int(s.reached)}</span>{d && <Delta value={d.reached} format={f.signedInt} better="none" />}</td>
              <td className="num">{f.int(s.won)}</td>
              <td className="num">{f.int(s.lost)}</td>
              <td className="num">{f.int(openOf(s))}</td>
              {empty ? (
                <td colSpan={4} className="muted empty-stage">{t('kpi.empty')}</td>
              ) : s.won + s.lost === 0 ? (
                <td colSpan={4} className="muted empty-stage">{t('kpi.undecided')}</td>
              ) : (
                <>
                  <td className="num"><span className="figure">{f.pct(s.precision)}</span>{both && d && <Delta value={d.precision} format={f.pctPoints} />}</td>
                  <td className="num small">{t('kpi.intervalValue', { lo: f.pct(s.precisionCI[0]), hi: f.pct(s.precisionCI[1]) })}</td>
                  <td className="num"><span className="figure">{f.pct(s.recall)}</span>{both && d && <Delta value={d.recall} format={f.pctPoints} />}</td>
                  <td className="num"><span className="figure">{f.num(s.lift)}×</span>{both && d && <Delta value={d.lift} format={(n) => (n > 0 ? '+' : '') + f.num(n) + '×'} />}</td>
                </>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function FunnelView({ report }: { report: SimulateReport }) {
  const { t, f } = useI18n();
  // widest first: the stages are declared furthest first
  const rows = [...report.stages].reverse().map((s) => ({
    label: s.name, total: s.reached, part: s.won,
    title: t('funnel.bar', { stage: s.name, reached: f.int(s.reached), won: f.int(s.won) }),
  }));
  return (
    <FunnelBars title={t('funnel.title')} rows={rows} xTitle={t('funnel.axisLeads')} yTitle={t('funnel.axisStage')}
      totalName={t('kpi.reached')} partName={t('outcome.won')} />
  );
}

/** Memoized: the page re-renders on every keystroke, the views only when their data changes. */
export const SummaryBar = memo(SummaryBarView);
export const KpiCards = memo(KpiCardsView);
export const Funnel = memo(FunnelView);

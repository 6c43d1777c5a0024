/**
 * The overview of a backtest: totals, one KPI card per stage and the funnel.
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
        <p className="warning" role="note">{t('summary.rejected', { rows: f.int(report.rejected.rows), events: f.int(report.rejected.events) })}</p>
      )}
    </div>
  );
}

function openOf(s: StageMetrics): number {
  return s.open ?? Math.max(0, s.reached - s.won - s.lost);
}

function Delta({ value, format, better = 'up' }: { value: number; format: (n: number) => string; better?: 'up' | 'none' }) {
  const { t } = useI18n();
  if (!Number.isFinite(value)) return null;
  const cls = value === 0 || better === 'none' ? 'delta' : value > 0 ? 'delta up' : 'delta down';
  return <span className={cls}>{t('kpi.delta', { value: format(value) })}</span>;
}

function KpiCardsView({ report }: { report: SimulateReport }) {
  const { t, f } = useI18n();
  if (!report.stages.length) return <p className="muted">{t('summary.noStages')}</p>;
  const cmp = compareStages(report);
  return (
    <div className="kpi-grid">
      {report.stages.map((s) => {
        const d = cmp.find((c) => c.name === s.name);
        return (
          <section key={s.name} className="kpi-card" aria-label={t('kpi.stage', { name: s.name })} data-stage={s.name}>
            <h3>{t('kpi.stage', { name: s.name })}</h3>
            <dl>
              <div><dt>{t('kpi.reached')}</dt><dd className="big">{f.int(s.reached)}</dd>
                <dd className="small">{t('kpi.wonLost', { won: f.int(s.won), lost: f.int(s.lost) })}</dd>
                {d && <dd><Delta value={d.reached} format={f.signedInt} better="none" /></dd>}</div>
              <div><dt>{t('kpi.precision')}</dt><dd className="big">{f.pct(s.precision)}</dd>
                <dd className="small">{t('kpi.interval', { lo: f.pct(s.precisionCI[0]), hi: f.pct(s.precisionCI[1]) })}</dd>
                {d && <dd><Delta value={d.precision} format={f.pctPoints} /></dd>}</div>
              <div><dt>{t('kpi.recall')}</dt><dd className="big">{f.pct(s.recall)}</dd>
                {d && <dd><Delta value={d.recall} format={f.pctPoints} /></dd>}</div>
              <div><dt>{t('kpi.lift')}</dt><dd className="big">{f.num(s.lift)}×</dd>
                {d && <dd><Delta value={d.lift} format={(n) => (n > 0 ? '+' : '') + f.num(n) + '×'} /></dd>}</div>
              <div><dt>{t('kpi.open')}</dt><dd className="big">{f.int(openOf(s))}</dd></div>
            </dl>
          </section>
        );
      })}
    </div>
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

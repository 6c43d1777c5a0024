/**
 * Score views: the distribution of a score by outcome (stacked histogram),
 * and the threshold sweep of a stage: precision, recall and volume as the
 * threshold of its `score >= n` comparison moves, with the current value
 * marked.
 *
 * Input: the report's optional `distributions` section; the worker's sweep
 * (each candidate threshold re-run over the data) when there is one, and a
 * callback to pick the stage to sweep.
 * Output: a score picker, the histogram, the sweep chart and its table.
 * Invariants: without a worker sweep (no stage compares a score with a
 * number), the sweep is computed from the histogram's bins for "score >= t"
 * so the two charts always agree; rates with no decided lead are a dash.
 */
import { memo, useState } from 'react';
import { useI18n } from '../i18n/index.js';
import type { ScoreDistribution, SimulateReport } from './types.js';
import type { SweepResult } from '../worker/api.js';
import { StackedBars, RateLines, SERIES_COLORS } from './charts.js';
import { thresholdSweep } from './compute.js';

export function StageSweep({ sweep, onStage }: { sweep: SweepResult; onStage?: (stage: string) => void }) {
  const { t, f } = useI18n();
  const [pick, setPick] = useState(0);
  const s = sweep.sweeps[Math.min(pick, sweep.sweeps.length - 1)];
  if (!s) return null;
  return (
    <section className="stack" aria-label={t('sweep.stageTitle', { stage: s.stage, comparison: s.comparison })} data-testid="stage-sweep">
      <div className="row">
        {sweep.stages.length > 1 && onStage && (
          <label className="field inline"><span>{t('volume.stage')}</span>
            <select value={s.stage} onChange={(e) => onStage(e.target.value)}>
              {sweep.stages.map((x) => <option key={x} value={x}>{x}</option>)}
            </select></label>
        )}
        {sweep.sweeps.length > 1 && (
          <label className="field inline"><span>{t('sweep.comparison')}</span>
            <select value={pick} onChange={(e) => setPick(Number(e.target.value))}>
              {sweep.sweeps.map((x, i) => <option key={i} value={i}>{x.comparison}</option>)}
            </select></label>
        )}
      </div>
      <RateLines
        title={t('sweep.stageTitle', { stage: s.stage, comparison: s.comparison })}
        xs={s.candidates.map((p) => p.threshold)}
        series={[
          { name: t('sweep.precision'), color: SERIES_COLORS.a, values: s.candidates.map((p) => p.precision ?? NaN) },
          { name: t('sweep.recall'), color: SERIES_COLORS.b, values: s.candidates.map((p) => p.recall ?? NaN) },
        ]}
        xTitle={t('sweep.axisStageThreshold', { score: s.score, op: s.op })} yTitle={t('sweep.axisRate')}
        marker={{ x: s.current, label: t('sweep.current', { value: f.num(s.current) }) }}
      />
      <table className="data-table">
        <caption>{t('sweep.tableTitle', { stage: s.stage })}</caption>
        <thead><tr>
          <th scope="col" className="num">{t('sweep.threshold')}</th>
          <th scope="col" className="num">{t('kpi.reached')}</th>
          <th scope="col" className="num">{t('sweep.perWeek')}</th>
          <th scope="col" className="num">{t('sweep.precision')}</th>
          <th scope="col" className="num">{t('sweep.recall')}</th>
        </tr></thead>
        <tbody>
          {s.candidates.map((p) => (
            <tr key={p.threshold} className={p.threshold === s.current ? 'current' : undefined}>
              <th scope="row" className="num">{s.op} {f.num(p.threshold)}{p.threshold === s.current ? ' ← ' + t('sweep.now') : ''}</th>
              <td className="num">{f.int(p.reached)}</td>
              <td className="num">{f.num(p.perWeek ?? NaN)}</td>
              <td className="num">{f.pct(p.precision ?? NaN)}</td>
              <td className="num">{f.pct(p.recall ?? NaN)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ScoreViewsView({ distributions, sweep, onStage }: { distributions?: ScoreDistribution[]; sweep?: SweepResult | 'pending'; onStage?: (stage: string) => void }) {
  const { t, f } = useI18n();
  const [picked, setPicked] = useState<string | undefined>(undefined);
  if (!distributions || !distributions.length) return <p className="muted">{t('hist.none')}</p>;
  const dist = distributions.find((d) => d.score === picked) ?? distributions[0]!;
  const binSweep = thresholdSweep(dist);
  return (
    <div className="stack">
      {sweep && sweep !== 'pending' && sweep.status === 'ok' && sweep.sweeps.length > 0 && <StageSweep sweep={sweep} onStage={onStage} />}
      {sweep === 'pending' && <p className="muted" role="status">{t('sweep.computing')}</p>}
      <label className="field inline">
        <span>{t('hist.pick')}</span>
        <select value={dist.score} onChange={(e) => setPicked(e.target.value)}>
          {distributions.map((d) => <option key={d.score} value={d.score}>{d.score}</option>)}
        </select>
      </label>
      <StackedBars
        title={t('hist.title', { score: dist.score })}
        categories={dist.bins.map((b) => `${f.num(b.from)}–${f.num(b.to)}`)}
        series={[
          { name: t('outcome.won'), color: SERIES_COLORS.won, values: dist.bins.map((b) => b.won) },
          { name: t('outcome.lost'), color: SERIES_COLORS.lost, values: dist.bins.map((b) => b.lost) },
          { name: t('outcome.open'), color: SERIES_COLORS.open, values: dist.bins.map((b) => b.open) },
        ]}
        xTitle={t('hist.axisScore')} yTitle={t('hist.axisLeads')}
      />
      <RateLines
        title={t('sweep.title', { score: dist.score })}
        xs={binSweep.map((p) => p.threshold)}
        series={[
          { name: t('sweep.precision'), color: SERIES_COLORS.a, values: binSweep.map((p) => p.precision) },
          { name: t('sweep.recall'), color: SERIES_COLORS.b, values: binSweep.map((p) => p.recall) },
          { name: t('sweep.share'), color: SERIES_COLORS.c, values: binSweep.map((p) => p.share) },
        ]}
        xTitle={t('sweep.axisThreshold', { score: dist.score })} yTitle={t('sweep.axisRate')}
      />
    </div>
  );
}

/** Memoized: the page re-renders on every keystroke, the views only when their data changes. */
export const ScoreViews = memo(ScoreViewsView);

/** How well each score ranks won above lost leads: ROC AUC with its DeLong 95% interval, and the close rate by decile. */
export function RankingTable({ ranking }: { ranking?: SimulateReport['ranking'] }) {
  const { t, f } = useI18n();
  if (!ranking || !ranking.length) return null;
  const depth = Math.max(...ranking.map((r) => r.deciles.length));
  return (
    <div className="stack" data-testid="ranking">
      <h3>{t('ranking.title')}</h3>
      <p className="muted small">{t('ranking.note')}</p>
      <table className="data-table" aria-label={t('ranking.title')}>
        <thead><tr><th scope="col">{t('ranking.decile')}</th>{ranking.map((r) => <th key={r.name} scope="col" className="num">{r.name}</th>)}</tr></thead>
        <tbody>
          <tr className="strong"><th scope="row">{t('ranking.auc')}</th>{ranking.map((r) => (
            <td key={r.name} className="num">{f.num(Math.round(r.auc * 1000) / 1000)}<span className="small"> ({f.num(Math.round(r.aucCI[0] * 1000) / 1000)}–{f.num(Math.round(r.aucCI[1] * 1000) / 1000)})</span></td>
          ))}</tr>
          {Array.from({ length: depth }, (_, k) => (
            <tr key={k}><th scope="row">{k + 1}</th>{ranking.map((r) => {
              const d = r.deciles[k];
              const n = d ? d.won + d.lost : 0;
              return <td key={r.name} className="num">{d ? <>{f.pct(d.closeRate)}<span className="small"> ×{f.num(Math.round(d.lift * 100) / 100)}</span>{n < 30 && <span className="small-sample"> {t('compare.smallSample', { n })}</span>}</> : ''}</td>;
            })}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

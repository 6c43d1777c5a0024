/**
 * Weekly volume: how many leads would have reached a stage each week,
 * against the weekly capacity Sales says it has (typed by the user).
 *
 * Input: the report's optional `weekly` section, a capacity number and its
 * setter. Output: a stage picker, the capacity field, a bar chart with the
 * capacity as a reference line, and the count of weeks over capacity.
 * Invariants: a capacity of 0 or empty draws no line and counts no week.
 */
import { memo, useState } from 'react';
import { useI18n } from '../i18n/index.js';
import type { SimulateReport, WeeklyVolume } from './types.js';
import { StackedBars, SERIES_COLORS } from './charts.js';
import { weeksOverCapacity } from './compute.js';

const SMALL_SAMPLE = 30;

/** Per month of creation, for one stage: leads that reached it (won, lost, open stacked) and the precision, with small samples marked. */
export function MonthlyView({ monthly, stage }: { monthly?: SimulateReport['monthly']; stage?: string }) {
  const { t, f } = useI18n();
  if (!monthly || !monthly.months.length) return <p className="muted">{t('monthly.none')}</p>;
  const s = monthly.stages.find((x) => x.name === stage) ?? monthly.stages.find((x) => x.name === 'MQL') ?? monthly.stages[0]!;
  const open = s.reached.map((r, k) => r - s.won[k]! - s.lost[k]!);
  return (
    <div className="stack" data-testid="monthly">
      <StackedBars
        title={t('monthly.title', { stage: s.name })}
        categories={monthly.months}
        series={[
          { name: t('outcome.won'), color: SERIES_COLORS.won, values: s.won },
          { name: t('outcome.lost'), color: SERIES_COLORS.lost, values: s.lost },
          { name: t('outcome.open'), color: SERIES_COLORS.open, values: open },
        ]}
        xTitle={t('monthly.axisMonth')} yTitle={t('monthly.axisLeads')}
      />
      <table className="data-table" aria-label={t('monthly.title', { stage: s.name })}>
        <thead><tr>
          <th scope="col">{t('monthly.month')}</th><th scope="col" className="num">{t('monthly.created')}</th>
          <th scope="col" className="num">{t('monthly.reached', { stage: s.name })}</th><th scope="col" className="num">{t('compare.won')}</th>
          <th scope="col" className="num">{t('compare.lost')}</th><th scope="col" className="num">{t('monthly.precision')}</th>
        </tr></thead>
        <tbody>
          {monthly.months.map((m, k) => {
            const d = s.won[k]! + s.lost[k]!;
            return (
              <tr key={m}><th scope="row" className="nowrap">{m}</th><td className="num">{f.int(monthly.created[k]!)}</td><td className="num">{f.int(s.reached[k]!)}</td>
                <td className="num">{f.int(s.won[k]!)}</td><td className="num">{f.int(s.lost[k]!)}</td>
                <td className="num">{d ? f.pct(s.won[k]! / d) : '–'}{d > 0 && d < SMALL_SAMPLE && <span className="small-sample"> {t('compare.smallSample', { n: d })}</span>}</td></tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function VolumeViewView(props: { weekly?: WeeklyVolume[]; capacity: number; onCapacity: (n: number) => void; monthly?: SimulateReport['monthly'] }) {
  const { t, f } = useI18n();
  const [stage, setStage] = useState<string | undefined>(undefined);
  const weekly = props.weekly ?? [];
  const w = weekly.find((x) => x.stage === stage) ?? weekly.find((x) => x.stage === 'MQL') ?? weekly[0];
  return (
    <div className="stack">
      <div className="row">
        <label className="field inline">
          <span>{t('volume.capacity')}</span>
          <input type="number" min={0} step={1} inputMode="numeric" value={props.capacity > 0 ? props.capacity : ''}
            onChange={(e) => props.onCapacity(Number(e.target.value) || 0)} data-testid="capacity" />
        </label>
        {weekly.length > 1 && w && (
          <label className="field inline">
            <span>{t('volume.stage')}</span>
            <select value={w.stage} onChange={(e) => setStage(e.target.value)}>
              {weekly.map((x) => <option key={x.stage} value={x.stage}>{x.stage}</option>)}
            </select>
          </label>
        )}
      </div>
      {!w ? <p className="muted">{t('volume.none')}</p> : (
        <>
          <StackedBars
            title={t('volume.title', { stage: w.stage })}
            categories={w.weeks.map((x) => f.date(x.week))}
            series={[{ name: w.stage, color: SERIES_COLORS.a, values: w.weeks.map((x) => x.count) }]}
            xTitle={t('volume.axisWeek')} yTitle={t('volume.axisLeads')}
            refLine={props.capacity > 0 ? { value: props.capacity, label: t('volume.capacityLine'), overLabel: t('volume.overLine') } : undefined}
          />
          {props.capacity > 0 && (
            <p className="strong" role="status">{t('volume.over', { weeks: weeksOverCapacity(w, props.capacity), total: w.weeks.length })}</p>
          )}
        </>
      )}
      <h3>{t('monthly.heading')}</h3>
      <MonthlyView monthly={props.monthly} stage={w?.stage ?? stage} />
    </div>
  );
}

/** Memoized: the page re-renders on every keystroke, the views only when their data changes. */
export const VolumeView = memo(VolumeViewView);

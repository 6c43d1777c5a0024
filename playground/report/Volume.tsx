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
import type { WeeklyVolume } from './types.js';
import { StackedBars, SERIES_COLORS } from './charts.js';
import { weeksOverCapacity } from './compute.js';

function VolumeViewView(props: { weekly?: WeeklyVolume[]; capacity: number; onCapacity: (n: number) => void }) {
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
    </div>
  );
}

/** Memoized: the page re-renders on every keystroke, the views only when their data changes. */
export const VolumeView = memo(VolumeViewView);

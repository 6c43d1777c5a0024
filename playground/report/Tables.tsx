/**
 * Tables of the report: close rate per activity with suggested points,
 * routes, and band labels.
 *
 * Input: the report's `activities`, `routes`, `bands` and `baseRate`, and
 * (for suggestions) the points an activity at the base rate should earn.
 * Output: plain accessible tables.
 * Invariants: suggested points come from the report when it has them
 * (`suggestedPoints`), else from the close-rate method (ratio × points at
 * the base rate); rows keep the report's order.
 */
import { memo } from 'react';
import { useI18n } from '../i18n/index.js';
import type { ActivityMetrics, BandLabelMetrics, RouteMetrics } from './types.js';
import { suggestedPoints } from './compute.js';

function ActivityTableView(props: { activities: ActivityMetrics[]; pointsAtBase: number; onPointsAtBase: (n: number) => void }) {
  const { t, f } = useI18n();
  if (!props.activities.length) return <p className="muted">{t('activities.none')}</p>;
  const fromSimulator = props.activities.every((a) => a.suggestedPoints !== undefined);
  return (
    <div className="stack">
      {!fromSimulator && (
        <label className="field inline">
          <span>{t('activities.unit')}</span>
          <input type="number" step={1} value={props.pointsAtBase} onChange={(e) => props.onPointsAtBase(Number(e.target.value) || 0)} />
        </label>
      )}
      <table className="data-table">
        <caption>{t('activities.title')}</caption>
        <thead><tr>
          <th scope="col">{t('activities.activity')}</th>
          <th scope="col" className="num">{t('activities.leads')}</th>
          <th scope="col" className="num">{t('table.won')}</th>
          <th scope="col" className="num">{t('activities.closeRate')}</th>
          <th scope="col" className="num">{t('activities.ratio')}</th>
          <th scope="col" className="num">{t('activities.suggested')}</th>
        </tr></thead>
        <tbody>
          {props.activities.map((a) => (
            <tr key={a.name}>
              <th scope="row"><code>{a.name}</code></th>
              <td className="num">{f.int(a.leads)}</td>
              <td className="num">{f.int(a.won)}</td>
              <td className="num">{f.pct(a.closeRate)}{a.closeRateCI && <span className="small"> ({f.pct(a.closeRateCI[0])} – {f.pct(a.closeRateCI[1])})</span>}</td>
              <td className="num">{f.num(a.ratio)}×</td>
              <td className="num strong">{(() => { const p = a.suggestedPoints ?? suggestedPoints(a.ratio, props.pointsAtBase); return Number.isFinite(p) ? (p > 0 ? '+' : '') + f.int(p) : '–'; })()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{fromSimulator ? t('activities.noteLog') : t('activities.note')}</p>
    </div>
  );
}

function RouteTableView({ routes }: { routes: RouteMetrics[] }) {
  const { t, f } = useI18n();
  if (!routes.length) return <p className="muted">{t('routes.none')}</p>;
  return (
    <table className="data-table">
      <caption>{t('routes.title')}</caption>
      <thead><tr>
        <th scope="col">{t('routes.route')}</th>
        <th scope="col" className="num">{t('routes.leads')}</th>
        <th scope="col" className="num">{t('table.won')}</th>
        <th scope="col" className="num">{t('table.lost')}</th>
        <th scope="col" className="num">{t('routes.closeRate')}</th>
      </tr></thead>
      <tbody>
        {routes.map((r) => (
          <tr key={r.name}>
            <th scope="row">{r.name}</th>
            <td className="num">{f.int(r.leads)}</td>
            <td className="num">{f.int(r.won)}</td>
            <td className="num">{f.int(r.lost)}</td>
            <td className="num">{f.pct(r.closeRate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function BandTablesView({ bands }: { bands: Record<string, BandLabelMetrics[]> }) {
  const { t, f } = useI18n();
  const names = Object.keys(bands);
  if (!names.length) return null;
  return (
    <div className="band-tables">
      {names.map((name) => (
        <table key={name} className="data-table">
          <caption>{t('bands.band', { name })}</caption>
          <thead><tr>
            <th scope="col">{t('bands.label')}</th>
            <th scope="col" className="num">{t('routes.leads')}</th>
            <th scope="col" className="num">{t('table.won')}</th>
            <th scope="col" className="num">{t('routes.closeRate')}</th>
          </tr></thead>
          <tbody>
            {bands[name]!.map((b) => (
              <tr key={b.label}>
                <th scope="row">{b.label}</th>
                <td className="num">{f.int(b.leads)}</td>
                <td className="num">{f.int(b.won)}</td>
                <td className="num">{f.pct(b.closeRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

/** Memoized: the page re-renders on every keystroke, the views only when their data changes. */
export const ActivityTable = memo(ActivityTableView);
export const RouteTable = memo(RouteTableView);
export const BandTables = memo(BandTablesView);

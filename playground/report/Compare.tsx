/**
 * Compare the current rules with a pinned baseline: KPI changes per stage,
 * the text diff of the two rulesets, and the leads whose stage changed.
 *
 * Input: the current report (with `baseline` when one is pinned), the two
 * texts, and the changed leads the worker found. Output: React elements.
 * Invariants: with no baseline pinned, only an explanation of how to pin
 * one is shown; a rate change is shown in percentage points; each changed
 * lead can be opened in Explain; the leads that entered and left each stage
 * are shown with their close rates, and a rate on fewer than 30 decided
 * leads is marked as a small sample.
 */
import { useI18n } from '../i18n/index.js';
import type { ChangedLead, MarginalLeads, SimulateReport } from './types.js';
import { compareStages, diffHunks, lineDiff } from './compute.js';

export function TextDiff({ before, after }: { before: string; after: string }) {
  const { t } = useI18n();
  const hunks = diffHunks(lineDiff(before, after));
  if (!hunks.length) return <p className="muted">{t('compare.noTextChanges')}</p>;
  return (
    <pre className="diff" aria-label={t('compare.textDiff')} tabIndex={0}>
      {hunks.map((h, i) => {
        if (h.kind === 'gap') return <div key={i} className="diff-gap">⋯ {h.count}</div>;
        const sign = h.kind === 'add' ? '+' : h.kind === 'del' ? '−' : ' ';
        const label = h.kind === 'add' ? t('compare.lineAdded') : h.kind === 'del' ? t('compare.lineRemoved') : undefined;
        return (
          <div key={i} className={`diff-${h.kind}`} aria-label={label ? `${label} ${h.newLine ?? h.oldLine}` : undefined}>
            <span className="diff-ln">{h.kind === 'del' ? h.oldLine : h.newLine}</span>
            <span className="diff-sign" aria-hidden="true">{sign}</span>
            {h.text}
          </div>
        );
      })}
    </pre>
  );
}

const SMALL_SAMPLE = 30;

/** The leads that entered and left each stage, with close rates and the paired interval of the change in precision. */
export function MarginalTable({ report }: { report: SimulateReport }) {
  const { t, f } = useI18n();
  const stages = (report.delta?.stages ?? []).filter((d) => d.entered && d.left);
  if (!stages.length) return null;
  const rateCell = (m: MarginalLeads) => {
    const decided = m.won + m.lost;
    return (
      <td className="num">
        {f.pct(m.precision)}{decided > 0 && <span className="small"> ({f.pct(m.precisionCI[0])}–{f.pct(m.precisionCI[1])})</span>}
        {decided > 0 && decided < SMALL_SAMPLE && <span className="badge warn small-sample"> {t('compare.smallSample', { n: decided })}</span>}
      </td>
    );
  };
  return (
    <>
      <h3>{t('compare.marginal')}</h3>
      <p className="muted small">{t('compare.marginalNote')}</p>
      <table className="data-table" aria-label={t('compare.marginal')} data-testid="marginal-table">
        <thead><tr>
          <th scope="col">{t('compare.stage')}</th><th scope="col">{t('compare.group')}</th>
          <th scope="col" className="num">{t('compare.leads')}</th><th scope="col" className="num">{t('compare.won')}</th>
          <th scope="col" className="num">{t('compare.lost')}</th><th scope="col" className="num">{t('compare.closeRate')}</th>
          <th scope="col" className="num">{t('compare.precisionChange')}</th>
        </tr></thead>
        <tbody>
          {stages.flatMap((d) => {
            const e = d.entered!;
            const l = d.left!;
            const ci = d.precisionDeltaCI ?? [NaN, NaN];
            const change = <td key="change" className="num strong" rowSpan={2}>{f.pctPoints(d.precision ?? NaN)}<span className="small"> ({f.pctPoints(ci[0])} … {f.pctPoints(ci[1])})</span></td>;
            if (!e.leads && !l.leads) return [<tr key={d.name}><th scope="row">{d.name}</th><td colSpan={6} className="muted">{t('compare.sameLeads')}</td></tr>];
            return [
              <tr key={d.name + 'e'}><th scope="row" rowSpan={2}>{d.name}</th><td>{t('compare.entered')}</td>
                <td className="num">{f.int(e.leads)}</td><td className="num">{f.int(e.won)}</td><td className="num">{f.int(e.lost)}</td>{rateCell(e)}{change}</tr>,
              <tr key={d.name + 'l'}><td>{t('compare.left')}</td>
                <td className="num">{f.int(l.leads)}</td><td className="num">{f.int(l.won)}</td><td className="num">{f.int(l.lost)}</td>{rateCell(l)}</tr>,
            ];
          })}
        </tbody>
      </table>
    </>
  );
}

export function ComparePanel(props: {
  report?: SimulateReport; baselineText?: string; text: string; changed: ChangedLead[];
  /** open a changed lead in Explain */
  onExplain?: (id: string) => void;
}) {
  const { t, f } = useI18n();
  if (props.baselineText === undefined) return <p className="muted">{t('compare.noBaseline')}</p>;
  const rows = props.report ? compareStages(props.report) : [];
  const outcome = (o: ChangedLead['outcome']) => t(o === 'won' ? 'outcome.won' : o === 'lost' ? 'outcome.lost' : 'outcome.open');
  return (
    <div className="stack">
      <h2>{t('compare.title')}</h2>
      {rows.length > 0 && (
        <table className="data-table">
          <thead><tr>
            <th scope="col">{t('compare.metric')}</th>
            <th scope="col" className="num">{t('compare.baseline')}</th>
            <th scope="col" className="num">{t('compare.current')}</th>
            <th scope="col" className="num">{t('compare.change')}</th>
          </tr></thead>
          <tbody>
            {rows.flatMap((r) => [
              <tr key={r.name + 'r'}><th scope="row">{r.name} · {t('kpi.reached')}</th>
                <td className="num">{f.int(r.baseline?.reached ?? NaN)}</td><td className="num">{f.int(r.current?.reached ?? NaN)}</td>
                <td className="num strong">{f.signedInt(r.reached)}</td></tr>,
              <tr key={r.name + 'p'}><th scope="row">{r.name} · {t('kpi.precision')}</th>
                <td className="num">{f.pct(r.baseline?.precision ?? NaN)}</td><td className="num">{f.pct(r.current?.precision ?? NaN)}</td>
                <td className="num strong">{f.pctPoints(r.precision)}</td></tr>,
              <tr key={r.name + 'c'}><th scope="row">{r.name} · {t('kpi.recall')}</th>
                <td className="num">{f.pct(r.baseline?.recall ?? NaN)}</td><td className="num">{f.pct(r.current?.recall ?? NaN)}</td>
                <td className="num strong">{f.pctPoints(r.recall)}</td></tr>,
            ])}
          </tbody>
        </table>
      )}
      {props.report && <MarginalTable report={props.report} />}
      <h3>{t('compare.textDiff')}</h3>
      <TextDiff before={props.baselineText} after={props.text} />
      <h3>{t('compare.changedLeads')}{props.changed.length > 0 && <span className="small"> ({t('compare.changedCount', { n: props.changed.length })})</span>}</h3>
      {props.changed.length === 0 ? <p className="muted">{t('compare.noChangedLeads')}</p> : (
        <table className="data-table">
          <thead><tr>
            <th scope="col">{t('compare.lead')}</th><th scope="col">{t('compare.before')}</th>
            <th scope="col">{t('compare.after')}</th><th scope="col">{t('compare.outcome')}</th>
          </tr></thead>
          <tbody>
            {props.changed.map((c) => (
              <tr key={c.id}>
                <th scope="row">{props.onExplain
                  ? <button type="button" className="link" onClick={() => props.onExplain!(c.id)} title={t('compare.explainLead', { id: c.id })}>{c.id}</button>
                  : c.id}</th>
                <td>{c.before}</td><td>{c.after}</td><td>{outcome(c.outcome)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * Compare the current rules with a pinned baseline: KPI changes per stage,
 * the text diff of the two rulesets, and the leads whose stage changed.
 *
 * Input: the current report (with `baseline` when one is pinned), the two
 * texts, and the changed leads the worker found. Output: React elements.
 * Invariants: with no baseline pinned, only an explanation of how to pin
 * one is shown; a rate change is shown in percentage points; each changed
 * lead can be opened in Explain.
 */
import { useI18n } from '../i18n/index.js';
import type { ChangedLead, SimulateReport } from './types.js';
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

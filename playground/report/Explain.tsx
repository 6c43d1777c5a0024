/**
 * Explain one lead: every rule with fired / did not fire, its points, the
 * condition tree with each condition's truth value and the values it read,
 * the scores, bands, stage history (when each stage was first reached, and
 * why the stage condition holds or not), and the route chosen.
 *
 * Input: an `Explanation` from the worker (the compiled scorer's
 * `ExplainTrace`), a request callback, and optionally a lead id to ask for
 * (e.g. a changed lead picked in Compare).
 * Output: a small form (lead id, optional date) and the explanation.
 * Invariants: the form works from the keyboard (Enter submits); an unknown
 * id, missing data or rules with errors are said in words, not as an empty
 * table; truth values are shown as words and symbols, not colour alone.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.js';
import type { Explanation } from '../worker/api.js';
import type { ExplainCond, ExplainValue } from '../../language/shared/result-types.js';

/** A number with two decimals at most; the full value on hover. */
function Num({ value, signed = false }: { value: number; signed?: boolean }) {
  const { f } = useI18n();
  const text = (signed && value > 0 ? '+' : '') + f.num(value);
  const full = String(value);
  return full === f.num(value).replace(/,/g, '') ? text : <span title={full} className="approx">{text}</span>;
}

function ShowValue({ v }: { v: ExplainValue }) {
  const { t, f } = useI18n();
  if (v.value === null) return <>{t('explain.missing')}</>;
  if (v.type === 'date' && typeof v.value === 'number') return <>{f.dateTime(v.value)}</>;
  if (typeof v.value === 'number') return <Num value={v.value} />;
  return <>{typeof v.value === 'string' ? JSON.stringify(v.value) : String(v.value)}</>;
}

function CondTree({ cond, depth = 0 }: { cond: ExplainCond; depth?: number }) {
  const { t } = useI18n();
  return (
    <div className="cond" style={{ marginLeft: depth ? '1.2em' : 0 }}>
      <span className={cond.value ? 'pass' : 'fail'} aria-label={cond.value ? t('explain.true') : t('explain.false')}>
        {cond.value ? '✔' : '✘'}
      </span>{' '}
      <code>{cond.src}</code>
      {cond.reads.length > 0 && (
        <span className="small"> — {cond.reads.map((r, i) => <span key={i}>{i > 0 && ', '}{r.src} = <ShowValue v={r} /></span>)}</span>
      )}
      {cond.args.map((a, i) => <CondTree key={i} cond={a} depth={depth + 1} />)}
    </div>
  );
}

export function ExplainPanel(props: { result?: Explanation; onExplain: (id: string, asOf?: string) => void; requestId?: string }) {
  const { t, f } = useI18n();
  const [id, setId] = useState(props.requestId ?? '');
  const [asOf, setAsOf] = useState('');
  useEffect(() => { if (props.requestId) setId(props.requestId); }, [props.requestId]);
  const submit = (e: FormEvent) => { e.preventDefault(); if (id.trim()) props.onExplain(id.trim(), asOf || undefined); };
  const r = props.result;
  const tr = r?.trace;
  const outcome = (o: NonNullable<Explanation['outcome']>) => t(o === 'won' ? 'outcome.won' : o === 'lost' ? 'outcome.lost' : 'outcome.open');
  return (
    <div className="stack">
      <form className="row" onSubmit={submit}>
        <label className="field inline"><span>{t('explain.leadId')}</span>
          <input value={id} onChange={(e) => setId(e.target.value)} data-testid="explain-id" /></label>
        <label className="field inline"><span>{t('explain.asOf')}</span>
          <input type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} /></label>
        <button type="submit" data-testid="explain-run">{t('explain.run')}</button>
      </form>
      {r && !r.available && <p className="muted" role="status">{t('explain.unavailable')}</p>}
      {r && r.available && !r.found && (
        <p className="warning" role="status">{r.message === 'rules' ? t('run.hasErrors') : r.message ? r.message : t('explain.notFound', { id: r.id })}</p>
      )}
      {r && r.available && r.found && (
        <div className="stack" data-testid="explanation">
          <p className="muted">
            {t('explain.context', { id: r.id, outcome: r.outcome ? outcome(r.outcome) : '–', asOf: r.asOf !== undefined ? f.dateTime(r.asOf) : '–', events: r.events ?? 0 })}
          </p>
          <dl className="summary-list">
            <div className="summary-item"><dt>{t('explain.stage')}</dt><dd data-testid="explain-stage">{r.stage}</dd></div>
            <div className="summary-item"><dt>{t('explain.route')}</dt><dd>{r.route ?? '–'}</dd></div>
            {Object.entries(r.scores).map(([k, v]) => <div key={k} className="summary-item"><dt>{k}</dt><dd><Num value={v} /></dd></div>)}
            {Object.entries(r.bands).map(([k, v]) => <div key={k} className="summary-item"><dt>{k}</dt><dd>{v}</dd></div>)}
          </dl>
          <table className="data-table">
            <caption>{t('explain.reached')}</caption>
            <tbody>
              {(tr?.stages ?? Object.keys(r.reached).map((name) => ({ name, reached: r.reached[name] ?? null, cond: null }))).map((s) => (
                <tr key={s.name}>
                  <th scope="row">{s.name}</th>
                  <td>{s.reached === null ? t('explain.never') : f.dateTime(s.reached)}</td>
                  <td>{s.cond ? <CondTree cond={s.cond} /> : <span className="small">{t('explain.otherwise')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {tr && tr.history.some((h) => h.reached.length > 0) && (
            <table className="data-table">
              <caption>{t('explain.history')}</caption>
              <tbody>
                {tr.history.filter((h) => h.reached.length > 0).map((h, i) => (
                  <tr key={i}><th scope="row">{f.dateTime(h.at)}</th><td>{h.reached.join(', ')}</td></tr>
                ))}
              </tbody>
            </table>
          )}
          <table className="data-table explain-rules">
            <caption>{t('explain.rules')}</caption>
            <thead><tr>
              <th scope="col">{t('explain.line')}</th><th scope="col">{t('explain.rule')}</th>
              <th scope="col" className="num">{t('explain.points')}</th><th scope="col">{t('explain.conditions')}</th>
            </tr></thead>
            <tbody>
              {(tr?.rules ?? []).map((rule, i) => (
                <tr key={i} className={rule.fired ? 'fired' : 'not-fired'}>
                  <td>{rule.line}</td>
                  <td><code>{rule.score}: {rule.rule}</code><div className="small">{rule.fired ? '✔ ' + t('explain.fired') : '✘ ' + t('explain.notFired')}</div></td>
                  <td className="num strong">{rule.fired ? <Num value={rule.points} signed /> : '0'}</td>
                  <td>
                    {rule.cond && <CondTree cond={rule.cond} />}
                    {rule.events !== null && <div className="small">{t('explain.eventsInWindow', { n: rule.events })}</div>}
                    {rule.value !== null && <div className="small">{t('explain.valueRead', { value: f.num(rule.value) })}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {tr && tr.routes.length > 0 && (
            <table className="data-table">
              <caption>{t('explain.routes')}</caption>
              <tbody>
                {tr.routes.map((rt, i) => (
                  <tr key={i} className={rt.chosen ? 'fired' : 'not-fired'}>
                    <th scope="row">{rt.chosen ? '➜ ' : ''}{rt.action}</th>
                    <td>{rt.cond ? <CondTree cond={rt.cond} /> : <span className="small">{t('explain.otherwise')}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </div>
  );
}

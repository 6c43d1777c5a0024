/**
 * The Review tab of a co-authoring session: shared data, comment threads on
 * lines, proposals with their impact, decisions, releases, diffs of any two
 * versions, and the audit log.
 *
 * Input: the session (role, API), the cursor line for new comments, and a
 * callback to reveal a line in the editor.
 * Output: the panel; every change goes through the server's API, and the
 * panel reloads when the server says the review state changed.
 * Invariants: everything from the server (names, comments, titles, lead
 * ids, file names) is rendered as React text, never as HTML; buttons are
 * shown only for what the link's role may do (the server checks anyway).
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.js';
import type { CollabSession } from './session.js';

interface StageRow { name: string; reached: number; won: number; precision: number | null; recall: number | null; lift: number | null }
type Impact =
  | { dataset: string; leads: number; stages: StageRow[]; baseline: null | { label: string; stages: StageRow[] }; moves: { stage: string; entered: number; left: number; enteredIds: string[]; leftIds: string[] }[]; changedLeads: number }
  | { error: string };
interface Proposal { id: number; title: string; status: string; author: string; createdAt: string; baseVersion: number | null; impact: Impact | null; decidedBy: string | null; decisionComment: string | null }
interface Thread { id: number; line: number | null; resolved: boolean; resolvedBy: string | null; comments: { id: number; author: string; body: string; at: string }[] }
interface Release { version: number; publishedBy: string; publishedAt: string; proposalId: number | null }
interface AuditEntry { id: number; at: string; actor: string; action: string }
interface Dataset { name: string; leads: { name: string; bytes: number }; events: { name: string; bytes: number } | null; uploadedBy: string; uploadedAt: string }
interface Diff { a: string; b: string; hunks: { oldStart: number; newStart: number; lines: string[] }[]; impact: Impact }

const can = (role: string, what: 'comment' | 'propose' | 'decide' | 'upload') =>
  role === 'admin' || (what === 'comment' ? role === 'edit' || role === 'review' : what === 'decide' ? role === 'review' : role === 'edit');

export function ImpactTable({ impact }: { impact: Impact | null }) {
  const { t, f } = useI18n();
  if (!impact) return null;
  if ('error' in impact) return <p className="muted" data-testid="impact-error">{impact.error}</p>;
  const base = new Map((impact.baseline?.stages ?? []).map((s) => [s.name, s]));
  const moves = new Map(impact.moves.map((m) => [m.stage, m]));
  return (
    <div className="impact" data-testid="impact">
      <p className="small">{impact.baseline ? t('review.impactVs', { base: impact.baseline.label, data: impact.dataset, leads: impact.leads }) : t('review.impactFirst', { data: impact.dataset, leads: impact.leads })}</p>
      <table>
        <thead><tr><th>{t('review.stage')}</th><th>{t('review.reached')}</th><th>{t('review.deltaReached')}</th><th>{t('review.precision')}</th><th>{t('review.deltaPrecision')}</th><th>{t('review.entered')}</th><th>{t('review.left')}</th></tr></thead>
        <tbody>
          {impact.stages.map((s) => {
            const b = base.get(s.name);
            const m = moves.get(s.name);
            return (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td>{f.int(s.reached)}</td>
                <td>{b ? f.signedInt(s.reached - b.reached) : '–'}</td>
                <td>{f.pct(s.precision ?? NaN)}</td>
                <td>{b && s.precision !== null && b.precision !== null ? f.pctPoints(s.precision - b.precision) : '–'}</td>
                <td title={m?.enteredIds.join(', ')}>{m ? f.int(m.entered) : '–'}</td>
                <td title={m?.leftIds.join(', ')}>{m ? f.int(m.left) : '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function ReviewPanel(props: { session: CollabSession; cursorLine: () => number; onReveal: (line: number) => void }) {
  const { session } = props;
  const { t, f } = useI18n();
  const role = session.role;
  const [threads, setThreads] = useState<Thread[]>([]);
  const [proposals, setProposals] = useState<Proposal[]>([]);
  const [releases, setReleases] = useState<Release[]>([]);
  const [auditLog, setAudit] = useState<AuditEntry[]>([]);
  const [dataset, setDataset] = useState<Dataset | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [commentText, setCommentText] = useState('');
  const [replies, setReplies] = useState<Record<number, string>>({});
  const [title, setTitle] = useState('');
  const [decisionComments, setDecisionComments] = useState<Record<number, string>>({});
  const [diffA, setDiffA] = useState('');
  const [diffB, setDiffB] = useState('live');
  const [diff, setDiff] = useState<Diff | undefined>();

  const reload = useCallback(async () => {
    try {
      const [c, p, r, a, d] = await Promise.all([
        session.api<Thread[]>('/comments'), session.api<Proposal[]>('/proposals'), session.api<Release[]>('/releases'),
        session.api<AuditEntry[]>('/audit'), session.api<Dataset | null>('/dataset'),
      ]);
      setThreads(c); setProposals(p); setReleases(r); setAudit(a); setDataset(d);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [session]);
  useEffect(() => { void reload(); return session.onChanged(() => void reload()); }, [session, reload]);

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      await reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const upload = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const ev = form.get('events');
    if (ev instanceof File && ev.size === 0) form.delete('events');
    void act(() => session.api('/dataset', { form }));
  };

  const versions = [
    ...releases.map((r) => ({ ref: `release:${r.version}`, label: t('review.releaseN', { version: r.version }) })),
    ...proposals.map((p) => ({ ref: `proposal:${p.id}`, label: t('review.proposalN', { id: p.id, title: p.title }) })),
    { ref: 'live', label: t('review.live') },
  ];

  return (
    <div className="stack review" data-testid="review-panel">
      {error && <p className="fail" role="alert" data-testid="review-error">{error}</p>}

      <section aria-labelledby="rv-data">
        <h3 id="rv-data">{t('review.sharedData')}</h3>
        {dataset
          ? <p data-testid="shared-dataset">{t('review.datasetIs', { name: dataset.name, by: dataset.uploadedBy, when: f.dateTime(dataset.uploadedAt) })}</p>
          : <p className="muted">{t('review.noDataset')}</p>}
        {can(role, 'upload') && (
          <form className="row wrap" onSubmit={upload} data-testid="upload-form">
            <label className="field inline"><span>{t('review.leadsFile')}</span><input type="file" name="leads" required accept=".csv,.jsonl,.json,.txt,.parquet,.arrow" /></label>
            <label className="field inline"><span>{t('review.eventsFile')}</span><input type="file" name="events" accept=".csv,.jsonl,.json,.txt,.parquet,.arrow" /></label>
            <label className="field inline"><span>{t('review.idColumn')}</span><input name="id" size={8} placeholder="id" /></label>
            <label className="field inline"><span>{t('review.outcomeColumn')}</span><input name="outcome" size={8} placeholder="outcome" /></label>
            <button type="submit" disabled={busy}>{t('review.upload')}</button>
          </form>
        )}
      </section>

      <section aria-labelledby="rv-comments">
        <h3 id="rv-comments">{t('review.comments')}</h3>
        {can(role, 'comment') && (
          <div className="row">
            <textarea value={commentText} onChange={(e) => setCommentText(e.target.value)} placeholder={t('review.commentPlaceholder')} rows={2} data-testid="comment-text" />
            <button type="button" disabled={busy || !commentText.trim()} data-testid="comment-add"
              onClick={() => { const line = props.cursorLine(); void act(async () => { await session.api('/comments', { body: { line, body: commentText } }); setCommentText(''); }); }}>
              {t('review.commentOnLine')}
            </button>
          </div>
        )}
        {threads.length === 0 ? <p className="muted">{t('review.noComments')}</p> : (
          <ul className="threads">
            {threads.map((th) => (
              <li key={th.id} className={th.resolved ? 'resolved' : ''} data-testid="thread">
                <button type="button" className="link" onClick={() => th.line && props.onReveal(th.line)}>{t('review.line', { line: th.line ?? 1 })}</button>
                {th.resolved && <span className="small"> · {t('review.resolvedBy', { who: th.resolvedBy ?? '' })}</span>}
                <ul>
                  {th.comments.map((c) => <li key={c.id}><strong>{c.author}</strong> <span className="small">{f.dateTime(c.at)}</span><p className="comment-body">{c.body}</p></li>)}
                </ul>
                {can(role, 'comment') && (
                  <div className="row">
                    <input value={replies[th.id] ?? ''} onChange={(e) => setReplies((r) => ({ ...r, [th.id]: e.target.value }))} placeholder={t('review.replyPlaceholder')} aria-label={t('review.reply')} />
                    <button type="button" disabled={busy || !(replies[th.id] ?? '').trim()}
                      onClick={() => void act(async () => { await session.api('/comments', { body: { threadId: th.id, body: replies[th.id] } }); setReplies((r) => ({ ...r, [th.id]: '' })); })}>{t('review.reply')}</button>
                    <button type="button" disabled={busy} onClick={() => void act(() => session.api(`/comments/${th.id}/resolve`, { body: { resolved: !th.resolved } }))}>
                      {th.resolved ? t('review.reopen') : t('review.resolve')}
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="rv-proposals">
        <h3 id="rv-proposals">{t('review.proposals')}</h3>
        {can(role, 'propose') && (
          <div className="row">
            <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder={t('review.titlePlaceholder')} aria-label={t('review.title')} data-testid="proposal-title" />
            <button type="button" disabled={busy} data-testid="propose" onClick={() => void act(async () => { await session.api('/proposals', { body: { title } }); setTitle(''); })}>{t('review.propose')}</button>
          </div>
        )}
        {proposals.length === 0 ? <p className="muted">{t('review.noProposals')}</p> : proposals.map((p) => (
          <article key={p.id} className="proposal" data-testid="proposal">
            <h4>#{p.id} {p.title} <span className={`status ${p.status}`} data-testid="proposal-status">{t(`review.status.${p.status}` as 'review.status.open')}</span></h4>
            <p className="small">{t('review.proposedBy', { who: p.author, when: f.dateTime(p.createdAt) })}{p.decidedBy ? ` · ${t('review.decidedBy', { who: p.decidedBy })}` : ''}{p.decisionComment ? `: ${p.decisionComment}` : ''}</p>
            <ImpactTable impact={p.impact} />
            {p.status === 'open' && can(role, 'decide') && (
              <div className="row">
                <input value={decisionComments[p.id] ?? ''} onChange={(e) => setDecisionComments((d) => ({ ...d, [p.id]: e.target.value }))} placeholder={t('review.decisionPlaceholder')} aria-label={t('review.decisionComment')} />
                <button type="button" disabled={busy} data-testid="approve" onClick={() => void act(() => session.api(`/proposals/${p.id}/decision`, { body: { decision: 'approve', comment: decisionComments[p.id] ?? '' } }))}>{t('review.approve')}</button>
                <button type="button" disabled={busy} onClick={() => void act(() => session.api(`/proposals/${p.id}/decision`, { body: { decision: 'reject', comment: decisionComments[p.id] ?? '' } }))}>{t('review.reject')}</button>
              </div>
            )}
            {p.status === 'approved' && can(role, 'decide') && (
              <button type="button" disabled={busy} data-testid="publish" onClick={() => void act(() => session.api(`/proposals/${p.id}/publish`, { method: 'POST' }))}>{t('review.publish')}</button>
            )}
          </article>
        ))}
      </section>

      <section aria-labelledby="rv-history">
        <h3 id="rv-history">{t('review.history')}</h3>
        {releases.length === 0 ? <p className="muted">{t('review.noReleases')}</p> : (
          <ul data-testid="releases">
            {releases.map((r) => <li key={r.version}>{t('review.releaseLine', { version: r.version, who: r.publishedBy, when: f.dateTime(r.publishedAt) })}</li>)}
          </ul>
        )}
        <div className="row wrap">
          <label className="field inline"><span>{t('review.diffFrom')}</span>
            <select value={diffA} onChange={(e) => setDiffA(e.target.value)}><option value="">–</option>{versions.map((v) => <option key={v.ref} value={v.ref}>{v.label}</option>)}</select></label>
          <label className="field inline"><span>{t('review.diffTo')}</span>
            <select value={diffB} onChange={(e) => setDiffB(e.target.value)}>{versions.map((v) => <option key={v.ref} value={v.ref}>{v.label}</option>)}</select></label>
          <button type="button" disabled={busy || !diffA} onClick={() => void act(async () => setDiff(await session.api<Diff>(`/diff?a=${encodeURIComponent(diffA)}&b=${encodeURIComponent(diffB)}`)))}>{t('review.showDiff')}</button>
        </div>
        {diff && (
          <div data-testid="diff">
            <p className="small">{t('review.diffOf', { a: diff.a, b: diff.b })}</p>
            {diff.hunks.length === 0 ? <p className="muted">{t('review.noDifference')}</p> : (
              <pre className="diff">{diff.hunks.map((h, i) => (
                <span key={i}>{`@@ ${h.oldStart} / ${h.newStart}\n`}{h.lines.map((l, j) => <span key={j} className={l[0] === '+' ? 'add' : l[0] === '-' ? 'del' : ''}>{l + '\n'}</span>)}</span>
              ))}</pre>
            )}
            <ImpactTable impact={diff.impact} />
          </div>
        )}
      </section>

      <section aria-labelledby="rv-audit">
        <h3 id="rv-audit">{t('review.audit')}</h3>
        <ul className="audit small" data-testid="audit">
          {auditLog.slice(0, 50).map((a) => <li key={a.id}>{f.dateTime(a.at)} · {a.actor} · {a.action}</li>)}
        </ul>
      </section>
    </div>
  );
}

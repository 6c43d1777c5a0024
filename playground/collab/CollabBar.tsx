/**
 * The header strip of a co-authoring session, and the hook that keeps every
 * co-author on the workspace's shared data.
 *
 * Input: the session; for the hook, the page's data loader.
 * Output: `CollabBar` shows the ruleset, the link's role, the connection
 * state, your name (editable) and who else is here with their colour and
 * line; `useSharedData` loads the workspace's dataset into this browser's
 * worker at start and whenever the server says it changed.
 * Invariants: names are rendered as text; the colour swatch uses only a
 * checked `#rrggbb` colour.
 */
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/index.js';
import type { LoadRequest } from '../worker/api.js';
import type { CollabSession, Person } from './session.js';
import './collab.css';

export function CollabBar({ session }: { session: CollabSession }) {
  const { t } = useI18n();
  const [people, setPeople] = useState<Person[]>(() => session.people());
  const [status, setStatus] = useState({ connected: false, unsynced: 0 });
  const [name, setName] = useState(session.name());
  useEffect(() => session.onPeople(() => setPeople(session.people())), [session]);
  useEffect(() => session.onStatus(setStatus), [session]);
  return (
    <div className="collab-bar" data-testid="collab-bar">
      <span className="strong" data-testid="ruleset-name">{session.rulesetName}</span>
      <span className={`role role-${session.role}`} data-testid="role">{t(`collab.role.${session.role}` as 'collab.role.edit')}</span>
      <span className="small" role="status" data-testid="sync-status">
        {!status.connected ? t('collab.offline') : status.unsynced ? t('collab.saving') : t('collab.saved')}
      </span>
      <label className="field inline"><span>{t('collab.yourName')}</span>
        <input value={name} size={12} maxLength={80} data-testid="your-name" onChange={(e) => setName(e.target.value)}
          onBlur={() => session.setName(name)} onKeyDown={(e) => { if (e.key === 'Enter') session.setName(name); }} /></label>
      <ul className="people" aria-label={t('collab.here')} data-testid="people">
        {people.map((p) => (
          <li key={p.clientId} title={p.line ? t('collab.onLine', { line: p.line }) : undefined}>
            <span className="swatch" style={{ background: p.color }} aria-hidden="true" />
            {p.self ? t('collab.you', { name: p.name }) : p.name}{p.line && !p.self ? ` · ${p.line}` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Load the workspace's shared dataset (if any) now and whenever it changes on the server. */
export function useSharedData(session: CollabSession | undefined, load: (req: LoadRequest) => Promise<void>): void {
  useEffect(() => {
    if (!session) return;
    let live = true;
    const fetchAndLoad = async () => {
      const d = await session.api<{ name: string; leads: { name: string }; events: { name: string } | null; options: { id?: string; outcome?: string; missing?: string[] } } | null>('/dataset');
      if (!d || !live) return;
      const leads = await session.download('leads');
      const events = d.events ? await session.download('events') : undefined;
      if (!live) return;
      await load({
        leads: { name: d.leads.name, bytes: leads },
        ...(events && d.events ? { events: { name: d.events.name, bytes: events } } : {}),
        ...(d.options.id ? { id: d.options.id } : {}),
        ...(d.options.outcome ? { outcome: d.options.outcome } : {}),
        ...(d.options.missing ? { missing: d.options.missing } : {}),
      });
    };
    void fetchAndLoad().catch(() => undefined);
    const off = session.onChanged((what) => { if (what === 'dataset') void fetchAndLoad().catch(() => undefined); });
    return () => { live = false; off(); };
  }, [session, load]);
}

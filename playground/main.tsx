/**
 * The playground's entry point: starts the worker, picks the initial rules
 * (a share link's, else the autosaved draft, else the ACME example) and the
 * language (saved choice, else the browser's), and renders the app.
 *
 * Input: the page (URL hash, localStorage, navigator.languages; the query
 * `?leads=N&seed=S&events=E` asks for a generated history of another size,
 * e.g. for benchmarks; `?workers=N` how many workers share a replay;
 * `?readers=N` and `?splitMB=X` how large uploads are parsed in parts).
 * Output: the rendered app in #root (a link never replaces a draft without
 * keeping it as a version, see share/start.ts), with the ACME
 * example and its generated history loaded; opened from a capability link
 * of `lql serve` (`?ruleset=ID&token=T`), the shared workspace instead
 * (its text, data and review), or a plain message when the link fails.
 * Invariants: the language service and the worker are chosen here and
 * only here (the two seams; see playground/README.md).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import acmeText from '../examples/acme.lql?raw';
import { App } from './app/App.js';
import { startWorker } from './worker/client.js';
import { languageService } from './editor/service.js';
import { ACME_DATA } from './data/examples.js';
import type { GenerateRequest } from './worker/api.js';
import { createStore, memoryStorage } from './share/storage.js';
import { startText } from './share/start.js';
import { detectLocale, formatters, translate } from './i18n/index.js';
import { linkFromUrl, openSession, type CollabSession } from './collab/session.js';
import './app/styles.css';

function storage(kind: 'localStorage' | 'sessionStorage') {
  try {
    const s = window[kind];
    s.setItem('lql.probe', '1');
    s.removeItem('lql.probe');
    return s;
  } catch {
    return memoryStorage();
  }
}

const store = createStore(storage('localStorage'));
const session = storage('sessionStorage');
const locale = store.loadPrefs().locale ?? detectLocale(navigator.languages);
const start = startText(location.hash, store, session, acmeText, translate(locale, 'header.draftBeforeLink', { date: formatters(locale).date(Date.now()) }));

function initialData(): GenerateRequest {
  const q = new URLSearchParams(location.search);
  const int = (k: string, d: number, max: number) => {
    const v = Number(q.get(k));
    return Number.isInteger(v) && v > 0 ? Math.min(v, max) : d;
  };
  const leads = int('leads', ACME_DATA.leads, 2_000_000);
  const seed = int('seed', ACME_DATA.seed, 2 ** 31);
  const events = q.get('events') !== null ? int('events', 20, 200) : undefined;
  const name = `ACME (generated: ${leads.toLocaleString('en-US')} leads, seed ${seed})`;
  return { leads, seed, name, ...(events !== undefined ? { eventsPerLead: events } : {}) };
}

/**
 * `?workers=N`: how many workers share a replay (measurements; default one
 * per core); `?readers=N`: how many workers parse a large upload side by
 * side (default one per core but one); `?splitMB=X`: the smallest upload
 * that is parsed in parts (default 20).
 */
function workersAsked(): { workers?: number; readers?: number; splitBytes?: number } {
  const q = new URLSearchParams(location.search);
  const w = Number(q.get('workers'));
  const r = Number(q.get('readers'));
  const mb = Number(q.get('splitMB'));
  return {
    ...(Number.isInteger(w) && w >= 1 ? { workers: Math.min(w, 4) } : {}),
    ...(Number.isInteger(r) && r >= 1 ? { readers: Math.min(r, 16) } : {}),
    ...(q.get('splitMB') !== null && Number.isFinite(mb) && mb >= 0 ? { splitBytes: Math.round(mb * 1e6) } : {}),
  };
}

// A capability link of `lql serve` (?ruleset=ID&token=T) opens the shared workspace instead.
const link = linkFromUrl(location.href);
let collab: CollabSession | undefined;
let linkError: string | undefined;
if (link) {
  try {
    collab = await openSession(link);
  } catch (e) {
    linkError = translate(detectLocale(navigator.languages), 'collab.linkFailed', { message: e instanceof Error ? e.message : String(e) });
  }
}

createRoot(document.getElementById('root')!).render(linkError !== undefined ? <main className="link-error" role="alert"><p>{linkError}</p></main> : (
  <StrictMode>
    <App
      client={startWorker(workersAsked())}
      store={store}
      service={languageService}
      collab={collab}
      initialData={collab ? undefined : initialData()}
      initialText={start.text}
      keptDraft={start.keptDraft}
      session={session}
      exampleText={acmeText}
      initialLocale={detectLocale(navigator.languages)}
    />
  </StrictMode>
));

/**
 * The playground's side of `lql serve`: a co-authoring session opened from
 * a capability link (`?ruleset=ID&token=TOKEN`).
 *
 * Input: the page URL; the server that served the page.
 * Output: a `CollabSession`: the shared Yjs text (synced by a Hocuspocus
 * provider), the role of the link, presence (name, colour, cursor), an
 * authorised `api()` for the HTTP API, change notifications from the
 * server, and `bindEditor` to attach a Monaco editor to the shared text.
 * Invariants:
 * - the token is sent only to the server that served the page (same
 *   origin), in the Authorization header or the collaboration URL;
 * - a view link's editor is read-only in the page; the server refuses its
 *   edits anyway;
 * - names and colours from other people are data: colours are used only
 *   when they are `#rrggbb`, names only as text (a CSS `content` string
 *   escapes every character that is not a letter, digit or space).
 */
import * as Y from 'yjs';
import { HocuspocusProvider } from '@hocuspocus/provider';
import { MonacoBinding } from 'y-monaco';
import type { monaco } from '../editor/monaco.js';

export type Role = 'admin' | 'edit' | 'review' | 'view';

export interface Person {
  clientId: number;
  name: string;
  color: string;
  line: number | null;
  self: boolean;
}

export interface CollabSession {
  rulesetId: string;
  rulesetName: string;
  role: Role;
  doc: Y.Doc;
  text: Y.Text;
  provider: HocuspocusProvider;
  name(): string;
  setName(name: string): void;
  /** people here now (self first) */
  people(): Person[];
  onPeople(cb: () => void): () => void;
  /** the server says the review state or the shared data changed */
  onChanged(cb: (what: 'review' | 'dataset') => void): () => void;
  onStatus(cb: (s: { connected: boolean; unsynced: number }) => void): () => void;
  api<T = unknown>(path: string, init?: { method?: string; body?: unknown; form?: FormData }): Promise<T>;
  /** bytes of the shared dataset's file */
  download(which: 'leads' | 'events'): Promise<ArrayBuffer>;
  bindEditor(editor: monaco.editor.IStandaloneCodeEditor, model: monaco.editor.ITextModel): () => void;
  /** the line of this person's cursor (1 when unknown) */
  cursorLine(): number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#bcbd22', '#0b7a75'];
const NAME_KEY = 'lql.collab.name';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Escape text for a CSS string: everything but letters, digits and spaces as \hex. */
export function cssString(s: string): string {
  let out = '"';
  for (const ch of s) out += /[A-Za-z0-9 ]/.test(ch) ? ch : `\\${ch.codePointAt(0)!.toString(16)} `;
  return out + '"';
}

export function safeColor(c: unknown): string {
  return typeof c === 'string' && /^#[0-9a-fA-F]{6}$/.test(c) ? c : '#7f7f7f';
}

/** The link in the address bar, if the page was opened from one. */
export function linkFromUrl(href: string): { rulesetId: string; token: string } | null {
  const q = new URL(href).searchParams;
  const rulesetId = q.get('ruleset');
  const token = q.get('token');
  return rulesetId && token ? { rulesetId, token } : null;
}

function storedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Open the session of a link: asks the server for the ruleset and the link's role, then connects. */
export async function openSession(link: { rulesetId: string; token: string }, origin = location.origin): Promise<CollabSession> {
  let name = storedName() || `Guest ${Math.floor(Math.random() * 900 + 100)}`;
  const headers = () => ({ authorization: `Bearer ${link.token}`, 'x-lql-name': encodeURIComponent(name) });
  const base = `${origin}/api/rulesets/${encodeURIComponent(link.rulesetId)}`;
  async function call<T>(path: string, init: { method?: string; body?: unknown; form?: FormData } = {}): Promise<T> {
    const res = await fetch(base + path, {
      method: init.method ?? (init.body !== undefined || init.form ? 'POST' : 'GET'),
      headers: { ...headers(), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.form ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
    });
    const type = res.headers.get('content-type') ?? '';
    const value = type.includes('json') ? await res.json() : await res.text();
    if (!res.ok) throw new ApiError(res.status, (value as { error?: string })?.error ?? `HTTP ${res.status}`);
    return value as T;
  }
  const info = await call<{ id: string; name: string; role: Role }>('');
  const doc = new Y.Doc();
  const text = doc.getText('source');
  const provider = new HocuspocusProvider({
    url: `${origin.replace(/^http/, 'ws')}/collab?token=${encodeURIComponent(link.token)}`,
    name: link.rulesetId,
    document: doc,
    token: link.token,
  });
  const awareness = provider.awareness!;
  const color = PALETTE[doc.clientID % PALETTE.length]!;
  awareness.setLocalStateField('user', { name, color });

  const changed = new Set<(what: 'review' | 'dataset') => void>();
  provider.on('stateless', ({ payload }: { payload: string }) => {
    try {
      const m = JSON.parse(payload) as { changed?: string };
      if (m.changed === 'review' || m.changed === 'dataset') for (const cb of changed) cb(m.changed);
    } catch {
      // not ours
    }
  });

  // per-person cursor colours and name labels, as one stylesheet rebuilt on presence changes
  const style = document.createElement('style');
  document.head.appendChild(style);
  const peopleCbs = new Set<() => void>();
  let model: monaco.editor.ITextModel | null = null;
  let editorRef: monaco.editor.IStandaloneCodeEditor | null = null;
  function people(): Person[] {
    const out: Person[] = [];
    for (const [clientId, st] of awareness.getStates()) {
      const user = (st as { user?: { name?: unknown; color?: unknown } }).user;
      if (!user) continue;
      let line: number | null = null;
      const sel = (st as { selection?: { anchor?: unknown } }).selection;
      if (sel?.anchor && model) {
        const pos = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(sel.anchor), doc);
        if (pos) line = model.getPositionAt(pos.index).lineNumber;
      }
      out.push({ clientId, name: typeof user.name === 'string' ? user.name.slice(0, 80) : '?', color: safeColor(user.color), line, self: clientId === doc.clientID });
    }
    return out.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
  }
  awareness.on('change', () => {
    style.textContent = people().filter((p) => !p.self).map((p) => `
.yRemoteSelection-${p.clientId} { background-color: ${p.color}33; }
.yRemoteSelectionHead-${p.clientId} { position: absolute; border-left: 2px solid ${p.color}; height: 100%; box-sizing: border-box; }
.yRemoteSelectionHead-${p.clientId}::after { content: ${cssString(p.name)}; position: absolute; top: -1.1em; left: -2px; font: 11px/1.1 sans-serif; color: #fff; background: ${p.color}; padding: 0 3px; white-space: pre; pointer-events: none; }`).join('\n');
    for (const cb of peopleCbs) cb();
  });

  return {
    rulesetId: info.id,
    rulesetName: info.name,
    role: info.role,
    doc,
    text,
    provider,
    name: () => name,
    setName(n) {
      name = n.trim().slice(0, 80) || name;
      try { localStorage.setItem(NAME_KEY, name); } catch { /* private mode */ }
      awareness.setLocalStateField('user', { name, color });
    },
    people,
    onPeople(cb) { peopleCbs.add(cb); return () => peopleCbs.delete(cb); },
    onChanged(cb) { changed.add(cb); return () => changed.delete(cb); },
    onStatus(cb) {
      const fire = () => cb({ connected: provider.isSynced && provider.configuration.websocketProvider.status === 'connected', unsynced: provider.unsyncedChanges });
      provider.on('status', fire);
      provider.on('synced', fire);
      provider.on('unsyncedChanges', fire);
      fire();
      return () => { provider.off('status', fire); provider.off('synced', fire); provider.off('unsyncedChanges', fire); };
    },
    api: call,
    async download(which) {
      const res = await fetch(`${base}/dataset/${which}`, { headers: headers() });
      if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`);
      return res.arrayBuffer();
    },
    bindEditor(editor, m) {
      model = m;
      editorRef = editor;
      const binding = new MonacoBinding(text, m, new Set([editor]), awareness);
      if (info.role === 'view' || info.role === 'review') editor.updateOptions({ readOnly: true });
      return () => { binding.destroy(); model = null; editorRef = null; };
    },
    cursorLine: () => editorRef?.getPosition()?.lineNumber ?? 1,
  };
}

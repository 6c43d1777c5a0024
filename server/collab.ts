/**
 * Live co-editing for `lql serve`: a Hocuspocus (Yjs) server whose documents
 * are the rulesets' texts, persisted update by update.
 *
 * Input: WebSocket connections (already authorised at the upgrade by the
 * HTTP layer) speaking the Hocuspocus/Yjs protocol, each for one ruleset.
 * Output: every client's edits merged into one Y.Doc per ruleset (its text
 * is the Y.Text `source`), presence (awareness) relayed, and `notify`
 * messages to the clients of a ruleset when its review state changes.
 * Invariants:
 * - a client's update is validated (it must decode as a Yjs update) and
 *   appended to `doc_updates` *before* Hocuspocus applies and acknowledges
 *   it, so an acknowledged edit survives `kill -9`;
 * - a connection whose token may not edit is read-only on the server: its
 *   updates are neither applied nor stored; a malformed message, or one of
 *   a kind clients may not send, closes only that connection;
 * - loading a document folds its stored updates into one snapshot (in one
 *   transaction, while no client is connected to it).
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { Hocuspocus, type Document } from '@hocuspocus/server';
import type { Db, Queryable } from './db.js';
import { lookupToken, may, opens, type Grant } from './access.js';

/** The Yjs text holding a ruleset's source. */
export const SOURCE = 'source';

/** Message kinds a client may send (Hocuspocus numbering): sync, awareness, auth, query awareness, sync reply, close. */
const CLIENT_KINDS = new Set([0, 1, 2, 3, 4, 7]);

export class CollabError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The stored state of a ruleset's document (snapshot plus later updates), as one Y.Doc. */
export async function loadDoc(db: Queryable, id: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const snap = await db.query<{ state: Uint8Array }>('SELECT state FROM doc_snapshots WHERE ruleset_id = $1', [id]);
  if (snap[0]) Y.applyUpdate(doc, snap[0].state);
  const ups = await db.query<{ data: Uint8Array }>('SELECT data FROM doc_updates WHERE ruleset_id = $1 ORDER BY seq', [id]);
  for (const u of ups) {
    try {
      Y.applyUpdate(doc, u.data);
    } catch {
      // updates are validated before they are stored; an unreadable one is skipped, not fatal
    }
  }
  return doc;
}

/** Fold a ruleset's updates into its snapshot. */
async function compact(db: Db, id: string): Promise<Y.Doc> {
  return db.transaction(async (tx) => {
    const doc = await loadDoc(tx, id);
    const max = await tx.query<{ m: number | null }>('SELECT max(seq) AS m FROM doc_updates WHERE ruleset_id = $1', [id]);
    if (max[0]?.m != null) {
      await tx.query(
        'INSERT INTO doc_snapshots (ruleset_id, state, updated_at) VALUES ($1, $2, now()) ON CONFLICT (ruleset_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()',
        [id, Y.encodeStateAsUpdate(doc)],
      );
      await tx.query('DELETE FROM doc_updates WHERE ruleset_id = $1 AND seq <= $2', [id, max[0].m]);
    }
    return doc;
  });
}

/** A new ruleset's first snapshot: its text. */
export async function createDoc(db: Queryable, id: string, text: string): Promise<void> {
  const doc = new Y.Doc();
  doc.getText(SOURCE).insert(0, text);
  await db.query('INSERT INTO doc_snapshots (ruleset_id, state) VALUES ($1, $2)', [id, Y.encodeStateAsUpdate(doc)]);
}

/** The document update a sync message carries, or null (state vectors, other kinds). Throws on malformed bytes. */
function updateOf(message: Uint8Array): { kind: number; update: Uint8Array | null } {
  const d = decoding.createDecoder(message);
  decoding.readVarString(d);
  const kind = decoding.readVarUint(d);
  if (kind !== 0 && kind !== 4) return { kind, update: null };
  const step = decoding.readVarUint(d);
  if (step === 0) return { kind, update: null };
  if (step !== 1 && step !== 2) throw new CollabError('unknown sync step');
  const update = decoding.readVarUint8Array(d);
  Y.decodeUpdate(update); // throws when the bytes are not a Yjs update
  return { kind, update };
}

export interface Collab {
  hocuspocus: Hocuspocus;
  /** the live text of a ruleset (from memory when open, else from storage) */
  text(id: string): Promise<string>;
  /** tell a ruleset's connected clients that its review state or data changed */
  notify(id: string, what: 'review' | 'dataset'): void;
}

export function createCollab(db: Db, opts: { log?: (s: string) => void } = {}): Collab {
  const hocuspocus = new Hocuspocus({
    name: 'lql',
    quiet: true,
    // storage happens per update in beforeHandleMessage; nothing is debounced
    debounce: 0,
    async onAuthenticate({ token, documentName, connectionConfig, context }) {
      const grant: Grant | null = (context as { grant?: Grant }).grant ?? (await lookupToken(db, token));
      // the token given at the upgrade and the one in the protocol must be the same grant
      const again = await lookupToken(db, token);
      if (!grant || !again || again.role !== grant.role || again.rulesetId !== grant.rulesetId || !opens(grant, documentName) || !may(grant.role, 'read')) {
        throw new CollabError('permission-denied');
      }
      connectionConfig.readOnly = !may(grant.role, 'edit');
      return { grant };
    },
    async onLoadDocument({ document, documentName }) {
      const exists = await db.query('SELECT 1 FROM rulesets WHERE id = $1', [documentName]);
      if (!exists.length) throw new CollabError('no such ruleset');
      const stored = await compact(db, documentName);
      Y.applyUpdate(document, Y.encodeStateAsUpdate(stored));
      return document;
    },
    async beforeHandleMessage({ connection, update: message, documentName }) {
      let parsed: ReturnType<typeof updateOf>;
      try {
        parsed = updateOf(message);
        if (!CLIENT_KINDS.has(parsed.kind)) throw new CollabError(`message kind ${parsed.kind} is not accepted from clients`);
      } catch (e) {
        // the whole socket goes, not only this document's channel: a client that sends this is broken or hostile
        connection.webSocket.close(1008, 'unacceptable message');
        throw e;
      }
      const { update } = parsed;
      if (!update || connection.readOnly) return;
      await db.query('INSERT INTO doc_updates (ruleset_id, data) VALUES ($1, $2)', [documentName, update]);
    },
  });

  return {
    hocuspocus,
    async text(id) {
      const open = hocuspocus.documents.get(id) as Document | undefined;
      if (open) return open.getText(SOURCE).toString();
      return (await loadDoc(db, id)).getText(SOURCE).toString();
    },
    notify(id, what) {
      const open = hocuspocus.documents.get(id) as Document | undefined;
      open?.broadcastStateless(JSON.stringify({ changed: what }));
      opts.log?.(`notify ${id} ${what}`);
    },
  };
}

/**
 * Which rules the playground opens with, such that a share link never
 * destroys a draft.
 *
 * Input: the page's hash, the store (draft, versions), the tab's session
 * storage (kept across reloads of one tab, not shared between tabs), the
 * example text and the name to give a draft kept aside.
 * Output: the text to open, where it came from, and the version the old
 * draft was kept as (when a link replaced it).
 * Invariants:
 * - a link is applied once per tab: a reload after editing opens the newer
 *   draft, not the link's older text (the link is remembered as opened in
 *   session storage, also when this tab made it with "Copy share link");
 * - when a link's rules replace a different, non-empty draft, that draft is
 *   first saved as a version the user can restore: no text is ever lost;
 * - no link: the draft, else the example.
 */
import { decodeShareHash } from './share.js';
import type { SavedVersion, StorageLike, Store } from './storage.js';

const OPENED = 'lql.playground.v1.openedLink';

/** The link's payload (the compressed rules), or undefined. */
function payloadOf(hash: string): string | undefined {
  return /(?:^#|&)rules=([^&]*)/.exec(hash)?.[1];
}

/** Remember that this tab has opened (or made) the link in `hash`: a reload does not apply it again. */
export function markLinkOpened(session: StorageLike, hash: string): void {
  const p = payloadOf(hash);
  if (p === undefined) return;
  try {
    session.setItem(OPENED, p);
  } catch {
    /* session storage unavailable: a reload re-applies the link, the draft is still kept as a version */
  }
}

function openedBefore(session: StorageLike, hash: string): boolean {
  try {
    return payloadOf(hash) !== undefined && session.getItem(OPENED) === payloadOf(hash);
  } catch {
    return false;
  }
}

export interface StartText {
  text: string;
  from: 'link' | 'draft' | 'example';
  /** the draft a link replaced, now a saved version */
  keptDraft?: SavedVersion;
}

export function startText(hash: string, store: Store, session: StorageLike, example: string, keptName: string, now = Date.now()): StartText {
  const shared = decodeShareHash(hash);
  const draft = store.loadDraft();
  if (shared !== undefined && !openedBefore(session, hash)) {
    markLinkOpened(session, hash);
    let keptDraft: SavedVersion | undefined;
    if (draft !== undefined && draft.trim() !== '' && draft !== shared) {
      const newest = store.listVersions()[0];
      keptDraft = newest && newest.text === draft ? newest : store.saveVersion(keptName, draft, now);
    }
    store.saveDraft(shared);
    return keptDraft ? { text: shared, from: 'link', keptDraft } : { text: shared, from: 'link' };
  }
  if (draft !== undefined) return { text: draft, from: 'draft' };
  if (shared !== undefined) return { text: shared, from: 'link' };
  return { text: example, from: 'example' };
}

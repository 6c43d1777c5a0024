/**
 * Share links and local saving: the hash round-trips any text; the store
 * keeps a draft, named versions, a baseline and preferences, and never
 * throws when storage fails.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { encodeShareHash, decodeShareHash } from '../../playground/share/share.js';
import { createStore, memoryStorage } from '../../playground/share/storage.js';
import { markLinkOpened, startText } from '../../playground/share/start.js';

const acme = readFileSync(new URL('../../examples/acme.lql', import.meta.url), 'utf8');

describe('share link', () => {
  it('round-trips the ACME example and awkward text', () => {
    for (const text of [acme, '', 'ñ “quotes” \u2028 </script> #&=?', 'x'.repeat(10000)]) {
      const hash = encodeShareHash(text);
      expect(hash).toMatch(/^#rules=[A-Za-z0-9+\-$]*$/);
      expect(decodeShareHash(hash)).toBe(text);
    }
  });
  it('is shorter than the text for a real ruleset, and rejects a corrupt hash', () => {
    expect(encodeShareHash(acme).length).toBeLessThan(acme.length * 0.8);
    expect(decodeShareHash('#rules=%%%')).toBeUndefined();
  });
  it('keeps other hash parameters and ignores hashes without rules', () => {
    const h = encodeShareHash('a', '#tab=compare');
    expect(h).toContain('&tab=compare');
    expect(decodeShareHash(h)).toBe('a');
    expect(decodeShareHash('#tab=compare')).toBeUndefined();
    expect(decodeShareHash('')).toBeUndefined();
  });
});

describe('local store', () => {
  it('keeps the draft, versions (newest first), baseline and prefs', () => {
    const s = createStore(memoryStorage());
    expect(s.loadDraft()).toBeUndefined();
    s.saveDraft('draft');
    expect(s.loadDraft()).toBe('draft');
    const v1 = s.saveVersion('first', 'one', 1000);
    const v2 = s.saveVersion('second', 'two', 1000);
    expect(v1.id).not.toBe(v2.id);
    expect(s.listVersions().map((v) => v.name)).toEqual(['second', 'first']);
    s.deleteVersion(v2.id);
    expect(s.listVersions().map((v) => v.text)).toEqual(['one']);
    s.saveBaseline('base');
    expect(s.loadBaseline()).toBe('base');
    s.saveBaseline(undefined);
    expect(s.loadBaseline()).toBeUndefined();
    s.savePrefs({ locale: 'es', capacity: 50 });
    expect(s.loadPrefs()).toEqual({ locale: 'es', capacity: 50 });
  });
  it('never throws when storage is full or holds garbage', () => {
    const broken = { getItem: () => '{not json', setItem: () => { throw new Error('quota'); }, removeItem: () => { throw new Error('x'); } };
    const s = createStore(broken);
    expect(s.loadDraft()).toBeUndefined();
    expect(() => s.saveDraft('x')).not.toThrow();
    expect(s.listVersions()).toEqual([]);
    expect(() => s.saveBaseline(undefined)).not.toThrow();
  });
});

describe('opening the playground: a share link never destroys a draft', () => {
  const name = 'My draft before opening a link';
  const setup = () => ({ store: createStore(memoryStorage()), session: memoryStorage() });

  it('type, copy a share link, keep editing, reload: the newer draft opens, not the link', () => {
    const { store, session } = setup();
    // first visit: no link, no draft
    expect(startText('', store, session, 'EXAMPLE', name)).toEqual({ text: 'EXAMPLE', from: 'example' });
    store.saveDraft('v1');
    const hash = encodeShareHash('v1'); // "Copy share link" puts it in the address bar
    markLinkOpened(session, hash);
    store.saveDraft('v2 newer'); // autosave of the edits after sharing
    const reload = startText(hash, store, session, 'EXAMPLE', name);
    expect(reload).toEqual({ text: 'v2 newer', from: 'draft' });
    expect(store.loadDraft()).toBe('v2 newer');
    expect(store.listVersions()).toEqual([]);
  });

  it("opening a colleague's link keeps the draft as a version; a reload after editing keeps the edits", () => {
    const { store, session } = setup();
    store.saveDraft('my work');
    const hash = encodeShareHash('their rules');
    const first = startText(hash, store, session, 'EXAMPLE', name, 5000);
    expect(first.text).toBe('their rules');
    expect(first.from).toBe('link');
    expect(first.keptDraft).toMatchObject({ name, text: 'my work', savedAt: 5000 });
    expect(store.listVersions().map((v) => v.text)).toEqual(['my work']);
    store.saveDraft('their rules, edited');
    expect(startText(hash, store, session, 'EXAMPLE', name)).toEqual({ text: 'their rules, edited', from: 'draft' });
    expect(store.listVersions().map((v) => v.text)).toEqual(['my work']);
  });

  it('the same link in a new tab opens again, and the draft it replaces is kept again (once per text)', () => {
    const { store, session } = setup();
    store.saveDraft('mine');
    const hash = encodeShareHash('theirs');
    startText(hash, store, session, 'EXAMPLE', name, 1);
    store.saveDraft('theirs, edited');
    const tab2 = startText(hash, store, memoryStorage(), 'EXAMPLE', name, 2);
    expect(tab2.text).toBe('theirs');
    expect(store.listVersions().map((v) => v.text)).toEqual(['theirs, edited', 'mine']);
    // opening it yet again in a third tab keeps nothing twice
    const tab3 = startText(hash, store, memoryStorage(), 'EXAMPLE', name, 3);
    expect(tab3.keptDraft).toBeUndefined();
    expect(store.listVersions()).toHaveLength(2);
  });

  it('a link equal to the draft, or over an empty draft, keeps no version; a corrupt link opens the draft', () => {
    const { store, session } = setup();
    store.saveDraft('same');
    expect(startText(encodeShareHash('same'), store, session, 'EXAMPLE', name).keptDraft).toBeUndefined();
    store.saveDraft('  ');
    expect(startText(encodeShareHash('new'), store, memoryStorage(), 'EXAMPLE', name).keptDraft).toBeUndefined();
    expect(startText('#rules=%%%', store, memoryStorage(), 'EXAMPLE', name)).toEqual({ text: 'new', from: 'draft' });
    expect(store.listVersions()).toEqual([]);
  });
});

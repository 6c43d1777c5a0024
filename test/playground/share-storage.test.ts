/**
 * Share links and local saving: the hash round-trips any text; the store
 * keeps a draft, named versions, a baseline and preferences, and never
 * throws when storage fails.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { encodeShareHash, decodeShareHash } from '../../playground/share/share.js';
import { createStore, memoryStorage } from '../../playground/share/storage.js';

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

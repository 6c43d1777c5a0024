/**
 * An open-addressing hash table of strings that is searched with a range of
 * a larger string (the reader's buffer), so looking a cell up in a
 * dictionary, the lead ids or the event types allocates nothing.
 *
 * Input: `(s, a, b)`: the characters `s[a..b)`.
 * Output: the index of the entry with those characters (its insertion
 * order), or -1; `add` inserts a copy detached from `s`.
 * Invariants: entries are never removed; `keys[i]` is entry i; each entry
 * carries an Int32 `value` (the dictionary code, a row number, or -1 for a
 * `--missing` placeholder); the table is at most half full.
 */
import { detach } from './values.js';

function hashRange(s: string, a: number, b: number): number {
  let h = 0x811c9dc5 ^ (b - a);
  for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}

export class Interner {
  readonly keys: string[] = [];
  values = new Int32Array(16);
  private hashes = new Int32Array(16);
  private slots = new Int32Array(32).fill(-1);
  private mask = 31;

  get size(): number {
    return this.keys.length;
  }

  /** Entry index of `s[a..b)`, or -1. */
  find(s: string, a: number, b: number): number {
    const h = hashRange(s, a, b);
    const len = b - a;
    const keys = this.keys;
    let p = h & this.mask;
    for (;;) {
      const e = this.slots[p]!;
      if (e < 0) return -1;
      if (this.hashes[e] === h) {
        const k = keys[e]!;
        if (k.length === len) {
          let i = 0;
          while (i < len && k.charCodeAt(i) === s.charCodeAt(a + i)) i++;
          if (i === len) return e;
        }
      }
      p = (p + 1) & this.mask;
    }
  }

  /** Entry index of `s[a..b)`, adding it with `value` when absent; `this.added` tells which. */
  added = false;
  intern(s: string, a: number, b: number, value: number): number {
    const h = hashRange(s, a, b);
    const len = b - a;
    const keys = this.keys;
    let p = h & this.mask;
    for (;;) {
      const e = this.slots[p]!;
      if (e < 0) break;
      if (this.hashes[e] === h) {
        const k = keys[e]!;
        if (k.length === len) {
          let i = 0;
          while (i < len && k.charCodeAt(i) === s.charCodeAt(a + i)) i++;
          if (i === len) {
            this.added = false;
            return e;
          }
        }
      }
      p = (p + 1) & this.mask;
    }
    const e = keys.length;
    keys.push(a === 0 && b === s.length ? s : detach(s.slice(a, b)));
    if (e === this.hashes.length) {
      const hs = new Int32Array(e * 2);
      hs.set(this.hashes);
      this.hashes = hs;
      const vs = new Int32Array(e * 2);
      vs.set(this.values);
      this.values = vs;
    }
    this.hashes[e] = h;
    this.values[e] = value;
    this.slots[p] = e;
    this.added = true;
    if ((e + 1) * 2 > this.mask) this.rehash();
    return e;
  }

  /** Add a whole string (no-op if present); returns its entry. */
  add(s: string, value: number): number {
    return this.intern(s, 0, s.length, value);
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    const slots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let e = 0; e < this.keys.length; e++) {
      let p = this.hashes[e]! & mask;
      while (slots[p]! >= 0) p = (p + 1) & mask;
      slots[p] = e;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

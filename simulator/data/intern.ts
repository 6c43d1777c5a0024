/**
 * An open-addressing hash table of strings that is searched with a range of
 * a larger string (the reader's buffer), so looking a cell up in a
 * dictionary, the lead ids or the event types allocates nothing.
 *
 * Input: `(s, a, b)`: the characters `s[a..b)`, or (the `Bytes` methods) the
 * ASCII bytes `s[a..b)` of a file read as bytes, hashed and compared as the
 * text they spell.
 * Output: the index of the entry with those characters (its insertion
 * order), or -1; `add` inserts a copy detached from `s`.
 * Invariants: entries are never removed; `keys[i]` is entry i; each entry
 * carries an Int32 `value` (the dictionary code, a row number, or -1 for a
 * `--missing` placeholder); the table is at most half full; a slot holds
 * the entry's hash next to its index, so a probe that misses (a new id)
 * touches one slot and never the stored strings.
 */
import { detach } from './values.js';

function hashRange(s: string, a: number, b: number): number {
  let h = 0x811c9dc5 ^ (b - a);
  for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}

/** `hashRange` of bytes: equal to it for the text of ASCII bytes. */
function hashBytes(s: Uint8Array, a: number, b: number): number {
  let h = 0x811c9dc5 ^ (b - a);
  for (let i = a; i < b; i++) h = Math.imul(h ^ s[i]!, 0x01000193);
  return h ^ (h >>> 15);
}

const ASCII = new TextDecoder();

/** The slot array for `n` slots: pairs (hash, entry), entry -1 when empty. */
function emptySlots(n: number): Int32Array {
  const slots = new Int32Array(n * 2);
  for (let p = 1; p < slots.length; p += 2) slots[p] = -1;
  return slots;
}

export class Interner {
  readonly keys: string[] = [];
  values = new Int32Array(16);
  private slots = emptySlots(32);
  private mask = 31;

  get size(): number {
    return this.keys.length;
  }

  /**
   * The slot of `s[a..b)` (hash `h`): the one holding it, or the empty one
   * where it would go; for bytes (ASCII), the slot of the text they spell.
   */
  private slotOf(s: string | Uint8Array, a: number, b: number, h: number): number {
    const len = b - a;
    const slots = this.slots;
    const mask = this.mask;
    let p = h & mask;
    for (;;) {
      const e = slots[2 * p + 1]!;
      if (e < 0) return p;
      if (slots[2 * p] === h) {
        const k = this.keys[e]!;
        if (k.length === len) {
          let i = 0;
          if (typeof s === 'string') while (i < len && k.charCodeAt(i) === s.charCodeAt(a + i)) i++;
          else while (i < len && k.charCodeAt(i) === s[a + i]) i++;
          if (i === len) return p;
        }
      }
      p = (p + 1) & mask;
    }
  }

  /** Entry index of `s[a..b)`, or -1. */
  find(s: string, a: number, b: number): number {
    return this.slots[2 * this.slotOf(s, a, b, hashRange(s, a, b)) + 1]!;
  }

  /** Entry index of the text of the ASCII bytes `s[a..b)`, or -1 (only for bytes below 0x80). */
  findBytes(s: Uint8Array, a: number, b: number): number {
    return this.slots[2 * this.slotOf(s, a, b, hashBytes(s, a, b)) + 1]!;
  }

  /** `intern` of the text of the ASCII bytes `s[a..b)` (only for bytes below 0x80). */
  internBytes(s: Uint8Array, a: number, b: number, value: number): number {
    const h = hashBytes(s, a, b);
    const p = this.slotOf(s, a, b, h);
    const found = this.slots[2 * p + 1]!;
    if (found >= 0) {
      this.added = false;
      return found;
    }
    const key = b - a <= 64 ? String.fromCharCode.apply(null, s.subarray(a, b) as unknown as number[]) : ASCII.decode(s.subarray(a, b));
    return this.insert(p, h, key, value);
  }

  /** Entry index of `s[a..b)`, adding it with `value` when absent; `this.added` tells which. */
  added = false;
  intern(s: string, a: number, b: number, value: number): number {
    const h = hashRange(s, a, b);
    const p = this.slotOf(s, a, b, h);
    const found = this.slots[2 * p + 1]!;
    if (found >= 0) {
      this.added = false;
      return found;
    }
    return this.insert(p, h, a === 0 && b === s.length ? s : detach(s.slice(a, b)), value);
  }

  /** Put the new entry `key` (hash `h`) in its empty slot `p`. */
  private insert(p: number, h: number, key: string, value: number): number {
    const slots = this.slots;
    const keys = this.keys;
    const e = keys.length;
    keys.push(key);
    if (e === this.values.length) {
      const vs = new Int32Array(e * 2);
      vs.set(this.values);
      this.values = vs;
    }
    this.values[e] = value;
    slots[2 * p] = h;
    slots[2 * p + 1] = e;
    this.added = true;
    if ((e + 1) * 2 > this.mask) this.resize((this.mask + 1) * 2);
    return e;
  }

  /** Add a whole string (no-op if present); returns its entry. */
  add(s: string, value: number): number {
    return this.intern(s, 0, s.length, value);
  }

  /** Make room for `count` entries in all without growing again. */
  reserve(count: number): void {
    let size = this.mask + 1;
    while (count * 2 > size - 1) size *= 2;
    if (size > this.mask + 1) this.resize(size);
    if (count > this.values.length) {
      const vs = new Int32Array(count);
      vs.set(this.values);
      this.values = vs;
    }
  }

  private resize(size: number): void {
    const old = this.slots;
    const slots = emptySlots(size);
    const mask = size - 1;
    for (let q = 0; q < old.length; q += 2) {
      if (old[q + 1]! < 0) continue;
      const h = old[q]!;
      let p = h & mask;
      while (slots[2 * p + 1]! >= 0) p = (p + 1) & mask;
      slots[2 * p] = h;
      slots[2 * p + 1] = old[q + 1]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

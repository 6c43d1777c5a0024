/**
 * Growable column builders for the leads loader, and the end-of-load type
 * inference for undeclared columns.
 *
 * Input: one cell per row, appended in row order (typed cells already
 * parsed by the loader; text cells as their raw text).
 * Output: a `Column` of `table.ts` with exactly `n` entries.
 * Invariants: text is dictionary-coded as it arrives (one Map lookup per
 * cell; the empty cell and every `--missing` placeholder code to -1), so an
 * undeclared column is typed afterwards by looking at its distinct values
 * only: number if every non-blank value is a decimal number, else bool if
 * every one is true/false/yes/no, else date if every one is an ISO 8601
 * date, else text; a column with no values at all is text. Dictionary
 * strings are detached from the file's chunks (see `values.detach`).
 */
import type { Column } from './table.js';
import { Interner } from './intern.js';
import { isBlank, isBoolWord, parseBool, parseIsoDate, parseNumber } from './values.js';

export function growF64(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}
export function growI32(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}
export function growU8(a: Uint8Array, cap: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(cap);
  b.set(a);
  return b;
}
export function growI8(a: Int8Array, cap: number): Int8Array<ArrayBuffer> {
  const b = new Int8Array(cap);
  b.set(a);
  return b;
}

/** A dictionary-coded text column under construction. */
export class DictBuilder {
  /** every text seen (and the placeholders, with value -1) -> its code */
  readonly table = new Interner();
  readonly dict: string[] = [];
  codes: Int32Array;

  constructor(cap: number, missing: Iterable<string>, filled: number) {
    this.codes = new Int32Array(cap);
    this.codes.fill(-1, 0, filled);
    this.table.add('', -1);
    for (const m of missing) this.table.add(m, -1);
  }

  /** The code of `s[a..b)` (-1 for the empty cell or a placeholder), adding it to the dictionary if new. */
  code(s: string, a: number, b: number): number {
    const t = this.table;
    const e = t.intern(s, a, b, this.dict.length);
    if (t.added) this.dict.push(t.keys[e]!);
    return t.values[e]!;
  }

  grow(cap: number): void {
    this.codes = growI32(this.codes, cap);
  }

  /** The finished column: as text, or typed by its distinct values when `infer` is set. */
  finish(n: number, infer: boolean): Column {
    const c = this.codes;
    const codes = c.length <= n + (n >> 4) + 64 ? c.subarray(0, n) : c.slice(0, n);
    const dict = this.dict;
    if (!infer) return { type: 'text', codes, dict };
    let values = 0;
    let allNum = true;
    let allBool = true;
    let allDate = true;
    for (const e of dict) {
      if (isBlank(e)) continue;
      values++;
      if (allNum && parseNumber(e) !== parseNumber(e)) allNum = false;
      if (allBool && !isBoolWord(e)) allBool = false;
      if (allDate && parseIsoDate(e) !== parseIsoDate(e)) allDate = false;
      if (!allNum && !allBool && !allDate) break;
    }
    if (values === 0) return { type: 'text', codes, dict };
    if (allNum || allDate) {
      const per = new Float64Array(dict.length);
      for (let i = 0; i < dict.length; i++) per[i] = allNum ? parseNumber(dict[i]!) : parseIsoDate(dict[i]!);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const c = codes[i]!;
        out[i] = c < 0 ? NaN : per[c]!;
      }
      return { type: allNum ? 'number' : 'date', values: out };
    }
    if (allBool) {
      const per = new Uint8Array(dict.length);
      for (let i = 0; i < dict.length; i++) per[i] = parseBool(dict[i]!);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const c = codes[i]!;
        out[i] = c < 0 ? 2 : per[c]!;
      }
      return { type: 'bool', values: out };
    }
    return { type: 'text', codes, dict };
  }
}

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
 * date, else text; a column with no values at all is text. An undeclared
 * column starts in number mode (values parsed in place, no dictionary)
 * and is dictionary-coded from its exact texts, in row order, at its first
 * cell that is not a number or missing, so the result is the same as
 * coding every cell. Dictionary strings are detached from the file's
 * chunks (see `values.detach`).
 */
import type { Column } from './table.js';
import { Interner } from './intern.js';
import { detach, isBlank, isBlankRange, isBoolWord, parseBool, parseIsoDate, parseNumber, parseNumberRange, POW10 } from './values.js';

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
export function growI16(a: Int16Array, cap: number): Int16Array<ArrayBuffer> {
  const b = new Int16Array(cap);
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
  /** the codes (dictionary mode; empty in number mode) */
  codes: Int32Array;
  /**
   * Number mode, for an undeclared column while every value so far is a
   * number or missing: the values, parsed in place; null in dictionary mode.
   */
  nums: Float64Array | null = null;
  /** number mode: how each cell was written (see `number`), -1 missing, -2 kept in `odd` */
  private shapes: Int16Array | null = null;
  /** number mode: the exact text of cells not of the plain shape (`1e3`, ` 4 `, blanks) */
  private odd: Map<number, string> | null = null;
  /** number mode: cells that hold a number */
  private numbers = 0;
  private readonly placeholders: boolean;

  constructor(cap: number, missing: Iterable<string>, filled: number, infer = false) {
    this.table.add('', -1);
    for (const m of missing) this.table.add(m, -1);
    this.placeholders = this.table.size > 1;
    if (infer) {
      this.codes = new Int32Array(0);
      this.nums = new Float64Array(cap);
      this.nums.fill(NaN, 0, filled);
      this.shapes = new Int16Array(cap);
      this.shapes.fill(-1, 0, filled);
    } else {
      this.codes = new Int32Array(cap);
      this.codes.fill(-1, 0, filled);
    }
  }

  /** The code of `s[a..b)` (-1 for the empty cell or a placeholder), adding it to the dictionary if new. */
  code(s: string, a: number, b: number): number {
    const t = this.table;
    const e = t.intern(s, a, b, this.dict.length);
    if (t.added) this.dict.push(t.keys[e]!);
    return t.values[e]!;
  }

  /** Row i has no cell in this column. */
  absent(i: number): void {
    if (this.nums !== null) {
      this.nums[i] = NaN;
      this.shapes![i] = -1;
    } else {
      this.codes[i] = -1;
    }
  }

  /** Row i holds `s[a..b)`. */
  set(i: number, s: string, a: number, b: number): void {
    if (this.nums !== null) this.number(i, s, a, b);
    else this.codes[i] = this.code(s, a, b);
  }

  /**
   * Number mode: store the cell's value, and how it was written, so its
   * exact text can be given back if a later cell turns the column into
   * text: the plain shape `[+-]digits[.digits]` (at most 15 digits, the
   * exact fast path of `parseNumberRange`) is kept as sign, dot and digit
   * counts (the digits follow from the value); any other text is kept whole.
   */
  private number(i: number, s: string, a: number, b: number): void {
    const nums = this.nums!;
    const shapes = this.shapes!;
    if (a === b || (this.placeholders && this.table.find(s, a, b) >= 0)) {
      nums[i] = NaN;
      shapes[i] = -1;
      return;
    }
    let p = a;
    const c = s.charCodeAt(p);
    let sign = 0;
    if (c === 45 /* - */ || c === 43 /* + */) {
      sign = c === 45 ? 1 : 2;
      p++;
    }
    let mant = 0;
    let digits = 0;
    for (; p < b; p++) {
      const d = s.charCodeAt(p) - 48;
      if (d < 0 || d > 9) break;
      mant = mant * 10 + d;
      digits++;
    }
    const whole = digits;
    let dot = 0;
    if (p < b && s.charCodeAt(p) === 46 /* . */) {
      dot = 1;
      for (p++; p < b; p++) {
        const d = s.charCodeAt(p) - 48;
        if (d < 0 || d > 9) break;
        mant = mant * 10 + d;
        digits++;
      }
    }
    if (p === b && digits > 0 && digits <= 15) {
      const frac = digits - whole;
      const v = frac === 0 ? mant : mant / POW10[frac]!;
      nums[i] = sign === 1 ? -v : v;
      // 11 bits: sign 2, dot 1, whole digits 4, fraction digits 4 (at most 15 digits in all)
      shapes[i] = sign | (dot << 2) | (whole << 3) | (frac << 7);
      this.numbers++;
      return;
    }
    const v = parseNumberRange(s, a, b);
    if (v === v || isBlankRange(s, a, b)) {
      nums[i] = v;
      shapes[i] = -2;
      (this.odd ??= new Map()).set(i, detach(s.slice(a, b)));
      if (v === v) this.numbers++;
      return;
    }
    this.toDictionary(i);
    this.codes[i] = this.code(s, a, b);
  }

  /** Number mode: the exact text of row r's cell, or null when missing. */
  private textAt(r: number): string | null {
    const sh = this.shapes![r]!;
    if (sh === -1) return null;
    if (sh === -2) return this.odd!.get(r)!;
    const sign = sh & 3;
    const dot = (sh >> 2) & 1;
    const whole = (sh >> 3) & 15;
    const frac = sh >> 7;
    const v = Math.abs(this.nums![r]!);
    // mantissas stay below 10^15 < 2^50, so rounding v * 10^frac recovers them exactly
    let t = String(frac === 0 ? v : Math.round(v * POW10[frac]!));
    const digits = whole + frac;
    if (t.length < digits) t = '0'.repeat(digits - t.length) + t;
    if (dot) t = t.slice(0, whole) + '.' + t.slice(whole);
    return (sign === 1 ? '-' : sign === 2 ? '+' : '') + t;
  }

  /** Leave number mode: code rows 0 .. upto-1 from their texts, in row order. */
  private toDictionary(upto: number): void {
    const codes = new Int32Array(this.nums!.length);
    for (let r = 0; r < upto; r++) {
      const t = this.textAt(r);
      codes[r] = t === null ? -1 : this.code(t, 0, t.length);
    }
    this.codes = codes;
    this.nums = null;
    this.shapes = null;
    this.odd = null;
  }

  grow(cap: number): void {
    if (this.nums !== null) {
      this.nums = growF64(this.nums, cap);
      this.shapes = growI16(this.shapes!, cap);
    } else {
      this.codes = growI32(this.codes, cap);
    }
  }

  /** The finished column: as text, or typed by its distinct values when `infer` is set. */
  finish(n: number, infer: boolean): Column {
    if (this.nums !== null) {
      if (this.numbers > 0) {
        const v = this.nums;
        return { type: 'number', values: v.length <= n + (n >> 4) + 64 ? v.subarray(0, n) : v.slice(0, n) };
      }
      this.toDictionary(n);
    }
    const c = this.codes;
    const codes = c.length <= n + (n >> 4) + 64 ? c.subarray(0, n) : c.slice(0, n);
    const dict = this.dict;
    if (!infer) return { type: 'text', codes, dict };
    return typedByValues(codes, dict, n);
  }
}

/**
 * An undeclared column typed by its distinct values (dictionary-coded, -1
 * missing): number if every non-blank value is a decimal number, else bool
 * if every one is true/false/yes/no, else date if every one is an ISO 8601
 * date, else text (also with no values at all).
 */
export function typedByValues(codes: Int32Array, dict: string[], n: number): Column {
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

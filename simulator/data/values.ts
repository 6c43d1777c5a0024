/**
 * Fast cell readers for the data layer: decimal numbers, ISO 8601 dates,
 * bool words and outcome words, read straight from the text of a CSV or
 * JSON Lines cell.
 *
 * Input: one cell's text (never null; the empty string is a missing cell).
 * Output: a number (NaN when the text is not of the type), a bool code
 * (0 false, 1 true, 2 not a bool word) or an outcome code (1 won, 0 lost,
 * -1 open, -2 not an outcome word).
 * Invariants: accepts exactly what docs/semantics.md ("Reading values")
 * accepts, the same grammar as `language/shared/values.ts`, so a column
 * loaded here reads the same as the reference interpreter reads a record;
 * pure functions, never throw; hot paths use charCodeAt, no regex, no
 * allocation for the common shapes. Slash dates (`--date-format MDY|DMY`)
 * are read by the language's one time reader (`parseTimeText`), only for
 * cells that are neither ISO nor a number.
 */
import { parseTimeText, type DateOrder } from '../../language/shared/values.js';

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Exact powers of ten (10^0 .. 10^22 are exactly representable doubles). */
export const POW10: readonly number[] = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
];

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0xfeff || c === 11 || c === 12;
}

/**
 * A decimal number (`42`, `-1.5`, `.5`, `1e3`, surrounding blanks allowed),
 * or NaN. Hex, `Infinity`, thousands separators and blank text are not
 * numbers. Results are correctly rounded (the fast path is exact: an integer
 * mantissa below 2^53 divided by an exact power of ten).
 */
export function parseNumber(s: string): number {
  return parseNumberRange(s, 0, s.length);
}

/** `parseNumber` of the characters `s[a..b)`. */
export function parseNumberRange(s: string, a: number, b: number): number {
  const len = b;
  if (a >= b) return NaN;
  let i = a;
  let c = s.charCodeAt(a);
  let neg = false;
  if (c === 45 /* - */ || c === 43 /* + */) {
    neg = c === 45;
    i = a + 1;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  for (; i < len; i++) {
    c = s.charCodeAt(i);
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      mant = mant * 10 + d;
      digits++;
      continue;
    }
    break;
  }
  if (i < len && c === 46 /* . */) {
    i++;
    for (; i < len; i++) {
      c = s.charCodeAt(i);
      const d = c - 48;
      if (d >= 0 && d <= 9) {
        mant = mant * 10 + d;
        digits++;
        frac++;
        continue;
      }
      break;
    }
  }
  if (i === len && digits > 0 && digits <= 15 && frac <= 22) {
    const v = frac === 0 ? mant : mant / POW10[frac]!;
    return neg ? -v : v;
  }
  return slowNumber(a === 0 && b === s.length ? s : s.slice(a, b));
}

function slowNumber(s: string): number {
  let t = s;
  if (isSpace(s.charCodeAt(0)) || isSpace(s.charCodeAt(s.length - 1))) t = s.trim();
  if (!DECIMAL.test(t)) return NaN;
  const n = Number(t);
  return Number.isFinite(n) ? n : NaN;
}

function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to the given proleptic Gregorian date (integer arithmetic; any year of 4 digits). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = ((y >= 0 ? y : y - 399) / 400) | 0;
  const yoe = y - era * 400;
  const doy = (((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) | 0) + d - 1;
  const doe = yoe * 365 + ((yoe / 4) | 0) - ((yoe / 100) | 0) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Epoch ms of an ISO 8601 date or date-time: `YYYY-MM-DD`, optionally `T`
 * or a space and `HH:MM`, `:SS`, `.fraction` (milliseconds; further digits
 * are dropped), then `Z` or an offset `+HH:MM`, `+HHMM`, `+HH`. No offset
 * means UTC. NaN for anything else or an impossible date (`2026-02-30`).
 * Surrounding blanks are allowed.
 */
export function parseIsoDate(s: string): number {
  return parseIsoDateRange(s, 0, s.length);
}

/** `parseIsoDate` of the characters `s[a..b)`. */
export function parseIsoDateRange(s: string, a: number, b: number): number {
  let start = a;
  let end = b;
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  if (end - start < 10) return NaN;
  let i = start;
  const y1 = d2(s, i);
  const y2 = d2(s, i + 2);
  if (y1 < 0 || y2 < 0 || s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45) return NaN;
  const year = y1 * 100 + y2;
  const month = d2(s, i + 5);
  const day = d2(s, i + 8);
  if (month < 1 || month > 12 || day < 1) return NaN;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && leap ? 29 : DAYS[month - 1]!)) return NaN;
  i += 10;
  let ms = 0;
  if (i < end) {
    const sep = s.charCodeAt(i);
    if (sep === 84 /* T */ || sep === 32) {
      if (end - i < 6) return NaN;
      const hh = d2(s, i + 1);
      const mi = d2(s, i + 4);
      if (hh < 0 || hh > 23 || s.charCodeAt(i + 3) !== 58 || mi < 0 || mi > 59) return NaN;
      ms = hh * 3_600_000 + mi * 60_000;
      i += 6;
      if (i < end && s.charCodeAt(i) === 58 /* : */) {
        const ss = end - i >= 3 ? d2(s, i + 1) : -1;
        if (ss < 0 || ss > 59) return NaN;
        ms += ss * 1000;
        i += 3;
        if (i < end && s.charCodeAt(i) === 46 /* . */) {
          i++;
          let n = 0;
          let f = 0;
          const fs = i;
          for (; i < end; i++) {
            const d = s.charCodeAt(i) - 48;
            if (d < 0 || d > 9) break;
            if (n < 3) {
              f = f * 10 + d;
              n++;
            }
          }
          if (i === fs) return NaN;
          while (n < 3) {
            f *= 10;
            n++;
          }
          ms += f;
        }
      }
    }
    if (i < end) {
      const z = s.charCodeAt(i);
      if (z === 90 /* Z */) {
        i++;
      } else if (z === 43 || z === 45) {
        const oh = end - i >= 3 ? d2(s, i + 1) : -1;
        if (oh < 0 || oh > 23) return NaN;
        let om = 0;
        i += 3;
        if (i < end) {
          if (s.charCodeAt(i) === 58) i++;
          om = end - i >= 2 ? d2(s, i) : -1;
          if (om < 0 || om > 59) return NaN;
          i += 2;
        }
        const off = (oh * 60 + om) * 60_000;
        ms -= z === 43 ? off : -off;
      } else {
        return NaN;
      }
      if (i !== end) return NaN;
    }
  }
  return daysFromCivil(year, month, day) * 86_400_000 + ms;
}

/** Two ASCII digits at `b[i]`, `b[i+1]` as a number, or -1. */
function b2(b: Uint8Array, i: number): number {
  const x = b[i]! - 48;
  const y = b[i + 1]! - 48;
  if (x < 0 || x > 9 || y < 0 || y > 9) return -1;
  return x * 10 + y;
}

/**
 * `parseTimeRange` of the ASCII bytes `b[a..e)` for the shapes data files
 * write most, and only those: `YYYY-MM-DD`, then optionally `T` or a space
 * and `HH:MM`, `:SS`, `.mmm` (exactly three digits), then optionally `Z`;
 * or epoch milliseconds as 1 to 15 digits. NaN for any other text,
 * including every valid time of another shape: the caller then reads it as
 * text (`parseTimeRange`), so where this gives a number it is always the
 * number that would give.
 */
export function parseCommonTimeBytes(b: Uint8Array, a: number, e: number): number {
  const len = e - a;
  const c4 = b[a + 4];
  if (c4 !== 45 /* - */) {
    if (len > 15) return NaN;
    let n = 0;
    for (let i = a; i < e; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) return NaN;
      n = n * 10 + d;
    }
    return len > 0 ? n : NaN;
  }
  if (len < 10 || b[a + 7] !== 45) return NaN;
  const y1 = b2(b, a);
  const y2 = b2(b, a + 2);
  const month = b2(b, a + 5);
  const day = b2(b, a + 8);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1) return NaN;
  const year = y1 * 100 + y2;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && leap ? 29 : DAYS[month - 1]!)) return NaN;
  let ms = 0;
  let i = a + 10;
  if (i < e && b[i] !== 90) {
    const sep = b[i];
    if ((sep !== 84 /* T */ && sep !== 32) || e - i < 6 || b[i + 3] !== 58) return NaN;
    const hh = b2(b, i + 1);
    const mi = b2(b, i + 4);
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59) return NaN;
    ms = hh * 3_600_000 + mi * 60_000;
    i += 6;
    if (i < e && b[i] === 58 /* : */) {
      const ss = e - i >= 3 ? b2(b, i + 1) : -1;
      if (ss < 0 || ss > 59) return NaN;
      ms += ss * 1000;
      i += 3;
      if (i < e && b[i] === 46 /* . */) {
        const f1 = e - i >= 4 ? b2(b, i + 1) : -1;
        const f3 = e - i >= 4 ? b[i + 3]! - 48 : -1;
        if (f1 < 0 || f3 < 0 || f3 > 9) return NaN;
        ms += f1 * 10 + f3;
        i += 4;
      }
    }
  }
  if (i < e && b[i] === 90 /* Z */) i++;
  if (i !== e) return NaN;
  return daysFromCivil(year, month, day) * 86_400_000 + ms;
}

/**
 * A time in a date column or an event's `at`: an ISO 8601 date/date-time,
 * or epoch milliseconds written as a decimal number. NaN otherwise.
 */
export function parseTime(s: string): number {
  return parseTimeRange(s, 0, s.length);
}

/** `parseTime` of the characters `s[a..b)`. */
export function parseTimeRange(s: string, a: number, b: number, order?: DateOrder | null): number {
  const t = parseIsoDateRange(s, a, b);
  if (t === t) return t;
  const n = parseNumberRange(s, a, b);
  if (n === n || !order) return n;
  // the forms CRM exports write with slashes: the language's one time reader
  return parseTimeText(s.slice(a, b), order) ?? NaN;
}

/** A bool word: `true yes y 1` -> 1, `false no n 0` -> 0 (any case, blanks trimmed); else 2. */
export function parseBool(s: string): number {
  const t = s.length <= 5 && !isSpace(s.charCodeAt(0)) ? s : s.trim();
  if (t.length > 5) return 2;
  switch (t.toLowerCase()) {
    case 'true':
    case 'yes':
    case 'y':
    case '1':
      return 1;
    case 'false':
    case 'no':
    case 'n':
    case '0':
      return 0;
    default:
      return 2;
  }
}

/** True for the words a column of inferred type bool may hold: true/false/yes/no (any case). */
export function isBoolWord(s: string): boolean {
  const t = s.trim().toLowerCase();
  return t === 'true' || t === 'false' || t === 'yes' || t === 'no';
}

/** The outcome words of docs DATA.md, lower case. */
export const OUTCOME_WORDS: ReadonlyMap<string, number> = new Map([
  ['won', 1],
  ['1', 1],
  ['true', 1],
  ['yes', 1],
  ['converted', 1],
  ['closed_won', 1],
  ['lost', 0],
  ['0', 0],
  ['false', 0],
  ['no', 0],
  ['closed_lost', 0],
  ['open', -1],
]);

/** An outcome cell: 1 won, 0 lost, -1 open (also the empty cell), -2 not an outcome word. */
export function parseOutcome(s: string): number {
  if (s.length === 0) return -1;
  let v = OUTCOME_WORDS.get(s);
  if (v !== undefined) return v;
  const t = s.trim();
  if (t.length === 0) return -1;
  v = OUTCOME_WORDS.get(t.toLowerCase());
  return v === undefined ? -2 : v;
}

/** True when `s[a..b)`, lower-cased, is `word` (which is lower case). */
function isWord(s: string, a: number, b: number, word: string): boolean {
  if (b - a !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    let c = s.charCodeAt(a + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

const OUTCOME_LIST = [...OUTCOME_WORDS];

/** `parseOutcome` of `s[a..b)`, without allocating for the usual words. */
export function parseOutcomeRange(s: string, a: number, b: number): number {
  if (a === b) return -1;
  for (let k = 0; k < OUTCOME_LIST.length; k++) {
    const w = OUTCOME_LIST[k]!;
    if (isWord(s, a, b, w[0])) return w[1];
  }
  return parseOutcome(s.slice(a, b));
}

const BOOL_LIST: [string, number][] = [
  ['true', 1],
  ['false', 0],
  ['yes', 1],
  ['no', 0],
  ['y', 1],
  ['n', 0],
  ['1', 1],
  ['0', 0],
];

/** `parseBool` of `s[a..b)`, without allocating for the usual words. */
export function parseBoolRange(s: string, a: number, b: number): number {
  for (let k = 0; k < BOOL_LIST.length; k++) {
    const w = BOOL_LIST[k]!;
    if (isWord(s, a, b, w[0])) return w[1];
  }
  return b - a > 12 ? 2 : parseBool(s.slice(a, b));
}

/** True when `s[a..b)` is empty or only spaces. */
export function isBlankRange(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

/** True when the cell is blank (empty or only spaces): read as missing in typed columns. */
export function isBlank(s: string): boolean {
  if (s.length === 0) return true;
  if (!isSpace(s.charCodeAt(0))) return false;
  return s.trim().length === 0;
}

/**
 * A copy of `s` that does not share memory with the chunk it was cut from
 * (a slice of a long string may keep the whole chunk alive). Used for the
 * strings a table keeps: ids and dictionary entries.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

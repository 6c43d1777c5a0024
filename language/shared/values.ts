/**
 * Reading raw values as LQL types: the table in docs/semantics.md
 * ("Reading values"), plus the ISO 8601 time reader used for attributes,
 * event times and `asOf`.
 *
 * Input: any JS value (a cell of a lead record, a literal, an event time).
 * Output: a value of the requested type (number, text, bool, or a date as
 * epoch milliseconds), or `null` for missing.
 * Invariants: pure functions; never throw; numbers are always finite; text is
 * never the empty string; a date string without an offset is UTC.
 */
import type { AttrType } from '../syntax/ast.js';

/** A typed LQL value: number, text, bool, or a date as epoch ms; `null` is missing. */
export type Val = number | string | boolean | null;

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Epoch ms of an ISO 8601 date or date-time string: `YYYY-MM-DD`, optionally
 * followed by `T` (or a space) and `HH:MM`, `:SS`, `.fraction`, then `Z` or an
 * offset `+HH:MM` / `+HHMM` / `+HH`. No offset means UTC. Returns null when the
 * text is not such a string or names an impossible date (2026-02-30).
 */
export function parseIsoDate(text: string): number | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', off] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac === '' ? 0 : Number((frac + '00').slice(0, 3));
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC maps years 0-99 to 1900-1999; rebuild to be exact.
  const date = new Date(t);
  date.setUTCFullYear(year);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  let offsetMin = 0;
  if (off !== undefined && off !== 'Z') {
    const sign = off[0] === '-' ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  }
  const result = date.getTime() - offsetMin * 60_000;
  return Number.isFinite(result) ? result : null;
}

/**
 * The order of day and month in a date written with slashes, as CRM exports
 * write them: `MDY` reads `04/01/2025` as April 1, `DMY` as January 4.
 */
export type DateOrder = 'MDY' | 'DMY';

const SLASH = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** True for a date written with slashes (`04/01/2025`, `04/01/2025 11:40`), whichever its order. */
export function isSlashDate(text: string): boolean {
  return SLASH.test(text.trim());
}

/**
 * A time written as text (`--as-of`, a data file's date cell, an event
 * time): an ISO 8601 date or date-time as `parseIsoDate` reads it (no
 * offset = UTC, `2026-02-30` is not a date; `2025-04-01 11:40` is one), or
 * whole epoch milliseconds (`1767225600000`; `1` is 1 ms after 1970-01-01,
 * not a year); with `order`, also a slash date `MM/DD/YYYY` (MDY) or
 * `DD/MM/YYYY` (DMY), optionally followed by `HH:MM` or `HH:MM:SS`, in UTC.
 * Null for anything else, including a slash date without `order` (which
 * order is meant cannot be known) and an impossible one (`13/13/2025`,
 * `31/02/2025` in DMY).
 */
export function parseTimeText(text: string, order?: DateOrder | null): number | null {
  const s = text.trim();
  if (/^-?[0-9]+$/.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : null;
  }
  const iso = parseIsoDate(s);
  if (iso !== null || !order) return iso;
  const m = SLASH.exec(s);
  if (!m) return null;
  const [, a = '', b = '', y = '', h = '0', mi = '0', sec = '0'] = m;
  const [month, day] = order === 'MDY' ? [a, b] : [b, a];
  const two = (x: string) => x.padStart(2, '0');
  return parseIsoDate(`${y}-${two(month)}-${two(day)}T${two(h)}:${two(mi)}:${two(sec)}Z`);
}

/** A time given as a Date, epoch ms or ISO string, as epoch ms; null if unreadable. */
export function toEpochMs(raw: unknown): number | null {
  if (raw instanceof Date) {
    const t = raw.getTime();
    return Number.isFinite(t) ? t : null;
  }
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string') return parseIsoDate(raw);
  return null;
}

/** Read a raw value as the given type (docs/semantics.md, "Reading values"). */
export function readAs(raw: unknown, type: AttrType): Val {
  if (raw === null || raw === undefined || raw === '') return null;
  if (typeof raw === 'number' && Number.isNaN(raw)) return null;
  switch (type) {
    case 'number': {
      if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
      if (typeof raw === 'string') {
        const s = raw.trim();
        if (!DECIMAL.test(s)) return null;
        const n = Number(s);
        return Number.isFinite(n) ? n : null;
      }
      return null;
    }
    case 'text': {
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : null;
      if (typeof raw === 'boolean') return raw ? 'true' : 'false';
      return null;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'number') return raw === 1 ? true : raw === 0 ? false : null;
      if (typeof raw === 'string') {
        const s = raw.trim().toLowerCase();
        if (s === 'true' || s === 'yes' || s === 'y' || s === '1') return true;
        if (s === 'false' || s === 'no' || s === 'n' || s === '0') return false;
      }
      return null;
    }
    case 'date':
      return toEpochMs(raw);
  }
}

/**
 * A score as every engine gives it ("Numbers, exactly"): rounded to 9
 * decimal places, half away from zero, `-0` as `0`. Computed as
 * `sign(x) * roundHalfUp(|x| * 1e9) / 1e9` in doubles, exactly as the SQL
 * export does, so all engines agree to the bit.
 */
export function round9(x: number): number {
  // a double of magnitude 2^53 or more is a whole number already (and |x| * 1e9 could overflow)
  if (x >= 9007199254740992 || x <= -9007199254740992) return x;
  return x <= 0 ? (0 - Math.round(-x * 1e9)) / 1e9 : Math.round(x * 1e9) / 1e9;
}

/**
 * The weight of an event `ageMs` before the evaluation time in a block with
 * a half-life: `2 ^ (-age / halfLife)`, exactly `2^-k` at k whole half-lives
 * and exactly 1 at age 0.
 */
export function decayWeight(ageMs: number, halfLifeMs: number): number {
  return Math.pow(2, -ageMs / halfLifeMs);
}

/** `domain()`: the part after the last `@`, lower-cased; missing (null) without `@` or with nothing after it. */
export function domainOf(s: string): string | null {
  const at = s.lastIndexOf('@');
  if (at < 0 || at === s.length - 1) return null;
  return s.slice(at + 1).toLowerCase();
}

/** An own property of a record, or undefined (never reads the prototype chain). */
export function ownValue(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

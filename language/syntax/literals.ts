/**
 * Reading LQL literals: the value of a number, text, date or duration token
 * as written in a ruleset.
 *
 * Input: the token's text (its image). Output: the value, or NaN / a bad
 * escape's offset when the text is not a valid literal (the parser reports
 * those: LQL103, LQL105). Invariant: pure functions, no lexer or parser state.
 */
import type { DurationUnit } from './ast.js';

/** unit word -> unit */
export const UNIT_OF: Record<string, DurationUnit> = {
  minute: 'minute',
  minutes: 'minute',
  hour: 'hour',
  hours: 'hour',
  day: 'day',
  days: 'day',
  week: 'week',
  weeks: 'week',
};

/** Decode a double-quoted string token's escapes; returns the value and any bad escape's offset. */
export function unquoteString(image: string): { value: string; badEscape: number | null } {
  const body = image.slice(1, image.endsWith('"') && image.length > 1 ? -1 : undefined);
  let out = '';
  let bad: number | null = null;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[i + 1];
    i++;
    if (n === '"' || n === '\\') out += n;
    else if (n === 'n') out += '\n';
    else if (n === 't') out += '\t';
    else if (n === 'u' && body[i + 1] === '{') {
      const close = body.indexOf('}', i + 2);
      const hex = close > 0 ? body.slice(i + 2, close) : '';
      const cp = /^[0-9a-fA-F]{1,6}$/.test(hex) ? parseInt(hex, 16) : NaN;
      if (Number.isFinite(cp) && cp <= 0x10ffff) {
        out += String.fromCodePoint(cp);
        i = close;
      } else {
        if (bad === null) bad = i - 1;
        out += '\\u';
      }
    } else {
      if (bad === null) bad = i - 1;
      out += '\\' + (n ?? '');
    }
  }
  return { value: out, badEscape: bad };
}

/** Parse an LQL date/time literal to epoch ms (UTC when no offset). NaN if not a real date. */
export function parseDateLiteral(raw: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(raw);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', off] = m ?? [];
  if (y === undefined || mo === undefined || d === undefined) return NaN;
  const yy = +y,
    mm = +mo,
    dd = +d,
    hh = +h,
    mn = +mi,
    ss = +s;
  if (mm < 1 || mm > 12 || dd < 1 || hh > 23 || mn > 59 || ss > 59) return NaN;
  const ms = Math.round(+('0.' + frac) * 1000);
  let t = Date.UTC(yy, mm - 1, dd, hh, mn, ss, ms);
  const check = new Date(Date.UTC(yy, mm - 1, dd));
  if (check.getUTCDate() !== dd || check.getUTCMonth() !== mm - 1) return NaN;
  if (off && off !== 'Z') {
    const sign = off[0] === '-' ? -1 : 1;
    const oh = +off.slice(1, 3),
      om = +off.slice(4, 6);
    if (oh > 23 || om > 59) return NaN;
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return t;
}

/** A number token's value (`5_000` is 5000); NaN if it does not fit a double. */
export function numberValue(raw: string): number {
  const v = Number(raw.replace(/_/g, ''));
  return Number.isFinite(v) ? v : NaN;
}

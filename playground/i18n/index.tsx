/**
 * The playground's one translation layer.
 *
 * Input: a locale (`en` or `es`) and message keys with placeholder values.
 * Output: `translate()` for plain code, `I18nProvider` + `useI18n()` for
 * React components, and locale-aware number formatters (counts, rates,
 * signed deltas, dates).
 * Invariants: every UI string is looked up here by key and is an ICU
 * message (intl-messageformat), so every count goes through the locale's
 * plural rules (`{n, plural, one {# lead} other {# leads}}`); a key missing
 * in a locale falls back to English (the type system forbids that case
 * anyway); an unfilled `{name}` placeholder is left visible rather than
 * dropped.
 */
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { IntlMessageFormat } from 'intl-messageformat';
import { en, type MessageKey } from './en.js';
import { es } from './es.js';

export type Locale = 'en' | 'es';
export type { MessageKey };

export const LOCALES: { id: Locale; name: string }[] = [
  { id: 'en', name: 'English' },
  { id: 'es', name: 'Español' },
];

export const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { en, es };

export type Args = Record<string, string | number>;

const TAGS: Record<Locale, string> = { en: 'en-US', es: 'es-ES' };
const compiled = new Map<string, IntlMessageFormat>();

function message(locale: Locale, key: MessageKey): IntlMessageFormat {
  const id = locale + '\u0000' + key;
  let m = compiled.get(id);
  if (!m) {
    m = new IntlMessageFormat(DICTIONARIES[locale][key] ?? en[key] ?? key, TAGS[locale]);
    compiled.set(id, m);
  }
  return m;
}

export function translate(locale: Locale, key: MessageKey, args: Args = {}): string {
  const m = message(locale, key);
  // leave a placeholder the caller did not fill visible, as `{name}`
  const filled: Args = { ...args };
  for (const name of messageArguments(m)) if (!(name in filled)) filled[name] = `{${name}}`;
  const out = m.format(filled);
  return Array.isArray(out) ? out.join('') : String(out);
}

/** The argument names of a message, plural and select arguments included. */
export function messageArguments(m: IntlMessageFormat | string): string[] {
  if (typeof m === 'string') m = new IntlMessageFormat(m, 'en-US');
  const names: string[] = [];
  const walk = (els: readonly unknown[]): void => {
    for (const el of els as { type: number; value?: string; options?: Record<string, { value: unknown[] }> }[]) {
      if (el.type !== 0 && typeof el.value === 'string') names.push(el.value);
      if (el.options) for (const o of Object.values(el.options)) walk(o.value);
    }
  };
  walk(m.getAst());
  return [...new Set(names)].sort();
}

export interface Formatters {
  /** whole numbers with grouping: 9,240 / 9.240 */
  int(n: number): string;
  /** a rate in [0, 1] as a percentage with one decimal */
  pct(n: number): string;
  /** a signed change of a rate, in percentage points */
  pctPoints(n: number): string;
  /** a signed change of a count */
  signedInt(n: number): string;
  /** a plain number with up to two decimals */
  num(n: number): string;
  /** an epoch-ms or ISO date as a short date */
  date(d: number | string): string;
  /** an epoch-ms or ISO time as date and time (UTC) */
  dateTime(d: number | string): string;
}

export function formatters(locale: Locale): Formatters {
  const tag = locale === 'es' ? 'es-ES' : 'en-US';
  const int = new Intl.NumberFormat(tag, { maximumFractionDigits: 0, useGrouping: true });
  const pct = new Intl.NumberFormat(tag, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const num = new Intl.NumberFormat(tag, { maximumFractionDigits: 2 });
  const pp = new Intl.NumberFormat(tag, { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' });
  const sint = new Intl.NumberFormat(tag, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
  const date = new Intl.DateTimeFormat(tag, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  const dateTime = new Intl.DateTimeFormat(tag, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });
  const dash = '–';
  const ok = (n: number) => typeof n === 'number' && Number.isFinite(n);
  return {
    int: (n) => (ok(n) ? int.format(n) : dash),
    pct: (n) => (ok(n) ? pct.format(n) : dash),
    pctPoints: (n) => (ok(n) ? `${pp.format(n * 100)} pp` : dash),
    signedInt: (n) => (ok(n) ? sint.format(n) : dash),
    num: (n) => (ok(n) ? num.format(n) : dash),
    date: (d) => {
      const t = typeof d === 'number' ? d : Date.parse(d);
      return Number.isFinite(t) ? date.format(new Date(t)) : dash;
    },
    dateTime: (d) => {
      const t = typeof d === 'number' ? d : Date.parse(d);
      return Number.isFinite(t) ? dateTime.format(new Date(t)) : dash;
    },
  };
}

export interface I18n {
  locale: Locale;
  t: (key: MessageKey, args?: Args) => string;
  f: Formatters;
}

export function makeI18n(locale: Locale): I18n {
  return { locale, t: (key, args) => translate(locale, key, args), f: formatters(locale) };
}

const I18nContext = createContext<I18n>(makeI18n('en'));

export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const value = useMemo(() => makeI18n(locale), [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** The browser's preferred locale if we ship it, else English. */
export function detectLocale(languages: readonly string[] = []): Locale {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'es' || base === 'en') return base;
  }
  return 'en';
}

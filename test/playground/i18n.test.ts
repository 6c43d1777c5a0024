/**
 * The playground's translations: English and Spanish have the same keys and
 * the same placeholders, and formatting follows the locale.
 */
import { describe, expect, it } from 'vitest';
import { en } from '../../playground/i18n/en.js';
import { es } from '../../playground/i18n/es.js';
import { translate, formatters, detectLocale } from '../../playground/i18n/index.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('English and Spanish have identical key sets', () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
  });

  it('every Spanish string keeps the English placeholders and is not empty', () => {
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(es[k]), k).toEqual(placeholders(en[k]));
      expect(es[k].trim(), k).not.toBe('');
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'tests.summary', { passed: 3, failed: 1 })).toBe('3 passed, 1 failed');
    expect(translate('es', 'tests.summary', { passed: 3, failed: 1 })).toBe('3 correctas, 1 fallidas');
    expect(translate('en', 'kpi.stage')).toBe('Stage {name}');
  });

  it('formats numbers for the locale', () => {
    expect(formatters('en').int(9240)).toBe('9,240');
    expect(formatters('es').int(92400)).toBe('92.400');
    expect(formatters('en').pct(0.8633)).toBe('86.3%');
    expect(formatters('en').pctPoints(-0.012)).toBe('-1.2 pp');
    expect(formatters('en').pct(NaN)).toBe('–');
  });

  it('picks Spanish for a Spanish browser, else English', () => {
    expect(detectLocale(['es-MX', 'en'])).toBe('es');
    expect(detectLocale(['fr-FR'])).toBe('en');
  });
});

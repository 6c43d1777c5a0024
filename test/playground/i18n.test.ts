/**
 * The playground's translations: English and Spanish have the same keys and
 * the same placeholders, and formatting follows the locale.
 */
import { describe, expect, it } from 'vitest';
import { en } from '../../playground/i18n/en.js';
import { es } from '../../playground/i18n/es.js';
import { EXAMPLES } from '../../playground/data/examples.js';
import { translate, formatters, detectLocale, messageArguments } from '../../playground/i18n/index.js';

const placeholders = (s: string) => messageArguments(s);

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
    expect(translate('es', 'tests.summary', { passed: 3, failed: 1 })).toBe('3 correctas, 1 fallida');
    expect(translate('en', 'kpi.stage')).toBe('Stage {name}');
  });

  it('chooses singular or plural by the locale\'s plural rules', () => {
    expect(translate('en', 'editor.problems', { errors: 1, warnings: 0 })).toBe('1 error, 0 warnings');
    expect(translate('en', 'editor.problems', { errors: 2, warnings: 1 })).toBe('2 errors, 1 warning');
    expect(translate('es', 'editor.problems', { errors: 1, warnings: 3 })).toBe('1 error, 3 avisos');
    expect(translate('en', 'tests.markFail', { n: 1 })).toBe('test fails (1 expectation)');
    expect(translate('es', 'tests.markFail', { n: 1 })).toBe('la prueba falla (1 expectativa)');
    expect(translate('en', 'data.loaded', { leads: 9240, events: 1, file: 'x.csv' })).toBe('9,240 leads and 1 event loaded from x.csv');
    expect(translate('es', 'data.loaded', { leads: 92400, events: 2, file: 'x.csv' })).toBe('92.400 leads y 2 eventos cargados de x.csv');
  });

  it('writes a count as a plural form wherever a message shows one', () => {
    // a placeholder named like a count must be a plural (or a number) in both languages
    const counts = /^(n|errors|warnings|rows|events|leads|total|weeks|passed|failed)$/;
    for (const dict of [en, es]) {
      for (const [k, v] of Object.entries(dict)) {
        for (const m of v.matchAll(/\{(\w+)\}/g)) {
          if (counts.test(m[1]!)) throw new Error(`${k}: {${m[1]}} is a count without a plural form`);
        }
      }
    }
  });

  it('names and describes every example of the gallery in both languages', () => {
    for (const ex of EXAMPLES) {
      for (const dict of [en, es] as Record<string, string>[]) {
        expect(dict[`gallery.${ex.id}.name`], ex.id).toBeTruthy();
        expect(dict[`gallery.${ex.id}.note`], ex.id).toBeTruthy();
      }
      expect(es[`gallery.${ex.id}.note` as keyof typeof es]).not.toBe(en[`gallery.${ex.id}.note` as keyof typeof en]);
    }
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

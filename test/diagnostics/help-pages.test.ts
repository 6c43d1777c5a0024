/**
 * Every help page in docs/errors/ for the language codes shows a wrong
 * example that really produces its code, and a fix that no longer does.
 * Pages whose example needs more than a ruleset (a bound dataset, a
 * file on disk) show it as ```text and are listed in NEEDS_MORE.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileSource } from '../../language/index.js';
import { REGISTRY } from '../../language/diagnostics/registry.js';

const DOCS = fileURLToPath(new URL('../../docs/errors/', import.meta.url));

/** Codes whose example cannot be shown with a ruleset alone. */
const NEEDS_MORE: Record<string, string> = {
  LQL210: 'needs a bound dataset (its columns)',
  LQL601: 'reported by the command line for a missing file',
  LQL602: 'reported by the command line when an output cannot be written',
  LQL603: 'reported by the command line for an output that names an input',
  LQL604: 'reported by the command line for an oversized ruleset file',
  LQL605: 'reported by the command line for a data file given as the ruleset',
  LQL606: 'reported by the command line for a JSON file of explain',
  LQL607: 'reported by the command line for the lead file of explain',
  LQL608: 'reported by the command line for the events file of explain',
  LQL610: 'reported by explain --leads for an id that is not in the file',
  LQL611: 'reported by simulate and score --engine clickhouse when chdb is not installed',
  LQL106: 'needs a condition over 200 levels deep (a generated ruleset; see test/language/limits.test.ts)',
  LQL107: 'needs a condition over 100,000 parts (see test/language/limits.test.ts)',
  LQL111: 'reported only for a fault in LQL itself',
};

const CODES = Object.keys(REGISTRY).filter((c) => /^LQL(1|2|3|4|6)\d\d$/.test(c));

function blocks(page: string, lang: string): string[] {
  return [...page.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

describe('help pages', () => {
  it('exist for every code of the language areas', () => {
    for (const code of CODES) expect(existsSync(DOCS + code + '.md'), code).toBe(true);
  });

  for (const code of CODES) {
    it(`${code}: title, sections, and an example that reports it`, () => {
      const page = readFileSync(DOCS + code + '.md', 'utf8');
      expect(page.startsWith(`# ${code}: ${(REGISTRY as Record<string, { title: string }>)[code]?.title}\n`)).toBe(true);
      expect(page).toContain('## What it means');
      expect(page).toContain('## How to fix it');
      const examples = blocks(page, 'lql');
      if (NEEDS_MORE[code]) {
        expect(examples).toEqual([]);
        expect(blocks(page, 'text').length).toBeGreaterThan(0);
        return;
      }
      expect(examples.length).toBeGreaterThanOrEqual(1);
      const wrong = compileSource(examples[0]!).diagnostics.map((d) => d.code);
      expect(wrong, `the example of ${code} reports ${wrong.join(', ') || 'nothing'}`).toContain(code);
      if (examples[1] !== undefined) {
        const fixed = compileSource(examples[1]).diagnostics.map((d) => d.code);
        expect(fixed, `the fix of ${code} still reports it`).not.toContain(code);
      }
    });
  }
});

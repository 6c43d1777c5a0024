/**
 * Formatter properties over generated and mutated valid rulesets:
 * - meaning: the compiled IR is the same before and after formatting
 *   (source positions aside);
 * - idempotence: formatting formatted text changes nothing;
 * - layout independence: the same tokens laid out differently format the same;
 * - comments: every comment survives, with its text.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format } from '../../language/format/formatter.js';
import { compileSource, parse } from '../../language/index.js';
import { lexer, Identifier } from '../../language/syntax/tokens.js';
import { arbRuleset } from '../support/gen-ruleset.js';

const ACME = readFileSync(fileURLToPath(new URL('../../../shared/spec/examples/acme.lql', import.meta.url)), 'utf8');

/** The IR with source positions removed; `keepText` keeps the snippet text without spaces and backticks. */
function meaning(src: string, keepText: boolean): unknown {
  const ir = compileSource(src).ir;
  return JSON.parse(JSON.stringify(ir), (k, v) => {
    if (k === 'src') return keepText ? (v as { text: string }).text.replace(/[\s`]/g, '') : undefined;
    return v;
  });
}

function formatted(src: string): string {
  const r = format(src);
  if ('error' in r) throw new Error('format refused: ' + r.error.map((d) => d.message).join('; ') + '\n' + src);
  return r.text;
}

const SEPARATORS = [' ', ' ', ' ', '  ', '\n', '\n  ', '\t', '\n\n', '\n\n\n'];
const COMMENT_SEPARATORS = [' # note\n', '\n# own line\n', '  #trailing  \n  ', '\n\n  # after a blank\n'];

/** Re-lay out the tokens of `src` (comments dropped) with the chosen separators; quote some names. */
function relayout(src: string, seps: string[], quote: boolean[]): string {
  const toks = lexer.tokenize(src).tokens;
  let out = '';
  toks.forEach((t, i) => {
    const img = t.tokenType === Identifier && quote[i % quote.length] ? '`' + t.image + '`' : t.image;
    out += img + (i < toks.length - 1 ? seps[i % seps.length] : '\n');
  });
  return out;
}

const arbSeps = (pool: string[]) => fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 40 });
const arbQuote = fc.array(fc.boolean(), { minLength: 1, maxLength: 7 });
const sourceArb = fc.oneof(arbRuleset, fc.constant(ACME));
const commentTexts = (src: string) => parse(src).program.comments.map((c) => c.text.trimEnd()).sort();

describe('formatter properties', () => {
  it('generated rulesets: meaning kept, idempotent', () => {
    fc.assert(
      fc.property(arbRuleset, (src) => {
        expect(compileSource(src).ir).not.toBeNull();
        const once = formatted(src);
        expect(meaning(once, true)).toEqual(meaning(src, true));
        expect(formatted(once)).toBe(once);
      }),
      { numRuns: 150 },
    );
  });

  it('re-laid-out tokens: same canonical text, meaning kept', () => {
    fc.assert(
      fc.property(sourceArb, arbSeps(SEPARATORS.filter((s) => !s.includes('\n\n'))), arbQuote, (src, seps, quote) => {
        const canonical = formatted(relayout(src, [' '], [false]));
        const mutated = relayout(src, seps, quote);
        const once = formatted(mutated);
        expect(once).toBe(canonical);
        expect(meaning(once, true)).toEqual(meaning(src, true));
      }),
      { numRuns: 150 },
    );
  });

  it('with blank lines and comments anywhere: meaning kept, comments kept, idempotent', () => {
    fc.assert(
      fc.property(sourceArb, arbSeps([...SEPARATORS, ...COMMENT_SEPARATORS]), arbQuote, (src, seps, quote) => {
        const mutated = relayout(src, seps, quote);
        const once = formatted(mutated);
        expect(meaning(once, false)).toEqual(meaning(mutated, false));
        expect(commentTexts(once)).toEqual(commentTexts(mutated));
        expect(formatted(once)).toBe(once);
      }),
      { numRuns: 200 },
    );
  });

  it('acme with its comments, relaid with comment-free separators, is idempotent and keeps comments', () => {
    // Comments are re-inserted at their token positions by relexing with comments kept.
    fc.assert(
      fc.property(arbSeps(SEPARATORS), (seps) => {
        const lexed = lexer.tokenize(ACME);
        const all = [...lexed.tokens, ...(lexed.groups.comments ?? [])].sort((a, b) => a.startOffset - b.startOffset);
        let out = '';
        all.forEach((t, i) => {
          const sep = t.image.startsWith('#') ? '\n' : seps[i % seps.length];
          out += t.image + sep;
        });
        const once = formatted(out);
        expect(meaning(once, false)).toEqual(meaning(ACME, false));
        expect(commentTexts(once)).toEqual(commentTexts(ACME));
        expect(formatted(once)).toBe(once);
      }),
      { numRuns: 60 },
    );
  });
});

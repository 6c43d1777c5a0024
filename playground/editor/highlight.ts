/**
 * Syntax highlighting for LQL in Monaco, derived from the parser's own token
 * table (`language/syntax/tokens.ts`, `TOKEN_TABLE`), so the editor and the
 * parser can never disagree about what a keyword, a date or a regex is.
 *
 * Input: the token table (name, highlight category, regex source), in lexer
 * order. Output: a Monarch grammar and a colour theme (plain data; no
 * Monaco import, so it is testable without a browser).
 * Invariants:
 * - rules keep the lexer's order (first match wins, as in the lexer);
 * - a word-like pattern (a keyword or unit) only matches a whole word, the
 *   way the lexer's `longer_alt` makes `fitness` an identifier;
 * - every highlight category maps to a Monaco token class with a colour in
 *   both themes that is readable on a projector (contrast >= 4.5:1).
 */
import { TOKEN_TABLE, type HighlightCategory } from '../../language/syntax/tokens.js';

export interface TokenSpec {
  name: string;
  category: HighlightCategory;
  pattern: string;
}

/** Monaco token class per highlight category (theme rules match by prefix). */
export const TOKEN_CLASS: Record<HighlightCategory, string> = {
  keyword: 'keyword',
  operator: 'operator',
  string: 'string',
  number: 'number',
  date: 'date',
  unit: 'unit',
  regex: 'regexp',
  comment: 'comment',
  identifier: 'identifier',
  punctuation: 'delimiter',
  invalid: 'invalid',
};

export interface MonarchGrammar {
  defaultToken: string;
  tokenPostfix: string;
  tokenizer: { root: [RegExp, string][] };
}

const WORDLIKE = /^[A-Za-z][A-Za-z0-9_]*(?:\\-[A-Za-z0-9_]+)*$/;

export function monarchFromTokens(table: readonly TokenSpec[] = TOKEN_TABLE): MonarchGrammar {
  const root: [RegExp, string][] = [];
  for (const t of table) {
    if (!t.pattern) continue;
    const cls = t.name === 'WhiteSpace' ? 'white' : TOKEN_CLASS[t.category];
    const source = WORDLIKE.test(t.pattern) ? `${t.pattern}(?![A-Za-z0-9_])` : t.pattern;
    root.push([new RegExp(source), cls]);
  }
  // anything the lexer would reject
  root.push([/./, 'invalid']);
  return { defaultToken: 'invalid', tokenPostfix: '.lql', tokenizer: { root } };
}

export interface ThemeRule { token: string; foreground?: string; fontStyle?: string }

export const LIGHT_THEME_RULES: ThemeRule[] = [
  { token: 'keyword', foreground: '0033b3', fontStyle: 'bold' },
  { token: 'operator', foreground: '3b3b3b' },
  { token: 'string', foreground: '067d17' },
  { token: 'number', foreground: '1750eb' },
  { token: 'date', foreground: '8a3a00' },
  { token: 'unit', foreground: '7a1f9c' },
  { token: 'regexp', foreground: 'a0266e' },
  { token: 'comment', foreground: '5f6b63', fontStyle: 'italic' },
  { token: 'identifier', foreground: '1f1f1f' },
  { token: 'delimiter', foreground: '3b3b3b' },
  { token: 'invalid', foreground: 'c00000', fontStyle: 'underline' },
];

/** Language configuration: comments, brackets, auto-closing pairs. */
export const LANGUAGE_CONFIGURATION = {
  comments: { lineComment: '#' },
  brackets: [['{', '}'], ['[', ']'], ['(', ')']] as [string, string][],
  autoClosingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"', notIn: ['string', 'comment'] },
    { open: '`', close: '`', notIn: ['string', 'comment'] },
  ],
  surroundingPairs: [
    { open: '{', close: '}' }, { open: '[', close: ']' }, { open: '(', close: ')' },
    { open: '"', close: '"' }, { open: '`', close: '`' },
  ],
  wordPattern: /(-?\d[\d_]*(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)/,
};

/**
 * A TextMate grammar for LQL, generated from the token table
 * (`tokens.ts`), for editors (VS Code, Sublime, ...) and code hosts'
 * highlighting of `.lql` files.
 *
 * Input: `TOKEN_TABLE`. Output: the grammar as a JSON-ready object
 * (`scopeName` `source.lql`); `scripts/gen-textmate.mjs` writes it to
 * `editors/vscode/syntaxes/lql.tmLanguage.json`, and a test checks that the
 * file is current.
 * Invariants: patterns come in the lexer's order, so that where two
 * patterns match at the same place the same token wins as in the parser;
 * keywords match whole words only (`fitness` is a name, not `fit`), as the
 * lexer's `longer_alt` rule does; whitespace has no pattern.
 */
import { TOKEN_TABLE, type HighlightCategory } from './tokens.js';

/** The TextMate scope of each highlight category (common theme scopes). */
export const TEXTMATE_SCOPES: Record<HighlightCategory, string> = {
  keyword: 'keyword.control.lql',
  operator: 'keyword.operator.lql',
  string: 'string.quoted.double.lql',
  number: 'constant.numeric.lql',
  date: 'constant.other.date.lql',
  unit: 'keyword.other.unit.lql',
  regex: 'string.regexp.lql',
  comment: 'comment.line.number-sign.lql',
  identifier: 'variable.other.lql',
  punctuation: 'punctuation.separator.lql',
  invalid: 'invalid.illegal.lql',
};

export interface TextMateGrammar {
  $schema: string;
  name: string;
  scopeName: string;
  fileTypes: string[];
  patterns: { name: string; match: string; comment: string }[];
}

const isWord = (pattern: string): boolean => /^[a-z]+(?:\\-[a-z]+)*$/.test(pattern);

export function textmateGrammar(): TextMateGrammar {
  const patterns: TextMateGrammar['patterns'] = [];
  let group: { category: HighlightCategory; words: string[]; names: string[] } | null = null;
  const flush = (): void => {
    if (!group) return;
    patterns.push({ name: TEXTMATE_SCOPES[group.category], match: `\\b(?:${group.words.join('|')})\\b`, comment: group.names.join(' ') });
    group = null;
  };
  for (const t of TOKEN_TABLE) {
    if (t.name === 'WhiteSpace') continue;
    if (isWord(t.pattern)) {
      // consecutive keywords of one category become one whole-word alternation
      if (group && group.category !== t.category) flush();
      group ??= { category: t.category, words: [], names: [] };
      group.words.push(t.pattern);
      group.names.push(t.name);
      continue;
    }
    flush();
    const match = t.name === 'Identifier' ? `\\b${t.pattern}` : t.pattern;
    patterns.push({ name: TEXTMATE_SCOPES[t.category], match, comment: t.name });
  }
  flush();
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'LQL',
    scopeName: 'source.lql',
    fileTypes: ['lql'],
    patterns,
  };
}

/** The grammar file's text, as written to disk. */
export function textmateGrammarText(): string {
  return JSON.stringify(textmateGrammar(), null, 2) + '\n';
}

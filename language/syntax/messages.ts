/**
 * The parser's own words: chevrotain's error message provider, written so
 * that no raw parser message reaches users, and the "did you mean" hint that
 * names the nearest fix for a misspelt or foreign keyword.
 *
 * Input: what the parser expected and the token it found. Output: one
 * sentence in plain words, like "Expected `when`, `per` or `once` here, but
 * found `whn`. Did you mean `when`?".
 * Invariant: a hint only names a keyword the grammar allows at that place
 * when there is one close enough; otherwise it names the nearest keyword of
 * the language, or nothing.
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import { suggest } from '../shared/names.js';
import * as T from './tokens.js';

const TOKEN_WORDS: Record<string, string> = {
  Identifier: 'a name',
  NameToken: 'a name',
  QuotedIdentifier: 'a name',
  StringLiteral: 'a text in double quotes',
  NumberLiteral: 'a number',
  DateTime: 'a date (like 2026-01-10)',
  RegexLiteral: 'a regular expression (like /vp|director/i)',
  EqEq: '==',
  NotEq: '!=',
  LtEq: '<=',
  GtEq: '>=',
  Lt: '<',
  Gt: '>',
  Equals: '=',
  Plus: '+',
  Minus: '-',
  Star: '*',
  LBrace: '{',
  RBrace: '}',
  LBracket: '[',
  RBracket: ']',
  LParen: '(',
  RParen: ')',
  Comma: ',',
  Colon: ':',
  EOF: 'the end of the file',
};

/** The keyword a token type stands for (`half-life`), or undefined for other tokens. */
function keywordOf(t: TokenType): string | undefined {
  const p = t.PATTERN;
  if (!(p instanceof RegExp)) return undefined;
  const word = p.source.replace(/\\-/g, '-');
  return T.KEYWORDS.includes(word) ? word : undefined;
}

/** A token type in plain words: a keyword in backticks, a literal by its kind. */
export function tokenWord(t: TokenType): string {
  const w = TOKEN_WORDS[t.name];
  if (w) return w;
  const p = t.PATTERN;
  if (p instanceof RegExp) return `\`${p.source.replace(/\\-/g, '-')}\``;
  return t.name;
}

/** How a message names the token found; no token at all is the end of the file. */
export function describeFound(tok: IToken | undefined): string {
  if (tok === undefined || tok.tokenType === EOF) return 'the end of the file';
  const img = tok.image.length > 30 ? tok.image.slice(0, 27) + '...' : tok.image;
  return `\`${img}\``;
}

function listWords(words: string[]): string {
  const uniq = [...new Set(words)];
  if (uniq.length <= 1) return uniq[0] ?? 'something else';
  if (uniq.length > 6) return uniq.slice(0, 6).join(', ') + ', ...';
  return uniq.slice(0, -1).join(', ') + ' or ' + uniq[uniq.length - 1];
}

/** What a grammar rule reads, for "Expected ..." when several things were possible. */
const RULE_WORDS: Record<string, string> = {
  declaration: 'a declaration (attribute, activity, list, segment, fit, engagement, score, band, stages, route or test)',
  rule: '`when`, `per` or `once` after the points',
  whenOrOtherwise: '`when CONDITION` or `otherwise`',
  points: 'points with a sign, like +10 or -5',
  condition: 'a condition',
  value: 'a value (a name, number, text, date, count(...) or days since ...)',
  duration: 'a duration like 30 days',
  arith: 'a score, number or attribute',
  notExpr: 'a condition',
  andExpr: 'a condition',
  predicate: 'a condition',
  listOrRef: 'a list (like [A, B] or the name of a list)',
  term: 'a score, number or attribute',
  factor: 'a score, number or attribute',
  bandEntry: 'a band label like `A >= 50` or `D otherwise`',
  literal: 'a number, text, date, true or false',
};

/** Words users bring from other languages, and the LQL keyword they mean. */
const FOREIGN_WORDS: Record<string, string> = {
  if: 'when',
  where: 'when',
  whenever: 'when',
  each: 'per',
  every: 'per',
  else: 'otherwise',
  default: 'otherwise',
};

/** Keywords that may continue after a complete declaration, rule or condition. */
const CONTINUATIONS = ['and', 'or', 'when', 'per', 'once', 'otherwise', 'in', 'last', 'max'];

export const DECLARATION_WORDS = ['ruleset', 'attribute', 'activity', 'list', 'segment', 'fit', 'engagement', 'score', 'band', 'stages', 'route', 'test'];

/**
 * The keyword a word found where `expected` keywords were possible was
 * probably meant to be: the nearest expected keyword, a foreign word's LQL
 * keyword (`if` -> `when`), or, for a word that fits nowhere (`expected`
 * empty), the nearest declaration or continuation keyword.
 */
export function nearestKeyword(found: IToken | undefined, expected: readonly string[]): string | undefined {
  if (!found || found.tokenType === EOF) return undefined;
  const word = found.image;
  if (!/^[A-Za-z_]\w*$/.test(word) || T.KEYWORDS.includes(word)) return undefined;
  const foreign = FOREIGN_WORDS[word.toLowerCase()];
  if (foreign && (expected.length === 0 || expected.includes(foreign))) return foreign;
  return suggest(word, expected.length ? expected : [...DECLARATION_WORDS, ...CONTINUATIONS])[0];
}

/** " Did you mean `when`?" for the nearest keyword (see `nearestKeyword`), or "". */
export function keywordHint(found: IToken | undefined, expected: readonly string[]): string {
  const best = nearestKeyword(found, expected);
  return best ? ` Did you mean \`${best}\`?` : '';
}

/** The message ending that marks "the parser stopped here and looks for the next declaration". */
export const RESUME_MARK = 'a new declaration was expected here.';

/** The message for a token the parser cannot place after a complete declaration. */
export function unexpectedMessage(found: IToken): string {
  return `Unexpected ${describeFound(found)}: ${RESUME_MARK}${keywordHint(found, [])}`;
}

function keywords(types: readonly (TokenType | undefined)[]): string[] {
  const out: string[] = [];
  for (const t of types) {
    const k = t && keywordOf(t);
    if (k && !out.includes(k)) out.push(k);
  }
  return out;
}

export const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    if (expected === EOF) return unexpectedMessage(actual);
    return `Expected ${tokenWord(expected)} here, but found ${describeFound(actual)}.${keywordHint(actual, keywords([expected]))}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return unexpectedMessage(firstRedundant);
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const firstTypes = expectedPathsPerAlt.flat().map((path) => path[0]);
    const firsts = firstTypes.map((t) => (t ? tokenWord(t) : '')).filter(Boolean);
    const kws = keywords(firstTypes);
    // a choice between a few keywords reads best as the keywords themselves
    const what = kws.length > 0 && kws.length <= 3 && kws.length === new Set(firsts).size ? listWords(firsts) : (RULE_WORDS[ruleName] ?? listWords(firsts));
    return `Expected ${what}, but found ${describeFound(actual[0])}.${keywordHint(actual[0], kws)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const firsts = expectedIterationPaths.map((path) => (path[0] ? tokenWord(path[0]) : ''));
    const what = RULE_WORDS[ruleName] ?? listWords(firsts.filter(Boolean));
    return `Expected at least one ${what}, but found ${describeFound(actual[0])}.`;
  },
};

/**
 * The LQL token table: the one list of tokens that both the parser (through
 * chevrotain's lexer) and the editor's syntax highlighting use.
 *
 * Input: none (static table). Output: chevrotain TokenTypes, the ordered
 * `allTokens` list for the lexer, and `TOKEN_TABLE`, which pairs each token
 * with its highlight category and a plain regex source for editors.
 * Invariants: keywords are listed before `Identifier` and use `longer_alt`
 * so that `fitness` is an identifier, not `fit` + `ness`; soft keywords
 * (`fit`, `engagement`, `route`, `lead`, `events`, `at`, `expect`)
 * are also in the Identifier category, so they can be used as names where a
 * name is expected (a stage called `lead`, a score reference `fit >= 30`).
 * The lexer itself reads every word as an `Identifier` and then looks the
 * whole word up among the keywords (`half-life`, the one keyword with a
 * hyphen, keeps its own pattern): the same tokens as a pattern per keyword
 * with `longer_alt`, without trying each keyword that starts with the
 * word's first letter. Every token lies on one line, so the lexer records
 * where each starts and `tokenEnd*` derive where it ends from its text (a
 * token then holds small integers only: lighter to make and to keep).
 */
import { createToken, type ILexingResult, type IToken, Lexer, type TokenType } from 'chevrotain';

export type HighlightCategory =
  | 'keyword'
  | 'operator'
  | 'string'
  | 'number'
  | 'date'
  | 'unit'
  | 'regex'
  | 'comment'
  | 'identifier'
  | 'punctuation'
  | 'invalid';

interface Entry {
  token: TokenType;
  category: HighlightCategory;
  /** regex source (no flags) an editor tokenizer can use for this token */
  pattern: string;
}

const entries: Entry[] = [];

function tok(
  name: string,
  pattern: RegExp,
  category: HighlightCategory,
  extra: { group?: string; longer_alt?: TokenType; categories?: TokenType[]; line_breaks?: boolean } = {},
): TokenType {
  const token = createToken({ name, pattern, ...extra });
  entries.push({ token, category, pattern: pattern.source });
  return token;
}

export const WhiteSpace = tok('WhiteSpace', /[ \t\r\n\f\v\u00a0\ufeff]+/, 'punctuation', {
  group: Lexer.SKIPPED,
  line_breaks: true,
});
export const Comment = tok('Comment', /#[^\r\n]*/, 'comment', { group: 'comments' });

/** Any name, plain or backticked (a category: never produced by the lexer itself). */
export const NameToken = createToken({ name: 'NameToken', pattern: Lexer.NA });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [NameToken] });
export const QuotedIdentifier = tok('QuotedIdentifier', /`[^`\r\n]*`/, 'identifier', { categories: [NameToken] });
export const UnterminatedQuotedIdentifier = tok('UnterminatedQuotedIdentifier', /`[^`\r\n]*/, 'invalid');

// Literals. Dates before numbers; regexes are unambiguous because there is no division.
export const DateTime = tok(
  'DateTime',
  /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?/,
  'date',
);
export const NumberLiteral = tok('NumberLiteral', /\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/, 'number');
export const StringLiteral = tok('StringLiteral', /"(?:[^"\\\r\n]|\\.)*"/, 'string');
export const UnterminatedString = tok('UnterminatedString', /"(?:[^"\\\r\n]|\\.)*/, 'invalid');
export const RegexLiteral = tok('RegexLiteral', /\/(?:[^/\\\r\n]|\\.)+\/[A-Za-z]*/, 'regex');

const keywordTokens: TokenType[] = [];
const kw = (word: string, soft = false, category: HighlightCategory = 'keyword'): TokenType => {
  const name = word.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase());
  const t = tok(
    name,
    new RegExp(word.replace(/-/g, '\\-')),
    category,
    soft ? { longer_alt: Identifier, categories: [Identifier, NameToken] } : { longer_alt: Identifier },
  );
  keywordTokens.push(t);
  return t;
};

// Declarations
export const Ruleset = kw('ruleset');
export const Attribute = kw('attribute');
export const Activity = kw('activity');
export const List = kw('list');
export const Segment = kw('segment');
export const Fit = kw('fit', true);
export const Engagement = kw('engagement', true);
export const Score = kw('score');
export const Band = kw('band');
export const From = kw('from');
export const Stages = kw('stages');
export const Route = kw('route', true);
export const Test = kw('test');
export const Lead = kw('lead', true);
export const Events = kw('events', true);
export const At = kw('at', true);
export const Expect = kw('expect', true);
// Rules
export const When = kw('when');
export const Per = kw('per');
export const Once = kw('once');
export const Max = kw('max');
export const Decay = kw('decay');
export const HalfLife = kw('half-life');
export const Otherwise = kw('otherwise');
// Conditions
export const And = kw('and');
export const Or = kw('or');
export const Not = kw('not');
export const In = kw('in');
export const Last = kw('last');
export const Between = kw('between');
export const Contains = kw('contains');
export const Starts = kw('starts');
export const Ends = kw('ends');
export const With = kw('with');
export const Matches = kw('matches');
export const Is = kw('is');
export const Missing = kw('missing');
export const Present = kw('present');
export const Since = kw('since');
export const Count = kw('count');
export const True = kw('true');
export const False = kw('false');
// Units (`days` also opens `days since`)
export const Minutes = kw('minutes', false, 'unit');
export const Minute = kw('minute', false, 'unit');
export const Hours = kw('hours', false, 'unit');
export const Hour = kw('hour', false, 'unit');
export const Days = kw('days', false, 'unit');
export const Day = kw('day', false, 'unit');
export const Weeks = kw('weeks', false, 'unit');
export const Week = kw('week', false, 'unit');

entries.push({ token: Identifier, category: 'identifier', pattern: Identifier.PATTERN instanceof RegExp ? Identifier.PATTERN.source : '' });

// Operators and punctuation
export const EqEq = tok('EqEq', /==/, 'operator');
export const NotEq = tok('NotEq', /!=/, 'operator');
export const LtEq = tok('LtEq', /<=/, 'operator');
export const GtEq = tok('GtEq', />=/, 'operator');
export const Lt = tok('Lt', /</, 'operator');
export const Gt = tok('Gt', />/, 'operator');
export const Equals = tok('Equals', /=/, 'operator');
export const Plus = tok('Plus', /\+/, 'operator');
export const Minus = tok('Minus', /-/, 'operator');
export const Star = tok('Star', /\*/, 'operator');
export const LBrace = tok('LBrace', /\{/, 'punctuation');
export const RBrace = tok('RBrace', /\}/, 'punctuation');
export const LBracket = tok('LBracket', /\[/, 'punctuation');
export const RBracket = tok('RBracket', /\]/, 'punctuation');
export const LParen = tok('LParen', /\(/, 'punctuation');
export const RParen = tok('RParen', /\)/, 'punctuation');
export const Comma = tok('Comma', /,/, 'punctuation');
export const Colon = tok('Colon', /:/, 'punctuation');

/** Lexer order: skipped and comments, literals, keywords, identifier, operators. */
export const allTokens: TokenType[] = [
  NameToken,
  WhiteSpace,
  Comment,
  QuotedIdentifier,
  UnterminatedQuotedIdentifier,
  DateTime,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  RegexLiteral,
  ...keywordTokens,
  Identifier,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  Lt,
  Gt,
  Equals,
  Plus,
  Minus,
  Star,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  Colon,
];

/** Every keyword of the language (hard and soft), for completion and quoting. */
export const KEYWORDS: readonly string[] = keywordTokens.map((t) => String((t.PATTERN as RegExp).source).replace(/\\-/g, '-'));

/** Soft keywords may also be used as names. */
export const SOFT_KEYWORDS: ReadonlySet<string> = new Set(['fit', 'engagement', 'route', 'lead', 'events', 'at', 'expect']);

/** The table editors read for highlighting, in lexer order. */
export const TOKEN_TABLE: readonly { name: string; category: HighlightCategory; pattern: string }[] = allTokens.filter((t) => t !== NameToken).map(
  (t) => {
    const e = entries.find((x) => x.token === t)!;
    return { name: t.name, category: e.category, pattern: e.pattern };
  },
);

declare const __LQL_BUNDLED__: boolean | undefined;
/**
 * chevrotain's grammar self-checks run in development and in tests; the
 * bundled `lql` command (defined by scripts/bundle-cli.mjs, built from the
 * tested grammar) skips them to start faster.
 */
export const SKIP_GRAMMAR_CHECKS = typeof __LQL_BUNDLED__ !== 'undefined' && __LQL_BUNDLED__ === true;

/** Keywords by their word, for the words the lexer reads as identifiers. */
const KEYWORD_OF_WORD = new Map<string, TokenType>(
  keywordTokens.filter((t) => t !== HalfLife).map((t) => [String((t.PATTERN as RegExp).source), t]),
);

const wordLexer = new Lexer(
  allTokens.filter((t) => !KEYWORD_OF_WORD.has(String((t.PATTERN as RegExp).source)) || t === Identifier),
  { positionTracking: 'onlyStart', ensureOptimizations: true, skipValidations: SKIP_GRAMMAR_CHECKS },
);

const IDENTIFIER_IDX = Identifier.tokenTypeIdx!;

/** The LQL lexer: chevrotain's, with keywords told apart from names by a look-up of the whole word. */
export const lexer = {
  tokenize(text: string): ILexingResult {
    const lexed = wordLexer.tokenize(text);
    const tokens = lexed.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.tokenTypeIdx !== IDENTIFIER_IDX) continue;
      const k = KEYWORD_OF_WORD.get(t.image);
      if (k !== undefined) {
        t.tokenType = k;
        t.tokenTypeIdx = k.tokenTypeIdx!;
      }
    }
    return lexed;
  },
};

/** The offset of a token's last character (tokens lie on one line; a token made up with its own end keeps it). */
export function tokenEndOffset(t: IToken): number {
  return t.endOffset ?? t.startOffset + t.image.length - 1;
}

/** The line of a token's last character. */
export function tokenEndLine(t: IToken): number | undefined {
  return t.endLine ?? t.startLine;
}

/** The column of a token's last character. */
export function tokenEndColumn(t: IToken): number | undefined {
  if (t.endColumn !== undefined) return t.endColumn;
  return t.startColumn === undefined ? undefined : t.startColumn + t.image.length - 1;
}

/** Does a name need backticks to be written in LQL? */
export function needsQuoting(name: string): boolean {
  return !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || (KEYWORDS.includes(name) && !SOFT_KEYWORDS.has(name));
}

/**
 * The LQL parser: source text -> AST (`ast.ts`) and syntax diagnostics.
 *
 * Input: any string. Output: `{ program, diagnostics }`; never throws.
 * Built on chevrotain (EmbeddedActionsParser) with error recovery, so one
 * run reports every syntax error it can and still returns a tree for the
 * checker, the formatter and the editor. Chevrotain's own messages never
 * reach users: the error message provider below writes ours. Input without
 * any syntax error (the common case) is read by a direct recursive-descent
 * parser that builds the same tree; at its first unexpected token the
 * chevrotain parser reads the input instead.
 * Invariants: every node has a range; nodes rebuilt by recovery use a Name
 * with empty text (`''`), which later phases treat as "already reported".
 */
import {
  EmbeddedActionsParser,
  EOF,
  tokenMatcher,
  type IToken,
  type TokenType,
  type IParserErrorMessageProvider,
  type IRecognitionException,
} from 'chevrotain';
import * as T from './tokens.js';
import type * as A from './ast.js';
import { DURATION_MS, type DurationUnit } from './ast.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diag } from '../diagnostics/registry.js';
import { suggest } from '../shared/names.js';

// ---------------------------------------------------------------------------
// Plain words for tokens, used in our own messages.

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

export function tokenWord(t: TokenType): string {
  const w = TOKEN_WORDS[t.name];
  if (w) return w;
  const p = t.PATTERN;
  if (p instanceof RegExp) return `\`${p.source.replace(/\\-/g, '-')}\``;
  return t.name;
}

function describeFound(tok: IToken): string {
  if (tok.tokenType === EOF) return 'the end of the file';
  const img = tok.image.length > 30 ? tok.image.slice(0, 27) + '...' : tok.image;
  return `\`${img}\``;
}

function listWords(words: string[]): string {
  const uniq = [...new Set(words)];
  if (uniq.length <= 1) return uniq[0] ?? 'something else';
  if (uniq.length > 6) return uniq.slice(0, 6).join(', ') + ', ...';
  return uniq.slice(0, -1).join(', ') + ' or ' + uniq[uniq.length - 1];
}

const RULE_WORDS: Record<string, string> = {
  declaration: 'a declaration (attribute, activity, list, segment, fit, engagement, score, band, stages, route or test)',
  rule: 'a rule such as `+10 when ...`, `+2 per ACTIVITY` or `decay half-life 30 days`',
  points: 'points with a sign, like +10 or -5',
  condition: 'a condition',
  value: 'a value (a name, number, text, date, count(...) or days since ...)',
  duration: 'a duration like 30 days',
  arith: 'a score, number or attribute',
  testItem: '`lead { }`, `events { }`, `at DATE` or `expect CONDITION`',
  notExpr: 'a condition',
  andExpr: 'a condition',
  predicate: 'a condition',
  listOrRef: 'a list (like [A, B] or the name of a list)',
  term: 'a score, number or attribute',
  factor: 'a score, number or attribute',
  whenOrOtherwise: '`when CONDITION` or `otherwise`',
  bandEntry: 'a band label like `A >= 50` or `D otherwise`',
  name: 'a name',
  fitOrEngagement: '`fit` or `engagement`',
  literal: 'a number, text, date, true or false',
};

const RESUME_MARK = 'a new declaration was expected here.';

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    if (expected === EOF) return `Unexpected ${describeFound(actual)}: ${RESUME_MARK}`;
    return `Expected ${tokenWord(expected)} here, but found ${describeFound(actual)}.`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `Unexpected ${describeFound(firstRedundant)}: ${RESUME_MARK}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const firsts = expectedPathsPerAlt.flat().map((path) => (path[0] ? tokenWord(path[0]) : ''));
    const what = RULE_WORDS[ruleName] ?? listWords(firsts.filter(Boolean));
    return `Expected ${what}, but found ${describeFound(actual[0])}.`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const firsts = expectedIterationPaths.map((path) => (path[0] ? tokenWord(path[0]) : ''));
    const what = RULE_WORDS[ruleName] ?? listWords(firsts.filter(Boolean));
    return `Expected at least one ${what}, but found ${describeFound(actual[0])}.`;
  },
};

// ---------------------------------------------------------------------------

const ZERO: A.Pos = { offset: 0, line: 1, column: 1 };
const NO_RANGE: A.Range = { start: ZERO, end: ZERO };

function startPos(t: IToken): A.Pos {
  return { offset: t.startOffset, line: t.startLine ?? 1, column: t.startColumn ?? 1 };
}
function endPos(t: IToken): A.Pos {
  return { offset: (t.endOffset ?? t.startOffset) + 1, line: t.endLine ?? t.startLine ?? 1, column: (t.endColumn ?? t.startColumn ?? 0) + 1 };
}
function tokRange(t: IToken): A.Range {
  return { start: startPos(t), end: endPos(t) };
}
function isReal(t: IToken | undefined): t is IToken {
  return !!t && !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}

const UNIT_OF: Record<string, DurationUnit> = {
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
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', off] = m;
  const yy = +y, mm = +mo, dd = +d, hh = +h, mn = +mi, ss = +s;
  if (mm < 1 || mm > 12 || dd < 1 || hh > 23 || mn > 59 || ss > 59) return NaN;
  const ms = Math.round(+('0.' + frac) * 1000);
  let t = Date.UTC(yy, mm - 1, dd, hh, mn, ss, ms);
  const check = new Date(Date.UTC(yy, mm - 1, dd));
  if (check.getUTCDate() !== dd || check.getUTCMonth() !== mm - 1) return NaN;
  if (off && off !== 'Z') {
    const sign = off[0] === '-' ? -1 : 1;
    const oh = +off.slice(1, 3), om = +off.slice(4, 6);
    if (oh > 23 || om > 59) return NaN;
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return t;
}

class LqlParser extends EmbeddedActionsParser {
  private last: IToken | undefined;
  /** declarations parsed so far by `program` (kept when a later one aborts the rule) */
  collected: A.Decl[] = [];

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: messages, skipValidations: T.SKIP_GRAMMAR_CHECKS });
    this.performSelfAnalysis();
    // Resuming after a broken declaration is done by `parse()` itself, at the next
    // declaration keyword; chevrotain's skipping inside repetitions would hide errors.
    (this as unknown as { attemptInRepetitionRecovery: () => void }).attemptInRepetitionRecovery = () => {};
  }

  /** The next unconsumed token, or null at the end of the input. */
  nextToken(): IToken | null {
    const t = this.LA(1);
    return t.tokenType === EOF ? null : t;
  }

  resetLast(): void {
    this.last = undefined;
  }

  private tk(t: IToken): IToken {
    if (isReal(t)) this.last = t;
    return t;
  }

  /** A range from a start token to the last consumed token. */
  private span(start: IToken): A.Range {
    const s = isReal(start) ? startPos(start) : this.last ? startPos(this.last) : ZERO;
    const e = this.last ? endPos(this.last) : s;
    if (e.offset < s.offset) return { start: s, end: s };
    return { start: s, end: e };
  }

  private nameOf(t: IToken): A.Name {
    if (!isReal(t)) return { kind: 'Name', text: '', quoted: false, range: this.last ? tokRange(this.last) : { start: ZERO, end: ZERO } };
    const quoted = t.image.startsWith('`');
    return { kind: 'Name', text: quoted ? t.image.slice(1, -1) : t.image, quoted, range: tokRange(t) };
  }

  // --- names ---------------------------------------------------------------------

  public name = this.RULE('name', (): A.Name => {
    const t = this.tk(this.CONSUME(T.NameToken));
    return this.RECORDING_PHASE ? (null as never) : this.nameOf(t);
  });

  // --- program ---------------------------------------------------------------------

  public program = this.RULE('program', (): A.Program => {
    const first = this.LA(1);
    const decls: A.Decl[] = (this.collected = []);
    this.MANY(() => {
      const d = this.SUBRULE(this.declaration);
      if (!this.RECORDING_PHASE && d) decls.push(d);
    });
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Program', decls, comments: [], range: this.span(first) };
  });

  public declaration = this.RULE(
    'declaration',
    (): A.Decl =>
      this.OR([
        { ALT: () => this.SUBRULE(this.rulesetDecl) },
        { ALT: () => this.SUBRULE(this.attributeDecl) },
        { ALT: () => this.SUBRULE(this.activityDecl) },
        { ALT: () => this.SUBRULE(this.listDecl) },
        { ALT: () => this.SUBRULE(this.segmentDecl) },
        { ALT: () => this.SUBRULE(this.fitOrEngagement) },
        { ALT: () => this.SUBRULE(this.scoreDecl) },
        { ALT: () => this.SUBRULE(this.bandDecl) },
        { ALT: () => this.SUBRULE(this.stagesDecl) },
        { ALT: () => this.SUBRULE(this.routeDecl) },
        { ALT: () => this.SUBRULE(this.testDecl) },
      ]),
    { resyncEnabled: true, recoveryValueFunc: () => undefined as never },
  );

  public rulesetDecl = this.RULE('rulesetDecl', (): A.RulesetDecl => {
    const first = this.tk(this.CONSUME(T.Ruleset));
    const s = this.SUBRULE(this.stringLit);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Ruleset', name: s, range: this.span(first) };
  });

  public attributeDecl = this.RULE('attributeDecl', (): A.AttributeDecl => {
    const first = this.tk(this.CONSUME(T.Attribute));
    const name = this.SUBRULE(this.name);
    this.tk(this.CONSUME(T.Colon));
    const type = this.SUBRULE2(this.name);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Attribute', name, type, range: this.span(first) };
  });

  public activityDecl = this.RULE('activityDecl', (): A.ActivityDecl => {
    const first = this.tk(this.CONSUME(T.Activity));
    const names: A.Name[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => {
        const n = this.SUBRULE(this.name);
        if (!this.RECORDING_PHASE && n) names.push(n);
      },
    });
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Activity', names, range: this.span(first) };
  });

  public listDecl = this.RULE('listDecl', (): A.ListDecl => {
    const first = this.tk(this.CONSUME(T.List));
    const name = this.SUBRULE(this.name);
    this.tk(this.CONSUME(T.Equals));
    this.tk(this.CONSUME(T.LBracket));
    const items: A.Literal[] = [];
    this.MANY(() => {
      const l = this.SUBRULE(this.literal);
      if (!this.RECORDING_PHASE && l) items.push(l);
      this.OPTION(() => this.tk(this.CONSUME(T.Comma)));
    });
    this.tk(this.CONSUME(T.RBracket));
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'List', name, items, range: this.span(first) };
  });

  public segmentDecl = this.RULE('segmentDecl', (): A.SegmentDecl => {
    const first = this.tk(this.CONSUME(T.Segment));
    const name = this.SUBRULE(this.name);
    this.tk(this.CONSUME(T.Equals));
    const cond = this.SUBRULE(this.condition);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Segment', name, cond: cond ?? this.missingExpr(), range: this.span(first) };
  });

  public fitOrEngagement = this.RULE('fitOrEngagement', (): A.ScoreBlock => {
    const kw = this.tk(this.OR([{ ALT: () => this.CONSUME(T.Fit) }, { ALT: () => this.CONSUME(T.Engagement) }]));
    const items = this.SUBRULE(this.blockBody);
    if (this.RECORDING_PHASE) return null as never;
    const block = kw.image === 'fit' ? 'fit' : 'engagement';
    return { kind: 'ScoreBlock', block, name: this.nameOf(kw), items: items ?? [], range: this.span(kw) };
  });

  public scoreDecl = this.RULE('scoreDecl', (): A.ScoreBlock | A.DerivedScoreDecl => {
    const first = this.tk(this.CONSUME(T.Score));
    const name = this.SUBRULE(this.name);
    return this.OR([
      {
        ALT: () => {
          const items = this.SUBRULE(this.blockBody);
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'ScoreBlock', block: 'score', name, items: items ?? [], range: this.span(first) } as A.ScoreBlock;
        },
      },
      {
        ALT: () => {
          this.tk(this.CONSUME(T.Equals));
          const expr = this.SUBRULE(this.arith);
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'DerivedScore', name, expr: expr ?? this.missingArith(), range: this.span(first) } as A.DerivedScoreDecl;
        },
      },
    ]);
  });

  public blockBody = this.RULE('blockBody', (): (A.Rule | A.DecayClause)[] => {
    this.tk(this.CONSUME(T.LBrace));
    const items: (A.Rule | A.DecayClause)[] = [];
    this.MANY(() => {
      const item = this.OR([{ ALT: () => this.SUBRULE(this.rule) }, { ALT: () => this.SUBRULE(this.decayClause) }]);
      if (!this.RECORDING_PHASE && item) items.push(item);
      this.OPTION(() => this.tk(this.CONSUME(T.Comma)));
    });
    this.tk(this.CONSUME(T.RBrace));
    return items;
  });

  public decayClause = this.RULE('decayClause', (): A.DecayClause => {
    const first = this.tk(this.CONSUME(T.Decay));
    this.tk(this.CONSUME(T.HalfLife));
    const d = this.SUBRULE(this.duration);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Decay', halfLife: d, range: this.span(first) };
  });

  public points = this.RULE('points', (): A.PointsLit => {
    const first = this.LA(1);
    let sign = '';
    this.OPTION(() => {
      sign = this.tk(this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }])).image;
    });
    const n = this.tk(this.CONSUME(T.NumberLiteral));
    if (this.RECORDING_PHASE) return null as never;
    const v = numberValue(n.image);
    return { kind: 'Points', value: sign === '-' ? -v : v, raw: sign + n.image, range: this.span(first) };
  });

  public rule = this.RULE('rule', (): A.Rule => {
    const first = this.LA(1);
    const points = this.SUBRULE(this.points);
    return this.OR([
      {
        ALT: () => {
          this.tk(this.CONSUME(T.When));
          const cond = this.SUBRULE(this.condition);
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'WhenRule', points, cond: cond ?? this.missingExpr(), range: this.span(first) } as A.WhenRule;
        },
      },
      {
        ALT: () => {
          const kw = this.tk(this.OR2([{ ALT: () => this.CONSUME(T.Per) }, { ALT: () => this.CONSUME(T.Once) }]));
          const target = this.SUBRULE(this.name);
          let window: A.DurationLit | null = null;
          let max: A.NumberLit | null = null;
          this.OPTION(() => {
            this.tk(this.CONSUME(T.In));
            this.tk(this.CONSUME(T.Last));
            window = this.SUBRULE(this.duration);
          });
          this.OPTION2({
            GATE: () => tokenMatcher(this.LA(1), T.Comma) && tokenMatcher(this.LA(2), T.Max),
            DEF: () => {
              this.tk(this.CONSUME(T.Comma));
              this.tk(this.CONSUME(T.Max));
              max = this.SUBRULE(this.numberLit);
            },
          });
          if (this.RECORDING_PHASE) return null as never;
          return {
            kind: kw.image === 'once' ? 'OnceRule' : 'PerRule',
            points,
            target,
            window,
            max,
            range: this.span(first),
          } as A.PerRule | A.OnceRule;
        },
      },
    ]);
  });

  public bandDecl = this.RULE('bandDecl', (): A.BandDecl => {
    const first = this.tk(this.CONSUME(T.Band));
    const name = this.SUBRULE(this.name);
    this.tk(this.CONSUME(T.From));
    const source = this.SUBRULE2(this.name);
    this.tk(this.CONSUME(T.LBrace));
    const entries: A.BandEntry[] = [];
    this.MANY(() => {
      const e = this.SUBRULE(this.bandEntry);
      if (!this.RECORDING_PHASE && e) entries.push(e);
      this.OPTION(() => this.tk(this.CONSUME(T.Comma)));
    });
    this.tk(this.CONSUME(T.RBrace));
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Band', name, source, entries, range: this.span(first) };
  });

  public bandEntry = this.RULE('bandEntry', (): A.BandEntry => {
    const first = this.LA(1);
    const label = this.SUBRULE(this.name);
    let threshold: A.NumberLit | null = null;
    this.OR([
      {
        ALT: () => {
          this.tk(this.CONSUME(T.GtEq));
          threshold = this.SUBRULE(this.signedNumber);
        },
      },
      { ALT: () => this.tk(this.CONSUME(T.Otherwise)) },
    ]);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'BandEntry', label, threshold, range: this.span(first) };
  });

  public stagesDecl = this.RULE('stagesDecl', (): A.StagesDecl => {
    const first = this.tk(this.CONSUME(T.Stages));
    this.tk(this.CONSUME(T.LBrace));
    const entries: A.StageEntry[] = [];
    this.MANY(() => {
      const e = this.SUBRULE(this.stageEntry);
      if (!this.RECORDING_PHASE && e) entries.push(e);
      this.OPTION(() => this.tk(this.CONSUME(T.Comma)));
    });
    this.tk(this.CONSUME(T.RBrace));
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Stages', entries, range: this.span(first) };
  });

  public stageEntry = this.RULE('stageEntry', (): A.StageEntry => {
    const first = this.LA(1);
    const name = this.SUBRULE(this.name);
    const cond = this.SUBRULE(this.whenOrOtherwise);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'StageEntry', name, cond: cond ?? null, range: this.span(first) };
  });

  public whenOrOtherwise = this.RULE('whenOrOtherwise', (): A.Expr | null =>
    this.OR([
      {
        ALT: () => {
          this.tk(this.CONSUME(T.When));
          const c = this.SUBRULE(this.condition);
          return this.RECORDING_PHASE ? (null as never) : (c ?? this.missingExpr());
        },
      },
      {
        ALT: () => {
          this.tk(this.CONSUME(T.Otherwise));
          return null;
        },
      },
    ]),
  );

  public routeDecl = this.RULE('routeDecl', (): A.RouteDecl => {
    const first = this.tk(this.CONSUME(T.Route));
    this.tk(this.CONSUME(T.LBrace));
    const entries: A.RouteEntry[] = [];
    this.MANY(() => {
      const e = this.SUBRULE(this.routeEntry);
      if (!this.RECORDING_PHASE && e) entries.push(e);
      this.OPTION(() => this.tk(this.CONSUME(T.Comma)));
    });
    this.tk(this.CONSUME(T.RBrace));
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Route', entries, range: this.span(first) };
  });

  public routeEntry = this.RULE('routeEntry', (): A.RouteEntry => {
    const first = this.LA(1);
    const action = this.SUBRULE(this.stringLit);
    const cond = this.SUBRULE(this.whenOrOtherwise);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'RouteEntry', action, cond: cond ?? null, range: this.span(first) };
  });

  public testDecl = this.RULE('testDecl', (): A.TestDecl => {
    const first = this.tk(this.CONSUME(T.Test));
    const name = this.SUBRULE(this.stringLit);
    this.tk(this.CONSUME(T.LBrace));
    const lead: A.TestLeadField[] = [];
    const events: A.TestEvent[] = [];
    const expects: A.Expect[] = [];
    let at: A.DateLit | null = null;
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.tk(this.CONSUME(T.Lead));
            this.tk(this.CONSUME2(T.LBrace));
            this.MANY2(() => {
              const fFirst = this.LA(1);
              const key = this.OR2([
                { ALT: () => this.SUBRULE(this.name) },
                {
                  ALT: () => {
                    const s = this.SUBRULE2(this.stringLit);
                    return this.RECORDING_PHASE ? (null as never) : ({ kind: 'Name', text: s.value, quoted: true, range: s.range } as A.Name);
                  },
                },
              ]);
              this.tk(this.CONSUME(T.Colon));
              const value = this.SUBRULE(this.literal);
              if (!this.RECORDING_PHASE && key && value) lead.push({ kind: 'TestLeadField', key, value, range: this.span(fFirst) });
              this.OPTION(() => this.tk(this.CONSUME(T.Comma)));
            });
            this.tk(this.CONSUME2(T.RBrace));
          },
        },
        {
          ALT: () => {
            this.tk(this.CONSUME(T.Events));
            this.tk(this.CONSUME3(T.LBrace));
            this.MANY3(() => {
              const eFirst = this.LA(1);
              const type = this.SUBRULE2(this.name);
              this.tk(this.CONSUME(T.At));
              const d = this.SUBRULE(this.dateLit);
              if (!this.RECORDING_PHASE && type && d) events.push({ kind: 'TestEvent', type, at: d, range: this.span(eFirst) });
              this.OPTION2(() => this.tk(this.CONSUME2(T.Comma)));
            });
            this.tk(this.CONSUME3(T.RBrace));
          },
        },
        {
          ALT: () => {
            this.tk(this.CONSUME2(T.At));
            const d = this.SUBRULE2(this.dateLit);
            if (!this.RECORDING_PHASE) at = d;
          },
        },
        {
          ALT: () => {
            const eFirst = this.tk(this.CONSUME(T.Expect));
            const c = this.SUBRULE(this.condition);
            if (!this.RECORDING_PHASE) expects.push({ kind: 'Expect', cond: c ?? this.missingExpr(), range: this.span(eFirst) });
          },
        },
      ]);
      this.OPTION3(() => this.tk(this.CONSUME3(T.Comma)));
    });
    this.tk(this.CONSUME(T.RBrace));
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Test', name, lead, events, at, expects, range: this.span(first) };
  });

  // --- conditions -----------------------------------------------------------------

  public condition = this.RULE('condition', (): A.Expr => {
    const first = this.LA(1);
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.tk(this.CONSUME(T.Or));
      const right = this.SUBRULE2(this.andExpr);
      if (!this.RECORDING_PHASE) left = { kind: 'Or', left: left ?? this.missingExpr(), right: right ?? this.missingExpr(), range: this.span(first) };
    });
    return left;
  });

  public andExpr = this.RULE('andExpr', (): A.Expr => {
    const first = this.LA(1);
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.tk(this.CONSUME(T.And));
      const right = this.SUBRULE2(this.notExpr);
      if (!this.RECORDING_PHASE) left = { kind: 'And', left: left ?? this.missingExpr(), right: right ?? this.missingExpr(), range: this.span(first) };
    });
    return left;
  });

  public notExpr = this.RULE('notExpr', (): A.Expr =>
    this.OR([
      {
        ALT: () => {
          const first = this.tk(this.CONSUME(T.Not));
          const operand = this.SUBRULE(this.notExpr);
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'Not', operand: operand ?? this.missingExpr(), range: this.span(first) } as A.Not;
        },
      },
      {
        ALT: () => {
          const first = this.tk(this.CONSUME(T.LParen));
          const inner = this.SUBRULE(this.condition);
          this.tk(this.CONSUME(T.RParen));
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'Paren', inner: inner ?? this.missingExpr(), range: this.span(first) } as A.Paren;
        },
      },
      { ALT: () => this.SUBRULE(this.predicate) },
    ]),
  );

  public predicate = this.RULE('predicate', (): A.Expr => {
    const first = this.LA(1);
    const value = this.SUBRULE(this.value);
    let result: A.Expr | undefined;
    const mk = (e: A.Expr): void => {
      if (this.RECORDING_PHASE) return;
      e.range = this.span(first);
      result = e;
    };
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            const opTok = this.tk(
              this.OR2([
                { ALT: () => this.CONSUME(T.EqEq) },
                { ALT: () => this.CONSUME(T.NotEq) },
                { ALT: () => this.CONSUME(T.LtEq) },
                { ALT: () => this.CONSUME(T.GtEq) },
                { ALT: () => this.CONSUME(T.Lt) },
                { ALT: () => this.CONSUME(T.Gt) },
                { ALT: () => this.CONSUME(T.Equals) },
              ]),
            );
            const right = this.SUBRULE2(this.value);
            if (this.RECORDING_PHASE) return;
            if (opTok.image === '=') this.extraErrors.push(diag('LQL104', tokRange(opTok)));
            const op = (opTok.image === '=' ? '==' : opTok.image) as A.CompareOp;
            mk({ kind: 'Compare', op, left: value, right: right ?? this.missingValue(), range: NO_RANGE } as A.Compare);
          },
        },
        {
          ALT: () => {
            let negated = false;
            this.OPTION2(() => {
              this.tk(this.CONSUME(T.Not));
              negated = true;
            });
            this.tk(this.CONSUME(T.In));
            const list = this.SUBRULE(this.listOrRef);
            mk({ kind: 'In', value, list: list ?? this.missingRef(), negated, range: NO_RANGE } as A.In);
          },
        },
        {
          ALT: () => {
            this.tk(this.CONSUME(T.Between));
            const low = this.SUBRULE3(this.value);
            this.tk(this.CONSUME(T.And));
            const high = this.SUBRULE4(this.value);
            mk({ kind: 'Between', value, low: low ?? this.missingValue(), high: high ?? this.missingValue(), range: NO_RANGE } as A.Between);
          },
        },
        {
          ALT: () => {
            let op: A.TextOp = 'contains';
            this.OR3([
              { ALT: () => this.tk(this.CONSUME(T.Contains)) },
              {
                ALT: () => {
                  this.tk(this.CONSUME(T.Starts));
                  this.tk(this.CONSUME(T.With));
                  op = 'starts_with';
                },
              },
              {
                ALT: () => {
                  this.tk(this.CONSUME(T.Ends));
                  this.tk(this.CONSUME2(T.With));
                  op = 'ends_with';
                },
              },
            ]);
            const arg = this.SUBRULE5(this.value);
            mk({ kind: 'TextTest', op, value, arg: arg ?? this.missingValue(), range: NO_RANGE } as A.TextTest);
          },
        },
        {
          ALT: () => {
            this.tk(this.CONSUME(T.Matches));
            const re = this.tk(this.CONSUME(T.RegexLiteral));
            if (this.RECORDING_PHASE) return;
            const m = /^\/(.*)\/([A-Za-z]*)$/s.exec(re.image);
            const regex: A.RegexLit = {
              kind: 'Regex',
              pattern: m ? m[1] : '',
              flags: m ? m[2] : '',
              raw: re.image,
              range: isReal(re) ? tokRange(re) : this.span(first),
            };
            mk({ kind: 'Matches', value, regex, range: NO_RANGE } as A.Matches);
          },
        },
        {
          ALT: () => {
            this.tk(this.CONSUME(T.Is));
            let neg = false;
            this.OPTION3(() => {
              this.tk(this.CONSUME2(T.Not));
              neg = true;
            });
            const w = this.tk(this.OR4([{ ALT: () => this.CONSUME(T.Missing) }, { ALT: () => this.CONSUME(T.Present) }]));
            const missing = (w.image === 'missing') !== neg;
            mk({ kind: 'Presence', value, missing, range: NO_RANGE } as A.Presence);
          },
        },
      ]);
    });
    if (this.RECORDING_PHASE) return null as never;
    return result ?? { kind: 'Truthy', value: value ?? this.missingValue(), range: this.span(first) };
  });

  public listOrRef = this.RULE('listOrRef', (): A.ListLit | A.Ref =>
    this.OR([
      {
        ALT: () => {
          const first = this.tk(this.CONSUME(T.LBracket));
          const items: (A.Literal | A.Ref)[] = [];
          this.MANY(() => {
            const item = this.OR2([
              { ALT: () => this.SUBRULE(this.literal) },
              {
                ALT: () => {
                  const n = this.SUBRULE(this.name);
                  return this.RECORDING_PHASE ? (null as never) : ({ kind: 'Ref', name: n, range: n.range } as A.Ref);
                },
              },
            ]);
            if (!this.RECORDING_PHASE && item) items.push(item);
            this.OPTION(() => this.tk(this.CONSUME(T.Comma)));
          });
          this.tk(this.CONSUME(T.RBracket));
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'ListLit', items, range: this.span(first) } as A.ListLit;
        },
      },
      {
        ALT: () => {
          const n = this.SUBRULE2(this.name);
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'Ref', name: n, range: n.range } as A.Ref;
        },
      },
    ]),
  );

  public value = this.RULE('value', (): A.Value =>
    this.OR([
      { ALT: () => this.SUBRULE(this.signedNumber) },
      { ALT: () => this.SUBRULE(this.stringLit) },
      { ALT: () => this.SUBRULE(this.dateLit) },
      { ALT: () => this.SUBRULE(this.boolLit) },
      {
        ALT: () => {
          const first = this.tk(this.CONSUME(T.Count));
          this.tk(this.CONSUME(T.LParen));
          const activity = this.SUBRULE(this.name);
          let window: A.DurationLit | null = null;
          this.OPTION(() => {
            this.tk(this.CONSUME(T.In));
            this.tk(this.CONSUME(T.Last));
            window = this.SUBRULE(this.duration);
          });
          this.tk(this.CONSUME(T.RParen));
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'Count', activity, window, range: this.span(first) } as A.Count;
        },
      },
      {
        ALT: () => {
          const first = this.tk(this.CONSUME(T.Days));
          this.tk(this.CONSUME(T.Since));
          let last = false;
          this.OPTION2(() => {
            this.tk(this.CONSUME2(T.Last));
            last = true;
          });
          const target = this.SUBRULE2(this.name);
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'DaysSince', target, last, range: this.span(first) } as A.DaysSince;
        },
      },
      {
        ALT: () => {
          const first = this.LA(1);
          const n = this.SUBRULE3(this.name);
          let args: A.Value[] | null = null;
          this.OPTION3(() => {
            this.tk(this.CONSUME2(T.LParen));
            args = [];
            this.MANY_SEP({
              SEP: T.Comma,
              DEF: () => {
                const a = this.SUBRULE(this.value);
                if (!this.RECORDING_PHASE && a) args!.push(a);
              },
            });
            this.tk(this.CONSUME2(T.RParen));
          });
          if (this.RECORDING_PHASE) return null as never;
          if (args) return { kind: 'Call', callee: n, args, range: this.span(first) } as A.Call;
          return { kind: 'Ref', name: n, range: n.range } as A.Ref;
        },
      },
    ]),
  );

  // --- arithmetic (derived scores) -----------------------------------------------------

  public arith = this.RULE('arith', (): A.Arith => {
    const first = this.LA(1);
    let left = this.SUBRULE(this.term);
    this.MANY(() => {
      const op = this.tk(this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]));
      const right = this.SUBRULE2(this.term);
      if (!this.RECORDING_PHASE)
        left = { kind: 'ArithBinary', op: op.image as '+' | '-', left: left ?? this.missingArith(), right: right ?? this.missingArith(), range: this.span(first) };
    });
    return left;
  });

  public term = this.RULE('term', (): A.Arith => {
    const first = this.LA(1);
    let left = this.SUBRULE(this.factor);
    this.MANY(() => {
      this.tk(this.CONSUME(T.Star));
      const right = this.SUBRULE2(this.factor);
      if (!this.RECORDING_PHASE)
        left = { kind: 'ArithBinary', op: '*', left: left ?? this.missingArith(), right: right ?? this.missingArith(), range: this.span(first) };
    });
    return left;
  });

  public factor = this.RULE('factor', (): A.Arith =>
    this.OR([
      {
        ALT: () => {
          const first = this.tk(this.CONSUME(T.Minus));
          const operand = this.SUBRULE(this.factor);
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'ArithNeg', operand: operand ?? this.missingArith(), range: this.span(first) } as A.ArithNeg;
        },
      },
      {
        ALT: () => {
          const first = this.tk(this.CONSUME(T.LParen));
          const inner = this.SUBRULE(this.arith);
          this.tk(this.CONSUME(T.RParen));
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'ArithParen', inner: inner ?? this.missingArith(), range: this.span(first) } as A.ArithParen;
        },
      },
      { ALT: () => this.SUBRULE(this.numberLit) },
      {
        ALT: () => {
          const n = this.SUBRULE(this.name);
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'Ref', name: n, range: n.range } as A.Ref;
        },
      },
    ]),
  );

  // --- literals -------------------------------------------------------------------------

  public literal = this.RULE('literal', (): A.Literal =>
    this.OR([
      { ALT: () => this.SUBRULE(this.signedNumber) },
      { ALT: () => this.SUBRULE(this.stringLit) },
      { ALT: () => this.SUBRULE(this.dateLit) },
      { ALT: () => this.SUBRULE(this.boolLit) },
    ]),
  );

  public numberLit = this.RULE('numberLit', (): A.NumberLit => {
    const t = this.tk(this.CONSUME(T.NumberLiteral));
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Number', value: numberValue(t.image), raw: t.image, range: isReal(t) ? tokRange(t) : this.span(t) };
  });

  public signedNumber = this.RULE('signedNumber', (): A.NumberLit => {
    const first = this.LA(1);
    let neg = false;
    this.OPTION(() => {
      this.tk(this.CONSUME(T.Minus));
      neg = true;
    });
    const t = this.tk(this.CONSUME(T.NumberLiteral));
    if (this.RECORDING_PHASE) return null as never;
    const v = numberValue(t.image);
    return { kind: 'Number', value: neg ? -v : v, raw: (neg ? '-' : '') + t.image, range: this.span(first) };
  });

  public stringLit = this.RULE('stringLit', (): A.StringLit => {
    const t = this.tk(this.CONSUME(T.StringLiteral));
    if (this.RECORDING_PHASE) return null as never;
    const { value, badEscape } = unquoteString(t.image);
    if (badEscape !== null && isReal(t)) {
      const col = t.startColumn! + 1 + badEscape;
      this.extraErrors.push(
        diag('LQL103', {
          start: { offset: t.startOffset + 1 + badEscape, line: t.startLine!, column: col },
          end: { offset: t.startOffset + 3 + badEscape, line: t.startLine!, column: col + 2 },
        }),
      );
    }
    return { kind: 'String', value, range: isReal(t) ? tokRange(t) : this.span(t) };
  });

  public dateLit = this.RULE('dateLit', (): A.DateLit => {
    const t = this.tk(this.CONSUME(T.DateTime));
    if (this.RECORDING_PHASE) return null as never;
    const value = parseDateLiteral(t.image);
    if (isReal(t) && Number.isNaN(value)) this.extraErrors.push(diag('LQL105', tokRange(t), { text: t.image }));
    return { kind: 'Date', value, raw: t.image, range: isReal(t) ? tokRange(t) : this.span(t) };
  });

  public boolLit = this.RULE('boolLit', (): A.BoolLit => {
    const t = this.tk(this.OR([{ ALT: () => this.CONSUME(T.True) }, { ALT: () => this.CONSUME(T.False) }]));
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Bool', value: t.image === 'true', range: isReal(t) ? tokRange(t) : this.span(t) };
  });

  public duration = this.RULE('duration', (): A.DurationLit => {
    const first = this.LA(1);
    const n = this.tk(this.CONSUME(T.NumberLiteral));
    const u = this.tk(
      this.OR([
        { ALT: () => this.CONSUME(T.Minutes) },
        { ALT: () => this.CONSUME(T.Minute) },
        { ALT: () => this.CONSUME(T.Hours) },
        { ALT: () => this.CONSUME(T.Hour) },
        { ALT: () => this.CONSUME(T.Days) },
        { ALT: () => this.CONSUME(T.Day) },
        { ALT: () => this.CONSUME(T.Weeks) },
        { ALT: () => this.CONSUME(T.Week) },
      ]),
    );
    if (this.RECORDING_PHASE) return null as never;
    const amount = numberValue(n.image);
    const unit = UNIT_OF[u.image] ?? 'day';
    return { kind: 'Duration', amount, unit, unitRaw: u.image || 'days', ms: amount * DURATION_MS[unit], range: this.span(first) };
  });

  // --- recovery placeholders -----------------------------------------------------------

  extraErrors: Diagnostic[] = [];

  private here(): A.Range {
    return this.last ? tokRange(this.last) : { start: ZERO, end: ZERO };
  }
  private missingName(): A.Name {
    return { kind: 'Name', text: '', quoted: false, range: this.here() };
  }
  missingRef(): A.Ref {
    return { kind: 'Ref', name: this.missingName(), range: this.here() };
  }
  missingValue(): A.Value {
    return this.missingRef();
  }
  missingExpr(): A.Expr {
    return { kind: 'Truthy', value: this.missingRef(), range: this.here() };
  }
  missingArith(): A.Arith {
    return this.missingRef();
  }
}

function numberValue(raw: string): number {
  const v = Number(raw.replace(/_/g, ''));
  return Number.isFinite(v) ? v : NaN;
}

// ---------------------------------------------------------------------------
// The direct parser: a plain recursive-descent reading of the grammar above,
// for input that has no syntax error at all (the common case: files being
// compiled, checked or formatted). It builds the same tree, with the same
// ranges, as the rules above, and gives up by throwing `GIVE_UP` at the first
// token the grammar does not allow there, or at anything the rules above
// would report (a bad escape, `=` as a comparison, an impossible date).
// `parse()` then runs the chevrotain parser, which owns every message and all
// error recovery. Each decision below reads the same tokens as the matching
// rule's lookahead (one token; two for `, max`).

const GIVE_UP = { giveUp: true };

const NAME_TYPES: ReadonlySet<TokenType> = new Set([T.Identifier, T.QuotedIdentifier, T.Fit, T.Engagement, T.Route, T.Lead, T.Events, T.At, T.Expect]);
const UNIT_TYPES: ReadonlySet<TokenType> = new Set([T.Minutes, T.Minute, T.Hours, T.Hour, T.Days, T.Day, T.Weeks, T.Week]);
const COMPARE_TYPES: ReadonlySet<TokenType> = new Set([T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt]);
const LITERAL_TYPES: ReadonlySet<TokenType> = new Set([T.Minus, T.NumberLiteral, T.StringLiteral, T.DateTime, T.True, T.False]);

class DirectParser {
  private i = 0;
  private readonly n: number;
  private readonly types: TokenType[];
  /** positions made so far, by token index: nodes that start or end at one token share them */
  private readonly starts: (A.Pos | undefined)[];
  private readonly ends: (A.Pos | undefined)[];

  constructor(private readonly s: TokenStream) {
    this.n = s.n;
    this.types = s.types;
    this.starts = new Array<A.Pos | undefined>(s.n);
    this.ends = new Array<A.Pos | undefined>(s.n);
  }

  program(): A.Decl[] {
    const decls: A.Decl[] = [];
    while (this.i < this.n) decls.push(this.declaration());
    return decls;
  }

  // --- tokens -------------------------------------------------------------------

  private type(): TokenType | undefined {
    return this.i < this.n ? this.types[this.i] : undefined;
  }

  /** the text of the token at index k */
  private image(k: number): string {
    const off = this.s.offs[k]!;
    return this.s.text.slice(off, off + this.s.lens[k]!);
  }

  /** take a token of this type (its index) */
  private take(type: TokenType): number {
    if (this.i >= this.n || this.types[this.i] !== type) throw GIVE_UP;
    return this.i++;
  }

  private takeIf(type: TokenType): boolean {
    if (this.i < this.n && this.types[this.i] === type) {
      this.i++;
      return true;
    }
    return false;
  }

  private atName(): boolean {
    return this.i < this.n && NAME_TYPES.has(this.types[this.i]);
  }

  private startAt(k: number): A.Pos {
    return (this.starts[k] ??= { offset: this.s.offs[k]!, line: this.s.lines[k]!, column: this.s.cols[k]! });
  }

  /** tokens other than white space never span lines */
  private endAt(k: number): A.Pos {
    const len = this.s.lens[k]!;
    return (this.ends[k] ??= { offset: this.s.offs[k]! + len, line: this.s.lines[k]!, column: this.s.cols[k]! + len });
  }

  /** the range of the token at index k */
  private tokRange(k: number): A.Range {
    return { start: this.startAt(k), end: this.endAt(k) };
  }

  /** from the start of the token at index `first` to the end of the last token taken */
  private span(first: number): A.Range {
    return { start: this.startAt(first), end: this.endAt(this.i - 1) };
  }

  // --- declarations ---------------------------------------------------------------

  private declaration(): A.Decl {
    switch (this.type()) {
      case T.Ruleset: {
        const first = this.i;
        this.take(T.Ruleset);
        const name = this.stringLit();
        return { kind: 'Ruleset', name, range: this.span(first) };
      }
      case T.Attribute: {
        const first = this.i;
        this.take(T.Attribute);
        const name = this.name();
        this.take(T.Colon);
        const type = this.name();
        return { kind: 'Attribute', name, type, range: this.span(first) };
      }
      case T.Activity: {
        const first = this.i;
        this.take(T.Activity);
        const names: A.Name[] = [this.name()];
        while (this.takeIf(T.Comma)) names.push(this.name());
        return { kind: 'Activity', names, range: this.span(first) };
      }
      case T.List: {
        const first = this.i;
        this.take(T.List);
        const name = this.name();
        this.take(T.Equals);
        this.take(T.LBracket);
        const items: A.Literal[] = [];
        while (this.i < this.n && LITERAL_TYPES.has(this.types[this.i])) {
          items.push(this.literal());
          this.takeIf(T.Comma);
        }
        this.take(T.RBracket);
        return { kind: 'List', name, items, range: this.span(first) };
      }
      case T.Segment: {
        const first = this.i;
        this.take(T.Segment);
        const name = this.name();
        this.take(T.Equals);
        const cond = this.condition();
        return { kind: 'Segment', name, cond, range: this.span(first) };
      }
      case T.Fit:
      case T.Engagement: {
        const kw = this.i++;
        const items = this.blockBody();
        const block = this.image(kw) === 'fit' ? 'fit' : 'engagement';
        return { kind: 'ScoreBlock', block, name: this.nameOf(kw), items, range: this.span(kw) };
      }
      case T.Score: {
        const first = this.i;
        this.take(T.Score);
        const name = this.name();
        if (this.type() === T.LBrace) {
          const items = this.blockBody();
          return { kind: 'ScoreBlock', block: 'score', name, items, range: this.span(first) };
        }
        this.take(T.Equals);
        const expr = this.arith();
        return { kind: 'DerivedScore', name, expr, range: this.span(first) };
      }
      case T.Band: {
        const first = this.i;
        this.take(T.Band);
        const name = this.name();
        this.take(T.From);
        const source = this.name();
        this.take(T.LBrace);
        const entries: A.BandEntry[] = [];
        while (this.atName()) {
          const eFirst = this.i;
          const label = this.name();
          let threshold: A.NumberLit | null = null;
          if (this.takeIf(T.GtEq)) threshold = this.signedNumber();
          else this.take(T.Otherwise);
          entries.push({ kind: 'BandEntry', label, threshold, range: this.span(eFirst) });
          this.takeIf(T.Comma);
        }
        this.take(T.RBrace);
        return { kind: 'Band', name, source, entries, range: this.span(first) };
      }
      case T.Stages: {
        const first = this.i;
        this.take(T.Stages);
        this.take(T.LBrace);
        const entries: A.StageEntry[] = [];
        while (this.atName()) {
          const eFirst = this.i;
          const name = this.name();
          const cond = this.whenOrOtherwise();
          entries.push({ kind: 'StageEntry', name, cond, range: this.span(eFirst) });
          this.takeIf(T.Comma);
        }
        this.take(T.RBrace);
        return { kind: 'Stages', entries, range: this.span(first) };
      }
      case T.Route: {
        const first = this.i;
        this.take(T.Route);
        this.take(T.LBrace);
        const entries: A.RouteEntry[] = [];
        while (this.type() === T.StringLiteral) {
          const eFirst = this.i;
          const action = this.stringLit();
          const cond = this.whenOrOtherwise();
          entries.push({ kind: 'RouteEntry', action, cond, range: this.span(eFirst) });
          this.takeIf(T.Comma);
        }
        this.take(T.RBrace);
        return { kind: 'Route', entries, range: this.span(first) };
      }
      case T.Test:
        return this.testDecl();
      default:
        throw GIVE_UP;
    }
  }

  private blockBody(): (A.Rule | A.DecayClause)[] {
    this.take(T.LBrace);
    const items: (A.Rule | A.DecayClause)[] = [];
    for (;;) {
      const ty = this.type();
      if (ty === T.Decay) {
        const first = this.i;
        this.take(T.Decay);
        this.take(T.HalfLife);
        const halfLife = this.duration();
        items.push({ kind: 'Decay', halfLife, range: this.span(first) });
      } else if (ty === T.Plus || ty === T.Minus || ty === T.NumberLiteral) {
        items.push(this.rule());
      } else break;
      this.takeIf(T.Comma);
    }
    this.take(T.RBrace);
    return items;
  }

  private rule(): A.Rule {
    const first = this.i;
    const sign = this.type() === T.Plus || this.type() === T.Minus ? this.image(this.i++) : '';
    const n = this.image(this.take(T.NumberLiteral));
    const v = numberValue(n);
    const points: A.PointsLit = { kind: 'Points', value: sign === '-' ? -v : v, raw: sign + n, range: this.span(first) };
    const ty = this.type();
    if (ty === T.When) {
      this.i++;
      const cond = this.condition();
      return { kind: 'WhenRule', points, cond, range: this.span(first) };
    }
    if (ty !== T.Per && ty !== T.Once) throw GIVE_UP;
    const kw = this.image(this.i++);
    const target = this.name();
    let window: A.DurationLit | null = null;
    let max: A.NumberLit | null = null;
    if (this.takeIf(T.In)) {
      this.take(T.Last);
      window = this.duration();
    }
    if (this.type() === T.Comma && this.i + 1 < this.n && this.types[this.i + 1] === T.Max) {
      this.i += 2;
      max = this.numberLit();
    }
    return { kind: kw === 'once' ? 'OnceRule' : 'PerRule', points, target, window, max, range: this.span(first) } as A.PerRule | A.OnceRule;
  }

  private whenOrOtherwise(): A.Expr | null {
    if (this.takeIf(T.When)) return this.condition();
    this.take(T.Otherwise);
    return null;
  }

  private testDecl(): A.TestDecl {
    const first = this.i;
    this.take(T.Test);
    const name = this.stringLit();
    this.take(T.LBrace);
    const lead: A.TestLeadField[] = [];
    const events: A.TestEvent[] = [];
    const expects: A.Expect[] = [];
    let at: A.DateLit | null = null;
    for (;;) {
      const ty = this.type();
      if (ty === T.Lead) {
        this.i++;
        this.take(T.LBrace);
        while (this.atName() || this.type() === T.StringLiteral) {
          const fFirst = this.i;
          let key: A.Name;
          if (this.atName()) key = this.name();
          else {
            const s = this.stringLit();
            key = { kind: 'Name', text: s.value, quoted: true, range: s.range };
          }
          this.take(T.Colon);
          const value = this.literal();
          lead.push({ kind: 'TestLeadField', key, value, range: this.span(fFirst) });
          this.takeIf(T.Comma);
        }
        this.take(T.RBrace);
      } else if (ty === T.Events) {
        this.i++;
        this.take(T.LBrace);
        while (this.atName()) {
          const eFirst = this.i;
          const type = this.name();
          this.take(T.At);
          const d = this.dateLit();
          events.push({ kind: 'TestEvent', type, at: d, range: this.span(eFirst) });
          this.takeIf(T.Comma);
        }
        this.take(T.RBrace);
      } else if (ty === T.At) {
        this.i++;
        at = this.dateLit();
      } else if (ty === T.Expect) {
        const eFirst = this.i++;
        const cond = this.condition();
        expects.push({ kind: 'Expect', cond, range: this.span(eFirst) });
      } else break;
      this.takeIf(T.Comma);
    }
    this.take(T.RBrace);
    return { kind: 'Test', name, lead, events, at, expects, range: this.span(first) };
  }

  // --- conditions -----------------------------------------------------------------

  private condition(): A.Expr {
    const first = this.i;
    let left = this.andExpr();
    while (this.takeIf(T.Or)) {
      const right = this.andExpr();
      left = { kind: 'Or', left, right, range: this.span(first) };
    }
    return left;
  }

  private andExpr(): A.Expr {
    const first = this.i;
    let left = this.notExpr();
    while (this.takeIf(T.And)) {
      const right = this.notExpr();
      left = { kind: 'And', left, right, range: this.span(first) };
    }
    return left;
  }

  private notExpr(): A.Expr {
    const ty = this.type();
    if (ty === T.Not) {
      const first = this.i++;
      const operand = this.notExpr();
      return { kind: 'Not', operand, range: this.span(first) };
    }
    if (ty === T.LParen) {
      const first = this.i++;
      const inner = this.condition();
      this.take(T.RParen);
      return { kind: 'Paren', inner, range: this.span(first) };
    }
    return this.predicate();
  }

  private predicate(): A.Expr {
    const first = this.i;
    const value = this.value();
    const ty = this.type();
    if (ty === undefined) return { kind: 'Truthy', value, range: this.span(first) };
    if (COMPARE_TYPES.has(ty)) {
      const op = this.image(this.i++) as A.CompareOp;
      const right = this.value();
      return { kind: 'Compare', op, left: value, right, range: this.span(first) };
    }
    switch (ty) {
      case T.Not:
      case T.In: {
        const negated = this.takeIf(T.Not);
        this.take(T.In);
        const list = this.listOrRef();
        return { kind: 'In', value, list, negated, range: this.span(first) };
      }
      case T.Between: {
        this.i++;
        const low = this.value();
        this.take(T.And);
        const high = this.value();
        return { kind: 'Between', value, low, high, range: this.span(first) };
      }
      case T.Contains:
      case T.Starts:
      case T.Ends: {
        this.i++;
        let op: A.TextOp = 'contains';
        if (ty !== T.Contains) {
          this.take(T.With);
          op = ty === T.Starts ? 'starts_with' : 'ends_with';
        }
        const arg = this.value();
        return { kind: 'TextTest', op, value, arg, range: this.span(first) };
      }
      case T.Matches: {
        this.i++;
        const re = this.take(T.RegexLiteral);
        const raw = this.image(re);
        const m = /^\/(.*)\/([A-Za-z]*)$/s.exec(raw);
        const regex: A.RegexLit = { kind: 'Regex', pattern: m ? m[1] : '', flags: m ? m[2] : '', raw, range: this.tokRange(re) };
        return { kind: 'Matches', value, regex, range: this.span(first) };
      }
      case T.Is: {
        this.i++;
        const neg = this.takeIf(T.Not);
        const w = this.type();
        if (w !== T.Missing && w !== T.Present) throw GIVE_UP;
        this.i++;
        return { kind: 'Presence', value, missing: (w === T.Missing) !== neg, range: this.span(first) };
      }
      default:
        // `=` is reported by the rules above (LQL104)
        if (ty === T.Equals) throw GIVE_UP;
        return { kind: 'Truthy', value, range: this.span(first) };
    }
  }

  private listOrRef(): A.ListLit | A.Ref {
    if (this.type() === T.LBracket) {
      const first = this.i++;
      const items: (A.Literal | A.Ref)[] = [];
      for (;;) {
        if (this.i < this.n && LITERAL_TYPES.has(this.types[this.i])) items.push(this.literal());
        else if (this.atName()) {
          const n = this.name();
          items.push({ kind: 'Ref', name: n, range: n.range });
        } else break;
        this.takeIf(T.Comma);
      }
      this.take(T.RBracket);
      return { kind: 'ListLit', items, range: this.span(first) };
    }
    const n = this.name();
    return { kind: 'Ref', name: n, range: n.range };
  }

  private value(): A.Value {
    switch (this.type()) {
      case T.Minus:
      case T.NumberLiteral:
        return this.signedNumber();
      case T.StringLiteral:
        return this.stringLit();
      case T.DateTime:
        return this.dateLit();
      case T.True:
      case T.False:
        return this.boolLit();
      case T.Count: {
        const first = this.i++;
        this.take(T.LParen);
        const activity = this.name();
        let window: A.DurationLit | null = null;
        if (this.takeIf(T.In)) {
          this.take(T.Last);
          window = this.duration();
        }
        this.take(T.RParen);
        return { kind: 'Count', activity, window, range: this.span(first) };
      }
      case T.Days: {
        const first = this.i++;
        this.take(T.Since);
        const last = this.takeIf(T.Last);
        const target = this.name();
        return { kind: 'DaysSince', target, last, range: this.span(first) };
      }
      default: {
        const first = this.i;
        const n = this.name();
        if (!this.takeIf(T.LParen)) return { kind: 'Ref', name: n, range: n.range };
        const args: A.Value[] = [];
        if (this.i < this.n && VALUE_STARTS.has(this.types[this.i])) {
          args.push(this.value());
          while (this.takeIf(T.Comma)) args.push(this.value());
        }
        this.take(T.RParen);
        return { kind: 'Call', callee: n, args, range: this.span(first) };
      }
    }
  }

  // --- arithmetic -------------------------------------------------------------------

  private arith(): A.Arith {
    const first = this.i;
    let left = this.term();
    for (let ty = this.type(); ty === T.Plus || ty === T.Minus; ty = this.type()) {
      const op = this.image(this.i++) as '+' | '-';
      const right = this.term();
      left = { kind: 'ArithBinary', op, left, right, range: this.span(first) };
    }
    return left;
  }

  private term(): A.Arith {
    const first = this.i;
    let left = this.factor();
    while (this.takeIf(T.Star)) {
      const right = this.factor();
      left = { kind: 'ArithBinary', op: '*', left, right, range: this.span(first) };
    }
    return left;
  }

  private factor(): A.Arith {
    const ty = this.type();
    if (ty === T.Minus) {
      const first = this.i++;
      const operand = this.factor();
      return { kind: 'ArithNeg', operand, range: this.span(first) };
    }
    if (ty === T.LParen) {
      const first = this.i++;
      const inner = this.arith();
      this.take(T.RParen);
      return { kind: 'ArithParen', inner, range: this.span(first) };
    }
    if (ty === T.NumberLiteral) return this.numberLit();
    const n = this.name();
    return { kind: 'Ref', name: n, range: n.range };
  }

  // --- names and literals ---------------------------------------------------------------

  private name(): A.Name {
    if (!this.atName()) throw GIVE_UP;
    return this.nameOf(this.i++);
  }

  private nameOf(k: number): A.Name {
    const image = this.image(k);
    const quoted = image.startsWith('`');
    return { kind: 'Name', text: quoted ? image.slice(1, -1) : image, quoted, range: this.tokRange(k) };
  }

  private literal(): A.Literal {
    switch (this.type()) {
      case T.Minus:
      case T.NumberLiteral:
        return this.signedNumber();
      case T.StringLiteral:
        return this.stringLit();
      case T.DateTime:
        return this.dateLit();
      default:
        return this.boolLit();
    }
  }

  private numberLit(): A.NumberLit {
    const t = this.take(T.NumberLiteral);
    const raw = this.image(t);
    return { kind: 'Number', value: numberValue(raw), raw, range: this.tokRange(t) };
  }

  private signedNumber(): A.NumberLit {
    const first = this.i;
    const neg = this.takeIf(T.Minus);
    const raw = this.image(this.take(T.NumberLiteral));
    const v = numberValue(raw);
    return { kind: 'Number', value: neg ? -v : v, raw: (neg ? '-' : '') + raw, range: this.span(first) };
  }

  private stringLit(): A.StringLit {
    const t = this.take(T.StringLiteral);
    const { value, badEscape } = unquoteString(this.image(t));
    if (badEscape !== null) throw GIVE_UP; // LQL103, reported by the rules above
    return { kind: 'String', value, range: this.tokRange(t) };
  }

  private dateLit(): A.DateLit {
    const t = this.take(T.DateTime);
    const raw = this.image(t);
    const value = parseDateLiteral(raw);
    if (Number.isNaN(value)) throw GIVE_UP; // LQL105, reported by the rules above
    return { kind: 'Date', value, raw, range: this.tokRange(t) };
  }

  private boolLit(): A.BoolLit {
    const ty = this.type();
    if (ty !== T.True && ty !== T.False) throw GIVE_UP;
    const t = this.i++;
    return { kind: 'Bool', value: this.image(t) === 'true', range: this.tokRange(t) };
  }

  private duration(): A.DurationLit {
    const first = this.take(T.NumberLiteral);
    const ty = this.type();
    if (ty === undefined || !UNIT_TYPES.has(ty)) throw GIVE_UP;
    const u = this.image(this.i++);
    const amount = numberValue(this.image(first));
    const unit = UNIT_OF[u] ?? 'day';
    return { kind: 'Duration', amount, unit, unitRaw: u || 'days', ms: amount * DURATION_MS[unit], range: this.span(first) };
  }
}

const VALUE_STARTS: ReadonlySet<TokenType> = new Set([...LITERAL_TYPES, T.Count, T.Days, ...NAME_TYPES]);

/** The tree of an error-free token stream, or null when it has any syntax error. */
function parseDirect(stream: TokenStream): A.Decl[] | null {
  try {
    return new DirectParser(stream).program();
  } catch {
    // GIVE_UP (or anything unforeseen): the chevrotain parser reads the input
    return null;
  }
}

// ---------------------------------------------------------------------------
// The direct scanner: the lexer's tokens for input it lexes without any
// error, as parallel arrays (no token objects). It follows the token table's
// order (literals, keywords with `Identifier` as the longer alternative,
// operators) and returns null at anything else: a character no token starts
// with, a text or name left open, any character outside ASCII except in
// white space, comments, texts and quoted names. Lines end at \n, \r\n or \r,
// as for the lexer; tokens other than white space never span lines.

/** Tokens as parallel arrays, for the direct parser. */
interface TokenStream {
  text: string;
  n: number;
  types: TokenType[];
  offs: number[];
  lens: number[];
  lines: number[];
  cols: number[];
  comments: A.Comment[];
}

/** keyword text -> token (`half-life` is matched on its own) */
const KEYWORD_TYPES: ReadonlyMap<string, TokenType> = new Map(
  T.allTokens.filter((t) => t.PATTERN instanceof RegExp && T.KEYWORDS.includes(t.PATTERN.source.replace(/\\-/g, '-'))).map((t) => [(t.PATTERN as RegExp).source.replace(/\\-/g, '-'), t]),
);
const DATE_AT = new RegExp((T.DateTime.PATTERN as RegExp).source, 'y');
const NUMBER_AT = new RegExp((T.NumberLiteral.PATTERN as RegExp).source, 'y');

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function scan(text: string): TokenStream | null {
  const types: TokenType[] = [];
  const offs: number[] = [];
  const lens: number[] = [];
  const lines: number[] = [];
  const cols: number[] = [];
  const comments: A.Comment[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    let type: TokenType;
    let len = 1;
    if (c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff) {
      i++;
      continue;
    } else if (c === 10 || c === 13) {
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      line++;
      lineStart = i;
      continue;
    } else if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
      let j = i + 1;
      while (j < n && isWordChar(text.charCodeAt(j))) j++;
      if (c === 104 && text.startsWith('half-life', i)) {
        type = T.HalfLife;
        len = 9;
      } else {
        type = (j - i <= 10 && KEYWORD_TYPES.get(text.slice(i, j))) || T.Identifier;
        len = j - i;
      }
    } else if (c >= 48 && c <= 57) {
      DATE_AT.lastIndex = i;
      if (DATE_AT.test(text)) type = T.DateTime;
      else {
        NUMBER_AT.lastIndex = i;
        NUMBER_AT.test(text);
        type = T.NumberLiteral;
      }
      len = (type === T.DateTime ? DATE_AT.lastIndex : NUMBER_AT.lastIndex) - i;
    } else if (c === 35 /* # */) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 10 && text.charCodeAt(j) !== 13) j++;
      const column = i - lineStart + 1;
      comments.push({
        kind: 'Comment',
        text: text.slice(i + 1, j),
        range: { start: { offset: i, line, column }, end: { offset: j, line, column: column + j - i } },
      });
      i = j;
      continue;
    } else if (c === 34 /* " */ || c === 96 /* ` */ || c === 47 /* / */) {
      // a text, a quoted name or a regular expression: up to the closing mark on the same line
      let j = i + 1;
      for (;;) {
        if (j >= n) return null;
        const d = text.charCodeAt(j);
        if (d === 10 || d === 13) return null;
        if (d === c) break;
        if (d === 92 /* \ */ && c !== 96) {
          const e = text.charCodeAt(j + 1);
          if (j + 1 >= n || e === 10 || e === 13 || e === 0x2028 || e === 0x2029) return null;
          j += 2;
        } else j++;
      }
      if (c === 47) {
        if (j === i + 1) return null; // `//` is not a regular expression
        j++;
        while (j < n && ((text.charCodeAt(j) >= 97 && text.charCodeAt(j) <= 122) || (text.charCodeAt(j) >= 65 && text.charCodeAt(j) <= 90))) j++;
        type = T.RegexLiteral;
        len = j - i;
      } else {
        type = c === 34 ? T.StringLiteral : T.QuotedIdentifier;
        len = j - i + 1;
      }
    } else {
      const next = text.charCodeAt(i + 1);
      switch (c) {
        case 61 /* = */:
          type = next === 61 ? T.EqEq : T.Equals;
          break;
        case 33 /* ! */:
          if (next !== 61) return null;
          type = T.NotEq;
          break;
        case 60 /* < */:
          type = next === 61 ? T.LtEq : T.Lt;
          break;
        case 62 /* > */:
          type = next === 61 ? T.GtEq : T.Gt;
          break;
        case 43:
          type = T.Plus;
          break;
        case 45:
          type = T.Minus;
          break;
        case 42:
          type = T.Star;
          break;
        case 123:
          type = T.LBrace;
          break;
        case 125:
          type = T.RBrace;
          break;
        case 91:
          type = T.LBracket;
          break;
        case 93:
          type = T.RBracket;
          break;
        case 40:
          type = T.LParen;
          break;
        case 41:
          type = T.RParen;
          break;
        case 44:
          type = T.Comma;
          break;
        case 58:
          type = T.Colon;
          break;
        default:
          return null;
      }
      if (type === T.EqEq || type === T.NotEq || type === T.LtEq || type === T.GtEq) len = 2;
    }
    types.push(type);
    offs.push(i);
    lens.push(len);
    lines.push(line);
    cols.push(i - lineStart + 1);
    i += len;
  }
  return { text, n: types.length, types, offs, lens, lines, cols, comments };
}

let shared: LqlParser | null = null;
function parserInstance(): LqlParser {
  return (shared ??= new LqlParser());
}

export interface ParseResult {
  program: A.Program;
  diagnostics: Diagnostic[];
  /** the lexed tokens (without comments), for editor features (lexed again on first use after an error-free parse) */
  tokens: IToken[];
}

/**
 * The result of a parse without any error. Its tokens are lexed again when
 * first asked for (the same tokens: lexing is deterministic), so that callers
 * that only want the tree, like `compileSource`, do not keep them alive.
 */
function withLazyTokens(program: A.Program, diagnostics: Diagnostic[], text: string): ParseResult {
  let tokens: IToken[] | undefined;
  return {
    program,
    diagnostics,
    get tokens(): IToken[] {
      return (tokens ??= T.lexer.tokenize(text).tokens);
    },
    set tokens(value: IToken[]) {
      tokens = value;
    },
  };
}

export interface ParseOptions {
  /**
   * `auto` (default): error-free text takes the direct scanner and parser,
   * anything else the chevrotain parser with recovery. `chevrotain` forces
   * the latter (tests compare the two: they must build the same tree).
   */
  path?: 'auto' | 'chevrotain';
}

/** Parse LQL source text. Never throws. */
export function parse(text: string, options: ParseOptions = {}): ParseResult {
  const stream = options.path === 'chevrotain' ? null : scan(text);
  if (stream) {
    const direct = parseDirect(stream);
    if (direct) {
      const program: A.Program = { kind: 'Program', decls: direct, comments: stream.comments, range: { start: ZERO, end: endOfText(text).start } };
      return withLazyTokens(program, [], text);
    }
  }
  const diagnostics: Diagnostic[] = [];
  let lexed: ReturnType<typeof T.lexer.tokenize>;
  try {
    lexed = T.lexer.tokenize(text);
  } catch {
    return { program: emptyProgram(), diagnostics: [diag('LQL100', { start: ZERO, end: ZERO }, { text: '?' })], tokens: [] };
  }
  for (const e of lexed.errors) {
    const line = e.line ?? 1;
    const column = e.column ?? 1;
    const ch = text.slice(e.offset, e.offset + Math.max(1, Math.min(e.length, 1)));
    diagnostics.push(
      diag('LQL100', { start: { offset: e.offset, line, column }, end: { offset: e.offset + e.length, line, column: column + e.length } }, {
        text: ch === '\n' ? '\\n' : ch,
      }),
    );
  }
  // Tokens that only exist to give a better message.
  const tokens: IToken[] = [];
  for (const t of lexed.tokens) {
    if (t.tokenType === T.UnterminatedString) {
      diagnostics.push(diag('LQL101', tokRange(t)));
      tokens.push({ ...t, tokenType: T.StringLiteral, image: t.image + '"' });
      continue;
    }
    if (t.tokenType === T.UnterminatedQuotedIdentifier) {
      diagnostics.push(diag('LQL102', tokRange(t)));
      tokens.push({ ...t, tokenType: T.QuotedIdentifier, image: t.image + '`' });
      continue;
    }
    tokens.push(t);
  }
  const p = parserInstance();
  p.extraErrors = [];
  const decls: A.Decl[] = [];
  const errors: IRecognitionException[] = [];
  let from = 0;
  // Parse; when a declaration cannot continue, report it and resume at the next
  // token that starts a declaration, so one run finds every independent mistake.
  for (let guard = 0; guard < 10_000 && from < tokens.length; guard++) {
    p.resetLast();
    p.input = tokens.slice(from);
    let part: A.Program | undefined;
    try {
      part = p.program();
    } catch {
      part = undefined;
    }
    decls.push(...(part ? part.decls : p.collected));
    errors.push(...(p.errors as IRecognitionException[]));
    const rest = p.nextToken();
    if (!rest) break;
    const stoppedAt = tokens.indexOf(rest, from);
    if (stoppedAt < 0) break;
    if (!errors.some((e) => e.token === rest)) {
      const r = tokRange(rest);
      diagnostics.push(diag('LQL110', r, { message: withKeywordHint(`Unexpected ${describeFound(rest)}: ${RESUME_MARK}`, rest) }));
    }
    let next = stoppedAt + 1;
    // `... and fit {`: the soft keyword was taken as a name; resume at it.
    if (stoppedAt > from && tokens[stoppedAt].tokenType === T.LBrace && SOFT_STARTS.has(tokens[stoppedAt - 1].tokenType)) next = stoppedAt - 1;
    while (next < tokens.length && !startsDeclaration(tokens, next)) next++;
    from = next;
  }
  const program: A.Program = { kind: 'Program', decls: decls.filter(Boolean), comments: [], range: { start: ZERO, end: endOfText(text).start } };
  if (errors.length || diagnostics.length || p.extraErrors.length) repair(program);
  // one message per place: a lexer message wins over the parse error it causes
  const seen = new Set<number>(diagnostics.map((d) => d.range.start.offset));
  for (const e of errors) {
    const t = e.token;
    let range: A.Range;
    if (isReal(t)) range = tokRange(t);
    else {
      // EOF or an inserted token: point just after the previous real token
      const prev = (e as { previousToken?: IToken }).previousToken;
      range = isReal(prev) ? { start: endPos(prev), end: { ...endPos(prev), column: endPos(prev).column + 1 } } : endOfText(text);
    }
    if (seen.has(range.start.offset)) continue; // one message per place
    seen.add(range.start.offset);
    diagnostics.push(diag('LQL110', range, { message: withKeywordHint(e.message, t) }));
  }
  diagnostics.push(...p.extraErrors);
  program.comments = commentsOf(lexed.groups.comments);
  diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset);
  return { program, diagnostics, tokens };
}

function commentsOf(comments: IToken[] | undefined): A.Comment[] {
  return comments?.map((c: IToken) => ({ kind: 'Comment', text: c.image.slice(1), range: tokRange(c) })) ?? [];
}

const NAME_FIELDS = new Set(['name', 'type', 'target', 'callee', 'activity', 'source', 'label', 'key']);
const EXPR_PARENTS = new Set(['Or', 'And', 'Not', 'Paren', 'Segment', 'WhenRule', 'Expect']);

/**
 * After error recovery some parts of a node may be absent; fill them with
 * empty placeholders (a Name with text '') so later phases never meet
 * `undefined`. Placeholders are only ever in trees that have syntax errors.
 */
function repair(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (let i = node.length - 1; i >= 0; i--) {
      if (node[i] === undefined || node[i] === null) node.splice(i, 1);
      else repair(node[i]);
    }
    return;
  }
  const n = node as Record<string, unknown> & { kind?: string; range?: A.Range };
  if (!n.kind) return;
  const range: A.Range = n.range ?? { start: ZERO, end: ZERO };
  if (!n.range) n.range = range;
  const name = (): A.Name => ({ kind: 'Name', text: '', quoted: false, range });
  const ref = (): A.Ref => ({ kind: 'Ref', name: name(), range });
  for (const [k, v] of Object.entries(n)) {
    if (v !== undefined) {
      repair(v);
      continue;
    }
    if (NAME_FIELDS.has(k)) n[k] = name();
    else if (['items', 'args', 'entries', 'names', 'lead', 'events', 'expects', 'decls'].includes(k)) n[k] = [];
    else if (k === 'points') n[k] = { kind: 'Points', value: 0, raw: '+0', range };
    else if (k === 'halfLife') n[k] = { kind: 'Duration', amount: 1, unit: 'day', unitRaw: 'day', ms: DURATION_MS.day, range };
    else if (k === 'regex') n[k] = { kind: 'Regex', pattern: '', flags: '', raw: '//', range };
    else if (k === 'at') n[k] = n.kind === 'TestEvent' ? { kind: 'Date', value: NaN, raw: '', range } : null;
    else if (k === 'window' || k === 'max' || k === 'threshold') n[k] = null;
    else if (EXPR_PARENTS.has(n.kind) && ['cond', 'left', 'right', 'operand', 'inner'].includes(k)) n[k] = { kind: 'Truthy', value: ref(), range };
    else if (k === 'cond') n[k] = null;
    else n[k] = ref();
  }
}

const DECLARATION_WORDS = ['ruleset', 'attribute', 'activity', 'list', 'segment', 'fit', 'engagement', 'score', 'band', 'stages', 'route', 'test'];

/** `segmnt x = ...`: point out the declaration keyword that was probably meant. */
function withKeywordHint(message: string, t: IToken | undefined): string {
  if (!t || !message.endsWith(RESUME_MARK) || !/^[A-Za-z_]\w*$/.test(t.image)) return message;
  const [best] = suggest(t.image, DECLARATION_WORDS);
  return best ? `${message} Did you mean \`${best}\`?` : message;
}

const HARD_STARTS = new Set([T.Ruleset, T.Attribute, T.Activity, T.List, T.Segment, T.Score, T.Band, T.Stages, T.Test]);
const SOFT_STARTS = new Set([T.Fit, T.Engagement, T.Route]);

/** Does the token at i begin a declaration (a resume point after an error)? */
function startsDeclaration(tokens: IToken[], i: number): boolean {
  const t = tokens[i].tokenType;
  if (HARD_STARTS.has(t)) return true;
  return SOFT_STARTS.has(t) && tokens[i + 1]?.tokenType === T.LBrace;
}

function endOfText(text: string): A.Range {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) line++;
  const column = text.length - (text.lastIndexOf('\n') + 1) + 1;
  const pos = { offset: text.length, line, column };
  return { start: pos, end: pos };
}

function emptyProgram(): A.Program {
  return { kind: 'Program', decls: [], comments: [], range: { start: ZERO, end: ZERO } };
}

/**
 * The LQL grammar: a chevrotain EmbeddedActionsParser whose rules build the
 * AST (`ast.ts`) as they read the tokens of the one token table.
 *
 * Input: tokens from `tokens.ts` (set through `input`). Output: an
 * `A.Program` from `program()`, chevrotain's recognition errors in `errors`
 * (worded by `messages.ts`) and our own syntax diagnostics in `extraErrors`.
 * Invariants: one instance serves every parse (built and self-analysed once);
 * every node has a range; error recovery is chevrotain's (single-token
 * insertion and deletion, re-sync at rules and inside repetitions), and each
 * rule's recovery value is a placeholder of the right kind, so a tree with
 * errors has no `undefined` part: a missing name is a Name with empty text
 * (`''`), which later phases treat as "already reported". Rules that would be
 * read often keep their alternatives in fields (built once), following
 * chevrotain's performance guide.
 */
import { EmbeddedActionsParser, type IOrAlt, type IToken, type OrMethodOpts, type ParserMethod, type TokenType } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diag } from '../diagnostics/registry.js';
import type * as A from './ast.js';
import { DURATION_MS } from './ast.js';
import { numberValue, parseDateLiteral, UNIT_OF, unquoteString } from './literals.js';
import { describeFound, keywordHint, messageProvider, nearestKeyword } from './messages.js';
import * as T from './tokens.js';

export const ZERO: A.Pos = { offset: 0, line: 1, column: 1 };
const NO_RANGE: A.Range = { start: ZERO, end: ZERO };

/*
 * Positions and ranges are shared between the nodes that start or end at the
 * same token (a condition, its first comparison and that comparison's value
 * start at one place): small caches, indexed by offset, hand out the same
 * object again. Nothing changes a Pos or a Range once made.
 */
/*
 * The most numerous parts of a tree (positions, ranges, names) are made by
 * constructors, not object literals: V8 learns from literals whose objects
 * outlive a minor collection (a tree lives through checking and lowering)
 * to allocate them straight into the old generation, which made parsing
 * several times slower in a running process. Same fields, same meaning.
 */
class Position implements A.Pos {
  declare readonly offset: number;
  declare readonly line: number;
  declare readonly column: number;
  constructor(offset: number, line: number, column: number) {
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}
class Span implements A.Range {
  declare readonly start: A.Pos;
  declare readonly end: A.Pos;
  constructor(start: A.Pos, end: A.Pos) {
    this.start = start;
    this.end = end;
  }
}
/** A name node (fields in the order of the AST's other nodes: `kind` first). */
class NameNode implements A.Name {
  declare readonly kind: 'Name';
  declare text: string;
  declare quoted: boolean;
  declare range: A.Range;
  constructor(text: string, quoted: boolean, range: A.Range) {
    this.kind = 'Name';
    this.text = text;
    this.quoted = quoted;
    this.range = range;
  }
}
/** A reference to a name (the most frequent value of a condition). */
class RefNode implements A.Ref {
  declare readonly kind: 'Ref';
  declare name: A.Name;
  declare range: A.Range;
  constructor(name: A.Name, range: A.Range) {
    this.kind = 'Ref';
    this.name = name;
    this.range = range;
  }
}
/** A value tested on its own (`hot_lead`, a segment's name). */
class TruthyNode implements A.Truthy {
  declare readonly kind: 'Truthy';
  declare value: A.Value;
  declare range: A.Range;
  constructor(value: A.Value, range: A.Range) {
    this.kind = 'Truthy';
    this.value = value;
    this.range = range;
  }
}
const CACHE = 256;
const startToks: (IToken | undefined)[] = new Array(CACHE);
const startPoss: A.Pos[] = new Array(CACHE);
const endToks: (IToken | undefined)[] = new Array(CACHE);
const endPoss: A.Pos[] = new Array(CACHE);
const ranges: (A.Range | undefined)[] = new Array(CACHE);

export function startPos(t: IToken): A.Pos {
  const i = t.startOffset & (CACHE - 1);
  if (startToks[i] === t) return startPoss[i]!;
  const p = new Position(t.startOffset, t.startLine ?? 1, t.startColumn ?? 1);
  startToks[i] = t;
  startPoss[i] = p;
  return p;
}
export function endPos(t: IToken): A.Pos {
  const i = t.startOffset & (CACHE - 1);
  if (endToks[i] === t) return endPoss[i]!;
  const p = new Position(T.tokenEndOffset(t) + 1, T.tokenEndLine(t) ?? 1, (T.tokenEndColumn(t) ?? 0) + 1);
  endToks[i] = t;
  endPoss[i] = p;
  return p;
}
/** The range from `start` to `end` (the same object as the last one made for them, if still cached). */
function rangeOf(start: A.Pos, end: A.Pos): A.Range {
  const i = start.offset & (CACHE - 1);
  const r = ranges[i];
  if (r !== undefined && r.start === start && r.end === end) return r;
  const made = new Span(start, end);
  ranges[i] = made;
  return made;
}
export function tokRange(t: IToken): A.Range {
  return rangeOf(startPos(t), endPos(t));
}
/** A token of the input (not one inserted by recovery, not the end of the file). */
export function isReal(t: IToken | undefined): t is IToken {
  return !!t && !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}

type RuleItem = A.Rule | A.DecayClause;

/** the keywords after a rule's points, and after a stage's or route's name */
const RULE_KEYWORDS = ['when', 'per', 'once'];
const ENTRY_KEYWORDS = ['when', 'otherwise'];

export class LqlParser extends EmbeddedActionsParser {
  /** syntax diagnostics that are not recognition errors (bad escape, `=` comparison, impossible date, misspelt keyword) */
  extraErrors: Diagnostic[] = [];

  // Alternatives read often, built once (they use no local variable of the rule).
  private altDeclaration: IOrAlt<A.Decl>[] | undefined = undefined;
  private altNot: IOrAlt<A.Expr>[] | undefined = undefined;
  private altValue: IOrAlt<A.Value>[] | undefined = undefined;
  private altLiteral: IOrAlt<A.Literal>[] | undefined = undefined;
  private altFactor: IOrAlt<A.Arith>[] | undefined = undefined;
  private altCompare: IOrAlt<IToken>[] | undefined = undefined;
  private altUnit: IOrAlt<IToken>[] | undefined = undefined;
  private altRuleTail: OrMethodOpts<A.Rule> | undefined = undefined;
  private altStageTail: OrMethodOpts<A.Expr | null> | undefined = undefined;
  private altBlockItem: IOrAlt<RuleItem>[] | undefined = undefined;
  private altPredicateTail: IOrAlt<A.Expr>[] | undefined = undefined;
  private altListItem: IOrAlt<A.Literal | A.Ref>[] | undefined = undefined;
  /** the points of the rule being read (its tail alternatives are shared) */
  private points: A.PointsLit | null = null;
  private ruleFirst: IToken | null = null;

  constructor() {
    // LL(1): every choice is made on the next token (the one two-token choice, `, max`, has a gate), which
    // keeps the grammar analysis that runs once per process short
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 1, errorMessageProvider: messageProvider, skipValidations: T.SKIP_GRAMMAR_CHECKS });
    this.performSelfAnalysis();
  }

  /**
   * Forget the last parse's tokens and tree (the one instance outlives every
   * parse: holding them would keep each program in memory until the next).
   */
  release(): void {
    this.input = [];
    this.extraErrors = [];
    this.decls = [];
    this.points = null;
    this.ruleFirst = null;
    this.subject = null;
  }

  /** The next token (where the parser stopped, after a parse that threw). */
  nextToken(): IToken {
    return this.LA(1);
  }

  /** A range from a start token to the last token read. */
  private span(first: IToken): A.Range {
    const last = this.LA(0);
    const s = isReal(first) ? startPos(first) : isReal(last) ? startPos(last) : ZERO;
    const e = isReal(last) ? endPos(last) : s;
    return rangeOf(s, e.offset < s.offset ? s : e);
  }

  /** The range of the last token read (where a missing part is reported). */
  private here(): A.Range {
    const last = this.LA(0);
    return isReal(last) ? tokRange(last) : NO_RANGE;
  }

  private nameOf(t: IToken): A.Name {
    if (!isReal(t)) return this.missingName();
    const quoted = t.image.charCodeAt(0) === 96; // `
    return new NameNode(quoted ? t.image.slice(1, -1) : t.image, quoted, tokRange(t));
  }

  // --- recovery placeholders ------------------------------------------------------------

  missingName(): A.Name {
    return new NameNode('', false, this.here());
  }
  missingRef(): A.Ref {
    return new RefNode(this.missingName(), this.here());
  }
  missingExpr(): A.Expr {
    return new TruthyNode(this.missingRef(), this.here());
  }
  private missingNumber(): A.NumberLit {
    return { kind: 'Number', value: Number.NaN, raw: '', range: this.here() };
  }
  private missingString(): A.StringLit {
    return { kind: 'String', value: '', range: this.here() };
  }
  private missingDate(): A.DateLit {
    return { kind: 'Date', value: Number.NaN, raw: '', range: this.here() };
  }
  private missingDuration(): A.DurationLit {
    return { kind: 'Duration', amount: 1, unit: 'day', unitRaw: 'day', ms: DURATION_MS.day, range: this.here() };
  }
  private missingPoints(): A.PointsLit {
    return { kind: 'Points', value: 0, raw: '+0', range: this.here() };
  }

  /** The keyword the next token (a word) is nearest to, among `choices`. */
  private nearest(choices: readonly string[]): string | undefined {
    const t = this.LA(1);
    return t.tokenType === T.Identifier ? nearestKeyword(t, choices) : undefined;
  }

  /**
   * A word where a keyword belongs (`+10 whn x`, `+5 if x`, `MQL othrwise`):
   * one error naming the nearest keyword, which the rest is read as.
   * Returns that keyword.
   */
  private misspeltKeyword(t: IToken, choices: string[]): string | undefined {
    const best = nearestKeyword(t, choices);
    if (!isReal(t)) return best;
    const what = choices
      .map((c) => `\`${c}\``)
      .join(', ')
      .replace(/, ([^,]*)$/, ' or $1');
    this.extraErrors.push(diag('LQL110', tokRange(t), { message: `Expected ${what} here, but found ${describeFound(t)}.${keywordHint(t, choices)}` }));
    return best;
  }

  // --- program ---------------------------------------------------------------------

  /** the declarations read so far (kept when recovery gives up on the rest of the file) */
  private decls: A.Decl[] = [];

  public program = this.RULE(
    'program',
    (): A.Program => {
      const decls: A.Decl[] = (this.decls = []);
      this.MANY(() => {
        const d = this.SUBRULE(this.declaration);
        if (d) decls.push(d);
      });
      return { kind: 'Program', decls, comments: [], range: NO_RANGE };
    },
    { recoveryValueFunc: (): A.Program => ({ kind: 'Program', decls: this.decls, comments: [], range: NO_RANGE }) },
  );

  public declaration = this.RULE(
    'declaration',
    (): A.Decl =>
      this.OR(
        (this.altDeclaration ??= [
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
      ),
    { recoveryValueFunc: () => undefined as never },
  );

  public rulesetDecl = this.RULE('rulesetDecl', (): A.RulesetDecl => {
    const first = this.CONSUME(T.Ruleset);
    const name = this.SUBRULE(this.stringLit);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Ruleset', name, range: this.span(first) };
  });

  public attributeDecl = this.RULE('attributeDecl', (): A.AttributeDecl => {
    const first = this.CONSUME(T.Attribute);
    const name = this.SUBRULE(this.name);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE2(this.name);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Attribute', name, type, range: this.span(first) };
  });

  public activityDecl = this.RULE('activityDecl', (): A.ActivityDecl => {
    const first = this.CONSUME(T.Activity);
    const names: A.Name[] = [this.SUBRULE(this.name)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      names.push(this.SUBRULE2(this.name));
    });
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Activity', names, range: this.span(first) };
  });

  public listDecl = this.RULE('listDecl', (): A.ListDecl => {
    const first = this.CONSUME(T.List);
    const name = this.SUBRULE(this.name);
    this.CONSUME(T.Equals);
    this.CONSUME(T.LBracket);
    const items: A.Literal[] = [];
    this.MANY(() => {
      items.push(this.SUBRULE(this.literal));
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBracket);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'List', name, items, range: this.span(first) };
  });

  public segmentDecl = this.RULE('segmentDecl', (): A.SegmentDecl => {
    const first = this.CONSUME(T.Segment);
    const name = this.SUBRULE(this.name);
    this.CONSUME(T.Equals);
    const cond = this.SUBRULE(this.condition);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Segment', name, cond, range: this.span(first) };
  });

  public fitOrEngagement = this.RULE('fitOrEngagement', (): A.ScoreBlock => {
    const kw = this.OR([{ ALT: () => this.CONSUME(T.Fit) }, { ALT: () => this.CONSUME(T.Engagement) }]);
    const items = this.SUBRULE(this.blockBody);
    if (this.RECORDING_PHASE) return null as never;
    const block = kw.image === 'fit' ? 'fit' : 'engagement';
    return { kind: 'ScoreBlock', block, name: this.nameOf(kw), items, range: this.span(kw) };
  });

  public scoreDecl = this.RULE('scoreDecl', (): A.ScoreBlock | A.DerivedScoreDecl => {
    const first = this.CONSUME(T.Score);
    const name = this.SUBRULE(this.name);
    return this.OR([
      {
        ALT: () => {
          const items = this.SUBRULE(this.blockBody);
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'ScoreBlock', block: 'score', name, items, range: this.span(first) } as A.ScoreBlock;
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Equals);
          const expr = this.SUBRULE(this.arith);
          if (this.RECORDING_PHASE) return null as never;
          return { kind: 'DerivedScore', name, expr, range: this.span(first) } as A.DerivedScoreDecl;
        },
      },
    ]);
  });

  public blockBody = this.RULE(
    'blockBody',
    (): RuleItem[] => {
      this.CONSUME(T.LBrace);
      const items: RuleItem[] = [];
      this.MANY(() => {
        const item = this.OR((this.altBlockItem ??= [{ ALT: () => this.SUBRULE(this.rule) }, { ALT: () => this.SUBRULE(this.decayClause) }]));
        if (item) items.push(item);
        this.OPTION(() => this.CONSUME(T.Comma));
      });
      this.CONSUME(T.RBrace);
      return items;
    },
    { recoveryValueFunc: () => [] },
  );

  public decayClause = this.RULE(
    'decayClause',
    (): A.DecayClause => {
      const first = this.CONSUME(T.Decay);
      this.CONSUME(T.HalfLife);
      const halfLife = this.SUBRULE(this.duration);
      if (this.RECORDING_PHASE) return null as never;
      return { kind: 'Decay', halfLife, range: this.span(first) };
    },
    { recoveryValueFunc: () => undefined as never },
  );

  public pointsLit = this.RULE(
    'points',
    (): A.PointsLit => {
      const first = this.LA(1);
      const sign = this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]));
      const n = this.CONSUME(T.NumberLiteral);
      if (this.RECORDING_PHASE) return null as never;
      const s = sign ? sign.image : '';
      const v = numberValue(n.image);
      return { kind: 'Points', value: s === '-' ? -v : v, raw: s + n.image, range: this.span(first) };
    },
    { recoveryValueFunc: () => this.missingPoints() },
  );

  public rule = this.RULE(
    'rule',
    (): A.Rule => {
      this.ruleFirst = this.LA(1);
      this.points = this.SUBRULE(this.pointsLit);
      return this.OR(
        (this.altRuleTail ??= {
          // a misspelt `when`, `per` or `once` (`whn`, `if`, `pr`) is read as the keyword it is nearest to
          IGNORE_AMBIGUITIES: true,
          DEF: [
            {
              ALT: () => {
                const points = this.points!;
                const first = this.ruleFirst!;
                this.CONSUME(T.When);
                const cond = this.SUBRULE(this.condition);
                if (this.RECORDING_PHASE) return null as never;
                return { kind: 'WhenRule', points, cond, range: this.span(first) } as A.WhenRule;
              },
            },
            {
              GATE: () => {
                const t = this.LA(1).tokenType;
                if (t === T.Per || t === T.Once) return true;
                const k = this.nearest(RULE_KEYWORDS);
                return k === 'per' || k === 'once';
              },
              ALT: () => {
                const points = this.points!;
                const first = this.ruleFirst!;
                const kw = this.OR2([{ ALT: () => this.CONSUME(T.Per) }, { ALT: () => this.CONSUME(T.Once) }, { ALT: () => this.CONSUME(T.Identifier) }]);
                const target = this.SUBRULE(this.name);
                const window =
                  this.OPTION(() => {
                    this.CONSUME(T.In);
                    this.CONSUME(T.Last);
                    return this.SUBRULE(this.duration);
                  }) ?? null;
                const max =
                  this.OPTION2({
                    GATE: this.commaMax,
                    DEF: () => {
                      this.CONSUME(T.Comma);
                      this.CONSUME(T.Max);
                      return this.SUBRULE(this.numberLit);
                    },
                  }) ?? null;
                if (this.RECORDING_PHASE) return null as never;
                let once = kw.image === 'once';
                if (kw.tokenType === T.Identifier) once = this.misspeltKeyword(kw, RULE_KEYWORDS) === 'once';
                return { kind: once ? 'OnceRule' : 'PerRule', points, target, window, max, range: this.span(first) } as A.PerRule | A.OnceRule;
              },
            },
            {
              GATE: () => this.nearest(RULE_KEYWORDS) === 'when',
              ALT: () => {
                const points = this.points!;
                const first = this.ruleFirst!;
                const word = this.CONSUME2(T.Identifier);
                const cond = this.SUBRULE2(this.condition);
                if (this.RECORDING_PHASE) return null as never;
                this.misspeltKeyword(word, RULE_KEYWORDS);
                return { kind: 'WhenRule', points, cond, range: this.span(first) } as A.WhenRule;
              },
            },
          ],
        }),
      );
    },
    { recoveryValueFunc: () => undefined as never },
  );

  private commaMax = (): boolean => this.LA(1).tokenType === T.Comma && this.LA(2).tokenType === T.Max;

  public bandDecl = this.RULE('bandDecl', (): A.BandDecl => {
    const first = this.CONSUME(T.Band);
    const name = this.SUBRULE(this.name);
    this.CONSUME(T.From);
    const source = this.SUBRULE2(this.name);
    const entries = this.bracedEntries(this.bandEntry);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Band', name, source, entries, range: this.span(first) };
  });

  public bandEntry = this.RULE(
    'bandEntry',
    (): A.BandEntry => {
      const first = this.LA(1);
      const label = this.SUBRULE(this.name);
      const threshold = this.OR([
        {
          ALT: () => {
            this.CONSUME(T.GtEq);
            return this.SUBRULE(this.signedNumber);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Otherwise);
            return null;
          },
        },
      ]);
      if (this.RECORDING_PHASE) return null as never;
      return { kind: 'BandEntry', label, threshold, range: this.span(first) };
    },
    { recoveryValueFunc: () => undefined as never },
  );

  /** `{ ENTRY, ENTRY ... }` (commas optional): the entries of a band, the stages or the routes */
  private bracedEntries<E>(entry: ParserMethod<[], E>): E[] {
    this.CONSUME(T.LBrace);
    const entries: E[] = [];
    this.MANY(() => {
      const e = this.SUBRULE(entry);
      if (e) entries.push(e);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBrace);
    return entries;
  }

  public stagesDecl = this.RULE('stagesDecl', (): A.StagesDecl => {
    const first = this.CONSUME(T.Stages);
    const entries = this.bracedEntries(this.stageEntry);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Stages', entries, range: this.span(first) };
  });

  public stageEntry = this.RULE(
    'stageEntry',
    (): A.StageEntry => {
      const first = this.LA(1);
      const name = this.SUBRULE(this.name);
      const cond = this.SUBRULE(this.whenOrOtherwise);
      if (this.RECORDING_PHASE) return null as never;
      return { kind: 'StageEntry', name, cond, range: this.span(first) };
    },
    { recoveryValueFunc: () => undefined as never },
  );

  public whenOrOtherwise = this.RULE(
    'whenOrOtherwise',
    (): A.Expr | null =>
      this.OR(
        (this.altStageTail ??= {
          // a misspelt `when` or `otherwise` (`whn`, `if`, `othrwise`) is read as the keyword it is nearest to
          IGNORE_AMBIGUITIES: true,
          DEF: [
            {
              ALT: () => {
                this.CONSUME(T.When);
                return this.SUBRULE(this.condition);
              },
            },
            {
              ALT: () => {
                this.CONSUME(T.Otherwise);
                return null;
              },
            },
            {
              GATE: () => this.nearest(ENTRY_KEYWORDS) === 'when',
              ALT: () => {
                const word = this.CONSUME(T.Identifier);
                const cond = this.SUBRULE2(this.condition);
                if (!this.RECORDING_PHASE) this.misspeltKeyword(word, ENTRY_KEYWORDS);
                return cond;
              },
            },
            {
              GATE: () => this.nearest(ENTRY_KEYWORDS) === 'otherwise',
              ALT: () => {
                const word = this.CONSUME2(T.Identifier);
                if (!this.RECORDING_PHASE) this.misspeltKeyword(word, ENTRY_KEYWORDS);
                return null;
              },
            },
          ],
        }),
      ),
    { recoveryValueFunc: () => this.missingExpr() },
  );

  public routeDecl = this.RULE('routeDecl', (): A.RouteDecl => {
    const first = this.CONSUME(T.Route);
    const entries = this.bracedEntries(this.routeEntry);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Route', entries, range: this.span(first) };
  });

  public routeEntry = this.RULE(
    'routeEntry',
    (): A.RouteEntry => {
      const first = this.LA(1);
      const action = this.SUBRULE(this.stringLit);
      const cond = this.SUBRULE(this.whenOrOtherwise);
      if (this.RECORDING_PHASE) return null as never;
      return { kind: 'RouteEntry', action, cond, range: this.span(first) };
    },
    { recoveryValueFunc: () => undefined as never },
  );

  public testDecl = this.RULE('testDecl', (): A.TestDecl => {
    const first = this.CONSUME(T.Test);
    const name = this.SUBRULE(this.stringLit);
    this.CONSUME(T.LBrace);
    const lead: A.TestLeadField[] = [];
    const events: A.TestEvent[] = [];
    const expects: A.Expect[] = [];
    let at: A.DateLit | null = null;
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Lead);
            this.CONSUME2(T.LBrace);
            this.MANY2(() => {
              const fFirst = this.LA(1);
              const key = this.OR2([
                { ALT: () => this.SUBRULE(this.name) },
                {
                  ALT: () => {
                    const s = this.SUBRULE2(this.stringLit);
                    return this.RECORDING_PHASE ? (null as never) : new NameNode(s.value, true, s.range);
                  },
                },
              ]);
              this.CONSUME(T.Colon);
              const value = this.SUBRULE(this.literal);
              if (!this.RECORDING_PHASE) lead.push({ kind: 'TestLeadField', key, value, range: this.span(fFirst) });
              this.OPTION(() => this.CONSUME(T.Comma));
            });
            this.CONSUME2(T.RBrace);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Events);
            this.CONSUME3(T.LBrace);
            this.MANY3(() => {
              const eFirst = this.LA(1);
              const type = this.SUBRULE2(this.name);
              this.CONSUME(T.At);
              const d = this.SUBRULE(this.dateLit);
              if (!this.RECORDING_PHASE) events.push({ kind: 'TestEvent', type, at: d, range: this.span(eFirst) });
              this.OPTION2(() => this.CONSUME2(T.Comma));
            });
            this.CONSUME3(T.RBrace);
          },
        },
        {
          ALT: () => {
            this.CONSUME2(T.At);
            const d = this.SUBRULE2(this.dateLit);
            if (!this.RECORDING_PHASE) at = d;
          },
        },
        {
          ALT: () => {
            const eFirst = this.CONSUME(T.Expect);
            const c = this.SUBRULE(this.condition);
            if (!this.RECORDING_PHASE) expects.push({ kind: 'Expect', cond: c, range: this.span(eFirst) });
          },
        },
      ]);
      this.OPTION3(() => this.CONSUME3(T.Comma));
    });
    this.CONSUME(T.RBrace);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Test', name, lead, events, at, expects, range: this.span(first) };
  });

  // --- conditions -----------------------------------------------------------------

  /** `a or b or c`, `a and b`: a left-leaning chain of one logical operator */
  private logicalChain(kind: 'Or' | 'And', op: TokenType, operand: ParserMethod<[], A.Expr>): A.Expr {
    const first = this.LA(1);
    let left = this.SUBRULE(operand);
    this.MANY(() => {
      this.CONSUME(op);
      const right = this.SUBRULE2(operand);
      if (!this.RECORDING_PHASE) left = { kind, left, right, range: this.span(first) };
    });
    return left;
  }

  public condition = this.RULE('condition', (): A.Expr => this.logicalChain('Or', T.Or, this.andExpr), { recoveryValueFunc: () => this.missingExpr() });

  public andExpr = this.RULE('andExpr', (): A.Expr => this.logicalChain('And', T.And, this.notExpr), { recoveryValueFunc: () => this.missingExpr() });

  /** `not not x`: the `not`s are read in a loop (not by recursion), so thousands of them cannot overflow the stack */
  public notExpr = this.RULE(
    'notExpr',
    (): A.Expr => {
      const nots: IToken[] = [];
      this.MANY(() => {
        nots.push(this.CONSUME(T.Not));
      });
      let e = this.OR(
        (this.altNot ??= [
          {
            ALT: () => {
              const first = this.CONSUME(T.LParen);
              const inner = this.SUBRULE(this.condition);
              this.CONSUME(T.RParen);
              if (this.RECORDING_PHASE) return null as never;
              return { kind: 'Paren', inner, range: this.span(first) } as A.Paren;
            },
          },
          { ALT: () => this.SUBRULE(this.predicate) },
        ]),
      );
      if (this.RECORDING_PHASE) return null as never;
      for (let i = nots.length - 1; i >= 0; i--) e = { kind: 'Not', operand: e, range: this.span(nots[i]!) };
      return e;
    },
    { recoveryValueFunc: () => this.missingExpr() },
  );

  /** the value the predicate being read tests (its tail alternatives are shared) */
  private subject: A.Value | null = null;

  public predicate = this.RULE(
    'predicate',
    (): A.Expr => {
      const first = this.LA(1);
      const value = this.SUBRULE(this.value);
      this.subject = value;
      const result = this.OPTION(this.predicateTail);
      if (this.RECORDING_PHASE) return null as never;
      if (result) {
        result.range = this.span(first);
        return result;
      }
      return new TruthyNode(value, this.span(first));
    },
    { recoveryValueFunc: () => this.missingExpr() },
  );

  /** what follows the value in a predicate (its range is set by `predicate`) */
  private predicateTail = (): A.Expr =>
    this.OR(
      (this.altPredicateTail ??= [
        {
          ALT: () => {
            const value = this.subject!;
            const opTok = this.OR2(
              (this.altCompare ??= [
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
            if (this.RECORDING_PHASE) return null as never;
            if (opTok.image === '=') this.extraErrors.push(diag('LQL104', tokRange(opTok)));
            const op = (opTok.image === '=' ? '==' : opTok.image) as A.CompareOp;
            return { kind: 'Compare', op, left: value, right, range: NO_RANGE } as A.Compare;
          },
        },
        {
          ALT: () => {
            const value = this.subject!;
            const negated = this.OPTION2(() => this.CONSUME(T.Not)) !== undefined;
            this.CONSUME(T.In);
            const list = this.SUBRULE(this.listOrRef);
            return { kind: 'In', value, list, negated, range: NO_RANGE } as A.In;
          },
        },
        {
          ALT: () => {
            const value = this.subject!;
            this.CONSUME(T.Between);
            const low = this.SUBRULE3(this.value);
            this.CONSUME(T.And);
            const high = this.SUBRULE4(this.value);
            return { kind: 'Between', value, low, high, range: NO_RANGE } as A.Between;
          },
        },
        {
          ALT: () => {
            const value = this.subject!;
            const op = this.OR3([
              {
                ALT: () => {
                  this.CONSUME(T.Contains);
                  return 'contains' as const;
                },
              },
              {
                ALT: () => {
                  this.CONSUME(T.Starts);
                  this.CONSUME(T.With);
                  return 'starts_with' as const;
                },
              },
              {
                ALT: () => {
                  this.CONSUME(T.Ends);
                  this.CONSUME2(T.With);
                  return 'ends_with' as const;
                },
              },
            ]);
            const arg = this.SUBRULE5(this.value);
            return { kind: 'TextTest', op, value, arg, range: NO_RANGE } as A.TextTest;
          },
        },
        {
          ALT: () => {
            const value = this.subject!;
            this.CONSUME(T.Matches);
            const re = this.CONSUME(T.RegexLiteral);
            if (this.RECORDING_PHASE) return null as never;
            const m = /^\/(.*)\/([A-Za-z]*)$/s.exec(re.image);
            const regex: A.RegexLit = {
              kind: 'Regex',
              pattern: m?.[1] ?? '',
              flags: m?.[2] ?? '',
              raw: isReal(re) ? re.image : '//',
              range: isReal(re) ? tokRange(re) : this.here(),
            };
            return { kind: 'Matches', value, regex, range: NO_RANGE } as A.Matches;
          },
        },
        {
          ALT: () => {
            const value = this.subject!;
            this.CONSUME(T.Is);
            const neg = this.OPTION3(() => this.CONSUME2(T.Not)) !== undefined;
            const w = this.OR4([{ ALT: () => this.CONSUME(T.Missing) }, { ALT: () => this.CONSUME(T.Present) }]);
            const missing = (w.image === 'missing') !== neg;
            return { kind: 'Presence', value, missing, range: NO_RANGE } as A.Presence;
          },
        },
      ]),
    );

  public listOrRef = this.RULE(
    'listOrRef',
    (): A.ListLit | A.Ref =>
      this.OR([
        {
          ALT: () => {
            const first = this.CONSUME(T.LBracket);
            const items: (A.Literal | A.Ref)[] = [];
            this.MANY(() => {
              items.push(
                this.OR2(
                  (this.altListItem ??= [
                    { ALT: () => this.SUBRULE(this.literal) },
                    {
                      ALT: () => {
                        const n = this.SUBRULE(this.name);
                        return this.RECORDING_PHASE ? (null as never) : new RefNode(n, n.range);
                      },
                    },
                  ]),
                ),
              );
              this.OPTION(() => this.CONSUME(T.Comma));
            });
            this.CONSUME(T.RBracket);
            if (this.RECORDING_PHASE) return null as never;
            return { kind: 'ListLit', items, range: this.span(first) } as A.ListLit;
          },
        },
        {
          ALT: () => {
            const n = this.SUBRULE2(this.name);
            if (this.RECORDING_PHASE) return null as never;
            return new RefNode(n, n.range);
          },
        },
      ]),
    { recoveryValueFunc: () => this.missingRef() },
  );

  public value = this.RULE(
    'value',
    (): A.Value =>
      this.OR(
        (this.altValue ??= [
          { ALT: () => this.SUBRULE(this.signedNumber) },
          { ALT: () => this.SUBRULE(this.stringLit) },
          { ALT: () => this.SUBRULE(this.dateLit) },
          { ALT: () => this.SUBRULE(this.boolLit) },
          {
            ALT: () => {
              const first = this.CONSUME(T.Count);
              this.CONSUME(T.LParen);
              const activity = this.SUBRULE(this.name);
              const window =
                this.OPTION(() => {
                  this.CONSUME(T.In);
                  this.CONSUME(T.Last);
                  return this.SUBRULE(this.duration);
                }) ?? null;
              this.CONSUME(T.RParen);
              if (this.RECORDING_PHASE) return null as never;
              return { kind: 'Count', activity, window, range: this.span(first) } as A.Count;
            },
          },
          {
            ALT: () => {
              const first = this.CONSUME(T.Days);
              this.CONSUME(T.Since);
              const last = this.OPTION2(() => this.CONSUME2(T.Last)) !== undefined;
              const target = this.SUBRULE2(this.name);
              if (this.RECORDING_PHASE) return null as never;
              return { kind: 'DaysSince', target, last, range: this.span(first) } as A.DaysSince;
            },
          },
          {
            ALT: () => {
              // the name read in place, not through the `name` rule: this alternative is only taken
              // when the next token is a name, and names are the most frequent part of a condition
              const t = this.CONSUME(T.NameToken);
              const args = this.OPTION3(this.callArgs);
              if (this.RECORDING_PHASE) return null as never;
              const n = this.nameOf(t);
              if (args) return { kind: 'Call', callee: n, args, range: this.span(t) } as A.Call;
              return new RefNode(n, n.range);
            },
          },
        ]),
      ),
    { recoveryValueFunc: () => this.missingRef() },
  );

  /** `(value, ...)` after a function's name (in `value`) */
  private callArgs = (): A.Value[] => {
    this.CONSUME2(T.LParen);
    const list: A.Value[] = [];
    this.MANY_SEP({ SEP: T.Comma, DEF: () => list.push(this.SUBRULE(this.value)) });
    this.CONSUME2(T.RParen);
    return list;
  };

  // --- arithmetic (derived scores) -----------------------------------------------------

  public arith = this.RULE(
    'arith',
    (): A.Arith => {
      const first = this.LA(1);
      let left = this.SUBRULE(this.term);
      this.MANY(() => {
        const op = this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
        const right = this.SUBRULE2(this.term);
        if (!this.RECORDING_PHASE) left = { kind: 'ArithBinary', op: op.image as '+' | '-', left, right, range: this.span(first) };
      });
      return left;
    },
    { recoveryValueFunc: () => this.missingRef() },
  );

  public term = this.RULE(
    'term',
    (): A.Arith => {
      const first = this.LA(1);
      let left = this.SUBRULE(this.factor);
      this.MANY(() => {
        this.CONSUME(T.Star);
        const right = this.SUBRULE2(this.factor);
        if (!this.RECORDING_PHASE) left = { kind: 'ArithBinary', op: '*', left, right, range: this.span(first) };
      });
      return left;
    },
    { recoveryValueFunc: () => this.missingRef() },
  );

  public factor = this.RULE(
    'factor',
    (): A.Arith =>
      this.OR(
        (this.altFactor ??= [
          {
            ALT: () => {
              const first = this.CONSUME(T.Minus);
              const operand = this.SUBRULE(this.factor);
              if (this.RECORDING_PHASE) return null as never;
              return { kind: 'ArithNeg', operand, range: this.span(first) } as A.ArithNeg;
            },
          },
          {
            ALT: () => {
              const first = this.CONSUME(T.LParen);
              const inner = this.SUBRULE(this.arith);
              this.CONSUME(T.RParen);
              if (this.RECORDING_PHASE) return null as never;
              return { kind: 'ArithParen', inner, range: this.span(first) } as A.ArithParen;
            },
          },
          { ALT: () => this.SUBRULE(this.numberLit) },
          {
            ALT: () => {
              const n = this.SUBRULE(this.name);
              if (this.RECORDING_PHASE) return null as never;
              return new RefNode(n, n.range);
            },
          },
        ]),
      ),
    { recoveryValueFunc: () => this.missingRef() },
  );

  // --- names and literals ------------------------------------------------------------------

  public name = this.RULE(
    'name',
    (): A.Name => {
      const t = this.CONSUME(T.NameToken);
      return this.RECORDING_PHASE ? (null as never) : this.nameOf(t);
    },
    { recoveryValueFunc: () => this.missingName() },
  );

  public literal = this.RULE(
    'literal',
    (): A.Literal =>
      this.OR(
        (this.altLiteral ??= [
          { ALT: () => this.SUBRULE(this.signedNumber) },
          { ALT: () => this.SUBRULE(this.stringLit) },
          { ALT: () => this.SUBRULE(this.dateLit) },
          { ALT: () => this.SUBRULE(this.boolLit) },
        ]),
      ),
    { recoveryValueFunc: () => this.missingNumber() },
  );

  public numberLit = this.RULE(
    'numberLit',
    (): A.NumberLit => {
      const t = this.CONSUME(T.NumberLiteral);
      if (this.RECORDING_PHASE) return null as never;
      if (!isReal(t)) return this.missingNumber();
      return { kind: 'Number', value: numberValue(t.image), raw: t.image, range: tokRange(t) };
    },
    { recoveryValueFunc: () => this.missingNumber() },
  );

  public signedNumber = this.RULE(
    'signedNumber',
    (): A.NumberLit => {
      const first = this.LA(1);
      const neg = this.OPTION(() => this.CONSUME(T.Minus)) !== undefined;
      const t = this.CONSUME(T.NumberLiteral);
      if (this.RECORDING_PHASE) return null as never;
      if (!isReal(t)) return this.missingNumber();
      const v = numberValue(t.image);
      return { kind: 'Number', value: neg ? -v : v, raw: (neg ? '-' : '') + t.image, range: this.span(first) };
    },
    { recoveryValueFunc: () => this.missingNumber() },
  );

  public stringLit = this.RULE(
    'stringLit',
    (): A.StringLit => {
      const t = this.CONSUME(T.StringLiteral);
      if (this.RECORDING_PHASE) return null as never;
      if (!isReal(t)) return this.missingString();
      const { value, badEscape } = unquoteString(t.image);
      if (badEscape !== null) {
        const col = t.startColumn! + 1 + badEscape;
        this.extraErrors.push(
          diag('LQL103', {
            start: { offset: t.startOffset + 1 + badEscape, line: t.startLine!, column: col },
            end: { offset: t.startOffset + 3 + badEscape, line: t.startLine!, column: col + 2 },
          }),
        );
      }
      return { kind: 'String', value, range: tokRange(t) };
    },
    { recoveryValueFunc: () => this.missingString() },
  );

  public dateLit = this.RULE(
    'dateLit',
    (): A.DateLit => {
      const t = this.CONSUME(T.DateTime);
      if (this.RECORDING_PHASE) return null as never;
      if (!isReal(t)) return this.missingDate();
      const value = parseDateLiteral(t.image);
      if (Number.isNaN(value)) this.extraErrors.push(diag('LQL105', tokRange(t), { text: t.image }));
      return { kind: 'Date', value, raw: t.image, range: tokRange(t) };
    },
    { recoveryValueFunc: () => this.missingDate() },
  );

  public boolLit = this.RULE('boolLit', (): A.BoolLit => {
    const t = this.OR([{ ALT: () => this.CONSUME(T.True) }, { ALT: () => this.CONSUME(T.False) }]);
    if (this.RECORDING_PHASE) return null as never;
    return { kind: 'Bool', value: t.image === 'true', range: isReal(t) ? tokRange(t) : this.here() };
  });

  public duration = this.RULE(
    'duration',
    (): A.DurationLit => {
      const first = this.LA(1);
      const n = this.CONSUME(T.NumberLiteral);
      const u = this.OR(
        (this.altUnit ??= [
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
      const amount = isReal(n) ? numberValue(n.image) : 1;
      const unit = UNIT_OF[u.image] ?? 'day';
      return { kind: 'Duration', amount, unit, unitRaw: u.image || 'days', ms: amount * DURATION_MS[unit], range: this.span(first) };
    },
    { recoveryValueFunc: () => this.missingDuration() },
  );
}

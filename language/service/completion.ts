/**
 * Completion for the editor, driven by the tokens before the cursor and the
 * ruleset's own declarations (not by the parser's grammar paths), so it
 * works on half-written text.
 *
 * Input: text, a 0-based cursor offset, and the optional context (the bound
 * dataset's columns, with types and sample values). Output: LSP completion
 * items whose `textEdit` replaces the word being typed:
 * - declaration keywords at the start of a declaration;
 * - `when`/`per`/`once` after points; `in last` and `, max` after a
 *   `per`/`once` target; duration units after a number in a window;
 * - condition operators after a value, `and`/`or` after a comparison;
 * - names by kind where they fit: activities after `per`, `once`, `count(`
 *   and `days since last`; lists after `in`; a band's labels after
 *   `grade ==` or inside `grade in [`; stages after `stage ==`; scores
 *   after `band ... from` and in derived scores; every value elsewhere in a
 *   condition, with the dataset's columns (names that need backticks are
 *   inserted with them) and, after a comparison, their sample values.
 * Invariant: pure; never throws; nothing is offered inside comments or texts.
 */
import type { IToken } from 'chevrotain';
import { needsQuoting, tokenEndOffset } from '../syntax/tokens.js';
import type { SymbolKind as LqlKind } from '../check/checker.js';
import { printString } from '../format/formatter.js';
import { analyze, type Analysis } from './analyze.js';
import type { ColumnInfo, ServiceContext } from './context.js';
import { KEYWORD_DOCS, FUNCTION_DOCS } from './docs.js';
import { CompletionItemKind as K, type CompletionItem, type Range } from './lsp.js';
import { code, md } from './markdown.js';

const WORD = new Set(['Identifier', 'QuotedIdentifier', 'UnterminatedQuotedIdentifier']);
const HARD_STARTS = new Set(['Ruleset', 'Attribute', 'Activity', 'List', 'Segment', 'Score', 'Band', 'Stages', 'Test']);
const DECL_KEYWORDS = ['ruleset', 'attribute', 'activity', 'list', 'segment', 'fit', 'engagement', 'score', 'band', 'stages', 'route', 'test'];
const COMPARE = new Set(['EqEq', 'NotEq', 'LtEq', 'GtEq', 'Lt', 'Gt', 'Equals']);
const UNITS = new Set(['Minutes', 'Minute', 'Hours', 'Hour', 'Days', 'Day', 'Weeks', 'Week']);
/** Tokens after which the text must go on (no new declaration can start). */
const EXPECTS_MORE = new Set([
  ...COMPARE, 'Colon', 'Comma', 'From', 'When', 'And', 'Or', 'Not', 'In', 'Between', 'Contains', 'Starts', 'Ends', 'With', 'Matches', 'Is',
  'Per', 'Once', 'Plus', 'Minus', 'Star', 'LParen', 'LBracket', 'Since', 'Last', 'Decay', 'HalfLife', 'Max', 'Count', 'Expect', 'At',
  ...HARD_STARTS, 'Fit', 'Engagement', 'Route', 'Lead', 'Events', 'LBrace',
]);

type Block = 'top' | 'fit' | 'score' | 'band' | 'stages' | 'route' | 'test' | 'lead' | 'events' | 'other';

const tname = (t: IToken | undefined): string => t?.tokenType.name ?? '';
const isWordTok = (t: IToken | undefined): boolean => !!t && (WORD.has(tname(t)) || isSoftName(t));
/** Soft keywords are names too (a stage `lead`, a reference to `fit`). */
function isSoftName(t: IToken): boolean {
  return ['Fit', 'Engagement', 'Route', 'Lead', 'Events', 'At', 'Expect'].includes(tname(t));
}
function isValueEnd(t: IToken | undefined): boolean {
  if (!t) return false;
  const n = tname(t);
  return isWordTok(t) || ['NumberLiteral', 'StringLiteral', 'DateTime', 'True', 'False', 'RParen', 'RBracket', 'RegexLiteral', 'Missing', 'Present'].includes(n);
}
function isValueStart(t: IToken | undefined): boolean {
  if (!t) return false;
  return isWordTok(t) || ['NumberLiteral', 'StringLiteral', 'DateTime', 'True', 'False', 'Count', 'Not', 'LParen'].includes(tname(t));
}

const unquote = (s: string): string => s.replace(/^`/, '').replace(/`$/, '');

interface Cursor {
  a: Analysis;
  ctx: ServiceContext;
  prev: IToken[];
  prefix: string;
  range: Range;
}

export function getCompletions(text: string, offset: number, ctx: ServiceContext = {}): CompletionItem[] {
  try {
    return complete(text, offset, ctx);
  } catch {
    return [];
  }
}

function complete(text: string, offset: number, ctx: ServiceContext): CompletionItem[] {
  const a = analyze(text, ctx);
  let prefixStart = offset;
  let replaceEnd = offset;
  const prev: IToken[] = [];
  for (const t of a.tokens) {
    const end = tokenEndOffset(t) + 1;
    if (t.startOffset >= offset) break;
    const n = tname(t);
    if (offset <= end && (n === 'Comment' || ((n === 'StringLiteral' || n === 'UnterminatedString') && (offset < end || n === 'UnterminatedString')))) {
      if (n === 'Comment' || offset > t.startOffset) return [];
    }
    if (offset <= end && (WORD.has(n) || /^[A-Za-z]/.test(t.image))) {
      prefixStart = t.startOffset;
      // inside `a quoted name`: the completion replaces it up to its closing backtick
      if (n === 'QuotedIdentifier') replaceEnd = end;
      break;
    }
    if (n !== 'Comment') prev.push(t);
  }
  const prefix = text.slice(prefixStart, offset);
  const c: Cursor = { a, ctx, prev, prefix, range: a.lines.range(prefixStart, replaceEnd) };
  const items = candidates(c);
  const p = unquote(prefix).toLowerCase();
  const seen = new Set<string>();
  return items.filter((it) => {
    if (seen.has(it.label)) return false;
    seen.add(it.label);
    return unquote(it.filterText ?? it.label).toLowerCase().startsWith(p);
  });
}

// ---------------------------------------------------------------------------

function blockStack(prev: IToken[]): Block[] {
  const stack: Block[] = [];
  prev.forEach((t, i) => {
    const n = tname(t);
    if (n === 'LBrace') {
      const b1 = tname(prev[i - 1]);
      let kind: Block = 'other';
      if (b1 === 'Fit') kind = 'fit';
      else if (b1 === 'Engagement') kind = 'score';
      else if (b1 === 'Stages') kind = 'stages';
      else if (b1 === 'Route') kind = 'route';
      else if (b1 === 'Lead' && stack[stack.length - 1] === 'test') kind = 'lead';
      else if (b1 === 'Events' && stack[stack.length - 1] === 'test') kind = 'events';
      else if (tname(prev[i - 2]) === 'Test') kind = 'test';
      else if (tname(prev[i - 2]) === 'Score') kind = 'score';
      else if (tname(prev[i - 4]) === 'Band') kind = 'band';
      stack.push(kind);
    } else if (n === 'RBrace') stack.pop();
  });
  return stack;
}

/** Is the cursor (after `prev`) inside a condition? */
function inCondition(prev: IToken[]): boolean {
  let depth = 0;
  for (let i = prev.length - 1; i >= 0; i--) {
    const t = prev[i];
    const n = tname(t);
    if (n === 'RParen' || n === 'RBracket') depth++;
    else if (n === 'LParen' || n === 'LBracket') {
      if (depth > 0) depth--;
    } else if (n === 'When' || n === 'Expect') return true;
    else if (n === 'Equals') return tname(prev[i - 2]) === 'Segment';
    else if (n === 'LBrace' || n === 'RBrace' || n === 'Per' || n === 'Once' || n === 'Otherwise' || n === 'Colon' || HARD_STARTS.has(n)) return false;
    else if (n === 'Comma' && depth === 0) return false;
    // two values in a row: a new item started between them
    if (depth === 0 && i > 0 && isValueStart(t) && isValueEnd(prev[i - 1]) && !(n === 'LParen')) return false;
  }
  return false;
}

/** The kind of the declaration the cursor is in at top level: its first token's name and index. */
function statementStart(prev: IToken[]): number {
  let depth = 0;
  for (let i = prev.length - 1; i >= 0; i--) {
    const n = tname(prev[i]);
    if (n === 'RBrace') depth++;
    else if (n === 'LBrace') depth--;
    if (depth === 0 && HARD_STARTS.has(n)) return i;
  }
  return -1;
}

function item(c: Cursor, label: string, kind: number, opts: { insert?: string; detail?: string; doc?: string; sort?: string; filter?: string } = {}): CompletionItem {
  const it: CompletionItem = { label, kind, textEdit: { range: c.range, newText: opts.insert ?? label } };
  if (opts.detail) it.detail = opts.detail;
  if (opts.doc) it.documentation = { kind: 'markdown', value: opts.doc };
  if (opts.sort) it.sortText = opts.sort + label;
  if (opts.filter) it.filterText = opts.filter;
  // typed after a backtick: editors filter on the text from the backtick, so the filter starts with one too
  else if (c.prefix.startsWith('`')) it.filterText = '`' + label;
  return it;
}

function keyword(c: Cursor, word: string, insert?: string): CompletionItem {
  return item(c, word, K.Keyword, { insert: insert ?? word, doc: KEYWORD_DOCS[(word.split(' ')[0] ?? word).replace(/^,\s*/, '')], sort: '4' });
}

const nameText = (n: string): string => (needsQuoting(n) ? '`' + n + '`' : n);

const KIND_ITEM: Record<LqlKind, number> = {
  attribute: K.Field,
  activity: K.Event,
  list: K.Constant,
  segment: K.Reference,
  score: K.Variable,
  band: K.Enum,
  stage: K.EnumMember,
};

function declared(c: Cursor, kinds: LqlKind[], suffix = ''): CompletionItem[] {
  const out: CompletionItem[] = [];
  for (const s of c.a.checked.symbols.values()) {
    if (!kinds.includes(s.kind) || (s.kind === 'attribute' && !s.declared)) continue;
    const detail = s.kind === 'attribute' ? `attribute: ${s.type ?? 'text'}` : s.kind === 'score' && s.scoreKind ? (s.scoreKind === 'derived' ? 'derived score' : `${s.scoreKind} score`) : s.kind;
    out.push(item(c, s.name, KIND_ITEM[s.kind], { insert: nameText(s.name) + suffix, detail, sort: '1' }));
  }
  return out;
}

function columnDoc(col: ColumnInfo): string {
  const facts: string[] = [];
  if (col.distinct !== undefined) facts.push(`${col.distinct} distinct values`);
  if (col.fillRate !== undefined) facts.push(`${Math.round(col.fillRate * 100)}% filled`);
  const lines = [`Column ${code(col.name)} (${md(col.type)})${facts.length ? ': ' + facts.join(', ') : ''}`];
  if (col.samples?.length) lines.push('Values: ' + col.samples.slice(0, 8).map((v) => code(v)).join(', '));
  return lines.join('\n\n');
}

/** Attributes: declared ones and the dataset's columns (optionally only of some types). */
function attributes(c: Cursor, types: string[] | null, suffix = ''): CompletionItem[] {
  const out = declared(c, ['attribute'], suffix).filter((it) => !types || types.some((t) => it.detail === `attribute: ${t}`));
  for (const col of c.ctx.columns ?? []) {
    if (types && !types.includes(col.type)) continue;
    out.push(item(c, col.name, K.Field, { insert: nameText(col.name) + suffix, detail: col.type, doc: columnDoc(col), sort: '2' }));
  }
  if (!c.ctx.columns) {
    // without data: attributes the ruleset already reads
    for (const s of c.a.checked.symbols.values()) {
      if (s.kind === 'attribute' && !s.declared && (!types || types.includes(s.type ?? 'text')) && s.name !== unquote(c.prefix)) {
        out.push(item(c, s.name, K.Field, { insert: nameText(s.name) + suffix, detail: `attribute: ${s.type ?? 'text'}`, sort: '2' }));
      }
    }
  }
  return out;
}

function attrType(c: Cursor, name: string): string | undefined {
  const s = c.a.checked.symbols.get(name);
  if (s?.kind === 'attribute' && s.declared) return s.type;
  return c.ctx.columns?.find((x) => x.name === name)?.type ?? (s?.kind === 'attribute' ? s.type : undefined);
}

/** The values a name can be compared with: band labels, stages, route actions, column samples. */
function valuesOf(c: Cursor, name: string, quoteText: boolean): CompletionItem[] {
  const s = c.a.checked.symbols.get(name);
  if (s?.kind === 'band') return (s.labels ?? []).map((l) => item(c, l, K.EnumMember, { insert: nameText(l), detail: `label of ${name}`, sort: '0' }));
  if (name === 'stage') return c.a.checked.stages.filter(Boolean).map((l) => item(c, l, K.EnumMember, { insert: nameText(l), detail: 'stage', sort: '0' }));
  if (name === 'route') {
    const out: CompletionItem[] = [];
    for (const d of c.a.program.decls) if (d.kind === 'Route') for (const e of d.entries) out.push(item(c, printString(e.action.value), K.Value, { detail: 'route', sort: '0' }));
    return out;
  }
  const type = attrType(c, name);
  if (type === 'bool') return ['true', 'false'].map((v) => item(c, v, K.Value, { sort: '0' }));
  const col = c.ctx.columns?.find((x) => x.name === name);
  return (col?.samples ?? []).map((v) => {
    const lit = type === 'number' && /^-?\d/.test(v) ? v : type === 'date' && /^\d{4}-\d\d-\d\d/.test(v) ? v : quoteText ? printString(v) : v;
    return item(c, lit, K.Value, { detail: `value of ${name}`, sort: '0' });
  });
}

/** Everything that can stand as a value in a condition. */
function values(c: Cursor, where: Block): CompletionItem[] {
  const kinds: LqlKind[] = ['segment', 'score', 'band', 'list'];
  const profileOnly = where === 'fit';
  if (!profileOnly) kinds.push('activity');
  if (where === 'stages' || where === 'route' || where === 'test') kinds.push('stage');
  const out = [...declared(c, kinds.filter((k) => k !== 'list')), ...attributes(c, null)];
  out.push(item(c, 'lower', K.Function, { insert: 'lower(', doc: FUNCTION_DOCS.lower, sort: '3' }));
  out.push(item(c, 'domain', K.Function, { insert: 'domain(', doc: FUNCTION_DOCS.domain, sort: '3' }));
  out.push(item(c, 'days since', K.Function, { insert: 'days since ', doc: KEYWORD_DOCS.since, sort: '3' }));
  if (!profileOnly) out.push(item(c, 'count', K.Function, { insert: 'count(', doc: FUNCTION_DOCS.count, sort: '3' }));
  if (where === 'route' || where === 'test') out.push(item(c, 'stage', K.Variable, { doc: FUNCTION_DOCS.stage, sort: '1' }));
  if (where === 'test') out.push(item(c, 'route', K.Variable, { doc: FUNCTION_DOCS.route, sort: '1' }));
  out.push(keyword(c, 'not'));
  return out;
}

function operators(c: Cursor): CompletionItem[] {
  const ops = ['==', '!=', '<', '<=', '>', '>='].map((o) => item(c, o, K.Operator, { sort: '5' }));
  return [
    ...ops,
    keyword(c, 'in'),
    keyword(c, 'not in'),
    keyword(c, 'between'),
    keyword(c, 'contains'),
    keyword(c, 'starts with'),
    keyword(c, 'ends with'),
    keyword(c, 'matches'),
    keyword(c, 'is missing'),
    keyword(c, 'is present'),
  ];
}

function candidates(c: Cursor): CompletionItem[] {
  const { prev } = c;
  const k = (i: number): IToken | undefined => prev[prev.length - i];
  const n = (i: number): string => tname(k(i));
  const stack = blockStack(prev);
  const where: Block = stack.at(-1) ?? 'top';

  // --- names of a kind --------------------------------------------------------
  if (n(1) === 'Per') return [...declared(c, ['activity']), ...attributes(c, ['number'])];
  if (n(1) === 'Once') return declared(c, ['activity']);
  if (n(1) === 'LParen' && n(2) === 'Count') return declared(c, ['activity']);
  if (n(1) === 'Last' && n(2) === 'Since') return declared(c, ['activity']);
  if (n(1) === 'Since') return [keyword(c, 'last'), ...attributes(c, ['date'])];
  if (n(1) === 'Decay') return [keyword(c, 'half-life')];
  if (n(1) === 'NumberLiteral' && (n(2) === 'Last' || n(2) === 'HalfLife')) {
    const one = k(1)!.image === '1';
    const units = one ? ['day', 'week', 'hour', 'minute'] : ['days', 'weeks', 'hours', 'minutes'];
    return units.map((u, i) => item(c, u, K.Unit, { sort: String(i), doc: KEYWORD_DOCS[u] }));
  }
  // `x in` : a window after a per/once target or inside count(), else a list
  if (n(1) === 'In') {
    if (isWordTok(k(2)) && (n(3) === 'Per' || n(3) === 'Once' || (n(3) === 'LParen' && n(4) === 'Count'))) return [keyword(c, 'last')];
    return declared(c, ['list']);
  }
  // inside `x in [ ... `: the values x can take
  {
    let depth = 0;
    for (let i = prev.length - 1; i >= 0; i--) {
      const t = tname(prev[i]);
      if (t === 'RBracket') depth++;
      else if (t === 'LBracket') {
        if (depth > 0) {
          depth--;
          continue;
        }
        if (tname(prev[i - 1]) === 'In') {
          const left = tname(prev[i - 2]) === 'Not' ? prev[i - 3] : prev[i - 2];
          if (isWordTok(left)) {
            const present = new Set(prev.slice(i + 1).map((t2) => unquote(t2.image)));
            return valuesOf(c, unquote(left!.image), true).filter((it) => !present.has(unquote(it.label)));
          }
        }
        return [];
      } else if (t === 'LBrace' || t === 'RBrace') break;
    }
  }
  // after `name ==`: its values first, then any value
  if (COMPARE.has(n(1)) && n(1) !== 'Equals') {
    const left = k(2);
    const vals = isWordTok(left) ? valuesOf(c, unquote(left!.image), true) : [];
    const s = isWordTok(left) ? c.a.checked.symbols.get(unquote(left!.image)) : undefined;
    if (s?.kind === 'band' || (isWordTok(left) && (left!.image === 'stage' || left!.image === 'route'))) return vals;
    return [...vals, ...values(c, where)];
  }
  if (n(1) === 'Colon' && where === 'lead' && isWordTok(k(2))) return valuesOf(c, unquote(k(2)!.image), true);

  // --- rules -----------------------------------------------------------------------
  if ((where === 'fit' || where === 'score') && n(1) === 'NumberLiteral' && (n(2) === 'Plus' || n(2) === 'Minus')) {
    return where === 'fit' ? [keyword(c, 'when'), keyword(c, 'per')] : [keyword(c, 'when'), keyword(c, 'per'), keyword(c, 'once')];
  }
  if (isWordTok(k(1)) && (n(2) === 'Per' || n(2) === 'Once')) return [keyword(c, 'in last', 'in last '), commaMax(c, k(1)!)];
  if (isWordTok(k(1)) && n(2) === 'LParen' && n(3) === 'Count') return [keyword(c, 'in last', 'in last ')];
  if (UNITS.has(n(1)) && n(2) === 'NumberLiteral' && n(3) === 'Last' && n(4) === 'In' && (n(6) === 'Per' || n(6) === 'Once')) return [commaMax(c, k(1)!)];

  // --- declarations -------------------------------------------------------------------
  if (where === 'top') {
    const st = statementStart(prev);
    const stn = st >= 0 ? tname(prev[st]) : '';
    if (n(1) === 'Colon' && stn === 'Attribute') return ['text', 'number', 'bool', 'date'].map((t) => item(c, t, K.Class, { detail: 'attribute type' }));
    if (n(1) === 'From' && stn === 'Band') return [...declared(c, ['score']), ...attributes(c, ['number'])];
    if (stn === 'Score' && tname(prev[st + 2]) === 'Equals' && ['Equals', 'Plus', 'Minus', 'Star', 'LParen'].includes(n(1))) {
      return [...declared(c, ['score']), ...attributes(c, ['number'])];
    }
  }
  if (where === 'events') {
    if (isWordTok(k(1))) return [keyword(c, 'at', 'at ')];
    if (n(1) === 'LBrace' || n(1) === 'Comma' || n(1) === 'DateTime') return declared(c, ['activity'], ' at ');
    return [];
  }
  if (where === 'lead') {
    if (n(1) === 'LBrace' || n(1) === 'Comma' || isValueEnd(k(1))) return attributes(c, null, ': ');
    return [];
  }

  // --- conditions -------------------------------------------------------------------
  const out: CompletionItem[] = [];
  const cond = inCondition(prev);
  const valuePos = ['When', 'And', 'Or', 'Not', 'Expect', 'Between', 'Contains', 'With'].includes(n(1)) || (n(1) === 'LParen' && cond) || (n(1) === 'Equals' && cond);
  if (valuePos) return values(c, where);
  if (cond && isValueEnd(k(1))) {
    const rightSide = (COMPARE.has(n(2)) && n(2) !== 'Equals') || ['In', 'Contains', 'With', 'Matches', 'Is'].includes(n(2)) || ['RBracket', 'RegexLiteral', 'Missing', 'Present'].includes(n(1));
    if (n(2) === 'Between') out.push(keyword(c, 'and'));
    else {
      if (!rightSide) out.push(...operators(c));
      out.push(keyword(c, 'and'), keyword(c, 'or'));
    }
  }
  // stage and route entries: after the name or action
  if ((where === 'stages' && isWordTok(k(1))) || (where === 'route' && n(1) === 'StringLiteral')) {
    if (!cond || !['Contains', 'With', ...COMPARE].includes(n(2))) {
      if (['LBrace', 'Comma', 'Otherwise'].includes(n(2)) || isValueEnd(k(2))) out.push(keyword(c, 'when', 'when '), keyword(c, 'otherwise'));
    }
  }
  const itemStart = ['LBrace', 'RBrace', 'Comma'].includes(n(1)) || !EXPECTS_MORE.has(n(1));
  if (where === 'test' && itemStart) {
    out.push(keyword(c, 'lead', 'lead { '), keyword(c, 'events', 'events { '), keyword(c, 'at', 'at '), keyword(c, 'expect', 'expect '));
  }
  if (where === 'score' && itemStart) out.push(keyword(c, 'decay', 'decay half-life '));
  if (where === 'top' && (prev.length === 0 || !EXPECTS_MORE.has(n(1)))) out.push(...DECL_KEYWORDS.map((w) => keyword(c, w)));
  return out;
}

/** `, max` right after the previous token (replacing any space typed since). */
function commaMax(c: Cursor, after: IToken): CompletionItem {
  const it = keyword(c, ', max', ', max ');
  it.filterText = 'max';
  it.textEdit = { range: { start: c.a.lines.position(tokenEndOffset(after) + 1), end: c.range.end }, newText: ', max ' };
  return it;
}

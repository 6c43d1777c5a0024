/**
 * Highlighting: every token of a ruleset with its category from the token
 * table (`syntax/tokens.ts`), refined by meaning: a soft keyword used as a
 * name is an identifier, and identifiers are told apart by what they name
 * (attribute, activity, segment, score, ...).
 *
 * Input: text. Output: `tokenize` gives positioned tokens with categories;
 * `getSemanticTokens` gives the LSP-encoded form with its legend.
 * Invariant: pure; never throws; tokens come in source order and never overlap.
 */
import { TOKEN_TABLE, tokenEndOffset, type HighlightCategory } from '../syntax/tokens.js';
import type { SymbolKind as LqlSymbolKind } from '../check/checker.js';
import { analyze } from './analyze.js';

export interface HighlightToken {
  offset: number;
  length: number;
  line: number;
  character: number;
  category: HighlightCategory;
  /** for identifiers: what the name refers to */
  symbol?: LqlSymbolKind | 'label' | 'function';
}

const CATEGORY = new Map(TOKEN_TABLE.map((t) => [t.name, t.category]));

/** Positioned tokens with highlight categories. */
export function tokenize(text: string): HighlightToken[] {
  const a = analyze(text);
  const nameStarts = new Map<number, (typeof a.names)[number]>();
  for (const u of a.names) nameStarts.set(u.name.range.start.offset, u);
  const out: HighlightToken[] = [];
  for (const t of a.tokens) {
    let category: HighlightCategory = CATEGORY.get(t.tokenType.name) ?? (t.tokenType.name === 'Comment' ? 'comment' : 'identifier');
    const length = tokenEndOffset(t) - t.startOffset + 1;
    const pos = a.lines.position(t.startOffset);
    const tok: HighlightToken = { offset: t.startOffset, length, line: pos.line, character: pos.character, category };
    const use = nameStarts.get(t.startOffset);
    const isBlockKeyword = use && use.role === 'decl' && use.decl.kind === 'ScoreBlock' && use.decl.block !== 'score';
    if (use && !isBlockKeyword && (category === 'identifier' || category === 'keyword')) {
      category = tok.category = 'identifier';
      if (use.role === 'callee') tok.symbol = 'function';
      else if (use.role === 'label') tok.symbol = 'label';
      else if (use.role !== 'type' && use.role !== 'key') {
        const s = a.checked.symbols.get(use.name.text);
        if (s) tok.symbol = s.kind;
        else if (use.role === 'ref' && use.compareLeft) tok.symbol = 'label';
      }
    }
    out.push(tok);
  }
  return out;
}

export const SEMANTIC_LEGEND = {
  tokenTypes: ['keyword', 'operator', 'string', 'number', 'regexp', 'comment', 'variable', 'property', 'event', 'function', 'enum', 'enumMember', 'type', 'macro'],
  tokenModifiers: [] as string[],
};

function typeOf(t: HighlightToken): string | null {
  switch (t.category) {
    case 'keyword':
    case 'unit':
      return 'keyword';
    case 'operator':
      return 'operator';
    case 'string':
      return 'string';
    case 'number':
    case 'date':
      return 'number';
    case 'regex':
      return 'regexp';
    case 'comment':
      return 'comment';
    case 'invalid':
      return 'macro';
    case 'punctuation':
      return null;
    case 'identifier':
      switch (t.symbol) {
        case 'attribute':
          return 'property';
        case 'activity':
          return 'event';
        case 'segment':
        case 'function':
          return 'function';
        case 'band':
          return 'enum';
        case 'label':
        case 'stage':
          return 'enumMember';
        case 'list':
        case 'score':
        default:
          return 'variable';
      }
  }
}

/** LSP semantic tokens: `data` is the relative 5-number encoding for `legend`. */
export function getSemanticTokens(text: string): { legend: typeof SEMANTIC_LEGEND; data: number[] } {
  const data: number[] = [];
  let line = 0;
  let ch = 0;
  for (const t of tokenize(text)) {
    const type = typeOf(t);
    if (type === null) continue;
    // LSP tokens do not span lines; every LQL token is on one line.
    const dl = t.line - line;
    data.push(dl, dl === 0 ? t.character - ch : t.character, t.length, SEMANTIC_LEGEND.tokenTypes.indexOf(type), 0);
    line = t.line;
    ch = t.character;
  }
  return { legend: SEMANTIC_LEGEND, data };
}

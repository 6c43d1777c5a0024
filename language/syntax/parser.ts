/**
 * The LQL parser: source text -> AST (`ast.ts`) and syntax diagnostics.
 *
 * Input: any string. Output: `{ program, diagnostics, tokens }`; never throws.
 * One lexer (`tokens.ts`, the token table editors also highlight with) and
 * one chevrotain grammar (`grammar.ts`) with chevrotain's error recovery, so
 * one run reports every syntax error it can and still returns a tree for the
 * checker, the formatter and the editor. Chevrotain's own messages never
 * reach users: `messages.ts` words them.
 * Invariants: every node has a range; parts rebuilt by recovery use a Name
 * with empty text (`''`), which later phases treat as "already reported";
 * at most one syntax message per place, a lexer message winning over the
 * parse error it causes.
 */
import type { IRecognitionException, IToken } from 'chevrotain';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diag } from '../diagnostics/registry.js';
import type * as A from './ast.js';
import { MAX_DEPTH } from './ast.js';
import { endPos, isReal, LqlParser, tokRange, ZERO } from './grammar.js';
import * as T from './tokens.js';

export { parseDateLiteral, unquoteString } from './literals.js';
export { tokenWord } from './messages.js';

export interface ParseResult {
  program: A.Program;
  diagnostics: Diagnostic[];
  /** the lexed tokens (without comments), for editor features */
  tokens: IToken[];
}

let shared: LqlParser | null = null;
/** The one parser instance: its grammar is analysed once, on first use. */
function parserInstance(): LqlParser {
  return (shared ??= new LqlParser());
}

/** Parse LQL source text. Never throws. */
export function parse(text: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  let lexed: ReturnType<typeof T.lexer.tokenize>;
  try {
    lexed = T.lexer.tokenize(text);
  } catch {
    return { program: emptyProgram(), diagnostics: [diag('LQL100', { start: ZERO, end: ZERO }, { text: '?' })], tokens: [] };
  }
  let tokens = lexed.tokens;
  if (lexed.errors.length) {
    for (const e of lexed.errors) {
      const line = e.line ?? 1;
      const column = e.column ?? 1;
      const ch = text.slice(e.offset, e.offset + Math.max(1, Math.min(e.length, 1)));
      diagnostics.push(
        diag(
          'LQL100',
          { start: { offset: e.offset, line, column }, end: { offset: e.offset + e.length, line, column: column + e.length } },
          {
            text: ch === '\n' ? '\\n' : ch,
          },
        ),
      );
    }
  }
  for (const t of tokens) {
    if (t.tokenType === T.UnterminatedString || t.tokenType === T.UnterminatedQuotedIdentifier) {
      tokens = closeUnterminated(tokens, diagnostics);
      break;
    }
  }
  const p = parserInstance();
  p.extraErrors = [];
  p.input = tokens;
  let program: A.Program;
  try {
    program = p.program();
  } catch (e) {
    // chevrotain recovers from every recognition error: this is text nested so
    // deep (thousands of parentheses) that the stack ran out, or a fault in the grammar
    const at = p.nextToken();
    const range = isReal(at) ? tokRange(at) : endOfText(text);
    if (e instanceof RangeError) diagnostics.push(diag('LQL106', range, { limit: MAX_DEPTH, via: '' }));
    else diagnostics.push(diag('LQL111', range, { phase: 'parsing', message: e instanceof Error ? e.message : String(e) }));
    p.release();
    diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset);
    return { program: emptyProgram(), diagnostics, tokens };
  }
  program.range = { start: ZERO, end: endOfText(text).start };
  program.comments = commentsOf(lexed.groups.comments);
  const errors = p.errors as IRecognitionException[];
  const extraErrors = p.extraErrors;
  p.release();
  if (errors.length === 0 && extraErrors.length === 0 && diagnostics.length === 0) return { program, diagnostics, tokens };
  // one message per place: a lexer message wins over the parse error it causes
  const seen = new Set<number>(diagnostics.map((d) => d.range.start.offset));
  // a misspelt keyword (our own LQL110) before chevrotain's message at the same place
  for (const d of extraErrors) {
    if (d.code !== 'LQL110' || seen.has(d.range.start.offset)) continue;
    seen.add(d.range.start.offset);
    diagnostics.push(d);
  }
  for (const e of errors) {
    const t = e.token;
    let range: A.Range;
    if (isReal(t)) range = tokRange(t);
    else {
      // the end of the file or an inserted token: point just after the previous real token
      const prev = (e as { previousToken?: IToken }).previousToken;
      range = isReal(prev) ? { start: endPos(prev), end: { ...endPos(prev), column: endPos(prev).column + 1 } } : endOfText(text);
    }
    if (seen.has(range.start.offset)) continue;
    seen.add(range.start.offset);
    diagnostics.push(diag('LQL110', range, { message: e.message }));
  }
  for (const d of extraErrors) if (d.code !== 'LQL110') diagnostics.push(d);
  diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset);
  return { program, diagnostics, tokens };
}

/** Texts and quoted names left open are reported, then read as if closed. */
function closeUnterminated(lexedTokens: IToken[], diagnostics: Diagnostic[]): IToken[] {
  const tokens: IToken[] = [];
  for (const t of lexedTokens) {
    if (t.tokenType === T.UnterminatedString) {
      diagnostics.push(diag('LQL101', tokRange(t)));
      tokens.push({ ...t, ...endOf(t), tokenType: T.StringLiteral, tokenTypeIdx: T.StringLiteral.tokenTypeIdx!, image: t.image + '"' });
    } else if (t.tokenType === T.UnterminatedQuotedIdentifier) {
      diagnostics.push(diag('LQL102', tokRange(t)));
      tokens.push({ ...t, ...endOf(t), tokenType: T.QuotedIdentifier, tokenTypeIdx: T.QuotedIdentifier.tokenTypeIdx!, image: t.image + '`' });
    } else tokens.push(t);
  }
  return tokens;
}

/** Where a token ends, written out (for a token rebuilt with a longer text than the source's). */
function endOf(t: IToken): { endOffset: number; endLine: number | undefined; endColumn: number | undefined } {
  return { endOffset: T.tokenEndOffset(t), endLine: T.tokenEndLine(t), endColumn: T.tokenEndColumn(t) };
}

function commentsOf(comments: IToken[] | undefined): A.Comment[] {
  return comments?.map((c: IToken) => ({ kind: 'Comment', text: c.image.slice(1), range: tokRange(c) })) ?? [];
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

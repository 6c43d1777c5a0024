/**
 * The language service the playground's Monaco adapter calls: completion,
 * hover, quick fixes and formatting, from `language/service/`.
 *
 * Input: the whole ruleset text, a UTF-16 offset or an LSP range, the
 * diagnostics the editor shows, and a context (the loaded dataset's columns
 * with types, sample values and fill rates; score and per-rule statistics
 * of the last run).
 * Output: LSP-shaped plain data (0-based line/character positions, LSP
 * completion item kinds, markdown hover contents, text edits).
 * Invariants: every function is pure and synchronous and never throws on
 * any text; the adapter only converts positions and registers providers;
 * the types are the service's own (re-exported here).
 */
import {
  getCompletions, getHover, getCodeActions, formatDocument,
  type CompletionItem, type Hover, type CodeAction, type LspDiagnostic, type TextEdit, type Range,
  type ServiceContext as LqlServiceContext,
} from '../../language/service/index.js';

export type { CompletionItem, Hover, CodeAction, LspDiagnostic, TextEdit, ColumnInfo, RuleStat, ScoreStat } from '../../language/service/index.js';
export { CompletionItemKind } from '../../language/service/index.js';
export type LspRange = Range;
export interface LspPosition { line: number; character: number }

export interface ServiceContext extends LqlServiceContext {
  locale?: 'en' | 'es';
}

export interface LanguageService {
  getCompletions(text: string, offset: number, ctx: ServiceContext): CompletionItem[];
  getHover(text: string, offset: number, ctx: ServiceContext): Hover | null;
  getCodeActions(text: string, range: LspRange, diagnostics: LspDiagnostic[]): CodeAction[];
  formatDocument(text: string): TextEdit[];
}

/** The real LQL language service. */
export const languageService: LanguageService = {
  getCompletions: (text, offset, ctx) => getCompletions(text, offset, ctx),
  getHover: (text, offset, ctx) => getHover(text, offset, ctx),
  getCodeActions: (text, range, diagnostics) => getCodeActions(text, range, diagnostics),
  formatDocument: (text) => formatDocument(text),
};

/**
 * The LQL language service: pure, editor-agnostic functions over a
 * document's text that return LSP-shaped data (0-based lines and UTF-16
 * characters). An editor adapter (the playground's Monaco adapter, a
 * language server) only converts positions and registers providers. Runs in
 * a web worker or on the main thread: it depends on the language modules only.
 */
export { getDiagnostics, helpHref } from './diagnostics.js';
export { getCompletions } from './completion.js';
export { getHover } from './hover.js';
export { getCodeActions, formatDocument } from './actions.js';
export { tokenize, getSemanticTokens, SEMANTIC_LEGEND, type HighlightToken } from './semantic.js';
export { getDocumentSymbols, getDefinition } from './symbols.js';
export { getReferences, prepareRename, getRenameEdits, type RenameCheck } from './references.js';
export { KEYWORD_DOCS, FUNCTION_DOCS } from './docs.js';
export type { ServiceContext, ColumnInfo, ScoreStat, RuleStat } from './context.js';
export * from './lsp.js';

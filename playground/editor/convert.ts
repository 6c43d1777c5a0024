/**
 * Position and shape conversions between LQL/LSP data and Monaco's, as plain
 * functions (no Monaco import, testable without a browser).
 *
 * Input: LQL diagnostics (1-based line/column), LSP ranges (0-based).
 * Output: Monaco-shaped ranges and marker data (1-based line/column).
 * Invariants: columns are UTF-16 code units everywhere (LQL, LSP and
 * Monaco agree), so converting is only a shift by one; an empty range is
 * widened to one character so a marker is always visible.
 */
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import type { LspRange, LspDiagnostic } from './service.js';
import { toLsp } from '../../language/service/diagnostics.js';
import { LineIndex } from '../../language/service/lsp.js';

export interface MonacoRange {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

/** Monaco's MarkerSeverity values. */
export const SEVERITY = { error: 8, warning: 4, info: 2 } as const;

export interface MarkerData extends MonacoRange {
  severity: number;
  message: string;
  source: string;
  code: { value: string; target: string };
}

export function lspToMonaco(r: LspRange): MonacoRange {
  return {
    startLineNumber: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLineNumber: r.end.line + 1,
    endColumn: r.end.character + 1,
  };
}

export function monacoToLsp(r: MonacoRange): LspRange {
  return {
    start: { line: r.startLineNumber - 1, character: r.startColumn - 1 },
    end: { line: r.endLineNumber - 1, character: r.endColumn - 1 },
  };
}

/** Where the help page of a diagnostic code is, relative to the page. */
export function helpUrl(code: string, base = './docs/errors/'): string {
  return `${base}${encodeURIComponent(code)}.md`;
}

export function diagnosticToMarker(d: Diagnostic, helpBase?: string): MarkerData {
  const startLineNumber = Math.max(1, d.range.start.line);
  const startColumn = Math.max(1, d.range.start.column);
  let endLineNumber = Math.max(startLineNumber, d.range.end.line);
  let endColumn = Math.max(1, d.range.end.column);
  if (endLineNumber === startLineNumber && endColumn <= startColumn) {
    endLineNumber = startLineNumber;
    endColumn = startColumn + 1;
  }
  return {
    startLineNumber, startColumn, endLineNumber, endColumn,
    severity: SEVERITY[d.severity] ?? SEVERITY.error,
    message: d.message,
    source: 'lql',
    code: { value: d.code, target: helpUrl(d.code, helpBase) },
  };
}

/** Diagnostics about the rules (not about a data file). */
export function ruleDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.filter((d) => d.file === undefined);
}

/** LQL diagnostics of the rules as the language service's LSP diagnostics (with their quick fixes). */
export function diagnosticToLsp(text: string, ds: Diagnostic[]): LspDiagnostic[] {
  const lines = new LineIndex(text);
  return ruleDiagnostics(ds).map((d) => toLsp(d, lines));
}

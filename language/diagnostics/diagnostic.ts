/**
 * The one Diagnostic type used everywhere in LQL: the parser, the checker,
 * the data readers, the simulator, the CLI and the playground all report
 * problems in this shape. Codes and their message templates live in
 * `registry.ts`; each code has a help page in `docs/errors/CODE.md`.
 *
 * Invariant: a Diagnostic is plain JSON data; `range` is 1-based line and
 * column (end exclusive) in `file` (or in the ruleset being checked when
 * `file` is absent).
 */
import type { Range } from '../syntax/ast.js';

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInfo {
  message: string;
  range: Range;
  file?: string;
}

/** A suggested edit: replace the text in `range` by `text`. */
export interface Fix {
  title: string;
  range: Range;
  text: string;
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  /** the file the range is in, when it is not the ruleset itself (data files) */
  file?: string;
  related?: RelatedInfo[];
  fix?: Fix[];
}

/** A range covering one point (line, column are 1-based). */
export function pointRange(line: number, column: number, offset = 0): Range {
  return { start: { offset, line, column }, end: { offset, line, column: column + 1 } };
}

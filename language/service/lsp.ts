/**
 * LSP-shaped data types of the LQL language service, and position helpers.
 *
 * Input: source text and 0-based offsets. Output: LSP positions (0-based
 * line and UTF-16 character) and ranges; the shapes follow the Language
 * Server Protocol so that any editor adapter (Monaco, VS Code, a CLI) only
 * converts positions and registers providers.
 * Invariants: plain JSON data; a line ends at `\n`, `\r\n` or `\r`, as in LSP.
 */
import type { Range as AstRange } from '../syntax/ast.js';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export const DiagnosticSeverity = { Error: 1, Warning: 2, Information: 3, Hint: 4 } as const;

export interface LspDiagnostic {
  range: Range;
  severity: 1 | 2 | 3 | 4;
  code: string;
  codeDescription: { href: string };
  source: 'lql';
  message: string;
  relatedInformation?: { location: { uri: string; range: Range }; message: string }[];
  /** the quick fixes the checker suggests (did-you-mean), for `getCodeActions` */
  data?: { fixes: { title: string; edits: TextEdit[] }[] };
}

/** LSP CompletionItemKind values used by LQL. */
export const CompletionItemKind = {
  Function: 3,
  Field: 5,
  Variable: 6,
  Class: 7,
  Module: 9,
  Property: 10,
  Unit: 11,
  Value: 12,
  Enum: 13,
  Keyword: 14,
  Snippet: 15,
  Reference: 18,
  EnumMember: 20,
  Constant: 21,
  Event: 23,
  Operator: 24,
} as const;

export interface CompletionItem {
  label: string;
  kind: number;
  detail?: string;
  documentation?: { kind: 'markdown'; value: string };
  /** what the item inserts, over `textEdit.range` (the word being typed) */
  textEdit: TextEdit;
  sortText?: string;
  filterText?: string;
}

export interface Hover {
  contents: { kind: 'markdown'; value: string };
  range: Range;
}

export interface CodeAction {
  title: string;
  kind: 'quickfix';
  diagnostics: LspDiagnostic[];
  isPreferred?: boolean;
  edits: TextEdit[];
}

/** LSP SymbolKind values used by LQL. */
export const SymbolKind = {
  Module: 2,
  Class: 5,
  Property: 7,
  Field: 8,
  Enum: 10,
  Function: 12,
  Variable: 13,
  Constant: 14,
  String: 15,
  Array: 18,
  Object: 19,
  EnumMember: 22,
  Event: 24,
} as const;

export interface DocumentSymbol {
  name: string;
  detail?: string;
  kind: number;
  range: Range;
  selectionRange: Range;
  children?: DocumentSymbol[];
}

export interface Location {
  uri: string;
  range: Range;
}

/** Offsets <-> LSP positions for one text. */
export class LineIndex {
  private starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      } else if (c === 10) this.starts.push(i + 1);
    }
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      // 0 <= lo < mid <= hi < starts.length
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    // starts[0] is 0, so lo is a line
    return { line: lo, character: o - this.starts[lo]! };
  }

  offset(p: Position): number {
    if (p.line < 0) return 0;
    const start = this.starts[p.line];
    if (start === undefined) return this.text.length;
    const lineEnd = this.starts[p.line + 1] ?? this.text.length;
    return Math.max(start, Math.min(start + p.character, lineEnd));
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** An AST/diagnostic range (with offsets) as an LSP range. */
  fromAst(r: AstRange): Range {
    return this.range(r.start.offset, Math.max(r.start.offset, r.end.offset));
  }
}

/**
 * Code actions and whole-document formatting for the editor.
 *
 * Input: text, a range and the diagnostics the editor shows there (as given
 * by `getDiagnostics`; diagnostics without `data` are matched to fresh ones
 * by code and range). Output: LSP-shaped quick fixes (did-you-mean, add a
 * sign, ...) with their edits; `formatDocument` gives the formatter's result
 * as edits. Invariant: pure; never throws; no edit is offered for text with
 * syntax errors by the formatter.
 */
import { format } from '../format/formatter.js';
import { getDiagnostics } from './diagnostics.js';
import { LineIndex, type CodeAction, type LspDiagnostic, type Range, type TextEdit } from './lsp.js';

function before(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function overlaps(x: Range, y: Range): boolean {
  return !before(x.end, y.start) && !before(y.end, x.start);
}

function sameRange(x: Range, y: Range): boolean {
  return x.start.line === y.start.line && x.start.character === y.start.character && x.end.line === y.end.line && x.end.character === y.end.character;
}

/** Quick fixes for the diagnostics that touch `range`. */
export function getCodeActions(text: string, range: Range, diagnostics: LspDiagnostic[]): CodeAction[] {
  let fresh: LspDiagnostic[] | null = null;
  const actions: CodeAction[] = [];
  for (const d of diagnostics) {
    if (!overlaps(d.range, range)) continue;
    let fixes = d.data?.fixes;
    if (!fixes) {
      fresh ??= getDiagnostics(text);
      fixes = fresh.find((f) => f.code === d.code && sameRange(f.range, d.range))?.data?.fixes;
    }
    (fixes ?? []).forEach((f, i) => {
      actions.push({ title: f.title, kind: 'quickfix', diagnostics: [d], isPreferred: i === 0, edits: f.edits });
    });
  }
  return actions;
}

/** The edits that turn `text` into its canonical layout; none when it is already canonical or does not parse. */
export function formatDocument(text: string): TextEdit[] {
  const r = format(text);
  if ('error' in r || !r.changed) return [];
  // One edit over the lines that differ.
  const a = text.split('\n');
  const b = r.text.split('\n');
  let head = 0;
  while (head < a.length - 1 && head < b.length - 1 && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head - 1 && tail < b.length - head - 1 && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const lines = new LineIndex(text);
  const start = lines.offset({ line: head, character: 0 });
  const endLine = a.length - tail;
  const end = endLine >= a.length ? text.length : lines.offset({ line: endLine, character: 0 });
  const middle = b.slice(head, b.length - tail);
  const newText = endLine >= a.length ? middle.join('\n') : middle.map((l) => l + '\n').join('');
  return [{ range: lines.range(start, end), newText }];
}

/**
 * Terminal output for the `lql` command line: diagnostics as
 * `file:line:col: error CODE: message` with the offending line and a caret,
 * and small helpers for tables and numbers.
 *
 * Input: diagnostics and the text they point into. Output: strings (no I/O).
 * Invariant: every line a user sees about a problem names file, line and
 * column, and the code's help page.
 */
import type { Diagnostic } from '../language/diagnostics/diagnostic.js';

export interface PrintOptions {
  color?: boolean;
}

const paint = (on: boolean, code: string, s: string): string => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/** One diagnostic, with the source line and a caret under the range. */
export function formatDiagnostic(d: Diagnostic, file: string, text: string | null, opts: PrintOptions = {}): string {
  const color = !!opts.color;
  const where = `${d.file ?? file}:${d.range.start.line}:${d.range.start.column}`;
  const sev = d.severity === 'error' ? paint(color, '31;1', 'error') : d.severity === 'warning' ? paint(color, '33;1', 'warning') : 'info';
  const lines = [`${where}: ${sev} ${d.code}: ${d.message}`];
  if (text !== null && (!d.file || d.file === file)) {
    const srcLines = text.split(/\r?\n/);
    const lineText = srcLines[d.range.start.line - 1];
    if (lineText !== undefined) {
      const shown = lineText.length > 200 ? lineText.slice(0, 200) + '…' : lineText;
      const gutter = String(d.range.start.line).padStart(4) + ' | ';
      lines.push(gutter + shown.replace(/\t/g, ' '));
      const start = Math.max(0, d.range.start.column - 1);
      const sameLine = d.range.end.line === d.range.start.line;
      const width = Math.max(1, Math.min(sameLine ? d.range.end.column - d.range.start.column : shown.length - start, Math.max(1, shown.length - start)));
      lines.push(' '.repeat(gutter.length - 2) + '| ' + ' '.repeat(Math.min(start, 200)) + paint(color, '31', '^'.repeat(Math.min(width, 200))));
    }
  }
  for (const f of d.fix ?? []) lines.push(`     = help: ${f.title}`);
  lines.push(`     = see docs/errors/${d.code}.md`);
  return lines.join('\n');
}

export function formatDiagnostics(ds: readonly Diagnostic[], file: string, text: string | null, opts: PrintOptions = {}): string {
  return ds.map((d) => formatDiagnostic(d, file, text, opts)).join('\n');
}

export function pct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return (x * 100).toFixed(digits) + '%';
}

export function fixed(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return x.toFixed(digits);
}

export function int(x: number): string {
  return x.toLocaleString('en-US');
}

/** A plain text table: first row is the header. Numbers right-aligned. */
export function table(rows: (string | number)[][]): string {
  if (rows.length === 0) return '';
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? int(c) : c)));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const right = rows[1]?.map((c, i) => typeof c === 'number' || /^[-+]?[\d.,]+%?$|^–$/.test(String(cells[1][i]))) ?? [];
  return cells
    .map((r, ri) =>
      r
        .map((c, i) => (right[i] && ri > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function isoDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}

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

/**
 * Characters that would act on the terminal instead of showing (C0 and C1
 * controls, DEL, line and paragraph separators, bidirectional overrides),
 * written as LQL writes them in text: `\u{1b}`. Tabs are shown as a space.
 */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function escapeControls(s: string): string {
  return s.replace(CONTROL, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`).replace(/\t/g, ' ');
}

/** Start offset of every line of `text` (lines end at LF; a CR before it is not shown). */
function lineStarts(text: string): Int32Array | number[] {
  const starts: number[] = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(text: string, starts: Int32Array | number[], line: number): string | undefined {
  if (line < 1 || line > starts.length) return undefined;
  const a = starts[line - 1]!;
  let b = line < starts.length ? starts[line]! - 1 : text.length;
  if (b > a && text.charCodeAt(b - 1) === 13) b--;
  return text.slice(a, Math.min(b, a + 400));
}

/** One diagnostic, with the source line and a caret under the range. */
export function formatDiagnostic(d: Diagnostic, file: string, text: string | null, opts: PrintOptions = {}): string {
  return formatDiagnostics([d], file, text, opts);
}

function formatOne(d: Diagnostic, file: string, lineText: string | undefined, color: boolean): string {
  const where = `${escapeControls(d.file ?? file)}:${d.range.start.line}:${d.range.start.column}`;
  const sev = d.severity === 'error' ? paint(color, '31;1', 'error') : d.severity === 'warning' ? paint(color, '33;1', 'warning') : 'info';
  const lines = [`${where}: ${sev} ${d.code}: ${escapeControls(d.message)}`];
  if (lineText !== undefined) {
    const cut = Math.min(lineText.length, 200);
    const shown = escapeControls(lineText.slice(0, cut)) + (lineText.length > 200 ? '…' : '');
    const gutter = String(d.range.start.line).padStart(4) + ' | ';
    lines.push(gutter + shown);
    const start = Math.min(Math.max(0, d.range.start.column - 1), cut);
    const sameLine = d.range.end.line === d.range.start.line;
    const end = Math.min(cut, Math.max(start + 1, sameLine ? d.range.end.column - 1 : cut));
    // columns count characters of the source; escaped characters take more room on screen
    const pad = escapeControls(lineText.slice(0, start)).length;
    const width = Math.max(1, escapeControls(lineText.slice(start, end)).length);
    lines.push(' '.repeat(gutter.length - 2) + '| ' + ' '.repeat(Math.min(pad, 400)) + paint(color, '31', '^'.repeat(Math.min(width, 400))));
  }
  for (const f of d.fix ?? []) lines.push(`     = help: ${escapeControls(f.title)}`);
  lines.push(`     = see docs/errors/${d.code}.md`);
  return lines.join('\n');
}

/** Every diagnostic, each with its source line; the text is scanned once, however many there are. */
export function formatDiagnostics(ds: readonly Diagnostic[], file: string, text: string | null, opts: PrintOptions = {}): string {
  const color = !!opts.color;
  let starts: Int32Array | number[] | undefined;
  return ds
    .map((d) => {
      let lineText: string | undefined;
      if (text !== null && (!d.file || d.file === file)) {
        starts ??= lineStarts(text);
        lineText = lineOf(text, starts, d.range.start.line);
      }
      return formatOne(d, file, lineText, color);
    })
    .join('\n');
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
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? int(c) : c)));
  const [header, firstRow] = cells;
  if (header === undefined) return '';
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const right = rows[1]?.map((c, i) => typeof c === 'number' || /^[-+]?[\d.,]+%?$|^–$/.test(String(firstRow?.[i]))) ?? [];
  return cells
    .map((r, ri) =>
      r
        .map((c, i) => (right[i] && ri > 0 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
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

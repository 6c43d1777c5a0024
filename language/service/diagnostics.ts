/**
 * Diagnostics for the editor: every syntax and checker problem of a ruleset,
 * in LSP shape.
 *
 * Input: text and the optional context (with `columns`, unknown columns are
 * reported). Output: `LspDiagnostic[]`, sorted by position, each with its
 * code, severity, plain-words message, a link to its help page
 * (`docs/errors/CODE.md`) and the checker's quick fixes in `data.fixes`.
 * Invariant: pure; never throws; one diagnostic per (code, range, message).
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { needsQuoting } from '../syntax/tokens.js';
import { analyze } from './analyze.js';
import type { ServiceContext } from './context.js';
import { DiagnosticSeverity, type LineIndex, type LspDiagnostic, type TextEdit } from './lsp.js';

/** Where the help page of a code lives, relative to the project root. */
export function helpHref(code: string): string {
  return `docs/errors/${code}.md`;
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** A fix's replacement text; a name that needs backticks gets them when it replaces a name. */
function fixText(text: string, replaced: string): string {
  const isName = /^[A-Za-z_`]/.test(replaced);
  return isName && !text.startsWith('`') && needsQuoting(text) ? '`' + text + '`' : text;
}

export function toLsp(d: Diagnostic, lines: LineIndex, uri = ''): LspDiagnostic {
  const out: LspDiagnostic = {
    range: lines.fromAst(d.range),
    severity: SEVERITY[d.severity],
    code: d.code,
    codeDescription: { href: helpHref(d.code) },
    source: 'lql',
    message: d.message,
  };
  if (d.related?.length) {
    out.relatedInformation = d.related.map((r) => ({ location: { uri: r.file ?? uri, range: lines.fromAst(r.range) }, message: r.message }));
  }
  if (d.fix?.length) {
    out.data = {
      fixes: d.fix.map((f) => {
        const edit: TextEdit = {
          range: lines.fromAst(f.range),
          newText: fixText(f.text, lines.text.slice(f.range.start.offset, f.range.end.offset)),
        };
        return { title: f.title, edits: [edit] };
      }),
    };
  }
  return out;
}

/** Parse and check `text`; every problem as an LSP diagnostic. */
export function getDiagnostics(text: string, ctx: ServiceContext = {}): LspDiagnostic[] {
  const a = analyze(text, ctx);
  const all = [...a.parseDiagnostics, ...a.checked.diagnostics].sort((x, y) => x.range.start.offset - y.range.start.offset);
  // The same problem reported twice at one place is shown once.
  const seen = new Set<string>();
  const unique = all.filter((d) => {
    const key = `${d.code}:${d.range.start.offset}:${d.range.end.offset}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.map((d) => toLsp(d, a.lines, ctx.uri));
}

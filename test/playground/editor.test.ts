/**
 * The editor adapter's pure parts: highlighting derived from the parser's
 * token table, diagnostic -> marker conversion, and the language service's
 * LSP-shaped answers as the adapter gets them (completion with the dataset's
 * columns, hover with last-run rule statistics, quick fixes from the
 * worker's diagnostics, Format Document).
 */
import { describe, expect, it } from 'vitest';
import { TOKEN_TABLE } from '../../language/syntax/tokens.js';
import { monarchFromTokens, TOKEN_CLASS, LIGHT_THEME_RULES } from '../../playground/editor/highlight.js';
import { diagnosticToMarker, diagnosticToLsp, lspToMonaco, monacoToLsp, helpUrl, ruleDiagnostics } from '../../playground/editor/convert.js';
import { languageService as svc } from '../../playground/editor/service.js';
import { compileSource } from '../../language/index.js';
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';

/** Tokenize one line with the Monarch rules the way Monaco does (first match wins). */
function tokenize(line: string): [string, string][] {
  const { root } = monarchFromTokens().tokenizer;
  const out: [string, string][] = [];
  let i = 0;
  while (i < line.length) {
    const rest = line.slice(i);
    const rule = root.find(([re]) => new RegExp('^(?:' + re.source + ')').exec(rest)?.[0]);
    const m = new RegExp('^(?:' + rule![0].source + ')').exec(rest)![0];
    if (rule![1] !== 'white') out.push([m, rule![1]]);
    i += m.length;
  }
  return out;
}

describe('highlighting from the token table', () => {
  it('has one rule per token of the table, in lexer order, plus a catch-all', () => {
    const { root } = monarchFromTokens().tokenizer;
    expect(root.length).toBe(TOKEN_TABLE.filter((t) => t.pattern).length + 1);
  });

  it('every category has a token class with a theme colour', () => {
    for (const cls of Object.values(TOKEN_CLASS)) {
      expect(LIGHT_THEME_RULES.some((r) => r.token === cls), cls).toBe(true);
    }
  });

  it('highlights an LQL line like the lexer reads it', () => {
    const toks = tokenize('engagement { +2 per web_visit in last 30 days, max 20 } # note');
    expect(toks).toContainEqual(['engagement', 'keyword']);
    expect(toks).toContainEqual(['per', 'keyword']);
    expect(toks).toContainEqual(['web_visit', 'identifier']);
    expect(toks).toContainEqual(['days', 'unit']);
    expect(toks).toContainEqual(['30', 'number']);
    expect(toks).toContainEqual(['# note', 'comment']);
    expect(tokenize('title matches /vp|director/i')).toContainEqual(['/vp|director/i', 'regexp']);
    expect(tokenize('at 2026-01-10')).toContainEqual(['2026-01-10', 'date']);
    expect(tokenize('x == "a b"')).toContainEqual(['"a b"', 'string']);
  });

  it('does not cut a keyword out of a longer name', () => {
    expect(tokenize('fitness')).toEqual([['fitness', 'identifier']]);
    expect(tokenize('listing')).toEqual([['listing', 'identifier']]);
    expect(tokenize('decay half-life 30 days')).toContainEqual(['half-life', 'keyword']);
  });
});

const d = (over: Partial<Diagnostic> = {}): Diagnostic => ({
  code: 'LQL200', severity: 'error', message: '`x` is not declared.',
  range: { start: { offset: 10, line: 3, column: 5 }, end: { offset: 11, line: 3, column: 6 } }, ...over,
});

describe('diagnostics to markers', () => {
  it('keeps 1-based positions, severity, message and a help link', () => {
    const m = diagnosticToMarker(d());
    expect(m).toMatchObject({ startLineNumber: 3, startColumn: 5, endLineNumber: 3, endColumn: 6, severity: 8, source: 'lql' });
    expect(m.code).toEqual({ value: 'LQL200', target: './docs/errors/LQL200.md' });
    expect(diagnosticToMarker(d({ severity: 'warning' })).severity).toBe(4);
    expect(helpUrl('LQL101', 'https://h/')).toBe('https://h/LQL101.md');
  });
  it('widens an empty range so the marker shows', () => {
    const m = diagnosticToMarker(d({ range: { start: { offset: 0, line: 2, column: 4 }, end: { offset: 0, line: 2, column: 4 } } }));
    expect(m.endColumn).toBe(5);
  });
  it('keeps data-file diagnostics out of the editor', () => {
    expect(ruleDiagnostics([d(), d({ file: 'leads.csv' })])).toHaveLength(1);
  });
  it('converts LSP and Monaco ranges both ways', () => {
    const r = { start: { line: 0, character: 2 }, end: { line: 4, character: 0 } };
    expect(lspToMonaco(r)).toEqual({ startLineNumber: 1, startColumn: 3, endLineNumber: 5, endColumn: 1 });
    expect(monacoToLsp(lspToMonaco(r))).toEqual(r);
  });
});

const acme = readFileSync(new URL('../../examples/acme.lql', import.meta.url), 'utf8');

/** Text with a `|` cursor marker -> [text, offset]. */
function at(marked: string): [string, number] {
  const k = marked.indexOf('|');
  return [marked.slice(0, k) + marked.slice(k + 1), k];
}

describe('language service through the playground seam', () => {
  const columns = [
    { name: 'Lead Origin', type: 'text', samples: ['API', 'Landing Page Submission'], fillRate: 1, distinct: 5 },
    { name: 'employees', type: 'number', samples: ['10', '500'], fillRate: 0.9, distinct: 300 },
  ];

  it('completes data columns, quoting names that need it, with their type and samples', () => {
    const [text, off] = at('fit {\n  +10 when |\n}\n');
    const items = svc.getCompletions(text, off, { columns });
    const origin = items.find((i) => i.label === 'Lead Origin');
    expect(origin?.textEdit.newText).toBe('`Lead Origin`');
    expect(items.find((i) => i.label === 'employees')).toBeDefined();
    // the replaced range is where the cursor is (0-based)
    expect(origin?.textEdit.range.start).toEqual({ line: 1, character: 11 });
  });

  it('hovers a rule with how often it fired last run and its close rate', () => {
    const line = acme.split('\n').findIndex((l) => l.includes('+40 once demo_request'));
    const off = acme.split('\n').slice(0, line).join('\n').length + 1 + acme.split('\n')[line]!.indexOf('+40') + 1;
    const h = svc.getHover(acme, off, { ruleStats: [{ line: line + 1, fired: 812, closeRate: 0.61 }] });
    expect(h?.contents.value).toContain('fired for 812 leads');
    expect(h?.contents.value).toContain('61%');
  });

  it('turns a checker diagnostic from the worker into a quick fix', () => {
    const text = 'attribute employees: number\nsegment big = employes >= 5000\n';
    const ds = compileSource(text).diagnostics.filter((x) => x.fix?.length);
    expect(ds.length).toBeGreaterThan(0);
    const lsp = diagnosticToLsp(text, ds);
    const actions = svc.getCodeActions(text, lsp[0]!.range, lsp);
    expect(actions[0]).toMatchObject({ kind: 'quickfix', isPreferred: true });
    expect(actions[0]!.edits[0]!.newText).toBe('employees');
  });

  it('formats a document as edits, and never throws on broken text', () => {
    const edits = svc.formatDocument('fit {\n+10    when   x\n}\n');
    expect(edits.length).toBe(1);
    expect(edits[0]!.newText).toContain('  +10 when x');
    expect(svc.formatDocument('fit {')).toEqual([]);
    expect(() => svc.getHover('fit { +', 6, {})).not.toThrow();
    expect(() => svc.getCompletions('"', 1, {})).not.toThrow();
  });
});

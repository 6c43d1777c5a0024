// Diagnostics, outline, go-to-definition and highlighting.
import { describe, expect, it } from 'vitest';
import { getDefinition, getDiagnostics, getDocumentSymbols, getSemanticTokens, tokenize, KEYWORD_DOCS } from '../../language/service/index.js';
import { KEYWORDS } from '../../language/syntax/tokens.js';
import { at } from './cursor.js';

const SRC = `activity web_visit
segment big = employees >= 500
fit { +30 when big }
band grade from fit { A >= 30, B otherwise }
stages { SQL when grade == A, lead otherwise }
`;

describe('getDiagnostics', () => {
  it('gives LSP-shaped diagnostics with code, severity and help link', () => {
    const d = getDiagnostics('segment s = employes >= 1 and count(web) > 1\nattribute employees: number\n');
    const unknown = d.find((x) => x.code === 'LQL201')!;
    expect(unknown).toMatchObject({ severity: 1, source: 'lql', codeDescription: { href: 'docs/errors/LQL201.md' } });
    expect(unknown.range).toEqual({ start: { line: 0, character: 36 }, end: { line: 0, character: 39 } });
    const typo = d.find((x) => x.code === 'LQL405')!;
    expect(typo.severity).toBe(2);
    expect(typo.data?.fixes[0]?.edits[0]?.newText).toBe('employees');
  });

  it('reports unknown columns against the bound data, with backticks in the fix when needed', () => {
    const d = getDiagnostics('segment s = Lead_Origin == "x"\n', { columns: [{ name: 'Lead Origin', type: 'text' }] });
    const col = d.find((x) => x.code === 'LQL210')!;
    expect(col.message).toContain('Lead Origin');
    expect(col.data?.fixes[0]?.edits[0]?.newText).toBe('`Lead Origin`');
  });

  it('reports syntax errors', () => {
    expect(getDiagnostics('fit { +1 when }').map((x) => x.code)).toContain('LQL110');
  });
});

describe('getDocumentSymbols', () => {
  it('lists declarations with children', () => {
    const s = getDocumentSymbols(SRC);
    expect(s.map((x) => x.name)).toEqual(['web_visit', 'big', 'fit', 'grade', 'stages']);
    expect(s[3]?.children?.map((x) => x.name)).toEqual(['A', 'B']);
    expect(s[4]?.children?.map((x) => x.name)).toEqual(['SQL', 'lead']);
    expect(s[1]?.selectionRange).toEqual({ start: { line: 1, character: 8 }, end: { line: 1, character: 11 } });
  });
});

describe('getDefinition', () => {
  it('jumps from a use to the declaration', () => {
    const { text, offset } = at(SRC.replace('when big', 'when b$0ig'));
    expect(getDefinition(text, offset)?.range).toEqual({ start: { line: 1, character: 8 }, end: { line: 1, character: 11 } });
  });

  it('jumps to a score block and to a band label', () => {
    const f = at(SRC.replace('from fit', 'from f$0it'));
    expect(getDefinition(f.text, f.offset)?.range.start).toEqual({ line: 2, character: 0 });
    const l = at(SRC.replace('grade == A', 'grade == $0A'));
    expect(getDefinition(l.text, l.offset)?.range).toEqual({ start: { line: 3, character: 22 }, end: { line: 3, character: 23 } });
  });

  it('has no definition for a column read from the data', () => {
    const { text, offset } = at(SRC.replace('employees', 'emp$0loyees'));
    expect(getDefinition(text, offset)).toBeNull();
  });
});

describe('highlighting', () => {
  it('categorises tokens from the token table and refines names', () => {
    const toks = tokenize('fit { +30 when big } # c\nsegment big = lead == "x"');
    const by = (img: string) => toks.find((t) => 'fit { +30 when big } # c\nsegment big = lead == "x"'.slice(t.offset, t.offset + t.length) === img)!;
    expect(by('fit').category).toBe('keyword');
    expect(by('when').category).toBe('keyword');
    expect(by('+').category).toBe('operator');
    expect(by('30').category).toBe('number');
    expect(by('# c').category).toBe('comment');
    expect(by('"x"').category).toBe('string');
    expect(by('big')).toMatchObject({ category: 'identifier', symbol: 'segment' });
    expect(by('lead')).toMatchObject({ category: 'identifier', symbol: 'attribute' });
  });

  it('encodes LSP semantic tokens relative to the previous token', () => {
    const { legend, data } = getSemanticTokens('fit {\n  +30 when big\n}');
    expect(data.length % 5).toBe(0);
    expect(data.slice(0, 5)).toEqual([0, 0, 3, legend.tokenTypes.indexOf('keyword'), 0]);
    // `+` on the next line, column 2
    expect(data.slice(5, 8)).toEqual([1, 2, 1]);
  });

  it('has a one-line doc for every keyword', () => {
    for (const k of KEYWORDS) expect(KEYWORD_DOCS[k], k).toBeTruthy();
  });
});

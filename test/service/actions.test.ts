// Code actions (quick fixes from the checker's did-you-mean) and formatting edits.
import { describe, expect, it } from 'vitest';
import { formatDocument, getCodeActions, getDiagnostics, type TextEdit } from '../../language/service/index.js';
import { at, pos } from './cursor.js';

/** Apply non-overlapping LSP edits to a text. */
function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const off = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}

function fixesAt(fixture: string) {
  const { text, offset } = at(fixture);
  const p = pos(text, offset);
  return { text, actions: getCodeActions(text, { start: p, end: p }, getDiagnostics(text)) };
}

describe('code actions', () => {
  it('fixes a misspelt activity (did-you-mean)', () => {
    const { text, actions } = fixesAt('activity web_visit\nengagement {\n  +2 per web_visti$0\n}\n');
    expect(actions.map((a) => a.title)).toEqual(['Change to web_visit']);
    expect(actions[0]?.kind).toBe('quickfix');
    expect(actions[0]?.diagnostics[0]?.code).toBe('LQL201');
    expect(apply(text, actions[0]!.edits)).toBe('activity web_visit\nengagement {\n  +2 per web_visit\n}\n');
  });

  it('fixes a misspelt type and a missing sign', () => {
    const t = fixesAt('attribute a: nubmer$0\n');
    expect(apply(t.text, t.actions[0]!.edits)).toBe('attribute a: number\n');
    const s = fixesAt('fit { 1$00 when x == 1 }\n');
    expect(s.actions[0]?.title).toBe('Write +10');
    expect(apply(s.text, s.actions[0]!.edits)).toBe('fit { +10 when x == 1 }\n');
  });

  it('works with diagnostics that lost their data (matched again by code and range)', () => {
    const { text, offset } = at('activity web_visit\nsegment s = count(web_vist$0) > 1\n');
    const p = pos(text, offset);
    const bare = getDiagnostics(text).map(({ data: _data, ...d }) => d);
    const actions = getCodeActions(text, { start: p, end: p }, bare);
    expect(actions.map((a) => a.title)).toEqual(['Change to web_visit']);
  });

  it('offers nothing away from the diagnostic', () => {
    const { actions } = fixesAt('activity web_visit\n$0engagement {\n  +2 per web_visti\n}\n');
    expect(actions).toEqual([]);
  });
});

describe('formatDocument', () => {
  it('gives edits that produce the canonical text', () => {
    const src = 'attribute a: text\nsegment   s=a=="x"\n\n\nfit {+1 when s}\nattribute b: text\n';
    const edits = formatDocument(src);
    expect(edits).toHaveLength(1);
    expect(apply(src, edits)).toBe('attribute a: text\nsegment s = a == "x"\n\nfit {\n  +1 when s\n}\nattribute b: text\n');
  });

  it('gives no edits for canonical text or text with syntax errors', () => {
    expect(formatDocument('attribute a: text\n')).toEqual([]);
    expect(formatDocument('fit { +1 when }')).toEqual([]);
  });
});

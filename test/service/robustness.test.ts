// The language service answers on any text at any offset (half-typed rulesets included) without throwing.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as svc from '../../language/service/index.js';

const ACME = readFileSync(fileURLToPath(new URL('../../../shared/spec/examples/acme.lql', import.meta.url)), 'utf8');

describe('language service robustness', () => {
  it('never throws on cut and spliced acme text', () => {
    fc.assert(
      fc.property(fc.nat(ACME.length), fc.nat(ACME.length), fc.string({ maxLength: 6 }), fc.nat(), (a, b, junk, at) => {
        const [x, y] = a < b ? [a, b] : [b, a];
        const text = ACME.slice(0, x) + junk + ACME.slice(y);
        const offset = at % (text.length + 1);
        const ctx = { columns: [{ name: 'Lead Origin', type: 'text', samples: ['API'] }] };
        expect(Array.isArray(svc.getCompletions(text, offset, ctx))).toBe(true);
        svc.getHover(text, offset, ctx);
        svc.getDefinition(text, offset);
        const d = svc.getDiagnostics(text, ctx);
        svc.getCodeActions(text, { start: { line: 0, character: 0 }, end: { line: 999, character: 0 } }, d);
        svc.tokenize(text);
        svc.getDocumentSymbols(text);
        svc.formatDocument(text);
      }),
      { numRuns: 200 },
    );
  });

  it('every acme position: completions and hovers have ranges inside the text', () => {
    const lines = ACME.split('\n');
    for (let offset = 0; offset <= ACME.length; offset += 7) {
      for (const it of svc.getCompletions(ACME, offset)) {
        const r = it.textEdit.range;
        expect(r.end.line).toBeLessThan(lines.length);
        expect(r.start.line * 1e6 + r.start.character).toBeLessThanOrEqual(r.end.line * 1e6 + r.end.character);
      }
      const h = svc.getHover(ACME, offset);
      if (h) expect(h.contents.value.length).toBeGreaterThan(0);
    }
  });
});

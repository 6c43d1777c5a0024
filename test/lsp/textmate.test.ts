// The TextMate grammar in editors/ is generated from the token table and is
// current; scanning a ruleset with it the way a TextMate engine does
// (earliest match, first pattern on a tie) gives each token the scope of its
// category in the lexer.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { textmateGrammar, textmateGrammarText, TEXTMATE_SCOPES } from '../../language/syntax/textmate.js';
import { lexer, TOKEN_TABLE } from '../../language/syntax/tokens.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ACME = readFileSync(fileURLToPath(new URL('../../../shared/spec/examples/acme.lql', import.meta.url)), 'utf8');

/** A TextMate-style scan: at each step the pattern whose match starts earliest wins; ties go to the first pattern. */
function scan(text: string): { offset: number; image: string; scope: string }[] {
  const res = textmateGrammar().patterns.map((p) => ({ re: new RegExp(p.match, 'g'), scope: p.name }));
  const out: { offset: number; image: string; scope: string }[] = [];
  let pos = 0;
  for (;;) {
    let best: { index: number; image: string; scope: string } | null = null;
    for (const p of res) {
      p.re.lastIndex = pos;
      const m = p.re.exec(text);
      if (m && m[0].length && (!best || m.index < best.index)) best = { index: m.index, image: m[0], scope: p.scope };
    }
    if (!best) return out;
    out.push({ offset: best.index, image: best.image, scope: best.scope });
    pos = best.index + best.image.length;
  }
}

describe('TextMate grammar', () => {
  it('the committed grammar is the one generated from the token table (run `npm run gen:grammar` after changing tokens)', () => {
    const file = readFileSync(`${root}/editors/vscode/syntaxes/lql.tmLanguage.json`, 'utf8');
    expect(file).toBe(textmateGrammarText());
  });

  it('covers every token of the table but whitespace', () => {
    const named = textmateGrammar().patterns.flatMap((p) => p.comment.split(' '));
    expect(new Set(named)).toEqual(new Set(TOKEN_TABLE.map((t) => t.name).filter((n) => n !== 'WhiteSpace')));
  });

  it('highlights the ACME ruleset and tricky words exactly as the lexer reads them', () => {
    const text = ACME + '\nsegment fitness = `Lead Origin` == "API" and within_days >= 2_000 and half_life in [1.5] # fit\nfit { +1 per x in last 30 days decay half-life 2 weeks }\n';
    const category = new Map(TOKEN_TABLE.map((t) => [t.name, t.category]));
    const lexed = lexer.tokenize(text);
    const expected = [...lexed.tokens, ...(lexed.groups.comments ?? [])]
      .sort((a, b) => a.startOffset - b.startOffset)
      .map((t) => ({ offset: t.startOffset, image: t.image, scope: TEXTMATE_SCOPES[category.get(t.tokenType.name) ?? 'comment'] }));
    expect(expected.length).toBeGreaterThan(200);
    expect(scan(text)).toEqual(expected);
  });
});

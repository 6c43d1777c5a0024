// The shared case corpus (test/cases) run through the compiled JS scorer,
// in-process and with explain mode on (which must not change any result).
import { describe, expect, test } from 'vitest';
import { compileSource } from '../../language/index.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import { compareResult, loadCases } from '../cases/load.js';

const cases = loadCases().filter((c) => c.expect);

describe('case corpus through the compiled scorer', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { ir, diagnostics } = compileSource(c.source);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const scorer = compileScorer(ir!);
    const r = scorer.score(c.lead, c.events, c.asOf);
    expect(compareResult(r, c.expect!)).toEqual([]);
    const rx = compileScorer(ir!, { explain: true }).score(c.lead, c.events, c.asOf);
    expect(compareResult(rx, c.expect!)).toEqual([]);
    const { explain, ...plain } = rx;
    expect(plain).toEqual(r);
    expect(explain!.asOf).toBeTypeOf('number');
  });
});

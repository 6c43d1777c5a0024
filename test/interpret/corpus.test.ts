// The case corpus (test/cases) run through the reference interpreter: every
// expected score, band, stage, reached time, route and reason, every `test`
// block outcome, and (once the checker exists) every expected diagnostic.
import { describe, expect, it } from 'vitest';
import { parse } from '../../language/syntax/parser.js';
import { interpret } from '../../language/interpret/interpreter.js';
import { runTests } from '../../language/interpret/run-tests.js';
import { compareResult, loadCases } from '../cases/load.js';
import { attributeTypesFor, checkerDiagnostics } from './types.js';

const cases = loadCases();

describe('case corpus', () => {
  it('has at least 40 case files', () => {
    expect(new Set(cases.map((c) => c.file)).size).toBeGreaterThanOrEqual(40);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const { program, diagnostics } = parse(c.source);
      if (c.expectDiagnostics) {
        const all = [...diagnostics, ...((await checkerDiagnostics(program)) ?? [])];
        const got = all.filter((d) => d.severity === 'error').map((d) => ({ code: d.code, line: d.range.start.line, col: d.range.start.column }));
        for (const want of c.expectDiagnostics) expect(got).toContainEqual(want);
        return;
      }
      const errors = [...diagnostics, ...((await checkerDiagnostics(program)) ?? [])].filter((d) => d.severity === 'error');
      expect(errors.map((d) => `${d.range.start.line}:${d.range.start.column} ${d.code} ${d.message}`)).toEqual([]);
      const types = await attributeTypesFor(program);
      if (c.expect) {
        const r = interpret(program, types, c.lead, c.events, c.asOf, c.source);
        expect(compareResult(r, c.expect), JSON.stringify(r, null, 1)).toEqual([]);
        // the same lead with times as epoch ms gives the same result
        const r2 = interpret(program, types, c.lead, c.eventsMs, c.asOfMs, c.source);
        expect(r2).toEqual(r);
      }
      if (c.expectTests) {
        const outcomes = runTests(program, types, c.source);
        expect(outcomes.map((o) => ({ name: o.name, passed: o.passed }))).toEqual(
          c.expectTests.map((t) => ({ name: t.name, passed: t.passed })),
        );
        c.expectTests.forEach((t, i) => {
          if (t.details) expect(outcomes[i]!.failures.map((f) => f.details)).toEqual(t.details);
        });
      }
    });
  }
});

// The four `test` blocks of the canonical ACME example, run by the reference interpreter.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from '../../language/syntax/parser.js';
import { runTests, formatTestReport } from '../../language/interpret/run-tests.js';
import { interpret } from '../../language/interpret/interpreter.js';
import { attributeTypesFor } from './types.js';

const acmePath = fileURLToPath(new URL('../../../shared/spec/examples/acme.lql', import.meta.url));
const source = readFileSync(acmePath, 'utf8');

describe('acme.lql', () => {
  const { program, diagnostics } = parse(source);
  it('parses without errors', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('passes its four tests', async () => {
    const types = await attributeTypesFor(program);
    const outcomes = runTests(program, types, source);
    expect(outcomes.map((o) => o.name)).toHaveLength(4);
    const report = formatTestReport(outcomes);
    expect(report).toMatch(/4 passed, 0 failed$/);
    for (const o of outcomes) expect(o.failures, `${o.name}\n${report}`).toEqual([]);
  });

  it('reports expected vs actual when an expectation fails', async () => {
    const broken = source.replace('expect fit == 40\n', 'expect fit == 41\n').replace('expect grade == B', 'expect grade == A');
    const p = parse(broken).program;
    const outcomes = runTests(p, await attributeTypesFor(p), broken);
    const first = outcomes[0]!;
    expect(first.passed).toBe(false);
    expect(first.failures.map((f) => f.details).flat()).toEqual(['expected fit == 41, got 40', 'expected grade == A, got B']);
    expect(formatTestReport(outcomes)).toMatch(/3 passed, 1 failed$/);
  });

  it('gives reasons with the rule text and line', async () => {
    const types = await attributeTypesFor(program);
    const r = interpret(
      program,
      types,
      { industry: 'manufacturing', employees: 300, title: 'Head of Ops', email: 'a@gmail.com' },
      [{ type: 'web_visit', at: '2026-01-01' }],
      '2026-01-01',
      source,
    );
    expect(r.reasons).toEqual([
      { score: 'fit', points: 15, line: 26, rule: '+15 when manufacturing' },
      { score: 'fit', points: 10, line: 27, rule: '+10 when decision_maker' },
      { score: 'fit', points: -50, line: 28, rule: '-50 when domain(email) in freemail' },
      { score: 'engagement', points: 2, line: 33, rule: '+2 per web_visit, max 20' },
      { score: 'bant', points: 1, line: 46, rule: '+1 when decision_maker' },
    ]);
  });
});

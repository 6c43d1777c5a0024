// Hostile names and strings cannot change what a compiled scorer does or
// break the emitted code: in-process (new Function) and as a module that
// plain Node imports.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileScorer, emitDts, emitModule } from '../../language/compile/emit-js.js';
import * as I from '../compile/ir-build.js';

const HOSTILE = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '"', '\\', "'", '</script><script>alert(1)</script>', '\u2028', '\u2029', '${process.exit(3)}', '`', '`+process.exit(4)+`',
  '*/ process.exit(5) /*', '\n process.exit(6) //', '"); process.exit(7); ("', '\ud800', '}; process.exit(8); {',
];

const dir = mkdtempSync(join(tmpdir(), 'lql-sec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hostileRuleset(name: string) {
  // every user-named thing is `name` or derived from it
  return I.ruleset({
    name,
    activities: [name, name + '2'],
    scores: [
      I.block(name, [
        I.when(1, I.cmp(I.attr(name, 'text'), '==', I.s(name))),
        I.when(2, I.inList(I.attr(name + 'x', 'text'), [name, 'plain'])),
        I.when(4, I.matches(I.attr(name, 'text'), '^' + name.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&') + '$')),
        I.per(8, name),
        I.when(16, I.text(I.attr(name, 'text'), 'contains', I.s(name))),
      ]),
      I.derived(name + 'd', I.A.mul(I.A.score(name), I.A.n(2))),
    ],
    bands: [I.bandDef(name + 'b', { k: 'score', name }, [[name, 10], [name + 'low', null]])],
    stages: [I.stage(name + 'S', I.cmp(I.score(name), '>=', I.n(31))), I.stage(name)],
    routes: [I.route(name, I.cmp(I.band(name + 'b'), '==', I.s(name))), I.route(name + ' otherwise')],
  });
}

function check(name: string, r: ReturnType<ReturnType<typeof compileScorer>['score']>) {
  expect(Object.getPrototypeOf(r.scores)).toBe(null);
  expect(Object.keys(r.scores)).toEqual([name, name + 'd']);
  expect(r.scores[name]).toBe(1 + 2 + 4 + 8 + 16);
  expect(r.scores[name + 'd']).toBe(62);
  expect(r.bands[name + 'b']).toBe(name);
  expect(r.stage).toBe(name + 'S');
  expect(r.route).toBe(name);
  expect(r.reasons.map((x) => x.score)).toEqual([name, name, name, name, name]);
}

describe('hostile names and strings', () => {
  test.each(HOSTILE.map((h) => [JSON.stringify(h), h]))('%s', (_label, name) => {
    const ir = hostileRuleset(name);
    const lead = JSON.parse(JSON.stringify({ [name]: name, [name + 'x']: name }));
    const events = [{ type: name, at: '2026-01-01' }];
    const sc = compileScorer(ir);
    const r = sc.score(lead, events, '2026-01-01');
    check(name, r);
    expect(sc.ruleset.name).toBe(name);
    // explain mode too
    check(name, compileScorer(ir, { explain: true }).score(lead, events, '2026-01-01'));
    // a lead without the attribute: nothing fires from the prototype chain
    const empty = sc.score({}, []);
    expect(empty.scores[name]).toBe(0);
    expect(empty.route).toBe(name + ' otherwise');

    // the module parses and gives the same answers under plain Node
    const file = join(dir, 'm' + HOSTILE.indexOf(name) + '.mjs');
    const text = emitModule(ir, { format: 'esm', compilerVersion: name });
    expect(text).not.toContain('\u2028');
    expect(text).not.toContain('\u2029');
    expect(text).not.toMatch(/<\/script/i);
    writeFileSync(file, text);
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); const [l, e] = JSON.parse(process.argv[1]); console.log(JSON.stringify([m.score(l, e, '2026-01-01'), m.ruleset.name]));`, JSON.stringify([lead, events])],
      { encoding: 'utf8' },
    );
    const [res, rsName] = JSON.parse(out);
    expect(res).toEqual(JSON.parse(JSON.stringify(r)));
    expect(rsName).toBe(name);
    // the .d.ts is plain text with the names JSON-quoted
    expect(emitDts(ir)).not.toContain('\u2028');
  });

  test('a lead whose prototype carries attributes is read as own properties only', () => {
    const ir = hostileRuleset('employees');
    const sc = compileScorer(ir);
    const lead = Object.create({ employees: 'employees', employeesx: 'employees' });
    expect(sc.score(lead, []).scores.employees).toBe(0);
  });

  test('catastrophic regexes run in linear time', () => {
    const ir = I.ruleset({
      scores: [I.block('s', [
        I.when(1, I.matches(I.attr('t', 'text'), '(a+)+$')),
        I.when(2, I.matches(I.attr('t', 'text'), '(a|aa)*c')),
        I.when(4, I.matches(I.attr('t', 'text'), '(x+x+)+y')),
      ])],
    });
    const sc = compileScorer(ir);
    const t0 = Date.now();
    expect(sc.score({ t: 'a'.repeat(30_000) + '!' }).scores.s).toBe(0);
    expect(sc.score({ t: 'x'.repeat(30_000) }).scores.s).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  test('IR that is not data of the right kind is refused, not spliced', () => {
    const ir = I.ruleset({ scores: [I.block('s', [I.when(1, I.cmp(I.attr('x'), '>=', I.n(1)))])] });
    const bad = JSON.parse(JSON.stringify(ir));
    bad.scores[0].rules[0].points = '1; process.exit(9)';
    expect(() => compileScorer(bad)).toThrow(TypeError);
    const bad2 = JSON.parse(JSON.stringify(ir));
    bad2.scores[0].rules[0].cond.op = '>= 0 || process.exit(9) ||';
    expect(() => compileScorer(bad2)).toThrow(TypeError);
    const bad3 = JSON.parse(JSON.stringify(ir));
    bad3.scores[0].rules[0].cond.left.type = 'number); process.exit(9); (';
    expect(() => compileScorer(bad3)).toThrow(TypeError);
    const bad4 = JSON.parse(JSON.stringify(ir));
    bad4.scores[0].rules[0].cond.k = 'constructor';
    expect(() => compileScorer(bad4)).toThrow(TypeError);
  });
});

// CI gates: `lql test --reporter`, `lql simulate --format markdown` and `--require`,
// checked with independent parsers (fast-xml-parser for JUnit, tap-parser for TAP)
// and against counts done by hand on a four-lead file.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { Parser as TapParser } from 'tap-parser';
import { run } from './run.js';

let dir: string;
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const RULES = `activity demo
fit { +10 when kind == "a" }
stages { MQL when fit >= 10, lead otherwise }
test "an a lead is MQL" { lead { kind: "a" } expect stage == MQL }
test "a <b> & \\"c\\" # lead is MQL" { lead { kind: "b" } expect stage == MQL }
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lql-ci-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lql test --reporter', () => {
  it('junit: one testsuite per file, the failure with its expect and values, a broken ruleset as an error; exit code as without it', async () => {
    const ok = file('ok.lql', RULES);
    const broken = file('broken.lql', 'fit { +10 when }\n');
    const text = await run(['test', ok]);
    expect(text.code).toBe(1);
    const r = await run(['test', ok, broken, '--reporter', 'junit']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('broken.lql:1:');
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testsuite' || n === 'testcase' }).parse(r.out);
    expect(xml.testsuites).toMatchObject({ tests: '3', failures: '1', errors: '1' });
    const [a, b] = xml.testsuites.testsuite;
    expect(a).toMatchObject({ name: ok, tests: '2', failures: '1' });
    expect(a.testcase[0].name).toBe('an a lead is MQL');
    expect(a.testcase[0].failure).toBeUndefined();
    expect(a.testcase[1].name).toBe('a <b> & "c" # lead is MQL');
    expect(a.testcase[1].line).toBe('5');
    expect(a.testcase[1].failure.message).toBe('expect stage == MQL');
    expect(a.testcase[1].failure['#text']).toContain(`${ok}:5:`);
    expect(a.testcase[1].failure['#text']).toContain('lead');
    expect(b).toMatchObject({ name: broken, errors: '1' });
    expect(b.testcase[0].error.type).toBe('ruleset');
  });

  it('tap: a TAP 14 stream a TAP parser reads, with the failure details', async () => {
    const ok = file('ok2.lql', RULES);
    const r = await run(['test', ok, '--reporter', 'tap']);
    expect(r.code).toBe(1);
    const result = await new Promise<{ ok: boolean; count: number; pass: number; fail: number; failures: { name: string; diag: Record<string, unknown> }[] }>((done) => {
      const p = new TapParser((res) => done(res as never));
      p.end(r.out + '\n');
    });
    expect(result).toMatchObject({ ok: false, count: 2, pass: 1, fail: 1 });
    expect(result.failures[0]?.name).toBe(`${ok}: a <b> & "c" # lead is MQL`);
    expect(result.failures[0]?.diag).toMatchObject({ message: 'expect stage == MQL', at: `${ok}:5:${RULES.split('\n')[4]!.indexOf('expect') + 1}` });
  });

  it('json: passed and failed counts and each test; all passing exits 0', async () => {
    const good = file('good.lql', RULES.split('\n').slice(0, 4).join('\n') + '\n');
    const r = await run(['test', good, '--reporter', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ passed: 1, failed: 0, files: [{ file: good, tests: [{ name: 'an a lead is MQL', passed: true, stage: 'MQL', scores: { fit: 10 } }] }] });
    expect((await run(['test', good, '--reporter', 'xml'])).code).toBe(2);
  });
});

describe('lql simulate gates and markdown', () => {
  // Hand count: kind "a" leads 1 (won), 2 (won), 3 (lost) reach MQL: precision 2/3; lead 4 (b, won) does not.
  const LEADS = 'id,outcome,kind\n1,won,a\n2,won,a\n3,lost,a\n"4|<img src=x>",won,b\n';
  const NEW = 'fit { +10 when kind == "a" +10 when kind == "b" }\nstages { MQL when fit >= 10, lead otherwise }\n';
  const OLD = 'fit { +10 when kind == "a" }\nstages { MQL when fit >= 10, lead otherwise }\n';

  it('passes and fails gates on the hand-counted precision, naming the failed gate', async () => {
    const rules = file('g.lql', OLD);
    const leads = file('g.csv', LEADS);
    const pass = await run(['simulate', rules, '--leads', leads, '--require', 'MQL precision >= 66%', '--require', 'MQL reached == 3']);
    expect(pass.code).toBe(0);
    expect(pass.err).toContain('gate passed: MQL precision >= 66% (actual 66.7%)');
    const fail = await run(['simulate', rules, '--leads', leads, '--require', 'MQL precision >= 0.67', '--require', 'MQL reached >= 3']);
    expect(fail.code).toBe(1);
    expect(fail.err).toContain('gate FAILED: MQL precision >= 0.67 (actual 0.6667)');
    expect(fail.err).toContain('1 gate failed: "MQL precision >= 0.67"');
    expect(fail.out).toContain('MQL'); // the report is still printed
  });

  it('a malformed gate, an unknown stage or metric, or a change without baseline is a usage error (exit 2)', async () => {
    const rules = file('g2.lql', OLD);
    const leads = file('g2.csv', LEADS);
    const bad = await run(['simulate', rules, '--leads', leads, '--require', 'MQL precision at least 0.7']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('expected STAGE METRIC [change] OP NUMBER');
    const stage = await run(['simulate', rules, '--leads', leads, '--require', 'MQLL precision >= 0.7']);
    expect(stage.code).toBe(2);
    expect(stage.err).toContain("no stage 'MQLL' (did you mean 'MQL'?); its stages are MQL, lead");
    const metric = await run(['simulate', rules, '--leads', leads, '--require', 'MQL precison >= 0.7']);
    expect(metric.err).toContain("did you mean 'precision'");
    const change = await run(['simulate', rules, '--leads', leads, '--require', 'MQL reached change <= 1']);
    expect(change.code).toBe(2);
    expect(change.err).toContain('add --baseline');
  });

  it('markdown with a baseline: deltas, the entered lead with its outcome, the escaped id, the diff and a change gate', async () => {
    const cur = file('new.lql', NEW);
    const old = file('old.lql', OLD);
    const leads = file('m.csv', LEADS);
    const r = await run(['simulate', cur, '--leads', leads, '--baseline', old, '--format', 'markdown', '--require', 'MQL reached change <= 0']);
    expect(r.code).toBe(1);
    const md = r.out;
    expect(md).toContain('❌ 1 of 1 gates failed');
    // MQL: 4 reached (+1), precision 3/4 = 75.0% (-(2/3-3/4) = +8.3 pts)
    expect(md).toMatch(/\| MQL \| 4 \| \+1 \| 75\.0% \([^)]*\) \| \+8\.3 pts/);
    expect(md).toContain('the 1 added MQL close at 100.0%');
    expect(md).toContain('| 4\\|&lt;img src=x\\> | lead → MQL |');
    expect(md).not.toContain('<img');
    expect(md).toContain('-fit { +10 when kind == "a" }');
    expect(md).toContain('+fit { +10 when kind == "a" +10 when kind == "b" }');
    expect(md).toContain('- ❌ `MQL reached change <= 0`: +1');
  });
});

// The `lql` command line: exit codes (0 ok, 1 wrong input, 2 usage),
// diagnostics as file:line:col with the line and a caret, `N passed, N failed`,
// fmt --check, explain, compile (ESM + .d.ts imported by Node), simulate --json,
// score and suggest; run in process through `run()`, plus the real launcher once.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { run, COMMANDS_FOR_TESTS } from './run.js';

const acme = new URL('../../../shared/spec/examples/acme.lql', import.meta.url).pathname;
const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lql-cli-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('lql', () => {
  it('prints help and exits 2 without a command; 0 with --help', async () => {
    expect((await run([])).code).toBe(2);
    const h = await run(['--help']);
    expect(h.code).toBe(0);
    for (const c of COMMANDS_FOR_TESTS) expect(h.out).toContain(c);
    for (const c of COMMANDS_FOR_TESTS) {
      const r = await run([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: lql ${c}`));
    }
  });

  it('usage errors exit 2 and name the problem', async () => {
    const r = await run(['check', '--bogus', acme]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("Unknown option '--bogus'");
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['compile', acme, '--target', 'wasm'])).code).toBe(2);
    expect((await run(['explain', acme])).err).toContain('missing the lead: --leads FILE --id ID');
  });

  it('check: clean file exits 0; errors exit 1 with file:line:col, the line and a caret', async () => {
    expect((await run(['check', acme])).code).toBe(0);
    const bad = file('bad.lql', 'activity web_visit\nengagement { +2 per web_vist }\n');
    const r = await run(['check', bad]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${bad}:2:21: error LQL201: \`web_vist\` is not a declared activity. Did you mean \`web_visit\`?`);
    const lines = r.out.split('\n');
    const i = lines.findIndex((l) => l.includes('error LQL201'));
    expect(lines[i + 1]).toBe('   2 | engagement { +2 per web_vist }');
    expect(lines[i + 2]).toBe('     |                     ^^^^^^^^');
    expect(r.out).toContain('see docs/errors/LQL201.md');
  });

  it('check: a missing file is wrong input (exit 1), named with a code', async () => {
    const r = await run(['check', join(dir, 'nope.lql')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nope\.lql:1:1: error LQL601: Cannot read .*: no such file/);
  });

  it('test: the example passes; a failing test shows expected and actual and exits 1', async () => {
    const ok = await run(['test', acme]);
    expect(ok.code).toBe(0);
    expect(ok.out.trim().split('\n').pop()).toBe('4 passed, 0 failed');
    const f = file('t.lql', 'fit { +10 when x > 1 }\ntest "x" {\n  lead { x: 5 }\n  expect fit == 20\n}\n');
    const r = await run(['test', f]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL x');
    expect(r.out).toContain('expected fit == 20, got 10');
    expect(r.out.trim().split('\n').pop()).toBe('0 passed, 1 failed');
  });

  it('fmt: --check passes on the example, fails on a messy file, --write fixes it', async () => {
    expect((await run(['fmt', '--check', acme])).code).toBe(0);
    const messy = file('messy.lql', 'fit{+10 when x>1}\n');
    const c = await run(['fmt', '--check', messy]);
    expect(c.code).toBe(1);
    expect(c.out).toContain('would be reformatted');
    expect((await run(['fmt', '--write', messy])).code).toBe(0);
    expect(readFileSync(messy, 'utf8')).toBe('fit {\n  +10 when x > 1\n}\n');
    expect((await run(['fmt', '--check', messy])).code).toBe(0);
  });

  it('explain: every rule with fired / not fired, values read, stage history', async () => {
    const lead = file('lead.json', JSON.stringify({ industry: 'financial_services', employees: 8000, title: 'VP Finance', email: 'ana@bank.example' }));
    const events = file('events.json', JSON.stringify([{ type: 'demo_request', at: '2026-02-01' }]));
    const r = await run(['explain', acme, '--lead', lead, '--events', events, '--at', '2026-06-01']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Stage:  MQL');
    expect(r.out).toMatch(/✓ fired\s+\+30\s+line 24: \+30 when enterprise_finance/);
    expect(r.out).toMatch(/✗ not fired\s+line 25: \+20 when small_services/);
    expect(r.out).toContain('industry = "financial_services"');
    expect(r.out).toContain('2026-02-01: reached lead, MQL');
  });

  it('explain --leads --events --id: the lead from the data files, labelled by its id, with the answer `score` gives', async () => {
    const leads = join(root, 'examples', 'data', 'acme-leads.csv');
    const events = join(root, 'examples', 'data', 'acme-events.csv');
    const rules = join(root, 'examples', 'acme.lql');
    const sc = await run(['score', rules, '--leads', leads, '--events', events, '--jsonl']);
    expect(sc.code, sc.err).toBe(0);
    const rows = sc.out.trim().split('\n').map((l) => JSON.parse(l) as { id: string; stage: string; route: string; scores: Record<string, number> });
    // a few leads of each stage
    const picks = ['SQL', 'MQL', 'lead'].flatMap((st) => rows.filter((r) => r.stage === st).slice(0, 2));
    expect(picks.length).toBe(6);
    for (const row of picks) {
      const ex = await run(['explain', rules, '--leads', leads, '--events', events, '--id', row.id, '--json']);
      expect(ex.code, ex.err).toBe(0);
      const r = JSON.parse(ex.out) as { stage: string; route: string; scores: Record<string, number> };
      expect(r.stage, row.id).toBe(row.stage);
      expect(r.route, row.id).toBe(row.route);
      for (const [k, v] of Object.entries(row.scores)) expect(Math.abs(r.scores[k]! - v), `${row.id} ${k}`).toBeLessThan(1e-9);
    }
    const text = await run(['explain', rules, '--leads', leads, '--events', events, '--id', picks[0]!.id]);
    expect(text.out.split('\n')[0]).toMatch(new RegExp(`^Lead ${picks[0]!.id} as of \\d{4}-\\d\\d-\\d\\d`));
    const unknown = await run(['explain', rules, '--leads', leads, '--id', 'L00O0001']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('error LQL610: No lead has the id `L00O0001`');
    expect(unknown.err).toContain('`L0000001`');
    expect((await run(['explain', rules, '--leads', leads])).code).toBe(2);
  });

  it('explain --lead with no events: labelled by its id, evaluated at a stated time, never 1970', async () => {
    const lead = file('lead-noev.json', JSON.stringify({ id: 'A-17', industry: 'services', employees: 20 }));
    const r = await run(['explain', acme, '--lead', lead]);
    expect(r.code, r.err).toBe(0);
    const first = r.out.split('\n')[0]!;
    expect(first).toMatch(/^Lead A-17 as of \d{4}-/);
    expect(first).not.toContain('1970');
    expect(first).toContain('choose the time with --at');
    const dated = file('lead-dated.json', JSON.stringify({ id: 'A-18', created_at: '2026-03-01' }));
    expect((await run(['explain', acme, '--lead', dated])).out.split('\n')[0]).toBe('Lead A-18 as of 2026-03-01');
  });

  it('compile --target esm -o: module + .d.ts, imported by plain Node, same answers as the tests expect', async () => {
    const out = join(dir, 'acme.mjs');
    const r = await run(['compile', acme, '--target', 'esm', '-o', out]);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'acme.d.mts'))).toBe(true);
    const m = await import(pathToFileURL(out).href);
    const a = m.score({ industry: 'manufacturing', employees: 300, title: 'Head of Ops' }, [{ type: 'demo_request', at: '2026-01-01' }], '2026-01-31');
    expect(a.scores.engagement).toBe(20); // 40 * 0.5^(30/30)
    expect(a.scores.fit).toBe(25);
    expect(a.bands.temperature).toBe('cold');
    const j = await run(['compile', acme, '--target', 'json']);
    expect(JSON.parse(j.out).format).toBe('lql-ir');
    const c = await run(['compile', acme, '--target', 'cjs']);
    expect(c.out).toMatch(/module\.exports|exports\.score/);
  });

  it('simulate --json, score and suggest on a small file; bad data exits 1 with file:line:col', async () => {
    const leads = file('leads.csv', 'id,outcome,industry,employees,title,email\n1,won,financial_services,8000,VP,a@bank.example\n2,lost,services,20,,b@gmail.com\n3,,manufacturing,300,Head,c@m.example\n');
    const evs = file('ev.csv', 'lead_id,type,at\n1,quote_request,2026-01-10\n3,demo_request,2026-01-05\n9,web_visit,2026-01-01\n');
    const s = await run(['simulate', acme, '--leads', leads, '--events', evs, '--json']);
    expect(s.code, s.err).toBe(0);
    expect(s.err).toContain('warning LQL521: The ruleset reads `budget` but the leads file has no such column');
    const rep = JSON.parse(s.out);
    expect([rep.leads, rep.won, rep.lost, rep.open, rep.baseRate]).toEqual([3, 1, 1, 1, 0.5]);
    expect(rep.stages.map((x: { name: string }) => x.name)).toEqual(['SQL', 'MQL', 'lead']);
    // lead 1: fit 30+10 = 40, quote_request -> SQL at 2026-01-10; lead 3: fit 15+10 = 25 < 30 -> lead
    expect(rep.stages[0]).toMatchObject({ reached: 1, won: 1, lost: 0, precision: 1, recall: 1 });
    expect(rep.unknownLeadEvents).toBe(1);
    const sc = await run(['score', acme, '--leads', leads, '--events', evs]);
    expect(sc.code).toBe(0);
    const rows = sc.out.split('\n');
    expect(rows[0]).toBe('id,outcome,fit,engagement,bant,total,grade,temperature,stage,route,reached_SQL,reached_MQL,reached_lead');
    expect(rows[1]!.split(',').slice(0, 3)).toEqual(['1', 'won', '40']);
    expect(rows[3]!.split(',').slice(0, 3)).toEqual(['3', 'open', '25']);
    const sg = await run(['suggest', acme, '--leads', leads, '--events', evs]);
    expect(sg.code).toBe(0);
    const broken = file('broken.csv', 'id,outcome\n1,won\n1,lost\n');
    const b = await run(['simulate', acme, '--leads', broken]);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/broken\.csv:3:1: error LQL509/);
    const typo = file('typo.lql', 'segment big = employes > 10\nfit { +1 when big }\n');
    const t = await run(['simulate', typo, '--leads', leads]);
    expect(t.code).toBe(1);
    expect(t.err).toContain('error LQL210: The data has no column `employes`. The nearest columns are `employees`');
  });

  it('score: CSV rounds scores to two decimals for people, JSON Lines keeps them whole; the outcome is a column', async () => {
    const rules = file('decay.lql', 'activity v\nengagement { +10 per v  decay half-life 3 days }\n');
    const leads = file('d-leads.csv', 'id,outcome\nA,won\nB,\n');
    const evs = file('d-ev.csv', 'lead_id,type,at\nA,v,2026-01-09\nB,v,2026-01-10\n');
    // as of 2026-01-10: A's visit is one day old: 10 x 2^(-1/3) = 7.937005...; B's is worth exactly 10
    const csv = await run(['score', rules, '--leads', leads, '--events', evs, '--as-of', '2026-01-10']);
    expect(csv.code, csv.err).toBe(0);
    const rows = csv.out.trim().split('\n').map((r) => r.split(','));
    expect(rows[0]!.slice(0, 3)).toEqual(['id', 'outcome', 'engagement']);
    expect(rows[1]!.slice(0, 3)).toEqual(['A', 'won', '7.94']);
    expect(rows[2]!.slice(0, 3)).toEqual(['B', 'open', '10']);
    const jl = await run(['score', rules, '--leads', leads, '--events', evs, '--as-of', '2026-01-10', '--jsonl']);
    const a = JSON.parse(jl.out.trim().split('\n')[0]!);
    expect(a.outcome).toBe('won');
    expect(Math.abs(a.scores.engagement - 10 * 2 ** (-1 / 3))).toBeLessThan(1e-9);
    expect(String(a.scores.engagement).length).toBeGreaterThan(6);
  });

  it('the installed launcher runs (npx lql resolves to bin/lql.js)', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'lql.js'), 'test', acme], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').pop()).toBe('4 passed, 0 failed');
    expect(existsSync(join(root, 'node_modules', '.bin', 'lql'))).toBe(true);
  });
});

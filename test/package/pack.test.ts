// The packed package, as users get it: `npm pack` ships only what users need,
// and an empty project that installs the tarball uses the library API (with
// its types) and the `lql` bin. The tarball is unpacked into the project's
// node_modules the way npm lays a package out, and its dependencies are
// linked from this checkout's node_modules (the machine has no network for
// `npm install`; npm's cache holds no metadata of the dependencies).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let proj: string;
let files: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lql-pack-'));
  // --ignore-scripts: the tests run on the built tree; `prepare` would rebuild the playground too
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
  const info = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  files = info[0]!.files.map((f) => f.path);
  proj = join(dir, 'proj');
  mkdirSync(join(proj, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'proj', private: true, type: 'module' }));
  execFileSync('tar', ['xzf', join(dir, info[0]!.filename), '-C', join(proj, 'node_modules')]);
  renameSync(join(proj, 'node_modules', 'package'), join(proj, 'node_modules', 'lql'));
  symlinkSync(join(root, 'node_modules'), join(proj, 'node_modules', 'lql', 'node_modules'), 'dir');
  symlinkSync('../lql/bin/lql.js', join(proj, 'node_modules', '.bin', 'lql'));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RULES = `ruleset "pack"
activity demo
fit { +10 when kind == "a" }
engagement { +5 per demo }
stages { SQL when fit >= 10 and demo, MQL when fit >= 10, lead otherwise }
test "an a lead with a demo is SQL" { lead { kind: "a" } events { demo at 2026-01-02 } expect stage == SQL and engagement == 5 }
`;

describe('npm pack', () => {
  it('ships the command, the library with its types and the help pages; not the sources, tests or playground', () => {
    expect(files).toEqual(expect.arrayContaining(['bin/lql.js', 'dist/lql/main.js', 'dist/api/index.js', 'dist/api/index.d.ts', 'docs/errors/LQL210.md', 'package.json', 'README.md']));
    for (const f of files) expect(f).not.toMatch(/^(test|playground|bench|scripts|cli|language|simulator|api|examples)\/|^dist\/(bench|cli|playground)\/|\.test\.|^node_modules\//);
  });

  it('an empty project uses check, compile, simulate and score from `lql`', () => {
    writeFileSync(join(proj, 'rules.lql'), RULES);
    // Hand count: leads 1 (a, demo, won) SQL; 2 (a, won) MQL; 3 (a, lost) MQL; 4 (b, demo, lost) lead.
    writeFileSync(join(proj, 'leads.csv'), 'id,outcome,kind\n1,won,a\n2,won,a\n3,lost,a\n4,lost,b\n');
    writeFileSync(join(proj, 'events.csv'), 'lead_id,type,at\n1,demo,2026-01-02\n4,demo,2026-01-03\n');
    writeFileSync(
      join(proj, 'use.mjs'),
      `import { check, compile, simulate, score, LqlError } from 'lql';
import { readFileSync } from 'node:fs';
const src = readFileSync('rules.lql', 'utf8');
const out = {};
out.check = check(src).ok;
out.bad = check('fit { +1 when }').diagnostics.map((d) => d.code);
const scorer = compile(src);
out.one = scorer.score({ kind: 'a' }, [{ type: 'demo', at: '2026-01-02' }], '2026-01-02').stage;
out.noAsOf = scorer.score({ kind: 'a' }, [{ type: 'demo', at: '2026-01-02' }]).stage;
out.sql = (await compile(src, { target: 'sql', dialect: 'postgres' })).includes('SELECT');
const r = await simulate(src, { leads: 'leads.csv', events: 'events.csv' });
out.stages = r.stages.map((s) => [s.name, s.reached, s.won, s.lost]);
const rows = await score(src, { leads: [{ id: 'x', outcome: 'open', kind: 'a' }], events: [{ lead_id: 'x', type: 'demo', at: '2026-02-01' }] });
out.rows = rows.map((x) => [x.id, x.stage, x.scores.engagement]);
try { compile('segment s = '); } catch (e) { out.err = e instanceof LqlError && e.diagnostics.length > 0; }
console.log(JSON.stringify(out));
`,
    );
    const r = spawnSync(process.execPath, ['use.mjs'], { cwd: proj, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      check: true,
      bad: expect.arrayContaining(['LQL110']),
      one: 'SQL',
      noAsOf: 'SQL',
      sql: true,
      stages: [
        ['SQL', 1, 1, 0],
        ['MQL', 3, 2, 1],
        ['lead', 4, 2, 2],
      ],
      rows: [['x', 'SQL', 5]],
      err: true,
    });
  });

  it('the types of the package check a typed use (and catch a wrong one)', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const opts = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types')];
    writeFileSync(
      join(proj, 'typed.mts'),
      `import { check, compile, simulate, type Report, type ScoreRow } from 'lql';
const ok: boolean = check('fit { +1 when x }').ok;
const stage: string = compile('fit { +1 when x }').score({ x: true }, [], Date.now()).stage;
const sql: Promise<string> = compile('fit { +1 when x }', { target: 'sql' });
const r: Promise<Report> = simulate('fit { +1 when x }', { leads: 'leads.csv' });
export { ok, stage, sql, r };
export type Row = ScoreRow;
`,
    );
    const good = spawnSync(process.execPath, [tsc, ...opts, 'typed.mts'], { cwd: proj, encoding: 'utf8' });
    expect(good.stdout + good.stderr).toBe('');
    writeFileSync(join(proj, 'wrong.mts'), `import { simulate } from 'lql';\nexport const r = simulate('x', { leeds: 'a.csv' });\n`);
    const bad = spawnSync(process.execPath, [tsc, ...opts, 'wrong.mts'], { cwd: proj, encoding: 'utf8' });
    expect(bad.stdout).toContain("'leeds' does not exist");
  });

  it('the installed `lql` bin checks and tests a ruleset', () => {
    const bin = join(proj, 'node_modules', '.bin', 'lql');
    expect(existsSync(bin)).toBe(true);
    const t = spawnSync(bin, ['test', 'rules.lql'], { cwd: proj, encoding: 'utf8' });
    expect(t.status).toBe(0);
    expect(t.stdout.trim().split('\n').pop()).toBe('1 passed, 0 failed');
    const c = spawnSync(bin, ['check', 'rules.lql'], { cwd: proj, encoding: 'utf8' });
    expect(c.status).toBe(0);
    const v = spawnSync(bin, ['--version'], { cwd: proj, encoding: 'utf8' });
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });
});

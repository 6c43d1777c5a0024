// What the command line writes and prints when things go wrong: outputs are
// written whole or not at all (a failing write is injected), an output
// naming an input is refused (exit 2), a closed pipe ends a command quietly,
// every error reads file:line:col: error CODE, control characters are shown
// escaped, scored-leads CSV cannot smuggle spreadsheet formulas, explain's
// inputs are checked with positions.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, mkdirSync, symlinkSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { run } from './run.js';
import { fsOps } from '../../cli/files.js';
import { csvCell } from '../../simulator/score-export.js';

const acme = new URL('../../../shared/spec/examples/acme.lql', import.meta.url).pathname;
const root = new URL('../../', import.meta.url).pathname;
const leadsCsv = join(root, 'examples/data/acme-leads.csv');
const eventsCsv = join(root, 'examples/data/acme-events.csv');
const dir = mkdtempSync(join(tmpdir(), 'lql-io-'));
let n = 0;
/** A fresh folder with one file in it. */
const file = (name: string, text: string) => {
  const d = join(dir, String(n++));
  mkdirSync(d);
  const p = join(d, name);
  writeFileSync(p, text);
  return p;
};

const realWrite = fsOps.writeSync;
const realRename = fsOps.renameSync;
afterEach(() => {
  fsOps.writeSync = realWrite;
  fsOps.renameSync = realRename;
});

/** Make the `k`-th write call (1-based) and every later one fail as a full disk does. */
function diskFullAfter(k: number): void {
  let calls = 0;
  fsOps.writeSync = ((...a: Parameters<typeof realWrite>) => {
    if (++calls >= k) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return realWrite(...a);
  }) as typeof realWrite;
}

describe('outputs are written whole or not at all', () => {
  it('fmt --write on a full disk leaves the file as it was, and no temporary file', async () => {
    const messy = file('messy.lql', 'fit{+10 when x>1}\n');
    diskFullAfter(1);
    const r = await run(['fmt', '--write', messy]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${messy}:1:1: error LQL602: Cannot write ${messy}: the disk is full. Nothing was written; the file is as it was before.`);
    expect(readFileSync(messy, 'utf8')).toBe('fit{+10 when x>1}\n');
    expect(readdirSync(join(messy, '..'))).toEqual(['messy.lql']);
  });

  it('compile -o: when the .d.ts cannot be written, neither the module nor the .d.ts is replaced', async () => {
    const out = file('acme.mjs', 'old module\n');
    const dts = join(out, '..', 'acme.d.mts');
    writeFileSync(dts, 'old types\n');
    diskFullAfter(2); // the module's bytes go through; the .d.ts's do not
    const r = await run(['compile', acme, '--target', 'esm', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error LQL602: Cannot write');
    expect(readFileSync(out, 'utf8')).toBe('old module\n');
    expect(readFileSync(dts, 'utf8')).toBe('old types\n');
    expect(readdirSync(join(out, '..')).sort()).toEqual(['acme.d.mts', 'acme.mjs']);
  });

  it('score -o: a failure while streaming rows leaves the previous export untouched', async () => {
    const out = file('scored.csv', 'previous export\n');
    diskFullAfter(1);
    const r = await run(['score', acme, '--leads', leadsCsv, '--events', eventsCsv, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/scored\.csv:1:1: error LQL602: Cannot write .*scored\.csv: the disk is full\./);
    expect(readFileSync(out, 'utf8')).toBe('previous export\n');
    expect(readdirSync(join(out, '..'))).toEqual(['scored.csv']);
  });

  it('a failing rename (e.g. a folder in the way) reports LQL602 and removes the temporary file', async () => {
    const out = file('x.sql', 'old\n');
    fsOps.renameSync = (() => {
      throw Object.assign(new Error('EXDEV'), { code: 'EXDEV' });
    }) as typeof realRename;
    const r = await run(['compile', acme, '--target', 'sql', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error LQL602');
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(readdirSync(join(out, '..'))).toEqual(['x.sql']);
  });

  it('an output that is a folder is refused before anything is written', async () => {
    const d = join(dir, 'a-folder.csv');
    mkdirSync(d);
    const r = await run(['score', acme, '--leads', leadsCsv, '-o', d]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${d}:1:1: error LQL602: Cannot write ${d}: it is a folder.`);
  });

  it('a successful write replaces the file and keeps its permissions', async () => {
    const out = file('scored.jsonl', 'old\n');
    const r = await run(['score', acme, '--leads', leadsCsv, '--events', eventsCsv, '-o', out]);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(readFileSync(leadsCsv, 'utf8').trimEnd().split('\n').length - 1);
    expect(JSON.parse(lines[0]!).id).toBe('L0000001');
  });
});

describe('-o naming an input is refused (exit 2) before anything runs', () => {
  it('compile a.lql -o a.lql, also through another spelling of the path or a symlink', async () => {
    const rules = file('a.lql', readFileSync(acme, 'utf8'));
    const before = readFileSync(rules, 'utf8');
    const link = join(rules, '..', 'link.lql');
    symlinkSync(rules, link);
    for (const o of [rules, join(rules, '..', '.', 'a.lql'), relative(process.cwd(), rules), link]) {
      const r = await run(['compile', rules, '--target', 'json', '-o', o]);
      expect(r.code, o).toBe(2);
      expect(r.err).toContain(`error LQL603: ${o} is the ruleset of this command; writing the output there would replace it.`);
    }
    // the .d.ts written beside a module is an output too
    const dtsClash = file('m.d.ts', 'fit { +1 when x > 1 }\n');
    const r = await run(['compile', dtsClash, '--target', 'esm', '-o', join(dtsClash, '..', 'm.js')]);
    expect(r.code).toBe(2);
    expect(readFileSync(rules, 'utf8')).toBe(before);
  });

  it('score ... --leads leads.csv -o leads.csv (and the events file, and the ruleset)', async () => {
    const leads = file('leads.csv', readFileSync(leadsCsv, 'utf8'));
    const events = join(leads, '..', 'events.csv');
    writeFileSync(events, readFileSync(eventsCsv, 'utf8'));
    const before = readFileSync(leads, 'utf8');
    for (const [o, role] of [[leads, 'the leads file'], [events, 'the events file'], [acme, 'the ruleset']] as const) {
      const r = await run(['score', acme, '--leads', leads, '--events', events, '-o', o]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`${o}:1:1: error LQL603: ${o} is ${role} of this command`);
    }
    expect(readFileSync(leads, 'utf8')).toBe(before);
  });
});

describe('a closed pipe ends every command quietly', () => {
  const lql = join(root, 'bin/lql.js');
  const messy = file('big.lql', 'fit{+10 when x>1}\n'.repeat(3000));
  const warn = file('warn.lql', 'activity a\n' + Array.from({ length: 3000 }, (_, i) => `activity unused_${i}`).join('\n') + '\nengagement { +1 per a }\n');
  const lead = file('lead.json', '{"industry": "services"}');
  const commands: [string, string[]][] = [
    ['compile', ['compile', acme]],
    ['compile sql', ['compile', acme, '--target', 'sql']],
    ['score', ['score', acme, '--leads', leadsCsv, '--events', eventsCsv]],
    ['simulate', ['simulate', acme, '--leads', leadsCsv, '--events', eventsCsv]],
    ['suggest', ['suggest', acme, '--leads', leadsCsv, '--events', eventsCsv]],
    ['check', ['check', warn]],
    ['fmt', ['fmt', messy]],
    ['test', ['test', acme]],
    ['explain', ['explain', acme, '--lead', lead]],
    ['help', ['--help']],
  ];
  for (const [name, argv] of commands) {
    it(name, () => {
      // `true` exits without reading: every write of lql meets a closed pipe
      const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
      const r = spawnSync('bash', ['-c', `node ${q(lql)} ${argv.map(q).join(' ')} 2>${q(join(dir, 'pipe-err.txt'))} | true; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
      const err = readFileSync(join(dir, 'pipe-err.txt'), 'utf8');
      expect(err).not.toMatch(/EPIPE|at .*\(node:|Unhandled/);
      expect(r.stdout.trim()).toBe('0');
    });
  }
});

describe('every error reads file:line:col: error CODE: message', () => {
  it('a folder given as a ruleset', async () => {
    const r = await run(['check', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${dir}:1:1: error LQL601: Cannot read ${dir}: it is a folder.`);
  });

  it('a refusal of the PostgreSQL export points at the ruleset line', async () => {
    const rules = file('nul.lql', 'attribute c: text\nfit { +1 when c == "a\\u{0}b" }\n');
    const r = await run(['compile', rules, '--target', 'sql', '--dialect', 'postgres']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${rules.replace(/[.]/g, '\\.')}:2:\\d+: error LQL704: `, 'm'));
    expect(r.err).toContain('   2 | fit { +1 when c == "a\\u{0}b" }');
    expect(r.err).not.toContain('lql compile:');
  });

  it('control characters from the ruleset are shown escaped, and the caret stays under the range', async () => {
    const rules = file('esc.lql', 'attribute x: number\nfit { +1 when `a\u001b[31mb` > "s" }\n');
    const r = await run(['check', rules]);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('\u001b');
    const lines = r.out.split('\n');
    const i = lines.findIndex((l) => l.includes('error LQL308'));
    expect(lines[i]).toContain('`a\\u{1b}[31mb` is text');
    expect(lines[i + 1]).toBe('   2 | fit { +1 when `a\\u{1b}[31mb` > "s" }');
    // the range is the 15 source characters from column 15; the escape shows 5 more
    expect(lines[i + 2]).toBe('     | ' + ' '.repeat(14) + '^'.repeat(20));
  });

  it('many diagnostics each show their own line (one scan of the file)', async () => {
    const names = Array.from({ length: 2000 }, (_, i) => `u${i}`);
    const rules = file('many.lql', names.map((x) => `activity ${x}`).join('\n') + '\n');
    const r = await run(['check', rules]);
    const lines = r.out.split('\n');
    for (const k of [0, 999, 1999]) {
      const i = lines.findIndex((l) => l.startsWith(`${rules}:${k + 1}:`));
      expect(lines[i]).toContain('LQL404');
      expect(lines[i + 1]).toBe(`${String(k + 1).padStart(4)} | activity u${k}`);
    }
  });
});

describe('explain checks its inputs', () => {
  it('an event with a bad time is an error at that time (not ignored)', async () => {
    const lead = file('lead.json', '{"industry": "services"}');
    const ev = join(lead, '..', 'events.json');
    writeFileSync(ev, '[\n  {"type": "demo_request", "at": "2026-02-01"},\n  {"type": "demo_request", "at": "yesterday"}\n]\n');
    const r = await run(['explain', acme, '--lead', lead, '--events', ev]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${ev}:3:34: error LQL518: \`yesterday\` in column \`at\` is not a time;`);
    const jl = join(lead, '..', 'events.jsonl');
    writeFileSync(jl, '{"type": "web_visit", "at": 1768037400000}\n{"type": "web_visit", "at": "2026-13-01"}\n');
    const r2 = await run(['explain', acme, '--lead', lead, '--events', jl]);
    expect(r2.err).toContain(`${jl}:2:29: error LQL518: \`2026-13-01\``);
    const csv = join(lead, '..', 'events.csv');
    writeFileSync(csv, 'lead_id,type,at\nL1,web_visit,2026-01-02\nL1,web_visit,soon\n');
    const r3 = await run(['explain', acme, '--lead', lead, '--events', csv]);
    expect(r3.err).toContain(`${csv}:3:14: error LQL518: \`soon\``);
  });

  it('explain shows control characters of rule texts and route names escaped', async () => {
    const rules = file('r.lql', 'attribute x: number\nfit { +1 when x > 1 }\nroute {\n  "Dr\u{7}op" otherwise\n}\n');
    const lead = join(rules, '..', 'lead.json');
    writeFileSync(lead, '{"x": 2}');
    const r = await run(['explain', rules, '--lead', lead]);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('\u0007');
    expect(r.out).toContain('Route:  Dr\\u{7}op');
  });

  it('JSON errors, a non-object lead, a key written twice, an event without type', async () => {
    const bad = file('lead.json', '{\n  "industry": "services",\n}\n');
    let r = await run(['explain', acme, '--lead', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:3:1: error LQL606: This is not valid JSON: unexpected "}".`);
    const arr = file('lead.json', '[{"industry": "services"}]');
    r = await run(['explain', acme, '--lead', arr]);
    expect(r.err).toContain(`${arr}:1:1: error LQL607: Expected one JSON object of lead attributes, like {"industry": "services"}; found an array.`);
    const dup = file('lead.json', '{"employees": 40,\n "employees": 4000}');
    r = await run(['explain', acme, '--lead', dup]);
    expect(r.err).toContain(`${dup}:2:2: error LQL523: Key \`employees\` appears twice in this object (columns 2 and 2)`);
    const lead = file('lead.json', '{}');
    const ev = join(lead, '..', 'ev.json');
    writeFileSync(ev, '[{"at": "2026-01-01"}]');
    r = await run(['explain', acme, '--lead', lead, '--events', ev]);
    expect(r.err).toContain(`${ev}:1:2: error LQL608: Expected an event like {"type": "web_visit", "at": "2026-01-02"}; this one has no \`type\`.`);
  });
});

describe('CSV exports cannot carry spreadsheet formulas', () => {
  it('csvCell: = + - @ tab CR at the start get a leading quote; numbers and plain text stay as they are', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1 555')).toBe(`"'+1 555"`);
    expect(csvCell('-2+3')).toBe(`"'-2+3"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\t=1')).toBe(`"'\t=1"`);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('-12')).toBe('-12');
    expect(csvCell('+3.5e2')).toBe('+3.5e2');
    expect(csvCell('Sales, EMEA')).toBe('"Sales, EMEA"');
    expect(csvCell('L0001')).toBe('L0001');
  });

  it('score: a route, band label and id that look like formulas are neutralised; scores stay numbers', async () => {
    const rules = file(
      'f.lql',
      'attribute x: number\nfit { -5 when x > 1 }\nband b from fit { `=1+1` >= 0, `@x` otherwise }\nroute {\n  "=HYPERLINK(\\"http://evil\\")" when x > 1\n  "ok" otherwise\n}\n',
    );
    const leads = join(rules, '..', 'leads.csv');
    writeFileSync(leads, 'id,outcome,x\n=cmd|calc,won,5\n-7,lost,0\n');
    const r = await run(['score', rules, '--leads', leads]);
    expect(r.code).toBe(0);
    const rows = r.out.trim().split('\n');
    expect(rows[0]).toBe('id,outcome,fit,b,stage,route');
    expect(rows[1]).toBe(`"'=cmd|calc",won,-5,"'@x",,"'=HYPERLINK(""http://evil"")"`);
    expect(rows[2]).toBe('-7,lost,0,"\'=1+1",,ok');
  });
});

describe('a data file given as the ruleset', () => {
  it('is recognised and named, once', async () => {
    const r = await run(['check', leadsCsv]);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain(`${leadsCsv}:1:1: error LQL605: This looks like a CSV data file, not a ruleset (the file name ends in .csv).`);
    expect((r.out + r.err).match(/error LQL/g)!.length).toBe(1);
    const renamed = file('leads.txt', readFileSync(leadsCsv, 'utf8').split('\n').slice(0, 50).join('\n'));
    const r2 = await run(['simulate', renamed, '--leads', leadsCsv]);
    expect(r2.code).toBe(1);
    expect(r2.err).toContain(`${renamed}:1:1: error LQL605: This looks like a CSV data file, not a ruleset`);
    const jl = file('leads.data', '{"id": "L1", "outcome": "won"}\n{"id": "L2", "outcome": "lost"}\n');
    const r3 = await run(['check', jl]);
    expect(r3.out + r3.err).toContain(`${jl}:1:1: error LQL605: This looks like a JSON Lines data file, not a ruleset`);
  });

  it('an oversized ruleset is refused with its size', async () => {
    const big = file('big.lql', '# ' + 'x'.repeat(9 * 1024 * 1024) + '\n');
    const r = await run(['check', big]);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain(`${big}:1:1: error LQL604: This file is 9.0 MiB; a ruleset may be at most 8.0 MiB.`);
    expect(existsSync(big)).toBe(true);
  });
});

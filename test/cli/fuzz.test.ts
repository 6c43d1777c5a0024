// Fuzzing every command of the command line (fast-check): generated and
// mangled rulesets, CSV and JSON Lines leads and events (bad quotes, keys
// written twice, control characters, formula-like text, bad times), and
// command-line arguments (unknown options, bad values, -o naming an input).
//
// Every run must end with exit 0, 1 or 2 and no exception; every error line
// must read `file:line:col: error CODE: message` (or be a usage message with
// exit 2); nothing printed may carry a raw control character from the input;
// inputs are never modified (except by `fmt --write` on the ruleset).
//
// `npm test` runs a small slice (LQL_FUZZ_RUNS, default 150 inputs);
// `npm run fuzz` is the long run (100,000 inputs; see README "Fuzzing").
// Failures are collected, not stopped at, and listed by kind at the end,
// each with the arguments and files that gave it.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { run } from './run.js';
import { arbRuleset, arbLead, arbEvents, SCHEMA, T0 } from '../support/gen-ruleset.js';

const RUNS = Number(process.env.LQL_FUZZ_RUNS ?? 150);
const LOG = process.env.LQL_FUZZ_LOG;
const log = (s: string) => (LOG ? appendFileSync(LOG, s) : process.stderr.write(s));
// the slice in `npm test` is the same 150 inputs on every run (a failure reproduces); the long run
// (`npm run fuzz`) draws new inputs each time unless LQL_FUZZ_SEED is set
const SEED = process.env.LQL_FUZZ_SEED !== undefined ? Number(process.env.LQL_FUZZ_SEED) : process.env.LQL_FUZZ_RUNS === undefined ? 20261203 : undefined;
const acme = readFileSync(new URL('../../../shared/spec/examples/acme.lql', import.meta.url), 'utf8');

// --- inputs --------------------------------------------------------------------

const junkChar = fc.constantFrom('\u0000', '\u001b[31m', '\u0007', '\r', '\t', '\u2028', '\u202e', '"', '`', '{', '}', '\\', ',', ';', '=', '@', '+', '-', '\n', '#', 'é', '😀', '\uFEFF', '1e400', '//', '/');
const token = fc.constantFrom(
  'fit', 'engagement', 'score', 'band', 'stages', 'route', 'segment', 'list', 'attribute', 'activity', 'test', 'ruleset', 'when', 'per', 'once',
  'max', 'and', 'or', 'not', 'in', 'otherwise', 'decay', 'half-life', 'days', 'since', 'last', 'matches', '{', '}', '(', ')', '[', ']', ',', '+5', '-3',
  '==', '>=', '<', '"x"', '`a b`', 'n1', 't1', 'a1', '/x+/i', '2026-01-01', '30 days', '\n', '  ', '#c\n', 'expect', 'lead', 'from', '=',
);

/** A ruleset text: a valid one, the example, a mangled one, or token soup. */
const arbSource: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: arbRuleset },
  { weight: 1, arbitrary: fc.constant(acme) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.oneof(arbRuleset, fc.constant(acme)), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.oneof(junkChar, token, fc.string({ maxLength: 6 }))), { maxLength: 4 }))
      .map(([src, edits]) => edits.reduce((s, [at, del, ins]) => s.slice(0, at % (s.length + 1)) + ins + s.slice((at % (s.length + 1)) + del), src)),
  },
  { weight: 2, arbitrary: fc.array(fc.oneof(token, junkChar, fc.constant(' ')), { maxLength: 60 }).map((xs) => xs.join(' ')) },
);

const cellText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SCHEMA.textValues, '12', '-4', '3.5', '', 'true', 'no') },
  { weight: 2, arbitrary: fc.constantFrom('=1+1', '@SUM(A1)', '+44 20', '-x', '12,000', '1e400', '2026-02-30', 'a"b', 'a\nb', 'a,b', '\u001b[2J', '\u0000') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

interface DataFiles {
  leads: string;
  events: string;
  lead: string;
  leadEvents: string;
}

/** Leads and events as CSV or JSON Lines, then mangled a little. */
const arbData: fc.Arbitrary<DataFiles> = fc
  .record({
    leads: fc.array(fc.tuple(arbLead, fc.constantFrom('won', 'lost', 'open', '', 'maybe'), fc.option(cellText)), { minLength: 1, maxLength: 8 }),
    events: fc.array(fc.tuple(fc.nat({ max: 9 }), arbEvents), { maxLength: 4 }),
    jsonl: fc.boolean(),
    eventsJsonl: fc.boolean(),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    dupKey: fc.boolean(),
    badTime: fc.option(fc.constantFrom('yesterday', '2026-13-01', '1e400', '', '2026-01-01T25:00:00Z')),
    edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 5 }), fc.oneof(junkChar, cellText)), { maxLength: 2 }),
    leadObj: fc.oneof(arbLead.map((l) => JSON.stringify(l)), fc.constantFrom('[]', '{', '{"a":1,"a":2}', 'null', '{"n1": "x"}')),
  })
  .map((r) => {
    const nl = r.crlf ? '\r\n' : '\n';
    const cols = ['id', 'outcome', 'n1', 'n2', 't1', 't2', 'b1', 'd1', 'note'];
    const ids = r.leads.map((_, i) => `L${i}`);
    const csvCell = (v: unknown) => {
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    let leads: string;
    if (r.jsonl) {
      leads = r.leads
        .map(([l, o, note], i) => {
          const body = JSON.stringify({ id: ids[i], outcome: o, ...l, note: note ?? undefined });
          return r.dupKey && i === 0 ? body.replace(/^\{/, '{"n1": 1, ') : body;
        })
        .join(nl);
    } else {
      leads = [cols.join(r.dupKey ? ',n1,' : ','), ...r.leads.map(([l, o, note], i) => [ids[i], o, l.n1, l.n2, l.t1, l.t2, l.b1, l.d1, note].map(csvCell).join(','))].join(nl);
      if (r.dupKey) leads = leads.replace(/^id,n1,outcome/, 'id,outcome,n1');
    }
    const evs = r.events.flatMap(([k, es]) => es.map((e) => ({ lead_id: k < ids.length ? ids[k] : `X${k}`, type: e.type, at: new Date(e.at).toISOString() as string })));
    if (r.badTime !== null && evs.length) evs[0]!.at = r.badTime;
    const events = r.eventsJsonl ? evs.map((e) => JSON.stringify(e)).join(nl) : ['lead_id,type,at', ...evs.map((e) => [e.lead_id, e.type, e.at].map(csvCell).join(','))].join(nl);
    const mangle = (s: string) => r.edits.reduce((t, [at, del, ins]) => t.slice(0, at % (t.length + 1)) + ins + t.slice((at % (t.length + 1)) + del), s);
    return {
      leads: (r.bom ? '\uFEFF' : '') + mangle(leads) + nl,
      events: events + nl,
      lead: r.leadObj,
      leadEvents: JSON.stringify(evs.slice(0, 5).map(({ type, at }) => ({ type, at }))),
    };
  });

type Slot = 'ruleset' | 'leads' | 'events' | 'lead' | 'leadEvents' | 'out' | 'missing' | 'folder';
const val = (s: Slot) => `@${s}`;

/** Arguments for one command; `@slot` stands for a file path filled in later. */
const arbArgs: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(fc.constantFrom('check', 'test', 'fmt'), fc.subarray(['--json', '--no-warnings', '--check', '--write', '--bogus']), fc.constantFrom(val('ruleset'), val('missing'), val('folder'), val('leads'))).map(([c, o, f]) => [c, f, ...o.filter((x) => c === 'check' ? x !== '--check' && x !== '--write' : c === 'fmt' ? x === '--check' || x === '--write' || x === '--bogus' : x === '--bogus')]),
  fc.tuple(fc.constantFrom('esm', 'cjs', 'sql', 'json', 'wasm'), fc.constantFrom('duckdb', 'postgres', 'oracle'), fc.option(fc.constantFrom(val('out') + '.mjs', val('out') + '.sql', val('ruleset'), val('folder'))))
    .map(([t, d, o]) => ['compile', val('ruleset'), '--target', t, '--dialect', d, ...(o ? ['-o', o] : [])]),
  fc.tuple(fc.boolean(), fc.option(fc.constantFrom('2026-03-01', '2026-01-10T09:30:00Z', 'soon')), fc.boolean())
    .map(([ev, at, json]) => ['explain', val('ruleset'), '--lead', val('lead'), ...(ev ? ['--events', val('leadEvents')] : []), ...(at ? ['--at', at] : []), ...(json ? ['--json'] : [])]),
  fc.tuple(
    fc.constantFrom('simulate', 'score', 'suggest'),
    fc.boolean(),
    fc.subarray(['--lenient', '--json', '--jsonl', '--no-cache']),
    fc.option(fc.constantFrom('@row', 'id', 'nope')),
    fc.option(fc.constantFrom(val('out') + '.csv', val('out') + '.jsonl', val('leads'), val('events'), val('ruleset'))),
    fc.option(fc.constantFrom('60%', '0.5', '2', '40/week', 'x')),
  ).map(([c, ev, flags, id, out, p]) => [
    c,
    val('ruleset'),
    '--leads',
    val('leads'),
    ...(ev ? ['--events', val('events')] : []),
    ...flags.filter((f) => (c === 'score' ? f !== '--json' : f !== '--jsonl')),
    ...(id ? ['--id', id] : []),
    ...(c === 'score' && out ? ['-o', out] : []),
    ...(c === 'suggest' && p ? [p.includes('week') ? '--capacity' : '--precision', p] : []),
    ...(c === 'simulate' && out === val('ruleset') ? ['--baseline', val('ruleset')] : []),
  ]),
);

// --- the property ----------------------------------------------------------------

const ERROR_LINE = /^.+:\d+:\d+: error LQL\d{3}: /;
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;

interface Failure {
  kind: string;
  argv: string[];
  detail: string;
}

async function one(root: string, source: string, data: DataFiles, argv: string[], failures: Failure[]): Promise<void> {
  const dir = mkdtempSync(join(root, 'c-'));
  const paths: Record<Slot, string> = {
    ruleset: join(dir, 'rules.lql'),
    leads: join(dir, argv.includes('--leads') && data.leads.trimStart().startsWith('{') ? 'leads.jsonl' : 'leads.csv'),
    events: join(dir, data.events.startsWith('{') ? 'events.jsonl' : 'events.csv'),
    lead: join(dir, 'lead.json'),
    leadEvents: join(dir, 'lead-events.json'),
    out: join(dir, 'out'),
    missing: join(dir, 'missing.lql'),
    folder: join(dir, 'sub'),
  };
  mkdirSync(paths.folder);
  const texts: Partial<Record<Slot, string>> = { ruleset: source, leads: data.leads, events: data.events, lead: data.lead, leadEvents: data.leadEvents };
  for (const [k, t] of Object.entries(texts)) {
    writeFileSync(paths[k as Slot], t!);
    // what is on disk (a lone surrogate is written as U+FFFD) is what must stay unchanged
    texts[k as Slot] = readFileSync(paths[k as Slot], 'utf8');
  }
  const args = argv.map((a) => a.replace(/^@(\w+)/, (_, s: Slot) => paths[s]));
  const fail = (kind: string, detail: string) => {
    const f = { kind, argv, detail: `${detail}\n--- ruleset:\n${source.slice(0, 400)}\n--- leads:\n${data.leads.slice(0, 300)}` };
    if (RUNS >= 10_000 && !failures.some((x) => x.kind === kind)) log(`fuzz: new failure: ${kind}: lql ${argv.join(' ')}\n${f.detail}\n`);
    failures.push(f);
  };
  let r: { code: number; out: string; err: string };
  try {
    const t0 = performance.now();
    r = await run(args);
    if (process.env.LQL_FUZZ_PROFILE) process.stderr.write(`${argv[0]} ${Math.round(performance.now() - t0)}\n`);
  } catch (e) {
    fail('exception escaped', (e as Error)?.stack ?? String(e));
    return;
  } finally {
    // restored below
  }
  if (![0, 1, 2].includes(r.code)) fail(`exit code ${r.code}`, r.err);
  if (/^\s+at .+\(.+:\d+:\d+\)$/m.test(r.err) || /^\s+at .+\(.+:\d+:\d+\)$/m.test(r.out)) fail('stack trace printed', r.err);
  for (const line of r.err.split('\n')) {
    if (/\berror\b/.test(line) && / error [A-Z]/.test(line) && !ERROR_LINE.test(line)) fail('error line not file:line:col: error CODE', line);
  }
  if (r.code === 1 && r.err.startsWith(`lql ${argv[0]}: `)) fail('internal error message', r.err.split('\n')[0]!);
  const printed = r.err + (argv[0] === 'fmt' || argv.includes('--json') || argv.includes('--jsonl') || argv[0] === 'score' || argv[0] === 'compile' ? '' : r.out);
  if (RAW_CONTROL.test(printed.replace(/\u001b\[[0-9;]*m/g, ''))) fail('raw control character printed', JSON.stringify(printed.slice(0, 300)));
  for (const [k, t] of Object.entries(texts)) {
    if (k === 'ruleset' && argv[0] === 'fmt' && argv.includes('--write')) continue;
    // a file the command was not given may be its output (-o)
    if (!args.some((a, i) => a === paths[k as Slot] && args[i - 1] !== '-o')) continue;
    if (readFileSync(paths[k as Slot], 'utf8') !== t) fail(`input ${k} modified`, args.join(' '));
  }
  const o = args[args.indexOf('-o') + 1];
  const inputs = args.filter((a, i) => i > 0 && args[i - 1] !== '-o' && [paths.ruleset, paths.leads, paths.events].includes(a));
  if (args.includes('-o') && inputs.includes(o!) && r.code !== 2) fail('-o over an input not refused', args.join(' '));
  rmSync(dir, { recursive: true, force: true });
}

describe(`fuzz: every command on ${RUNS} generated inputs`, () => {
  it('no crash, no stack trace, every error located and coded, inputs intact', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lql-fuzz-'));
    const failures: Failure[] = [];
    let count = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(arbSource, arbData, arbArgs, async (source, data, argv) => {
        await one(root, source, data, argv, failures);
        count++;
        if (RUNS >= 10_000 && count % 2000 === 0) log(`fuzz: ${count} inputs, ${failures.length} failures, ${Math.round((Date.now() - started) / 1000)} s\n`);
        return true;
      }),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
    rmSync(root, { recursive: true, force: true });
    const kinds = new Map<string, Failure[]>();
    for (const f of failures) kinds.set(f.kind, [...(kinds.get(f.kind) ?? []), f]);
    const summary = [...kinds].map(([k, fs]) => `${k}: ${fs.length} (first: lql ${fs[0]!.argv.join(' ')})\n${fs[0]!.detail}`).join('\n\n');
    if (RUNS >= 10_000) log(`${summary}\n`);
    if (RUNS >= 10_000) log(`fuzz: ${count} inputs in ${Math.round((Date.now() - started) / 1000)} s, ${failures.length} failures\n`);
    expect(count).toBe(RUNS);
    expect(failures.length, summary).toBe(0);
  }, Math.max(120_000, RUNS * 200));
});

void T0;

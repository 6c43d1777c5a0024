/**
 * The `lql` commands: each one parses its options (declared here, which
 * also drives `--help`), calls the language or simulator modules, and
 * prints. Input: parsed options. Output: an exit code.
 * Invariants: results go to stdout, messages to stderr; a ruleset with
 * errors is never run; data problems are reported with file:line:col.
 */
import { readText, readRuleset, writeFileAtomic, openOutput, refuseOutputOverInput } from './files.js';
import { basename, extname } from 'node:path';
import { compileSource, COMPILER_VERSION, type CompileResult } from '../language/index.js';
import { formatDiagnostics, escapeControls } from './print.js';
import { UsageError, ExitError, guard, timeOption } from './errors.js';
import { parseTimeText } from '../language/shared/values.js';
import { simulateCommand, scoreCommand, suggestCommand, DATA_OPTIONS } from './sim-commands.js';
import type { TestOutcome } from '../language/interpret/run-tests.js';
// The interpreter, code generators, formatter and data readers are loaded by
// the commands that use them (dynamic imports), so `lql check` starts quickly.

export { readText };

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  arg?: string;
  help: string;
}

export interface Args {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  description?: string;
  options: Record<string, OptionSpec>;
  run: (args: Args, io: Io) => Promise<number>;
}

export function str(v: Args['values'][string]): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Read and compile a ruleset; print its diagnostics; stop (exit 1) on errors. */
export function loadRuleset(file: string, io: Io, opts: { warnings?: boolean } = {}): CompileResult & { text: string } {
  const text = readRuleset(file);
  const r = compileSource(text);
  const shown = opts.warnings === false ? r.diagnostics.filter((d) => d.severity === 'error') : r.diagnostics;
  if (shown.length) io.err(formatDiagnostics(shown, file, text, { color: !!process.stderr.isTTY }));
  if (!r.ir) throw new ExitError(1);
  return { ...r, text };
}

function needFiles(args: Args, what = 'FILE'): [string, ...string[]] {
  const [first, ...rest] = args.positionals;
  if (first === undefined) throw new UsageError(`missing ${what}.`);
  return [first, ...rest];
}

function needOne(args: Args): string {
  const f = needFiles(args);
  if (f.length > 1) throw new UsageError(`expected one ruleset file, got ${f.length}.`);
  return f[0];
}


// ---------------------------------------------------------------------------

const check: Command = {
  name: 'check',
  usage: 'check FILE...',
  summary: 'parse and check rulesets; print every error and warning',
  options: {
    'no-warnings': { type: 'boolean', help: 'print errors only' },
    json: { type: 'boolean', help: 'print the diagnostics as JSON' },
  },
  run: async (args, io) =>
    guard(io, () => {
      let errors = 0;
      let warnings = 0;
      const all: unknown[] = [];
      for (const file of needFiles(args)) {
        const text = readRuleset(file);
        const r = compileSource(text);
        const shown = args.values['no-warnings'] ? r.diagnostics.filter((d) => d.severity === 'error') : r.diagnostics;
        errors += r.diagnostics.filter((d) => d.severity === 'error').length;
        warnings += r.diagnostics.filter((d) => d.severity === 'warning').length;
        if (args.values.json) all.push(...shown.map((d) => ({ file, ...d })));
        else if (shown.length) io.out(formatDiagnostics(shown, file, text, { color: !!process.stdout.isTTY }));
      }
      if (args.values.json) io.out(JSON.stringify(all, null, 2));
      else io.err(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
      return errors ? 1 : 0;
    }),
};

/** Run one file's `test` blocks; the compiled scorer must agree with the reference interpreter on each test lead. */
async function runFileTests(r: CompileResult & { text: string }): Promise<TestOutcome[]> {
  const { runTests } = await import('../language/interpret/index.js');
  const { compileScorer } = await import('../language/compile/emit-js.js');
  const outcomes = runTests(r.program, r.checked.attributeTypes, r.text);
  const scorer = compileScorer(r.ir!);
  r.ir!.tests.forEach((t, i) => {
    const o = outcomes[i];
    if (!o) return;
    const c = scorer.score(t.lead, t.events, t.at ?? undefined);
    if (c.stage !== o.result.stage || Object.entries(o.result.scores).some(([k, v]) => c.scores[k] === undefined || Math.abs(c.scores[k] - v) > 1e-9)) {
      o.passed = false;
      o.failures.push({ line: o.line, column: 1, text: '(compiled scorer agrees with the interpreter)', details: [`compiled: stage ${c.stage}, scores ${JSON.stringify(c.scores)}`] });
    }
  });
  return outcomes;
}

const test: Command = {
  name: 'test',
  usage: 'test FILE... [--reporter junit|tap|json]',
  summary: 'run the `test` blocks of rulesets; ends with "N passed, N failed"',
  description:
    'With --reporter, the report goes to stdout in that format (for CI) and diagnostics to stderr;\n' +
    'a ruleset with errors is reported as an error and the other files still run. The exit code\n' +
    'is the same either way: 1 if any test failed or any ruleset has errors.',
  options: {
    reporter: { type: 'string', arg: 'junit|tap|json', help: 'print a JUnit XML, TAP 14 or JSON report instead of the text one' },
  },
  run: async (args, io) =>
    guard(io, async () => {
      const reporter = str(args.values.reporter);
      if (reporter !== undefined) {
        const { REPORTERS, testReport } = await import('./test-reporters.js');
        if (!(REPORTERS as readonly string[]).includes(reporter)) throw new UsageError(`--reporter must be junit, tap or json (got '${reporter}').`);
        const results: import('./test-reporters.js').FileResult[] = [];
        for (const file of needFiles(args)) {
          const t0 = performance.now();
          const text = readText(file);
          const r = compileSource(text);
          const errors = r.diagnostics.filter((d) => d.severity === 'error');
          if (errors.length) io.err(formatDiagnostics(errors, file, text, { color: !!process.stderr.isTTY }));
          if (!r.ir) results.push({ file, errors, ms: performance.now() - t0 });
          else results.push({ file, outcomes: await runFileTests({ ...r, text }), ms: performance.now() - t0 });
        }
        io.out(testReport(reporter as 'junit' | 'tap' | 'json', results));
        return results.some((r) => !r.outcomes || r.outcomes.some((o) => !o.passed)) ? 1 : 0;
      }
      const { formatTestReport } = await import('../language/interpret/index.js');
      let passed = 0;
      let failed = 0;
      const lines: string[] = [];
      for (const file of needFiles(args)) {
        const r = loadRuleset(file, io, { warnings: false });
        const outcomes = await runFileTests(r);
        const report = formatTestReport(outcomes, file).split('\n');
        report.pop(); // the per-file summary; one summary line at the end
        lines.push(...report);
        passed += outcomes.filter((o) => o.passed).length;
        failed += outcomes.filter((o) => !o.passed).length;
      }
      io.out(lines.join('\n'));
      io.out(`${passed} passed, ${failed} failed`);
      return failed ? 1 : 0;
    }),
};

const fmt: Command = {
  name: 'fmt',
  usage: 'fmt FILE... [--check | --write]',
  summary: 'format rulesets in the canonical layout (comments kept)',
  description: 'Without --check or --write, prints the formatted text of each file.',
  options: {
    check: { type: 'boolean', help: 'exit 1 if any file is not formatted (prints their names)' },
    write: { type: 'boolean', help: 'rewrite the files in place' },
  },
  run: async (args, io) => {
    const { format: formatSource } = await import('../language/format/formatter.js');
    return guard(io, () => {
      if (args.values.check && args.values.write) throw new UsageError('use either --check or --write, not both.');
      let bad = 0;
      for (const file of needFiles(args)) {
        const text = readRuleset(file);
        const r = formatSource(text);
        if ('error' in r) {
          io.err(formatDiagnostics(r.error, file, text));
          io.err(`${file}: not formatted: fix the errors above first.`);
          bad++;
          continue;
        }
        if (args.values.check) {
          if (r.changed) {
            io.out(`${file}: would be reformatted`);
            bad++;
          }
        } else if (args.values.write) {
          if (r.changed) writeFileAtomic(file, r.text);
        } else io.out(r.text.replace(/\n$/, ''));
      }
      return bad ? 1 : 0;
    });
  },
};

const explain: Command = {
  name: 'explain',
  usage: 'explain FILE (--leads LEADS --id ID [--events EVENTS] | --lead LEAD.json [--events EVENTS.json]) [--at DATE]',
  summary: 'score one lead and show why: every rule, condition and value read',
  description:
    'With --leads, the lead is found by its id in the data files, read as `simulate` and `score` read them, and\n' +
    'evaluated at the same as-of as `score` (so both give the same answer). With --lead, the lead is a JSON object\n' +
    'and --events its own events (a JSON array of {type, at}, JSON Lines, or a CSV with type,at columns).',
  options: {
    leads: { type: 'string', arg: 'FILE', help: 'the leads table (as for simulate): pick the lead with --id' },
    id: { type: 'string', arg: 'ID', help: 'with --leads: the id of the lead to explain' },
    'id-column': { type: 'string', arg: 'COL', help: "with --leads: the id column (default 'id'; '@row' numbers the rows)" },
    outcome: { type: 'string', arg: 'COL', help: "with --leads: the outcome column (default 'outcome')" },
    missing: { type: 'string', arg: 'A,B', help: 'with --leads: values that mean missing, e.g. Select,unknown' },
    lenient: { type: 'boolean', help: 'with --leads: skip bad rows instead of stopping' },
    'date-format': DATA_OPTIONS['date-format'],
    'event-lead': DATA_OPTIONS['event-lead'],
    'event-type': DATA_OPTIONS['event-type'],
    'event-time': DATA_OPTIONS['event-time'],
    lead: { type: 'string', arg: 'LEAD.json', help: 'the lead: a JSON object of attributes' },
    events: { type: 'string', arg: 'FILE', help: 'with --leads: the events table; with --lead: that lead\'s events' },
    at: { type: 'string', arg: 'DATE', help: 'evaluate as of this date (default: as `score` does, the latest date in the data)' },
    json: { type: 'boolean', help: 'print the full result and trace as JSON' },
  },
  run: async (args, io) => {
    const { compileScorer } = await import('../language/compile/emit-js.js');
    const { printExplain } = await import('./explain.js');
    const { readLead, readEvents } = await import('./explain-input.js');
    return guard(io, async () => {
      const file = needOne(args);
      const leadFile = str(args.values.lead);
      const leadsFile = str(args.values.leads);
      if (leadFile && leadsFile) throw new UsageError('use either --lead LEAD.json or --leads FILE --id ID, not both.');
      if (!leadFile && !leadsFile) throw new UsageError('missing the lead: --leads FILE --id ID (from your data) or --lead LEAD.json.');
      if (leadsFile && !str(args.values.id)) throw new UsageError('missing --id ID: which lead of the leads file to explain.');
      const r = loadRuleset(file, io, { warnings: false });
      const at = timeOption('at', str(args.values.at));
      let lead: Record<string, unknown>;
      let events: { type: string; at: string | number }[];
      let asOf: number;
      let label: string;
      let asOfNote: string | undefined;
      let skipped: import('../simulator/skipped.js').Skipped | undefined;
      if (leadsFile) {
        const { leadFromData } = await import('./explain-data.js');
        const d = await leadFromData(r.ir!, args, io, str(args.values.id)!, at);
        ({ lead, events, asOf, skipped } = d);
        label = d.id;
      } else {
        lead = readLead(leadFile!);
        events = args.values.events ? readEvents(str(args.values.events)!) : [];
        const idValue = lead.id;
        label = typeof idValue === 'string' || typeof idValue === 'number' ? String(idValue) : leadFile!;
        const dated = explainAsOf(lead, events);
        asOf = at ?? dated ?? Date.now();
        if (at === undefined && dated === undefined) asOfNote = 'today: the lead has no events or dates; choose the time with --at';
      }
      const scorer = compileScorer(r.ir!, { explain: true });
      const result = scorer.score(lead, events, asOf);
      if (skipped && !args.values.json) {
        const { skippedText } = await import('../simulator/skipped.js');
        const lines = skippedText(skipped);
        if (lines.length) io.err(lines.map(escapeControls).join('\n'));
      }
      io.out(args.values.json ? JSON.stringify(skipped ? { ...result, skipped } : result, null, 2) : printExplain(r.ir!, result, { lead: label, asOfNote }).split('\n').map(escapeControls).join('\n'));
      return 0;
    });
  },
};

const compile: Command = {
  name: 'compile',
  usage: 'compile FILE --target esm|cjs|sql|json [--dialect duckdb|postgres|clickhouse] [--id COL] [-o OUT]',
  summary: 'export the compiled scorer (JS module with types, SQL query, or IR as JSON)',
  description:
    'esm/cjs: one standalone module with no imports; with -o OUT.js a .d.ts is written beside it.\n' +
    'sql: one query over tables `leads` and `events` (see docs/sql.md); a ruleset without activities\n' +
    '(snapshot data) reads the `leads` table only. json: the IR (docs/ir.md).',
  options: {
    target: { type: 'string', arg: 'esm|cjs|sql|json', help: 'what to produce (default esm)' },
    dialect: { type: 'string', arg: 'duckdb|postgres|clickhouse', help: 'SQL dialect (default duckdb)' },
    'as-of': { type: 'string', arg: 'DATE', help: 'SQL only: evaluate as of this date (default: the latest event)' },
    id: { type: 'string', arg: 'COL', help: "SQL only: the leads table's id column (default 'id')" },
    out: { type: 'string', short: 'o', arg: 'OUT', help: 'write to this file instead of stdout' },
  },
  run: async (args, io) =>
    guard(io, async () => {
      const file = needOne(args);
      const target = str(args.values.target) ?? 'esm';
      if (!['esm', 'cjs', 'sql', 'json'].includes(target)) throw new UsageError(`--target must be esm, cjs, sql or json (got '${target}').`);
      const dialect = str(args.values.dialect) ?? 'duckdb';
      if (!['duckdb', 'postgres', 'clickhouse'].includes(dialect)) throw new UsageError(`--dialect must be duckdb, postgres or clickhouse (got '${dialect}').`);
      const out = str(args.values.out);
      const dts = out && (target === 'esm' || target === 'cjs') ? dtsPath(out, target) : undefined;
      if (out) refuseOutputOverInput(out, { 'the ruleset': file });
      if (dts) refuseOutputOverInput(dts, { 'the ruleset': file });
      const r = loadRuleset(file, io, { warnings: false });
      let text: string;
      if (target !== 'sql' && args.values.id !== undefined) throw new UsageError('--id names the id column of the SQL export: use it with --target sql.');
      if (target === 'json') text = JSON.stringify(r.ir, null, 2) + '\n';
      else if (target === 'sql') {
        const { emitSql, SqlExportError } = await import('../language/compile/emit-sql.js');
        const asOf = timeOption('as-of', str(args.values['as-of']));
        try {
          const id = str(args.values.id);
          // a ruleset without activities scores snapshot data: no `events` table is read (or needed)
          text = emitSql(r.ir!, { dialect: dialect as 'duckdb' | 'postgres' | 'clickhouse', asOf, ...(r.ir!.activities.length ? {} : { eventsTable: null }), ...(id ? { idColumn: id } : {}) });
        } catch (e) {
          if (!(e instanceof SqlExportError)) throw e;
          io.err(formatDiagnostics(e.diagnostics, file, r.text, { color: !!process.stderr.isTTY }));
          return 1;
        }
      } else {
        const { emitModule } = await import('../language/compile/emit-js.js');
        text = emitModule(r.ir!, { format: target as 'esm' | 'cjs', compilerVersion: COMPILER_VERSION });
      }
      if (!out) {
        io.out(text.replace(/\n$/, ''));
        return 0;
      }
      const { emitDts } = await import('../language/compile/emit-js.js');
      // both files are complete on disk before either replaces what was there
      const files = [openOutput(out), ...(dts ? [openOutput(dts)] : [])];
      try {
        files[0]!.write(text);
        files[1]?.write(emitDts(r.ir!));
        for (const f of files) f.ready();
        for (const f of files) f.commit();
      } finally {
        for (const f of files) f.abort();
      }
      io.err(dts ? `wrote ${out} and ${basename(dts)}` : `wrote ${out}`);
      return 0;
    }),
};

/** The .d.ts written beside a compiled module. */
function dtsPath(out: string, target: string): string {
  return out.replace(/\.(m|c)?js$/, '') + (target === 'esm' && extname(out) === '.mjs' ? '.d.mts' : target === 'cjs' && extname(out) === '.cjs' ? '.d.cts' : '.d.ts');
}

const cache: Command = {
  name: 'cache',
  usage: 'cache [clear]',
  summary: 'show or clear the columnar cache of data files (typed columns saved as Apache Arrow)',
  description:
    'simulate, score and suggest save the typed columns of data files of 1 MiB or more after a first read, and load them\n' +
    'on later runs while the file (size, modification time, content) and the reader options are the same.\n' +
    'The cache folder is $LQL_CACHE_DIR, else $XDG_CACHE_HOME/lql, else ~/.cache/lql; its size limit is\n' +
    '$LQL_CACHE_LIMIT (e.g. 500M, 4G; default 2G), least recently used entries go first.',
  options: {},
  run: async (args, io) =>
    guard(io, async () => {
      const { defaultCacheDir, listCache, clearCache } = await import('../simulator/data/cache.js');
      const dir = defaultCacheDir();
      const mb = (b: number) => `${(b / 1_048_576).toFixed(1)} MB`;
      const what = args.positionals[0];
      if (what === undefined) {
        const { files, bytes } = listCache(dir);
        io.out(`${dir}: ${files} cached data file${files === 1 ? '' : 's'}, ${mb(bytes)}`);
        return 0;
      }
      if (what !== 'clear' || args.positionals.length > 1) throw new UsageError(`expected 'clear' or nothing, got '${args.positionals.join(' ')}'.`);
      const { files, bytes } = clearCache(dir);
      io.out(`removed ${files} cached data file${files === 1 ? '' : 's'} (${mb(bytes)}) from ${dir}`);
      return 0;
    }),
};

const lsp: Command = {
  name: 'lsp',
  usage: 'lsp --stdio',
  summary: 'run the language server for editors (Language Server Protocol over stdin/stdout)',
  description:
    'Editors start this themselves (see docs/editors.md for VS Code, Neovim and Helix).\n' +
    'An lql.json beside a ruleset (or in a folder above) naming its leads file makes completion\n' +
    'and hover show the data\'s columns and values.',
  options: {
    stdio: { type: 'boolean', help: 'talk over stdin/stdout (the only transport)' },
  },
  run: async (args, io) =>
    guard(io, async () => {
      if (!args.values.stdio) throw new UsageError('use --stdio: the language server talks to the editor over stdin/stdout.');
      if (args.positionals.length) throw new UsageError(`unexpected argument '${args.positionals[0]}'.`);
      const { startServer } = await import('./lsp-server.js');
      await startServer();
      return 0;
    }),
};

// ---------------------------------------------------------------------------

/** The as-of of one lead given by hand: its latest event, else its latest created_at/closed_at; undefined with neither. */
function explainAsOf(lead: Record<string, unknown>, events: { at: string | number }[]): number | undefined {
  let m = -Infinity;
  const take = (v: unknown) => {
    const t = typeof v === 'number' ? v : typeof v === 'string' ? (parseTimeText(v) ?? NaN) : NaN;
    if (t === t && t > m) m = t;
  };
  for (const e of events) take(e.at);
  if (m === -Infinity) {
    take(lead.created_at);
    take(lead.closed_at);
  }
  return m === -Infinity ? undefined : m;
}

const serveCommand: Command = {
  name: 'serve',
  usage: 'serve [--port 4800] [--data DIR] [--database postgres://...]',
  summary: 'co-author rulesets: the playground, live co-editing, review and releases for a team',
  description:
    'Serves the playground, the HTTP API (docs/serve.md) and the co-editing endpoint from one process.\n' +
    'Storage: an embedded PostgreSQL (PGlite) under --data, or a PostgreSQL server with --database.\n' +
    'The admin token comes from LQL_ADMIN_TOKEN, or is generated at the first start and printed once.',
  options: {
    port: { type: 'string', arg: 'N', help: 'port to listen on (default 4800; 0 picks a free one)' },
    host: { type: 'string', arg: 'ADDR', help: 'address to listen on (default 127.0.0.1; 0.0.0.0 for a team network)' },
    data: { type: 'string', arg: 'DIR', help: 'folder for the database and uploaded datasets (default ./lql-data)' },
    database: { type: 'string', arg: 'URL', help: 'use this PostgreSQL server (postgres://user@host:port/db) instead of the embedded one' },
  },
  run: (args, io) =>
    guard(io, async () => {
      if (args.positionals.length) throw new UsageError(`serve takes no files (got ${args.positionals.join(' ')}).`);
      const portRaw = str(args.values.port) ?? '4800';
      const port = Number(portRaw);
      if (!/^\d+$/.test(portRaw) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535 (got '${portRaw}').`);
      const database = str(args.values.database);
      if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) throw new UsageError(`--database must be a postgres:// URL (got '${database}').`);
      const { serve } = await import('../server/serve.js');
      const running = await serve({
        port, host: str(args.values.host), dataDir: str(args.values.data) ?? 'lql-data', databaseUrl: database,
        adminToken: process.env.LQL_ADMIN_TOKEN || undefined, out: io.out, err: io.err,
      });
      await new Promise<void>((done) => {
        const stop = () => void running.close().then(done, done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    }),
};

export const COMMANDS: Command[] = [check, test, fmt, explain, compile, simulateCommand, scoreCommand, suggestCommand, cache, lsp, serveCommand];
export { DATA_OPTIONS };

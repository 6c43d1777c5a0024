/**
 * The built `lql` reads a large leads CSV file in parts on worker threads
 * when `LQL_THREADS` asks for two or more, and reports exactly what the
 * single reader's run reports. A preloaded module counts the worker threads
 * started and the parts they answered, so the test knows the file really
 * was read in parts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generate, writeCsv } from '../../simulator/generate.js';

const root = join(import.meta.dirname, '..', '..');
let dir = '';
let leads = '';
let counter = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lql-threads-'));
  // above the 32 MiB under which a file is always read in one piece
  leads = writeCsv(generate({ leads: 320_000, seed: 5, eventsPerLead: 0.01 }), dir).leads;
  counter = join(dir, 'count-workers.mjs');
  writeFileSync(
    counter,
    [
      "import wt from 'node:worker_threads';",
      "import { syncBuiltinESMExports } from 'node:module';",
      'if (wt.isMainThread) {',
      '  let started = 0;',
      '  let parts = 0;',
      '  const Base = wt.Worker;',
      "  wt.Worker = class extends Base { constructor(...a) { super(...a); started++; this.on('message', (m) => { if (m && m.result) parts++; }); } };",
      '  syncBuiltinESMExports();',
      "  process.on('exit', () => process.stderr.write(`workers started: ${started}, parts read: ${parts}\\n`));",
      '}',
    ].join('\n'),
  );
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function simulate(threads: string) {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      pathToFileURL(counter).href,
      join(root, 'bin', 'lql.js'),
      'simulate',
      join(root, 'examples', 'acme.lql'),
      '--leads',
      leads,
      '--no-cache',
      '--json',
    ],
    { encoding: 'utf8', env: { ...process.env, LQL_THREADS: threads }, maxBuffer: 1 << 26 },
  );
  return { code: r.status, out: r.stdout, err: r.stderr };
}

it('`LQL_THREADS=2 lql simulate --json` on a 35 MB leads file: read in parts, the same report as the single reader', () => {
  expect(statSync(leads).size).toBeGreaterThan(32 << 20);
  const single = simulate('1');
  const parts = simulate('2');
  expect(single.code).toBe(0);
  expect(parts.code).toBe(0);
  expect(single.err).toContain('workers started: 0, parts read: 0');
  expect(parts.err).toContain('workers started: 2, parts read: 2');
  expect(parts.out).toBe(single.out);
  const report = JSON.parse(single.out) as { leads: number; won: number; lost: number; open: number };
  expect(report.leads).toBe(320_000);
  expect(report.won + report.lost + report.open).toBe(320_000);
}, 120_000);

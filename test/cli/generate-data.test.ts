/**
 * `npm run gen` writes its files as every file LQL writes: through a
 * temporary file in the same folder, renamed into place only when both files
 * are complete; a failure leaves the files that were there untouched and no
 * temporary file behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { main } from '../../cli/generate-data.js';
import { fsOps } from '../../cli/files.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lql-gen-'));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

test('writes leads.csv and events.csv, and nothing else', () => {
  expect(main(['--leads', '20', '--seed', '3', '--out', dir])).toBe(0);
  expect(readdirSync(dir).sort()).toEqual(['events.csv', 'leads.csv']);
  const leads = readFileSync(join(dir, 'leads.csv'), 'utf8').trim().split('\n');
  expect(leads[0]).toBe('id,outcome,created_at,closed_at,industry,employees,country,title,email,budget,timeframe_days');
  expect(leads).toHaveLength(21); // the header and 20 leads
  expect(readFileSync(join(dir, 'events.csv'), 'utf8').startsWith('lead_id,type,at\n')).toBe(true);
});

test('a failed write (disk full) leaves the earlier files as they were, exit 1', () => {
  writeFileSync(join(dir, 'leads.csv'), 'id,outcome\nold,won\n');
  writeFileSync(join(dir, 'events.csv'), 'lead_id,type,at\n');
  let calls = 0;
  const real = fsOps.writeSync;
  // the second file's bytes cannot be written
  vi.spyOn(fsOps, 'writeSync').mockImplementation(((...a: Parameters<typeof real>) => {
    if (++calls > 1) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    return real(...a);
  }) as typeof real);
  expect(main(['--leads', '20', '--out', dir])).toBe(1);
  expect(readFileSync(join(dir, 'leads.csv'), 'utf8')).toBe('id,outcome\nold,won\n');
  expect(readFileSync(join(dir, 'events.csv'), 'utf8')).toBe('lead_id,type,at\n');
  expect(readdirSync(dir).sort()).toEqual(['events.csv', 'leads.csv']);
  const err = vi
    .mocked(process.stderr.write)
    .mock.calls.map((c) => String(c[0]))
    .join('');
  expect(err).toMatch(/LQL602/);
});

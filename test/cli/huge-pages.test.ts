// `lql` starting itself again with its memory in huge pages on large data
// (cli/huge-pages.ts): when it does, and that the child really gets huge
// pages and passes output, exit code and signals through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hugePageEnv, machineFacts, namedFileBytes, type HugePageFacts } from '../../cli/huge-pages.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = join(root, 'dist', 'lql', 'huge-pages.js');
let dir: string;
let small: string;
let big: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lql-huge-'));
  small = join(dir, 'small.csv');
  big = join(dir, 'big.csv');
  writeFileSync(small, 'x'.repeat(1000));
  writeFileSync(big, 'y'.repeat(5000));
  mkdirSync(join(dir, 'folder'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const QUALIFIES: HugePageFacts = { platform: 'linux', glibc: '2.36', thp: 'madvise' };

describe('when lql starts again', () => {
  it('counts each named regular file once, in every way an option can name it', () => {
    expect(namedFileBytes(['simulate', small, '--leads', big])).toBe(6000);
    expect(namedFileBytes(['simulate', `--leads=${big}`, '--events', big])).toBe(5000);
    expect(namedFileBytes(['simulate', join(dir, 'folder'), join(dir, 'missing.csv'), '-', '--json'])).toBe(0);
  });

  it('only on data of the threshold or more, on Linux with glibc 2.35+ and huge pages on request', () => {
    const env = { PATH: '/bin' };
    const on = (facts: HugePageFacts, min = 6000, e: NodeJS.ProcessEnv = env, execArgv: string[] = []) =>
      hugePageEnv(['simulate', small, '--leads', big], e, () => facts, min, execArgv);
    expect(on(QUALIFIES)?.GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1');
    // the child is marked: even if glibc dropped the setting (a privileged node), it never starts a third
    const child = on(QUALIFIES)!;
    expect(on(QUALIFIES, 6000, { ...child, GLIBC_TUNABLES: '' })).toBeNull();
    // under a debugger or --watch the command runs in this process; other flags are passed on
    expect(on(QUALIFIES, 6000, env, ['--inspect-brk'])).toBeNull();
    expect(on(QUALIFIES, 6000, env, ['--watch'])).toBeNull();
    expect(on(QUALIFIES, 6000, env, ['--max-old-space-size=8000'])).not.toBeNull();
    expect(on(QUALIFIES)?.PATH).toBe('/bin');
    expect(on(QUALIFIES, 6001)).toBeNull();
    expect(on({ ...QUALIFIES, thp: 'always' })).toBeNull();
    expect(on({ ...QUALIFIES, thp: 'never' })).toBeNull();
    expect(on({ ...QUALIFIES, thp: undefined })).toBeNull();
    expect(on({ ...QUALIFIES, glibc: '2.34' })).toBeNull();
    expect(on({ ...QUALIFIES, glibc: '3.0' })?.GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1');
    expect(on({ ...QUALIFIES, glibc: undefined })).toBeNull();
    expect(on({ ...QUALIFIES, platform: 'darwin' })).toBeNull();
    // the user's own tunables are kept; naming the setting (as the child does, or =0 to opt out) means no second start
    expect(on(QUALIFIES, 6000, { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })?.GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
    expect(on(QUALIFIES, 6000, { GLIBC_TUNABLES: 'glibc.malloc.check=0' })?.GLIBC_TUNABLES).toBe('glibc.malloc.check=0:glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1');
    expect(on(QUALIFIES, 6000, { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' })).toBeNull();
    expect(on(QUALIFIES, 6000, { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' })).toBeNull();
  });
});

// A script run like bin/lql.js: it starts itself again (threshold 0) and, as the child, reports what it got.
const SCRIPT = `
import { readFileSync } from 'node:fs';
const { relaunchWithHugePages } = await import(${JSON.stringify(`file://${built}`)});
const argv = process.argv.slice(2);
const code = await relaunchWithHugePages(process.argv[1], argv, 0);
if (code !== null) process.exitCode = code;
else if (argv[0] === 'sleep') { process.stdout.write('child ' + process.pid + '\\n'); setTimeout(() => {}, 60_000); }
else {
  const b = new Uint8Array(new ArrayBuffer(64 << 20)); b.fill(1);
  const huge = Number(/AnonHugePages:\\s+(\\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1] ?? 0);
  const input = readFileSync(0, 'utf8');
  process.stdout.write(JSON.stringify({ tunables: process.env.GLIBC_TUNABLES ?? null, huge, input, sum: b[123] }));
  process.stderr.write('to stderr');
  process.exitCode = 3;
}
`;

const facts = machineFacts();
const here = facts.platform === 'linux' && facts.thp === 'madvise' && Number(facts.glibc?.split('.')[1] ?? 0) >= 35;

describe.skipIf(!here)('the second start, on this machine', () => {
  const script = () => {
    const p = join(dir, 'launcher.mjs');
    writeFileSync(p, SCRIPT);
    return p;
  };

  it('runs the command with huge pages and passes input, output, errors and the exit code through', () => {
    const r = spawnSync(process.execPath, [script(), 'simulate', small], { input: 'from stdin', encoding: 'utf8', env: { ...process.env, GLIBC_TUNABLES: '' } });
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('to stderr');
    const got = JSON.parse(r.stdout) as { tunables: string; huge: number; input: string; sum: number };
    expect(got.tunables).toBe('glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1');
    expect(got.input).toBe('from stdin');
    expect(got.sum).toBe(1);
    // the 64 MiB the child touched are (mostly) in 2 MiB pages
    expect(got.huge).toBeGreaterThanOrEqual(32 * 1024);
  });

  it('without the second start the same memory is in small pages (what the setting changes)', () => {
    const r = spawnSync(process.execPath, [script(), 'simulate', small], { input: '', encoding: 'utf8', env: { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' } });
    expect(r.status).toBe(3);
    const got = JSON.parse(r.stdout) as { tunables: string; huge: number };
    expect(got.tunables).toBe('glibc.malloc.hugetlb=0');
    expect(got.huge).toBeLessThan(32 * 1024);
  });

  it('a signal sent to lql reaches the command, and lql ends by it', async () => {
    const parent = spawn(process.execPath, [script(), 'sleep', small], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, GLIBC_TUNABLES: '' } });
    const childPid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(/child (\d+)/.exec(String(d))?.[1]))));
    expect(childPid).not.toBe(parent.pid);
    parent.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => parent.once('exit', (c, s) => resolve([c, s])));
    expect(signal).toBe('SIGTERM');
    expect(code).toBeNull();
    // the child is gone too
    expect(() => process.kill(childPid, 0)).toThrow();
  });
});

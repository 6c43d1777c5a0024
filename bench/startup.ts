/**
 * Benchmark: how long `lql check`, `lql test` and `lql fmt --check` take to
 * start and finish on the ACME ruleset, against a bare `node -e 0` measured
 * in the same run (target: at most 3x).
 *
 * Input: the built command (`dist/lql/`, made by `npm run build:cli`) and
 * `examples/acme.lql`. Output: `run()` returns the printed lines: median
 * wall time of 15 alternating runs of each and its ratio to `node -e 0`;
 * the machine is shared, so the ratio matters, not the milliseconds.
 * Invariant: runs alternate between the commands so load changes on the
 * machine hit all of them alike.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRoot } from './util.js';

interface Case {
  name: string;
  args: string[];
}

/** Wall-clock milliseconds of one child `node` process. */
function wallMs(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<string[]> {
  const root = findRoot(fileURLToPath(import.meta.url));
  const bin = join(root, 'bin', 'lql.js');
  const acme = join(root, 'examples', 'acme.lql');
  if (!existsSync(join(root, 'dist', 'lql', 'main.js'))) throw new Error('the command is not built: run `npm run build:cli`');
  const cases: Case[] = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'lql check acme.lql', args: [bin, 'check', acme] },
    { name: 'lql test acme.lql', args: [bin, 'test', acme] },
    { name: 'lql fmt --check acme.lql', args: [bin, 'fmt', '--check', acme] },
  ];
  const wall = cases.map(() => [] as number[]);
  for (const c of cases) wallMs(c.args); // warm the file cache
  for (let i = 0; i < 15; i++) cases.forEach((c, k) => wall[k]!.push(wallMs(c.args)));
  const base = median(wall[0]!);
  const out = ['start-up, median of 15 alternating runs (wall clock):'];
  cases.forEach((c, k) => {
    const m = median(wall[k]!);
    out.push(`  ${c.name.padEnd(26)} ${m.toFixed(0).padStart(5)} ms${k ? `   ${(m / base).toFixed(2)}x node -e 0 (target <= 3x)` : ''}`);
  });
  return out;
}

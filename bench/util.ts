/**
 * Benchmark helpers: a timer that reports the median of several runs after a
 * warm-up, a median, and a small seeded random generator.
 * Input: a function to time. Output: milliseconds (median, min).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function time(f: () => unknown, runs = 5): { median: number; min: number } {
  f(); // warm-up (JIT)
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)]!, min: ts[0]! };
}

/** The median of some timings (the upper one of the middle two for an even count). */
export function median(ts: readonly number[]): number {
  const s = [...ts].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A small seeded PRNG, uniform in [0, 1) (the generator's mulberry32). */
export { mulberry32 as rng } from '../simulator/generate.js';

/** The repository root: the nearest folder above `from` with LQL's package.json (works from bench/ and dist/bench/). */
export function findRoot(from: string): string {
  let dir = dirname(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"lql"/.test(readFileSync(pkg, 'utf8'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the LQL repository root');
    dir = up;
  }
}

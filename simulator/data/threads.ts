/**
 * How many threads to use and how to start one (Node): shared by reading
 * files in parts (`parallel.ts`) and the replay on threads
 * (`../replay-threads.ts`), without loading either.
 *
 * Input: `$LQL_THREADS`, this process's flags, a worker script's name and
 * the URL of the module it lies beside.
 * Output: a thread count, a Worker's options, the worker script's URL (null
 * when it is not there).
 * Invariants: every use of threads reads `$LQL_THREADS` through
 * `threadsFromEnv`; a worker inherits this process's flags as Node passes
 * them, but `--input-type`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `$LQL_THREADS` when it is a whole number of at least 1, else `fallback` (every use of threads reads the variable so). */
export function threadsFromEnv(fallback: number): number {
  const env = Number(process.env.LQL_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : fallback;
}

/**
 * A worker thread's options: this process's flags but `--input-type` (a
 * process started with `node --input-type=module -e ...` would pass it on,
 * and a worker started from a file refuses it); otherwise the flags are
 * inherited as Node passes them.
 */
export function workerOptions(): { execArgv?: string[] } {
  // only then: flags given explicitly are checked, and flags for the whole process (--max-old-space-size...) refused
  if (!process.execArgv.some((a) => a.startsWith('--input-type'))) return {};
  return { execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) };
}

/**
 * The worker script `name` in the first of `dirs` (relative to the module
 * at `base`, its `import.meta.url`) that holds it, or null. Callers build
 * `name` at run time, so that bundlers leave it alone: a worker is an entry
 * of its own beside the bundle's chunks.
 */
export function workerBeside(name: string, base: string, dirs: readonly string[] = ['./']): URL | null {
  for (const dir of dirs) {
    const url = new URL(dir + name, base);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return null;
}

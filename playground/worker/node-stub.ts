/**
 * Stand-ins for the few Node built-ins that simulator modules import for
 * their command-line paths only (writing generated CSV files to disk).
 *
 * Input: none. Output: functions with the same names that throw if called.
 * Invariants: the browser build (and `tsconfig.browser.json`, which type-checks
 * the playground without Node's types) aliases `node:fs` and `node:path` here, so
 * the worker can use `simulator/generate.ts` (in-memory generation) without
 * Node; nothing in the playground calls these.
 */
function unavailable(name: string): never {
  throw new Error(`${name} is not available in the browser`);
}
export const openSync = (..._args: unknown[]): never => unavailable('openSync');
export const writeSync = (..._args: unknown[]): never => unavailable('writeSync');
export const closeSync = (..._args: unknown[]): never => unavailable('closeSync');
export const mkdirSync = (..._args: unknown[]): never => unavailable('mkdirSync');
export const readFileSync = (..._args: unknown[]): never => unavailable('readFileSync');
export const join = (...parts: string[]): string => parts.join('/');
export default { openSync, writeSync, closeSync, mkdirSync, readFileSync, join };

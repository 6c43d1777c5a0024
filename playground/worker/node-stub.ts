/**
 * Stand-ins for the few Node built-ins that simulator modules import for
 * their command-line paths only (writing generated CSV files to disk).
 *
 * Input: none. Output: functions with the same names that throw if called.
 * Invariants: the browser build aliases `node:fs` and `node:path` here, so
 * the worker can use `simulator/generate.ts` (in-memory generation) without
 * Node; nothing in the playground calls these.
 */
function unavailable(name: string): never {
  throw new Error(`${name} is not available in the browser`);
}
export const openSync = (): never => unavailable('openSync');
export const writeSync = (): never => unavailable('writeSync');
export const closeSync = (): never => unavailable('closeSync');
export const mkdirSync = (): never => unavailable('mkdirSync');
export const readFileSync = (): never => unavailable('readFileSync');
export const join = (...parts: string[]): string => parts.join('/');
export default { openSync, writeSync, closeSync, mkdirSync, readFileSync, join };

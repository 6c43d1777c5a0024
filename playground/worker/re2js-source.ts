/**
 * re2js's ES module build and licence as text, for compiled scorers that use
 * `matches` and must run standalone (no imports): the worker hands them to
 * `emitModule` as `regexEngineSource` (see docs/compile.md).
 *
 * Input: the installed `re2js` package files. Output: `RE2JS_SOURCE`.
 * Invariants: loaded lazily (a separate chunk), only when such a module is
 * exported; the text is the package's own, unchanged.
 */
import code from '../../node_modules/re2js/build/index.js?raw';
import licence from '../../node_modules/re2js/LICENSE?raw';

export const RE2JS_SOURCE: { code: string; licence: string } = { code, licence };

/**
 * The linear-time regex engine placed inside a standalone compiled scorer.
 *
 * A scorer exported with `lql compile --target esm|cjs` has no imports, yet
 * `matches /re/` must keep RE2's linear-time guarantee and give exactly the
 * answers of the in-process scorer. So the module embeds the `re2js`
 * package (MIT licence, notice kept) inside a function scope, and only when
 * the ruleset uses `matches` (docs/compile.md explains the choice).
 *
 * Input: the installed `re2js` package (its ES module build and LICENSE),
 * read from disk under Node, or source text handed in by the caller.
 * Output: `re2jsEmbed(source?)`: a JS statement `const RE2JS = (() => {...})();`
 * preceded by the licence as `//` comments.
 * Invariants: the embedded text is the package's own build with only its
 * final `export { ... };` statement removed; nothing from a ruleset goes
 * into it.
 */

interface NodeFs {
  readFileSync(path: string, enc: 'utf8'): string;
}
interface NodeModule {
  createRequire(from: string): { resolve(id: string): string };
}

let cached: { code: string; licence: string } | null = null;

function loadFromDisk(): { code: string; licence: string } {
  if (cached) return cached;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const get = proc?.getBuiltinModule;
  if (typeof get !== 'function') {
    throw new Error('emitModule: the re2js source is needed for a ruleset that uses `matches`; pass it as `regexEngineSource` outside Node');
  }
  const fs = get.call(proc, 'node:fs') as NodeFs;
  const mod = get.call(proc, 'node:module') as NodeModule;
  const require = mod.createRequire((import.meta as { url: string }).url);
  const cjsPath = require.resolve('re2js');
  const dir = cjsPath.replace(/[\\/][^\\/]*$/, '');
  const code = fs.readFileSync(dir + '/index.js', 'utf8');
  const licence = fs.readFileSync(dir.replace(/[\\/]build$/, '') + '/LICENSE', 'utf8');
  cached = { code, licence };
  return cached;
}

const EXPORT_TAIL = /\nexport\s*\{[^}]*\};?\s*$/;

/** Source of `const RE2JS = ...;` for a standalone module. */
export function re2jsEmbed(source?: { code: string; licence: string }): string {
  const { code, licence } = source ?? loadFromDisk();
  if (!EXPORT_TAIL.test(code) || !/\bvar RE2JS = class RE2JS\b/.test(code)) {
    throw new Error('emitModule: unexpected re2js build layout; cannot embed the regex engine');
  }
  const body = code.replace(EXPORT_TAIL, '\n');
  if (/^\s*(import|export)\b/m.test(body)) {
    throw new Error('emitModule: re2js build has module statements left; cannot embed the regex engine');
  }
  const notice = licence
    .split(/\r?\n/)
    .map((l) => ('// ' + l).trimEnd())
    .join('\n');
  return (
    '// The linear-time regex engine below is re2js (https://github.com/le0pard/re2js),\n' +
    '// embedded unchanged except for its export statement, under this licence:\n' +
    notice +
    '\nconst RE2JS = (() => {\n' +
    body +
    '\nreturn RE2JS;\n})();\n'
  );
}

/**
 * Regular expressions for the SQL export. LQL regexes use RE2 syntax and
 * search anywhere in the text. DuckDB runs RE2 itself (`regexp_matches`), so
 * the pattern goes through unchanged. PostgreSQL runs its own engine
 * ("advanced regular expressions", `~` / `~*`), whose syntax and defaults
 * differ; `toPostgresRegex` rewrites an RE2 pattern into an equivalent
 * PostgreSQL one, or says which construct it cannot rewrite.
 *
 * Input: an RE2 pattern (already checked by the LQL checker) and its flags.
 * Output: `{ pattern }` for PostgreSQL, or `{ error }` naming the construct.
 * Invariants:
 * - only a whitelist of constructs is rewritten; anything else is refused,
 *   never passed through with a different meaning;
 * - `.` never matches a newline (RE2's default), `\d \s \w` and POSIX
 *   classes are ASCII (RE2's meaning), `\b` becomes PostgreSQL's `\y`;
 * - repetition bounds above 255 (PostgreSQL's limit) are refused;
 * - case-insensitive patterns (`/i`) are folded here, with RE2's Unicode
 *   simple case folding, and run with the case-sensitive `~`: every cased
 *   character becomes a class of its whole fold orbit (`k` -> [kK\u212A],
 *   `σ` -> [σςΣ]) and every class gains the orbit members of what it holds,
 *   so the answer never depends on the database's locale (PostgreSQL's `~*`
 *   folds by the locale and misses orbits such as the Kelvin sign).
 */
import { RE2JS } from 're2js';

export type PgRegexResult = { pattern: string; error?: undefined } | { pattern?: undefined; error: string };

const CLASS_ESCAPES: Record<string, string> = {
  d: '0-9',
  s: '\\t\\n\\f\\r ',
  w: '0-9A-Za-z_',
};

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: '0-9A-Za-z',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\t\\n\\v\\f\\r ',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
  blank: '\\t ',
  punct: '!-/:-@\\[-`{-~',
};

const SIMPLE_ESCAPES = new Set(['n', 't', 'r', 'f', 'v']);

function hexEscape(hex: string): string | null {
  if (!/^[0-9A-Fa-f]{1,8}$/.test(hex)) return null;
  const cp = parseInt(hex, 16);
  if (cp > 0x10ffff || cp === 0) return null;
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** Each cased character's fold orbit (two or more members), built on first use. */
let orbits: Map<string, string[]> | null = null;
let allOrbits: string[][] = [];

/**
 * Simple case folding orbits from the platform's case mappings: characters
 * whose upper-then-lower case is the same single character. The dotted and
 * dotless i (U+0130, U+0131) have no simple folding in Unicode (nor in RE2).
 * The tests check every orbit against RE2 (re2js).
 */
function foldOrbits(): Map<string, string[]> {
  if (orbits) return orbits;
  const byKey = new Map<string, string[]>();
  for (let cp = 0; cp <= 0x1ffff; cp++) {
    if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0x130 || cp === 0x131) continue;
    const c = String.fromCodePoint(cp);
    const u = c.toUpperCase();
    if ([...u].length !== 1) continue;
    const k = u.toLowerCase();
    if ([...k].length !== 1) continue;
    const list = byKey.get(k);
    if (list) list.push(c);
    else byKey.set(k, [c]);
  }
  orbits = new Map();
  allOrbits = [];
  for (const o of byKey.values()) {
    if (o.length < 2) continue;
    allOrbits.push(o);
    for (const c of o) orbits.set(c, o);
  }
  return orbits;
}

/** The fold orbit of one character, or undefined when it has no other case. */
export function foldOrbit(c: string): readonly string[] | undefined {
  return foldOrbits().get(c);
}

/** A character written for a PostgreSQL bracket expression or pattern, whatever it is. */
function pgChar(c: string): string {
  return '\\U' + c.codePointAt(0)!.toString(16).padStart(8, '0');
}

/** The orbit members of every character an RE2 class (case-sensitive, as written) holds. */
function foldedMembers(re2Class: string): string {
  foldOrbits();
  const re = RE2JS.compile(re2Class);
  let extra = '';
  for (const o of allOrbits) if (o.some((c) => re.matcher(c).matches())) for (const c of o) extra += pgChar(c);
  return extra;
}

/**
 * Rewrite an RE2 pattern for PostgreSQL's `~` operator; with `ci` (the
 * LQL flag `i`), the case folding is written into the pattern.
 */
export function toPostgresRegex(src: string, ci = false): PgRegexResult {
  let out = '';
  let i = 0;
  const n = src.length;
  const fail = (what: string): PgRegexResult => ({ error: what });

  // One escape outside a bracket expression.
  const escapeOutside = (): string | PgRegexResult => {
    const c = src[i + 1];
    if (c === undefined) return fail('a trailing backslash');
    if (c === 'd') return (i += 2), '[0-9]';
    if (c === 'D') return (i += 2), '[^0-9]';
    if (c === 's') return (i += 2), '[\\t\\n\\f\\r ]';
    if (c === 'S') return (i += 2), '[^\\t\\n\\f\\r ]';
    if (c === 'w') return (i += 2), `[0-9A-Za-z_${ci ? foldedMembers('[\\w]') : ''}]`;
    if (c === 'W') return (i += 2), `[^0-9A-Za-z_${ci ? foldedMembers('[\\w]') : ''}]`;
    if (c === 'b') return (i += 2), '\\y';
    if (c === 'B') return (i += 2), '\\Y';
    if (c === 'A') return (i += 2), '\\A';
    if (c === 'z') return (i += 2), '\\Z';
    if (SIMPLE_ESCAPES.has(c)) return (i += 2), '\\' + c;
    if (c === 'x') {
      const r = hexAt();
      if (typeof r !== 'string' || !ci) return r;
      const o = foldOrbit(String.fromCodePoint(parseInt(r.slice(2), 16)));
      return o ? '[' + o.map(pgChar).join('') + ']' : r;
    }
    if (/[0-9A-Za-z]/.test(c)) return fail(`the escape \\${c}`);
    i += 2;
    return '\\' + c;
  };

  const hexAt = (): string | PgRegexResult => {
    // at "\x"
    if (src[i + 2] === '{') {
      const close = src.indexOf('}', i + 3);
      if (close < 0) return fail('an unterminated \\x{...} escape');
      const e = hexEscape(src.slice(i + 3, close));
      if (e === null) return fail('the escape ' + src.slice(i, close + 1));
      i = close + 1;
      return e;
    }
    const e = hexEscape(src.slice(i + 2, i + 4));
    if (e === null || src.slice(i + 2, i + 4).length !== 2) return fail('the escape ' + src.slice(i, i + 4));
    i += 4;
    return e;
  };

  // A bracket expression, i at '['.
  const bracket = (): string | PgRegexResult => {
    let j = i + 1;
    let body = '';
    let negated = false;
    if (src[j] === '^') {
      negated = true;
      j++;
    }
    let first = true;
    for (;;) {
      if (j >= n) return fail('an unterminated [...] class');
      const c = src[j]!;
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && src[j + 1] === ':') {
        const close = src.indexOf(':]', j + 2);
        if (close < 0) return fail('an unterminated [:class:]');
        let name = src.slice(j + 2, close);
        if (name.startsWith('^')) return fail(`the negated class [:${name}:]`);
        const cls = POSIX[name];
        if (cls === undefined) return fail(`the class [:${name}:]`);
        body += cls;
        j = close + 2;
        name = '';
        continue;
      }
      if (c === '\\') {
        const e = src[j + 1];
        if (e === undefined) return fail('a trailing backslash');
        if (e in CLASS_ESCAPES) {
          body += CLASS_ESCAPES[e];
          j += 2;
          continue;
        }
        if (SIMPLE_ESCAPES.has(e)) {
          body += '\\' + e;
          j += 2;
          continue;
        }
        if (e === 'x') {
          const save = i;
          i = j;
          const r = hexAt();
          if (typeof r !== 'string') return r;
          body += r;
          j = i;
          i = save;
          continue;
        }
        if (/[0-9A-Za-z]/.test(e)) return fail(`the escape \\${e} inside [...]`);
        body += '\\' + e;
        j += 2;
        continue;
      }
      if (c === '[') {
        body += '\\[';
        j++;
        continue;
      }
      body += c;
      j++;
    }
    // with /i, the class also holds the other cases of what it holds (RE2 folds, then negates)
    if (ci) body += foldedMembers('[' + src.slice(negated ? i + 2 : i + 1, j) + ']');
    i = j + 1;
    return '[' + (negated ? '^' : '') + body + ']';
  };

  while (i < n) {
    const c = src[i]!;
    let piece: string | PgRegexResult;
    if (c === '\\') piece = escapeOutside();
    else if (c === '[') piece = bracket();
    else if (c === '.') {
      i++;
      piece = '[^\\n]';
    } else if (c === '(') {
      if (src[i + 1] === '?') {
        if (src[i + 2] === ':') {
          i += 3;
          piece = '(?:';
        } else if (src[i + 2] === 'P' && src[i + 3] === '<') {
          const close = src.indexOf('>', i + 4);
          if (close < 0) return fail('an unterminated group name');
          i = close + 1;
          piece = '(';
        } else if (src[i + 2] === '<') {
          const close = src.indexOf('>', i + 3);
          if (close < 0) return fail('an unterminated group name');
          i = close + 1;
          piece = '(';
        } else {
          return fail('inline flags (?...)');
        }
      } else {
        i++;
        piece = '(';
      }
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (m) {
        const lo = Number(m[1]);
        const hi = m[3] === undefined || m[3] === '' ? lo : Number(m[3]);
        if (lo > 255 || hi > 255) return fail(`the repetition ${m[0]} (PostgreSQL allows at most 255)`);
        i += m[0].length;
        piece = m[0];
      } else {
        i++;
        piece = '\\{';
      }
    } else if (c === '}') {
      i++;
      piece = '\\}';
    } else {
      // one character (a whole code point): with /i, the class of its fold orbit
      const ch = String.fromCodePoint(src.codePointAt(i)!);
      i += ch.length;
      const o = ci ? foldOrbit(ch) : undefined;
      piece = o ? '[' + o.map(pgChar).join('') + ']' : ch;
    }
    if (typeof piece !== 'string') return piece;
    out += piece;
  }
  return { pattern: out };
}

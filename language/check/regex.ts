/**
 * Regular expressions in LQL: RE2 syntax, run by re2js, which matches in
 * linear time whatever the pattern and input (no catastrophic backtracking).
 *
 * Input: a pattern and flags (subset of "iu"). Output: null when the pattern
 * is usable, or a plain-words reason (back-references and look-arounds are
 * not RE2 and are rejected here, before anything runs).
 */
import { RE2JS } from 're2js';

/** Compile flags for re2js from LQL flags. */
export function re2Flags(flags: string): number {
  return flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0;
}

const compiled = new Map<string, RE2JS>();

/**
 * RE2JS.compile with a cache: a pattern is compiled once per process
 * (compiled programs are immutable; matchers are made per match).
 */
export function compileRe2(pattern: string, flags: number): RE2JS {
  const key = flags + '/' + pattern;
  let re = compiled.get(key);
  if (!re) {
    re = RE2JS.compile(pattern, flags);
    if (compiled.size > 5_000) compiled.clear();
    compiled.set(key, re);
  }
  return re;
}

/** RE2JS with a compile cache, for generated scorers (same API they call). */
export const CachedRE2JS = {
  compile: compileRe2,
  CASE_INSENSITIVE: RE2JS.CASE_INSENSITIVE,
} as unknown as typeof RE2JS;

export function validateRegex(pattern: string, flags: string): string | null {
  if (pattern.length > 10_000) return 'it is longer than 10,000 characters';
  try {
    compileRe2(pattern, re2Flags(flags));
    return null;
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    if (/invalid escape sequence: `\\\d/.test(msg)) return 'back-references like \\1 are not supported';
    if (/\(\?[=!<]/.test(msg)) return 'look-ahead and look-behind are not supported';
    return msg.replace(/^error parsing regexp: /, '');
  }
}

/** A compiled matcher: `test(s)` searches anywhere in s. */
export function compileRegex(pattern: string, flags: string): { test(s: string): boolean } {
  const re = compileRe2(pattern, re2Flags(flags));
  return { test: (s: string) => re.matcher(s).find() };
}

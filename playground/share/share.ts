/**
 * Share links: the whole ruleset, compressed into the URL's hash, so a link
 * opens the playground with exactly those rules (nothing leaves the browser;
 * no server stores it).
 *
 * Input: ruleset text, or a location hash. Output: a hash fragment, or the
 * text it carries (undefined if the hash has none or is corrupt).
 * Invariants: decode(encode(text)) === text for every string (lz-string's
 * URI-safe alphabet); other hash parameters are kept.
 */
import LZString from 'lz-string';

const KEY = 'rules';

export function encodeShareHash(text: string, hash = ''): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  params.delete(KEY);
  const rest = params.toString();
  return `#${KEY}=${LZString.compressToEncodedURIComponent(text)}${rest ? '&' + rest : ''}`;
}

export function decodeShareHash(hash: string): string | undefined {
  const m = /(?:^#|&)rules=([^&]*)/.exec(hash);
  if (!m) return undefined;
  const text = LZString.decompressFromEncodedURIComponent(m[1]!);
  if (typeof text !== 'string') return undefined;
  // corrupt input may also decode to '': accept '' only from the real encoding of ''
  return text.length > 0 || m[1] === LZString.compressToEncodedURIComponent('') ? text : undefined;
}

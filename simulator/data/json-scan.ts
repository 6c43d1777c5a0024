/**
 * Positions inside JSON text that `JSON.parse` does not give: where each
 * item of a top-level array or each key of a top-level object starts, and
 * the first key written twice in a top-level object (JSON.parse keeps the
 * last value silently).
 *
 * Input: text that JSON.parse accepted. Output: 0-based offsets into it.
 * Invariants: strings (with their escapes) are skipped, so brackets, commas
 * and quotes inside text never count; only depth-1 items and keys count.
 */

/** Offset of the closing quote of the string opening at `i` (text[i] === '"'). */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) return text.length;
    let k = q - 1;
    while (text.charCodeAt(k) === 92) k--; // backslashes before the quote
    if ((q - 1 - k) % 2 === 0) return q;
    j = q + 1;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Depth-1 positions of the top-level value: for an array, the offset where
 * each item starts; for an object, the offset of each key's opening quote
 * (with the key's text).
 */
export function topLevelParts(text: string): { offset: number; key?: string }[] {
  const out: { offset: number; key?: string }[] = [];
  let i = 0;
  while (i < text.length && (isSpace(text.charCodeAt(i)) || text.charCodeAt(i) === 0xfeff)) i++;
  const open = text[i];
  if (open !== '[' && open !== '{') return out;
  let depth = 0;
  let expectItem = false;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const e = stringEnd(text, i);
      if (depth === 1 && expectItem) {
        if (open === '{') out.push({ offset: i, key: JSON.parse(text.slice(i, e + 1)) as string });
        else out.push({ offset: i });
        expectItem = false;
      }
      i = e;
      continue;
    }
    if (isSpace(c)) continue;
    if (c === 91 /* [ */ || c === 123 /* { */) {
      if (depth === 1 && expectItem && open === '[') out.push({ offset: i });
      expectItem = false;
      depth++;
      if (depth === 1) expectItem = true;
      continue;
    }
    if (c === 93 /* ] */ || c === 125 /* } */) {
      depth--;
      continue;
    }
    if (c === 44 /* , */) {
      if (depth === 1) expectItem = true;
      continue;
    }
    if (depth === 1 && expectItem && open === '[') out.push({ offset: i });
    expectItem = false;
  }
  return out;
}

/** The first key written twice in a top-level object: its text and the offsets of both. */
export function duplicateKey(text: string): { key: string; first: number; second: number } | null {
  const seen = new Map<string, number>();
  for (const p of topLevelParts(text)) {
    if (p.key === undefined) continue;
    const f = seen.get(p.key);
    if (f !== undefined) return { key: p.key, first: f, second: p.offset };
    seen.set(p.key, p.offset);
  }
  return null;
}

/**
 * How many key/value pairs a flat JSON object's text writes (valid JSON
 * whose values are all text, numbers, true/false or null): each key is the
 * string right before a `:`. Cheap enough to run on every line of a file.
 */
export function flatKeyCount(text: string): number {
  let n = 0;
  let i = text.indexOf('"');
  while (i >= 0) {
    const e = stringEnd(text, i);
    let k = e + 1;
    while (k < text.length && isSpace(text.charCodeAt(k))) k++;
    if (text.charCodeAt(k) === 58 /* : */) n++;
    i = text.indexOf('"', k);
  }
  return n;
}

/** 1-based line and column (in UTF-16 units) of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

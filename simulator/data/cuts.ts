/**
 * Where to cut a CSV file into parts that workers read side by side.
 *
 * Input: the file's first bytes (to find the header line) or the whole file
 * in memory, and the number of parts wanted.
 * Output: `headerEnd` -> the byte after the header line's break (found
 * outside quotes); `cutsOf` (a file read through a callback, on disk) and
 * `cutsInMemory` -> the header bytes (without a byte order
 * mark) and the part bounds: 0 (the first part holds the header), then offsets
 * just after a line break, and the file's end; null when the file is not
 * one to cut (JSON Lines, no header line, too few rows for two parts).
 * Invariants: a cut is speculative (a line break may be inside a quoted
 * field); the readers verify each part ended at a row's end (`parts.ts`)
 * and the file is read whole when one did not. No dependency on node: (the
 * browser cuts uploads with it).
 */

const LF = 10;
const CR = 13;
const QUOTE = 34;

/** The end of the header line (the byte after its line break), outside quotes, or -1 within `head`. */
export function headerEnd(head: Uint8Array, from: number): number {
  let quoted = false;
  for (let i = from; i < head.length; i++) {
    const c = head[i]!;
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && c === LF) return i + 1;
    else if (!quoted && c === CR) {
      if (i + 1 >= head.length) return -1;
      return head[i + 1] === LF ? i + 2 : i + 1;
    }
  }
  return -1;
}

/** Where the file's text starts (after a UTF-8 byte order mark), and whether it is JSON Lines (its first character is `{`). */
export function textStart(head: Uint8Array): { bom: number; jsonl: boolean; empty: boolean } {
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  let first = bom;
  while (first < head.length && (head[first] === 32 || head[first] === 9 || head[first] === LF || head[first] === CR)) first++;
  return { bom, jsonl: head[first] === 123 /* { */, empty: first >= head.length };
}

/**
 * The cuts of a CSV file of `size` bytes into `count` parts (fewer when it
 * has too few lines), from its first bytes `head` (at least its header line,
 * at most 1 MiB) and `lineStartAt(pos)`: the first offset after a line break
 * at or after `pos` (`size` if none); `at`: cut exactly at these offsets
 * instead (tests: awkward places). The file on disk and the file in memory
 * are cut alike.
 */
export function cutsOf(
  head: Uint8Array,
  size: number,
  count: number,
  lineStartAt: (pos: number) => number,
  at?: readonly number[],
): { prefix: Uint8Array; bounds: number[] } | null {
  const start = textStart(head);
  if (start.empty || start.jsonl) return null;
  const end = headerEnd(head, start.bom);
  if (end < 0 || end >= size) return null;
  const bounds = [0];
  const wanted = at
    ? [...at].sort((a, b) => a - b)
    : Array.from({ length: count - 1 }, (_, k) => lineStartAt(end + Math.floor(((size - end) * (k + 1)) / count)));
  for (const b of wanted) if (b > Math.max(end, bounds[bounds.length - 1]!) && b < size) bounds.push(b);
  bounds.push(size);
  return bounds.length > 2 ? { prefix: head.slice(start.bom, end), bounds } : null;
}

/** A CSV file in memory cut into `count` parts (see `cutsOf`). */
export function cutsInMemory(bytes: Uint8Array, count: number, at?: readonly number[]): { prefix: Uint8Array; bounds: number[] } | null {
  const size = bytes.length;
  const lineStartAt = (pos: number) => {
    const lf = bytes.indexOf(LF, pos);
    return lf < 0 ? size : lf + 1;
  };
  return cutsOf(bytes.subarray(0, Math.min(size, 1 << 20)), size, count, lineStartAt, at);
}

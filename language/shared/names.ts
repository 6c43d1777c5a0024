/**
 * Name helpers shared by the parser, the checker, the language service, the
 * data readers and the CLI: edit distance and "did you mean" suggestions.
 *
 * Input: a misspelt name and candidate names. Output: the closest candidates.
 * Invariant: suggestions are deterministic (ties broken by candidate order).
 */

/** Levenshtein distance, case-insensitive on a first pass (case-only typos cost 0.5). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.toLowerCase() === b.toLowerCase()) return 0.5;
  const al = a.toLowerCase();
  const bl = b.toLowerCase();
  const m = al.length;
  const n = bl.length;
  if (Math.abs(m - n) > 3) return Math.abs(m - n);
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  // indexes below stay in 0..n, the rows' length being n + 1
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = al.charCodeAt(i - 1) === bl.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n]!;
}

/** The candidates close enough to `name` to suggest, best first (at most `limit`). */
export function suggest(name: string, candidates: Iterable<string>, limit = 1): string[] {
  const max = name.length <= 2 ? 0.5 : Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  const scored: { c: string; d: number; i: number }[] = [];
  let i = 0;
  for (const c of candidates) {
    if (c === name || c === '') continue;
    const d = editDistance(name, c);
    if (d <= max) scored.push({ c, d, i: i++ });
  }
  scored.sort((x, y) => x.d - y.d || x.i - y.i);
  return scored.slice(0, limit).map((s) => s.c);
}

/** " Did you mean `x`?" or "" */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const [best] = suggest(name, candidates);
  return best ? ` Did you mean \`${best}\`?` : '';
}

/** The nearest names, for messages like "the nearest columns are a, b, c". */
export function nearest(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const all = [...candidates].map((c, i) => ({ c, d: editDistance(name, c), i }));
  all.sort((x, y) => x.d - y.d || x.i - y.i);
  return all.slice(0, limit).map((x) => x.c);
}

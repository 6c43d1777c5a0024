/**
 * Independent reference computations for tests: a plain CSV reader and the
 * statistics the simulator reports (close rates, Wilson intervals, ROC AUC
 * with DeLong's variance), written directly from their textbook definitions
 * without any simulator code, so tests can check the simulator's figures
 * against a second route over the same file.
 */
import { readFileSync } from 'node:fs';

/** Split one CSV line with quotes (no embedded newlines). */
export function csvCells(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === delim) out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** Rows of a CSV file (quoted fields, `,` or `;`, CRLF), as records keyed by header. */
export function readCsvRecords(file: string): Record<string, string>[] {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.length);
  const delim = (lines[0]!.match(/;/g)?.length ?? 0) > (lines[0]!.match(/,/g)?.length ?? 0) ? ';' : ',';
  const split = (line: string) => csvCells(line, delim);
  const head = split(lines[0]!);
  return lines.slice(1).map((l) => {
    const cells = split(l);
    const r: Record<string, string> = Object.create(null);
    head.forEach((h, k) => (r[h] = cells[k] ?? ''));
    return r;
  });
}

/** Wilson 95% score interval, from the formula. */
export function wilsonRef(k: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = k / n;
  const c = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const h = ((z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n)));
  return [c - h, c + h];
}

/** ROC AUC by counting pairs (binary search over sorted lost scores), and DeLong's 95% interval. */
export function aucRef(won: number[], lost: number[]): { auc: number; lo: number; hi: number } {
  const L = [...lost].sort((a, b) => a - b);
  const W = [...won].sort((a, b) => a - b);
  const below = (arr: number[], x: number) => {
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (arr[m]! < x) lo = m + 1;
      else hi = m;
    }
    return lo;
  };
  const countEq = (arr: number[], x: number) => {
    let k = below(arr, x);
    let c = 0;
    while (k < arr.length && arr[k] === x) c++, k++;
    return c;
  };
  const v10 = W.map((x) => (below(L, x) + 0.5 * countEq(L, x)) / L.length);
  const v01 = L.map((y) => (W.length - below(W, y) - countEq(W, y) + 0.5 * countEq(W, y)) / W.length);
  const auc = v10.reduce((a, b) => a + b, 0) / W.length;
  const variance = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return v.reduce((a, b) => a + (b - m) * (b - m), 0) / (v.length - 1);
  };
  const se = Math.sqrt(variance(v10) / W.length + variance(v01) / L.length);
  return { auc, lo: auc - 1.959963984540054 * se, hi: auc + 1.959963984540054 * se };
}

/** A small seeded random generator (mulberry32) for planted test data. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

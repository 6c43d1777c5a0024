/**
 * Recycled output arrays: the typed arrays of replays that are no longer
 * needed, handed to later replays of the same number of leads instead of
 * new ones (the playground re-runs on every edit: fresh multi-megabyte
 * arrays per run cost page faults and garbage collection).
 *
 * Input: `retire(table, keep)` when a ScoredTable will never be read again,
 * with the tables still in use (their arrays are never recycled, even when
 * shared with the retired one, as a replay reusing scores shares them).
 * Output: `f64(n)` / `i32(n)`: a zero-filled array of length n, recycled
 * when one is free, else new (an OutputAllocator for the kernel).
 * Invariants: an array is handed out at most once per retirement; arrays
 * of a table in `keep` are never handed out; at most `limit` arrays of each
 * kind are kept (the rest are left to the garbage collector); `clear()`
 * forgets everything (a new dataset).
 */
import type { KernelOutput, OutputAllocator } from './kernel/emit-kernel.js';

export class OutputRecycler implements OutputAllocator {
  private free64: Float64Array[] = [];
  private free32: Int32Array[] = [];

  constructor(private readonly limit = 32) {}

  /** Hand `table`'s arrays to later replays, except those also in a table of `keep`. */
  retire(table: KernelOutput, keep: readonly (KernelOutput | undefined)[]): void {
    const live = new Set<ArrayBufferView>();
    for (const k of keep) if (k) for (const a of arraysOf(k)) live.add(a);
    for (const a of arraysOf(table)) {
      if (live.has(a) || this.free64.includes(a as Float64Array) || this.free32.includes(a as Int32Array)) continue;
      if (a instanceof Float64Array) { if (this.free64.length < this.limit) this.free64.push(a); }
      else if (a instanceof Int32Array && this.free32.length < this.limit) this.free32.push(a);
    }
  }

  f64(n: number): Float64Array {
    const i = this.free64.findIndex((a) => a.length === n);
    return i < 0 ? new Float64Array(n) : this.free64.splice(i, 1)[0]!.fill(0);
  }

  i32(n: number): Int32Array {
    const i = this.free32.findIndex((a) => a.length === n);
    return i < 0 ? new Int32Array(n) : this.free32.splice(i, 1)[0]!.fill(0);
  }

  /** Arrays waiting to be reused (for tests). */
  get size(): number {
    return this.free64.length + this.free32.length;
  }

  clear(): void {
    this.free64 = [];
    this.free32 = [];
  }
}

function arraysOf(t: KernelOutput): (Float64Array | Int32Array)[] {
  return [...t.scores, ...t.bands, t.stage, ...t.reached, t.route];
}

/**
 * Runtime support for the simulator's columnar kernel (`emit-kernel.ts`):
 * column coercion to the ruleset's attribute types, per-dictionary lookup
 * tables, and the few text helpers the generated code calls on its slow
 * (non-tabulated) paths.
 *
 * Input: typed columns of a LeadTable (simulator/data/table.ts) and the type
 * the ruleset reads each attribute as.
 * Output: columns of exactly that type (numbers/dates: Float64Array with NaN
 * for missing; text: Int32Array codes into a duplicate-free dictionary, -1
 * missing; bools: Uint8Array 0/1/2), built once per (table, column, type).
 * Invariants: reading follows docs/semantics.md "Reading values" (the same
 * readers as the data layer); no user text is ever evaluated as code.
 */
import type { Column } from '../data/table.js';
import type { IRType } from '../../language/compile/ir.js';
import { parseNumber, parseIsoDate, parseBool } from '../data/values.js';
import { RE2JS } from 're2js';
import { domainOf } from '../../language/shared/values.js';

export type NumColumn = { type: 'number' | 'date'; values: Float64Array };
export type TextColumn = { type: 'text'; codes: Int32Array; dict: string[] };
export type BoolColumn = { type: 'bool'; values: Uint8Array };
export type TypedColumn = NumColumn | TextColumn | BoolColumn;

const cache = new WeakMap<object, Map<string, TypedColumn>>();
/** Whether a dictionary is duplicate-free, by dictionary (dictionaries are never written after loading). */
const uniqueDicts = new WeakMap<string[], boolean>();

function duplicateFree(dict: string[]): boolean {
  let u = uniqueDicts.get(dict);
  if (u === undefined) uniqueDicts.set(dict, (u = new Set(dict).size === dict.length));
  return u;
}

function numToText(v: number): string | null {
  return v === v && Number.isFinite(v) ? String(v) : null;
}

/** Text column from per-row strings (null = missing), with a duplicate-free dictionary. */
function textFrom(n: number, get: (i: number) => string | null): TextColumn {
  const codes = new Int32Array(n);
  const dict: string[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const s = get(i);
    if (s === null || s === '') {
      codes[i] = -1;
      continue;
    }
    let c = index.get(s);
    if (c === undefined) {
      c = dict.length;
      dict.push(s);
      index.set(s, c);
    }
    codes[i] = c;
  }
  return { type: 'text', codes, dict };
}

/**
 * The column read as `type`, converting when the table typed it otherwise
 * (e.g. a zip-code column inferred as number but declared text). A column
 * that does not exist is all missing.
 */
export function columnAs(owner: object, name: string, col: Column | undefined, type: IRType, n: number): TypedColumn {
  if (col && col.type === type) {
    if (col.type !== 'text') return col;
    // Integer equality on codes needs a duplicate-free dictionary.
    if (duplicateFree(col.dict)) return col;
  }
  let m = cache.get(owner);
  if (!m) {
    m = new Map();
    cache.set(owner, m);
  }
  const key = `${type}\u0000${name}`;
  const hit = m.get(key);
  if (hit) return hit;
  const out = convert(col, type, n);
  m.set(key, out);
  return out;
}

// Below, `i < n` and a column holds n rows; a text code >= 0 indexes its dictionary.
function convert(col: Column | undefined, type: IRType, n: number): TypedColumn {
  if (type === 'text') {
    if (!col) return { type: 'text', codes: new Int32Array(n).fill(-1), dict: [] };
    switch (col.type) {
      case 'text':
        return textFrom(n, (i) => {
          const k = col.codes[i]!;
          return k >= 0 ? col.dict[k]! : null;
        });
      case 'number':
        return textFrom(n, (i) => numToText(col.values[i]!));
      case 'date':
        return textFrom(n, (i) => {
          const v = col.values[i]!;
          return v === v ? new Date(v).toISOString() : null;
        });
      case 'bool':
        return textFrom(n, (i) => (col.values[i] === 1 ? 'true' : col.values[i] === 0 ? 'false' : null));
    }
  }
  if (type === 'bool') {
    const values = new Uint8Array(n).fill(2);
    if (col) {
      if (col.type === 'text') {
        const t = col.dict.map((s) => parseBool(s));
        for (let i = 0; i < n; i++) {
          const k = col.codes[i]!;
          values[i] = k >= 0 ? t[k]! : 2;
        }
      } else if (col.type === 'number') {
        for (let i = 0; i < n; i++) values[i] = col.values[i] === 1 ? 1 : col.values[i] === 0 ? 0 : 2;
      } else if (col.type === 'bool') {
        values.set(col.values);
      }
    }
    return { type: 'bool', values };
  }
  // number or date
  const values = new Float64Array(n).fill(NaN);
  if (col) {
    if (col.type === 'text') {
      const t = col.dict.map((s) => (type === 'number' ? parseNumber(s) : parseIsoDate(s)));
      for (let i = 0; i < n; i++) {
        const k = col.codes[i]!;
        values[i] = k >= 0 ? t[k]! : NaN;
      }
    } else if (col.type === 'bool') {
      if (type === 'number') {
        for (let i = 0; i < n; i++) {
          const v = col.values[i]!;
          values[i] = v === 2 ? NaN : v;
        }
      }
    } else {
      values.set(col.values);
    }
  }
  return { type, values };
}

/** lower() of a text value; null stays null. */
export function lower(s: string | null): string | null {
  return s === null ? null : s.toLowerCase();
}

/** domain(): the part after the last `@`, lower-cased; null without `@` or with nothing after it. */
export function domain(s: string | null): string | null {
  return s === null ? null : domainOf(s);
}

/** A compiled `matches` test (RE2 semantics, searches anywhere). */
export function regexTest(pattern: string, flags: string): (s: string) => boolean {
  const re = RE2JS.compile(pattern, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
  return (s: string) => re.matcher(s).find();
}

export function textOp(op: 'contains' | 'starts_with' | 'ends_with', s: string, arg: string): boolean {
  return op === 'contains' ? s.includes(arg) : op === 'starts_with' ? s.startsWith(arg) : s.endsWith(arg);
}

/** Slow-path text comparison of two possibly-missing values (false when either is missing). */
export function cmpText(op: string, a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
  return false;
}

/** What `flagActivities` reads: the events in CSR order with each event's activity index (-1 for other types). */
export interface FlagInput {
  acts?: ArrayLike<number>;
  offsets?: Int32Array;
  times?: Float64Array;
  closedAt: Float64Array;
  useClosed: boolean;
  asOf: number;
}

/**
 * Which of leads lo..hi-1 did each activity: `did[a][lead] = 1` when the lead
 * has an event of activity a strictly before its closed_at (when `useClosed`
 * and known), else at or before asOf. Leads' events are in time order.
 * Nothing without events.
 */
export function flagActivities(c: FlagInput, did: Uint8Array[], lo: number, hi: number): void {
  const { acts, offsets, times, closedAt, useClosed, asOf } = c;
  if (!acts || !offsets || !times) return;
  for (let i = lo; i < hi; i++) {
    const ca = closedAt[i]!;
    const start = offsets[i]!;
    // the events in time: found from the end (the times in order), so the loop below reads only activities
    let end = offsets[i + 1]!;
    if (useClosed && ca === ca) while (end > start && times[end - 1]! >= ca) end--;
    else while (end > start && times[end - 1]! > asOf) end--;
    for (let j = start; j < end; j++) {
      const a = acts[j]!;
      if (a >= 0) did[a]![i] = 1;
    }
  }
}

/**
 * Take ranges of a replay shared between threads until none is left
 * (simulator/replay-threads.ts): each with one atomic add on `state[0]`, so
 * a range goes to exactly one thread; run it, mark it written
 * (`state[2 + r] = 1`) and count its leads (`state[1]`). `onRange` gets the
 * leads done by all threads so far. Returns how many ranges this thread ran.
 */
export function takeRanges(bounds: Int32Array, state: Int32Array, run: (lo: number, hi: number) => void, onRange?: (done: number) => void): number {
  const ranges = bounds.length - 1;
  let mine = 0;
  for (;;) {
    const r = Atomics.add(state, 0, 1);
    if (r >= ranges) return mine;
    const lo = bounds[r]!;
    const hi = bounds[r + 1]!;
    run(lo, hi);
    mine++;
    Atomics.store(state, 2 + r, 1);
    const done = Atomics.add(state, 1, hi - lo) + (hi - lo);
    onRange?.(done);
  }
}

/** 2^-k for k = 0 .. 1074 (exact; the last ones subnormal): running decay factors over whole half-lives. */
const P2 = Float64Array.from({ length: 1075 }, (_, k) => Math.pow(2, -k));

/** The runtime object handed to generated kernels. */
export const KERNEL_RUNTIME = { lower, domain, cmpText, textOp, P2 };
export type KernelRuntime = typeof KERNEL_RUNTIME;

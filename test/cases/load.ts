/**
 * The LQL case corpus: rulesets with leads and hand-worked expected results
 * (or expected diagnostics), shared by every engine's tests: the reference
 * interpreter, the compiled scorer, the columnar kernel, the SQL export and
 * the playground.
 *
 * Input: the files `test/cases/*.case.lql`. Each is a valid LQL file (so it
 * can be opened with `lql`); its expectations are JSON written in comment
 * lines that start with `#>` (the rest of the line, joined, is one JSON
 * value). Ordinary `#` comments show the arithmetic by hand.
 *
 * The JSON is one run, or `{ "runs": [ ... ] }` with shared fields at the top
 * level (a run's own fields replace them):
 *   lead     attribute values, raw as a CRM would give them (default {})
 *   events   [{ "type": "web_visit", "at": "2026-01-02" }, ...] (default []);
 *            `at` is ISO 8601 text (no offset = UTC) or epoch ms
 *   asOf     ISO text or epoch ms; absent = the default of docs/semantics.md
 *   expect   any of { scores, bands, stage, reached, route, reasons }; only
 *            the fields given are checked; `reached` times are ISO or null;
 *            `reasons` entries are { score, points, line, rule? }
 *   expectDiagnostics  [{ code, line, col }] for rulesets that must not check
 *   expectTests        [{ name, passed, details? }] for the `test` blocks
 *   name     a run's name (default: its index)
 *
 * Output: `loadCases()` — one Case per run, sorted by file name; times are
 * given both as written and as epoch ms. `compareResult()` lists the
 * differences between an engine's result and a case's expectations.
 * Invariant: numbers are compared exactly (engines round scores to 9
 * decimals, so expectations are written with at most 9 decimals).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type RawTime = string | number;

export interface CaseReason {
  score: string;
  points: number;
  line: number;
  rule?: string;
}

export interface CaseExpect {
  scores?: Record<string, number>;
  bands?: Record<string, string>;
  stage?: string;
  /** stage name -> first time reached, epoch ms (normalised from the file), or null */
  reached?: Record<string, number | null>;
  route?: string | null;
  reasons?: CaseReason[];
}

export interface CaseDiagnostic {
  code: string;
  line: number;
  col: number;
}

export interface CaseTest {
  name: string;
  passed: boolean;
  /** per failed expect, its detail lines (reference interpreter wording) */
  details?: string[][];
}

export interface Case {
  /** `file-stem` or `file-stem#run` */
  name: string;
  /** absolute path of the .case.lql file */
  file: string;
  /** the whole file: a valid ruleset (the JSON is in comments) */
  source: string;
  lead: Record<string, unknown>;
  /** events as written */
  events: { type: string; at: RawTime }[];
  /** events with `at` in epoch ms */
  eventsMs: { type: string; at: number }[];
  /** asOf as written, or undefined */
  asOf?: RawTime;
  /** asOf in epoch ms, or undefined */
  asOfMs?: number;
  expect?: CaseExpect;
  expectDiagnostics?: CaseDiagnostic[];
  expectTests?: CaseTest[];
}

export const CASES_DIR = fileURLToPath(new URL('.', import.meta.url));

/** ISO 8601 (`2026-01-10`, `2026-01-10T09:30:00Z`, offsets; no offset = UTC) or epoch ms. */
export function timeMs(t: RawTime): number {
  if (typeof t === 'number') return t;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?)?$/.exec(t);
  if (!m) throw new Error(`not an ISO time: ${t}`);
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${m[3] ?? 'Z'}`);
  if (!Number.isFinite(ms)) throw new Error(`not an ISO time: ${t}`);
  return ms;
}

interface RawRun {
  name?: string;
  lead?: Record<string, unknown>;
  events?: { type: string; at: RawTime }[];
  asOf?: RawTime;
  expect?: Omit<CaseExpect, 'reached'> & { reached?: Record<string, RawTime | null> };
  expectDiagnostics?: CaseDiagnostic[];
  expectTests?: CaseTest[];
}

/** The `#>` JSON of a case file. */
export function caseJson(source: string, file = '<case>'): RawRun & { runs?: RawRun[] } {
  const lines = source.split(/\r?\n/).flatMap((l) => {
    const m = /^\s*#>(.*)$/.exec(l);
    return m ? [m[1]!] : [];
  });
  if (lines.length === 0) throw new Error(`${file}: no #> expectation block`);
  try {
    return JSON.parse(lines.join('\n')) as RawRun & { runs?: RawRun[] };
  } catch (e) {
    throw new Error(`${file}: bad JSON in #> block: ${(e as Error).message}`);
  }
}

/** Every case of the corpus, one per run, sorted by file then run. */
export function loadCases(dir: string = CASES_DIR): Case[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.case.lql'))
    .sort();
  const out: Case[] = [];
  for (const f of files) {
    const file = join(dir, f);
    const source = readFileSync(file, 'utf8');
    const stem = f.slice(0, -'.case.lql'.length);
    const { runs, ...shared } = caseJson(source, file);
    const list = runs ?? [{}];
    list.forEach((run, i) => {
      const r: RawRun = { ...shared, ...run };
      const events = r.events ?? [];
      const c: Case = {
        name: runs ? `${stem}#${run.name ?? i}` : stem,
        file,
        source,
        lead: r.lead ?? {},
        events,
        eventsMs: events.map((e) => ({ type: e.type, at: timeMs(e.at) })),
      };
      if (r.asOf !== undefined) {
        c.asOf = r.asOf;
        c.asOfMs = timeMs(r.asOf);
      }
      if (r.expect) {
        const { reached, ...rest } = r.expect;
        c.expect = rest;
        if (reached) {
          c.expect.reached = Object.fromEntries(
            Object.entries(reached).map(([k, v]) => [k, v === null ? null : timeMs(v)]),
          );
        }
      }
      if (r.expectDiagnostics) c.expectDiagnostics = r.expectDiagnostics;
      if (r.expectTests) c.expectTests = r.expectTests;
      out.push(c);
    });
  }
  return out;
}

/** The shape of a result that `compareResult` reads (the interpreter's ScoreResult fits). */
export interface ResultLike {
  scores: Record<string, number>;
  bands: Record<string, string>;
  stage: string;
  reached: Record<string, number | null>;
  route: string | null;
  reasons?: { score: string; points: number; line: number; rule: string }[];
}

/** Scores agree exactly: every engine rounds them to 9 decimals ("Numbers, exactly"). */
export function closeEnough(actual: number, expected: number): boolean {
  return actual === expected;
}

/** Human-readable differences between a result and a case's expectations ([] = agrees). */
export function compareResult(actual: ResultLike, expect: CaseExpect): string[] {
  const diffs: string[] = [];
  const iso = (t: number | null | undefined) => (t === null || t === undefined ? String(t) : new Date(t).toISOString());
  for (const [k, v] of Object.entries(expect.scores ?? {})) {
    const a = actual.scores[k];
    if (typeof a !== 'number' || !closeEnough(a, v)) diffs.push(`score ${k}: expected ${v}, got ${a}`);
  }
  for (const [k, v] of Object.entries(expect.bands ?? {})) {
    if (actual.bands[k] !== v) diffs.push(`band ${k}: expected ${v}, got ${actual.bands[k]}`);
  }
  if (expect.stage !== undefined && actual.stage !== expect.stage) {
    diffs.push(`stage: expected ${JSON.stringify(expect.stage)}, got ${JSON.stringify(actual.stage)}`);
  }
  if (expect.reached) {
    for (const [k, v] of Object.entries(expect.reached)) {
      if (actual.reached[k] !== v) diffs.push(`reached ${k}: expected ${iso(v)}, got ${iso(actual.reached[k])}`);
    }
    for (const k of Object.keys(actual.reached)) {
      if (!(k in expect.reached)) diffs.push(`reached: unexpected stage ${k}`);
    }
  }
  if (expect.route !== undefined && actual.route !== expect.route) {
    diffs.push(`route: expected ${JSON.stringify(expect.route)}, got ${JSON.stringify(actual.route)}`);
  }
  if (expect.reasons) {
    const got = actual.reasons ?? [];
    if (got.length !== expect.reasons.length) diffs.push(`reasons: expected ${expect.reasons.length}, got ${got.length}`);
    expect.reasons.forEach((r, i) => {
      const a = got[i];
      if (
        !a ||
        a.score !== r.score ||
        a.line !== r.line ||
        !closeEnough(a.points, r.points) ||
        (r.rule !== undefined && a.rule !== r.rule)
      ) {
        diffs.push(`reason ${i}: expected ${JSON.stringify(r)}, got ${JSON.stringify(a)}`);
      }
    });
  }
  return diffs;
}

/** The cases with expectations, grouped by corpus file: [file name, cases] (one ruleset per file). */
export function expectedCasesByFile(dir: string = CASES_DIR): (readonly [string, Case[]])[] {
  const byFile = new Map<string, Case[]>();
  for (const c of loadCases(dir).filter((x) => x.expect)) {
    const list = byFile.get(c.file) ?? [];
    list.push(c);
    byFile.set(c.file, list);
  }
  return [...byFile.entries()].map(([f, cs]) => [f.split('/').pop()!, cs] as const);
}

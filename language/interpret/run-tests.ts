/**
 * Running a ruleset's `test` blocks with the reference interpreter (what
 * `lql test` does).
 *
 * Input: a Program that checked without errors, its attribute types, and
 * optionally its source text (for readable failure messages).
 * Output: one TestOutcome per `test` block, in source order; each failed
 * `expect` lists, for every comparison that made it fail, what was expected
 * and what the lead actually had (`expected fit == 40, got 25`).
 * Invariants: a test's lead is built from its `lead { }` fields, its events
 * from `events { }`, and its time is `at`, or the latest event's time, or
 * 1970-01-01 with no events; each `expect` is evaluated over the result at
 * that time (scores, bands, `stage`, `route`, stage names as "reached",
 * attributes, activities, segments).
 */
import type { AttrType, Expr, Literal, Program, TestDecl, Value } from '../syntax/ast.js';
import { Env, Names, evaluate, prepareEvents, resolveAsOf, result, type ScoreResult } from './interpreter.js';
import { nodeText } from './print.js';
import type { Val } from '../shared/values.js';

export interface ExpectFailure {
  /** 1-based line and column of the `expect` */
  line: number;
  column: number;
  /** the expect's condition, as written */
  text: string;
  /** one line per comparison that made it fail: `expected fit == 40, got 25` */
  details: string[];
}

export interface TestOutcome {
  name: string;
  /** 1-based line of the `test` keyword */
  line: number;
  passed: boolean;
  failures: ExpectFailure[];
  /** the lead's result at the test's time */
  result: ScoreResult;
}

/** A test's lead record: each `lead { }` field's literal value (dates as ISO text). */
export function testLead(test: TestDecl): Record<string, unknown> {
  const lead = Object.create(null) as Record<string, unknown>;
  for (const f of test.lead) lead[f.key.text] = literalRaw(f.value);
  return lead;
}

function literalRaw(l: Literal): unknown {
  if (l.kind === 'Date') return Number.isFinite(l.value) ? new Date(l.value).toISOString() : null;
  return l.value;
}

/** Run every `test` block of the program. */
export function runTests(
  program: Program,
  attributeTypes: ReadonlyMap<string, AttrType>,
  source?: string,
): TestOutcome[] {
  const names = new Names(program, attributeTypes);
  const outcomes: TestOutcome[] = [];
  for (const d of program.decls) {
    if (d.kind !== 'Test') continue;
    const events = prepareEvents(names, d.events.map((e) => ({ type: e.type.text, at: e.at.value })));
    const asOf = d.at !== null ? d.at.value : resolveAsOf(events);
    const env = new Env(names, testLead(d), events);
    evaluate(env, asOf);
    const res = result(env, source);
    const failures: ExpectFailure[] = [];
    for (const x of d.expects) {
      if (env.cond(x.cond)) continue;
      failures.push({
        line: x.range.start.line,
        column: x.range.start.column,
        text: nodeText(x.cond, source),
        details: blame(env, x.cond, true, source),
      });
    }
    outcomes.push({ name: d.name.value, line: d.range.start.line, passed: failures.length === 0, failures, result: res });
  }
  return outcomes;
}

/**
 * The comparisons responsible for `e` not being `wanted`: under `and` the
 * parts that failed, under `or` all parts, through `not` with `wanted` flipped.
 */
function blame(env: Env, e: Expr, wanted: boolean, source?: string): string[] {
  switch (e.kind) {
    case 'Paren':
      return blame(env, e.inner, wanted, source);
    case 'Not':
      return blame(env, e.operand, !wanted, source);
    case 'And':
    case 'Or': {
      const parts = [e.left, e.right];
      // `and` wanted true / `or` wanted false: blame the parts that are off;
      // otherwise every part is off.
      const selective = (e.kind === 'And') === wanted;
      return parts.filter((p) => !selective || env.cond(p) !== wanted).flatMap((p) => blame(env, p, wanted, source));
    }
    default: {
      const text = nodeText(e, source);
      const expected = wanted ? text : e.kind === 'Truthy' ? `not ${text}` : `not (${text})`;
      return [`expected ${expected}, got ${actual(env, e, source)}`];
    }
  }
}

/** What the lead had for a comparison's non-constant operands. */
function actual(env: Env, e: Expr, source?: string): string {
  const show = (v: Value, other: Value | null) => fmt(env, v, other);
  switch (e.kind) {
    case 'Compare':
      return operands(env, [
        [e.left, e.right],
        [e.right, e.left],
      ], show, source);
    case 'Between':
      return operands(env, [
        [e.value, null],
        [e.low, null],
        [e.high, null],
      ], show, source);
    case 'In':
    case 'TextTest':
    case 'Matches':
    case 'Presence':
      return show(e.value, null);
    case 'Truthy': {
      const v = e.value;
      if (v.kind === 'Ref') {
        const b = env.names.resolve(v.name);
        if (b.k === 'stage') {
          const now = env.furthest();
          return `${v.name.text} ${env.reached.get(v.name.text) != null ? 'reached' : 'not reached'} (stage is ${now ?? 'none'})`;
        }
        if (b.k === 'activity') {
          const n = env.eventsOf(v.name.text, null).length;
          return `${n} ${v.name.text} event${n === 1 ? '' : 's'}`;
        }
      }
      return show(v, null);
    }
    default:
      return String(env.cond(e));
  }
}

function operands(
  env: Env,
  pairs: [Value, Value | null][],
  show: (v: Value, other: Value | null) => string,
  source?: string,
): string {
  const live = pairs.filter(([v, other]) => !env.isConstant(v, other ?? v));
  if (live.length === 1) return show(live[0]![0], live[0]![1]);
  return live.map(([v, other]) => `${nodeText(v, source)} = ${show(v, other)}`).join(', ');
}

/** A value for a message: numbers trimmed, text quoted, labels bare, dates ISO. */
function fmt(env: Env, v: Value, _other: Value | null): string {
  const val: Val = env.value(v);
  if (val === null) return 'missing';
  const type = env.typeOf(v);
  if (typeof val === 'number') {
    if (type === 'date') return isoDate(val);
    return fmtNumber(val);
  }
  if (typeof val === 'string') return env.labelsOf(v) !== null ? val : JSON.stringify(val);
  return String(val);
}

export function fmtNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(12)));
}

function isoDate(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('T00:00:00.000Z') ? s.slice(0, 10) : s.replace('.000Z', 'Z');
}

/**
 * A plain-text report of test outcomes, one line per test, failures indented,
 * ending with `N passed, N failed`.
 */
export function formatTestReport(outcomes: readonly TestOutcome[], file?: string): string {
  const lines: string[] = [];
  const where = (line: number, col: number) => (file ? `${file}:${line}:${col}` : `line ${line}`);
  for (const o of outcomes) {
    lines.push(`${o.passed ? 'PASS' : 'FAIL'} ${o.name}`);
    for (const f of o.failures) {
      lines.push(`  ${where(f.line, f.column)}: expect ${f.text}`);
      for (const d of f.details) lines.push(`    ${d}`);
    }
  }
  const passed = outcomes.filter((o) => o.passed).length;
  lines.push(`${passed} passed, ${outcomes.length - passed} failed`);
  return lines.join('\n');
}

/**
 * Machine-readable reports of `lql test` for CI systems: JUnit XML (read by
 * GitHub, GitLab, Jenkins, ...), TAP 14 and JSON.
 *
 * Input: per ruleset file, its test outcomes, or the diagnostics that kept
 * it from running (a ruleset with errors). Output: the report's text.
 * Invariants: every user string (test names, file names, messages) is
 * escaped for its format: XML text and attributes (characters XML cannot
 * hold become U+FFFD), TAP descriptions (`#` escaped) and YAML blocks
 * (JSON-quoted scalars); a file that did not compile is an error, not a
 * silently missing test.
 */
import type { TestOutcome } from '../language/interpret/run-tests.js';
import type { Diagnostic } from '../language/diagnostics/diagnostic.js';

export type ReporterName = 'junit' | 'tap' | 'json';
export const REPORTERS: readonly ReporterName[] = ['junit', 'tap', 'json'];

export interface FileResult {
  file: string;
  /** the tests' outcomes, when the ruleset compiled */
  outcomes?: readonly TestOutcome[];
  /** the errors that kept the ruleset from running */
  errors?: readonly Diagnostic[];
  /** milliseconds spent on the file */
  ms: number;
}

const where = (file: string, line: number, column: number): string => `${file}:${line}:${column}`;

function failureText(file: string, o: TestOutcome): string {
  return o.failures.map((f) => [`${where(file, f.line, f.column)}: expect ${f.text}`, ...f.details.map((d) => `  ${d}`)].join('\n')).join('\n');
}

function errorText(file: string, errors: readonly Diagnostic[]): string {
  return errors.map((d) => `${where(file, d.range.start.line, d.range.start.column)}: error ${d.code}: ${d.message}`).join('\n');
}

function totals(results: readonly FileResult[]): { tests: number; failures: number; errors: number } {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const r of results) {
    if (r.outcomes) {
      tests += r.outcomes.length;
      failures += r.outcomes.filter((o) => !o.passed).length;
    } else errors++;
  }
  return { tests, failures, errors };
}

// ---------------------------------------------------------------------------
// JUnit XML

/** Text XML 1.0 can hold, escaped for text and attribute values. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

const attrs = (o: Record<string, string | number>): string =>
  Object.entries(o)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');

export function junitReport(results: readonly FileResult[]): string {
  const t = totals(results);
  const secs = (ms: number): string => (ms / 1000).toFixed(3);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs({ name: 'lql test', tests: t.tests + t.errors, failures: t.failures, errors: t.errors, time: secs(results.reduce((a, r) => a + r.ms, 0)) })}>`];
  for (const r of results) {
    if (!r.outcomes) {
      out.push(`  <testsuite${attrs({ name: r.file, tests: 1, failures: 0, errors: 1, time: secs(r.ms), file: r.file })}>`);
      out.push(`    <testcase${attrs({ name: 'the ruleset compiles', classname: r.file, file: r.file, line: r.errors?.[0]?.range.start.line ?? 1 })}>`);
      out.push(`      <error${attrs({ message: `${r.errors?.length ?? 0} error(s) in the ruleset; its tests did not run`, type: 'ruleset' })}>${xmlEscape(errorText(r.file, r.errors ?? []))}</error>`);
      out.push('    </testcase>', '  </testsuite>');
      continue;
    }
    const failed = r.outcomes.filter((o) => !o.passed).length;
    out.push(`  <testsuite${attrs({ name: r.file, tests: r.outcomes.length, failures: failed, errors: 0, time: secs(r.ms), file: r.file })}>`);
    for (const o of r.outcomes) {
      const head = `    <testcase${attrs({ name: o.name, classname: r.file, file: r.file, line: o.line })}`;
      if (o.passed) {
        out.push(`${head}/>`);
        continue;
      }
      const first = o.failures[0];
      out.push(`${head}>`);
      out.push(`      <failure${attrs({ message: first ? `expect ${first.text}` : 'failed', type: 'expect' })}>${xmlEscape(failureText(r.file, o))}</failure>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n');
}

// ---------------------------------------------------------------------------
// TAP 14

/** A TAP description: one line, `#` and `\` escaped. */
const tapText = (s: string): string => s.replace(/[\r\n]+/g, ' ').replace(/\\/g, '\\\\').replace(/#/g, '\\#');

/** A YAML block under a test point; values are JSON-quoted (JSON is YAML). */
function yamlBlock(fields: Record<string, string | number | string[]>): string[] {
  const lines = ['  ---'];
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) {
      lines.push(`  ${k}:`);
      for (const x of v) lines.push(`    - ${JSON.stringify(x)}`);
    } else lines.push(`  ${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  }
  lines.push('  ...');
  return lines;
}

export function tapReport(results: readonly FileResult[]): string {
  const t = totals(results);
  const out = ['TAP version 14', `1..${t.tests + t.errors}`];
  let n = 0;
  for (const r of results) {
    if (!r.outcomes) {
      n++;
      out.push(`not ok ${n} - ${tapText(`${r.file}: the ruleset compiles`)}`);
      out.push(...yamlBlock({ message: `${r.errors?.length ?? 0} error(s) in the ruleset; its tests did not run`, severity: 'fail', errors: (r.errors ?? []).map((d) => `${where(r.file, d.range.start.line, d.range.start.column)}: ${d.code}: ${d.message}`) }));
      continue;
    }
    for (const o of r.outcomes) {
      n++;
      out.push(`${o.passed ? 'ok' : 'not ok'} ${n} - ${tapText(`${r.file}: ${o.name}`)}`);
      if (!o.passed) {
        const first = o.failures[0];
        out.push(
          ...yamlBlock({
            message: first ? `expect ${first.text}` : 'failed',
            severity: 'fail',
            at: first ? where(r.file, first.line, first.column) : where(r.file, o.line, 1),
            details: o.failures.flatMap((f) => [`${where(r.file, f.line, f.column)}: expect ${f.text}`, ...f.details]),
          }),
        );
      }
    }
  }
  out.push(`# ${t.tests - t.failures} passed, ${t.failures + t.errors} failed`);
  return out.join('\n');
}

// ---------------------------------------------------------------------------
// JSON

export interface JsonTestReport {
  passed: number;
  failed: number;
  files: {
    file: string;
    errors?: { line: number; column: number; code: string; message: string }[];
    tests: { name: string; line: number; passed: boolean; failures: { line: number; column: number; expect: string; details: string[] }[]; stage: string; scores: Record<string, number> }[];
  }[];
}

export function jsonReport(results: readonly FileResult[]): string {
  const t = totals(results);
  const report: JsonTestReport = {
    passed: t.tests - t.failures,
    failed: t.failures + t.errors,
    files: results.map((r) => ({
      file: r.file,
      ...(r.errors ? { errors: r.errors.map((d) => ({ line: d.range.start.line, column: d.range.start.column, code: d.code, message: d.message })) } : {}),
      tests: (r.outcomes ?? []).map((o) => ({
        name: o.name,
        line: o.line,
        passed: o.passed,
        failures: o.failures.map((f) => ({ line: f.line, column: f.column, expect: f.text, details: f.details })),
        stage: o.result.stage,
        scores: { ...o.result.scores },
      })),
    })),
  };
  return JSON.stringify(report, null, 2);
}

export function testReport(name: ReporterName, results: readonly FileResult[]): string {
  return name === 'junit' ? junitReport(results) : name === 'tap' ? tapReport(results) : jsonReport(results);
}

/**
 * The LQL language front end in one call: source text -> AST -> checked
 * program -> IR, with every diagnostic of every phase.
 *
 * Input: ruleset source text (and optionally the dataset's columns).
 * Output: `{ program, checked, diagnostics, ir }`; `ir` is null exactly when
 * there is an error among the diagnostics (an internal failure is LQL111).
 * Never throws.
 */
import { parse } from './syntax/parser.js';
import { check, type CheckResult, type CheckOptions } from './check/checker.js';
import { lower } from './compile/lower.js';
import { unreachable } from './compile/reach.js';
import type { Program } from './syntax/ast.js';
import { diag } from './diagnostics/registry.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import type { IR } from './compile/ir.js';

export const COMPILER_VERSION = '0.1.0';

export interface CompileResult {
  program: Program;
  checked: CheckResult;
  diagnostics: Diagnostic[];
  /** null when there is an error */
  ir: IR | null;
}

export function compileSource(text: string, options: CheckOptions = {}): CompileResult {
  const parsed = parse(text);
  const checked = check(parsed.program, options);
  // Parse errors first at each position; the checker does not repeat them.
  const diagnostics = [...parsed.diagnostics, ...checked.diagnostics].sort(
    (a, b) => a.range.start.offset - b.range.start.offset,
  );
  const hasError = diagnostics.some((d) => d.severity === 'error');
  let ir: IR | null = null;
  if (!hasError) {
    try {
      ir = lower(parsed.program, checked, text);
      // band labels and stages no lead can reach (from the scores' reachable ranges)
      const never = unreachable(ir, text);
      if (never.length) {
        diagnostics.push(...never);
        diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset);
      }
    } catch (e) {
      // a checked program always lowers; if not, say so (never an IR-less success)
      diagnostics.push(diag('LQL111', parsed.program.range, { phase: 'lowering to IR', message: e instanceof Error ? e.message : String(e) }));
    }
  }
  return { program: parsed.program, checked, diagnostics, ir };
}

export { parse } from './syntax/parser.js';
export { check } from './check/checker.js';
export { lower } from './compile/lower.js';
export type { IR } from './compile/ir.js';
export type { Diagnostic } from './diagnostics/diagnostic.js';

/**
 * The registry of every diagnostic code LQL can report: its default
 * severity, a one-line title and a message template. `{name}` placeholders
 * are filled by `diag()`. Every code here has a help page in
 * `docs/errors/CODE.md` (a test checks it), and every code reported anywhere
 * must be listed here (the `diag()` helper only accepts known codes).
 *
 * Ranges, by area (add new codes in your area's section, keep numbers unique):
 *   LQL1xx  lexing and parsing
 *   LQL2xx  names and declarations
 *   LQL3xx  types and values
 *   LQL4xx  warnings (dead or shadowed rules, unused names)
 *   LQL5xx  data files (CSV/JSONL) and the simulator
 *   LQL6xx  tests, CLI and usage
 *   LQL7xx  SQL export and database engines
 */
import type { Diagnostic, Severity, Fix, RelatedInfo } from './diagnostic.js';
import type { Range } from '../syntax/ast.js';

export interface CodeInfo {
  severity: Severity;
  title: string;
  message: string;
}

export const REGISTRY = {
  // --- LQL1xx lexing and parsing ------------------------------------------------
  // --- LQL2xx names and declarations ---------------------------------------------
  // --- LQL3xx types and values ----------------------------------------------------
  // --- LQL4xx warnings ------------------------------------------------------------
  // --- LQL5xx data files and the simulator ----------------------------------------
  // --- LQL6xx tests, CLI and usage ------------------------------------------------
  // --- LQL7xx SQL export and database engines -------------------------------------
} satisfies Record<string, CodeInfo>;

export type Code = keyof typeof REGISTRY;

/** Fill `{name}` placeholders from args. */
export function format(template: string, args: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in args ? String(args[k]) : m));
}

export function diag(
  code: Code,
  range: Range,
  args: Record<string, string | number> = {},
  extra: { file?: string; related?: RelatedInfo[]; fix?: Fix[]; severity?: Severity } = {},
): Diagnostic {
  const info: CodeInfo = (REGISTRY as Record<string, CodeInfo>)[code];
  const d: Diagnostic = {
    code,
    severity: extra.severity ?? info.severity,
    message: format(info.message, args),
    range,
  };
  if (extra.file !== undefined) d.file = extra.file;
  if (extra.related) d.related = extra.related;
  if (extra.fix) d.fix = extra.fix;
  return d;
}

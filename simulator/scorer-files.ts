/**
 * A compiled ruleset as a file to download: an ES or CommonJS module, the
 * IR as JSON, or SQL for DuckDB or PostgreSQL.
 *
 * Input: the IR, the target, the SQL dialect, and (for a module whose rules
 * use `matches`) a way to get re2js's source and licence to embed.
 * Output: `{ fileName, mime, content }`; the file name is the ruleset's name
 * in lower case with dashes (`ruleset` when it has none).
 * Invariants: the same emitters as `lql compile` (`emitModule`, `emitSql`);
 * the regular-expression engine is fetched only when the module needs it;
 * no Node-only module.
 */
import { COMPILER_VERSION } from '../language/index.js';
import type { IR } from '../language/compile/ir.js';
import { emitModule } from '../language/compile/emit-js.js';
import { emitSql } from '../language/compile/emit-sql.js';

export type ScorerTarget = 'esm' | 'cjs' | 'json' | 'sql';
export type SqlDialect = 'duckdb' | 'postgres';

export interface ScorerFile {
  fileName: string;
  mime: string;
  content: string;
}

/** A ruleset's name as a file name: lower case, dashes between words. */
export function fileSlug(name: string | null | undefined): string {
  const s = (name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return s || 'ruleset';
}

/** The scorer file for `target`; throws what the emitters throw (e.g. SQL the dialect cannot express). */
export async function scorerFile(
  ir: IR,
  target: ScorerTarget,
  dialect: SqlDialect,
  regexSource: () => Promise<{ code: string; licence: string }>,
): Promise<ScorerFile> {
  const name = fileSlug(ir.name);
  if (target === 'json') return { fileName: `${name}.json`, mime: 'application/json', content: JSON.stringify(ir, null, 2) + '\n' };
  if (target === 'sql') return { fileName: `${name}.${dialect}.sql`, mime: 'application/sql', content: emitSql(ir, { dialect }) };
  let content: string;
  try {
    content = emitModule(ir, { format: target, compilerVersion: COMPILER_VERSION });
  } catch {
    // a module that needs `matches` embeds the regular-expression engine
    content = emitModule(ir, { format: target, compilerVersion: COMPILER_VERSION, regexEngineSource: await regexSource() });
  }
  return { fileName: `${name}.${target === 'esm' ? 'mjs' : 'cjs'}`, mime: 'text/javascript', content };
}

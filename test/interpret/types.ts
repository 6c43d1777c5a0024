// Attribute types for a parsed program: the checker's when it exists, else the
// `attribute` declarations (anything undeclared is text).
import type { AttrType, Program } from '../../language/syntax/ast.js';
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';

interface CheckerModule {
  check(p: Program): { diagnostics: Diagnostic[]; attributeTypes: Map<string, AttrType> };
}

async function checker(): Promise<CheckerModule | null> {
  try {
    return (await import('../../language/check/checker.js' as string)) as CheckerModule;
  } catch (e) {
    if (e instanceof Error && /Cannot find|Failed to load|does not provide|Does the file exist/i.test(e.message)) return null;
    throw e;
  }
}

/** The checker's diagnostics, or null when there is no checker yet. */
export async function checkerDiagnostics(program: Program): Promise<Diagnostic[] | null> {
  const mod = await checker();
  return mod ? mod.check(program).diagnostics : null;
}

export async function attributeTypesFor(program: Program): Promise<Map<string, AttrType>> {
  const mod = await checker();
  if (mod) return mod.check(program).attributeTypes;
  const types = new Map<string, AttrType>();
  for (const d of program.decls) {
    if (d.kind === 'Attribute') types.set(d.name.text, d.type.text as AttrType);
  }
  return types;
}

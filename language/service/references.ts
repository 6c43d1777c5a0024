/**
 * Find references and rename.
 *
 * Input: text, a 0-based offset (and, for rename, the new name). Output:
 * `getReferences` gives every place the declared thing named at the offset
 * is written (its declaration first when asked for); `prepareRename` says
 * whether that name can be renamed (with the range to edit) or why not;
 * `getRenameEdits` gives the edits that rename it everywhere, or a
 * plain-words reason when the new name is not allowed.
 * Renamable: segments, lists, scores (other than `fit` and `engagement`,
 * which are block kinds), derived scores, bands, stages and activities.
 * Attributes are columns of the data, so renaming one is refused with that
 * reason. Invariant: pure; never throws; a rename never produces a name
 * that collides with another declaration or a reserved word (it is
 * written in backticks when it needs them).
 */
import { needsQuoting } from '../syntax/tokens.js';
import { analyze, nameAt, type Analysis, type NameUse } from './analyze.js';
import type { ServiceContext } from './context.js';
import type { Location, Range, TextEdit } from './lsp.js';

/** Roles through which a name can refer to a declared symbol (band labels and types are not symbols). */
const SYMBOL_ROLES = new Set(['decl', 'ref', 'activity', 'target', 'source']);

function symbolUse(a: Analysis, u: NameUse): boolean {
  if (!a.checked.symbols.has(u.name.text)) return false;
  if (SYMBOL_ROLES.has(u.role)) return true;
  // a test's `lead { industry: ... }` key names an attribute
  return u.role === 'key' && a.checked.symbols.get(u.name.text)!.kind === 'attribute';
}

/** The name uses that refer to the same declared thing as the name at `offset`. */
function usesAt(a: Analysis, offset: number): { use: NameUse; all: NameUse[] } | undefined {
  const use = nameAt(a, offset);
  if (!use || !symbolUse(a, use)) return undefined;
  const all = a.names.filter((u) => u.name.text === use.name.text && symbolUse(a, u));
  return { use, all };
}

/** Every place the segment, list, score, band, stage, activity or attribute at `offset` is written. */
export function getReferences(text: string, offset: number, ctx: ServiceContext = {}, includeDeclaration = true): Location[] {
  try {
    const a = analyze(text, ctx);
    const found = usesAt(a, offset);
    if (!found) return [];
    const declRange = a.checked.symbols.get(found.use.name.text)!.range;
    const isDecl = (u: NameUse): boolean => u.role === 'decl' || (u.name.range.start.offset === declRange.start.offset && u.name.range.end.offset === declRange.end.offset);
    return found.all.filter((u) => includeDeclaration || !isDecl(u)).map((u) => ({ uri: ctx.uri ?? '', range: a.lines.fromAst(u.name.range) }));
  } catch {
    return [];
  }
}

export type RenameCheck = { range: Range; placeholder: string } | { error: string };

function renamable(a: Analysis, offset: number): { use: NameUse; all: NameUse[] } | { error: string } {
  const found = usesAt(a, offset);
  if (!found) return { error: 'Only the name of a segment, list, score, band, stage or activity can be renamed.' };
  const s = a.checked.symbols.get(found.use.name.text)!;
  if (s.kind === 'attribute') return { error: `'${s.name}' is a column of the data; rename the column in the data and in the ruleset together.` };
  if (s.kind === 'score' && (s.scoreKind === 'fit' || s.scoreKind === 'engagement')) return { error: `'${s.name}' is a kind of score block and keeps its name.` };
  if (!s.declared) return { error: `'${s.name}' is not declared in this ruleset.` };
  return found;
}

/** Can the name at `offset` be renamed? The range of the name and its current text, or why not. */
export function prepareRename(text: string, offset: number, ctx: ServiceContext = {}): RenameCheck {
  try {
    const a = analyze(text, ctx);
    const r = renamable(a, offset);
    if ('error' in r) return r;
    return { range: a.lines.fromAst(r.use.name.range), placeholder: r.use.name.text };
  } catch {
    return { error: 'This name cannot be renamed.' };
  }
}

/** The edits that rename the declared thing at `offset` to `newName` everywhere in the text, or why not. */
export function getRenameEdits(text: string, offset: number, newName: string, ctx: ServiceContext = {}): { edits: TextEdit[] } | { error: string } {
  try {
    const a = analyze(text, ctx);
    const r = renamable(a, offset);
    if ('error' in r) return r;
    const name = newName.replace(/^`(.*)`$/s, '$1');
    if (name === '' || /[`\r\n]/.test(name)) return { error: `'${newName}' is not a name: use letters, digits and _ (other characters are written in backticks, which a name cannot contain).` };
    const old = r.use.name.text;
    if (name === old) return { edits: [] };
    const clash = a.checked.symbols.get(name);
    if (clash) return { error: `'${name}' is already the name of ${article(clash.kind)} ${clash.kind} (line ${clash.range.start.line}); choose another name.` };
    const written = needsQuoting(name) ? '`' + name + '`' : name;
    const seen = new Set<number>();
    const edits: TextEdit[] = [];
    for (const u of r.all) {
      if (seen.has(u.name.range.start.offset)) continue;
      seen.add(u.name.range.start.offset);
      edits.push({ range: a.lines.fromAst(u.name.range), newText: written });
    }
    return { edits };
  } catch {
    return { error: 'This name cannot be renamed.' };
  }
}


function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? 'an' : 'a';
}

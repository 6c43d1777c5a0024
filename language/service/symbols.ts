/**
 * Outline and go-to-definition.
 *
 * Input: text and a 0-based offset. Output: `getDocumentSymbols` gives one
 * LSP DocumentSymbol per declaration (with its rules, labels, stages or
 * routes as children); `getDefinition` gives the declaration a name refers
 * to: a segment, list, score, band, activity, stage, declared attribute or
 * band label. Invariant: pure; never throws; undeclared attributes (columns
 * read from the data) have no definition.
 */
import type * as A from '../syntax/ast.js';
import { analyze, nameAt, type Analysis } from './analyze.js';
import type { ServiceContext } from './context.js';
import { SymbolKind, type DocumentSymbol, type Location } from './lsp.js';

function sym(a: Analysis, name: string, kind: number, range: A.Range, sel: A.Range, detail?: string, children?: DocumentSymbol[]): DocumentSymbol {
  const s: DocumentSymbol = { name: name || '?', kind, range: a.lines.fromAst(range), selectionRange: a.lines.fromAst(sel) };
  if (detail) s.detail = detail;
  if (children?.length) s.children = children;
  return s;
}

function ruleLabel(r: A.Rule | A.DecayClause, text: string): string {
  const src = text.slice(r.range.start.offset, r.range.end.offset).replace(/\s+/g, ' ');
  return src.length > 60 ? src.slice(0, 57) + '...' : src;
}

/** The outline: declarations in source order. */
export function getDocumentSymbols(text: string): DocumentSymbol[] {
  const a = analyze(text);
  const out: DocumentSymbol[] = [];
  for (const d of a.program.decls) {
    switch (d.kind) {
      case 'Ruleset':
        out.push(sym(a, d.name.value, SymbolKind.Module, d.range, d.name.range, 'ruleset'));
        break;
      case 'Attribute':
        out.push(sym(a, d.name.text, SymbolKind.Property, d.range, d.name.range, `attribute: ${d.type.text}`));
        break;
      case 'Activity':
        for (const n of d.names) out.push(sym(a, n.text, SymbolKind.Event, d.range, n.range, 'activity'));
        break;
      case 'List':
        out.push(sym(a, d.name.text, SymbolKind.Array, d.range, d.name.range, `list of ${d.items.length}`));
        break;
      case 'Segment':
        out.push(sym(a, d.name.text, SymbolKind.Function, d.range, d.name.range, 'segment'));
        break;
      case 'ScoreBlock':
        out.push(
          sym(
            a,
            d.name.text,
            SymbolKind.Variable,
            d.range,
            d.name.range,
            d.block === 'score' ? 'score' : `${d.block} score`,
            d.items.map((r) => sym(a, ruleLabel(r, text), SymbolKind.Field, r.range, r.range, r.kind === 'Decay' ? 'decay' : 'rule')),
          ),
        );
        break;
      case 'DerivedScore':
        out.push(sym(a, d.name.text, SymbolKind.Variable, d.range, d.name.range, 'derived score'));
        break;
      case 'Band':
        out.push(
          sym(a, d.name.text, SymbolKind.Enum, d.range, d.name.range, `band from ${d.source.text}`, d.entries.map((e) => sym(a, e.label.text, SymbolKind.EnumMember, e.range, e.label.range, e.threshold ? `>= ${e.threshold.raw}` : 'otherwise'))),
        );
        break;
      case 'Stages':
        out.push(sym(a, 'stages', SymbolKind.Class, d.range, d.range, undefined, d.entries.map((e) => sym(a, e.name.text, SymbolKind.EnumMember, e.range, e.name.range, 'stage'))));
        break;
      case 'Route':
        out.push(sym(a, 'route', SymbolKind.Class, d.range, d.range, undefined, d.entries.map((e) => sym(a, e.action.value, SymbolKind.String, e.range, e.action.range, e.cond ? 'route' : 'otherwise'))));
        break;
      case 'Test':
        out.push(sym(a, d.name.value, SymbolKind.Object, d.range, d.name.range, 'test'));
        break;
    }
  }
  return out;
}

/** The declaration range of a name, if the name at `offset` refers to a declared thing. */
export function definitionRange(a: Analysis, offset: number): A.Range | undefined {
  const use = nameAt(a, offset);
  if (!use) return undefined;
  const text = use.name.text;
  const s = a.checked.symbols.get(text);
  if (use.role === 'ref' && !s) {
    // a band label: `grade == A`, `grade in [A, B]`
    for (const d of a.program.decls) if (d.kind === 'Band') for (const e of d.entries) if (e.label.text === text) return e.label.range;
    return undefined;
  }
  if (use.role === 'label') return use.name.range;
  if (!s || !s.declared) return undefined;
  return s.range;
}

/** Go to definition: where the segment, score, list, ... named at `offset` is declared. */
export function getDefinition(text: string, offset: number, ctx: ServiceContext = {}): Location | null {
  const a = analyze(text, ctx);
  const r = definitionRange(a, offset);
  return r ? { uri: ctx.uri ?? '', range: a.lines.fromAst(r) } : null;
}

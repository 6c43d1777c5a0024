/**
 * The Monaco adapter for LQL: registers the `lql` language and wires
 * Monaco's providers to the editor-agnostic language service.
 *
 * Input: the Monaco API, a `LanguageService`, a function giving the current
 * service context (data columns, locale). Output: `LqlAdapter`, whose
 * `setDiagnostics` shows checker diagnostics as markers (code linked to
 * its help page) and keeps them for quick fixes.
 * Invariants: the adapter holds no language knowledge: highlighting comes
 * from the parser's token table (`highlight.ts`), everything else from the
 * service; it only converts offsets, ranges and shapes.
 */
import type { Monaco } from './monaco.js';
import type { editor as E, languages as L, IDisposable } from 'monaco-editor/editor/editor.api';
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import { monarchFromTokens, LIGHT_THEME_RULES, LANGUAGE_CONFIGURATION } from './highlight.js';
import { diagnosticToMarker, diagnosticToLsp, lspToMonaco, monacoToLsp, ruleDiagnostics } from './convert.js';
import type { LanguageService, ServiceContext, TextEdit } from './service.js';

export const LANGUAGE_ID = 'lql';
export const THEME_ID = 'lql-light';
export const MARKER_OWNER = 'lql';

export const TEST_MARKER_OWNER = 'lql-tests';

/** A `test` block's result, drawn at its line (and a marker at each failed `expect`). */
export interface TestMark {
  line: number;
  passed: boolean;
  label: string;
  failures: { line: number; column: number; message: string }[];
}

export interface LqlAdapter extends IDisposable {
  setDiagnostics(model: E.ITextModel, diagnostics: Diagnostic[]): void;
  setTestMarks(editor: E.ICodeEditor, marks: TestMark[]): void;
}

const KIND_MAP: Record<number, number> = {};

export function registerLql(
  monaco: Monaco,
  service: LanguageService,
  getContext: () => ServiceContext,
  helpBase = new URL('./docs/errors/', document.baseURI).href,
): LqlAdapter {
  const disposables: IDisposable[] = [];
  const testDecorations = new WeakMap<E.ICodeEditor, E.IEditorDecorationsCollection>();
  const latest = new WeakMap<E.ITextModel, Diagnostic[]>();
  const CK = monaco.languages.CompletionItemKind;
  Object.assign(KIND_MAP, {
    1: CK.Text, 3: CK.Function, 5: CK.Field, 6: CK.Variable, 9: CK.Module, 10: CK.Property, 11: CK.Unit,
    12: CK.Value, 13: CK.Enum, 14: CK.Keyword, 15: CK.Snippet, 21: CK.Constant, 23: CK.Event, 24: CK.Operator,
  });

  if (!monaco.languages.getLanguages().some((l) => l.id === LANGUAGE_ID)) {
    monaco.languages.register({ id: LANGUAGE_ID, extensions: ['.lql'], aliases: ['LQL', 'lql'] });
  }
  disposables.push(monaco.languages.setMonarchTokensProvider(LANGUAGE_ID, monarchFromTokens() as unknown as L.IMonarchLanguage));
  disposables.push(monaco.languages.setLanguageConfiguration(LANGUAGE_ID, LANGUAGE_CONFIGURATION));
  monaco.editor.defineTheme(THEME_ID, {
    base: 'vs', inherit: true, rules: LIGHT_THEME_RULES,
    colors: { 'editor.lineHighlightBackground': '#f1f4fa', 'editorLineNumber.foreground': '#5f6b7a' },
  });

  const toEdits = (edits: TextEdit[]) => edits.map((e) => ({ range: lspToMonaco(e.range), text: e.newText }));

  disposables.push(monaco.languages.registerCompletionItemProvider(LANGUAGE_ID, {
    triggerCharacters: ['(', '[', ' ', '`'],
    provideCompletionItems(model, position) {
      const items = service.getCompletions(model.getValue(), model.getOffsetAt(position), getContext());
      return {
        suggestions: items.map((it) => ({
          label: it.label,
          kind: KIND_MAP[it.kind] ?? CK.Text,
          detail: it.detail,
          documentation: it.documentation ? { value: it.documentation.value } : undefined,
          insertText: it.textEdit.newText,
          range: lspToMonaco(it.textEdit.range),
          sortText: it.sortText,
          filterText: it.filterText,
        })),
      };
    },
  }));

  disposables.push(monaco.languages.registerHoverProvider(LANGUAGE_ID, {
    provideHover(model, position) {
      const h = service.getHover(model.getValue(), model.getOffsetAt(position), getContext());
      if (!h) return null;
      return { contents: [{ value: h.contents.value }], range: h.range ? lspToMonaco(h.range) : undefined };
    },
  }));

  disposables.push(monaco.languages.registerCodeActionProvider(LANGUAGE_ID, {
    provideCodeActions(model, range) {
      const text = model.getValue();
      const actions = service.getCodeActions(text, monacoToLsp(range), diagnosticToLsp(text, latest.get(model) ?? []));
      return {
        actions: actions.map((a) => ({
          title: a.title,
          kind: a.kind,
          isPreferred: a.isPreferred,
          diagnostics: a.diagnostics.map((d) => ({
            ...lspToMonaco(d.range), severity: d.severity === 1 ? 8 : d.severity === 2 ? 4 : 2, message: d.message, source: 'lql',
            code: { value: d.code, target: monaco.Uri.parse(new URL(d.code + '.md', helpBase).href) },
          })),
          edit: { edits: toEdits(a.edits).map((textEdit) => ({ resource: model.uri, textEdit, versionId: model.getVersionId() })) },
        })),
        dispose() {},
      };
    },
  }, { providedCodeActionKinds: ['quickfix'] }));

  disposables.push(monaco.languages.registerDocumentFormattingEditProvider(LANGUAGE_ID, {
    provideDocumentFormattingEdits(model) {
      return toEdits(service.formatDocument(model.getValue()));
    },
  }));

  return {
    setDiagnostics(model, diagnostics) {
      const ds = ruleDiagnostics(diagnostics);
      latest.set(model, ds);
      monaco.editor.setModelMarkers(model, MARKER_OWNER, ds.map((d) => {
        const m = diagnosticToMarker(d, helpBase);
        return { ...m, code: { value: m.code.value, target: monaco.Uri.parse(m.code.target) } };
      }));
    },
    setTestMarks(editor, marks) {
      const model = editor.getModel();
      if (!model) return;
      const lines = model.getLineCount();
      const ok = marks.filter((m) => m.line >= 1 && m.line <= lines);
      testDecorations.get(editor)?.clear();
      testDecorations.set(editor, editor.createDecorationsCollection(ok.map((m) => ({
        range: new monaco.Range(m.line, 1, m.line, model.getLineMaxColumn(m.line)),
        options: {
          isWholeLine: true,
          className: m.passed ? 'test-line-pass' : 'test-line-fail',
          glyphMarginClassName: m.passed ? 'test-glyph-pass' : 'test-glyph-fail',
          glyphMarginHoverMessage: { value: m.label },
          after: { content: '  ' + (m.passed ? '✔ ' : '✘ ') + m.label, inlineClassName: m.passed ? 'test-after-pass' : 'test-after-fail' },
        },
      }))));
      monaco.editor.setModelMarkers(model, TEST_MARKER_OWNER, ok.flatMap((m) => m.failures.filter((f) => f.line <= lines).map((f) => ({
        startLineNumber: f.line, startColumn: f.column, endLineNumber: f.line, endColumn: model.getLineMaxColumn(f.line),
        severity: monaco.MarkerSeverity.Error, message: f.message, source: 'lql test',
      }))));
    },
    dispose() {
      for (const d of disposables) d.dispose();
    },
  };
}

/**
 * The ruleset editor: a Monaco editor for the `lql` language, wired to the
 * language service through the adapter.
 *
 * Input: the text, a change callback, the latest diagnostics, the service
 * and its context. Output: the editor element; `onReady` hands out a small
 * handle (focus, reveal a line) for the problems list.
 * Invariants: the editor owns its text while the user types (the parent's
 * `value` is written back only when it or `revision` changes and differs
 * from the editor's text, e.g. restoring a version, and then as an undoable
 * edit); diagnostics are shown as markers only. With `bind`, the text is
 * a shared document's (co-authoring) and the binding keeps the two equal.
 */
import { useEffect, useRef } from 'react';
import { monaco } from './monaco.js';
import { registerLql, LANGUAGE_ID, THEME_ID, type LqlAdapter, type TestMark } from './adapter.js';
import type { LanguageService, ServiceContext } from './service.js';
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';

export interface EditorHandle {
  focus(): void;
  reveal(line: number, column: number): void;
  /** run Monaco's Format Document (the language service's formatter) */
  format(): void;
}

let adapter: LqlAdapter | undefined;
const contextRef: { current: ServiceContext } = { current: {} };

export function Editor(props: {
  value: string;
  /** bump to write `value` into the editor even if it equals the last value given */
  revision?: number;
  onChange: (text: string) => void;
  diagnostics: Diagnostic[];
  /** results of the ruleset's `test` blocks, drawn at their lines */
  testMarks?: TestMark[];
  service: LanguageService;
  context: ServiceContext;
  ariaLabel: string;
  onReady?: (h: EditorHandle) => void;
  /** co-authoring: attach the editor to a shared text (returns the detach function) */
  bind?: (editor: ReturnType<typeof monaco.editor.create>, model: ReturnType<typeof monaco.editor.createModel>) => () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const ed = useRef<ReturnType<typeof monaco.editor.create> | undefined>(undefined);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  contextRef.current = props.context;

  useEffect(() => {
    adapter ??= registerLql(monaco, props.service, () => contextRef.current);
    const model = monaco.editor.createModel(props.value, LANGUAGE_ID, monaco.Uri.parse('inmemory://lql/rules.lql'));
    const editor = monaco.editor.create(host.current!, {
      model,
      theme: THEME_ID,
      fontSize: 13,
      lineHeight: 20,
      fontFamily: "'DejaVu Sans Mono', 'Cascadia Code', Menlo, Consolas, monospace",
      minimap: { enabled: false },
      automaticLayout: true,
      scrollBeyondLastLine: false,
      wordWrap: 'off',
      tabSize: 2,
      renderLineHighlight: 'line',
      ariaLabel: props.ariaLabel,
      accessibilitySupport: 'auto',
      fixedOverflowWidgets: true,
      quickSuggestions: { other: true, comments: false, strings: false },
      lightbulb: { enabled: 'on' as never },
      glyphMargin: true,
      acceptSuggestionOnEnter: 'smart',
    });
    ed.current = editor;
    const sub = model.onDidChangeContent(() => onChange.current(model.getValue()));
    const unbind = props.bind?.(editor, model);
    props.onReady?.({
      focus: () => editor.focus(),
      reveal: (line, column) => { editor.revealLineInCenter(line); editor.setPosition({ lineNumber: line, column }); editor.focus(); },
      format: () => { void editor.getAction('editor.action.formatDocument')?.run(); },
    });
    return () => { unbind?.(); sub.dispose(); editor.dispose(); model.dispose(); ed.current = undefined; };
    // the editor is created once; later props flow through the effects below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // a shared text (bind) is written over only by an explicit restore (a new revision), never by the first value
  const appliedRevision = useRef(props.revision ?? 0);
  useEffect(() => {
    const model = ed.current?.getModel();
    if (props.bind && (props.revision ?? 0) === appliedRevision.current) return;
    appliedRevision.current = props.revision ?? 0;
    if (model && model.getValue() !== props.value) {
      model.pushEditOperations([], [{ range: model.getFullModelRange(), text: props.value }], () => null);
    }
  }, [props.value, props.revision]);

  useEffect(() => {
    const model = ed.current?.getModel();
    if (model && adapter) adapter.setDiagnostics(model, props.diagnostics);
  }, [props.diagnostics]);

  useEffect(() => {
    if (ed.current && adapter) adapter.setTestMarks(ed.current, props.testMarks ?? []);
  }, [props.testMarks]);

  useEffect(() => {
    ed.current?.updateOptions({ ariaLabel: props.ariaLabel });
  }, [props.ariaLabel]);

  return <div ref={host} className="editor-host" data-testid="editor" />;
}

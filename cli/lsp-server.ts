/**
 * `lql lsp --stdio`: the Language Server Protocol server for editors
 * (VS Code, Neovim, Helix, ...), a thin adapter over the pure language
 * service (`language/service`), speaking JSON-RPC over stdin/stdout
 * through `vscode-languageserver`.
 *
 * Input: LSP requests and notifications on stdin. Output: responses and
 * published diagnostics on stdout; nothing else is ever written there.
 * Features: diagnostics (with a link to each code's help page), completion,
 * hover, formatting, quick fixes, go to definition, find references,
 * rename, document symbols, semantic tokens. When a `.lql` file's folder (or
 * a folder above it) holds an `lql.json` naming its data (see
 * docs/editors.md), the leads file's columns drive completion, hover and
 * the unknown-column check.
 * Invariants: every handler answers (an empty answer on any failure, never
 * a crash of the server); a data file is read again only when it changes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  TextDocuments,
  TextDocumentSyncKind,
  ResponseError,
  LSPErrorCodes,
  type Connection,
  type CompletionItem as WireCompletionItem,
  type DocumentSymbol as WireDocumentSymbol,
  type Diagnostic as LspWireDiagnostic,
} from 'vscode-languageserver/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import * as svc from '../language/service/index.js';
import type { ColumnInfo, ServiceContext } from '../language/service/context.js';
import { loadLeadsFile } from '../simulator/data/files.js';
import { columnInfo } from '../simulator/data/column-info.js';

/** The settings file an `.lql` file's folder (or a folder above it) may hold. */
export const SETTINGS_FILE = 'lql.json';

/** `lql.json`: where a ruleset's data is; paths are relative to the settings file. */
export interface Settings {
  leads?: string;
  id?: string;
  missing?: string[];
  /** per-ruleset overrides, by file name relative to the settings file */
  rulesets?: Record<string, { leads?: string; id?: string; missing?: string[] }>;
}

/** Where the help pages of diagnostic codes are, as a URL an editor can open. */
function helpUrl(code: string): string {
  return new URL(`../../docs/errors/${code}.md`, import.meta.url).href;
}

interface DataState {
  key: string;
  columns?: ColumnInfo[];
  problem?: string;
}

/** Finds and reads the settings and data of a ruleset, cached by the files' modification times. */
class DataContext {
  private cache = new Map<string, DataState>();
  private loading = new Map<string, Promise<DataState>>();

  constructor(private readonly log: (s: string) => void) {}

  /** The settings file governing `file`, searched from its folder upwards. */
  settingsFor(file: string): string | undefined {
    let dir = dirname(file);
    for (;;) {
      const p = join(dir, SETTINGS_FILE);
      if (existsSync(p)) return p;
      const up = dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  }

  async columns(file: string): Promise<ColumnInfo[] | undefined> {
    const settingsPath = this.settingsFor(file);
    if (!settingsPath) return undefined;
    let settings: Settings;
    try {
      settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Settings;
    } catch (e) {
      this.log(`${settingsPath}: not valid JSON (${(e as Error).message}); dataset-aware features are off.`);
      return undefined;
    }
    const rel = file.slice(dirname(settingsPath).length + 1).split('\\').join('/');
    const own = settings.rulesets?.[rel] ?? settings.rulesets?.[basename(file)] ?? {};
    const leadsRel = own.leads ?? settings.leads;
    if (typeof leadsRel !== 'string') return undefined;
    const leads = resolve(dirname(settingsPath), leadsRel);
    const id = own.id ?? settings.id;
    const missing = own.missing ?? settings.missing;
    let mtime = 0;
    try {
      mtime = statSync(leads).mtimeMs;
    } catch {
      this.log(`${settingsPath}: leads file ${leads} cannot be read; dataset-aware features are off.`);
      return undefined;
    }
    const key = JSON.stringify([leads, mtime, id, missing]);
    const cached = this.cache.get(leads);
    if (cached?.key === key) return cached.columns;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = loadLeadsFile(leads, { lenient: true, ...(typeof id === 'string' ? { id } : {}), ...(Array.isArray(missing) ? { missing } : {}) })
        .then((t) => ({ key, columns: columnInfo(t) }))
        .catch((e: unknown) => {
          const msg = (e as { diagnostics?: { message: string }[] })?.diagnostics?.[0]?.message ?? (e as Error)?.message ?? String(e);
          this.log(`${leads}: ${msg}; dataset-aware features are off.`);
          return { key, problem: msg };
        });
      this.loading.set(key, pending);
    }
    const state = await pending;
    this.loading.delete(key);
    this.cache.set(leads, state);
    return state.columns;
  }
}

function filePath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

/** Start the server on the given connection (stdio by default); resolves when the client exits. */
export function startServer(connection: Connection = createConnection(process.stdin, process.stdout)): Promise<void> {
  const documents = new TextDocuments(TextDocument);
  const data = new DataContext((s) => connection.console.warn(s));

  const context = async (uri: string): Promise<ServiceContext> => {
    const path = filePath(uri);
    const columns = path ? await data.columns(path) : undefined;
    return columns ? { uri, columns } : { uri };
  };

  const safe =
    <P, R>(empty: R, f: (p: P) => Promise<R> | R) =>
    async (p: P): Promise<R> => {
      try {
        return await f(p);
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        connection.console.error(`lql: ${(e as Error)?.stack ?? String(e)}`);
        return empty;
      }
    };

  const withDoc = <R>(uri: string, empty: R, f: (text: string, doc: TextDocument) => Promise<R> | R): Promise<R> | R => {
    const doc = documents.get(uri);
    return doc ? f(doc.getText(), doc) : empty;
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [' ', '(', '[', '`', ','] },
      hoverProvider: true,
      documentFormattingProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      semanticTokensProvider: { legend: { tokenTypes: [...svc.SEMANTIC_LEGEND.tokenTypes], tokenModifiers: [...svc.SEMANTIC_LEGEND.tokenModifiers] }, full: true },
    },
    serverInfo: { name: 'lql' },
  }));

  // Diagnostics: computed for the newest text only; a stale run is not published.
  const latest = new Map<string, number>();
  const validate = async (doc: TextDocument): Promise<void> => {
    latest.set(doc.uri, doc.version);
    const ctx = await context(doc.uri);
    if (latest.get(doc.uri) !== doc.version || !documents.get(doc.uri)) return;
    const diagnostics: LspWireDiagnostic[] = svc.getDiagnostics(doc.getText(), ctx).map((d) => ({ ...d, codeDescription: { href: helpUrl(d.code) } }));
    await connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };
  documents.onDidOpen((e) => void validate(e.document).catch((err) => connection.console.error(String(err))));
  documents.onDidChangeContent((e) => void validate(e.document).catch((err) => connection.console.error(String(err))));
  documents.onDidClose((e) => {
    latest.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onCompletion(
    safe([] as WireCompletionItem[], async (p) => withDoc(p.textDocument.uri, [] as WireCompletionItem[], async (text, doc) => svc.getCompletions(text, doc.offsetAt(p.position), await context(p.textDocument.uri)) as WireCompletionItem[])),
  );
  connection.onHover(safe(null, async (p) => withDoc(p.textDocument.uri, null, async (text, doc) => svc.getHover(text, doc.offsetAt(p.position), await context(p.textDocument.uri)))));
  connection.onDocumentFormatting(safe([], (p) => withDoc(p.textDocument.uri, [], (text) => svc.formatDocument(text))));
  connection.onCodeAction(
    safe([], (p) =>
      withDoc(p.textDocument.uri, [], (text) =>
        svc.getCodeActions(text, p.range, p.context.diagnostics as svc.LspDiagnostic[]).map((a) => ({
          title: a.title,
          kind: a.kind,
          diagnostics: p.context.diagnostics.filter((d) => a.diagnostics.some((x) => x.code === d.code && x.message === d.message)),
          isPreferred: a.isPreferred,
          edit: { changes: { [p.textDocument.uri]: a.edits } },
        })),
      ),
    ),
  );
  connection.onDefinition(safe(null, (p) => withDoc(p.textDocument.uri, null, (text, doc) => svc.getDefinition(text, doc.offsetAt(p.position), { uri: p.textDocument.uri }))));
  connection.onReferences(
    safe([], (p) => withDoc(p.textDocument.uri, [], (text, doc) => svc.getReferences(text, doc.offsetAt(p.position), { uri: p.textDocument.uri }, p.context.includeDeclaration))),
  );
  connection.onPrepareRename(
    safe(null, (p) =>
      withDoc(p.textDocument.uri, null, (text, doc) => {
        const r = svc.prepareRename(text, doc.offsetAt(p.position));
        if ('error' in r) throw new ResponseError(LSPErrorCodes.RequestFailed, r.error);
        return r;
      }),
    ),
  );
  connection.onRenameRequest(
    safe(null, (p) =>
      withDoc(p.textDocument.uri, null, (text, doc) => {
        const r = svc.getRenameEdits(text, doc.offsetAt(p.position), p.newName);
        if ('error' in r) throw new ResponseError(LSPErrorCodes.RequestFailed, r.error);
        return { changes: { [p.textDocument.uri]: r.edits } };
      }),
    ),
  );
  connection.onDocumentSymbol(safe([] as WireDocumentSymbol[], (p) => withDoc(p.textDocument.uri, [] as WireDocumentSymbol[], (text) => svc.getDocumentSymbols(text) as WireDocumentSymbol[])));
  connection.languages.semanticTokens.on(safe({ data: [] }, (p) => withDoc(p.textDocument.uri, { data: [] }, (text) => ({ data: svc.getSemanticTokens(text).data }))));

  const exited = new Promise<void>((done) => connection.onExit(() => done()));
  documents.listen(connection);
  connection.listen();
  return exited;
}

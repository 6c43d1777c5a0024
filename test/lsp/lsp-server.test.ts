// `lql lsp --stdio` driven by a Language Server Protocol client over the
// process's stdin/stdout (vscode-languageserver-protocol), as an editor would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextEdit,
  type Range,
} from 'vscode-languageserver-protocol/node';
import { format } from '../../language/format/formatter.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const RULES = `activity web_visit, demo_request
segment big = employes >= 500
fit { +30 when big }
engagement { +5 per web_visit }
band grade from fit { A >= 30, B otherwise }
stages { SQL when grade == A and demo_request, MQL when engagement >= 10, lead otherwise }
`;

let dir: string;
let child: ChildProcess;
let conn: ProtocolConnection;
let stderr = '';
const published = new Map<string, PublishDiagnosticsParams[]>();

function waitForDiagnostics(uri: string, version: number): Promise<PublishDiagnosticsParams> {
  return new Promise((done) => {
    const poll = (): void => {
      const hit = published.get(uri)?.find((p) => p.version === version);
      if (hit) done(hit);
      else setTimeout(poll, 10);
    };
    poll();
  });
}

/** Apply LSP text edits to a text (edits do not overlap). */
function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const off = (p: Range['start']): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits]
    .sort((a, b) => off(b.range.start) - off(a.range.start))
    .reduce((t, e) => t.slice(0, off(e.range.start)) + e.newText + t.slice(off(e.range.end)), text);
}

function open(path: string, text: string, version = 1): string {
  const uri = pathToFileURL(path).href;
  void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lql', version, text } });
  return uri;
}

const posOf = (text: string, needle: string, nth = 0, plus = 0): { line: number; character: number } => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  const before = text.slice(0, i + plus).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lql-lsp-'));
  mkdirSync(join(dir, 'with-data', 'rules'), { recursive: true });
  mkdirSync(join(dir, 'plain'));
  writeFileSync(join(dir, 'with-data', 'leads.csv'), 'id,outcome,employees,industry,Lead Origin\n1,won,800,banking,API\n2,lost,20,retail,Landing Page\n3,open,,banking,API\n');
  writeFileSync(join(dir, 'with-data', 'lql.json'), JSON.stringify({ leads: 'leads.csv' }));
  child = spawn(process.execPath, [join(root, 'bin', 'lql.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.set(p.uri, [...(published.get(p.uri) ?? []), p]);
  });
  conn.listen();
});

afterAll(() => {
  conn?.dispose();
  if (child && child.exitCode === null) child.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('lql lsp --stdio', () => {
  it('initializes and announces its features', async () => {
    const r = (await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} })) as { capabilities: Record<string, unknown> };
    expect(r.capabilities).toMatchObject({
      hoverProvider: true,
      documentFormattingProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
    });
    expect(r.capabilities.completionProvider).toBeTruthy();
    await conn.sendNotification('initialized', {});
  });

  it('publishes diagnostics with a link to the help page; a quick fix repairs the column name from the data', async () => {
    const path = join(dir, 'with-data', 'rules', 'acme.lql');
    const uri = open(path, RULES);
    const { diagnostics } = await waitForDiagnostics(uri, 1);
    const col = diagnostics.find((d) => d.code === 'LQL210');
    expect(col, JSON.stringify(diagnostics) + stderr).toBeDefined();
    expect(col!.message).toContain('employes');
    expect(col!.range).toEqual({ start: { line: 1, character: 14 }, end: { line: 1, character: 22 } });
    const href = col!.codeDescription!.href;
    expect(href).toMatch(/^file:.*\/docs\/errors\/LQL210\.md$/);
    expect(existsSync(fileURLToPath(href))).toBe(true);

    const actions = (await conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: col!.range, context: { diagnostics } })) as {
      title: string;
      kind: string;
      edit: { changes: Record<string, TextEdit[]> };
    }[];
    expect(actions.length).toBeGreaterThan(0);
    expect(actions[0]?.kind).toBe('quickfix');
    const fixed = applyEdits(RULES, actions[0]!.edit.changes[uri]!);
    expect(fixed).toContain('segment big = employees >= 500');

    // The fixed text has no diagnostics left.
    void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
    expect((await waitForDiagnostics(uri, 2)).diagnostics).toEqual([]);
  });

  it('completes the data columns named by lql.json (and not without it)', async () => {
    const text = 'segment s = \n';
    const withData = open(join(dir, 'with-data', 'rules', 'complete.lql'), text);
    const plain = open(join(dir, 'plain', 'complete.lql'), text);
    const at = { line: 0, character: 12 };
    const labels = async (uri: string): Promise<string[]> => {
      const r = (await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: at })) as { label: string; textEdit?: { newText: string } }[];
      return r.map((x) => x.textEdit?.newText ?? x.label);
    };
    const a = await labels(withData);
    expect(a).toContain('industry');
    expect(a).toContain('`Lead Origin`');
    const b = await labels(plain);
    expect(b).not.toContain('industry');
    expect(b).not.toContain('`Lead Origin`');

    const value = 'segment s = industry == \n';
    const v = open(join(dir, 'with-data', 'rules', 'values.lql'), value);
    const vals = (await conn.sendRequest('textDocument/completion', { textDocument: { uri: v }, position: { line: 0, character: 24 } })) as { label: string }[];
    expect(vals.map((x) => x.label)).toEqual(expect.arrayContaining(['"banking"', '"retail"']));
  });

  it('hovers, goes to a definition, finds references and lists symbols', async () => {
    const path = join(dir, 'plain', 'nav.lql');
    const text = RULES.replace('employes', 'employees');
    const uri = open(path, text);
    const hover = (await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: posOf(text, 'big', 1, 1) })) as { contents: { value: string } };
    expect(hover.contents.value.toLowerCase()).toContain('segment');

    const def = (await conn.sendRequest('textDocument/definition', { textDocument: { uri }, position: posOf(text, 'big', 1, 1) })) as { uri: string; range: Range };
    expect(def.uri).toBe(uri);
    expect(def.range.start).toEqual({ line: 1, character: 8 });

    const refs = (await conn.sendRequest('textDocument/references', { textDocument: { uri }, position: posOf(text, 'web_visit', 1, 2), context: { includeDeclaration: true } })) as { range: Range }[];
    expect(refs.map((r) => r.range.start)).toEqual([
      { line: 0, character: 9 },
      { line: 3, character: 20 },
    ]);
    const noDecl = (await conn.sendRequest('textDocument/references', { textDocument: { uri }, position: posOf(text, 'web_visit', 0, 2), context: { includeDeclaration: false } })) as { range: Range }[];
    expect(noDecl.map((r) => r.range.start)).toEqual([{ line: 3, character: 20 }]);

    const symbols = (await conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as { name: string; children?: { name: string }[] }[];
    expect(symbols.map((s) => s.name)).toEqual(['web_visit', 'demo_request', 'big', 'fit', 'engagement', 'grade', 'stages']);
    expect(symbols.find((s) => s.name === 'stages')!.children!.map((c) => c.name)).toEqual(['SQL', 'MQL', 'lead']);
  });

  it('renames a segment, a score and an activity everywhere, and refuses a clash or an attribute', async () => {
    const text = RULES.replace('employes', 'employees') + 'score total = fit + engagement\nroute { "call" when total >= 40 and demo_request, "nurture" otherwise }\n';
    const uri = open(join(dir, 'plain', 'rename.lql'), text);
    const rename = async (needle: string, nth: number, newName: string): Promise<string> => {
      const r = (await conn.sendRequest('textDocument/rename', { textDocument: { uri }, position: posOf(text, needle, nth, 1), newName })) as { changes: Record<string, TextEdit[]> };
      return applyEdits(text, r.changes[uri]!);
    };
    const prep = (await conn.sendRequest('textDocument/prepareRename', { textDocument: { uri }, position: posOf(text, 'big', 1, 1) })) as { range: Range; placeholder: string };
    expect(prep.placeholder).toBe('big');

    const seg = await rename('big', 1, 'large');
    expect(seg).toContain('segment large = employees >= 500');
    expect(seg).toContain('fit { +30 when large }');
    expect(seg).not.toMatch(/\bbig\b/);

    const act = await rename('demo_request', 2, 'demo');
    expect(act.match(/\bdemo\b/g)).toHaveLength(3);
    expect(act).not.toContain('demo_request');

    const score = await rename('total', 0, 'Total Score');
    expect(score).toContain('score `Total Score` = fit + engagement');
    expect(score).toContain('"call" when `Total Score` >= 40');

    await expect(conn.sendRequest('textDocument/rename', { textDocument: { uri }, position: posOf(text, 'big', 0, 1), newName: 'grade' })).rejects.toThrow(/already the name of a band/);
    await expect(conn.sendRequest('textDocument/prepareRename', { textDocument: { uri }, position: posOf(text, 'employees', 0, 1) })).rejects.toThrow(/column of the data/);
  });

  it('formats a document like `lql fmt`', async () => {
    const text = 'fit{+30 when big}\nsegment   big = employees>=500\n';
    const uri = open(join(dir, 'plain', 'fmt.lql'), text);
    const edits = (await conn.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
    const expected = format(text);
    if ('error' in expected) throw new Error('fixture must parse');
    expect(applyEdits(text, edits)).toBe(expected.text);
    expect(expected.text).not.toBe(text);
  });

  it('shuts down and exits cleanly', async () => {
    await conn.sendRequest('shutdown');
    const code = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    void conn.sendNotification('exit');
    expect(await code).toBe(0);
  });
});

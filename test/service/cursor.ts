/**
 * Cursor-marker fixtures for editor tests: `$0` in a fixture marks the
 * cursor; `at()` strips it and gives the text and the cursor's offset, and
 * `pos()` the LSP position.
 */
export const MARK = '$0';

export function at(fixture: string): { text: string; offset: number } {
  const offset = fixture.indexOf(MARK);
  if (offset < 0 || fixture.indexOf(MARK, offset + 1) >= 0) throw new Error('a fixture needs exactly one $0 cursor marker');
  return { text: fixture.slice(0, offset) + fixture.slice(offset + MARK.length), offset };
}

export function pos(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before.at(-1)!.length };
}

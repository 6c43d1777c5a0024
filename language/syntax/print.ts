/**
 * Writing single LQL tokens back as source text: names (backticked when
 * needed), text literals (canonical escapes), literals. Used by the
 * formatter, the interpreter's messages and the language service.
 * Input: AST pieces or plain strings. Output: LQL source text.
 * Invariant: `parse(print(x))` reads back the same value.
 */
import type * as A from './ast.js';
import { needsQuoting } from './tokens.js';

/** A name as it must be written: plain when it can be, else in backticks. */
export function printName(n: A.Name | string): string {
  const text = typeof n === 'string' ? n : n.text;
  return needsQuoting(text) ? '`' + text + '`' : text;
}

/** A text value as a canonical double-quoted LQL string. */
export function printString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f || cp === 0x2028 || cp === 0x2029) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

/** A literal as written (numbers and dates keep their source spelling). */
export function printLiteral(l: A.Literal): string {
  switch (l.kind) {
    case 'Number':
      return l.raw;
    case 'String':
      return printString(l.value);
    case 'Bool':
      return l.value ? 'true' : 'false';
    case 'Date':
      return l.raw;
  }
}

/**
 * A streaming JSON Lines reader: one JSON object per line.
 *
 * Input: text pushed chunk by chunk, then `end()`; LF or CRLF line ends,
 * a leading byte order mark, blank lines anywhere.
 * Output: to a RecordSink, the keys as columns in first-seen order (new keys
 * are announced before the row that has them), then each object as a row
 * (one string holding all cells, with each cell's range): a string as is, a number as `String(n)`, true/false as `true` /
 * `false`, null or an absent key as the empty string (missing).
 * Invariants: a line that is not a JSON object, or holds a nested object or
 * array as a value, is reported through `Issues` (and skipped when lenient);
 * keys are read as own properties into a Map, so `__proto__` or
 * `constructor` are ordinary column names; a key written twice in one
 * object is reported (LQL523), never resolved by keeping one value; a line longer than `maxRecord`
 * characters is reported, not buffered without bound.
 */
import { diag } from '../../language/diagnostics/registry.js';
import type { Range } from '../../language/syntax/ast.js';
import type { Issues } from './errors.js';
import { duplicateKey, flatKeyCount, topLevelParts } from './json-scan.js';
import { at, DEFAULT_MAX_RECORD, type Locator, type RecordReader, type RecordSink, type RowView } from './records.js';

export interface JsonlOptions {
  file: string;
  issues: Issues;
  maxRecord?: number;
}

/**
 * The text of a number too large for a double (`1e400`) as written on the
 * line, so a number column reports it as a bad value (LQL512) and a text
 * column keeps it; JSON.parse alone would give Infinity.
 */
function numberText(line: string, key: string, v: number): string {
  const part = topLevelParts(line).find((p) => p.key === key);
  const m = part ? /^"(?:[^"\\]|\\.)*"\s*:\s*(-?[0-9][0-9.eE+-]*)/.exec(line.slice(part.offset)) : null;
  return m ? m[1]! : String(v);
}

export class JsonlReader implements RecordReader, Locator {
  private buf = '';
  private base = 0;
  private line = 1;
  private started = false;
  private skipping = false;
  private readonly keys = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly cells: string[] = [];
  private readonly view: RowView = { buf: '', starts: new Int32Array(16), ends: new Int32Array(16), esc: [], count: 0 };
  private text = '';
  private lineOffset = 0;
  recordLine = 1;
  private readonly maxRecord: number;
  private readonly file: string;
  private readonly issues: Issues;

  constructor(
    private readonly sink: RecordSink,
    options: JsonlOptions,
  ) {
    this.file = options.file;
    this.issues = options.issues;
    this.maxRecord = options.maxRecord ?? DEFAULT_MAX_RECORD;
  }

  push(text: string, start = 0, end = text.length): void {
    if (start !== 0 || end !== text.length) text = text.slice(start, end);
    if (text.length === 0) return;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        this.base = 1;
      }
    }
    if (this.skipping) {
      const k = text.indexOf('\n');
      if (k < 0) {
        this.base += text.length;
        return;
      }
      this.skipping = false;
      this.line++;
      this.base += k + 1;
      text = text.slice(k + 1);
    }
    this.buf = this.buf.length > 0 ? this.buf + text : text;
    this.lines(false);
  }

  end(): void {
    if (this.skipping) return;
    this.lines(true);
  }

  fieldRange(i: number): Range {
    const name = this.names[i];
    let col = 1;
    let len = 1;
    if (name !== undefined) {
      const key = JSON.stringify(name);
      const k = this.text.indexOf(key);
      if (k >= 0) {
        col = k + 1;
        len = key.length;
      }
    }
    return at(this.recordLine, col, this.lineOffset + col - 1, col + len);
  }

  recordRange(): Range {
    return at(this.recordLine, 1, this.lineOffset);
  }

  private lines(final: boolean): void {
    const buf = this.buf;
    let p = 0;
    for (;;) {
      let k = buf.indexOf('\n', p);
      if (k < 0) {
        if (!final || p >= buf.length) break;
        k = buf.length;
      }
      if (k - p > this.maxRecord) {
        this.tooLong(p);
        this.line++;
        p = k + 1;
        continue;
      }
      let e = k;
      if (e > p && buf.charCodeAt(e - 1) === 13) e--;
      this.one(buf.slice(p, e), this.base + p);
      this.line++;
      p = k + 1;
    }
    if (p >= buf.length) {
      this.base += buf.length;
      this.buf = '';
    } else if (buf.length - p > this.maxRecord) {
      this.tooLong(p);
      this.base += buf.length;
      this.buf = '';
      this.skipping = true;
    } else {
      this.base += p;
      this.buf = buf.slice(p);
    }
  }

  private tooLong(p: number): void {
    this.issues.reject(
      diag(
        'LQL508',
        at(this.line, 1, this.base + p),
        {
          what: 'line',
          limit: this.maxRecord.toLocaleString('en-US'),
          hint: 'expected one JSON object per line, each on its own line.',
        },
        { file: this.file },
      ),
    );
  }

  private one(text: string, offset: number): void {
    let i = 0;
    while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (i === text.length) return; // blank line
    this.text = text;
    this.lineOffset = offset;
    this.recordLine = this.line;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      this.badJson(e instanceof Error ? e.message : '');
      return;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      const kind = obj === null ? 'null' : Array.isArray(obj) ? 'an array' : `a ${typeof obj}`;
      this.issues.reject(diag('LQL515', this.recordRange(), { reason: `found ${kind}` }, { file: this.file }));
      return;
    }
    const rec = obj as Record<string, unknown>;
    const ks = Object.keys(rec);
    let fresh: string[] | null = null;
    for (const key of ks) {
      if (!this.keys.has(key)) {
        this.keys.set(key, this.names.length);
        this.names.push(key);
        (fresh ??= []).push(key);
      }
    }
    if (fresh) this.sink.addColumns(fresh, this);
    const cells = this.cells;
    const n = this.names.length;
    for (let j = 0; j < n; j++) cells[j] = '';
    for (const key of ks) {
      const j = this.keys.get(key)!;
      const v = rec[key];
      if (typeof v === 'string') cells[j] = v;
      else if (typeof v === 'number') cells[j] = Number.isFinite(v) ? String(v) : numberText(text, key, v);
      else if (typeof v === 'boolean') cells[j] = v ? 'true' : 'false';
      else if (v === null || v === undefined) cells[j] = '';
      else {
        this.issues.reject(
          diag(
            'LQL516',
            this.fieldRange(j),
            { column: key, kind: Array.isArray(v) ? 'an array' : 'an object' },
            { file: this.file },
          ),
        );
        return;
      }
    }
    // JSON.parse keeps the last of two equal keys: a key written twice is an error, as a header naming a column twice
    if (flatKeyCount(text) !== ks.length) {
      const dup = duplicateKey(text);
      if (dup) {
        const col = dup.second + 1;
        const key = JSON.stringify(dup.key);
        this.issues.reject(
          diag(
            'LQL523',
            at(this.recordLine, col, this.lineOffset + dup.second, col + key.length),
            { column: dup.key, first: dup.first + 1, second: col },
            { file: this.file },
          ),
        );
        return;
      }
    }
    // one string holding every cell, and each cell's range in it
    const view = this.view;
    if (view.starts.length < n) {
      view.starts = new Int32Array(n * 2);
      view.ends = new Int32Array(n * 2);
    }
    let p = 0;
    for (let j = 0; j < n; j++) {
      view.starts[j] = p;
      p += cells[j]!.length;
      view.ends[j] = p;
      view.esc[j] = null;
    }
    view.buf = cells.length === n ? cells.join('') : cells.slice(0, n).join('');
    view.count = n;
    this.sink.row(view, this);
  }

  private badJson(raw: string): void {
    // The engine's message names a character position; report it as a column, in our words.
    const m = /position (\d+)/.exec(raw);
    let col = 1;
    let reason = 'it is not valid JSON';
    if (m) {
      col = Number(m[1]) + 1;
      reason = `it stops being valid JSON at column ${col}`;
    } else if (/end of JSON|Unterminated/i.test(raw)) {
      col = this.text.length + 1;
      reason = 'it ends before the object is complete';
    }
    this.issues.reject(
      diag('LQL515', at(this.recordLine, col, this.lineOffset + col - 1), { reason }, { file: this.file }),
    );
  }
}

/**
 * A streaming CSV reader (RFC 4180).
 *
 * Input: text pushed chunk by chunk (any split, even inside a quoted field
 * or between CR and LF), then `end()`; consecutive ranges of one string are
 * read in place, without copying. Handles quoted fields with embedded
 * delimiters, doubled quotes and line breaks; CRLF, LF or CR line ends; a
 * leading byte order mark; the delimiter (`,`, `;` or tab) is detected from
 * the header line unless given.
 * Output: the header's names, then each row's cells, to a RecordSink, with
 * a Locator giving each field's 1-based line and character column (the
 * column of its first character, the opening quote for a quoted field).
 * Invariants: blank lines are skipped; a row whose field count differs from
 * the header's, an unterminated quote, text after a closing quote and a row
 * longer than `maxRecord` characters are reported through `Issues` (strict:
 * the load stops; lenient: the row is skipped and reading resumes at the
 * next line), never passed on; work per chunk is linear in the chunk plus
 * at most one pending row (bounded by `maxRecord`), so no input can hang it
 * or make it hold more than one over-long row in memory.
 */
import { diag } from '../../language/diagnostics/registry.js';
import type { Range } from '../../language/syntax/ast.js';
import type { Issues } from './errors.js';
import { at, cellText, DEFAULT_MAX_RECORD, type Locator, type RecordReader, type RecordSink, type RowView } from './records.js';

const QUOTE = 34;
const LF = 10;
const CR = 13;

export interface CsvOptions {
  file: string;
  issues: Issues;
  /** `,`, `;` or a tab; detected from the header line when absent */
  delimiter?: string;
  /** longest row in characters (default 1 MiB) */
  maxRecord?: number;
}

/** The delimiter of a header line: the most frequent of `,` `;` tab outside quotes (`,` on a tie). */
export function detectDelimiter(headerLine: string): string {
  let comma = 0;
  let semi = 0;
  let tab = 0;
  let quoted = false;
  for (let i = 0; i < headerLine.length; i++) {
    const c = headerLine.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 44) comma++;
    else if (c === 59) semi++;
    else if (c === 9) tab++;
    else if (c === LF || c === CR) break;
  }
  if (tab > comma && tab > semi) return '\t';
  if (semi > comma) return ';';
  return ',';
}

const enum Status {
  Ok,
  Incomplete,
  Unterminated,
  AfterQuote,
}

/** Index of the first LF in `s[from..to)`, or -1. */
function lineBreak(s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === LF) return i;
  return -1;
}

export class CsvReader implements RecordReader, Locator {
  /** the text being read: `buf[pos .. limit)` is not read yet */
  private buf = '';
  private pos = 0;
  private limit = 0;
  /** file offset (in characters) of buf[0] */
  private base = 0;
  /** file offset of the next character pushed */
  private read = 0;
  /** line number at `pos` */
  private line = 1;
  private delim = -1;
  private headerCount = -1;
  /** the current row: content ranges (inside quotes) and unescaped texts */
  private readonly view: RowView = { buf: '', starts: new Int32Array(64), ends: new Int32Array(64), esc: [], count: 0 };
  /** the current row's raw field ranges (quotes included), for positions */
  private rawStarts = new Int32Array(64);
  private rawEnds = new Int32Array(64);
  private nf = 0;
  private recStart = 0;
  recordLine = 1;
  /** lenient recovery from an over-long line: discard text up to the next line break */
  private skipping = false;
  private started = false;
  private readonly maxRecord: number;
  private readonly file: string;
  private readonly issues: Issues;

  constructor(
    private readonly sink: RecordSink,
    options: CsvOptions,
  ) {
    this.file = options.file;
    this.issues = options.issues;
    this.maxRecord = options.maxRecord ?? DEFAULT_MAX_RECORD;
    if (options.delimiter !== undefined) this.delim = options.delimiter.charCodeAt(0);
  }

  /** The line after the header (the first data line), once the header was read. */
  dataLine = 0;

  /** True when every character pushed so far was read into whole rows: no row is pending and no bad line is being skipped. */
  get idle(): boolean {
    return this.pos === this.limit && !this.skipping;
  }

  /** The line number reached (1 + the line breaks read). */
  get lineReached(): number {
    return this.line;
  }

  /** Characters read so far (the file offset of the next one). */
  get charsRead(): number {
    return this.read;
  }

  /** The header's field count (-1 before the header was read). */
  get fields(): number {
    return this.headerCount;
  }

  /**
   * Count `lines` whole lines of `chars` characters as read: lines a byte
   * reader took care of itself (see `event-bytes.ts`). Only between rows
   * (`idle`), so the positions of later rows stay right.
   */
  skipLines(lines: number, chars: number): void {
    if (!this.idle) throw new Error('skipLines: a row is pending');
    this.line += lines;
    this.read += chars;
  }

  /** The delimiter in use (after the header line was seen). */
  get delimiter(): string {
    return this.delim < 0 ? ',' : String.fromCharCode(this.delim);
  }

  /**
   * Read `text[start .. end)`. Consecutive ranges of one string (a text in
   * memory) are read in place; a row split between two pieces is joined on
   * a short string of its own, so the rest of a piece is read in place too.
   */
  push(text: string, start = 0, end = text.length): void {
    if (end <= start) return;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(start) === 0xfeff) {
        start++;
        this.read++;
        if (start === end) return;
      }
    }
    if (this.skipping) {
      const k = lineBreak(text, start, end);
      if (k < 0) {
        this.read += end - start;
        return;
      }
      this.skipping = false;
      this.line++;
      this.read += k + 1 - start;
      start = k + 1;
      if (start === end) return;
    }
    const rest = this.limit - this.pos;
    if (rest === 0) {
      this.buf = text;
      this.base = this.read - start;
      this.pos = start;
      this.limit = end;
      this.read += end - start;
      this.parse(false);
      return;
    }
    if (start === this.limit && text === this.buf) {
      this.limit = end;
      this.read += end - start;
      this.parse(false);
      return;
    }
    const k = lineBreak(text, start, end);
    if (k >= 0 && k + 1 < end && rest + (k + 1 - start) <= this.maxRecord) {
      // the row that spans both pieces, on its own (short of the length limit, so it is judged as if joined whole)
      this.join(text, start, k + 1);
      if (this.skipping) return this.push(text, k + 1, end);
      if (this.pos === this.limit) return this.push(text, k + 1, end);
      start = k + 1;
    }
    this.join(text, start, end);
  }

  /** Read the unread rest of `buf` joined with `text[start .. end)`. */
  private join(text: string, start: number, end: number): void {
    const rest = this.limit - this.pos;
    this.buf = this.buf.slice(this.pos, this.limit) + text.slice(start, end);
    this.base = this.read - rest;
    this.pos = 0;
    this.limit = this.buf.length;
    this.read += end - start;
    this.parse(false);
  }

  end(): void {
    if (this.skipping) return;
    this.parse(true);
    this.buf = '';
    this.pos = 0;
    this.limit = 0;
  }

  // ---- Locator ---------------------------------------------------------------

  fieldRange(i: number): Range {
    const k = Math.min(Math.max(i, 0), Math.max(this.nf - 1, 0));
    const fs = this.rawStarts[k]!;
    const fe = this.rawEnds[k]!;
    const r = this.locate(fs);
    let endCol = r.column + Math.max(1, fe - fs);
    for (let p = fs; p < fe; p++) {
      const c = this.buf.charCodeAt(p);
      if (c === LF || c === CR) {
        endCol = r.column + 1;
        break;
      }
    }
    return at(r.line, r.column, r.offset, endCol);
  }

  recordRange(): Range {
    return at(this.recordLine, 1, this.base + this.recStart);
  }

  /** Line, column and file offset of position `p` of the buffer, inside the current record. */
  private locate(p: number): { line: number; column: number; offset: number } {
    const buf = this.buf;
    let line = this.recordLine;
    let lineStart = this.recStart;
    for (let k = this.recStart; k < p; k++) {
      if (buf.charCodeAt(k) === LF) {
        line++;
        lineStart = k + 1;
      }
    }
    return { line, column: p - lineStart + 1, offset: this.base + p };
  }

  // ---- parsing -----------------------------------------------------------------

  private detect(final: boolean): boolean {
    const buf = this.buf;
    const len = this.limit;
    let quoted = false;
    for (let i = this.pos; i < len; i++) {
      const c = buf.charCodeAt(i);
      if (c === QUOTE) quoted = !quoted;
      else if (!quoted && (c === LF || c === CR)) {
        this.delim = detectDelimiter(buf.slice(this.pos, i)).charCodeAt(0);
        return true;
      }
    }
    if (!final && len - this.pos <= this.maxRecord) return false;
    this.delim = detectDelimiter(buf.slice(this.pos, Math.min(len, this.pos + this.maxRecord))).charCodeAt(0);
    return true;
  }

  private parse(final: boolean): void {
    if (this.delim < 0 && !this.detect(final)) return;
    const buf = this.buf;
    const len = this.limit;
    const d = this.delim;
    // every character above this one is plain text in an unquoted field
    const plain = Math.max(d, LF, CR);
    const max = this.maxRecord;
    const view = this.view;
    view.buf = buf;
    const esc = view.esc;
    let starts = view.starts;
    let ends = view.ends;
    let rawStarts = this.rawStarts;
    let rawEnds = this.rawEnds;
    let pos = this.pos;
    while (pos < len) {
      const rs = pos;
      let c = buf.charCodeAt(pos);
      if (c === LF) {
        pos++;
        this.line++;
        continue;
      }
      if (c === CR) {
        if (pos + 1 >= len && !final) break;
        pos += buf.charCodeAt(pos + 1) === LF ? 2 : 1;
        this.line++;
        continue;
      }
      let nf = 0;
      let nl = 0;
      let status = Status.Ok;
      let fs = pos;
      for (;;) {
        fs = pos;
        if (nf === starts.length) {
          this.growFields();
          starts = view.starts;
          ends = view.ends;
          rawStarts = this.rawStarts;
          rawEnds = this.rawEnds;
        }
        if (buf.charCodeAt(pos) === QUOTE) {
          // quoted: find the closing quote, counting line breaks; `""` is one quote
          let seg = pos + 1;
          let v: string | null = null;
          let q = seg;
          for (;;) {
            while (q < len) {
              c = buf.charCodeAt(q);
              if (c === QUOTE) break;
              if (c === LF) nl++;
              q++;
            }
            if (q >= len || (q + 1 >= len && !final)) break;
            if (buf.charCodeAt(q + 1) === QUOTE) {
              v = (v ?? '') + buf.slice(seg, q + 1);
              q += 2;
              seg = q;
              continue;
            }
            break;
          }
          if (q >= len) {
            status = final ? Status.Unterminated : Status.Incomplete;
            break;
          }
          if (q + 1 >= len && !final) {
            status = Status.Incomplete;
            break;
          }
          if (v === null) {
            starts[nf] = pos + 1;
            ends[nf] = q;
            esc[nf] = null;
          } else {
            esc[nf] = v + buf.slice(seg, q);
            starts[nf] = 0;
            ends[nf] = 0;
          }
          pos = q + 1;
          if (pos < len) {
            c = buf.charCodeAt(pos);
            if (c !== d && c !== LF && c !== CR) {
              status = Status.AfterQuote;
              break;
            }
          }
        } else {
          while (pos < len) {
            c = buf.charCodeAt(pos);
            if (c > plain || (c !== d && c !== LF && c !== CR)) {
              pos++;
              continue;
            }
            break;
          }
          starts[nf] = fs;
          ends[nf] = pos;
          esc[nf] = null;
        }
        rawStarts[nf] = fs;
        rawEnds[nf] = pos;
        nf++;
        if (pos >= len) {
          if (!final) status = Status.Incomplete;
          break;
        }
        c = buf.charCodeAt(pos);
        if (c === d) {
          pos++;
          continue;
        }
        if (c === CR) {
          if (pos + 1 >= len && !final) {
            status = Status.Incomplete;
            break;
          }
          pos += buf.charCodeAt(pos + 1) === LF ? 2 : 1;
        } else {
          pos++;
        }
        break;
      }

      this.recStart = rs;
      this.recordLine = this.line;
      this.nf = nf;
      view.count = nf;

      if (status === Status.Incomplete) {
        if (len - rs > max) {
          this.tooLong(rs, fs, buf.charCodeAt(fs) === QUOTE);
          pos = this.resumeAfterLine(rs, final);
          if (this.skipping) return;
          continue;
        }
        pos = rs;
        break;
      }
      if (status === Status.Unterminated) {
        const where = this.locate(fs);
        this.issues.reject(diag('LQL504', at(where.line, where.column, where.offset), { where: 'the end of the file' }, { file: this.file }));
        pos = this.resumeAfterLine(rs, final);
        continue;
      }
      if (status === Status.AfterQuote) {
        const k = lineBreak(buf, pos, len);
        if (k < 0 && !final) {
          pos = rs;
          break;
        }
        const where = this.locate(pos);
        this.issues.reject(
          diag('LQL505', at(where.line, where.column, where.offset), { text: buf[pos]!, delimiter: String.fromCharCode(d) }, { file: this.file }),
        );
        this.line = where.line + 1;
        pos = k < 0 ? len : k + 1;
        continue;
      }
      if (pos - rs > max) {
        this.tooLong(rs, rs, false);
        this.line += 1 + nl;
        continue;
      }

      this.line += 1 + nl;
      this.pos = pos;
      if (this.headerCount < 0) {
        this.headerCount = nf;
        this.dataLine = this.line;
        const names: string[] = [];
        for (let i = 0; i < nf; i++) names.push(cellText(view, i));
        this.sink.addColumns(names, this);
      } else if (nf !== this.headerCount) {
        this.ragged(nf);
      } else {
        this.sink.row(view, this);
      }
    }
    this.pos = pos;
  }

  private growFields(): void {
    const n = this.rawStarts.length * 2;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.rawStarts = grow(this.rawStarts);
    this.rawEnds = grow(this.rawEnds);
    this.view.starts = grow(this.view.starts);
    this.view.ends = grow(this.view.ends);
  }

  private ragged(nf: number): void {
    const expected = this.headerCount;
    const delimiter = String.fromCharCode(this.delim);
    if (nf > expected) {
      this.issues.reject(diag('LQL506', this.fieldRange(expected), { found: nf, expected, delimiter }, { file: this.file }));
    } else {
      const end = this.locate(this.rawEnds[nf - 1]!);
      this.issues.reject(
        diag('LQL507', at(end.line, end.column, end.offset), { found: nf, fieldWord: nf === 1 ? 'field' : 'fields', expected, delimiter }, { file: this.file }),
      );
    }
  }

  private tooLong(rs: number, fs: number, quoted: boolean): void {
    const limit = this.maxRecord.toLocaleString('en-US');
    if (quoted) {
      const q = this.locate(fs);
      this.issues.reject(
        diag(
          'LQL508',
          at(q.line, q.column, q.offset),
          {
            what: 'row',
            limit,
            hint: `the quoted field that starts here (line ${q.line}, column ${q.column}) is probably never closed. A \`"\` inside a quoted field is written twice: \`""\`.`,
          },
          { file: this.file },
        ),
      );
    } else {
      this.issues.reject(
        diag(
          'LQL508',
          at(this.line, 1, this.base + rs),
          { what: 'line', limit, hint: 'expected rows separated by line breaks. Is this a CSV file?' },
          { file: this.file },
        ),
      );
    }
  }

  /**
   * Lenient recovery: continue after the first line break at or after `rs`
   * (the start of a bad row). When that break has not arrived yet, discard
   * input until it does.
   */
  private resumeAfterLine(rs: number, final: boolean): number {
    const k = lineBreak(this.buf, rs, this.limit);
    if (k >= 0) {
      this.line++;
      return k + 1;
    }
    if (!final) {
      this.skipping = true;
      this.buf = '';
      this.pos = 0;
      this.limit = 0;
      return 0;
    }
    return this.limit;
  }
}

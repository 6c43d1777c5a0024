/**
 * Reading an events CSV from its bytes: the plain rows go straight into the
 * events table's columns, every other line through the CSV reader.
 *
 * Input: the file's bytes, chunk by chunk (`pushBytes`), or its text
 * (`push`, a text in memory), then `end()`; the EventsBuilder that stores
 * the rows and the CsvReader that reads everything else.
 * Output: the same calls on the builder, the same diagnostics at the same
 * file, line and column, as the CsvReader alone on the decoded text.
 * Invariants: a line is read here only when it is plain: only bytes below
 * 0x80, no `"`, no CR except one before the line's LF, as many fields as
 * the header, no longer than the row limit; and its values are plain too:
 * a known lead id (or, for a part read alone, any id that does not start
 * with a blank), a type already seen, a time in a common shape
 * (`parseCommonTimeBytes`). Any other line (the header, a quoted field, a
 * blank id, a bad time, an unknown lead, a new type, text that is not
 * ASCII) is decoded as strict UTF-8 and given to the CsvReader, after it has
 * counted the lines and characters read here (`skipLines`), so its
 * positions and the builder's checks are exactly those of a text read; a
 * record that spans lines (a quoted line break) has the rest of the chunk's
 * lines given to it in one piece, and the chunks after it, until it is
 * between records at a line break. Work and memory are linear in the input: a
 * line that runs past the row limit without a line break goes to the
 * CsvReader, which reports or skips it.
 */
import type { CsvReader } from './csv.js';
import type { EventsBuilder } from './events.js';
import type { RecordReader } from './records.js';
import { Utf8Text } from './source.js';
import { parseCommonTimeBytes } from './values.js';
import { DEFAULT_MAX_RECORD } from './records.js';

const LF = 10;
const CR = 13;
const QUOTE = 34;

/** What a byte is to the line scan: 0 plain text, 1 a line break, 2 the delimiter, 3 anything that makes the line not plain. */
function byteClasses(delimiter: number): Uint8Array {
  const k = new Uint8Array(256);
  for (let c = 0x80; c < 256; c++) k[c] = 3;
  k[QUOTE] = 3;
  k[CR] = 3;
  k[LF] = 1;
  k[delimiter] = 2;
  return k;
}

export class EventBytesReader implements RecordReader {
  private readonly utf8: Utf8Text;
  /** until the header was read, and while the CsvReader is inside a record: lines go to it */
  private text = true;
  /** lines and characters read here and not yet counted by the CsvReader */
  private lines = 0;
  private chars = 0;
  /** the start of a line that ended a chunk */
  private carry: Uint8Array | null = null;
  /** set once the header is read */
  private delim = -1;
  private fields = 0;
  private leadCol = 0;
  private typeCol = 0;
  private atCol = 0;
  /** the positions of a line's delimiters */
  private cuts = new Int32Array(0);
  private classes: Uint8Array = new Uint8Array(256);
  /** per (first byte, length) of a type: the type's entry in the builder's type map last found so (-1: none) */
  private readonly typeCache = new Int32Array(256).fill(-1);
  /** the previous plain row's lead id (bytes) and row */
  private readonly lastId = new Uint8Array(64);
  private lastLen = -1;
  private lastLead = -1;

  constructor(
    private readonly b: EventsBuilder,
    private readonly csv: CsvReader,
    private readonly maxRecord = DEFAULT_MAX_RECORD,
  ) {
    this.utf8 = new Utf8Text(b.file);
  }

  push(text: string, start?: number, end?: number): void {
    this.drain();
    this.csv.push(text, start, end);
  }

  pushBytes(bytes: Uint8Array): void {
    let p = 0;
    if (this.carry !== null) {
      const carry = this.carry;
      const k = bytes.indexOf(LF);
      if (k < 0 && carry.length + bytes.length <= this.maxRecord) {
        const joined = new Uint8Array(carry.length + bytes.length);
        joined.set(carry);
        joined.set(bytes, carry.length);
        this.carry = joined;
        return;
      }
      // the line that spans both chunks, on its own
      const end = k < 0 ? bytes.length : k + 1;
      const line = new Uint8Array(carry.length + end);
      line.set(carry);
      line.set(bytes.subarray(0, end), carry.length);
      this.carry = null;
      if (k < 0) this.toCsv(line, 0, line.length);
      else this.read(line, 0, line.length);
      p = end;
    }
    const rest = this.read(bytes, p, bytes.length);
    if (rest >= bytes.length) return;
    // a line already longer than the row limit goes to the CsvReader now, which reports or skips it as it grows
    if (bytes.length - rest > this.maxRecord) this.toCsv(bytes, rest, bytes.length);
    // a copy: a chunk may be a view of a buffer the next read overwrites (and a Node Buffer's `slice` is a view)
    else this.carry = Uint8Array.prototype.slice.call(bytes, rest);
  }

  /** Read the last line (one without a line break at the end of the file) and give the CsvReader the count of lines read here. */
  drain(): void {
    if (this.carry !== null) {
      const c = this.carry;
      this.carry = null;
      this.toCsv(c, 0, c.length);
    }
    this.flush();
  }

  end(): void {
    this.drain();
    this.utf8.end();
    this.csv.end();
  }

  /** Give the lines read here to the CsvReader's count (before it reads anything, or is asked where it is). */
  flush(): void {
    if (this.lines === 0 && this.chars === 0) return;
    this.csv.skipLines(this.lines, this.chars);
    this.utf8.skipLines(this.lines, this.chars);
    this.lines = 0;
    this.chars = 0;
  }

  /** A line that is not plain (or the start of one), `buf[s..p)`: to the CsvReader, and the lines after it while it is inside a record. */
  private toCsv(buf: Uint8Array, s: number, p: number): void {
    this.flush();
    this.csv.push(this.utf8.decode(buf.subarray(s, p)));
    if (!this.csv.idle) this.text = true;
  }

  /**
   * In text mode: give the CsvReader the chunk's lines up to its last line
   * break in one piece (so a record that runs past the row limit is judged
   * on the same text as when the whole file is read as text), then, if it
   * is between records, go back to plain lines for the rest; else give it
   * the rest too. The position reached.
   */
  private textLines(buf: Uint8Array, from: number, to: number): number {
    const last = buf.lastIndexOf(LF, to - 1);
    const cut = last >= from ? last + 1 : to;
    this.flush();
    this.csv.push(this.utf8.decode(buf.subarray(from, cut)));
    if (this.csv.idle) {
      this.leaveText();
      if (!this.text) return cut;
    }
    if (cut < to) this.csv.push(this.utf8.decode(buf.subarray(cut, to)));
    return to;
  }

  /** Back to reading plain lines here, once the header is known. */
  private leaveText(): void {
    const n = this.csv.fields;
    if (n < 0) return;
    this.text = false;
    if (this.delim >= 0) return;
    this.delim = this.csv.delimiter.charCodeAt(0);
    this.classes = byteClasses(this.delim);
    this.fields = n;
    this.cuts = new Int32Array(n + 1);
    [this.leadCol, this.typeCol, this.atCol] = this.b.columns;
  }

  /**
   * Read the lines of `buf[from..to)`: plain ones here, the others through
   * the CsvReader. Returns where the last complete line ends (the rest is
   * the start of a line continued in the next chunk).
   */
  private read(buf: Uint8Array, from: number, to: number): number {
    let p = from;
    for (;;) {
      if (this.text) p = this.textLines(buf, p, to);
      if (p >= to) return to;
      p = this.plain(buf, p, to);
      if (!this.text) return p;
    }
  }

  /**
   * Read plain lines from `buf[from..)` up to the end of the last complete
   * one (returned), or up to a line that leaves the CsvReader inside a
   * record (`text` set; the position after that line returned). A stretch
   * with no `"`, only ASCII and a CR only before an LF is searched for line
   * breaks and delimiters natively (`clean`); any other is looked at byte
   * by byte.
   */
  private plain(buf: Uint8Array, from: number, to: number): number {
    // with the delimiters CSV files use (a time never holds one: see `cleanLines`)
    const crlf = this.delim === 44 || this.delim === 59 || this.delim === 9 ? clean(buf, from, to) : -1;
    if (crlf >= 0) return this.cleanLines(buf, from, to, crlf === 1);
    let p = from;
    const cls = this.classes;
    const cuts = this.cuts;
    const nf = this.fields - 1;
    for (;;) {
      if (p >= to) return to;
      const s = p;
      let n = 0;
      let special = 0;
      for (; p < to; p++) {
        const k = cls[buf[p]!]!;
        if (k === 0) continue;
        if (k === 1) break;
        if (k === 2) {
          if (n < nf) cuts[n] = p;
          n++;
        } else special++;
      }
      if (p >= to) return s;
      let e = p;
      p++;
      if (special > 0) {
        if (special === 1 && buf[e - 1] === CR) e--;
        else {
          this.toCsv(buf, s, p);
          if (this.text) return p;
          continue;
        }
      }
      if (!this.take(buf, s, e, p, n === nf) && this.text) return p;
    }
  }

  /** `plain` on a clean stretch (see `clean`): line breaks and delimiters found with `indexOf`. */
  private cleanLines(buf: Uint8Array, from: number, to: number, crlf: boolean): number {
    let p = from;
    const d = this.delim;
    const cuts = this.cuts;
    const nf = this.fields - 1;
    // with the time last, a delimiter too many (`,` `;` or a tab) is in the time, which then is not one (see parseCommonTimeBytes)
    const lastChecked = this.atCol !== nf;
    for (;;) {
      if (p >= to) return to;
      const s = p;
      const lf = buf.indexOf(LF, p);
      if (lf < 0 || lf >= to) return s;
      p = lf + 1;
      const e = crlf && lf > s && buf[lf - 1] === CR ? lf - 1 : lf;
      let n = 0;
      let q = s;
      while (n < nf) {
        const c = buf.indexOf(d, q);
        if (c < 0 || c >= e) break;
        cuts[n++] = c;
        q = c + 1;
      }
      let fits = n === nf;
      if (fits && lastChecked) {
        const c = buf.indexOf(d, q);
        fits = c < 0 || c >= e;
      }
      if (!this.take(buf, s, e, p, fits) && this.text) return p;
    }
  }

  /**
   * One line `buf[s..p)`, its content ending at `e`, its delimiters in
   * `cuts` (`fits`: as many as the header's): stored when plain (true),
   * else given to the CsvReader (false).
   */
  private take(buf: Uint8Array, s: number, e: number, p: number, fits: boolean): boolean {
    if (e === s) {
      // a blank line
      this.lines++;
      this.chars += p - s;
      return true;
    }
    const b = this.b;
    const cuts = this.cuts;
    const nf = this.fields - 1;
    const lc = this.leadCol;
    const tc = this.typeCol;
    const ac = this.atCol;
    const la = lc === 0 ? s : cuts[lc - 1]! + 1;
    const lb = lc === nf ? e : cuts[lc]!;
    const ta = tc === 0 ? s : cuts[tc - 1]! + 1;
    const tb = tc === nf ? e : cuts[tc]!;
    const aa = ac === 0 ? s : cuts[ac - 1]! + 1;
    const ab = ac === nf ? e : cuts[ac]!;
    let t = NaN;
    let te = -1;
    let li = -1;
    if (fits && p - s <= this.maxRecord && ta < tb && buf[ta]! > 32) {
      t = parseCommonTimeBytes(buf, aa, ab);
      // the type: the one last seen with this first byte and length, else looked up
      const typeMap = b.typeMap;
      const slot = (buf[ta]! ^ ((tb - ta) << 3)) & 255;
      te = this.typeCache[slot]!;
      if (te >= 0) {
        const key = typeMap.keys[te]!;
        let i = 0;
        if (key.length === tb - ta) while (i < key.length && key.charCodeAt(i) === buf[ta + i]) i++;
        if (i !== tb - ta || i !== key.length) te = -1;
      }
      if (te < 0) {
        te = typeMap.findBytes(buf, ta, tb);
        if (te >= 0) this.typeCache[slot] = te;
      }
    }
    // the lead, once the row is known to be good (a part read alone codes its ids in the order the good rows have them)
    if (t === t && te >= 0) {
      // the previous row's, else looked up
      const len = lb - la;
      const lastId = this.lastId;
      if (len === this.lastLen) {
        let i = 0;
        while (i < len && lastId[i] === buf[la + i]) i++;
        if (i === len) li = this.lastLead;
      }
      if (li < 0 && len > 0 && buf[la]! > 32) {
        const ids = b.ids;
        const le = b.local ? ids.internBytes(buf, la, lb, ids.size) : ids.findBytes(buf, la, lb);
        if (le >= 0) {
          li = ids.values[le]!;
          if (len <= lastId.length) {
            lastId.set(buf.subarray(la, lb));
            this.lastLen = len;
            this.lastLead = li;
          } else this.lastLen = -1;
        }
      }
    }
    if (t !== t || te < 0 || li < 0) {
      this.toCsv(buf, s, p);
      return false;
    }
    b.add(li, b.typeMap.values[te]!, t);
    this.lines++;
    this.chars += p - s;
    return true;
  }
}

/** Node's native ASCII check, where there is one (not in a browser). */
const isAscii: ((b: Uint8Array) => boolean) | undefined = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => { isAscii?: (b: Uint8Array) => boolean } | undefined } }
).process?.getBuiltinModule?.('buffer')?.isAscii;

/**
 * Whether `buf[from..to)` is clean: no `"`, only ASCII, and every CR just
 * before an LF: 0 (clean, no CR), 1 (clean, with CRs), -1 (not clean, or
 * shorter than 256 bytes, or no native ASCII check here).
 */
function clean(buf: Uint8Array, from: number, to: number): number {
  if (isAscii === undefined || to - from < 256) return -1;
  const q = buf.indexOf(QUOTE, from);
  if (q >= 0 && q < to) return -1;
  if (!isAscii(buf.subarray(from, to))) return -1;
  let r = buf.indexOf(CR, from);
  if (r < 0 || r >= to) return 0;
  while (r >= 0 && r < to) {
    if (r + 1 >= to || buf[r + 1] !== LF) return -1;
    r = buf.indexOf(CR, r + 2);
  }
  return 1;
}

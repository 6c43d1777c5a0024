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
 * record that spans lines (a quoted line break) is given to it line by line
 * until it has read it whole. Work and memory are linear in the input: a
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
    this.flush();
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
    if (rest < bytes.length) this.carry = bytes.slice(rest);
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

  /** In text mode: give lines to the CsvReader until it is between records; the position reached. */
  private textLines(buf: Uint8Array, from: number, to: number): number {
    let p = from;
    while (p < to && this.text) {
      const k = buf.indexOf(LF, p);
      const end = k < 0 || k >= to ? to : k + 1;
      this.flush();
      this.csv.push(this.utf8.decode(buf.subarray(p, end)));
      p = end;
      if (this.csv.idle) this.leaveText();
    }
    return p;
  }

  /** Back to reading plain lines here, once the header is known. */
  private leaveText(): void {
    const n = this.csv.fields;
    if (n < 0) return;
    this.text = false;
    if (this.delim >= 0) return;
    this.delim = this.csv.delimiter.charCodeAt(0);
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
   * record (`text` set; the position after that line returned).
   */
  private plain(buf: Uint8Array, from: number, to: number): number {
    let p = from;
    const b = this.b;
    const d = this.delim;
    const cuts = this.cuts;
    const nf = this.fields - 1;
    const max = this.maxRecord;
    for (;;) {
      if (p >= to) return to;
      const s = p;
      let n = 0;
      let special = 0;
      let c = 0;
      while (p < to) {
        c = buf[p]!;
        if (c === LF) break;
        if (c === d) {
          if (n < nf) cuts[n] = p;
          n++;
        } else if (c >= 0x80 || c === QUOTE || c === CR) special++;
        p++;
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
      if (e === s) {
        // a blank line
        this.lines++;
        this.chars += p - s;
        continue;
      }
      if (n !== nf || p - s > max) {
        this.toCsv(buf, s, p);
        if (this.text) return p;
        continue;
      }
      // the three fields
      const lc = this.leadCol;
      const la = lc === 0 ? s : cuts[lc - 1]! + 1;
      const lb = lc === nf ? e : cuts[lc]!;
      const tc = this.typeCol;
      const ta = tc === 0 ? s : cuts[tc - 1]! + 1;
      const tb = tc === nf ? e : cuts[tc]!;
      const ac = this.atCol;
      const aa = ac === 0 ? s : cuts[ac - 1]! + 1;
      const ab = ac === nf ? e : cuts[ac]!;
      const t = parseCommonTimeBytes(buf, aa, ab);
      if (t !== t || ta === tb || buf[ta]! <= 32) {
        this.toCsv(buf, s, p);
        if (this.text) return p;
        continue;
      }
      const te = b.typeMap.findBytes(buf, ta, tb);
      if (te < 0) {
        this.toCsv(buf, s, p);
        if (this.text) return p;
        continue;
      }
      let li = -1;
      const len = lb - la;
      if (len === this.lastLen) {
        const last = this.lastId;
        let i = 0;
        while (i < len && last[i] === buf[la + i]) i++;
        if (i === len) li = this.lastLead;
      }
      if (li < 0) {
        if (len === 0 || buf[la]! <= 32) {
          this.toCsv(buf, s, p);
          if (this.text) return p;
          continue;
        }
        const ids = b.ids;
        const le = b.local ? ids.internBytes(buf, la, lb, ids.size) : ids.findBytes(buf, la, lb);
        if (le < 0) {
          this.toCsv(buf, s, p);
          if (this.text) return p;
          continue;
        }
        li = ids.values[le]!;
        if (len <= this.lastId.length) {
          this.lastId.set(buf.subarray(la, lb));
          this.lastLen = len;
          this.lastLead = li;
        } else this.lastLen = -1;
      }
      b.add(li, b.typeMap.values[te]!, t);
      this.lines++;
      this.chars += p - s;
    }
  }
}

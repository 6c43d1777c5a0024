/**
 * Where data comes from, and feeding it to a reader chunk by chunk.
 *
 * Input: a DataSource: a whole text (string or UTF-8 bytes, as the browser
 * playground has it) or a stream of chunks (as `files.ts` reads a file),
 * with a name for messages and, when known, its size for progress.
 * Output: the decoded text, pushed to the CSV or JSON Lines reader chosen
 * from the format, the file name (`.jsonl`, `.ndjson`) or the first
 * character (`{`); a text in memory is pushed as consecutive ranges of the
 * one string (never copied into pieces); progress and cancellation checks
 * between chunks.
 * Invariants: no dependency on node:fs (this runs in a browser worker);
 * bytes are decoded as strict UTF-8: a character split across chunks is
 * read whole, a leading byte order mark is dropped, and bytes that are not
 * UTF-8 stop the load with LQL530 at their line and column (never replaced
 * by U+FFFD, so that every engine reads the same text or refuses it); `isCancelled()` is checked
 * before every chunk and stops the load with `LoadCancelledError`.
 */
import { DataError, LoadCancelledError } from './errors.js';
import { at, type RecordReader } from './records.js';
import { diag } from '../../language/diagnostics/registry.js';

export type DataFormat = 'csv' | 'jsonl';
export type Chunk = string | Uint8Array;

export interface DataSource {
  /** the file name, as shown in messages */
  name: string;
  /** the whole content */
  text?: string | Uint8Array;
  /** or the content as a stream of chunks */
  chunks?: AsyncIterable<Chunk> | Iterable<Chunk>;
  /** total size in bytes (characters for a string), for progress */
  size?: number;
  /** `csv` or `jsonl`; detected when absent */
  format?: DataFormat;
}

export interface FeedControl {
  onProgress?: (done: number, total: number) => void;
  isCancelled?: () => boolean;
  /** piece size used to split an in-memory text (default 32 Ki characters) */
  chunkSize?: number;
}

/**
 * Decoded pieces stay well under V8's large-object size (128 KiB): a string
 * that big is placed in fresh pages, and joining a row's remainder to such a
 * piece costs far more than parsing it. A text in memory is read in place,
 * in ranges of this size (the steps of progress and cancellation).
 */
const DEFAULT_CHUNK = 1 << 15;

/** The format named by a file name's extension, or undefined. */
export function formatFromName(name: string): DataFormat | undefined {
  const n = name.toLowerCase();
  if (n.endsWith('.jsonl') || n.endsWith('.ndjson') || n.endsWith('.json')) return 'jsonl';
  if (n.endsWith('.csv') || n.endsWith('.tsv') || n.endsWith('.txt')) return 'csv';
  return undefined;
}

/** Where a byte sequence ends on a whole character: the start of a trailing incomplete sequence, else the length. */
function wholeCharacters(b: Uint8Array): number {
  let p = b.length - 1;
  let cont = 0;
  while (p >= 0 && cont < 3 && (b[p]! & 0xc0) === 0x80) { p--; cont++; }
  if (p < 0) return b.length;
  const lead = b[p]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > cont + 1 ? p : b.length;
}

/** Strict UTF-8 text of byte chunks, with the line and column reached (for the one error it reports). */
export class Utf8Text {
  private readonly strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private carry: Uint8Array | null = null;
  private first = true;
  /** 1-based line, characters since its start, characters so far */
  private line = 1;
  private col0 = 0;
  private chars = 0;

  constructor(private readonly file: string) {}

  decode(c: Uint8Array): string {
    let bytes = c;
    if (this.carry) {
      bytes = new Uint8Array(this.carry.length + c.length);
      bytes.set(this.carry);
      bytes.set(c, this.carry.length);
    }
    const cut = wholeCharacters(bytes);
    // a copy: a chunk may be a view of a buffer the next read overwrites (and a Node Buffer's `slice` is a view)
    this.carry = cut < bytes.length ? Uint8Array.prototype.slice.call(bytes, cut) : null;
    const body = cut < bytes.length ? bytes.subarray(0, cut) : bytes;
    let text: string;
    try {
      text = this.strict.decode(body);
    } catch {
      this.invalid(body);
    }
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.track(text);
    return text;
  }

  /** Count `lines` whole lines of `chars` ASCII bytes, read without decoding (at a line start, nothing carried). */
  skipLines(lines: number, chars: number): void {
    if (lines > 0) this.col0 = 0;
    this.line += lines;
    this.chars += chars;
    if (chars > 0) this.first = false;
  }

  /** The end of the file: an incomplete character left over is not UTF-8. */
  end(): void {
    if (this.carry) this.fail('');
  }

  private track(text: string): void {
    let nl = text.indexOf('\n');
    if (nl < 0) this.col0 += text.length;
    else {
      let last = nl;
      while (nl >= 0) { this.line++; last = nl; nl = text.indexOf('\n', nl + 1); }
      this.col0 = text.length - last - 1;
    }
    this.chars += text.length;
  }

  /** Report the first byte that is not UTF-8 in `body`, at its line and column. */
  private invalid(body: Uint8Array): never {
    // the longest prefix that decodes (a streaming decoder keeps an unfinished last character back)
    let lo = 0;
    let hi = body.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid - 1;
      }
    }
    const before = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body.subarray(0, lo), { stream: true });
    this.fail(this.first && before.charCodeAt(0) === 0xfeff ? before.slice(1) : before);
  }

  private fail(before: string): never {
    this.track(before);
    const d = diag('LQL530', at(this.line, this.col0 + 1, this.chars), {});
    d.file = this.file;
    throw new DataError([d]);
  }
}

class Feeder {
  private readonly decoder: Utf8Text;
  private reader: RecordReader | null = null;
  private pending = '';
  private done = 0;
  /** whether byte chunks go to the reader undecoded (decided at the first chunk) */
  private raw: boolean | null = null;

  constructor(
    private readonly src: DataSource,
    private readonly make: (format: DataFormat) => RecordReader,
    private readonly ctl: FeedControl,
    private readonly total: number,
  ) {
    this.decoder = new Utf8Text(src.name);
    const f = src.format ?? formatFromName(src.name);
    if (f) this.reader = make(f);
  }

  chunk(c: Chunk): void {
    if (this.ctl.isCancelled?.()) throw new LoadCancelledError(this.src.name);
    // a reader that reads bytes itself gets them all, from the first chunk on
    if (this.raw === null) this.raw = typeof c !== 'string' && this.reader?.pushBytes !== undefined;
    if (this.raw && typeof c !== 'string') {
      this.done += c.length;
      this.ctl.onProgress?.(this.done, Math.max(this.total, this.done));
      this.reader!.pushBytes!(c);
      return;
    }
    const text = typeof c === 'string' ? c : this.decoder.decode(c);
    this.done += c.length;
    this.ctl.onProgress?.(this.done, Math.max(this.total, this.done));
    this.text(text);
  }

  /** `text[a .. b)` as the next chunk, read in place once the reader is chosen. */
  range(text: string, a: number, b: number): void {
    if (!this.reader) return this.chunk(text.slice(a, b));
    if (this.ctl.isCancelled?.()) throw new LoadCancelledError(this.src.name);
    this.done += b - a;
    this.ctl.onProgress?.(this.done, Math.max(this.total, this.done));
    this.reader.push(text, a, b);
  }

  finish(): void {
    if (this.ctl.isCancelled?.()) throw new LoadCancelledError(this.src.name);
    this.decoder.end();
    if (!this.reader) {
      this.reader = this.make('csv');
      this.reader.push(this.pending);
      this.pending = '';
    }
    this.reader.end();
    this.ctl.onProgress?.(this.done, Math.max(this.total, this.done));
  }

  private text(text: string): void {
    if (this.reader) {
      this.reader.push(text);
      return;
    }
    this.pending += text;
    const m = /[^\s\uFEFF]/.exec(this.pending);
    if (!m) return;
    this.reader = this.make(m[0] === '{' ? 'jsonl' : 'csv');
    const p = this.pending;
    this.pending = '';
    this.reader.push(p);
  }
}

function* pieces(text: Uint8Array, size: number): Generator<Chunk> {
  for (let i = 0; i < text.length; i += size) yield text.subarray(i, i + size);
}

/** Feed a whole-text source, or one of chunks read synchronously (an Iterable), synchronously. */
export function feedSync(src: DataSource, make: (format: DataFormat) => RecordReader, ctl: FeedControl = {}): void {
  if (src.text === undefined) {
    const chunks = src.chunks;
    if (!chunks || !(Symbol.iterator in chunks)) throw new TypeError(`${src.name}: a synchronous load needs the text in memory or chunks read synchronously`);
    const f = new Feeder(src, make, ctl, src.size ?? 0);
    for (const c of chunks) f.chunk(c);
    f.finish();
    return;
  }
  const f = new Feeder(src, make, ctl, src.size ?? src.text.length);
  const text = src.text;
  const size = ctl.chunkSize ?? DEFAULT_CHUNK;
  if (typeof text === 'string') {
    for (let i = 0; i < text.length; i += size) f.range(text, i, Math.min(text.length, i + size));
  } else {
    for (const c of pieces(text, size)) f.chunk(c);
  }
  f.finish();
}

/** Feed any source. */
export async function feed(
  src: DataSource,
  make: (format: DataFormat) => RecordReader,
  ctl: FeedControl = {},
): Promise<void> {
  if (src.text !== undefined) return feedSync(src, make, ctl);
  if (!src.chunks) throw new TypeError(`${src.name}: a data source needs text or chunks`);
  const f = new Feeder(src, make, ctl, src.size ?? 0);
  for await (const c of src.chunks as AsyncIterable<Chunk>) f.chunk(c);
  f.finish();
}

/**
 * A progress bar on stderr for long loads in the `lql` command line.
 *
 * Input: `onProgress(done, total)` calls from a loader (bytes read, bytes in
 * all), then `finish()`.
 * Output: a one-line bar redrawn in place on the stream (`\r`), at most ten
 * times a second, erased by `finish()`: percent, MB, rows and rows per
 * second (when the loader counts rows) and the time left at the pace so far.
 * Invariants: draws nothing unless the stream is a terminal (so piped or
 * redirected output, CI logs and tests stay clean) and nothing during the
 * first `delayMs` (300 ms by default), so quick loads never flicker.
 */

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface ProgressBar {
  /** bytes read so far, bytes in all, and rows loaded so far when the loader counts them */
  onProgress: (done: number, total: number, rows?: number) => void;
  /** erase the bar (if one was drawn) */
  finish: () => void;
}

export interface ProgressBarOptions {
  /** what is being loaded, e.g. the file name */
  label?: string;
  stream?: ProgressStream;
  delayMs?: number;
  now?: () => number;
}

function mb(n: number): string {
  return (n / 1_048_576).toFixed(n < 10 * 1_048_576 ? 1 : 0);
}

function count(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : String(Math.round(n));
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The text of the bar for `done` of `total` bytes, `width` characters wide
 * at most; with `rows` and the time elapsed, also rows so far, rows per
 * second and the time left at the pace so far.
 */
export function renderBar(label: string, done: number, total: number, width: number, pace?: { rows?: number; elapsedMs: number }): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  const name = label.length > 30 ? '...' + label.slice(-27) : label;
  let tail = ` ${pct} ${mb(done)}/${mb(total)} MB`;
  if (pace && pace.elapsedMs > 0 && done > 0) {
    // the extras that fit in the line beside a bar of 10 at least, the time left first
    const left = total > done ? ` · ${clock(((total - done) * pace.elapsedMs) / done)} left` : '';
    const rows = pace.rows !== undefined ? ` · ${count(pace.rows)} rows, ${count((pace.rows * 1000) / pace.elapsedMs)} rows/s` : '';
    const room = width - name.length - 14 - tail.length;
    if (left.length + rows.length <= room) tail += rows + left;
    else if (left.length <= room) tail += left;
  }
  const barWidth = Math.max(10, Math.min(40, width - name.length - tail.length - 4));
  const filled = Math.round(frac * barWidth);
  return `${name} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${tail}`;
}

export function progressBar(options: ProgressBarOptions = {}): ProgressBar {
  const stream: ProgressStream = options.stream ?? process.stderr;
  const now = options.now ?? (() => Date.now());
  const delay = options.delayMs ?? 300;
  const label = options.label ?? 'loading';
  const start = now();
  let last = -Infinity;
  let drawn = false;
  return {
    onProgress(done, total, rows) {
      if (!stream.isTTY) return;
      const t = now();
      if (t - start < delay || t - last < 100) return;
      last = t;
      drawn = true;
      stream.write('\r' + renderBar(label, done, total, stream.columns ?? 80, { rows, elapsedMs: t - start }) + '\x1b[K');
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

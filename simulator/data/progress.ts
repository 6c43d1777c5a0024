/**
 * A progress bar on stderr for long loads in the `lql` command line.
 *
 * Input: `onProgress(done, total)` calls from a loader (bytes read, bytes in
 * all), then `finish()`.
 * Output: a one-line bar redrawn in place on the stream (`\r`), at most ten
 * times a second, erased by `finish()`.
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
  onProgress: (done: number, total: number) => void;
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

/** The text of the bar for `done` of `total` bytes, `width` characters wide at most. */
export function renderBar(label: string, done: number, total: number, width: number): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  const tail = ` ${pct} ${mb(done)}/${mb(total)} MB`;
  const name = label.length > 30 ? '...' + label.slice(-27) : label;
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
    onProgress(done, total) {
      if (!stream.isTTY) return;
      const t = now();
      if (t - start < delay || t - last < 100) return;
      last = t;
      drawn = true;
      stream.write('\r' + renderBar(label, done, total, stream.columns ?? 80) + '\x1b[K');
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

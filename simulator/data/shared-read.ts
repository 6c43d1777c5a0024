/**
 * Reading a file into shared memory, by this thread and any helper threads
 * at once (the columnar cache's entries: on this kind of machine, memory a
 * process touches for the first time costs more than the copy itself, and
 * two threads share that cost).
 *
 * Input: a path; optionally `share`, which hands a `ReadJob` to helper
 * threads (they call `readChunks` on it, see simulator/kernel/kernel-thread.ts).
 * Output: the file's bytes in a Uint8Array over a SharedArrayBuffer.
 * Invariants: the file is cut into chunks of `CHUNK` bytes; each thread takes
 * the next chunk with one atomic add, reads it into place and marks it done;
 * the calling thread reads until none is left, then waits for the chunks
 * helpers took; a chunk a helper failed to read, or has not finished after
 * `PATIENCE_MS`, is read again here (the same bytes), so a helper that
 * fails or stalls costs time, never bytes; a helper reads only the file the
 * calling thread opened (same device, inode, size and modification time),
 * else nothing; a short read (the file shrank) throws, as a read error does.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Bytes per chunk. */
const CHUNK = 16 << 20;
/** How long a chunk taken by a helper is waited for before it is read here. */
const PATIENCE_MS = 5_000;

export interface ReadJob {
  path: string;
  /** the file the reading thread opened (device, inode, size, modification time): a helper reads only that file */
  file: { dev: number; ino: number; size: number; mtimeMs: number };
  bytes: Uint8Array;
  /** shared: [0] the next chunk to take, [1 + c] 1 once chunk c is read, -1 when its reader failed */
  state: Int32Array;
}

function chunks(job: ReadJob): number {
  return Math.ceil(job.bytes.length / CHUNK);
}

/** Read chunk c into place; returns a checksum of one byte per page (the pages' first access, below). */
function readChunk(fd: number, job: ReadJob, c: number): number {
  const start = c * CHUNK;
  const end = Math.min(job.bytes.length, start + CHUNK);
  let at = start;
  while (at < end) {
    const got = readSync(fd, job.bytes, at, end - at, at);
    if (got === 0) throw new Error(`${job.path}: the file ended early`);
    at += got;
  }
  // One read per 4 KiB page: on a virtual machine a page the kernel wrote still costs a fault at the
  // process's first access (measured: ~0.3 s for 250 MB); taken here, that cost is shared between the
  // reading threads instead of falling on whichever thread reads the table first.
  let sum = 0;
  for (let i = start; i < end; i += 4096) sum += job.bytes[i]!;
  return sum;
}

/** Take and read chunks of `job` until none is left (every thread of a read runs this). */
export function readChunks(job: ReadJob): void {
  const n = chunks(job);
  let fd: number | undefined;
  try {
    try {
      fd = openSync(job.path, 'r');
      // the path may name another file by now (an entry rewritten by another run): then read nothing
      const st = fstatSync(fd);
      const f = job.file;
      if (st.dev !== f.dev || st.ino !== f.ino || st.size !== f.size || st.mtimeMs !== f.mtimeMs) return;
    } catch {
      return;
    }
    takeChunks(fd, job, n, true);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Take the job's next chunks (one atomic counter for every thread) and read
 * them until none is left, marking each read (1). A helper marks a chunk it
 * could not read (-1) and wakes the reading thread, which then reads it
 * itself; the reading thread's own failure is thrown.
 */
function takeChunks(fd: number, job: ReadJob, n: number, helper: boolean): void {
  for (;;) {
    const c = Atomics.add(job.state, 0, 1);
    if (c >= n) return;
    let mark = 1;
    try {
      readChunk(fd, job, c);
    } catch (e) {
      if (!helper) throw e;
      mark = -1;
    }
    Atomics.store(job.state, 1 + c, mark);
    if (helper) Atomics.notify(job.state, 1 + c);
  }
}

/** The file's bytes in shared memory; `share` hands the read to helper threads too. */
export function readShared(path: string, share?: (job: ReadJob) => void): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    const size = st.size;
    const job: ReadJob = {
      path,
      file: { dev: st.dev, ino: st.ino, size, mtimeMs: st.mtimeMs },
      bytes: new Uint8Array(new SharedArrayBuffer(size)),
      state: new Int32Array(new SharedArrayBuffer(4 * (1 + Math.ceil(size / CHUNK)))),
    };
    const n = chunks(job);
    if (share && n > 1) share(job);
    takeChunks(fd, job, n, false);
    // the chunks helpers took: waited for, or read here
    for (let c = 0; c < n; c++) {
      if (Atomics.load(job.state, 1 + c) === 0) Atomics.wait(job.state, 1 + c, 0, PATIENCE_MS);
      if (Atomics.load(job.state, 1 + c) !== 1) readChunk(fd, job, c);
    }
    return job.bytes;
  } finally {
    closeSync(fd);
  }
}

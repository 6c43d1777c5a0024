/**
 * The files the command line reads and writes.
 *
 * Input: paths from the command line. Output: file text (reading), and
 * files written whole or not at all (writing).
 * Invariants: every file LQL writes goes to a temporary file in the target's
 * folder and is renamed over the target only once every byte is on disk, so
 * an error (full disk, no permission, a folder in the way) leaves the
 * original untouched and no temporary file behind; an output path that is
 * also one of the command's inputs (compared as real paths, so `./a.lql`,
 * a symlink or a hard link to it count) is refused before anything runs;
 * every problem is an `InputError` or `OutputClashError` whose message is
 * `file:1:1: error CODE: message`. A ruleset is read only when it is no
 * larger than MAX_RULESET_BYTES and does not look like a data file (CSV,
 * JSON Lines), so a file given in the wrong place gets one clear error
 * instead of a syntax error per row.
 */
import * as fs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { diag, type Code } from '../language/diagnostics/registry.js';
import { pointRange } from '../language/diagnostics/diagnostic.js';
import { InputError, OutputClashError } from './errors.js';
import { formatDiagnostics } from './print.js';

/**
 * The file-system calls used to write outputs. Tests replace entries to
 * simulate a failure half-way through (e.g. a full disk on the second write).
 */
export const fsOps = {
  openSync: fs.openSync,
  writeSync: fs.writeSync,
  fsyncSync: fs.fsyncSync,
  closeSync: fs.closeSync,
  renameSync: fs.renameSync,
};

/** `file:1:1: error CODE: message` for a problem with a whole file. */
export function fileProblem(code: Code, file: string, args: Record<string, string | number>): string {
  return formatDiagnostics([diag(code, pointRange(1, 1), args, { file })], file, null);
}

/** In plain words, why a file-system call failed. */
export function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open';
    default:
      return (e as Error)?.message ?? String(e);
  }
}

/** A file's text (UTF-8); a missing file or a folder is an LQL601 error. */
export function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(fileProblem('LQL601', file, { file, reason: reasonOf(e) }));
  }
}

/** The real path of `p`, or of its folder joined with its name when `p` does not exist yet. */
function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    try {
      return join(fs.realpathSync(dirname(resolve(p))), basename(p));
    } catch {
      return resolve(p);
    }
  }
}

function sameFile(a: string, b: string): boolean {
  if (realPath(a) === realPath(b)) return true;
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}

/**
 * Refuse an output path that is one of the inputs (exit 2): writing it would
 * replace the input. `inputs` maps a role ("the ruleset", "the leads file")
 * to a path; undefined paths are ignored.
 */
export function refuseOutputOverInput(out: string, inputs: Record<string, string | undefined>): void {
  for (const [role, path] of Object.entries(inputs)) {
    if (path !== undefined && sameFile(out, path)) {
      throw new OutputClashError(fileProblem('LQL603', out, { file: out, role }));
    }
  }
}

/**
 * An output being written: `write` pieces, then `commit` (renames it into
 * place) or `abort`. `ready` puts every byte on disk without renaming yet,
 * so that several outputs can all be ready before any replaces its target.
 */
export interface OutputFile {
  readonly path: string;
  write(s: string): void;
  ready(): void;
  commit(): void;
  abort(): void;
}

const FLUSH_AT = 1 << 20;

/** Start writing `target` through a temporary file in its folder. */
export function openOutput(target: string): OutputFile {
  let mode = 0o666;
  try {
    const st = fs.statSync(target);
    if (st.isDirectory()) throw new InputError(fileProblem('LQL602', target, { file: target, reason: 'it is a folder' }));
    mode = st.mode & 0o777;
  } catch (e) {
    if (e instanceof InputError) throw e;
  }
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = fsOps.openSync(tmp, 'wx', mode);
  } catch (e) {
    throw new InputError(fileProblem('LQL602', target, { file: target, reason: reasonOf(e) }));
  }
  let pending: string[] = [];
  let size = 0;
  let open = true;
  let done = false;
  const fail = (e: unknown): never => {
    cleanup();
    throw new InputError(fileProblem('LQL602', target, { file: target, reason: reasonOf(e) }));
  };
  const cleanup = () => {
    if (open) {
      open = false;
      try {
        fsOps.closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* nothing more to do */
    }
  };
  const flush = () => {
    if (!pending.length) return;
    const buf = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    size = 0;
    let off = 0;
    while (off < buf.length) off += fsOps.writeSync(fd, buf, off, buf.length - off);
  };
  return {
    path: target,
    write(s) {
      if (!open) return;
      pending.push(s);
      size += s.length;
      if (size >= FLUSH_AT) {
        try {
          flush();
        } catch (e) {
          fail(e);
        }
      }
    },
    ready() {
      if (!open) return;
      try {
        flush();
        fsOps.fsyncSync(fd);
        open = false;
        fsOps.closeSync(fd);
      } catch (e) {
        fail(e);
      }
    },
    commit() {
      if (done) return;
      this.ready();
      try {
        fsOps.renameSync(tmp, target);
        done = true;
      } catch (e) {
        fail(e);
      }
    },
    abort() {
      if (!done) cleanup();
    },
  };
}

/** Write `text` to `target` whole or not at all. */
export function writeFileAtomic(target: string, text: string): void {
  const f = openOutput(target);
  f.write(text);
  f.commit();
}

/** The largest ruleset read: rulesets are written by people; anything larger is the wrong file. */
export const MAX_RULESET_BYTES = 8 * 1024 * 1024;

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Words a ruleset's first line starts with (its declarations). */
const DECLARATION = /^(ruleset|attribute|activity|list|segment|fit|engagement|score|band|stages|route|test)\b/;

/** How many times `delim` occurs outside double quotes in `line`. */
function fieldSeparators(line: string, delim: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === delim) n++;
  }
  return n;
}

/** Why `text` (from `file`) is a data file rather than a ruleset, or null when it may be a ruleset. */
export function dataFileEvidence(file: string, text: string): { kind: string; evidence: string } | null {
  const ext = /\.([A-Za-z]+)$/.exec(file)?.[1]?.toLowerCase();
  if (ext === 'csv' || ext === 'tsv') return { kind: `a ${ext.toUpperCase()} data file`, evidence: `the file name ends in .${ext}` };
  if (ext === 'jsonl' || ext === 'ndjson') return { kind: 'a JSON Lines data file', evidence: `the file name ends in .${ext}` };
  if (ext === 'json') return { kind: 'a JSON data file', evidence: 'the file name ends in .json' };
  const lines: string[] = [];
  let p = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (lines.length < 6 && p < text.length) {
    let e = text.indexOf('\n', p);
    if (e < 0) e = text.length;
    const l = text.slice(p, Math.min(e, p + 10_000)).trim();
    if (l) lines.push(l);
    p = e + 1;
  }
  const first = lines[0];
  if (first === undefined) return null;
  if (first.startsWith('{')) return { kind: 'a JSON Lines data file', evidence: 'its first line is a JSON object' };
  if (first.startsWith('[')) return { kind: 'a JSON data file', evidence: 'it starts with a JSON array' };
  if (DECLARATION.test(first) || first.startsWith('#') || first.startsWith('//') || lines.length < 2) return null;
  const [delim, n] = [',', ';', '\t'].map((d) => [d, fieldSeparators(first, d)] as const).reduce((a, b) => (b[1] > a[1] ? b : a));
  if (n < 1 || !lines.slice(1).every((l) => fieldSeparators(l, delim) === n)) return null;
  const shown = delim === '\t' ? 'tabs' : `\`${delim}\``;
  return { kind: 'a CSV data file', evidence: `its first lines all have ${n + 1} fields separated by ${shown}` };
}

/**
 * A ruleset's text. Refused with one clear error: a file over
 * MAX_RULESET_BYTES (LQL604), a data file (LQL605).
 */
export function readRuleset(file: string): string {
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    /* readText reports it */
  }
  if (size > MAX_RULESET_BYTES) throw new InputError(fileProblem('LQL604', file, { size: mib(size), limit: mib(MAX_RULESET_BYTES) }));
  const text = readText(file);
  const data = dataFileEvidence(file, text);
  if (data) throw new InputError(fileProblem('LQL605', file, data));
  return text;
}

/**
 * Huge pages for commands on large data files (Linux with glibc): `lql`
 * starts itself once more with its memory in 2 MiB pages.
 *
 * Why: a process pays a page fault for each 4 KiB of memory it touches for
 * the first time. On a virtual machine that fault is dear (measured on a
 * 2-core VM: 12 µs, so 0.6 s to read a 190 MB cache entry into memory that
 * takes 0.02 s to copy), and a backtest of a large history touches hundreds
 * of megabytes. Linux maps transparent huge pages, 512 times fewer faults,
 * where a process asks for them (the `madvise` setting most systems ship);
 * glibc's allocator, which holds Node's typed arrays, asks only when
 * `GLIBC_TUNABLES` contains `glibc.malloc.hugetlb=1` as the process starts
 * (with `glibc.malloc.arena_max=1`, see `ARENAS`, unless the user set it).
 *
 * Input: the command's arguments, the environment, the script to run again.
 * Output: `relaunchWithHugePages` gives the exit code of the command run by
 * a child `node` with the setting, or null when this process should run the
 * command itself.
 * Invariants: a child is started only when the arguments name data files of
 * `MIN_BYTES` or more in all, on Linux with glibc 2.35 or later (earlier
 * versions ignore the setting) and huge pages set to `madvise` (with
 * `always` the memory is in huge pages already; with `never` it cannot
 * be); never when `GLIBC_TUNABLES` already names `glibc.malloc.hugetlb`
 * (`glibc.malloc.hugetlb=0` turns it off), in a child started this way,
 * or under a debugger or `--watch`; the child
 * shares this process's input, output and error streams, gets the signals
 * sent to it, and its exit code (or the signal that ended it) is this
 * process's; when the child cannot start, this process runs the command.
 */
import { readFileSync, statSync } from 'node:fs';

/** The data in the arguments from which a second start pays for itself (it costs ~0.1 s; huge pages save ~3 ms per MB touched). */
export const MIN_BYTES = 64 << 20;

const SETTING = 'glibc.malloc.hugetlb';
/**
 * One malloc arena: with huge pages, each thread's own arena (Node runs a dozen threads) would hold at
 * least a 2 MiB page for a few small blocks (measured: +20 MB peak); typed arrays are large blocks that
 * never come from an arena, so sharing one costs no speed here.
 */
const ARENAS = 'glibc.malloc.arena_max';

/** Bytes of the regular files that the arguments name (`--leads x.csv`, `--leads=x.csv`, `x.csv`). */
export function namedFileBytes(argv: readonly string[]): number {
  let total = 0;
  const seen = new Set<string>();
  for (const arg of argv) {
    const path = arg.startsWith('--') ? arg.slice(arg.indexOf('=') + 1 || arg.length) : arg;
    if (!path || path === '-' || seen.has(path)) continue;
    seen.add(path);
    try {
      const st = statSync(path, { throwIfNoEntry: false });
      if (st?.isFile()) total += st.size;
    } catch {
      // a name that cannot be looked at is not data this process will read quickly either
    }
  }
  return total;
}

/** What decides a second start, read off this machine (separate so that tests can state them). */
export interface HugePageFacts {
  platform: NodeJS.Platform;
  /** the C library's version, e.g. '2.36'; undefined when it is not glibc */
  glibc: string | undefined;
  /** the kernel's transparent huge page setting: 'always', 'madvise', 'never' or undefined */
  thp: string | undefined;
}

export function machineFacts(): HugePageFacts {
  if (process.platform !== 'linux') return { platform: process.platform, glibc: undefined, thp: undefined };
  let thp: string | undefined;
  try {
    thp = /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    thp = undefined;
  }
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return { platform: process.platform, glibc: header?.glibcVersionRuntime, thp };
}

/** Set in the child's environment: a second start never starts a third (glibc may drop its tunables, e.g. for a privileged `node`). */
const STARTED_AGAIN = 'LQL_STARTED_WITH_HUGE_PAGES';

/** The environment for the second start, or null when there should be none. */
export function hugePageEnv(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  facts: () => HugePageFacts = machineFacts,
  minBytes = MIN_BYTES,
  execArgv: readonly string[] = process.execArgv,
): NodeJS.ProcessEnv | null {
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (tunables.includes(SETTING) || env[STARTED_AGAIN]) return null;
  // a debugger or a watcher is attached to this process: the command runs here
  if (execArgv.some((a) => /^--(inspect|watch|debug)/.test(a))) return null;
  if (namedFileBytes(argv) < minBytes) return null;
  const f = facts();
  const [major = 0, minor = 0] = (f.glibc ?? '').split('.').map(Number);
  if (f.platform !== 'linux' || f.thp !== 'madvise' || !(major > 2 || (major === 2 && minor >= 35))) return null;
  const added = [`${SETTING}=1`, ...(tunables.includes(ARENAS) ? [] : [`${ARENAS}=1`])].join(':');
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${added}` : added, [STARTED_AGAIN]: '1' };
}

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Run `script argv` again in a child `node` whose memory is in huge pages,
 * when that pays (see the header); its exit code, or null to run here.
 */
export async function relaunchWithHugePages(script: string, argv: readonly string[], minBytes = MIN_BYTES): Promise<number | null> {
  const env = hugePageEnv(argv, process.env, machineFacts, minBytes);
  if (!env) return null;
  // loaded only here: every `lql` command comes through this module first, and most never start a child
  const [{ spawn }, { constants }] = await Promise.all([import('node:child_process'), import('node:os')]);
  let child: import('node:child_process').ChildProcess;
  try {
    child = spawn(process.execPath, [...process.execArgv, script, ...argv], { stdio: 'inherit', env });
  } catch {
    return null; // could not start (e.g. too little memory): this process runs the command
  }
  const forward = (sig: NodeJS.Signals) => {
    child.kill(sig);
  };
  for (const sig of FORWARDED) process.on(sig, forward);
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | null>((resolve) => {
    // an error before the child has a process id means it never started; later ones (a signal not delivered) do not matter
    child.on('error', () => {
      if (child.pid === undefined) resolve(null);
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  for (const sig of FORWARDED) process.off(sig, forward);
  if (!ended) return null;
  if (ended.signal) {
    // end the way the child ended, so a shell sees the same status (130 after Ctrl-C)
    process.kill(process.pid, ended.signal);
    return 128 + (constants.signals[ended.signal] ?? 0);
  }
  return ended.code ?? 1;
}

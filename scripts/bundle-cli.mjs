// Bundles the `lql` command into dist/lql/: main.js holds everything
// `check`, `test` and `fmt` need (the language front end, chevrotain), and
// what only some commands use (the data readers and engine, the SQL
// emitter, DuckDB glue) is split into chunks loaded on first use. Native and
// server drivers (DuckDB, pg, apache-arrow's optional parts, and the
// storage and co-editing libraries of `lql serve`) stay external
// and load only in the commands that need them. One bundled file parses and
// starts much faster than hundreds of small ES modules.
import { build } from 'rolldown';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = `${root}dist/lql`;
rmSync(outDir, { recursive: true, force: true });
// The build of the data readers: cache entries written by another build are
// never read (see simulator/data/cache.ts).
const readers = createHash('sha1');
for (const name of readdirSync(`${root}simulator/data`).sort()) readers.update(readFileSync(`${root}simulator/data/${name}`));

await build({
  cwd: root,
  // the workers that read parts of large data files (simulator/data/parallel.ts) and replay ranges of
  // leads (simulator/replay-threads.ts) are entries of their own
  // and so is the check that starts `lql` again with huge pages (cli/huge-pages.ts), before anything else loads
  input: { main: 'cli/main.ts', 'huge-pages': 'cli/huge-pages.ts', 'parts-worker': 'simulator/data/parts-worker.ts', 'kernel-thread': 'simulator/kernel/kernel-thread.ts' },
  platform: 'node',
  // `lql serve`'s storage and co-editing libraries stay external too: PGlite loads its
  // WASM beside its own module, and Yjs must be one copy shared with Hocuspocus.
  external: [/^node:/, '@duckdb/node-api', 'pg', '@electric-sql/pglite', '@hocuspocus/server', 'ws', /^yjs$/, /^lib0\//, /^y-protocols\//, 'diff'],
  transform: { define: { __LQL_BUNDLED__: 'true', __LQL_READER_BUILD__: JSON.stringify(readers.digest('hex').slice(0, 16)) } },
  logLevel: 'warn',
  onLog(level, log, handler) {
    // cli/commands.ts is imported both ways on purpose (shared helpers).
    if (log.code === 'INEFFECTIVE_DYNAMIC_IMPORT') return;
    handler(level, log);
  },
  output: { dir: outDir, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', minify: true, sourcemap: false },
});

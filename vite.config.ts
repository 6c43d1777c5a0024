/**
 * Build and dev-server configuration for the LQL browser playground.
 *
 * Input: the sources under `playground/` (entry `playground/index.html`),
 * plus the shared `language/`, `simulator/` and `examples/` modules they
 * import. Output: `npm start` serves the playground and opens a browser
 * (on a machine without a display the open step just fails, the server keeps
 * running); `npm run build:playground` writes a static site to
 * `dist/playground`.
 *
 * Invariants:
 * - Monaco is imported only as `monaco-editor/editor/editor.api` plus the
 *   editor contributions LQL uses and the plain editor worker; the
 *   TypeScript/JSON/CSS/HTML language workers and the bundled basic
 *   languages are never imported, so they are not in the bundle.
 * - Web workers are built as ES modules (`worker.format: 'es'`), so the
 *   simulator worker can use `import` like the page.
 * - `base: './'` keeps the built site relocatable (it works from any path,
 *   including a static file server in tests).
 * - The diagnostic help pages (`docs/errors/*.md`) are served at
 *   `docs/errors/` and copied into the build, so a marker's link works
 *   offline; the public example datasets (`../shared/data`) are served at
 *   `datasets/` by the dev server only, never copied into the build.
 * - `node:fs` and `node:path` resolve to a stub that throws if called: only
 *   command-line paths of simulator modules use them (writing files), and
 *   the playground never calls those.
 */
import { defineConfig, type Plugin, type ViteDevServer } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';

const root = fileURLToPath(new URL('./playground/', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/playground/', import.meta.url));
const helpDir = fileURLToPath(new URL('./docs/errors/', import.meta.url));
const datasetsDir = fileURLToPath(new URL('../shared/data/', import.meta.url));
const nodeStub = fileURLToPath(new URL('./playground/worker/node-stub.ts', import.meta.url));

/** Serve `prefix` from `dir` read-only (no listing, no path escapes). */
function serveDir(prefix: string, dir: string, type: (file: string) => string): (server: ViteDevServer) => void {
  return (server) => {
    server.middlewares.use((req, res, next) => {
      const url = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
      if (!url.startsWith(prefix)) return next();
      const file = normalize(join(dir, url.slice(prefix.length)));
      if (!file.startsWith(normalize(dir + sep)) || !existsSync(file) || !statSync(file).isFile()) return next();
      res.setHeader('Content-Type', type(file));
      res.end(readFileSync(file));
    });
  };
}

const mdType = () => 'text/markdown; charset=utf-8';
const dataType = (f: string) => (f.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8');

function helpPages(): Plugin {
  return {
    name: 'lql-help-pages',
    configureServer(server) {
      serveDir('/docs/errors/', helpDir, mdType)(server);
      serveDir('/datasets/', datasetsDir, dataType)(server);
    },
    generateBundle() {
      if (!existsSync(helpDir)) return;
      for (const name of readdirSync(helpDir)) {
        if (!name.endsWith('.md')) continue;
        this.emitFile({ type: 'asset', fileName: `docs/errors/${name}`, source: readFileSync(join(helpDir, name)) });
      }
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [react(), helpPages()],
  resolve: {
    alias: {
      'node:fs': nodeStub, 'node:path': nodeStub,
      // y-monaco (co-authoring) imports Monaco by a deep path that monaco-editor's exports map hides
      'monaco-editor/esm/vs/editor/editor.api.js': 'monaco-editor/editor/editor.api',
    },
  },
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    // the playground imports ../language, ../simulator and ../examples
    fs: { allow: [fileURLToPath(new URL('./', import.meta.url))] },
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // The page's one entry chunk is ~4.3 MB minified: Monaco (~2.5 MB) is
    // most of it, the rest is React, the language and the simulator. The
    // editor is needed on first paint, so splitting it would only add a
    // round trip; warn when the chunk grows past 5 MB, not on every build.
    chunkSizeWarningLimit: 5000,
    reportCompressedSize: false,
    rolldownOptions: {
      // plugin-timing hints ("PLUGIN_TIMINGS") depend on how loaded the machine
      // is, not on the code: a busy CI box printed them on every install
      checks: { bundlerTimings: false },
    },
  },
});

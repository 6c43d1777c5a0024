// A worker script under test, bundled from its TypeScript sources into a
// temporary folder (Node runs a worker from JavaScript files only), and the
// folder removed after the test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'rolldown';
import { afterAll, beforeAll } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Bundle `entry` (a path from the repository root) as `name.js` before the file's tests; `url()` and `dir()` are set then. */
export function workerBundle(name: string, entry: string): { url: () => URL; dir: () => string } {
  let dir = '';
  let url: URL | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `lql-${name}-`));
    await build({
      cwd: ROOT,
      input: { [name]: entry },
      platform: 'node',
      external: [/^node:/],
      logLevel: 'silent',
      output: { dir: join(dir, 'worker'), format: 'esm', entryFileNames: '[name].js' },
    });
    url = pathToFileURL(join(dir, 'worker', `${name}.js`));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    url: () => {
      if (!url) throw new Error(`${name} is not bundled yet`);
      return url;
    },
    dir: () => dir,
  };
}

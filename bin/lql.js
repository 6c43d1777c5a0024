#!/usr/bin/env node
// The `lql` command: runs the compiled CLI (built by `npm install` / `npm run build:cli`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/lql/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('lql: the command line is not built yet. Run `npm install` (or `npm run build:cli`) in the LQL folder first.\n');
  process.exit(2);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));

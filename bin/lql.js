#!/usr/bin/env node
// The `lql` command: runs the compiled CLI (built by `npm install` / `npm run build:cli`).
// On large data files it first starts itself again with its memory in huge pages (cli/huge-pages.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/lql/main.js', import.meta.url);
const hugePages = new URL('../dist/lql/huge-pages.js', import.meta.url);
if (!existsSync(fileURLToPath(main)) || !existsSync(fileURLToPath(hugePages))) {
  process.stderr.write('lql: the command line is not built yet. Run `npm install` (or `npm run build:cli`) in the LQL folder first.\n');
  process.exit(2);
}
const argv = process.argv.slice(2);
const { relaunchWithHugePages } = await import(hugePages.href);
const code = await relaunchWithHugePages(fileURLToPath(import.meta.url), argv);
if (code !== null) process.exitCode = code;
else {
  const { run } = await import(main.href);
  process.exitCode = await run(argv);
}

/**
 * `npm run bench`: runs every benchmark module in one process and prints
 * its figures (each module measures its own reference side by side).
 * Usage: npm run bench [-- NAME...]   (names: startup, data, language, kernel, csv, sql, playground, collab)
 */
const MODULES: Record<string, string> = {
  startup: './startup.js',
  language: './language.js',
  csv: './csv-ingest.js',
  data: './data.js',
  kernel: './kernel.js',
  sql: './sql.js',
  playground: './playground.js',
  collab: './collab.js',
};

async function main(): Promise<void> {
  const want = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = want.length ? want : Object.keys(MODULES);
  for (const name of names) {
    const path = MODULES[name];
    if (!path) {
      process.stderr.write(`unknown benchmark '${name}' (known: ${Object.keys(MODULES).join(', ')})\n`);
      process.exitCode = 2;
      continue;
    }
    process.stdout.write(`\n== ${name} ==\n`);
    try {
      const mod = (await import(path)) as { run: () => Promise<string[]> };
      for (const line of await mod.run()) process.stdout.write(line + '\n');
    } catch (e) {
      process.stdout.write(`(not run: ${(e as Error).message})\n`);
      process.exitCode = 1;
    }
  }
}

await main();

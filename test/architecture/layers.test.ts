/**
 * The layer rules of ARCHITECTURE.md, checked on every import of the
 * product code (language/, simulator/, cli/, server/, api/, playground/).
 *
 * Input: the source files, read with TypeScript's own import scanner (so
 * `import type`, re-exports and `import()` all count). Output: one failure
 * per import that points up or sideways, naming the file and the target.
 * Invariants: `KNOWN_CROSSINGS` lists the crossings still being removed;
 * an entry that no longer occurs fails too, so the list only shrinks.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), '..', '..'));

/** The layer a file belongs to: a language/ stage, simulator/data, or a top folder. */
function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'language') return parts.length > 2 ? `language/${parts[1]}` : 'language';
  if (parts[0] === 'simulator') return parts.length > 2 && parts[1] === 'data' ? 'simulator/data' : 'simulator';
  return parts[0] ?? file;
}

const BASE = ['language/syntax', 'language/diagnostics', 'language/shared'];
const LANGUAGE = [...BASE, 'language/check', 'language/format', 'language/service', 'language/interpret', 'language/compile', 'language'];
const SIMULATOR = ['simulator', 'simulator/data'];

/** What each layer may import besides itself (ARCHITECTURE.md, "Invariants"). */
const ALLOWED: Record<string, readonly string[]> = {
  // the base: source ranges and diagnostics, used by everything after it
  'language/diagnostics': ['language/syntax', 'language/shared'],
  'language/syntax': ['language/diagnostics', 'language/shared'],
  // below every user: name suggestions, the scorer's result types
  'language/shared': ['language/syntax', 'language/diagnostics'],
  'language/check': BASE,
  'language/format': BASE,
  // the service sits beside the checker; it formats documents too
  'language/service': [...BASE, 'language/check', 'language/format'],
  // the two routes to the meaning: each uses the checker, neither the other
  'language/interpret': [...BASE, 'language/check'],
  'language/compile': [...BASE, 'language/check'],
  // language/index.ts: the front end in one call
  language: LANGUAGE,
  'simulator/data': LANGUAGE,
  simulator: [...LANGUAGE, 'simulator/data'],
  // the command line starts the server (`lql serve`)
  cli: [...LANGUAGE, ...SIMULATOR, 'server'],
  // the server and the library API sit beside the command line
  server: [...LANGUAGE, ...SIMULATOR],
  api: [...LANGUAGE, ...SIMULATOR],
  // the examples gallery bundles the example rulesets; the worker bundles re2js's source
  playground: [...LANGUAGE, ...SIMULATOR, 'examples', 'node_modules'],
};

/** Crossings still being removed: `file -> target file`. Remove an entry with its crossing. */
const KNOWN_CROSSINGS = new Set<string>([
  // none left: every import points down
]);

/** Node built-ins that code running in a browser must not import. */
const NODE_ONLY = /^node:|^(fs|path|os|child_process|worker_threads|module|url|util)$/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

interface Import {
  file: string;
  spec: string;
  /** the imported file relative to the root (for relative imports) */
  target?: string;
}

function importsOf(file: string, text: string): Import[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map(({ fileName: spec }) => {
    if (!spec.startsWith('.')) return { file, spec };
    const target = relative(ROOT, normalize(join(ROOT, dirname(file), spec.replace(/\?.*$/, '')))).replace(/\.js$/, '.ts');
    return { file, spec, target };
  });
}

/** Every import of `files` that breaks a rule, as `file -> target` (`read` gives a file's text). */
function violations(files: string[], read = (f: string) => readFileSync(join(ROOT, f), 'utf8')): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const imp of importsOf(file, read(file))) {
      if (!imp.target) {
        if (from.startsWith('language') && NODE_ONLY.test(imp.spec)) out.push(`${file} -> ${imp.spec}`);
        continue;
      }
      const to = layerOf(imp.target);
      if (to === from || ALLOWED[from]?.includes(to)) continue;
      out.push(`${file} -> ${imp.target.replace(/\.tsx$/, '.ts')}`);
    }
  }
  return out;
}

const FILES = ['language', 'simulator', 'cli', 'server', 'api', 'playground'].flatMap(sourceFiles);

describe('layers', () => {
  it('reads the product code', () => {
    // a guard against a scan that finds nothing (and so cannot fail)
    expect(FILES.length).toBeGreaterThan(100);
    expect(FILES).toContain('language/syntax/parser.ts');
  });

  it('every import points down (ARCHITECTURE.md), except the listed crossings', () => {
    const found = violations(FILES);
    expect(found.filter((v) => !KNOWN_CROSSINGS.has(v))).toEqual([]);
  });

  it('each listed crossing still exists (remove it from the list once it is gone)', () => {
    const found = new Set(violations(FILES));
    expect([...KNOWN_CROSSINGS].filter((v) => !found.has(v))).toEqual([]);
  });

  it('fails on an import that points up or sideways, or on a Node built-in in language/', () => {
    const fake: Record<string, string> = {
      'language/compile/a.ts': "import { t } from '../../simulator/data/table.js';\nimport type { V } from '../interpret/values.js';",
      'language/interpret/b.ts': "export * from '../compile/ir.js';",
      'language/check/c.ts': "const s = await import('../service/index.js');\nimport { readFileSync } from 'node:fs';",
      'language/syntax/d.ts': "import type { Diagnostic } from '../diagnostics/diagnostic.js';",
      'simulator/e.ts': "import { main } from '../cli/main.js';\nimport { lower } from '../language/compile/lower.js';",
      'cli/f.ts': "import { simulate } from '../simulator/simulate.js';\nimport { x } from '../playground/app/App.js';",
    };
    expect(violations(Object.keys(fake), (f) => fake[f] ?? '')).toEqual([
      'language/compile/a.ts -> simulator/data/table.ts',
      'language/compile/a.ts -> language/interpret/values.ts',
      'language/interpret/b.ts -> language/compile/ir.ts',
      'language/check/c.ts -> language/service/index.ts',
      'language/check/c.ts -> node:fs',
      'simulator/e.ts -> cli/main.ts',
      'cli/f.ts -> playground/app/App.ts',
    ]);
  });
});

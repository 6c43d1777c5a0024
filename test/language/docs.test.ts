// Every LQL example in the README and in docs/ (outside the error pages,
// whose examples are wrong on purpose) checks without errors.
import { it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { compileSource } from '../../language/index.js';

const root = new URL('../../', import.meta.url);
const files = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

it('README and docs examples are valid LQL', () => {
  let blocks = 0;
  for (const f of files) {
    const text = readFileSync(new URL(f, root), 'utf8');
    for (const m of text.matchAll(/```lql\n([\s\S]*?)```/g)) {
      blocks++;
      const r = compileSource(m[1]!);
      expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${f}: ${d.code} ${d.message}`)).toEqual([]);
    }
  }
  expect(blocks).toBeGreaterThan(0);
});

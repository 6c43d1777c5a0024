// Golden emitted code for the canonical example: the scorer body generated
// for ../shared/spec/examples/acme.lql (runtime and regex engine excluded).
// A change to the emitter shows up here as a reviewable diff; regenerate
// with UPDATE_GOLDEN=1 after reading it.
import { test, expect } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileSource } from '../../language/index.js';
import { emitBody } from '../../language/compile/emit-js.js';

test('golden scorer body for acme.lql', () => {
  const src = readFileSync(new URL('../../../shared/spec/examples/acme.lql', import.meta.url), 'utf8');
  const ir = compileSource(src).ir!;
  const body = emitBody(ir);
  const golden = fileURLToPath(new URL('./golden/acme.body.js', import.meta.url));
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden, body);
  expect(existsSync(golden), 'golden file missing: run with UPDATE_GOLDEN=1 and review it').toBe(true);
  expect(body).toBe(readFileSync(golden, 'utf8'));
  // every user string is embedded JSON-encoded, never spliced raw
  expect(body).toContain('"Sales: call within 24h"');
  expect(body).toContain('"financial_services"');
});

// The canonical example must already be in canonical layout: formatting it changes nothing.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format } from '../../language/format/formatter.js';

const ACME = fileURLToPath(new URL('../../../shared/spec/examples/acme.lql', import.meta.url));

describe('acme.lql', () => {
  it('is byte-identical after formatting', () => {
    const src = readFileSync(ACME, 'utf8');
    const r = format(src);
    if ('error' in r) throw new Error(JSON.stringify(r.error));
    expect(r.text).toBe(src);
    expect(r.changed).toBe(false);
  });
});

/**
 * Lowering refuses an AST the checker could not have let through, with a
 * message that names what is wrong (reported by compileSource as LQL111),
 * instead of failing on a missing value somewhere inside.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../language/syntax/parser.js';
import { check } from '../../language/check/checker.js';
import { lower } from '../../language/compile/lower.js';

/** Every object in a tree with `kind === kind`. */
function nodesOf(tree: unknown, kind: string, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(tree)) for (const x of tree) nodesOf(x, kind, out);
  else if (tree && typeof tree === 'object') {
    const o = tree as Record<string, unknown>;
    if (o.kind === kind) out.push(o);
    for (const v of Object.values(o)) nodesOf(v, kind, out);
  }
  return out;
}

describe('lower', () => {
  const src = 'attribute email: text\nfit { +10 when lower(email) == "a@b.co" }\n';

  it('lowers a call with its one value', () => {
    const parsed = parse(src);
    const checked = check(parsed.program);
    expect(checked.ok).toBe(true);
    const ir = lower(parsed.program, checked, src);
    expect(JSON.stringify(ir)).toContain('"k":"lower"');
  });

  it('refuses a call without its value, naming the function', () => {
    const parsed = parse(src);
    const checked = check(parsed.program);
    const [call] = nodesOf(parsed.program, 'Call');
    expect(call).toBeDefined();
    call!.args = [];
    expect(() => lower(parsed.program, checked, src)).toThrow('`lower` was called without its value');
  });
});

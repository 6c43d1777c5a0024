/**
 * `/.../i` means RE2's Unicode simple case folding in every engine: the
 * interpreter, the compiled JS scorer, the columnar kernel, DuckDB and
 * PostgreSQL (where the folding is written into the pattern, so that the
 * server's locale plays no part): `/k/i` matches the Kelvin sign U+212A,
 * `/s/i` the long s U+017F, `/σ/i` the final sigma, `[a-z]` and `\w` fold
 * too, and a negated class excludes every case of what it names.
 *
 * Input: a ruleset of case-insensitive patterns; texts chosen on every
 * orbit that is more than a simple upper/lower pair. Output: pass/fail; the
 * reference is re2js (RE2's own semantics), checked independently.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RE2JS } from 're2js';
import { compileSource } from '../../language/index.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import { interpret } from '../../language/interpret/index.js';
import { foldOrbit, toPostgresRegex } from '../../language/compile/sql-regex.js';
import { replay, type ScoredTable } from '../../simulator/replay.js';
import { leadTable } from '../simulator/helpers.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { runDuckDB, runPostgres, type TestLead } from './harness.js';

const skipPg = postgresUnavailable();
let pg: PostgresServer | null = null;
beforeAll(async () => {
  if (!skipPg) pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

const PATTERNS = ['k', 'K', '\u212a', 'ok$', '^s', '[a-z]+$', '\\w', '[^k]', 'σ', 'é', '\\x{212A}', '[[:upper:]]x', 'ǆ', 'µ'];
const TEXTS = ['k', 'K', '\u212a', 'o\u212a', 'OK', '\u017f', 'S', 'abc', '\u212a\u017f', 'ς', 'Σ', 'É', '\u1e9e', 'ax', 'ǅ', 'Ǆ', 'Μ', 'μ', '-', ''];

const src = [
  'attribute t: text',
  'fit {',
  ...PATTERNS.map((p, i) => `  +${2 ** i} when t matches /${p}/i`),
  '}',
  '',
].join('\n');

/** The fit score RE2 gives a text: the sum of 2^i over the patterns that match. */
function re2Fit(t: string): number {
  let s = 0;
  PATTERNS.forEach((p, i) => {
    if (RE2JS.compile(p, RE2JS.CASE_INSENSITIVE).matcher(t).find()) s += 2 ** i;
  });
  return s;
}

function kernelFits(ir: ReturnType<typeof compileSource>['ir'] & object): number[] {
  const lt = leadTable(TEXTS.map((t, i) => ({ id: `L${i}`, attrs: { t } })), { t: 'text' });
  const st: ScoredTable = replay(ir, lt, null, { asOf: 0, mode: 'snapshot' });
  const fit = st.scoreNames.indexOf('fit');
  return TEXTS.map((_, i) => st.scores[fit]![i]!);
}

describe('case-insensitive matching is RE2 case folding everywhere', () => {
  test('the reference: RE2 folds the Kelvin sign, the long s and the final sigma', () => {
    const m = (p: string, t: string) => RE2JS.compile(p, RE2JS.CASE_INSENSITIVE).matcher(t).find();
    expect(m('k', '\u212a')).toBe(true);
    expect(m('s', '\u017f')).toBe(true);
    expect(m('σ', 'ς')).toBe(true);
    expect(m('[^k]', '\u212a')).toBe(false);
    expect(m('i', '\u0131')).toBe(false);
  });

  test('the fold orbits used for PostgreSQL are RE2 orbits', () => {
    expect(foldOrbit('k')).toEqual(['K', 'k', '\u212a']);
    expect(foldOrbit('ς')).toEqual(expect.arrayContaining(['Σ', 'σ', 'ς']));
    expect(foldOrbit('\u0131')).toBeUndefined();
    // every member of every orbit matches every other under RE2 /i (a sample of all cased letters)
    for (let cp = 0x41; cp < 0x2000; cp += 7) {
      const o = foldOrbit(String.fromCodePoint(cp));
      if (!o) continue;
      for (const a of o) for (const b of o) expect(RE2JS.compile(RE2JS.quote(a), RE2JS.CASE_INSENSITIVE).matcher(b).matches(), `${a} ~ ${b}`).toBe(true);
    }
  });

  test('interpreter, compiled scorer and kernel agree with RE2', () => {
    const r = compileSource(src);
    expect(r.diagnostics).toEqual([]);
    const js = compileScorer(r.ir!);
    const kern = kernelFits(r.ir!);
    TEXTS.forEach((t, i) => {
      const want = re2Fit(t);
      expect(js.score({ t }, [], 0).scores.fit, `js ${JSON.stringify(t)}`).toBe(want);
      expect(interpret(r.program, r.checked.attributeTypes, { t }, [], 0, src).scores.fit, `interpreter ${JSON.stringify(t)}`).toBe(want);
      expect(kern[i], `kernel ${JSON.stringify(t)}`).toBe(want);
    });
  });

  const leads: TestLead[] = TEXTS.map((t, i) => ({ id: `L${i}`, attrs: { t }, events: [] }));

  test('DuckDB agrees with RE2', async () => {
    const duck = await runDuckDB(compileSource(src).ir!, leads);
    TEXTS.forEach((t, i) => expect(duck.results.get(`L${i}`)!.scores.fit, JSON.stringify(t)).toBe(re2Fit(t)));
  });

  test('PostgreSQL agrees with RE2, whatever the locale (folding in the pattern, case-sensitive ~)', async () => {
    const r = toPostgresRegex('k', true);
    expect(r.pattern).toBe('[\\U0000004b\\U0000006b\\U0000212a]');
    if (!pg) return;
    const post = await runPostgres(pg.client, compileSource(src).ir!, leads);
    TEXTS.forEach((t, i) => expect(post.results.get(`L${i}`)!.scores.fit, JSON.stringify(t)).toBe(re2Fit(t)));
  });
});

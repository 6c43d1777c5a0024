// The compiled scorer agrees with the reference interpreter on acme.lql for
// pseudo-random leads, event histories and asOf times.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { compileSource } from '../../language/index.js';
import { compileScorer } from '../../language/compile/emit-js.js';
import { interpret } from '../../language/interpret/index.js';
import { closeEnough } from '../cases/load.js';

test('compiled == interpreted on 2,000 random acme leads', () => {
  const src = readFileSync(fileURLToPath(new URL('../../../shared/spec/examples/acme.lql', import.meta.url)), 'utf8');
  const { ir, program, checked } = compileSource(src);
  const sc = compileScorer(ir!);
  const acts = ir!.activities;
  let seed = 7;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const day = 86_400_000;
  const base = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < 2000; i++) {
    const lead: Record<string, unknown> = {
      industry: pick(['financial_services', 'services', 'manufacturing', 'retail', '', null]),
      employees: pick([20, 99, 100, 5000, '8000', 'n/a', undefined]),
      title: pick(['VP Sales', 'Head of Ops', 'engineer', undefined]),
      email: pick(['a@gmail.com', 'b@Bank.example', 'nobody', undefined]),
      budget: pick([5000, 10000, '20000', undefined]),
      timeframe_days: pick([30, 90, 91, undefined]),
    };
    const events = Array.from({ length: Math.floor(rnd() * 30) }, () => ({
      type: rnd() < 0.05 ? 'not_declared' : pick(acts),
      at: base + Math.floor(rnd() * 120) * day + (rnd() < 0.5 ? 0 : Math.floor(rnd() * day)),
    }));
    const asOf = rnd() < 0.5 ? undefined : base + Math.floor(rnd() * 150) * day;
    const a = sc.score(lead, events, asOf);
    const b = interpret(program, checked.attributeTypes, lead, events, asOf, src);
    const ctx = JSON.stringify({ lead, events, asOf });
    for (const k of Object.keys(b.scores)) expect(closeEnough(a.scores[k]!, b.scores[k]!), ctx + k).toBe(true);
    expect({ ...a.bands }, ctx).toEqual({ ...b.bands });
    expect(a.stage, ctx).toBe(b.stage);
    expect({ ...a.reached }, ctx).toEqual({ ...b.reached });
    expect(a.route, ctx).toBe(b.route);
    expect(a.reasons.map((r) => [r.score, r.line, r.rule]), ctx).toEqual(b.reasons.map((r) => [r.score, r.line, r.rule]));
  }
});

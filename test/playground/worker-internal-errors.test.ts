/**
 * A fault inside the simulator while the playground's engine works in the
 * background is answered with an LQL531 diagnostic naming the task, never
 * with an empty answer that looks like "nothing to show".
 */
import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';

vi.mock('../../simulator/rule-stats.js', () => ({
  ruleStats: () => {
    throw new Error('rule statistics fault');
  },
}));
vi.mock('../../simulator/thresholds.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../simulator/thresholds.js')>()),
  // biome-ignore lint/correctness/useYield: a sweep that fails before its first replay
  sweepStage: function* () {
    throw new Error('sweep fault');
  },
}));

const { createEngine } = await import('../../playground/worker/engine.js');
const acme = readFileSync(new URL('../../examples/acme.lql', import.meta.url), 'utf8');

describe('playground engine: internal errors', () => {
  it('become diagnostics of the statistics and the sweep', async () => {
    const w = createEngine();
    await w.generateData({ leads: 500, seed: 7, name: 'ACME' });
    expect((await w.run(1, { text: acme })).status).toBe('ok');
    const st = await w.runStats(acme);
    expect(st.ruleStats).toEqual([]);
    expect(st.diagnostics?.map((d) => [d.code, d.severity])).toEqual([['LQL531', 'error']]);
    expect(st.diagnostics?.[0]?.message).toContain('computing the rule statistics (rule statistics fault)');
    const sw = await w.sweep(acme);
    expect(sw.sweeps).toEqual([]);
    expect(sw.diagnostics?.[0]?.code).toBe('LQL531');
    expect(sw.diagnostics?.[0]?.message).toContain('threshold sweep (sweep fault)');
  });
});

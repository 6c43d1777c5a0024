/**
 * Per-rule statistics of a replay: for each rule of a score block, how many
 * leads it gave points to and the close rate of those leads (the editor's
 * hover in the playground).
 *
 * Input: the IR, the lead and event tables a replay ran over, and that
 * replay's scored table (its asOf and mode). Output: one `RuleStat` per
 * rule line, in source order, or null when `pause` asked to stop.
 * Invariants: each lead is scored by the object scorer (emit-js.ts) at the
 * time the replay used for it (closed_at when known, else asOf) with the
 * events the replay saw (strictly before closed_at, else up to asOf), so
 * "fired" agrees with the report; a rule counts once per lead; the close
 * rate is won / (won + lost), NaN with no decided lead.
 */
import type { IR } from '../language/compile/ir.js';
import { compileScorer } from '../language/compile/emit-js.js';
import type { RuleStat } from '../language/service/context.js';
import type { EventTable, LeadTable } from './data/table.js';
import { rate } from './metrics.js';
import type { ScoredTable } from './replay.js';
import { leadRecord } from './worker-api.js';

export interface RuleStatsOptions {
  /** leads between calls of `pause` (default 250) */
  step?: number;
  /** called between steps; resolves false to stop (the result is then null) */
  pause?: () => Promise<boolean>;
}

export async function ruleStats(ir: IR, leads: LeadTable, events: EventTable | null, scored: ScoredTable, opts: RuleStatsOptions = {}): Promise<RuleStat[] | null> {
  const scorer = compileScorer(ir);
  const lines = new Map<number, { fired: number; won: number; lost: number }>();
  for (const s of ir.scores) if (s.kind === 'block') for (const r of s.rules) lines.set(r.src.line, { fired: 0, won: 0, lost: 0 });
  const ev = scored.mode === 'events' ? events : null;
  const step = Math.max(1, opts.step ?? 250);
  for (let lo = 0; lo < leads.n; lo += step) {
    if (opts.pause && !(await opts.pause())) return null;
    const hi = Math.min(leads.n, lo + step);
    for (let i = lo; i < hi; i++) {
      const ca = leads.closedAt[i] ?? NaN;
      const closed = ca === ca;
      const asOf = closed ? ca : scored.asOf;
      const evs: { type: string; at: number }[] = [];
      if (ev) {
        const end = ev.offsets[i + 1] ?? 0;
        for (let j = ev.offsets[i] ?? end; j < end; j++) {
          const t = ev.times[j] ?? NaN;
          if (closed ? t >= ca : t > asOf) break;
          evs.push({ type: ev.typeNames[ev.types[j] ?? -1] ?? '', at: t });
        }
      }
      const seen = new Set<number>();
      for (const r of scorer.score(leadRecord(leads, i), evs, asOf).reasons) {
        if (seen.has(r.line)) continue;
        seen.add(r.line);
        const s = lines.get(r.line);
        if (!s) continue;
        s.fired++;
        if (leads.outcome[i] === 1) s.won++;
        else if (leads.outcome[i] === 0) s.lost++;
      }
    }
  }
  return [...lines].map(([line, s]) => ({ line, fired: s.fired, closeRate: rate(s.won, s.lost) ?? NaN }));
}

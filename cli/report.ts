/**
 * The human-readable backtest report printed by `lql simulate`.
 *
 * Input: a simulator Report (the `simulate --json` shape). Output: text.
 * Invariants: open leads, skipped rows and events of unknown leads are always
 * stated, so nobody reads metrics without knowing what they were computed on.
 */
import type { Report } from '../simulator/metrics.js';
import { pct, fixed, int, table } from './print.js';

function sign(x: number | null | undefined, f: (v: number) => string): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return (x > 0 ? '+' : x < 0 ? '−' : '±') + f(Math.abs(x));
}

export function printReport(r: Report, opts: { changes?: number } = {}): string {
  const out: string[] = [];
  const title = r.ruleset ?? 'ruleset';
  out.push(`${title} — backtest on ${int(r.leads)} leads (${r.mode === 'events' ? 'event history' : 'snapshot'}, as of ${r.asOf.slice(0, 10)})`);
  out.push(`won ${int(r.won)} · lost ${int(r.lost)} · open ${int(r.open)} · base close rate ${pct(r.baseRate)}`);
  if (r.open) out.push(`(${int(r.open)} open leads count in "reached" but not in precision.)`);
  if (r.rejected.rows || r.rejected.events) out.push(`Skipped with --lenient: ${int(r.rejected.rows)} lead rows, ${int(r.rejected.events)} event rows.`);
  if (r.unknownLeadEvents) out.push(`Events for leads not in the leads file: ${int(r.unknownLeadEvents)} (not replayed).`);
  out.push('');
  const d = r.delta;
  const stageRows: (string | number)[][] = [['stage', 'reached', 'won', 'lost', 'precision', '95% CI', 'recall', 'lift', ...(d ? ['Δ reached', 'Δ precision'] : [])]];
  for (const s of r.stages) {
    const sd = d?.stages.find((x) => x.name === s.name);
    stageRows.push([
      s.name,
      s.reached,
      s.won,
      s.lost,
      pct(s.precision),
      s.precisionCI ? `${pct(s.precisionCI[0])}–${pct(s.precisionCI[1])}` : '–',
      pct(s.recall),
      fixed(s.lift),
      ...(d ? [sign(sd?.reached, (v) => int(v)), sign(sd?.precision, (v) => (v * 100).toFixed(1) + ' pts')] : []),
    ]);
  }
  out.push('Stages (furthest first)', table(stageRows), '');
  if (r.routes.length) {
    out.push('Routes', table([['route', 'leads', 'won', 'lost', 'close rate'], ...r.routes.map((x) => [x.name, x.leads, x.won, x.lost, pct(x.closeRate)])]), '');
  }
  for (const [band, labels] of Object.entries(r.bands)) {
    out.push(`Band ${band}`, table([['label', 'leads', 'won', 'lost', 'close rate'], ...labels.map((x) => [x.label, x.leads, x.won, x.lost, pct(x.closeRate)])]), '');
  }
  if (r.scoreDistribution?.length) {
    out.push(
      'Scores by outcome (mean)',
      table([['score', 'won', 'lost', 'open'], ...r.scoreDistribution.map((h) => [h.name, fixed(h.mean.won, 1), fixed(h.mean.lost, 1), fixed(h.mean.open, 1)])]),
      '',
    );
  }
  if (r.activities.length && r.mode === 'events') {
    out.push(
      'Activities (close rate of leads who did it vs base)',
      table([['activity', 'leads', 'won', 'lost', 'close rate', 'x base'], ...r.activities.map((x) => [x.name, x.leads, x.won, x.lost, pct(x.closeRate), fixed(x.ratio)])]),
      '',
    );
  }
  if (r.weekly && r.weekly.weeks.length) {
    for (const st of r.weekly.stages) {
      const counts = st.counts;
      const total = counts.reduce((a, b) => a + b, 0);
      const max = Math.max(...counts);
      const avg = total / counts.length;
      out.push(`${st.name} per week: average ${avg.toFixed(1)}, busiest ${int(max)} (${r.weekly.weeks.length} weeks from ${r.weekly.weeks[0]!.start})`);
      out.push('  ' + sparkline(counts));
    }
    out.push('');
  }
  if (r.changes) {
    const limit = opts.changes ?? 20;
    const c = r.changes;
    out.push(`Leads whose stage or route changed vs the baseline: ${int(c.count)}`);
    for (const l of c.leads.slice(0, limit)) {
      const parts = [l.id];
      if (l.stage[0] !== l.stage[1]) parts.push(`stage ${l.stage[0]} -> ${l.stage[1]}`);
      if (l.route[0] !== l.route[1]) parts.push(`route "${l.route[0] ?? '–'}" -> "${l.route[1] ?? '–'}"`);
      out.push('  ' + parts.join(': '));
    }
    if (c.count > limit) out.push(`  ... and ${int(c.count - limit)} more (use --json for all)`);
  }
  return out.join('\n').replace(/\n+$/, '');
}

const BARS = '▁▂▃▄▅▆▇█';
export function sparkline(counts: number[]): string {
  const max = Math.max(1, ...counts);
  const shown = counts.length > 104 ? counts.slice(-104) : counts;
  return shown.map((c) => (c === 0 ? ' ' : BARS[Math.min(7, Math.floor((c / max) * 7.999))])).join('');
}

/**
 * The human-readable backtest report printed by `lql simulate`.
 *
 * Input: a simulator Report (the `simulate --json` shape). Output: text.
 * Invariants: open leads, skipped rows and events of unknown leads are always
 * stated, so nobody reads metrics without knowing what they were computed on.
 */
import { skippedText } from '../simulator/skipped.js';
import type { Report } from '../simulator/metrics.js';
import type { SplitReport } from '../simulator/simulate.js';
import { pct, fixed, int, table } from './print.js';

function sign(x: number | null | undefined, f: (v: number) => string): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return (x > 0 ? '+' : x < 0 ? '−' : '±') + f(Math.abs(x));
}

/** Rates on fewer decided leads than this are marked as a small sample. */
export const SMALL_SAMPLE = 30;

/** A rate cell: `45.0%`, or `45.0%*` when fewer than 30 decided leads stand behind it (see the footnote). */
function rateCell(x: number | null, decided: number, used: { small: boolean }): string {
  if (x === null || decided >= SMALL_SAMPLE) return pct(x);
  used.small = true;
  return pct(x) + '*';
}

/** The plural a user would say for the leads in a stage: `MQLs`, else `leads in <stage>`. */
export function stageLeads(n: number, stage: string, verb: 'added' | 'dropped'): string {
  if (/^[A-Z]{2,6}$/.test(stage)) return `${int(n)} ${verb} ${stage}${n === 1 ? '' : 's'}`;
  return `${int(n)} lead${n === 1 ? '' : 's'} ${verb === 'added' ? 'added to' : 'dropped from'} ${stage}`;
}

/** A rate with its interval in words: `50.4% (95% CI 47.0–53.7%)`, or a small-sample note. */
export function rateInWords(won: number, lost: number, ci: [number, number] | null): string {
  const d = won + lost;
  if (!d) return 'no decided outcome yet';
  const base = `${pct(won / d)} (95% CI ${ci ? `${pct(ci[0])}–${pct(ci[1])}` : '–'})`;
  return d < SMALL_SAMPLE ? `${base}, a small sample: ${d} decided lead${d === 1 ? '' : 's'}` : base;
}

/** The lines on the marginal leads of each stage of a compare. */
export function marginalLines(r: Report): string[] {
  const d = r.delta;
  if (!d) return [];
  const out: string[] = [];
  for (const s of d.stages) {
    if (!s.entered || !s.left) continue;
    const e = s.entered;
    const l = s.left;
    if (!e.leads && !l.leads) {
      out.push(`  ${s.name}: the same leads as the baseline.`);
      continue;
    }
    const parts: string[] = [];
    if (e.leads) parts.push(`the ${stageLeads(e.leads, s.name, 'added')} close at ${rateInWords(e.won, e.lost, e.precisionCI)}`);
    if (l.leads) parts.push(`the ${stageLeads(l.leads, s.name, 'dropped')} closed at ${rateInWords(l.won, l.lost, l.precisionCI)}`);
    const ci = s.precisionDeltaCI;
    const change =
      s.precision === null || !ci
        ? ''
        : ` Precision ${sign(s.precision, (v) => (v * 100).toFixed(1) + ' pts')} (95% CI ${sign(ci[0], (v) => (v * 100).toFixed(1))} to ${sign(ci[1], (v) => (v * 100).toFixed(1))} pts, paired).`;
    out.push(`  ${s.name}: ${parts.join('; ')}.${change}`);
  }
  return out.length ? ['Leads that entered or left each stage (vs the baseline)', ...out, ''] : [];
}

/** How well each score ranks won above lost: ROC AUC with its interval, and the close rate by decile. */
export function rankingLines(r: Report, used: { small: boolean }): string[] {
  const rk = (r.ranking ?? []).filter((x) => x.auc !== null);
  if (!rk.length) return [];
  const out: string[] = [];
  out.push(
    'Ranking quality (ROC AUC: the chance a won lead scores above a lost one; 0.5 is a coin toss, 1 is perfect)',
    table([['score', 'ROC AUC', '95% CI (DeLong)'], ...rk.map((x) => [x.name, fixed(x.auc, 3), x.aucCI ? `${fixed(x.aucCI[0], 3)}–${fixed(x.aucCI[1], 3)}` : '–'])]),
    '',
  );
  const depth = Math.max(...rk.map((x) => x.deciles.length));
  const rows: (string | number)[][] = [['decile', ...rk.map((x) => x.name)]];
  for (let k = 0; k < depth; k++) {
    rows.push([String(k + 1), ...rk.map((x) => {
      const d = x.deciles[k];
      return d ? `${rateCell(d.closeRate, d.won + d.lost, used)} (${fixed(d.lift, 2)}x)` : '';
    })]);
  }
  out.push('Close rate by decile of each score (1 = the tenth with the highest scores; equal scores stay together, so a score with few values has fewer deciles)', table(rows), '');
  return out;
}

export function printReport(r: Report, opts: { changes?: number } = {}): string {
  const out: string[] = [];
  const used = { small: false };
  const title = r.ruleset ?? 'ruleset';
  out.push(`${title} — backtest on ${int(r.leads)} leads (${r.mode === 'events' ? 'event history' : 'snapshot'}, as of ${r.asOf.slice(0, 10)})`);
  out.push(`won ${int(r.won)} · lost ${int(r.lost)} · open ${int(r.open)} · base close rate ${pct(r.baseRate)}`);
  if (r.open) out.push(`(${int(r.open)} open leads count in "reached" but not in precision.)`);
  if (r.skipped) out.push(...skippedText(r.skipped));
  else {
    if (r.rejected.rows || r.rejected.events) out.push(`Skipped with --lenient: ${int(r.rejected.rows)} lead rows, ${int(r.rejected.events)} event rows.`);
    if (r.unknownLeadEvents) out.push(`Events for leads not in the leads file: ${int(r.unknownLeadEvents)} (not replayed).`);
  }
  out.push('');
  const d = r.delta;
  const perWeek = r.weeks !== undefined && r.weeks !== null;
  const days = r.stages.some((s) => s.medianDays !== undefined && s.medianDays !== null);
  const stageRows: (string | number)[][] = [
    ['stage', 'reached', 'won', 'lost', 'precision', '95% CI', 'recall', 'lift', ...(perWeek ? ['per week'] : []), ...(days ? ['median days'] : []), ...(d ? ['Δ reached', 'Δ precision'] : [])],
  ];
  const low = r.stages.length - 1;
  for (const [k, s] of r.stages.entries()) {
    const sd = d?.stages.find((x) => x.name === s.name);
    stageRows.push([
      s.name,
      s.reached,
      s.won,
      s.lost,
      rateCell(s.precision, s.won + s.lost, used),
      s.precisionCI ? `${pct(s.precisionCI[0])}–${pct(s.precisionCI[1])}` : '–',
      pct(s.recall),
      fixed(s.lift),
      ...(perWeek ? [k === low ? fixed(r.leads / r.weeks!, 1) : fixed(s.perWeek, 1)] : []),
      ...(days ? [k === low ? '–' : fixed(s.medianDays, 1)] : []),
      ...(d ? [sign(sd?.reached, (v) => int(v)), sign(sd?.precision, (v) => (v * 100).toFixed(1) + ' pts')] : []),
    ]);
  }
  out.push('Stages (furthest first)', table(stageRows));
  if (perWeek) out.push(`Per week: over the ${fixed(r.weeks, 1)} weeks the data covers (first to last date of creation${r.mode === 'events' ? ' or event' : ''}).`);
  else if (r.weeks === null) out.push('No per-week figures: the data has no dates (no created_at and no event times), so it cannot say how many leads arrive in a week.');
  if (days) out.push('Median days: from created_at to the first time the lead reached the stage.');
  out.push('');
  out.push(...marginalLines(r));
  if (r.routes.length) {
    out.push('Routes', table([['route', 'leads', 'won', 'lost', 'close rate'], ...r.routes.map((x) => [x.name, x.leads, x.won, x.lost, rateCell(x.closeRate, x.won + x.lost, used)])]), '');
  }
  for (const [band, labels] of Object.entries(r.bands)) {
    out.push(`Band ${band}`, table([['label', 'leads', 'won', 'lost', 'close rate'], ...labels.map((x) => [x.label, x.leads, x.won, x.lost, rateCell(x.closeRate, x.won + x.lost, used)])]), '');
  }
  if (r.scoreDistribution?.length) {
    out.push(
      'Scores by outcome (mean)',
      table([['score', 'won', 'lost', 'open'], ...r.scoreDistribution.map((h) => [h.name, fixed(h.mean.won, 1), fixed(h.mean.lost, 1), fixed(h.mean.open, 1)])]),
      '',
    );
  }
  out.push(...rankingLines(r, used));
  if (r.activities.length && r.mode === 'events') {
    out.push(
      'Activities (close rate of leads who did it vs base)',
      table([['activity', 'leads', 'won', 'lost', 'close rate', 'x base'], ...r.activities.map((x) => [x.name, x.leads, x.won, x.lost, rateCell(x.closeRate, x.won + x.lost, used), fixed(x.ratio)])]),
      '',
    );
  }
  if (r.weekly && r.weekly.weeks.length) {
    for (const st of r.weekly.stages) {
      const counts = st.counts;
      const total = counts.reduce((a, b) => a + b, 0);
      const max = Math.max(...counts);
      const avg = r.weeks ? total / r.weeks : total / counts.length;
      out.push(`${st.name} per week: average ${avg.toFixed(1)}, busiest ${int(max)} (calendar weeks from ${r.weekly.weeks[0]!.start}: ${r.weekly.weeks.length})`);
      out.push('  ' + sparkline(counts));
    }
    out.push('');
  }
  if (used.small) out.push(`* fewer than ${SMALL_SAMPLE} decided leads: a small sample, too few to trust the rate.`, '');
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

/** Two periods side by side: per stage reached, precision with its interval, recall, lift; per score the ROC AUC. */
export function printSplitReport(r: SplitReport): string {
  const used = { small: false };
  const day = r.splitAt.slice(0, 10);
  const out: string[] = [];
  out.push(`${r.ruleset ?? 'ruleset'} — leads created before ${day} vs from ${day} on (${r.before.mode === 'events' ? 'event history' : 'snapshot'}, as of ${r.before.asOf.slice(0, 10)})`);
  const line = (name: string, x: Report) => `${name}: ${int(x.leads)} leads, won ${int(x.won)} · lost ${int(x.lost)} · open ${int(x.open)} · base close rate ${pct(x.baseRate)}`;
  out.push(line('before', r.before), line('after ', r.after));
  if (r.undated) out.push(`${int(r.undated)} leads without created_at are in neither period.`);
  if (r.after.open) out.push(`Recent leads are often still open: ${int(r.after.open)} open leads count in "reached" but not in precision.`);
  out.push('');
  const rows: (string | number)[][] = [['stage', 'reached before', 'precision before', 'reached after', 'precision after', 'Δ precision', 'recall before', 'recall after', 'lift before', 'lift after']];
  for (const b of r.before.stages) {
    const a = r.after.stages.find((x) => x.name === b.name)!;
    const ci = (s: typeof b) => (s.precisionCI ? ` (${pct(s.precisionCI[0])}–${pct(s.precisionCI[1])})` : '');
    rows.push([
      b.name,
      b.reached,
      rateCell(b.precision, b.won + b.lost, used) + ci(b),
      a.reached,
      rateCell(a.precision, a.won + a.lost, used) + ci(a),
      sign(b.precision === null || a.precision === null ? null : a.precision - b.precision, (v) => (v * 100).toFixed(1) + ' pts'),
      pct(b.recall),
      pct(a.recall),
      fixed(b.lift),
      fixed(a.lift),
    ]);
  }
  out.push('Stages (furthest first)', table(rows), '');
  const rk = (r.before.ranking ?? []).filter((x) => x.auc !== null);
  if (rk.length) {
    const auc = (x: { auc: number | null; aucCI: [number, number] | null } | undefined) =>
      x && x.auc !== null ? `${fixed(x.auc, 3)} (${x.aucCI ? `${fixed(x.aucCI[0], 3)}–${fixed(x.aucCI[1], 3)}` : '–'})` : '–';
    out.push(
      'Ranking quality (ROC AUC, 95% CI)',
      table([['score', 'before', 'after'], ...rk.map((x) => [x.name, auc(x), auc(r.after.ranking?.find((y) => y.name === x.name))])]),
      '',
    );
  }
  if (used.small) out.push(`* fewer than ${SMALL_SAMPLE} decided leads: a small sample, too few to trust the rate.`);
  return out.join('\n').replace(/\n+$/, '');
}

const BARS = '▁▂▃▄▅▆▇█';
export function sparkline(counts: number[]): string {
  const max = Math.max(1, ...counts);
  const shown = counts.length > 104 ? counts.slice(-104) : counts;
  return shown.map((c) => (c === 0 ? ' ' : BARS[Math.min(7, Math.floor((c / max) * 7.999))])).join('');
}

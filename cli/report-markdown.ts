/**
 * The backtest as a Markdown pull-request comment: `lql simulate
 * --format markdown` (with `--baseline`, the impact of a ruleset change).
 *
 * Input: a simulate Report (with `baseline`, `delta` and `changes` when
 * compared), the two rulesets' texts and file names, and the gates'
 * results. Output: GitHub-flavoured Markdown: a one-line verdict, the
 * stages table with deltas, the leads that entered and left each stage,
 * the leads that changed, the ruleset's text diff, and the gates.
 * Invariants: every text from the user or the data (ruleset and route
 * names, lead ids, file names) is escaped so that it cannot break the
 * table or inject markup; the diff is fenced with more backticks than it
 * contains.
 */
import { createTwoFilesPatch } from 'diff';
import type { Report } from '../simulator/metrics.js';
import { type GateResult, showActual } from './gates.js';
import { int, pct } from './print.js';
import { marginalLines } from './report.js';

/** Text shown literally in Markdown (and in a table cell). */
export function mdText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]|~>]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/&(?![a-z]+;)/g, '&amp;');
}

function signed(x: number | null | undefined, f: (v: number) => string): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return (x > 0 ? '+' : x < 0 ? '−' : '±') + f(Math.abs(x));
}
const pts = (v: number): string => `${(v * 100).toFixed(1)} pts`;
const num1 = (v: number): string => (v * 100).toFixed(1);
const ci = (c: [number, number] | null | undefined): string => (c ? `${pct(c[0], 0)}–${pct(c[1], 0)}` : '–');

/** Leads that reach `stage` in one run and not in the other, from the baseline x current stage matrix (counts only). */
function movedCounts(r: Report, stage: string): { entered: number; left: number } | null {
  const m = r.changes?.stageMatrix;
  if (!m) return null;
  const bi = m.baseline.indexOf(stage);
  const ci = m.current.indexOf(stage);
  if (bi < 0 || ci < 0) return null;
  let entered = 0;
  let left = 0;
  m.counts.forEach((row, b) =>
    row.forEach((n, c) => {
      const inCur = c <= ci; // stages are furthest first: reaching a further stage reaches this one
      const inBase = b <= bi;
      if (inCur && !inBase) entered += n;
      if (inBase && !inCur) left += n;
    }),
  );
  return { entered, left };
}

export interface MarkdownInput {
  report: Report;
  file: string;
  text: string;
  baselineFile?: string;
  baselineText?: string;
  gates?: readonly GateResult[];
  /** at most this many changed leads are listed (default 20) */
  changes?: number;
}

export function markdownReport(input: MarkdownInput): string {
  const { report: r, gates = [] } = input;
  const b = r.baseline;
  const out: string[] = [];
  const name = mdText(r.ruleset ?? input.file);
  const failed = gates.filter((g) => !g.passed);
  const verdict = gates.length ? (failed.length ? `❌ ${failed.length} of ${gates.length} gates failed` : `✅ all ${gates.length} gates passed`) : '';
  out.push(`### LQL ${b ? 'impact' : 'backtest'}: ${name}${verdict ? ` — ${verdict}` : ''}`, '');
  out.push(
    `${int(r.leads)} leads (${r.mode === 'events' ? 'event history' : 'snapshot'}, as of ${r.asOf.slice(0, 10)}): won ${int(r.won)}, lost ${int(r.lost)}, open ${int(r.open)}; base close rate ${pct(r.baseRate)}.` +
      (b && input.baselineFile ? ` Compared with \`${input.baselineFile.replace(/`/g, "'")}\`.` : ''),
  );
  if (r.rejected.rows || r.rejected.events) out.push('', `Skipped with --lenient: ${int(r.rejected.rows)} lead rows, ${int(r.rejected.events)} event rows.`);
  if (r.unknownLeadEvents) out.push('', `Events for leads not in the leads file: ${int(r.unknownLeadEvents)} (not replayed).`);
  out.push('');

  // Stages
  const deltas = new Map((r.delta?.stages ?? []).map((d) => [d.name, d]));
  if (b) {
    out.push('| stage | reached | Δ reached | precision (95% CI) | Δ precision | recall | Δ recall |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of r.stages) {
      const d = deltas.get(s.name);
      const dci = d?.precisionDeltaCI && (d.precisionDeltaCI[0] || d.precisionDeltaCI[1]) ? ` (95% CI ${signed(d.precisionDeltaCI[0], num1)} to ${signed(d.precisionDeltaCI[1], num1)})` : '';
      out.push(`| ${mdText(s.name)} | ${int(s.reached)} | ${signed(d?.reached, int)} | ${pct(s.precision)} (${ci(s.precisionCI)}) | ${signed(d?.precision, pts)}${dci} | ${pct(s.recall)} | ${signed(d?.recall, pts)} |`);
    }
  } else {
    out.push('| stage | reached | won | lost | precision (95% CI) | recall | lift |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of r.stages) out.push(`| ${mdText(s.name)} | ${int(s.reached)} | ${int(s.won)} | ${int(s.lost)} | ${pct(s.precision)} (${ci(s.precisionCI)}) | ${pct(s.recall)} | ${s.lift === null ? '–' : s.lift.toFixed(2)} |`);
  }
  if (b && r.delta?.onlyIn && (r.delta.onlyIn.current.length || r.delta.onlyIn.baseline.length)) {
    const only = [...r.delta.onlyIn.current.map((x) => `${mdText(x)} (new)`), ...r.delta.onlyIn.baseline.map((x) => `${mdText(x)} (removed)`)];
    out.push('', `Only in one of the two rulesets: ${only.join(', ')}.`);
  }
  out.push('');

  // Entered and left: in words with close rates and intervals when the simulator gives the marginal leads, else counts
  if (b) {
    const words = marginalLines(r).filter((l) => l.startsWith('  ') && !/the same leads as the baseline/.test(l));
    const counts = r.stages.map((s) => ({ name: s.name, m: movedCounts(r, s.name) })).filter((x) => x.m && (x.m.entered || x.m.left));
    if (words.length || counts.length) out.push('#### Leads that entered and left each stage', '');
    if (words.length) out.push(...words.map((l) => `- ${mdText(l.trim())}`), '');
    else if (counts.length) {
      out.push('| stage | entered | left |', '| --- | ---: | ---: |', ...counts.map((x) => `| ${mdText(x.name)} | ${int(x.m!.entered)} | ${int(x.m!.left)} |`), '');
    }
  }

  // Changed leads
  if (r.changes) {
    const limit = input.changes ?? 20;
    const c = r.changes;
    out.push(`<details><summary>${int(c.count)} lead${c.count === 1 ? '' : 's'} changed stage or route</summary>`, '');
    if (c.leads.length) {
      out.push('| lead | stage | route |', '| --- | --- | --- |');
      for (const l of c.leads.slice(0, limit)) {
        const st = l.stage[0] === l.stage[1] ? mdText(l.stage[1]) : `${mdText(l.stage[0])} → ${mdText(l.stage[1])}`;
        const rt = l.route[0] === l.route[1] ? mdText(l.route[1] ?? '–') : `${mdText(l.route[0] ?? '–')} → ${mdText(l.route[1] ?? '–')}`;
        out.push(`| ${mdText(l.id)} | ${st} | ${rt} |`);
      }
      if (c.count > Math.min(limit, c.leads.length)) out.push('', `… and ${int(c.count - Math.min(limit, c.leads.length))} more (\`lql simulate --json\` lists them all).`);
    }
    out.push('', '</details>', '');
  }

  // The text diff
  if (input.baselineText !== undefined) {
    const patch = createTwoFilesPatch(input.baselineFile ?? 'baseline', input.file, input.baselineText, input.text, undefined, undefined, { context: 3 })
      .split('\n')
      .filter((l) => !/^=+$/.test(l) && !l.startsWith('Index:'))
      .join('\n')
      .trimEnd();
    const changed = patch.split('\n').some((l) => l.startsWith('@@'));
    out.push(`<details${changed ? ' open' : ''}><summary>Ruleset changes</summary>`, '');
    if (changed) {
      const longest = Math.max(2, ...(patch.match(/`+/g) ?? []).map((x) => x.length));
      const fence = '`'.repeat(longest + 1);
      out.push(`${fence}diff`, patch, fence);
    } else out.push('The two rulesets have the same text.');
    out.push('', '</details>', '');
  }

  // Gates
  if (gates.length) {
    out.push('#### Gates', '');
    for (const g of gates) out.push(`- ${g.passed ? '✅' : '❌'} \`${g.gate.text.replace(/`/g, "'")}\`: ${g.actual === null ? mdText(g.why ?? 'no figure') : showActual(g)}`);
    out.push('');
  }
  return out.join('\n').trimEnd() + '\n';
}

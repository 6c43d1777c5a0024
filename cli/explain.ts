/**
 * `lql explain` output: one lead's scores and the reasons, as a tree a
 * marketing-ops reader can follow.
 *
 * Input: the IR and a ScoreResult with its explain trace. Output: text.
 * Invariant: every rule is listed, fired or not, with its points and the
 * values its condition read; then the stage history and the route.
 */
import type { IR } from '../language/compile/ir.js';
import type { ExplainCond, ScoreResult } from '../language/shared/result-types.js';
import { isoDate } from './print.js';

function showValue(v: number | string | boolean | null, type: string): string {
  if (v === null) return 'missing';
  if (type === 'date' && typeof v === 'number') return isoDate(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
  return String(v);
}

function num(x: number): string {
  const r = Math.round(x * 1e6) / 1e6;
  return (r > 0 ? '+' : '') + String(r);
}

function condLines(c: ExplainCond, indent: string, out: string[]): void {
  const mark = c.value ? '✓' : '✗';
  const reads = c.reads.length ? `   [${c.reads.map((r) => `${r.src} = ${showValue(r.value, r.type)}`).join(', ')}]` : '';
  out.push(`${indent}${mark} ${c.src}${reads}`);
  for (const a of c.args) condLines(a, indent + '    ', out);
}

export function printExplain(ir: IR, r: ScoreResult, ctx: { lead: string; asOfNote?: string }): string {
  const out: string[] = [];
  const t = r.explain;
  out.push(`Lead ${ctx.lead}${t ? ` as of ${isoDate(t.asOf)}${ctx.asOfNote ? ` (${ctx.asOfNote})` : ''}` : ''}`);
  out.push('');
  out.push('Scores: ' + Object.entries(r.scores).map(([k, v]) => `${k} = ${num(v).replace(/^\+/, '')}`).join(', '));
  if (Object.keys(r.bands).length) out.push('Bands:  ' + Object.entries(r.bands).map(([k, v]) => `${k} = ${v}`).join(', '));
  if (ir.stages.length) out.push(`Stage:  ${r.stage}`);
  if (ir.routes.length) out.push(`Route:  ${r.route ?? '–'}`);
  if (!t) return out.join('\n');
  let current = '';
  for (const rule of t.rules) {
    if (rule.score !== current) {
      current = rule.score;
      out.push('', `${current} = ${num(r.scores[current] ?? 0).replace(/^\+/, '')}`);
    }
    const head = `  ${rule.fired ? '✓ fired    ' : '✗ not fired'} ${rule.fired ? num(rule.points).padStart(8) : ''.padStart(8)}  line ${rule.line}: ${rule.rule}`;
    out.push(head);
    if (rule.events !== null) out.push(`        events in window: ${rule.events}`);
    if (rule.kind === 'perAttribute') out.push(`        value read: ${rule.value === null ? 'missing (counts 0)' : rule.value}`);
    if (rule.cond) condLines(rule.cond, '        ', out);
  }
  if (t.stages.length) {
    out.push('', 'Stages (furthest first)');
    for (const s of t.stages) {
      out.push(`  ${s.reached !== null ? '✓' : '✗'} ${s.name}${s.reached !== null ? ` reached ${isoDate(s.reached)}` : ' not reached'}`);
      if (s.cond) condLines(s.cond, '        ', out);
    }
    if (t.history.length) {
      out.push('', 'Stage history');
      for (const h of t.history) if (h.reached.length) out.push(`  ${isoDate(h.at)}: reached ${h.reached.join(', ')}`);
    }
  }
  if (t.routes.length) {
    out.push('', 'Route');
    for (const ro of t.routes) {
      out.push(`  ${ro.chosen ? '→' : ' '} "${ro.action}"${ro.cond ? '' : ' (otherwise)'}`);
      if (ro.cond) condLines(ro.cond, '        ', out);
    }
  }
  return out.join('\n');
}

/**
 * Hover information for the editor.
 *
 * Input: text, a 0-based offset and the optional context (dataset columns,
 * score distributions and per-rule statistics from the last run). Output an
 * LSP Hover in markdown, or null:
 * - a column/attribute: its type, how it is known (declared or inferred) and,
 *   from the data, its distinct values, fill rate and sample values;
 * - a score: its kind, rules and declaration line, and its distribution;
 * - a rule's points: the rule and how often it fired and closed last run;
 * - any other declared name: its kind and declaration line;
 * - a keyword or function: a one-line description.
 * Invariants: pure; never throws. Every text that comes from the ruleset or
 * the data (names, labels, rule text, sample values) goes through `md()` or
 * `code()`, so it shows as written and can never become a link, an image,
 * HTML or emphasis in the rendered Markdown.
 */
import type * as A from '../syntax/ast.js';
import type { Sym } from '../check/checker.js';
import { analyze, nameAt, tokenAt, type Analysis } from './analyze.js';
import type { ServiceContext, ScoreStat } from './context.js';
import { KEYWORD_DOCS, FUNCTION_DOCS } from './docs.js';
import type { Hover } from './lsp.js';
import { code, md } from './markdown.js';

const fmtNum = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));
const pct = (x: number): string => `${(x * 100).toFixed(x >= 0.1 || x === 0 ? 0 : 1)}%`;

function srcOf(a: Analysis, node: A.NodeBase): string {
  return a.text.slice(node.range.start.offset, node.range.end.offset).replace(/\s+/g, ' ');
}

function hover(a: Analysis, range: A.Range, lines: string[]): Hover {
  return { contents: { kind: 'markdown', value: lines.filter((l) => l !== '').join('\n\n') }, range: a.lines.fromAst(range) };
}

function ruleAt(a: Analysis, offset: number): { rule: A.Rule; block: A.ScoreBlock } | undefined {
  for (const d of a.program.decls) {
    if (d.kind !== 'ScoreBlock' || offset < d.range.start.offset || offset > d.range.end.offset) continue;
    for (const it of d.items) if (it.kind !== 'Decay' && it.points.range.start.offset <= offset && offset <= it.points.range.end.offset) return { rule: it, block: d };
  }
  return undefined;
}

function scoreStatsLine(st: ScoreStat | undefined): string {
  if (!st) return '';
  const parts = [`min ${fmtNum(st.min)}`];
  if (st.median !== undefined) parts.push(`median ${fmtNum(st.median)}`);
  parts.push(`mean ${fmtNum(st.mean)}`);
  if (st.p90 !== undefined) parts.push(`90th percentile ${fmtNum(st.p90)}`);
  parts.push(`max ${fmtNum(st.max)}`);
  return `Last run${st.leads !== undefined ? ` (${fmtNum(st.leads)} leads)` : ''}: ${parts.join(' · ')}`;
}

function describeSymbol(a: Analysis, s: Sym, ctx: ServiceContext): string[] {
  const line = `line ${s.range.start.line}`;
  switch (s.kind) {
    case 'attribute': {
      const col = ctx.columns?.find((c) => c.name === s.name);
      const out = [`**${md(s.name)}** — attribute (${s.type ?? 'text'}), ${s.declared ? `declared at ${line}` : 'read from the data (type inferred from use)'}`];
      if (col) {
        const facts = [`column type ${col.type}`];
        if (col.distinct !== undefined) facts.push(`${fmtNum(col.distinct)} distinct values`);
        if (col.fillRate !== undefined) facts.push(`${pct(col.fillRate)} filled`);
        out.push('Data: ' + facts.join(', '));
        if (col.samples?.length) out.push('Values: ' + col.samples.slice(0, 8).map((v) => code(v)).join(', '));
      } else if (ctx.columns) out.push('Not a column of the bound data.');
      return out;
    }
    case 'score': {
      const d = s.decl;
      let what = 'score';
      if (d?.kind === 'ScoreBlock') {
        const rules = d.items.filter((i) => i.kind !== 'Decay').length;
        const decay = d.items.find((i): i is A.DecayClause => i.kind === 'Decay');
        what = `${d.block === 'score' ? 'score block' : d.block === 'fit' ? 'profile score (fit)' : 'interest score (engagement)'}, ${rules} rule${rules === 1 ? '' : 's'}${decay ? `, half-life ${md(srcOf(a, decay.halfLife))}` : ''}`;
      } else if (d?.kind === 'DerivedScore') what = `derived score = ${code(srcOf(a, d.expr))}`;
      return [`**${md(s.name)}** — ${what}; declared at ${line}`, scoreStatsLine(ctx.scoreStats?.find((x) => x.name === s.name))];
    }
    case 'segment': {
      const d = s.decl;
      return [`**${md(s.name)}** — segment, declared at ${line}`, d?.kind === 'Segment' ? code(srcOf(a, d.cond)) : ''];
    }
    case 'list': {
      const d = s.decl;
      return [`**${md(s.name)}** — list, declared at ${line}`, d?.kind === 'List' ? code(srcOf(a, d).replace(/^list\s+\S+\s*=\s*/, '')) : ''];
    }
    case 'band': {
      const d = s.decl;
      const labels = d?.kind === 'Band' ? d.entries.map((e) => md(e.threshold ? `${e.label.text} >= ${e.threshold.raw}` : `${e.label.text} otherwise`)).join(', ') : '';
      return [`**${md(s.name)}** — band${d?.kind === 'Band' ? ` from ${code(d.source.text)}` : ''}, declared at ${line}`, labels ? 'Labels: ' + labels : ''];
    }
    case 'stage':
      return [`**${md(s.name)}** — stage ${(s.stageIndex ?? 0) + 1} (counting from the furthest), declared at ${line}`];
    case 'activity':
      return [`**${md(s.name)}** — activity (event type), declared at ${line}`];
  }
}

/** Hover at `offset`, or null when there is nothing to say. */
export function getHover(text: string, offset: number, ctx: ServiceContext = {}): Hover | null {
  const a = analyze(text, ctx);
  // A rule's points: the rule and its last-run statistics.
  const r = ruleAt(a, offset);
  if (r) {
    const { rule } = r;
    const line = rule.range.start.line;
    const st = ctx.ruleStats?.find((x) => x.line === line);
    const out = [`Rule in ${code(r.block.name.text)}: **${md(rule.points.raw)}** points — ${code(srcOf(a, rule))}`];
    if (st) out.push(`Last run: fired for ${fmtNum(st.fired)} lead${st.fired === 1 ? '' : 's'}; ${pct(st.closeRate)} of them closed.`);
    return hover(a, rule.points.range, out);
  }
  const use = nameAt(a, offset);
  if (use) {
    const n = use.name;
    const fnDoc = FUNCTION_DOCS[n.text];
    if (use.role === 'callee') return fnDoc ? hover(a, n.range, [fnDoc]) : null;
    if (use.role === 'type') return hover(a, n.range, [`Attribute type ${code(n.text)}: one of text, number, bool, date.`]);
    if (use.role === 'label' && use.decl.kind === 'Band') {
      const e = use.item as A.BandEntry;
      return hover(a, n.range, [`**${md(n.text)}** — label of band ${code(use.decl.name.text)} (${e.threshold ? md(`${use.decl.source.text} >= ${e.threshold.raw}`) : 'otherwise'})`]);
    }
    const s = a.checked.symbols.get(n.text);
    if (s) return hover(a, n.range, describeSymbol(a, s, ctx));
    if ((n.text === 'stage' || n.text === 'route') && fnDoc) return hover(a, n.range, [fnDoc]);
    // a band label used in a comparison
    for (const d of a.program.decls) {
      if (d.kind !== 'Band') continue;
      const e = d.entries.find((x) => x.label.text === n.text);
      if (e) return hover(a, n.range, [`**${md(n.text)}** — label of band ${code(d.name.text)} (${e.threshold ? md(`${d.source.text} >= ${e.threshold.raw}`) : 'otherwise'})`]);
    }
    const col = ctx.columns?.find((c) => c.name === n.text);
    if (col) return hover(a, n.range, describeSymbol(a, { kind: 'attribute', name: n.text, range: n.range, declared: false, used: true, type: col.type as Sym['type'] }, ctx));
    return null;
  }
  const t = tokenAt(a, offset);
  if (t) {
    const word = t.image;
    const doc = KEYWORD_DOCS[word];
    if (doc && !t.image.startsWith('#')) {
      const start = a.lines.position(t.startOffset);
      const end = a.lines.position(t.startOffset + word.length);
      return { contents: { kind: 'markdown', value: doc }, range: { start, end } };
    }
  }
  return null;
}

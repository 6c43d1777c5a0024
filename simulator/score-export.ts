/**
 * The scored-leads export: one row per lead with id, every score, band,
 * stage, route and the time each stage was reached, as CSV or JSON Lines
 * (`lql score`, the playground's "scored leads" CSV).
 *
 * Input: a ScoredTable (or ScoreRows, from the DuckDB engine) and a sink
 * that takes text pieces. Output: the text, written piece by piece (about
 * 1 MiB each), never held whole, so the export of millions of leads needs
 * no more memory than the scored table itself.
 * Columns: id, outcome (won, lost, open), every score, every band, stage,
 * route, reached_<stage> (ISO 8601 UTC; empty when not reached).
 * Invariants: CSV is for people and spreadsheets: scores are rounded to
 * two decimals there (half away from zero); JSON Lines carries them at
 * full precision. CSV is RFC 4180 (`,`, `"` doubled, CRLF-free unless quoted);
 * a text cell a spreadsheet would run as a formula (starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return) is written with a leading `'` and
 * quoted, as OWASP advises, unless it is a plain decimal number; score
 * cells are numbers and stay numbers.
 */
import type { IR } from '../language/compile/ir.js';
import type { ScoredTable } from './replay.js';
import type { ScoreRow } from './simulate.js';

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One CSV cell of text: quoted when needed, formulas neutralised. */
export function csvCell(v: string): string {
  const c = v.charCodeAt(0);
  // = + - @ tab CR
  if ((c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13) && !PLAIN_NUMBER.test(v)) {
    return `"'${v.replace(/"/g, '""')}"`;
  }
  return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
}

/** The names of the columns, from the ruleset. */
export interface ExportNames {
  scores: string[];
  bands: string[];
  stages: string[];
}

export function exportNames(ir: IR): ExportNames {
  return { scores: ir.scores.map((x) => x.name), bands: ir.bands.map((b) => b.name), stages: ir.stages.map((x) => x.name) };
}

export function csvHeader(n: ExportNames): string {
  return ['id', 'outcome', ...n.scores, ...n.bands, 'stage', 'route', ...n.stages.map((x) => `reached_${x}`)].map(csvCell).join(',');
}

function iso(t: number | null | undefined): string {
  return t === null || t === undefined || t !== t ? '' : new Date(t).toISOString();
}

export function csvLine(r: ScoreRow, n: ExportNames): string {
  return [
    csvCell(r.id),
    r.outcome ?? '',
    ...n.scores.map((x) => shownScore(r.scores[x]!)),
    ...n.bands.map((x) => csvCell(r.bands[x] ?? '')),
    csvCell(r.stage),
    csvCell(r.route ?? ''),
    ...n.stages.map((x) => iso(r.reached[x])),
  ].join(',');
}

/** A score as people read it: two decimals at most, half away from zero, never `-0`. */
export function shownScore(x: number): string {
  if (!Number.isFinite(x)) return '';
  const r = Math.sign(x) * Math.round(Math.abs(x) * 100) / 100;
  return String(r === 0 ? 0 : r);
}

export function jsonLine(r: ScoreRow): string {
  return JSON.stringify({ id: r.id, outcome: r.outcome ?? null, scores: { ...r.scores }, bands: { ...r.bands }, stage: r.stage, route: r.route, reached: { ...r.reached } });
}

/** Lead `i` of a scored table as a row (maps keyed by user names are null-prototype objects). */
export function rowAt(st: ScoredTable, i: number): ScoreRow {
  const scores = Object.create(null) as Record<string, number>;
  st.scoreNames.forEach((name, s) => (scores[name] = st.scores[s]![i]!));
  const bands = Object.create(null) as Record<string, string>;
  st.bandNames.forEach((name, b) => (bands[name] = st.bandLabels[b]![st.bands[b]![i]!]!));
  const reached = Object.create(null) as Record<string, number | null>;
  st.stageNames.forEach((name, k) => {
    const t = st.reached[k]![i]!;
    // data without times has no stage times (never the clock's time)
    reached[name] = t === t && !st.untimed ? t : null;
  });
  const r = st.route[i]!;
  const o = st.outcome[i]!;
  return { id: st.ids[i]!, outcome: o === 1 ? 'won' : o === 0 ? 'lost' : 'open', scores, bands, stage: st.stageNames[st.stage[i]!] ?? '', route: r >= 0 ? st.routeNames[r]! : null, reached };
}

const PIECE = 1 << 20;

/**
 * Write `count` rows (`row(i)`) as CSV (with its header) or JSON Lines to
 * `sink`, in pieces of about 1 MiB; every line ends with `\n`.
 */
export function writeRows(format: 'csv' | 'jsonl', names: ExportNames, count: number, row: (i: number) => ScoreRow, sink: (piece: string) => void): void {
  let piece: string[] = [];
  let size = 0;
  const push = (line: string) => {
    piece.push(line);
    size += line.length + 1;
    if (size >= PIECE) {
      sink(piece.join('\n') + '\n');
      piece = [];
      size = 0;
    }
  };
  if (format === 'csv') push(csvHeader(names));
  for (let i = 0; i < count; i++) {
    const r = row(i);
    push(format === 'csv' ? csvLine(r, names) : jsonLine(r));
  }
  if (piece.length) sink(piece.join('\n') + '\n');
}

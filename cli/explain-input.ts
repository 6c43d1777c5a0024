/**
 * The inputs of `lql explain`: one lead (a JSON object) and its events (a
 * JSON array, JSON Lines, or a CSV with `type` and `at` columns).
 *
 * Input: file paths. Output: the lead's attributes and its events.
 * Invariants: every problem is an InputError printed as
 * `file:line:col: error CODE: message` at the place it is (a JSON syntax
 * error, a key written twice, an event without type, an event time that is
 * not ISO 8601 or epoch milliseconds); nothing is skipped silently.
 */
import { diag, type Code } from '../language/diagnostics/registry.js';
import { pointRange } from '../language/diagnostics/diagnostic.js';
import { parseTime } from '../simulator/data/values.js';
import { detectDelimiter } from '../simulator/data/csv.js';
import { duplicateKey, lineColumn, topLevelParts } from '../simulator/data/json-scan.js';
import { InputError } from './errors.js';
import { readText } from './files.js';
import { formatDiagnostics } from './print.js';

export interface ExplainEvent {
  type: string;
  at: string | number;
}

function problem(code: Code, file: string, text: string, offset: number, args: Record<string, string | number>): InputError {
  const { line, column } = lineColumn(text, offset);
  return new InputError(formatDiagnostics([diag(code, pointRange(line, column, offset), args, { file })], file, text));
}

/** JSON.parse with errors (syntax, a key written twice) at their line and column. */
function parseJson(file: string, text: string, base = 0, whole = text): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /at position (\d+)/.exec(msg);
    const pos = m ? Number(m[1]) : text.length;
    const ch = text[pos];
    const reason = ch === undefined ? 'it ends before the value is complete' : `unexpected ${JSON.stringify(ch)}`;
    throw problem('LQL606', file, whole, base + pos, { reason });
  }
  if (v !== null && typeof v === 'object') {
    const check = (t: string, off: number) => {
      const d = duplicateKey(t);
      if (d) throw problem('LQL523', file, whole, off + d.second, { column: d.key, first: lineColumn(whole, off + d.first).column, second: lineColumn(whole, off + d.second).column });
    };
    if (Array.isArray(v)) {
      // each item of a top-level array of events
      const parts = topLevelParts(text);
      parts.forEach((p, i) => {
        const end = i + 1 < parts.length ? parts[i + 1]!.offset : text.lastIndexOf(']');
        const item = text.slice(p.offset, end).replace(/,\s*$/, '');
        if (item.trimStart().startsWith('{')) check(item, base + p.offset);
      });
    } else check(text, base);
  }
  return v;
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v === 'string' ? 'a text' : `a ${typeof v}`;
}

/** The lead given with `--lead`: one JSON object. */
export function readLead(file: string): Record<string, unknown> {
  const text = readText(file).replace(/^\uFEFF/, '');
  const v = parseJson(file, text);
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    const start = text.length - text.trimStart().length;
    throw problem('LQL607', file, text, start, { kind: kindOf(v) });
  }
  return v as Record<string, unknown>;
}

/** Events for one lead: a JSON array, JSON Lines, or a CSV with `type` and `at` columns. */
export function readEvents(file: string): ExplainEvent[] {
  const text = readText(file).replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  const out: ExplainEvent[] = [];
  /** Check one event and keep it; `offset` is where it starts, `atOffset` where its time is. */
  const take = (o: unknown, offset: number, atOffset = offset): void => {
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw problem('LQL608', file, text, offset, { problem: `this is ${kindOf(o)}` });
    const rec = o as { type?: unknown; at?: unknown };
    if (typeof rec.type !== 'string' || rec.type === '') throw problem('LQL608', file, text, offset, { problem: rec.type === undefined || rec.type === '' ? 'this one has no `type`' : '`type` must be text' });
    if (rec.at === undefined || rec.at === null || rec.at === '') throw problem('LQL608', file, text, offset, { problem: 'this one has no `at` time' });
    const shown = typeof rec.at === 'string' || typeof rec.at === 'number' ? String(rec.at) : JSON.stringify(rec.at);
    const t = typeof rec.at === 'number' ? (Number.isFinite(rec.at) ? rec.at : NaN) : typeof rec.at === 'string' ? parseTime(rec.at) : NaN;
    if (!Number.isFinite(t)) throw problem('LQL518', file, text, atOffset, { value: shown.length > 60 ? shown.slice(0, 60) + '…' : shown, column: 'at' });
    out.push({ type: rec.type, at: typeof rec.at === 'number' ? rec.at : rec.at as string });
  };
  /** Where `"at"`'s value starts in an object's text (else the object's start). */
  const atIn = (t: string, off: number): number => {
    const k = topLevelParts(t).find((p) => p.key === 'at');
    if (!k) return off;
    const colon = t.indexOf(':', k.offset + 4);
    let j = colon + 1;
    while (j < t.length && /\s/.test(t[j]!)) j++;
    return off + j;
  };
  if (trimmed.startsWith('[')) {
    const arr = parseJson(file, text) as unknown[];
    const parts = topLevelParts(text);
    arr.forEach((o, i) => {
      const off = parts[i]?.offset ?? 0;
      const end = i + 1 < parts.length ? parts[i + 1]!.offset : text.length;
      take(o, off, atIn(text.slice(off, end), off));
    });
    return out;
  }
  if (trimmed.startsWith('{')) {
    let off = 0;
    for (const line of text.split('\n')) {
      const l = line.replace(/\r$/, '');
      if (l.trim()) {
        const o = parseJson(file, l, off, text);
        take(o, off + (l.length - l.trimStart().length), atIn(l, off));
      }
      off += line.length + 1;
    }
    return out;
  }
  // CSV: a header with type and at (other columns, such as lead_id, are ignored)
  const raw = text.split('\n');
  const lines = raw.map((l) => l.replace(/\r$/, ''));
  const delim = detectDelimiter(lines[0] ?? '');
  const cellsOf = (l: string) => l.split(delim).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  const head = cellsOf(lines[0] ?? '');
  const ti = head.indexOf('type');
  const ai = head.indexOf('at');
  if (ti < 0 || ai < 0) {
    throw problem('LQL502', file, text, 0, {
      kind: 'events',
      column: ti < 0 ? 'type' : 'at',
      hint: ' An events file for explain needs the columns type and at.',
      found: head.map((h) => '`' + h + '`').join(', '),
    });
  }
  let off = (lines[0]?.length ?? 0) + 1;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim()) {
      const cells = cellsOf(l);
      const at = cells[ai] ?? '';
      const atCol = l.split(delim).slice(0, ai).reduce((n, c) => n + c.length + 1, 0);
      take({ type: cells[ti], at: /^\d+$/.test(at) ? Number(at) : at }, off, off + atCol);
    }
    off += raw[i]!.length + 1;
  }
  return out;
}

/**
 * The LQL formatter (`lql fmt`): prints a ruleset in the one canonical layout.
 *
 * Input: ruleset source text. Output: `{ text, changed }`, or `{ error }` with
 * the syntax errors when the text does not parse cleanly (a file with syntax
 * errors is never rewritten).
 *
 * The canonical layout is the one of `spec/examples/acme.lql`:
 * - 2-space indent; one rule, stage, route or test item per line inside blocks;
 * - `activity a, b, c` filled up to WRAP_WIDTH columns, continued under the
 *   first name; test `lead { ... }` and `events { ... }` filled the same way,
 *   continued under the first field;
 * - bands on one line when they fit, else one label per line;
 * - columns aligned: the `=` of consecutive segments, the points of a score
 *   block's rules, the `when` of stage and route entries (a blank line ends
 *   an aligned group);
 * - blank lines between declarations and between items kept, at most one;
 * - numbers, dates, regexes and duration amounts as written; texts re-escaped
 *   canonically; names in backticks only when they need them;
 * - comments kept: a comment on its own line stays on its own line before the
 *   item it precedes (a comment written inside an item moves before that
 *   item); a comment after code stays at the end of that line.
 *
 * Invariants: never reorders declarations, rules or entries; formatting is
 * idempotent (`format(format(x)) == format(x)`) and keeps the meaning (the
 * compiled IR is the same, apart from source positions); never throws.
 */
import { printName, printString, printLiteral } from '../syntax/print.js';
import type { IToken, TokenType } from 'chevrotain';
import type * as A from '../syntax/ast.js';
import { parse } from '../syntax/parser.js';
import * as T from '../syntax/tokens.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { astPrinter, type AstPrinter } from '../shared/print-ast.js';

export type FormatResult = { text: string; changed: boolean } | { error: Diagnostic[] };

/** Lists (activities, test leads and events, long bands) are filled up to this column. */
export const WRAP_WIDTH = 86;

const INDENT = 2;

// ---------------------------------------------------------------------------
// Printing single tokens and expressions

export { printName, printString } from '../syntax/print.js';

/** The shared expression printer (../shared/print-ast.ts), keeping duration amounts as written. */
class Printer {
  private readonly ast: AstPrinter;
  readonly duration: AstPrinter['duration'];
  readonly value: AstPrinter['value'];
  readonly list: AstPrinter['list'];
  readonly expr: AstPrinter['expr'];
  readonly arith: AstPrinter['arith'];
  readonly rule: AstPrinter['rule'];

  constructor(src: string) {
    this.ast = astPrinter((d) => `${/^\S+/.exec(src.slice(d.range.start.offset, d.range.end.offset))?.[0] ?? String(d.amount)} ${d.unitRaw}`);
    ({ duration: this.duration, value: this.value, list: this.list, expr: this.expr, arith: this.arith, rule: this.rule } = this.ast);
  }

  literal(l: A.Literal): string {
    return printLiteral(l);
  }

  /** A test lead key: a name, or a text when it cannot be written in backticks. */
  leadKey(k: A.Name): string {
    if (/[`\r\n]/.test(k.text) || k.text === '') return printString(k.text);
    return printName(k);
  }
}

// ---------------------------------------------------------------------------
// Output lines

interface Line {
  /** spaces before the text */
  indent: number;
  text: string;
  /** head: starts an item; cont: continues the item above; close: a closing `}` */
  kind: 'head' | 'cont' | 'close';
  /** source offsets of the first and (exclusive) last token printed on this line */
  start: number;
  end: number;
  /** for a continuation line, the head line of the item it continues */
  head?: Line;
  /** ends with a `{` that opens a block on the following lines */
  opens?: boolean;
  /** alignment group membership; null breaks any group */
  alignKey: string | null;
  /** the two parts joined by padding when aligned */
  align?: { left: string; right: string };
  leading: A.Comment[];
  trailing: A.Comment[];
}

class Layout {
  lines: Line[] = [];
  endComments: A.Comment[] = [];
  /** the last line pushed that is not a continuation */
  private lastHead: Line | undefined;
  private p: Printer;

  constructor(
    private src: string,
    private tokens: IToken[],
  ) {
    this.p = new Printer(src);
  }

  private push(l: Omit<Line, 'head' | 'leading' | 'trailing' | 'alignKey'> & { alignKey?: string | null }): Line {
    const line: Line = { alignKey: null, ...l, leading: [], trailing: [] };
    if (l.kind === 'cont') line.head = this.lastHead;
    else this.lastHead = line;
    this.lines.push(line);
    return line;
  }

  /** The first token of `type` starting at or after `from`. */
  private tokenAfter(from: number, type: TokenType): IToken | undefined {
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      // lo <= mid < hi <= tokens.length
      if (this.tokens[mid]!.startOffset < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.tokens.length; i++) {
      const t = this.tokens[i]!;
      if (t.tokenType === type) return t;
    }
    return undefined;
  }

  /** The last token of `type` starting before `before`. */
  private tokenBefore(before: number, type: TokenType): IToken | undefined {
    for (let i = this.tokens.length - 1; i >= 0; i--) {
      const t = this.tokens[i]!;
      if (t.startOffset < before && t.tokenType === type) return t;
    }
    return undefined;
  }

  /**
   * Fill `items` after `prefix`, continuing under the first item; the last
   * line ends with `suffix`. Each item carries its source range for comments.
   */
  private fill(indent: number, prefix: string, items: { text: string; start: number; end: number }[], suffix: string, start: number, end: number, alignKey: string | null): void {
    const contIndent = indent + prefix.length;
    let cur = prefix;
    let curStart = start;
    let curEnd = start;
    let first = true;
    const flush = (final: boolean): void => {
      this.push({ indent: first ? indent : contIndent, text: cur, kind: first ? 'head' : 'cont', start: curStart, end: final ? Math.max(end, curEnd) : curEnd, alignKey: first ? alignKey : null });
      first = false;
    };
    items.forEach((it, i) => {
      const last = i === items.length - 1;
      const piece = it.text + (last ? suffix : ',');
      const lineStartsHere = cur === prefix || (!first && cur === '');
      const candidate = lineStartsHere ? cur + piece : cur + ' ' + piece;
      const width = (first ? indent : contIndent) + candidate.length;
      if (!lineStartsHere && width > WRAP_WIDTH) {
        flush(false);
        cur = piece;
        curStart = it.start;
      } else cur = candidate;
      curEnd = it.end;
    });
    if (items.length === 0) cur = prefix + suffix;
    flush(true);
  }

  decl(d: A.Decl, index: number): void {
    const p = this.p;
    const s = d.range.start.offset;
    const e = d.range.end.offset;
    const top = `top${index}`;
    switch (d.kind) {
      case 'Ruleset':
        this.push({ indent: 0, text: `ruleset ${printString(d.name.value)}`, kind: 'head', start: s, end: e, alignKey: top });
        return;
      case 'Attribute':
        this.push({ indent: 0, text: `attribute ${printName(d.name)}: ${printName(d.type)}`, kind: 'head', start: s, end: e, alignKey: top });
        return;
      case 'Activity':
        this.fill(
          0,
          'activity ',
          d.names.map((n) => ({ text: printName(n), start: n.range.start.offset, end: n.range.end.offset })),
          '',
          s,
          e,
          top,
        );
        return;
      case 'List':
        this.fill(
          0,
          `list ${printName(d.name)} = [`,
          d.items.map((l) => ({ text: p.literal(l), start: l.range.start.offset, end: l.range.end.offset })),
          ']',
          s,
          e,
          top,
        );
        return;
      case 'Segment':
        this.push({
          indent: 0,
          text: '',
          align: { left: `segment ${printName(d.name)}`, right: `= ${p.expr(d.cond)}` },
          kind: 'head',
          start: s,
          end: e,
          alignKey: 'segment',
        });
        return;
      case 'DerivedScore':
        this.push({ indent: 0, text: `score ${printName(d.name)} = ${p.arith(d.expr)}`, kind: 'head', start: s, end: e, alignKey: top });
        return;
      case 'ScoreBlock': {
        const header = d.block === 'score' ? `score ${printName(d.name)}` : d.block;
        const lb = this.tokenAfter(d.name.range.end.offset, T.LBrace);
        if (d.items.length === 0) {
          this.push({ indent: 0, text: `${header} {}`, kind: 'head', start: s, end: e, alignKey: top });
          return;
        }
        this.push({ indent: 0, text: `${header} {`, kind: 'head', start: s, end: lb ? T.tokenEndOffset(lb) + 1 : d.name.range.end.offset, opens: true, alignKey: top });
        const key = `block${index}`;
        for (const it of d.items) {
          const is = it.range.start.offset;
          const ie = it.range.end.offset;
          if (it.kind === 'Decay') {
            this.push({ indent: INDENT, text: `decay half-life ${p.duration(it.halfLife)}`, kind: 'head', start: is, end: ie, alignKey: key });
          } else {
            this.push({ indent: INDENT, text: '', align: p.rule(it), kind: 'head', start: is, end: ie, alignKey: key });
          }
        }
        this.close(0, e);
        return;
      }
      case 'Band': {
        const header = `band ${printName(d.name)} from ${printName(d.source)}`;
        const entry = (b: A.BandEntry): { left: string; right: string } => ({
          left: printName(b.label),
          right: b.threshold ? `>= ${b.threshold.raw}` : 'otherwise',
        });
        const one = d.entries.length === 0 ? `${header} {}` : `${header} { ${d.entries.map((b) => { const x = entry(b); return `${x.left} ${x.right}`; }).join(', ')} }`;
        if (one.length <= WRAP_WIDTH) {
          this.push({ indent: 0, text: one, kind: 'head', start: s, end: e, alignKey: top });
          return;
        }
        const lb = this.tokenAfter(d.source.range.end.offset, T.LBrace);
        this.push({ indent: 0, text: `${header} {`, kind: 'head', start: s, end: lb ? T.tokenEndOffset(lb) + 1 : d.source.range.end.offset, opens: true, alignKey: top });
        const key = `band${index}`;
        for (const b of d.entries) this.push({ indent: INDENT, text: '', align: entry(b), kind: 'head', start: b.range.start.offset, end: b.range.end.offset, alignKey: key });
        this.close(0, e);
        return;
      }
      case 'Stages':
      case 'Route': {
        const kw = d.kind === 'Stages' ? 'stages' : 'route';
        if (d.entries.length === 0) {
          this.push({ indent: 0, text: `${kw} {}`, kind: 'head', start: s, end: e, alignKey: top });
          return;
        }
        const lb = this.tokenAfter(s, T.LBrace);
        this.push({ indent: 0, text: `${kw} {`, kind: 'head', start: s, end: lb ? T.tokenEndOffset(lb) + 1 : s + kw.length, opens: true, alignKey: top });
        const key = `entries${index}`;
        for (const en of d.entries) {
          const left = en.kind === 'StageEntry' ? printName(en.name) : printString(en.action.value);
          const right = en.cond ? `when ${p.expr(en.cond)}` : 'otherwise';
          this.push({ indent: INDENT, text: '', align: { left, right }, kind: 'head', start: en.range.start.offset, end: en.range.end.offset, alignKey: key });
        }
        this.close(0, e);
        return;
      }
      case 'Test': {
        const header = `test ${printString(d.name.value)}`;
        type TItem = { at: number; emit: () => void };
        const items: TItem[] = [];
        const key = `test${index}`;
        /** `lead { ... }` or `events { ... }`: its fields filled after the keyword. */
        const fields = <F extends { range: A.Range }>(kw: TokenType, word: string, list: F[], text: (f: F) => string): void => {
          const first = list[0];
          const last = list[list.length - 1];
          if (first === undefined || last === undefined) return;
          const kwTok = this.tokenBefore(first.range.start.offset, kw);
          const rb = this.tokenAfter(last.range.end.offset, T.RBrace);
          const start = kwTok ? kwTok.startOffset : first.range.start.offset;
          items.push({
            at: start,
            emit: () =>
              this.fill(
                INDENT,
                `${word} { `,
                list.map((f) => ({ text: text(f), start: f.range.start.offset, end: f.range.end.offset })),
                ' }',
                start,
                rb ? T.tokenEndOffset(rb) + 1 : last.range.end.offset,
                key,
              ),
          });
        };
        fields(T.Lead, 'lead', d.lead, (f) => `${p.leadKey(f.key)}: ${p.literal(f.value)}`);
        fields(T.Events, 'events', d.events, (ev) => `${printName(ev.type)} at ${ev.at.raw}`);
        if (d.at) {
          const at = d.at;
          const kwTok = this.tokenBefore(at.range.start.offset, T.At);
          const start = kwTok ? kwTok.startOffset : at.range.start.offset;
          items.push({ at: start, emit: () => this.push({ indent: INDENT, text: `at ${at.raw}`, kind: 'head', start, end: at.range.end.offset, alignKey: key }) });
        }
        for (const x of d.expects) {
          items.push({ at: x.range.start.offset, emit: () => this.push({ indent: INDENT, text: `expect ${p.expr(x.cond)}`, kind: 'head', start: x.range.start.offset, end: x.range.end.offset, alignKey: key }) });
        }
        if (items.length === 0) {
          this.push({ indent: 0, text: `${header} {}`, kind: 'head', start: s, end: e, alignKey: top });
          return;
        }
        const lb = this.tokenAfter(d.name.range.end.offset, T.LBrace);
        this.push({ indent: 0, text: `${header} {`, kind: 'head', start: s, end: lb ? T.tokenEndOffset(lb) + 1 : d.name.range.end.offset, opens: true, alignKey: top });
        items.sort((a, b) => a.at - b.at);
        for (const it of items) it.emit();
        this.close(0, e);
        return;
      }
    }
  }

  private close(indent: number, end: number): void {
    this.push({ indent, text: '}', kind: 'close', start: Math.max(0, end - 1), end, alignKey: null });
  }

  // --- comments ---------------------------------------------------------------

  attach(comments: A.Comment[]): void {
    for (const c of comments) {
      const cs = c.range.start.offset;
      if (this.isTrailing(cs)) {
        const prev = this.tokenEndingBefore(cs);
        const line = prev ? this.lastLineStartingAtOrBefore(prev.startOffset) : undefined;
        if (line) {
          line.trailing.push(c);
          continue;
        }
      }
      const containing = this.lines.find((l) => l.kind !== 'close' && l.start < cs && cs < l.end);
      if (containing) {
        (containing.head ?? containing).leading.push(c);
        continue;
      }
      const next = this.lines.find((l) => l.start > cs);
      if (!next) this.endComments.push(c);
      else (next.head ?? next).leading.push(c);
    }
    // More than one trailing comment on a line: all but the last move above the item.
    for (const l of this.lines) {
      if (l.trailing.length > 1) {
        const moved = l.trailing.splice(0, l.trailing.length - 1);
        (l.head ?? l).leading.push(...moved);
      }
    }
  }

  private isTrailing(offset: number): boolean {
    for (let i = offset - 1; i >= 0; i--) {
      const ch = this.src.charAt(i);
      if (ch === '\n' || ch === '\r') return false;
      if (!/\s/.test(ch)) return true;
    }
    return false;
  }

  private tokenEndingBefore(offset: number): IToken | undefined {
    let found: IToken | undefined;
    for (const t of this.tokens) {
      if (t.startOffset >= offset) break;
      found = t;
    }
    return found;
  }

  private lastLineStartingAtOrBefore(offset: number): Line | undefined {
    let found: Line | undefined;
    for (const l of this.lines) if (l.start <= offset) found = l;
    return found;
  }

  // --- rendering ------------------------------------------------------------------

  render(): string {
    // The vertical sequence of comments and lines, with source ranges.
    type V = { kind: 'comment'; c: A.Comment; indent: number } | { kind: 'line'; l: Line };
    const seq: V[] = [];
    for (const l of this.lines) {
      const cIndent = l.kind === 'close' ? l.indent + INDENT : l.indent;
      for (const c of l.leading) seq.push({ kind: 'comment', c, indent: cIndent });
      seq.push({ kind: 'line', l });
    }
    for (const c of this.endComments) seq.push({ kind: 'comment', c, indent: 0 });
    const startOf = (v: V): number => (v.kind === 'comment' ? v.c.range.start.offset : v.l.start);
    const endOf = (v: V): number => (v.kind === 'comment' ? v.c.range.end.offset : v.l.end);
    const blank: boolean[] = seq.map((v, i) => {
      const prev = seq[i - 1];
      if (prev === undefined) return false;
      if (prev.kind === 'line' && prev.l.opens) return false;
      if (v.kind === 'line' && v.l.kind !== 'head') return false;
      const a = endOf(prev);
      const b = startOf(v);
      return a < b && /\n[^\S\n]*\n/.test(this.src.slice(a, b).replace(/\r\n?/g, '\n'));
    });
    // Alignment groups: consecutive lines with the same key, not split by a blank line.
    let group: Line[] = [];
    let groupKey: string | null = null;
    const flushGroup = (): void => {
      const width = Math.max(0, ...group.filter((l) => l.align).map((l) => l.align!.left.length));
      for (const l of group) if (l.align) l.text = l.align.left.padEnd(width) + ' ' + l.align.right;
      group = [];
      groupKey = null;
    };
    seq.forEach((v, i) => {
      if (blank[i]) flushGroup();
      if (v.kind !== 'line' || v.l.kind === 'cont') return;
      if (v.l.alignKey === null || v.l.alignKey !== groupKey) flushGroup();
      groupKey = v.l.alignKey;
      group.push(v.l);
    });
    flushGroup();
    const out: string[] = [];
    seq.forEach((v, i) => {
      if (blank[i]) out.push('');
      if (v.kind === 'comment') out.push(' '.repeat(v.indent) + '#' + v.c.text.trimEnd());
      else {
        let text = ' '.repeat(v.l.indent) + v.l.text;
        for (const c of v.l.trailing) text += ' #' + c.text.trimEnd();
        out.push(text);
      }
    });
    return out.length ? out.join('\n') + '\n' : '';
  }
}

/** Format LQL source text in the canonical layout; refuses text with syntax errors. */
export function format(text: string): FormatResult {
  const parsed = parse(text);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return { error: errors };
  const layout = new Layout(text, parsed.tokens);
  parsed.program.decls.forEach((d, i) => layout.decl(d, i));
  layout.attach(parsed.program.comments);
  const out = layout.render();
  return { text: out, changed: out !== text };
}

/**
 * Markdown from user text, for hovers and completion documentation.
 *
 * Input: any text from a ruleset or a data file (names, labels, rule text,
 * sample values). Output: Markdown that renders as exactly that text.
 * Invariant: the result can never render as a link, an image, HTML, an
 * entity, emphasis or an autolink, whatever the input.
 */
/**
 * Plain text as Markdown, line breaks as spaces: backslash-escaped (CommonMark)
 * is every character that can start emphasis, code, a link, an image, HTML,
 * an entity, a table cell, strike-through or an autolink (`:` of `http:`, `@`
 * of an e-mail, `.` of `www.`). Used only after other text on a line, so
 * line-start markers (`>`, `-`, `+`, `1.`) cannot take effect.
 */
export function md(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\\`*_[\]()<!&#|~:@.]/g, '\\$&');
}

/** Text as an inline code span whose fence is longer than any run of backticks inside (nothing in it is Markdown). */
export function code(text: string): string {
  const t = text.replace(/\s+/g, ' ');
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || (t.startsWith(' ') && t.endsWith(' ') && t.trim() !== '') ? ' ' : '';
  return fence + pad + t + pad + fence;
}


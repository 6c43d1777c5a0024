/**
 * Reads just enough of a chosen data file, on the page, to offer the column
 * mapping: the header of a CSV (`,` or `;`, quoted names) or the keys of a
 * JSONL file's first object, and a guess of the id and outcome columns.
 *
 * Input: the first few kilobytes of a file as text, and its name.
 * Output: column names in file order; guessed id/outcome columns.
 * Invariants: never reads more than the start of the file; never throws
 * (an unreadable start gives no columns, and the worker reports why).
 */
export function sniffColumns(name: string, head: string): string[] {
  const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  if (/\.jsonl?$/i.test(name)) {
    const first = text.split('\n').find((l) => l.trim() !== '');
    try {
      const obj = JSON.parse(first ?? '') as unknown;
      return obj && typeof obj === 'object' && !Array.isArray(obj) ? Object.keys(obj) : [];
    } catch {
      return [];
    }
  }
  // the first record, honouring quotes (a quoted header may hold a newline)
  const firstLineEnd = text.indexOf('\n');
  const line0 = firstLineEnd === -1 ? text : text.slice(0, firstLineEnd);
  const delim = line0.split(';').length > line0.split(',').length ? ';' : ',';
  const out: string[] = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else q = false; } else field += c;
    } else if (c === '"' && field === '') q = true;
    else if (c === delim) { out.push(field.trim()); field = ''; }
    else if (c === '\n' || c === '\r') break;
    else field += c;
  }
  out.push(field.trim());
  return out.filter((c, i) => c !== '' || i < out.length - 1);
}

const ID_GUESSES = ['id', 'lead_id', 'leadid', 'lead id', 'lead number', 'prospect id', 'mql_id'];
const OUTCOME_GUESSES = ['outcome', 'converted', 'won', 'y', 'result', 'status', 'closed'];

export function guessMapping(columns: string[]): { id: string; outcome: string } {
  const find = (guesses: string[]) => {
    for (const g of guesses) {
      const c = columns.find((x) => x.toLowerCase() === g);
      if (c) return c;
    }
    return undefined;
  };
  return { id: find(ID_GUESSES) ?? '@row', outcome: find(OUTCOME_GUESSES) ?? columns[columns.length - 1] ?? 'outcome' };
}

/**
 * The Olist marketing-funnel join (as examples/olist/join.mjs does it), for
 * the playground's worker: two public files in, the leads and events tables
 * LQL reads out.
 *
 * Input: the text of `olist_marketing_qualified_leads_dataset.csv` (mql_id,
 * first_contact_date, landing_page_id, origin) and of
 * `olist_closed_deals_dataset.csv` (mql_id, won_date, ...).
 * Output: `{ leads, events }` CSV texts: leads (id, outcome, created_at,
 * closed_at, origin, landing_page_id) and events (lead_id, type, at), one
 * `contact_<origin>` event per lead at its first contact.
 * Invariants: a lead is won when its mql_id is among the closed deals
 * (closed_at = won_date), else lost; only columns known before the deal are
 * kept (the deal file's other columns exist only for won leads).
 */

/** RFC 4180 records (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

function records(text: string): Record<string, string>[] {
  const [head, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!head) return [];
  return rows.map((cells) => Object.fromEntries(head.map((h, j) => [h, cells[j] ?? ''])));
}

const cell = (s: string) => (/[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);

export function joinOlist(mqlText: string, dealsText: string): { leads: string; events: string } {
  const wonAt = new Map(records(dealsText).map((d) => [d.mql_id ?? '', (d.won_date ?? '').replace(' ', 'T') + 'Z']));
  const leads = ['id,outcome,created_at,closed_at,origin,landing_page_id'];
  const events = ['lead_id,type,at'];
  for (const m of records(mqlText)) {
    const id = m.mql_id ?? '';
    const closed = wonAt.get(id) ?? '';
    leads.push([id, closed ? 'won' : 'lost', m.first_contact_date ?? '', closed, m.origin ?? '', m.landing_page_id ?? ''].map(cell).join(','));
    events.push([id, `contact_${m.origin || 'unknown'}`, m.first_contact_date ?? ''].map(cell).join(','));
  }
  return { leads: leads.join('\n') + '\n', events: events.join('\n') + '\n' };
}

#!/usr/bin/env node
// Joins the two Olist marketing-funnel files into the tables LQL reads:
//   leads.csv  (id, outcome, created_at, closed_at, origin, landing_page_id)
//   events.csv (lead_id, type, at): each lead's first contact, typed by channel
// A lead is won when its mql_id is in the closed-deals file (closed_at =
// won_date); otherwise lost. Only columns known *before* the deal are kept:
// the deal file's other columns (segment, revenue, behaviour profile) exist
// only for won leads and would leak the outcome.
//
// Usage: node examples/olist/join.mjs [SHARED_DATA_DIR] [OUT_DIR]
// The Olist data is CC BY-NC-SA 4.0 (Olist, via Kaggle): the joined files are
// written outside version control (examples/olist/data/ is ignored).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = process.argv[2] ?? join(here, '..', '..', '..', 'shared', 'data', 'olist-marketing-funnel');
const out = process.argv[3] ?? join(here, 'data');

/** RFC 4180 records (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell), rows.push(row), (row = []), (cell = '');
    } else cell += c;
  }
  if (cell !== '' || row.length) row.push(cell), rows.push(row);
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

function readCsv(path) {
  const [head, ...rows] = parseCsv(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  return rows.map((cells, i) => {
    if (cells.length !== head.length) throw new Error(`${path}: record ${i + 2}: expected ${head.length} fields, found ${cells.length}`);
    return Object.fromEntries(head.map((h, j) => [h, cells[j]]));
  });
}

const mqls = readCsv(join(src, 'olist_marketing_qualified_leads_dataset.csv'));
const deals = readCsv(join(src, 'olist_closed_deals_dataset.csv'));
const wonAt = new Map(deals.map((d) => [d.mql_id, d.won_date.replace(' ', 'T') + 'Z']));

const leads = ['id,outcome,created_at,closed_at,origin,landing_page_id'];
const events = ['lead_id,type,at'];
let won = 0;
for (const m of mqls) {
  const closed = wonAt.get(m.mql_id) ?? '';
  if (closed) won++;
  leads.push([m.mql_id, closed ? 'won' : 'lost', m.first_contact_date, closed, m.origin, m.landing_page_id].join(','));
  events.push([m.mql_id, `contact_${m.origin || 'unknown'}`, m.first_contact_date].join(','));
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'leads.csv'), leads.join('\n') + '\n');
writeFileSync(join(out, 'events.csv'), events.join('\n') + '\n');
process.stderr.write(`${mqls.length} leads (${won} won, ${deals.length - won} deals without a matching lead), written to ${out}\n`);

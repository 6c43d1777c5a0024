/**
 * What a data command did not use, in one shape for every command (text
 * and JSON): rows skipped with --lenient (counted, the first few with
 * file:line:col), events of leads not in the leads file (not replayed) and
 * events of types the ruleset does not declare (counted by type; they are
 * never scored).
 *
 * Input: the loaded tables (or the DuckDB engine's counts). Output: a
 * `Skipped` record (`"skipped"` in JSON reports) and its text lines.
 * Invariant: nothing a command reads is dropped without appearing here.
 */
import type { Diagnostic } from '../language/diagnostics/diagnostic.js';
import type { EventTable, LeadTable } from './data/table.js';

export interface Skipped {
  /** rows skipped with --lenient: lead rows plus event rows */
  rows: number;
  leadRows: number;
  eventRows: number;
  /** the first skipped rows (at most 5), as `file:line:col: message` */
  first: string[];
  /** events whose lead_id is not in the leads file (not replayed) */
  unknownLeadEvents: number;
  /** events of types the ruleset does not declare, by type (not scored) */
  undeclaredEventTypes: Record<string, number>;
}

const FIRST = 5;

function where(d: Diagnostic, file: string): string {
  return `${d.file ?? file}:${d.range.start.line}:${d.range.start.column}: ${d.message}`;
}

/** The skipped record of loaded tables. */
export function skippedOf(
  leads: Pick<LeadTable, 'file' | 'rejected'>,
  events?: Pick<EventTable, 'file' | 'rejected' | 'unknownLeads' | 'unknownTypes'> | null,
): Skipped {
  const first = [
    ...leads.rejected.diagnostics.map((d) => where(d, leads.file)),
    ...(events ? events.rejected.diagnostics.map((d) => where(d, events.file)) : []),
  ].slice(0, FIRST);
  const undeclared = Object.create(null) as Record<string, number>;
  if (events) for (const t of Object.keys(events.unknownTypes).sort()) if (events.unknownTypes[t]! > 0) undeclared[t] = events.unknownTypes[t]!;
  const leadRows = leads.rejected.rows;
  const eventRows = events ? events.rejected.rows : 0;
  return {
    rows: leadRows + eventRows,
    leadRows,
    eventRows,
    first,
    unknownLeadEvents: events ? events.unknownLeads.events : 0,
    undeclaredEventTypes: undeclared,
  };
}

/** The record from counts (engines that do not build tables). */
export function skippedCounts(unknownLeadEvents: number, undeclaredEventTypes: Record<string, number>): Skipped {
  const undeclared = Object.create(null) as Record<string, number>;
  for (const t of Object.keys(undeclaredEventTypes).sort()) if (undeclaredEventTypes[t]! > 0) undeclared[t] = undeclaredEventTypes[t]!;
  return { rows: 0, leadRows: 0, eventRows: 0, first: [], unknownLeadEvents, undeclaredEventTypes: undeclared };
}

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, one: string, many: string) => `${n(x)} ${x === 1 ? one : many}`;

/** What was skipped, in words (no lines when nothing was). */
export function skippedText(s: Skipped): string[] {
  const out: string[] = [];
  if (s.rows) {
    out.push(`Skipped with --lenient: ${plural(s.leadRows, 'lead row', 'lead rows')}, ${plural(s.eventRows, 'event row', 'event rows')}.`);
    for (const f of s.first) out.push(`  ${f}`);
    if (s.rows > s.first.length) out.push(`  ... and ${n(s.rows - s.first.length)} more`);
  }
  if (s.unknownLeadEvents) out.push(`Events for leads not in the leads file: ${n(s.unknownLeadEvents)} (not replayed).`);
  const types = Object.entries(s.undeclaredEventTypes);
  if (types.length) {
    const total = types.reduce((a, [, c]) => a + c, 0);
    out.push(`Events of types the ruleset does not declare: ${n(total)} (${types.map(([t, c]) => `${JSON.stringify(t)} ${n(c)}`).join(', ')}; not scored).`);
  }
  return out;
}

/**
 * `lql explain` on data files: one lead picked by its id from the same
 * leads and events tables `simulate` and `score` read, with the same
 * reader options (`--id`, `--outcome`, `--missing`, `--lenient`).
 *
 * Input: the ruleset's IR, the parsed options (`--leads`, `--events`,
 * `--id` of the lead, `--id-column`, ...), the CLI's io.
 * Output: the lead's attributes, its events of declared activities, and the
 * as-of time `score` would use for it.
 * Invariants: the as-of is `--at` when given, else the run's default as-of
 * of the whole data (the one `score` uses), so `explain` and `score` give
 * the same answer for the same lead; an unknown id is an error naming the
 * nearest ids.
 */
import { skippedOf, type Skipped } from '../simulator/skipped.js';
import type { IR } from '../language/compile/ir.js';
import { suggest as suggestName } from '../language/shared/names.js';
import { diag } from '../language/diagnostics/registry.js';
import { pointRange } from '../language/diagnostics/diagnostic.js';
import type { Args, Io } from './commands.js';
import { InputError } from './errors.js';
import { formatDiagnostics } from './print.js';
import { loadData } from './sim-commands.js';

export interface LeadFromData {
  id: string;
  lead: Record<string, unknown>;
  events: { type: string; at: number }[];
  asOf: number;
  /** what the data reading skipped (simulator/skipped.ts) */
  skipped: Skipped;
}

export async function leadFromData(ir: IR, args: Args, io: Io, leadId: string, at: number | undefined): Promise<LeadFromData> {
  // the data options are the simulate ones; `--id-column` names the id column here (`--id` is the lead)
  const dataArgs: Args = { ...args, values: { ...args.values, id: args.values['id-column'] } };
  const data = await loadData(ir, dataArgs, io);
  const { leadRecord } = await import('../simulator/worker-api.js');
  const { defaultAsOf } = await import('../simulator/replay.js');
  const i = data.leads.ids.indexOf(leadId);
  if (i < 0) {
    const file = String(args.values.leads);
    const near = suggestName(leadId, data.leads.ids.slice(0, 200_000));
    const hint = near.length ? ` The nearest ids are ${near.slice(0, 3).map((n) => `\`${n}\``).join(', ')}.` : '';
    throw new InputError(formatDiagnostics([diag('LQL610', pointRange(1, 1, 0), { id: leadId, file, hint }, { file })], file, null));
  }
  // the default of every data command: the latest declared event, created_at or closed_at; 0 without any
  const dataAsOf = defaultAsOf(data.leads, data.events, ir.activities);
  const asOf = at ?? (Number.isNaN(dataAsOf) ? 0 : dataAsOf);
  const declared = new Set(ir.activities);
  const events: { type: string; at: number }[] = [];
  const ev = data.events;
  if (ev) {
    for (let j = ev.offsets[i]!; j < ev.offsets[i + 1]!; j++) {
      const type = ev.typeNames[ev.types[j]!]!;
      if (declared.has(type) && ev.times[j]! <= asOf) events.push({ type, at: ev.times[j]! });
    }
  }
  return { id: leadId, lead: leadRecord(data.leads, i), events, asOf, skipped: skippedOf(data.leads, data.events) };
}

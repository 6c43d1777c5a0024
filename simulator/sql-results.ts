/**
 * The rows of a scoring query (language/compile/emit-sql.ts with `codes`
 * and `presence`) read into the typed arrays of a ScoredTable, for the
 * engines that run the exported SQL (DuckDB, ClickHouse).
 *
 * Input: the IR, the query's output columns, the number of leads.
 * Output: `engineQueryOptions()`, the export options of the one scoring
 * query both engines run over the tables they loaded; `resultSink()` ->
 * `set(row, column, value)` for every numeric cell (NULL as null), and
 * `table(...)` to finish the ScoredTable.
 * Invariants: a NULL score or band is 0, a NULL stage the lowest, a NULL
 * route none (-1), a NULL stage time NaN; activity presence comes as one
 * 31-bit mask per column `did_<c>`; columns that are not numbers (id, extra
 * columns) are ignored.
 */
import type { IR, IRType } from '../language/compile/ir.js';
import type { EmitSqlOptions, SqlColumn } from '../language/compile/emit-sql.js';
import type { KernelMode } from './kernel/emit-kernel.js';
import { scoredNames, type ScoredTable } from './replay.js';

/**
 * The scoring query over an engine's loaded tables: `lql_leads` (row number `__lql_row`,
 * closing time `__lql_closed_ms` in epoch ms when `closedAt`) and, with `events`, `lql_ev`
 * (times in epoch ms); codes and activity presence out, rows in lead order.
 */
export function engineQueryOptions(o: {
  dialect: 'duckdb' | 'clickhouse';
  asOf: number;
  mode: KernelMode;
  events: boolean;
  closedAt: boolean;
  columnFor: (name: string, type: IRType) => string;
}): EmitSqlOptions {
  return {
    dialect: o.dialect,
    asOf: o.asOf,
    leadsTable: 'lql_leads',
    eventsTable: o.events ? 'lql_ev' : null,
    timesAreEpochMs: true,
    nativeIds: true,
    idColumn: '__lql_row',
    closedAtColumn: o.closedAt ? '__lql_closed_ms' : undefined,
    reachedBeforeClose: o.mode === 'events',
    codes: true,
    presence: o.events,
    orderColumn: '__lql_row',
    columnFor: o.columnFor,
  };
}

type Sink = (i: number, v: number | null) => void;

export interface ResultSink {
  /** per output column: where its numbers go, or null (not a number the table keeps) */
  sinks: (Sink | null)[];
  /** the ScoredTable of the rows set so far */
  table(run: { mode: KernelMode; asOf: number; ids: string[]; outcome: Int8Array }): ScoredTable;
}

export function resultSink(ir: IR, columns: SqlColumn[], n: number): ResultSink {
  const scores = ir.scores.map(() => new Float64Array(n));
  const bands = ir.bands.map(() => new Int32Array(n));
  const stage = new Int32Array(n);
  const reached = ir.stages.map(() => new Float64Array(n).fill(NaN));
  const route = new Int32Array(n).fill(-1);
  const did = ir.activities.map(() => new Uint8Array(n));
  const sinks: (Sink | null)[] = columns.map((col) => {
    switch (col.kind) {
      case 'score': {
        const out = scores[ir.scores.findIndex((x) => x.name === col.key)]!;
        return (i, v) => (out[i] = v ?? 0);
      }
      case 'band': {
        const out = bands[ir.bands.findIndex((x) => x.name === col.key)]!;
        return (i, v) => (out[i] = v ?? 0);
      }
      case 'stage':
        return (i, v) => (stage[i] = v === null ? ir.stages.length - 1 : v);
      case 'route':
        return (i, v) => (route[i] = v === null ? -1 : v);
      case 'reached': {
        const out = reached[ir.stages.findIndex((x) => x.name === col.key)]!;
        return (i, v) => (out[i] = v === null ? NaN : v);
      }
      case 'did': {
        const c = Number(col.key);
        const acts: number[] = [];
        for (let a = c * 31; a < Math.min(ir.activities.length, c * 31 + 31); a++) acts.push(a);
        return (i, v) => {
          const m = v ?? 0;
          for (const a of acts) did[a]![i] = (m >>> (a % 31)) & 1;
        };
      }
      default:
        return null;
    }
  });
  return {
    sinks,
    table: (run) => ({ n, scores, bands, stage, reached, route, mode: run.mode, asOf: run.asOf, ids: run.ids, outcome: run.outcome, ...scoredNames(ir), did }),
  };
}

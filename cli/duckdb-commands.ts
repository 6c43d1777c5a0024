/**
 * `--engine duckdb` for `lql simulate` and `lql score`: the backtest runs
 * inside embedded DuckDB over the files themselves (see docs/sql.md).
 * Input: the IR and the command's options. Output: the same Report / rows
 * as the JS engine.
 */
import type { IR } from '../language/compile/ir.js';
import type { Args } from './commands.js';
import type { Report } from '../simulator/metrics.js';
import type { ScoreRow } from '../simulator/simulate.js';
import { InputError } from './errors.js';

export async function simulateWithDuckDB(_ir: IR, _args: Args, _opts: { asOf?: number; baseline?: IR }): Promise<Report> {
  throw new InputError('--engine duckdb is not available in this build.');
}

export async function scoreRowsWithDuckDB(_ir: IR, _args: Args, _opts: { asOf?: number }): Promise<ScoreRow[]> {
  throw new InputError('--engine duckdb is not available in this build.');
}

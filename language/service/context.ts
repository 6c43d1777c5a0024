/**
 * What the editor knows besides the text: the bound dataset's columns and the
 * last simulation run's statistics. Every field is optional; without it the
 * language service still answers from the ruleset alone.
 *
 * Input: supplied by the playground (or any editor host). Output: read by
 * completion, hover and diagnostics. Invariant: plain JSON data.
 */

export interface ColumnInfo {
  name: string;
  /** `number`, `text`, `bool` or `date` (as the data reader inferred it) */
  type: string;
  /** a few distinct values, most frequent first */
  samples?: string[];
  /** share of rows with a value, 0..1 */
  fillRate?: number;
  /** number of distinct values */
  distinct?: number;
}

/** Distribution of one score over the leads of the last run. */
export interface ScoreStat {
  name: string;
  min: number;
  max: number;
  mean: number;
  median?: number;
  p90?: number;
  /** number of leads the statistics cover */
  leads?: number;
}

/** How one rule behaved in the last run. */
export interface RuleStat {
  /** 1-based source line of the rule */
  line: number;
  /** leads for which the rule contributed points */
  fired: number;
  /** share of those leads that closed (won), 0..1 */
  closeRate: number;
}

export interface ServiceContext {
  columns?: ColumnInfo[];
  scoreStats?: ScoreStat[];
  ruleStats?: RuleStat[];
  /** the document's URI, used in related-information locations */
  uri?: string;
}

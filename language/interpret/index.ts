/**
 * The reference interpreter's public API: `interpret` (score one lead) and
 * `runTests` (run a ruleset's `test` blocks), plus the value readers they use.
 */
export { interpret, type ScoreResult, type Reason, type LeadEvent } from './interpreter.js';
export { runTests, formatTestReport, type TestOutcome, type ExpectFailure } from './run-tests.js';
export { readAs, parseIsoDate, toEpochMs, type Val } from '../shared/values.js';

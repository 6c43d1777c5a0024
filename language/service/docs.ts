/**
 * One-line documentation of LQL keywords and functions, for hover and
 * completion. Input: none (static). Output: `KEYWORD_DOCS`.
 * Invariant: every keyword of the token table has an entry (a test checks it).
 */

const KEYWORDS = {
  ruleset: '`ruleset "name"` — names the ruleset (at most once).',
  attribute: '`attribute NAME: TYPE` — declares a lead column and its type: text, number, bool or date.',
  activity: '`activity a, b, c` — declares event types; every activity a rule uses must be declared.',
  list: '`list NAME = [...]` — a named list of values, used with `in`.',
  segment: '`segment NAME = CONDITION` — a named condition other rules can use.',
  fit: '`fit { ... }` — the profile score (who the lead is); may not use activities.',
  engagement: '`engagement { ... }` — the interest score (what the lead did); may decay.',
  score: '`score NAME { ... }` is another score block; `score NAME = a + b` is a derived score.',
  band: '`band NAME from SCORE { A >= 50, ..., D otherwise }` — turns a score into labels.',
  from: '`band NAME from SCORE` — the score (or numeric attribute) the band reads.',
  stages: '`stages { SQL when ..., MQL when ..., lead otherwise }` — funnel stages, furthest first; a lead keeps the furthest stage it ever reached.',
  route: '`route { "action" when ..., "action" otherwise }` — the first route whose condition holds; in tests, `route` is the chosen action.',
  test: '`test "name" { lead {...} events {...} at DATE expect ... }` — an example lead and what the ruleset must say about it.',
  lead: '`lead { name: value, ... }` — the test lead\'s attributes.',
  events: '`events { activity at DATE, ... }` — the test lead\'s activities.',
  at: '`at DATE` — when an event happened, or the time a test is scored at (default: the last event).',
  expect: '`expect CONDITION` — must hold for the test lead at the test time.',
  when: '`+N when CONDITION` — N points if the condition holds.',
  per: '`+N per ACTIVITY` — N points for each event; `+N per ATTRIBUTE` — N times a numeric attribute.',
  once: '`+N once ACTIVITY` — N points if there is at least one such event.',
  max: '`, max M` — the rule contributes at most M points (in absolute value).',
  decay: '`decay half-life DURATION` — activity points halve every DURATION (not in `fit`).',
  'half-life': '`decay half-life 30 days` — the time after which an activity counts half.',
  otherwise: '`otherwise` — the last band label, stage or route: taken when nothing above applies.',
  and: '`a and b` — both hold.',
  or: '`a or b` — at least one holds.',
  not: '`not a` — a does not hold (also `not in`, `is not missing`).',
  in: '`x in [..]` / `x in LIST` — x is one of the items; `in last 30 days` limits a rule or count to a window.',
  last: '`in last 30 days` — only events in that window count; `days since last ACTIVITY` — days since the latest one.',
  between: '`x between A and B` — A <= x <= B (inclusive).',
  contains: '`x contains "text"` — the text appears in x (case-sensitive).',
  starts: '`x starts with "text"` — x begins with the text (case-sensitive).',
  ends: '`x ends with "text"` — x ends with the text (case-sensitive).',
  with: '`starts with` / `ends with` — text tests.',
  matches: '`x matches /regex/i` — the regular expression matches somewhere in x (RE2 syntax).',
  is: '`x is missing` / `x is present` — tests whether the lead has a value.',
  missing: '`x is missing` — the lead has no value for x.',
  present: '`x is present` — the lead has a value for x.',
  since: '`days since DATE_ATTRIBUTE` or `days since last ACTIVITY` — fractional days until the scoring time.',
  count: '`count(ACTIVITY)` or `count(ACTIVITY in last 30 days)` — the number of such events.',
  true: '`true` — yes.',
  false: '`false` — no.',
  minutes: 'A duration unit: minutes.',
  minute: 'A duration unit: one minute.',
  hours: 'A duration unit: hours.',
  hour: 'A duration unit: one hour.',
  days: 'A duration unit: days (`30 days`); also `days since ...`.',
  day: 'A duration unit: one day.',
  weeks: 'A duration unit: weeks (7 days).',
  week: 'A duration unit: one week.',
} satisfies Record<string, string>;

/** Keyword -> its one-line documentation (a word with no entry has none). */
export const KEYWORD_DOCS: Readonly<Record<string, string>> = KEYWORDS;

export const FUNCTION_DOCS: Record<string, string> = {
  lower: '`lower(x)` — x in lower case (to compare text without case).',
  domain: '`domain(email)` — the part after `@`, lower-cased (missing without `@`).',
  count: KEYWORDS.count,
  stage: '`stage` — the lead\'s stage (in routes and tests), e.g. `stage == SQL`.',
  route: '`route` — the chosen route action (in tests), e.g. `route == "Drop"`.',
};

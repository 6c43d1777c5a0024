/**
 * The examples gallery: each example ruleset of `examples/` with the
 * dataset it was written for.
 *
 * - ACME: the seeded ACME-like history (3,000 leads, seed 42, the same data
 *   as examples/data/acme-*.csv), generated in the worker, always available;
 * - X Education, UCI bank marketing, Olist: the public datasets kept beside
 *   the project (../shared/data), served read-only under `datasets/` by the
 *   dev server (and the browser tests' server) and never copied into the
 *   build; elsewhere they are offered as unavailable.
 *
 * Input: the example rulesets (`examples/*.lql`, `examples/* /*.lql`, as
 * text at build time). Output: `EXAMPLES`, the gallery entries.
 * Invariants: each entry names its source and licence, shown to the user
 * in their language (`gallery.<id>.name` / `.note` in the i18n layer);
 * every ruleset under examples/ appears in exactly one entry.
 */
const RULESETS = import.meta.glob(['../../examples/*.lql', '../../examples/*/*.lql'], {
  query: '?raw', import: 'default', eager: true,
}) as Record<string, string>;

function ruleset(path: string): string {
  return RULESETS[`../../examples/${path}`] ?? '';
}

export type DataSource =
  | { kind: 'generate'; leads: number; seed: number }
  | { kind: 'files'; leadsUrl: string; eventsUrl?: string; join?: 'olist' };

export interface ExampleDataset {
  id: string;
  name: string;
  /** the example ruleset's path under examples/ and its text */
  rulesetPath: string;
  rulesetText: string;
  data: DataSource;
  idColumn?: string;
  outcomeColumn?: string;
  missing?: string[];
}

/** The ACME history generated in the worker (the playground's default dataset). */
export const ACME_DATA = { leads: 3000, seed: 42 } as const;

export const EXAMPLES: ExampleDataset[] = [
  {
    id: 'acme',
    name: 'ACME B2B (3,000 leads, event history)',
    rulesetPath: 'acme.lql',
    rulesetText: ruleset('acme.lql'),
    data: { kind: 'generate', ...ACME_DATA },
  },
  {
    id: 'x-education',
    name: 'X Education (9,240 leads, snapshot)',
    rulesetPath: 'x-education/x-education.lql',
    rulesetText: ruleset('x-education/x-education.lql'),
    data: { kind: 'files', leadsUrl: 'datasets/x-education/Leads.csv' },
    idColumn: 'Prospect ID',
    outcomeColumn: 'Converted',
    missing: ['Select'],
  },
  {
    id: 'uci-bank',
    name: 'UCI bank marketing (45,211 contacts, snapshot)',
    rulesetPath: 'bank-marketing/bank-marketing.lql',
    rulesetText: ruleset('bank-marketing/bank-marketing.lql'),
    data: { kind: 'files', leadsUrl: 'datasets/uci-bank-marketing/bank-full.csv' },
    idColumn: '@row',
    outcomeColumn: 'y',
    missing: ['unknown'],
  },
  {
    id: 'olist',
    name: 'Olist marketing funnel (8,000 MQLs, event history)',
    rulesetPath: 'olist/olist.lql',
    rulesetText: ruleset('olist/olist.lql'),
    data: {
      kind: 'files', join: 'olist',
      leadsUrl: 'datasets/olist-marketing-funnel/olist_marketing_qualified_leads_dataset.csv',
      eventsUrl: 'datasets/olist-marketing-funnel/olist_closed_deals_dataset.csv',
    },
  },
];

/** Every example ruleset path the build found (to check the gallery covers them). */
export const RULESET_PATHS: string[] = Object.keys(RULESETS).map((p) => p.replace('../../examples/', '')).sort();

// Types of the LQL compiled scorer for the ruleset "Golden".
export type ScoreName = "fit" | "engagement" | "total";
export type BandName = "grade";
export type StageName = "MQL" | "lead";
export type RouteAction = "call" | "nurture";
export interface Bands {
  "grade": "A" | "B";
}
export interface ScoreResult {
  scores: Record<ScoreName, number>;
  bands: Bands;
  stage: StageName;
  /** epoch ms each stage was first reached */
  reached: Record<StageName, number | null>;
  route: RouteAction | null;
  reasons: { score: ScoreName; points: number; line: number; rule: string }[];
}
export declare const ruleset: { name: string; stages: StageName[]; scores: ScoreName[]; bands: Record<BandName, string[]> };
/** asOf: the time to evaluate the lead at (default: its latest event), e.g. Date.now() to score live. */
export declare function score(lead: Record<string, unknown>, events?: { type: string; at: string | number | Date }[],
                              asOf?: string | number | Date): ScoreResult;

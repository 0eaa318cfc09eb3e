import * as z from "zod";

/** Risk order of DESIGN §5: `none < low < medium < medium-high < high < critical`. */
export const RISK_LEVELS = ["none", "low", "medium", "medium-high", "high", "critical"] as const;
export const RiskLevelSchema = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof RiskLevelSchema>;

export const riskRank = (risk: RiskLevel): number => RISK_LEVELS.indexOf(risk);

export const maxRisk = (risks: Iterable<RiskLevel>): RiskLevel => {
  let highest: RiskLevel = "none";
  for (const risk of risks) if (riskRank(risk) > riskRank(highest)) highest = risk;
  return highest;
};

export const atLeast = (risk: RiskLevel, floor: RiskLevel): boolean => riskRank(risk) >= riskRank(floor);

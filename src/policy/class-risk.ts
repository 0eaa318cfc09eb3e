import { CHANGE_CLASSES, type ChangeClassId } from "../core/change-classes.js";
import type { Detection } from "../core/finding.js";
import { maxRisk, type RiskLevel } from "../core/risk-level.js";
import type { Policy } from "./policy-schema.js";

/** The risk of a change class under a policy: its `classes.<id>.risk` override, else the class default. */
export const riskOf = (changeClass: ChangeClassId, policy: Pick<Policy, "classes">): RiskLevel =>
  policy.classes[changeClass]?.risk ?? CHANGE_CLASSES[changeClass].risk;

/** A detection's risk under the policy: its class's risk, raised to the detection's floor. */
export const classify = (detection: Pick<Detection, "class" | "riskFloor">, policy: Pick<Policy, "classes">): RiskLevel =>
  maxRisk([riskOf(detection.class, policy), detection.riskFloor ?? "none"]);

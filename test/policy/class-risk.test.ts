import { describe, expect, it } from "vitest";
import { classify, riskOf } from "../../src/policy/class-risk.js";
import { defaultPolicy, resolvePolicy } from "../../src/policy/load-policy.js";

const policy = defaultPolicy();

describe("class default risks", () => {
  it.each([
    ["route.added", "medium"],
    ["backend.all-removed", "critical"],
    ["resource.changed", "low"],
  ] as const)("%s is %s by default", (id, risk) => expect(riskOf(id, policy)).toBe(risk));
});

describe("risk of a change under the policy", () => {
  it.each([
    ["the class default", { class: "backend.weight-changed" as const }, policy, "medium-high"],
    ["a floor above the class", { class: "mirror.changed" as const, riskFloor: "high" as const }, policy, "high"],
    ["a floor below the class changes nothing", { class: "trust.changed" as const, riskFloor: "low" as const }, policy, "critical"],
    [
      "the policy's class override",
      { class: "backend.weight-changed" as const },
      resolvePolicy("classes:\n  backend.weight-changed: { risk: high }\n", "route-governor.yml").policy,
      "high",
    ],
  ])("%s", (_case, detection, rules, risk) => expect(classify(detection, rules)).toBe(risk));
});

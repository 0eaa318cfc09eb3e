import { describe, expect, it } from "vitest";
import { requirementsFor } from "../../src/governance/requirements.js";
import { defaultPolicy, resolvePolicy } from "../../src/policy/load-policy.js";
import { finding } from "./fixtures.js";

const policy = defaultPolicy();

describe("requirements for the findings of a PR", () => {
  it("no findings: risk none, nothing required", () => {
    expect(requirementsFor([], policy)).toEqual({ risk: "none", evidence: [], approvals: [], distinctGroups: 0, blocking: [] });
  });

  it("low findings need nothing", () => {
    expect(requirementsFor([finding("resource.changed")], policy)).toMatchObject({ risk: "low", evidence: [], approvals: [] });
  });

  it("the overall risk is the highest finding's; its level's evidence and approvals apply", () => {
    const weight = finding("backend.weight-changed");
    const region = finding("backend.region-added");
    const low = finding("resource.changed");
    const result = requirementsFor([weight, region, low], policy);
    expect(result.risk).toBe("high");
    expect(result.evidence.map((e) => e.key)).toEqual(["change-request", "rollback", "rollout-window", "test-result"]);
    expect(result.approvals).toEqual([
      // A low finding needs no approval on its own, so a change to it leaves approvals standing.
      { group: "service-owners", count: 1, fingerprints: [weight.fingerprint, region.fingerprint], why: ["risk high"] },
      { group: "platform-networking", count: 1, fingerprints: [weight.fingerprint, region.fingerprint], why: ["risk high"] },
    ]);
  });

  it("class rules add groups and merge with the level's rule of the same group", () => {
    const failover = finding("failover.changed");
    const route = finding("route.added");
    const result = requirementsFor([failover, route], policy);
    expect(result.distinctGroups).toBe(2);
    expect(result.approvals).toEqual([
      {
        group: "service-owners",
        count: 1,
        fingerprints: [failover.fingerprint, route.fingerprint],
        why: ["risk critical", "class failover.changed"],
      },
      { group: "platform-networking", count: 1, fingerprints: [failover.fingerprint, route.fingerprint], why: ["risk critical"] },
      { group: "sre", count: 1, fingerprints: [failover.fingerprint, route.fingerprint], why: ["risk critical", "class failover.changed"] },
      { group: "business-owners", count: 1, fingerprints: [failover.fingerprint], why: ["class failover.changed"] },
    ]);
  });

  it("class evidence is added with its reason", () => {
    const own = resolvePolicy("classes:\n  mirror.changed: { evidence: [metrics] }\n", "route-governor.yml").policy;
    expect(requirementsFor([finding("mirror.changed")], own).evidence).toEqual([{ key: "metrics", why: ["class mirror.changed"] }]);
  });

  it("manifest.invalid findings block and are covered by no approval", () => {
    const broken = finding("manifest.invalid");
    const result = requirementsFor([broken], policy);
    expect(result.blocking).toEqual([broken]);
    expect(result.approvals).toEqual([]);
    expect(result.risk).toBe("high");
  });
});

import { describe, expect, it } from "vitest";
import { found, GATEWAY, judged, policy, route } from "./policy-fixtures.js";

describe("policies attached by name are judged as what they attach to", () => {
  const tree = { "gateway.yaml": GATEWAY, "route.yaml": route() };

  it("added with the route it targets: the route is the change, the policy one low finding (ai-gateway 68653e71)", () => {
    const findings = found({ "gateway.yaml": GATEWAY }, { ...tree, "policy.yaml": policy("passive-health-check") });
    expect(judged(findings)).toEqual(["route.added"]);
    expect(findings).toContainEqual([
      "resource.changed",
      "low",
      "BackendTrafficPolicy default/passive-health-check: added with HTTPRoute default/provider-fallback, which this PR adds: they start with these settings",
    ]);
  });

  it("added to a route that was there, or removed from one that stays, is judged", () => {
    expect(judged(found(tree, { ...tree, "policy.yaml": policy("passive-health-check") }))).toEqual(
      expect.arrayContaining(["retry-timeout.changed", "health.changed"]),
    );
    expect(judged(found({ ...tree, "policy.yaml": policy("passive-health-check") }, tree))).toContain("health.changed");
  });

  it("a route added or removed where its Gateway served requests already moves them: its policy is judged", () => {
    // A host served before (here every host, by another route) now has some requests reach the new route, or gets the removed one's back.
    const shared = { "gateway.yaml": GATEWAY, "other.yaml": route("other").replace("name: primary", "name: other") };
    const added = found(shared, { ...shared, "route.yaml": route(), "policy.yaml": policy("passive-health-check") });
    expect(judged(added)).toEqual(expect.arrayContaining(["health.changed", "retry-timeout.changed"]));
    const removed = found({ ...shared, "route.yaml": route(), "policy.yaml": policy("passive-health-check") }, shared);
    expect(judged(removed)).toEqual(expect.arrayContaining(["health.changed"]));
  });

  it("removed with the route it targets: the route's removal is the change", () => {
    const findings = found({ ...tree, "policy.yaml": policy("passive-health-check") }, { "gateway.yaml": GATEWAY });
    expect(judged(findings)).toEqual(["route.removed"]);
    expect(findings).toContainEqual([
      "resource.changed",
      "low",
      "BackendTrafficPolicy default/passive-health-check: removed with HTTPRoute default/provider-fallback, which this PR removes",
    ]);
  });

  it("a policy that also selects by label reaches what the tree cannot list: judged", () => {
    const selecting = policy("passive-health-check").replace(
      "  retry:",
      "  targetSelectors: [{group: gateway.networking.k8s.io, kind: HTTPRoute, matchLabels: {app: llm}}]\n  retry:",
    );
    expect(judged(found({ "gateway.yaml": GATEWAY }, { ...tree, "policy.yaml": selecting }))).toContain("health.changed");
  });

  it("a BackendTLSPolicy added or removed with the Backend it validates: no connection that existed is trusted otherwise", () => {
    const backend = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: mcp, namespace: default}
spec:
  endpoints: [{fqdn: {hostname: mcp.example.com, port: 443}}]
`;
    const tls = `apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: mcp-tls, namespace: default}
spec:
  targetRefs: [{group: gateway.envoyproxy.io, kind: Backend, name: mcp}]
  validation: {hostname: mcp.example.com, wellKnownCACertificates: System}
`;
    const withBackend = { "backend.yaml": backend, "tls.yaml": tls };
    expect(found({}, withBackend).filter(([, , summary]) => (summary as string).startsWith("BackendTLSPolicy"))).toEqual([
      [
        "resource.changed",
        "low",
        "BackendTLSPolicy default/mcp-tls: added with Backend default/mcp, which this PR adds: they start with these settings",
      ],
    ]);
    expect(found(withBackend, {}).filter(([, , summary]) => (summary as string).startsWith("BackendTLSPolicy"))).toEqual([
      ["resource.changed", "low", "BackendTLSPolicy default/mcp-tls: removed with Backend default/mcp, which this PR removes"],
    ]);
    // The Backend stays: connections to it lose their validation.
    expect(judged(found(withBackend, { "backend.yaml": backend }))).toContain("mtls.weakened");
  });
});

import { describe, expect, it } from "vitest";
import { found, GATEWAY, judged, policy, route } from "./policy-fixtures.js";
import { analyzeChange } from "../../src/review.js";
import { policyWith } from "../helpers/review-trees.js";
import type { RenderResult } from "../../src/render/render-result.js";

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
    // A route of the base sent to it already (it was not declared, its requests failed, or it came from elsewhere): judged.
    const routed = {
      "gateway.yaml": GATEWAY,
      "route.yaml": route().replace("{name: primary, port: 80}", "{group: gateway.envoyproxy.io, kind: Backend, name: mcp}"),
    };
    expect(judged(found(routed, { ...routed, ...withBackend }))).toContain("trust.changed");
  });

  describe("a BackendTLSPolicy added for a Service (Kong 537590971f)", () => {
    const service = `apiVersion: v1
kind: Service
metadata: {name: goecho, namespace: default}
spec:
  selector: {app: goecho}
  ports: [{name: https, port: 443, targetPort: 8443}]
`;
    const goecho = route("goecho").replace("name: primary, port: 80", "name: goecho, port: 443");
    const tls = `apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: goecho-tls, namespace: default}
spec:
  targetRefs: [{group: "", kind: Service, name: goecho}]
  validation:
    caCertificateRefs: [{group: "", kind: ConfigMap, name: goecho-ca}]
    hostname: goecho.default.svc
`;
    const policyFindings = (base: Record<string, string>, head: Record<string, string>) =>
      found(base, head).filter(([, , summary]) => (summary as string).startsWith("BackendTLSPolicy"));

    it("with the Service and the route to it, all new: the new route is the change, no connection was trusted otherwise", () => {
      const findings = found(
        { "gateway.yaml": GATEWAY },
        { "gateway.yaml": GATEWAY, "goecho.yaml": `${service}---\n${goecho}---\n${tls}` },
      );
      expect(judged(findings)).toEqual(["route.added"]);
      expect(findings).toContainEqual([
        "resource.changed",
        "low",
        "BackendTLSPolicy default/goecho-tls: added with Service default/goecho, which this PR adds: they start with these settings",
      ]);
      // Removed together with them, likewise.
      expect(
        judged(found({ "gateway.yaml": GATEWAY, "goecho.yaml": `${service}---\n${goecho}---\n${tls}` }, { "gateway.yaml": GATEWAY })),
      ).toEqual(["route.removed"]);
    });

    it("for a Service a route of the base already sent to, declared in the repository now or not: its connections are trusted otherwise", () => {
      // The Service was outside the repository (a chart's), and is written into it with the policy.
      const routed = { "gateway.yaml": GATEWAY, "route.yaml": goecho };
      expect(policyFindings(routed, { ...routed, "goecho.yaml": `${service}---\n${tls}` })).toEqual([
        [
          "trust.changed",
          "critical",
          "BackendTLSPolicy default/goecho-tls: added: connections to Service default/goecho use TLS validated against [ConfigMap default/goecho-ca] for hostname goecho.default.svc",
        ],
      ]);
      // Removed with the Service while a route still sends there: those connections lose their validation.
      expect(judged(found({ ...routed, "goecho.yaml": `${service}---\n${tls}` }, routed))).toContain("mtls.weakened");
    });

    it("for a Service the base already declared: traffic from outside the repository may reach it, judged", () => {
      const declared = { "gateway.yaml": GATEWAY, "service.yaml": service };
      expect(judged(policyFindings(declared, { ...declared, "route.yaml": goecho, "tls.yaml": tls }))).toEqual(["trust.changed"]);
    });
  });

  describe("removed beside a release that cannot be rendered, its targets in no file (rcdailey/home-ops b49e3a440a)", () => {
    // The route is one of the release's objects, or not.
    const RELEASE =
      "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: app, namespace: default}\nspec: {chart: {spec: {chart: app-template}}}\n";
    const failed = (folder: string): RenderResult => ({
      roots: [],
      base: { files: [], consumed: [] },
      head: { files: [], consumed: [] },
      failures: [
        {
          id: `helm ${folder}/release.yaml`,
          origin: `${folder}/release.yaml`,
          inputs: [`${folder}/release.yaml`],
          reason: "offline",
          gates: true,
        },
      ],
    });
    // A Gateway of the route's name would be a value at head that may make it: this one is named otherwise.
    const PUBLIC = GATEWAY.replace("name: provider-fallback", "name: public");
    const BASE = { "gateway.yaml": PUBLIC, "apps/app/release.yaml": RELEASE, "apps/app/policy.yaml": policy("passive-health-check") };
    const findingsOf = (head: Record<string, string>, rendered?: RenderResult, base: Record<string, string> = BASE) =>
      analyzeChange({
        base: Object.entries(base).map(([path, text]) => ({ path, text })),
        head: Object.entries(head).map(([path, text]) => ({ path, text })),
        policy: policyWith(),
        ...(rendered ? { rendered } : {}),
      }).findings;
    const summaries = (head: Record<string, string>, rendered?: RenderResult) =>
      findingsOf(head, rendered).flatMap(({ class: found, summary }) => (found === "health.changed" ? [summary] : []));
    const NOTE =
      " (HTTPRoute default/provider-fallback is in no file the review reads: a release beside this policy that cannot be rendered may make it, " +
      "and whether it stays after this PR is unknown)";

    it("deleted with that release, nothing at head naming its target: one low finding, the release's removal its own (auricom/home-ops 813a255f2f)", () => {
      const findings = findingsOf({ "gateway.yaml": PUBLIC }, failed("apps/app"));
      expect(
        findings
          .filter(({ summary }) => summary.startsWith("BackendTrafficPolicy"))
          .map(({ class: found, risk, summary }) => [found, risk, summary]),
      ).toEqual([
        [
          "resource.changed",
          "low",
          "BackendTrafficPolicy default/passive-health-check: removed with helm apps/app/release.yaml, which this PR removes and which may have made HTTPRoute default/provider-fallback: no file the review reads holds it, and nothing at head names it",
        ],
      ]);
    });

    it("deleted alone, the release kept: judged, the target perhaps the release's and whether it stays unknown", () => {
      const said = summaries({ "gateway.yaml": PUBLIC, "apps/app/release.yaml": RELEASE }, failed("apps/app"));
      expect(said.length).toBeGreaterThan(0);
      for (const summary of said) expect(summary.endsWith(NOTE)).toBe(true);
    });

    it("the release gone, but something at head may make the target (its name, or a name it is made from, as a value): judged", () => {
      for (const elsewhere of [
        RELEASE.replace("name: app,", "name: provider,"),
        "fullnameOverride: provider-fallback\n",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ./apps/other\n  postBuild: {substitute: {APP: provider-fallback}}\n",
      ]) {
        const said = summaries({ "gateway.yaml": PUBLIC, "apps/other/release.yaml": elsewhere }, failed("apps/app"));
        expect(said.length).toBeGreaterThan(0);
        for (const summary of said) expect(summary.endsWith(NOTE)).toBe(true);
      }
    });

    it("a Service a route at head still sends to, by its host: its connections lose their validation, judged", () => {
      const tls = `apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: primary-tls, namespace: default}
spec:
  targetRefs: [{group: "", kind: Service, name: primary}]
  validation: {hostname: primary.example.com, wellKnownCACertificates: System}
`;
      const mesh = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: default}
spec:
  hosts: [shop.example.com]
  http: [{route: [{destination: {host: primary.default.svc.cluster.local}}]}]
`;
      const base = { "gateway.yaml": PUBLIC, "vs.yaml": mesh, "apps/app/release.yaml": RELEASE, "apps/app/tls.yaml": tls };
      const classes = (head: Record<string, string>) =>
        findingsOf(head, failed("apps/app"), base).map(({ class: found, risk }) => `${found} ${risk}`);
      expect(classes({ "gateway.yaml": PUBLIC, "vs.yaml": mesh })).toContain("mtls.weakened critical");
      // The route removed too: the policy goes with the release, the route's removal is judged.
      expect(classes({ "gateway.yaml": PUBLIC })).not.toContain("mtls.weakened critical");
    });

    it("say nothing of it where every root rendered, or the one that failed is another folder's", () => {
      for (const rendered of [undefined, failed("apps/other")]) {
        const said = summaries({ "gateway.yaml": PUBLIC }, rendered);
        expect(said.length).toBeGreaterThan(0);
        for (const summary of said) expect(summary).not.toContain("no file the review reads");
      }
    });
  });
});

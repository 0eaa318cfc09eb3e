import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { analyze } from "../helpers/review-trees.js";

/** Precision on shapes met replaying real histories (fixtures: test/fixtures/asm/README.md). */

const fixture = (name: string): string => readFileSync(resolve(import.meta.dirname, "../fixtures/asm", name), "utf8");

const DR = fixture("destination-rule-accounts-db.yaml");
const STRICT = fixture("peer-authentication-strict.yaml");
const MESH_PERMISSIVE = fixture("peer-authentication-mesh-permissive.yaml");
const SIDECARS = fixture("sidecars.yaml");

type Findings = ReturnType<typeof analyze>["findings"];
const gating = (findings: Findings) => findings.filter((f) => f.risk !== "none" && f.risk !== "low").map((f) => `${f.class} ${f.summary}`);
const ofClass = (findings: Findings, cls: string) => findings.filter((f) => f.class === cls);

describe("DestinationRule judged by the host it governs", () => {
  const renamed = DR.replace("name: accounts-db-destination", "name: accounts-db");

  it("a rename with the same host and TLS is no security change", () => {
    expect(gating(analyze({ "dr.yaml": DR }, { "dr.yaml": renamed }).findings)).toEqual([]);
  });

  it("a move to another file beside a twin for the same host is no security change", () => {
    const result = analyze({ "rules/a.yaml": DR, "rules/b.yaml": DR }, { "rules/b.yaml": DR });
    expect(ofClass(result.findings, "mtls.weakened")).toEqual([]);
    expect(ofClass(result.findings, "trust.changed")).toEqual([]);
  });

  it("a twin in another folder placement says nothing of may be another cluster's: removing the rule still weakens mTLS", () => {
    const result = analyze({ "a/dr.yaml": DR, "b/dr.yaml": DR }, { "b/dr.yaml": DR });
    expect(ofClass(result.findings, "mtls.weakened")).toHaveLength(1);
  });

  it("a rename that also drops TLS is one mtls.weakened, from the new rule", () => {
    const result = analyze({ "dr.yaml": DR }, { "dr.yaml": renamed.replace("mode: ISTIO_MUTUAL", "mode: DISABLE") });
    expect(ofClass(result.findings, "mtls.weakened").map((f) => f.summary)).toEqual([
      "DestinationRule default/accounts-db: trafficPolicy tls.mode ISTIO_MUTUAL → DISABLE: upstream traffic is sent in plaintext",
    ]);
  });

  it("removing the only rule for the host still weakens mTLS", () => {
    const result = analyze({ "dr.yaml": DR }, {});
    expect(ofClass(result.findings, "mtls.weakened")).toHaveLength(1);
  });

  it("removing a rule beside a twin without TLS falls back to auto mTLS: weakened", () => {
    const plain = DR.replace(/ {2}trafficPolicy:\n {4}tls:\n {6}mode: ISTIO_MUTUAL\n/, "");
    const result = analyze({ "a/dr.yaml": DR, "b/dr.yaml": plain }, { "b/dr.yaml": plain });
    expect(ofClass(result.findings, "mtls.weakened").map((f) => f.summary)).toEqual([
      expect.stringContaining("tls.mode ISTIO_MUTUAL → (auto mTLS)"),
    ]);
  });
});

describe("PeerAuthentication judged by what it selects", () => {
  // anthos-service-mesh-samples 89e0a44562 moved the namespace's STRICT policy to another folder.
  const others = { "lab/peerauthentication-mtls-strict.yaml": STRICT, "security/peerauthentication.yaml": MESH_PERMISSIVE };

  it("a move with the same selector and mode is no weakening", () => {
    const result = analyze(
      { ...others, "docs/asm-installation/peerauthentication.yaml": STRICT },
      { ...others, "docs/istio-system/peerauthentication.yaml": STRICT },
    );
    expect(gating(result.findings)).toEqual([]);
  });

  it("removed while a same-selector policy of its folder keeps STRICT is no weakening", () => {
    const result = analyze({ ...others, "lab/peerauthentication.yaml": STRICT }, others);
    expect(ofClass(result.findings, "mtls.weakened")).toEqual([]);
  });

  it("removed while only another folder's policies keep STRICT is a weakening: that folder may be another cluster (anthos-service-mesh-samples 696e89a834)", () => {
    const result = analyze({ ...others, "docs/peerauthentication.yaml": STRICT }, others);
    expect(ofClass(result.findings, "mtls.weakened").map((f) => f.risk)).toEqual(["critical"]);
  });

  it("removed while the same-selector policy that stays is PERMISSIVE is one weakening", () => {
    const permissive = STRICT.replace("STRICT", "PERMISSIVE");
    const result = analyze(
      { "a.yaml": STRICT, "b.yaml": permissive, "mesh.yaml": MESH_PERMISSIVE },
      { "b.yaml": permissive, "mesh.yaml": MESH_PERMISSIVE },
    );
    expect(ofClass(result.findings, "mtls.weakened").map((f) => f.summary)).toEqual([
      // Versions the base wrote differently are alternatives, each its own object: the one that stays is what is left.
      "PeerAuthentication default/default: removed (was STRICT, namespace-wide in default): its workloads keep PeerAuthentication default/default with PERMISSIVE, so plaintext is accepted",
    ]);
  });

  it("removed with nothing selecting the same left inherits the mesh's PERMISSIVE", () => {
    const result = analyze({ "a.yaml": STRICT, "mesh.yaml": MESH_PERMISSIVE }, { "mesh.yaml": MESH_PERMISSIVE });
    expect(ofClass(result.findings, "mtls.weakened").map((f) => f.summary)).toEqual([
      expect.stringContaining("inherit PERMISSIVE from mesh policy default"),
    ]);
  });
});

describe("Sidecar judged by the workloads it selects", () => {
  it("the first Sidecars of a namespace restrict egress: an availability finding each, not access.widened", () => {
    const result = analyze({}, { "sidecars.yaml": SIDECARS });
    expect(ofClass(result.findings, "access.widened")).toEqual([]);
    expect(result.findings.filter((f) => f.summary.includes("egress restricted")).map((f) => `${f.class} ${f.risk} ${f.summary}`)).toEqual([
      "resource.changed medium-high Sidecar bank-of-anthos/accounts-db: first Sidecar for workloads matching app=accounts-db in bank-of-anthos: egress restricted to istio-system/*: calls to services not listed fail",
      "resource.changed medium-high Sidecar bank-of-anthos/balancereader: first Sidecar for workloads matching app=balancereader in bank-of-anthos: egress restricted to ./ledger-db.bank-of-anthos.svc.cluster.local, istio-system/*: calls to services not listed fail",
    ]);
  });

  it("renamed with the same selector and egress is no change", () => {
    const renamed = SIDECARS.replace("name: accounts-db\n", "name: accounts-db-egress\n");
    expect(gating(analyze({ "sidecars.yaml": SIDECARS }, { "sidecars.yaml": renamed }).findings)).toEqual([]);
  });

  it("a selector moved: the workloads it left see the whole mesh (access.widened), the ones it now selects are restricted", () => {
    const moved = SIDECARS.replace("      app: balancereader\n", "      app: balancereader-v2\n");
    const result = analyze({ "sidecars.yaml": SIDECARS }, { "sidecars.yaml": moved });
    expect(result.findings.map((f) => `${f.class} ${f.risk} ${f.summary}`)).toEqual([
      "access.widened high Sidecar bank-of-anthos/balancereader: for workloads matching app=balancereader in bank-of-anthos, which it no longer selects: egress hosts gain */*: workloads can reach every service of the mesh",
      "resource.changed medium-high Sidecar bank-of-anthos/balancereader: first Sidecar for workloads matching app=balancereader-v2 in bank-of-anthos: egress restricted to ./ledger-db.bank-of-anthos.svc.cluster.local, istio-system/*: calls to services not listed fail",
    ]);
  });

  it("removed with no other Sidecar for its workloads opens egress to the whole mesh", () => {
    const [first] = SIDECARS.split("---\n");
    const result = analyze({ "sidecars.yaml": SIDECARS }, { "sidecars.yaml": SIDECARS.replace(`${first}---\n`, "") });
    expect(ofClass(result.findings, "access.widened").map((f) => f.summary)).toEqual([
      expect.stringContaining("Sidecar bank-of-anthos/accounts-db: egress hosts gain */*"),
    ]);
  });
});

describe("one finding per change", () => {
  const vs = (weights: [number, number]) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com, www.shop.example.com]
  gateways: [infra/public, infra/internal]
  http:
  - route:
    - {destination: {host: checkout-jkt}, weight: ${weights[0]}}
    - {destination: {host: checkout-sgp}, weight: ${weights[1]}}
`;

  it("a block added whole is not listed again for the entry a finding explains; its other entries still are", () => {
    const pa = (extra: string) =>
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: db, namespace: shop}\nspec:\n  selector: {matchLabels: {app: db}}\n  mtls: {mode: STRICT}\n${extra}`;
    const one = analyze({ "pa.yaml": pa("") }, { "pa.yaml": pa("  portLevelMtls: {'5432': {mode: DISABLE}}\n") });
    expect(one.findings.map((f) => `${f.class} ${f.risk}`)).toEqual(["mtls.weakened critical"]);
    const two = analyze({ "pa.yaml": pa("") }, { "pa.yaml": pa("  portLevelMtls: {'5432': {mode: DISABLE}, '8080': {mode: STRICT}}\n") });
    expect(two.findings.map((f) => `${f.class} ${f.risk}`)).toEqual(["mtls.weakened critical", "resource.changed low"]);
    expect(two.findings[1]!.summary).toContain("spec.portLevelMtls.8080 added");
  });

  it("a rule on two hosts and two gateways gives one weight finding naming all four flows", () => {
    const result = analyze(
      { "vs.yaml": vs([90, 10]) },
      { "vs.yaml": vs([50, 50]) },
      `topology:\n  backendRegions: ["-(?<region>jkt|sgp)$"]\n`,
    );
    const weights = ofClass(result.findings, "backend.weight-changed");
    expect(weights.map((f) => f.summary)).toEqual([
      "shop.example.com, www.shop.example.com via Gateway infra/internal, Gateway infra/public: checkout-jkt 90% → 50%, checkout-sgp 10% → 50%",
    ]);
    expect(weights[0]?.regions).toEqual(["jkt", "sgp"]);
    expect(result.routeDiffs).toHaveLength(4);
  });

  it("an added rule on four flows is one route.added, and many flows are cut short", () => {
    const hosts = Array.from({ length: 6 }, (_, i) => `h${i}.example.com`);
    const result = analyze({}, { "vs.yaml": vs([90, 10]).replace("[shop.example.com, www.shop.example.com]", `[${hosts.join(", ")}]`) });
    expect(ofClass(result.findings, "route.added").map((f) => f.summary)).toEqual([
      "h0.example.com, h1.example.com, h2.example.com, h3.example.com and 2 more via Gateway infra/internal, Gateway infra/public: new rule → checkout-jkt 90%, checkout-sgp 10%",
    ]);
  });

  it("two rules changed the same way keep distinct fingerprints", () => {
    const twoRules = (weights: [number, number]) =>
      vs(weights).replace(
        "  http:\n",
        `  http:\n  - match: [{uri: {prefix: /api}}]\n    route:\n    - {destination: {host: checkout-jkt}, weight: ${weights[0]}}\n    - {destination: {host: checkout-sgp}, weight: ${weights[1]}}\n`,
      );
    const weights = ofClass(
      analyze({ "vs.yaml": twoRules([90, 10]) }, { "vs.yaml": twoRules([50, 50]) }).findings,
      "backend.weight-changed",
    );
    expect(weights).toHaveLength(2);
    expect(new Set(weights.map((f) => f.fingerprint)).size).toBe(2);
  });
});

describe("a route with no parentRefs (Gateway API traffic-splitting guide)", () => {
  const split = (weights: [number, number]) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: foo-route
spec:
  hostnames:
  - foo.example.com
  rules:
  - backendRefs:
    - name: foo-v1
      port: 8080
      weight: ${weights[0]}
    - name: foo-v2
      port: 8080
      weight: ${weights[1]}
`;

  it("90/10 → 0/0 leaves no backend: critical, and says the entry is unknown", () => {
    const result = analyze({ "route.yaml": split([90, 10]) }, { "route.yaml": split([0, 0]) });
    expect(result.findings.map((f) => `${f.class} ${f.risk} ${f.summary}`)).toEqual([
      "backend.all-removed critical foo.example.com via (entry unknown: no parentRefs): no backend receives traffic any more (foo-v1:8080 90% → 0%, foo-v2:8080 10% → 0%): requests fail",
    ]);
  });

  it("90/10 → 50/50 is a weight change", () => {
    const result = analyze({ "route.yaml": split([90, 10]) }, { "route.yaml": split([50, 50]) });
    expect(result.findings.map((f) => f.class)).toEqual(["backend.weight-changed"]);
  });

  it("gaining its first parentRefs is an attachment, not a removed route", () => {
    const attached = split([90, 10]).replace("spec:\n", "spec:\n  parentRefs: [{name: public}]\n");
    const result = analyze({ "route.yaml": split([90, 10]) }, { "route.yaml": attached });
    expect(result.findings.map((f) => `${f.class} ${f.summary}`)).toEqual([
      "route.attachment-changed HTTPRoute default/foo-route: attached to Gateway default/public",
    ]);
  });
});

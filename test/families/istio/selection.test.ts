import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

/**
 * A policy removed is judged against the policies left that select the same workloads, or that it
 * inherits from, only where those are put with it: the same clusters, or where placement does not
 * say, one folder (core/shared-place.ts). gke-1/ and gke-2/ may be two clusters
 * (anthos-service-mesh-samples' layout): gke-2's copy does not hold gke-1's workloads.
 */

const peerAuthentication = (namespace: string, mode = "STRICT") =>
  `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: ${namespace}}\nspec:\n  mtls: {mode: ${mode}}\n`;
const STRICT = peerAuthentication("payments");
const MESH_STRICT = peerAuthentication("istio-system");
const DESTINATION_RULE = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ledger, namespace: payments}
spec:
  host: ledger.payments.svc.cluster.local
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
`;
const sidecar = (namespace: string, name = "default") =>
  `apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n`;

/** Both folders' clusters by the policy's placement patterns: `{cluster}/**`. */
const TWO_CLUSTERS = `topology: { placements: ["{cluster}/**"], clusters: { gke-1: us-west1, gke-2: us-east1 } }\n`;
const ONE_CLUSTER = `topology: { placements: ["clusters/{cluster}/**"], clusters: { prod: us-west1 } }\n`;

/** An Argo CD Application delivering the folder of its name to `cluster`. */
const application = (folder: string, cluster: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${folder}, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://github.com/example/mesh.git, path: ${folder}}
  destination: {name: ${cluster}, namespace: payments}
`;

/** The mtls.weakened findings of a change, with their risks. */
const weakened = (base: Record<string, string>, head: Record<string, string>, overlay = "") =>
  analyze(base, head, overlay)
    .findings.filter((finding) => finding.class === "mtls.weakened")
    .map((finding) => finding.risk);

describe("a policy removed beside a copy in another folder (anthos-service-mesh-samples probe, sc7)", () => {
  it("a STRICT PeerAuthentication removed from gke-1/ while gke-2/ keeps its copy weakens gke-1's workloads, as when alone", () => {
    const both = { "gke-1/pa.yaml": STRICT, "gke-2/pa.yaml": STRICT };
    expect(weakened(both, { "gke-2/pa.yaml": STRICT })).toEqual(["critical"]);
    expect(weakened({ "gke-1/pa.yaml": STRICT }, {})).toEqual(["critical"]);
    // The patterns say the two folders are two clusters: the same.
    expect(weakened(both, { "gke-2/pa.yaml": STRICT }, TWO_CLUSTERS)).toEqual(["critical"]);
  });

  it("a mesh-wide STRICT policy in another folder does not hold it (sc7m)", () => {
    expect(weakened({ "gke-1/pa.yaml": STRICT, "gke-2/mesh.yaml": MESH_STRICT }, { "gke-2/mesh.yaml": MESH_STRICT })).toEqual(["critical"]);
  });

  it("a DestinationRule dropping ISTIO_MUTUAL in gke-1/ while gke-2/ keeps its copy weakens mTLS (sc7d)", () => {
    const plain = DESTINATION_RULE.replace("    tls: {mode: ISTIO_MUTUAL}\n", "    connectionPool: {tcp: {maxConnections: 10}}\n");
    const base = { "gke-1/dr.yaml": DESTINATION_RULE, "gke-2/dr.yaml": DESTINATION_RULE };
    expect(weakened(base, { "gke-1/dr.yaml": plain, "gke-2/dr.yaml": DESTINATION_RULE })).toContain("critical");
    // A renamed copy in another folder is no successor either: removed, ISTIO_MUTUAL is gone from gke-1.
    expect(weakened(base, { "gke-2/dr.yaml": DESTINATION_RULE })).toContain("critical");
  });

  it("a Sidecar removed from gke-1/ is not replaced by gke-2's root-namespace one", () => {
    const widened = (base: Record<string, string>, head: Record<string, string>) =>
      analyze(base, head).findings.filter((finding) => finding.class === "access.widened").length;
    const mesh = sidecar("istio-system");
    expect(widened({ "gke-1/sidecar.yaml": sidecar("payments"), "gke-2/mesh.yaml": mesh }, { "gke-2/mesh.yaml": mesh })).toBe(1);
    // The root namespace's one in its own folder still holds it.
    expect(widened({ "mesh/sidecar.yaml": sidecar("payments"), "mesh/root.yaml": mesh }, { "mesh/root.yaml": mesh })).toBe(0);
  });
});

describe("an AuthorizationPolicy removed beside another folder's (anthos-service-mesh-samples 696e89a834)", () => {
  const denyAll = (name: string) =>
    `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}, namespace: payments}\nspec: {}\n`;
  const widened = (base: Record<string, string>, head: Record<string, string>) =>
    analyze(base, head)
      .findings.filter((finding) => finding.class === "access.widened")
      .map((finding) => finding.risk);

  it("another folder's deny-all does not keep gke-1's workloads denied", () => {
    const kept = { "gke-2/deny.yaml": denyAll("deny-everything") };
    expect(widened({ "gke-1/deny.yaml": denyAll("deny-all"), ...kept }, kept)).toEqual(["high"]);
  });

  it("one of its own folder does", () => {
    const kept = { "gke-1/deny-everything.yaml": denyAll("deny-everything") };
    expect(widened({ "gke-1/deny.yaml": denyAll("deny-all"), ...kept }, kept)).toEqual([]);
  });
});

describe("a policy removed beside one put with it stays quiet", () => {
  it("an identical copy that stays in the same folder", () => {
    expect(
      weakened(
        { "gke-1/pa.yaml": STRICT, "gke-1/pa-renamed.yaml": STRICT.replace("name: default", "name: strict") },
        {
          "gke-1/pa-renamed.yaml": STRICT.replace("name: default", "name: strict"),
        },
      ),
    ).toEqual([]);
  });

  it("a copy that stays in another folder of the same cluster, by the policy's patterns or by GitOps", () => {
    const both = { "clusters/prod/a/pa.yaml": STRICT, "clusters/prod/b/pa.yaml": STRICT };
    expect(weakened(both, { "clusters/prod/b/pa.yaml": STRICT }, ONE_CLUSTER)).toEqual([]);
    const delivered = { "argocd/a.yaml": application("a", "prod"), "argocd/b.yaml": application("b", "prod") };
    expect(weakened({ ...delivered, "a/pa.yaml": STRICT, "b/pa.yaml": STRICT }, { ...delivered, "b/pa.yaml": STRICT })).toEqual([]);
    // Delivered to two clusters: the dangerous neighbour.
    const apart = { "argocd/a.yaml": application("a", "prod"), "argocd/b.yaml": application("b", "staging") };
    expect(weakened({ ...apart, "a/pa.yaml": STRICT, "b/pa.yaml": STRICT }, { ...apart, "b/pa.yaml": STRICT })).toEqual(["critical"]);
  });

  it("a mesh-wide STRICT policy in istio-system placed on the same cluster", () => {
    const base = { "clusters/prod/payments/pa.yaml": STRICT, "clusters/prod/istio-system/mesh.yaml": MESH_STRICT };
    expect(weakened(base, { "clusters/prod/istio-system/mesh.yaml": MESH_STRICT }, ONE_CLUSTER)).toEqual([]);
    const delivered = { "argocd/payments.yaml": application("payments", "prod"), "argocd/mesh.yaml": application("mesh", "prod") };
    expect(
      weakened(
        { ...delivered, "payments/pa.yaml": STRICT, "mesh/mesh.yaml": MESH_STRICT },
        { ...delivered, "mesh/mesh.yaml": MESH_STRICT },
      ),
    ).toEqual([]);
  });

  it("a repository of one folder", () => {
    expect(weakened({ "pa.yaml": STRICT, "mesh.yaml": MESH_STRICT }, { "mesh.yaml": MESH_STRICT })).toEqual([]);
    const renamed = DESTINATION_RULE.replace("name: ledger", "name: ledger-mtls");
    expect(weakened({ "dr.yaml": DESTINATION_RULE, "dr-mtls.yaml": renamed }, { "dr-mtls.yaml": renamed })).toEqual([]);
  });
});

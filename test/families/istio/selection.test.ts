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

/**
 * Where placement does not say, another folder may be another cluster's, and as well the same
 * cluster's: a policy there that may apply counts where it makes a change worse (probe I S2: a
 * PERMISSIVE PeerAuthentication moved into shop by its kustomization's `namespace:` passed as two low
 * resource.changed, while the same move in one folder was critical).
 */
describe("a policy in another folder that may apply counts against a change it makes worse", () => {
  const workloadPolicy = (mode: string, namespace?: string) =>
    `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: reviews${namespace ? `, namespace: ${namespace}` : ""}}\nspec:\n  selector: {matchLabels: {app: reviews}}\n  mtls: {mode: ${mode}}\n`;
  const kustomization = (namespace: string, file: string) => `namespace: ${namespace}\nresources: [${file}]\n`;
  /** The kustomization of app/ moving `file` from legacy to shop, `mesh` beside it at the top. */
  const movedByKustomize = (file: string, text: string, mesh: Record<string, string>) =>
    [
      { ...mesh, "app/kustomization.yaml": kustomization("legacy", file), [`app/${file}`]: text },
      { ...mesh, "app/kustomization.yaml": kustomization("shop", file), [`app/${file}`]: text },
    ] as const;

  it("a PERMISSIVE workload policy moved into shop by kustomize, under a mesh-wide STRICT: weakened, as moved in the manifest", () => {
    const [base, head] = movedByKustomize("pa.yaml", workloadPolicy("PERMISSIVE"), { "mesh.yaml": MESH_STRICT });
    const findings = analyze(base, head).findings.filter((finding) => finding.class === "mtls.weakened");
    expect(findings.map((finding) => [finding.resource?.namespace, finding.risk])).toEqual([["shop", "critical"]]);
    expect(findings[0]!.summary).toContain("its workloads had STRICT from mesh policy default, so plaintext is accepted");
    const direct = analyze(
      { "mesh.yaml": MESH_STRICT, "pa.yaml": workloadPolicy("PERMISSIVE", "legacy") },
      { "mesh.yaml": MESH_STRICT, "pa.yaml": workloadPolicy("PERMISSIVE", "shop") },
    );
    expect(direct.findings.filter((finding) => finding.class === "mtls.weakened").map((finding) => finding.risk)).toEqual(["critical"]);
  });

  it("a PERMISSIVE workload policy added in apps/shop/ under istio-system/'s mesh-wide STRICT", () => {
    const mesh = { "istio-system/mesh.yaml": MESH_STRICT };
    expect(weakened(mesh, { ...mesh, "apps/shop/pa.yaml": workloadPolicy("PERMISSIVE", "shop") })).toEqual(["critical"]);
    // The namespace's PERMISSIVE policy put with it decides before the mesh's: nothing is weakened.
    const namespaced = { ...mesh, "apps/shop/ns.yaml": peerAuthentication("shop", "PERMISSIVE") };
    expect(weakened(namespaced, { ...namespaced, "apps/shop/pa.yaml": workloadPolicy("PERMISSIVE", "shop") })).toEqual([]);
    // One that only may apply (another folder) may not: the mesh's STRICT may be what they had.
    const elsewhere = { ...mesh, "shop/ns.yaml": peerAuthentication("shop", "PERMISSIVE") };
    expect(weakened(elsewhere, { ...elsewhere, "apps/shop/pa.yaml": workloadPolicy("PERMISSIVE", "shop") })).toEqual(["critical"]);
  });

  it("not where placement puts the mesh policy on another cluster", () => {
    const mesh = { "gke-2/mesh.yaml": MESH_STRICT };
    expect(weakened(mesh, { ...mesh, "gke-1/pa.yaml": workloadPolicy("PERMISSIVE", "shop") }, TWO_CLUSTERS)).toEqual([]);
    // The same cluster: weakened.
    const prod = { "clusters/prod/istio-system/mesh.yaml": MESH_STRICT };
    expect(weakened(prod, { ...prod, "clusters/prod/shop/pa.yaml": workloadPolicy("PERMISSIVE", "shop") }, ONE_CLUSTER)).toEqual([
      "critical",
    ]);
  });

  it("a STRICT workload policy moved by kustomize where the mesh is STRICT on the same cluster stays quiet", () => {
    const [base, head] = movedByKustomize("pa.yaml", workloadPolicy("STRICT"), { "mesh.yaml": MESH_STRICT });
    const inCluster = (tree: Record<string, string>) =>
      Object.fromEntries(Object.entries(tree).map(([path, text]) => [`clusters/prod/${path}`, text]));
    const quiet = analyze(inCluster(base), inCluster(head), ONE_CLUSTER).findings;
    expect(quiet.filter((finding) => finding.risk !== "low")).toEqual([]);
    // Its neighbour moved PERMISSIVE is weakened there too.
    const [permissiveBase, permissiveHead] = movedByKustomize("pa.yaml", workloadPolicy("PERMISSIVE"), { "mesh.yaml": MESH_STRICT });
    expect(weakened(inCluster(permissiveBase), inCluster(permissiveHead), ONE_CLUSTER)).toEqual(["critical"]);
  });

  it("a STRICT policy removed is still not held by another folder's mesh-wide STRICT (sc7m): only what makes a change worse counts", () => {
    const mesh = { "istio-system/mesh.yaml": MESH_STRICT };
    expect(weakened({ ...mesh, "apps/shop/pa.yaml": workloadPolicy("STRICT", "shop") }, mesh)).toEqual(["critical"]);
  });

  it("another folder's version of the mesh policy put with it is not what its workloads fall back to (anthos-service-mesh-samples 57e68f26e3)", () => {
    const lab = { "lab/mesh.yaml": MESH_STRICT };
    const docs = { "docs/mesh.yaml": peerAuthentication("istio-system", "PERMISSIVE") };
    expect(weakened({ ...lab, ...docs, "lab/ns.yaml": STRICT }, { ...lab, ...docs })).toEqual([]);
    // Another mesh-wide policy, not a version of the lab's, may be the older one istiod applies there.
    const other = { "docs/mesh.yaml": peerAuthentication("istio-system", "PERMISSIVE").replace("name: default", "name: permissive") };
    expect(weakened({ ...lab, ...other, "lab/ns.yaml": STRICT }, { ...lab, ...other })).toEqual(["critical"]);
  });

  const allowPolicy = (name: string, namespace: string | undefined, body: string) =>
    `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ""}}\nspec:\n  action: ALLOW\n${body}`;
  const SHOP_ALLOW = allowPolicy("allow-frontend", "shop", "  rules:\n  - from: [{source: {namespaces: [frontend]}}]\n");
  const OPEN = "  selector: {matchLabels: {app: reviews}}\n  rules:\n  - from: [{source: {principals: ['*']}}]\n";
  const shopFindings = (result: ReturnType<typeof analyze>) =>
    result.findings.filter((finding) => finding.resource?.namespace === "shop").map((finding) => [finding.class, finding.risk]);

  it("an ALLOW policy moved into shop by kustomize beside shop's own widens its allow-list, as moved in the manifest", () => {
    const [base, head] = movedByKustomize("ap.yaml", allowPolicy("reviews-open", undefined, OPEN), { "shop/allow.yaml": SHOP_ALLOW });
    expect(shopFindings(analyze(base, head))).toContainEqual(["access.widened", "high"]);
    const direct = analyze(
      { "shop/allow.yaml": SHOP_ALLOW, "app/ap.yaml": allowPolicy("reviews-open", "legacy", OPEN) },
      { "shop/allow.yaml": SHOP_ALLOW, "app/ap.yaml": allowPolicy("reviews-open", "shop", OPEN) },
    );
    expect(shopFindings(direct)).toContainEqual(["access.widened", "high"]);
  });

  it("another folder's ALLOW policy still covers nothing: removing one's own is judged as if none remained", () => {
    const own = allowPolicy(
      "reviews",
      "shop",
      "  selector: {matchLabels: {app: reviews}}\n  rules:\n  - from: [{source: {namespaces: [shop]}}]\n",
    );
    const kept = { "shop/allow.yaml": SHOP_ALLOW };
    const result = analyze({ ...kept, "apps/shop/ap.yaml": own }, kept);
    expect(result.findings.filter((finding) => finding.class === "access.widened").map((finding) => finding.risk)).toEqual(["high"]);
  });

  it("a Sidecar opening every service, added in apps/shop/ under the root namespace's REGISTRY_ONLY one in istio-system/", () => {
    const root = {
      "istio-system/sidecar.yaml": sidecar("istio-system").replace(
        "REGISTRY_ONLY}\n",
        "REGISTRY_ONLY}\n  egress: [{hosts: ['./*', 'istio-system/*']}]\n",
      ),
    };
    const open = `apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: open, namespace: shop}\nspec:\n  egress: [{hosts: ['*/*']}]\n`;
    const widened = analyze(root, { ...root, "apps/shop/sidecar.yaml": open }).findings.filter(
      (finding) => finding.class === "access.widened",
    );
    expect(widened.map((finding) => finding.summary)).toEqual([
      "Sidecar shop/open: outboundTrafficPolicy.mode REGISTRY_ONLY → (unset): egress falls back to the mesh default (ALLOW_ANY unless meshConfig says REGISTRY_ONLY)",
      "Sidecar shop/open: egress hosts gain */*: workloads can reach every service of the mesh",
    ]);
    // Placed on another cluster, the root one held nothing there: a first Sidecar opening everything changes nothing.
    const apart = { "gke-2/sidecar.yaml": root["istio-system/sidecar.yaml"] };
    expect(
      analyze(apart, { ...apart, "gke-1/sidecar.yaml": open }, TWO_CLUSTERS).findings.filter(
        (finding) => finding.class === "access.widened",
      ),
    ).toEqual([]);
  });

  it("a RequestAuthentication trusting a new issuer in apps/shop/, where the mesh's in istio-system/ validates tokens: a new trust anchor", () => {
    const authn = (name: string, namespace: string, issuer: string, selector = "") =>
      `apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n${selector}  jwtRules: [{issuer: '${issuer}', jwksUri: 'https://${issuer}/jwks'}]\n`;
    const mesh = { "istio-system/authn.yaml": authn("mesh", "istio-system", "idp.example.com") };
    const added = analyze(mesh, {
      ...mesh,
      "apps/shop/authn.yaml": authn("reviews", "shop", "other.example.net", "  selector: {matchLabels: {app: reviews}}\n"),
    }).findings.filter((finding) => finding.resource?.name === "reviews");
    expect(added.map((finding) => finding.class)).toEqual(["trust.changed"]);
    expect(added[0]!.summary).toContain(
      "tokens issued by other.example.net (keys: https://other.example.net/jwks) now authenticate requests",
    );
  });
});

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { alignResourceKeys } from "../../src/diff/resource-pairing.js";
import { loadManifests } from "../../src/manifests/load-manifests.js";
import { analyze, classesOf } from "../helpers/review-trees.js";
import { httpRoute } from "../helpers/http-route-yaml.js";

const real = (path: string) => readFileSync(resolve(import.meta.dirname, "../fixtures/real", path), "utf8");
const STRICT = real("asm-samples/peerauthentication-strict.yaml");

/** checkout split between two backends: the route every environment folder defines. */
const split = ([a, b]: readonly [number, number]) =>
  httpRoute(`    - backendRefs:
        - { name: checkout-v1, port: 8080, weight: ${a} }
        - { name: checkout-v2, port: 8080, weight: ${b} }
`);

describe("one identity defined in several files (issue 9, family 1)", () => {
  it("a copy of a STRICT PeerAuthentication into a new folder weakens nothing where the original stays (anthos-service-mesh-samples 748c4a3)", () => {
    const original = "docs/asm-installation-manifests/with-strict-mtls/peerauthentication.yaml";
    const copy = "demos/asm-mcp-multi-clusters/terraform/lab_materials/istio-system/peerauthentication-mtls-strict.yaml";
    const result = analyze({ [original]: STRICT }, { [original]: STRICT, [copy]: STRICT });
    expect(result.findings.filter((finding) => finding.file === original)).toEqual([]);
    expect(classesOf(result)).not.toContain("mtls.weakened");
  });

  it("per-environment folders moved together pair by content: no change", () => {
    const dev = split([90, 10]);
    const prod = split([100, 0]);
    const result = analyze(
      { "env/dev/route.yaml": dev, "env/prod/route.yaml": prod },
      { "clusters/dev/route.yaml": dev, "clusters/prod/route.yaml": prod },
    );
    expect(result.findings).toEqual([]);
    expect(result.routeDiffs).toEqual([]);
  });

  it("a move that also edits pairs with the most similar definition, so only the edit is reported", () => {
    const dev = split([90, 10]);
    const prod = split([100, 0]);
    const prodEdited = split([50, 50]);
    const result = analyze({ "a/dev.yaml": dev, "a/prod.yaml": prod }, { "b/dev.yaml": dev, "b/prod.yaml": prodEdited });
    const files = new Set(result.findings.map((finding) => finding.file));
    expect([...files]).toEqual(["b/prod.yaml"]);
    expect(classesOf(result)).not.toContain("route.added");
    expect(classesOf(result)).not.toContain("route.removed");
  });

  it("a second definition added beside the first is a new resource, the first stays paired", () => {
    const route = split([90, 10]);
    const result = analyze({ "staging/route.yaml": route }, { "staging/route.yaml": route, "production/route.yaml": route });
    expect(result.findings.every((finding) => finding.file === "production/route.yaml")).toBe(true);
  });
});

describe("definitions a file tells apart, moved to another folder and namespace (aks-multi-cluster-service-mesh c3ef333769)", () => {
  const GATEWAY = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: ingress, namespace: istio-ingress }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }]
`;
  /** VirtualService echoserver for one host: two files write it, each its own alternative. */
  const variant = (host: string, namespace: string | undefined, weights = "") => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: echoserver${namespace ? `\n  namespace: ${namespace}` : ""}
spec:
  hosts: [${host}]
  gateways: [istio-ingress/ingress]
  http:
  - route:
    - destination: { host: echoserver.echoserver.svc.cluster.local }${weights}
`;
  const tree = (folder: string, namespace?: string, weights?: string) => ({
    [`${folder}/gateway.yaml`]: GATEWAY,
    [`${folder}/vs-a.yaml`]: variant("a.example.com", namespace),
    [`${folder}/vs-b.yaml`]: variant("b.example.com", namespace, weights),
  });

  it("pair as their identity's definitions do, both taking the head's file: their flows are the same flows", () => {
    const files = (set: Record<string, string>) => Object.entries(set).map(([path, text]) => ({ path, text }));
    const { base, head } = alignResourceKeys(loadManifests(files(tree("x"))), loadManifests(files(tree("y", "istio-ingress"))));
    const keys = (set: typeof base) => [...set.resources.keys()].filter((key) => key.includes("VirtualService")).sort();
    expect(keys(base)).toEqual([
      "networking.istio.io/VirtualService/default/echoserver@y/vs-a.yaml",
      "networking.istio.io/VirtualService/default/echoserver@y/vs-b.yaml",
    ]);
    expect(keys(head)).toEqual([
      "networking.istio.io/VirtualService/istio-ingress/echoserver@y/vs-a.yaml",
      "networking.istio.io/VirtualService/istio-ingress/echoserver@y/vs-b.yaml",
    ]);
    const result = analyze(tree("x"), tree("y", "istio-ingress"));
    expect(result.routeDiffs).toEqual([]);
    expect(result.findings.map((finding) => `${finding.risk} ${finding.summary.slice(0, finding.summary.indexOf(","))}`)).toEqual([
      "low VirtualService istio-ingress/echoserver: moved from default/echoserver",
      "low VirtualService istio-ingress/echoserver: moved from default/echoserver",
    ]);
  });

  it("one edited on the way is compared with what it was: only the edit is a route change", () => {
    const mirrored = `\n    mirror: { host: shadow.echoserver.svc.cluster.local }`;
    const result = analyze(tree("x"), tree("y", "istio-ingress", mirrored));
    expect(classesOf(result).filter((cls) => cls.startsWith("route."))).toEqual([]);
    expect(classesOf(result)).toContain("mirror.changed");
  });

  it("a problem it had before the move is not new: the first Gateway written never admitted one of its hosts", () => {
    const tls = GATEWAY.replace('hosts: ["*"]', "hosts: [echoserver.echoserver.svc.cluster.local]").replace(
      "number: 80, name: http, protocol: HTTP",
      "number: 443, name: https, protocol: HTTPS",
    );
    const moved = (namespace?: string) => ({ "x/gateway-tls.yaml": tls, ...tree("x", namespace) });
    const owners = (issues: readonly { summary: string }[]) =>
      issues.map((issue) => issue.summary.slice(0, issue.summary.indexOf(": not admitted")));
    expect(owners(analyze(moved(), moved()).blastRadius.issues.existing)).toEqual([
      "VirtualService default/echoserver → Gateway istio-ingress/ingress",
      "VirtualService default/echoserver → Gateway istio-ingress/ingress",
    ]);
    const result = analyze(moved(), moved("istio-ingress"));
    expect(classesOf(result)).toEqual(["resource.changed", "resource.changed"]);
    expect(owners(result.blastRadius.issues.existing)).toEqual([
      "VirtualService istio-ingress/echoserver → Gateway istio-ingress/ingress",
      "VirtualService istio-ingress/echoserver → Gateway istio-ingress/ingress",
    ]);
  });
});

describe("API promotions keep the identity", () => {
  const listenerSet = (apiVersion: string, kind: string) => `apiVersion: ${apiVersion}
kind: ${kind}
metadata: { name: team, namespace: shop }
spec:
  parentRef: { name: public, namespace: infra }
  listeners:
    - name: team-https
      port: 443
      protocol: HTTPS
      hostname: team.example.com
`;

  it("XListenerSet (gateway.networking.x-k8s.io) → ListenerSet (gateway.networking.k8s.io), same spec: no finding", () => {
    const result = analyze(
      { "sets/team.yaml": listenerSet("gateway.networking.x-k8s.io/v1alpha1", "XListenerSet") },
      { "sets/team.yaml": listenerSet("gateway.networking.k8s.io/v1", "ListenerSet") },
    );
    expect(result.findings).toEqual([]);
  });

  it("a promotion that also changes the spec is one changed resource, not a removal and an addition", () => {
    const result = analyze(
      { "sets/team.yaml": listenerSet("gateway.networking.x-k8s.io/v1alpha1", "XListenerSet") },
      { "sets/team.yaml": listenerSet("gateway.networking.k8s.io/v1", "ListenerSet").replace("team.example.com", "team2.example.com") },
    );
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.findings.map((finding) => finding.summary).join("\n")).not.toMatch(/\bremoved\b/);
  });
  it("k8gb.absa.oss → k8gb.io, the promotion the dns family declares, keeps a Gslb's key", () => {
    const gslb = (apiVersion: string) => [
      {
        path: "gslb.yaml",
        text: `apiVersion: ${apiVersion}
kind: Gslb
metadata: { name: shop, namespace: shop }
spec:
  resourceRef: { apiVersion: networking.k8s.io/v1, kind: Ingress, matchLabels: { app: shop } }
  strategy: { type: failover, primaryGeoTag: eu }
`,
      },
    ];
    const { base, head } = alignResourceKeys(loadManifests(gslb("k8gb.absa.oss/v1beta1")), loadManifests(gslb("k8gb.io/v1beta1")));
    expect([...base.resources.values()].map((resource) => resource.key)).toEqual(["k8gb.io/Gslb/shop/shop"]);
    expect([...head.resources.values()].map((resource) => resource.key)).toEqual(["k8gb.io/Gslb/shop/shop"]);
  });
});

describe("a copy beside an equal definition that stays (gke-networking-recipes 4381fc1, 1383482)", () => {
  const EXPORT = "kind: ServiceExport\napiVersion: net.gke.io/v1\nmetadata: {name: store-v1, namespace: store}\n";
  const APP = `apiVersion: v1\nkind: Service\nmetadata: {name: store-v1, namespace: store}\nspec: {ports: [{port: 8080}]}\n---\n${EXPORT}`;

  it("adding or removing the same ServiceExport in another file of its folder changes nothing", () => {
    const one = { "gke-1/app-v1.yaml": APP };
    const two = { "gke-1/app-v1.yaml": APP, "gke-1/serviceexport-v1.yaml": EXPORT };
    expect(analyze(one, two).findings).toEqual([]);
    expect(analyze(two, one).findings).toEqual([]);
  });

  it("a copy in another folder is an object of its own, unless placement applies both folders to the same clusters: folders may be clusters", () => {
    const copied = { "gke-1/app-v1.yaml": APP, "gke-2/serviceexport-v1.yaml": EXPORT };
    expect(classesOf(analyze({ "gke-1/app-v1.yaml": APP }, copied))).toContain("export.changed");
    expect(classesOf(analyze(copied, { "gke-1/app-v1.yaml": APP }))).toContain("export.changed");
    // By the policy's placement patterns, or by Argo CD Applications delivering each folder to its own cluster.
    const byPattern = `topology: { placements: ["{cluster}/**"], clusters: { gke-1: us-west1, gke-2: us-east1 } }\n`;
    // There the copy's cluster is in a region the service's one export did not run in: that region joins its backends.
    expect(classesOf(analyze({ "gke-1/app-v1.yaml": APP }, copied, byPattern))).toEqual(["backend.region-added"]);
    const delivered = { "argocd/gke-1.yaml": application("gke-1"), "argocd/gke-2.yaml": application("gke-2") };
    expect(classesOf(analyze({ ...delivered, "gke-1/app-v1.yaml": APP }, { ...delivered, ...copied }))).toContain("export.changed");
    // Both folders delivered to one cluster: one object.
    const together = { "argocd/gke-1.yaml": application("gke-1"), "argocd/gke-2.yaml": application("gke-2", "gke-1") };
    expect(analyze({ ...together, "gke-1/app-v1.yaml": APP }, { ...together, ...copied }).findings).toEqual([]);
  });

  it("a copy that differs is judged against the one that stays", () => {
    const other = EXPORT.replace("metadata: {", "metadata: {labels: {tier: web}, ");
    const differing = analyze({ "gke-1/app-v1.yaml": APP }, { "gke-1/app-v1.yaml": APP, "gke-1/serviceexport-v1.yaml": other });
    expect(differing.findings.map((finding) => [finding.class, finding.risk, finding.file, finding.summary])).toEqual([
      [
        "resource.changed",
        "low",
        "gke-1/serviceexport-v1.yaml",
        'ServiceExport store/store-v1: metadata.labels added ({"tier":"web"}) (gke-1/serviceexport-v1.yaml writes another version of it beside gke-1/app-v1.yaml\'s, judged against that one: one object, whichever file is applied last holds)',
      ],
    ]);
  });
});

/** An Argo CD Application delivering the folder of its name to the cluster of its name (or `cluster`). */
const application = (name: string, cluster = name) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://github.com/example/recipes.git, path: ${name}}
  destination: {name: ${cluster}, namespace: store}
`;

describe("versions of one object written in several files", () => {
  const peerAuthentication = (mode: string) =>
    `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec:\n  mtls: {mode: ${mode}}\n`;
  const said = (result: ReturnType<typeof analyze>) =>
    result.findings.map((finding) => [finding.class, finding.risk, finding.file, finding.summary]);

  it("a DISABLE version added beside the STRICT one is the mesh's mTLS weakened, as the same edit in place is (istio-demos c4863e5)", () => {
    const strict = { "mesh-mtls.yaml": peerAuthentication("STRICT") };
    // Read as a second policy of the same workloads, which istiod would ignore while the older stays: low.
    expect(said(analyze(strict, { ...strict, "vm-onboarding.yaml": peerAuthentication("DISABLE") }))).toEqual([
      [
        "mtls.weakened",
        "critical",
        "vm-onboarding.yaml",
        "PeerAuthentication istio-system/default: mtls.mode STRICT → DISABLE, mesh-wide (root namespace istio-system): mTLS is off, traffic is plaintext (vm-onboarding.yaml writes another version of it beside mesh-mtls.yaml's, judged against that one: one object, whichever file is applied last holds)",
      ],
    ]);
  });

  it("versions the base already writes differently are alternatives, each an object of its own (examples' and lessons' folders)", () => {
    // A folder whose live object would depend on file order is no deployment: kustomize and Flux refuse
    // it, and examples/ or istiofiles/ folders hold one variant a file, applied one at a time.
    const both = { "mesh-mtls.yaml": peerAuthentication("STRICT"), "vm-onboarding.yaml": peerAuthentication("DISABLE") };
    expect(said(analyze(both, { "mesh-mtls.yaml": peerAuthentication("STRICT") }))).toEqual([
      ["resource.changed", "low", "vm-onboarding.yaml", "PeerAuthentication istio-system/default removed"],
    ]);
    // A copy equal to one of them changes nothing (a new example's Gateway, the same as another's); another
    // DISABLE policy that differs is still judged by the Istio family: mTLS off where it applies.
    expect(analyze(both, { ...both, "zz-vm-onboarding.yaml": peerAuthentication("DISABLE") }).findings).toEqual([]);
    const labelled = peerAuthentication("DISABLE").replace(
      "namespace: istio-system}",
      "namespace: istio-system, labels: {vm: onboarding}}",
    );
    expect(said(analyze(both, { ...both, "zz-vm-onboarding.yaml": labelled })).map(([cls, risk]) => [cls, risk])).toContainEqual([
      "mtls.weakened",
      "critical",
    ]);
    // Copies equal to one another are one object still: one more changes nothing.
    const equal = { "a.yaml": peerAuthentication("STRICT"), "b.yaml": peerAuthentication("STRICT") };
    expect(analyze(equal, { ...equal, "c.yaml": peerAuthentication("STRICT") }).findings).toEqual([]);
  });

  it("a file its folder's kustomization does not list, or that no GitOps object applies, holds no version of the object applied beside it", () => {
    const listing = (file: string) => ({ "mesh/kustomization.yaml": `resources: [${file}]\n` });
    const strict = { ...listing("mesh-mtls.yaml"), "mesh/mesh-mtls.yaml": peerAuthentication("STRICT") };
    const added = { ...strict, "mesh/vm-onboarding.yaml": peerAuthentication("DISABLE") };
    expect(said(analyze(strict, added))).toEqual([
      [
        "resource.changed",
        "low",
        "mesh/vm-onboarding.yaml",
        "PeerAuthentication istio-system/default: added in mesh/vm-onboarding.yaml, which is not applied (its folder's kustomization lists mesh/mesh-mtls.yaml and not it): the tree applies mesh/mesh-mtls.yaml's version of it instead",
      ],
    ]);
    // Flux builds ./mesh's kustomization: the file beside it is applied by nothing.
    const flux = {
      "clusters/prod/mesh.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: mesh, namespace: flux-system}\nspec: {interval: 10m, path: ./mesh, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n`,
    };
    const delivered = said(analyze({ ...flux, ...strict }, { ...flux, ...added }));
    expect(delivered.map(([cls, risk, file]) => [cls, risk, file])).toEqual([["resource.changed", "low", "mesh/vm-onboarding.yaml"]]);
    expect(delivered[0]![3]).toContain("nothing the tree's GitOps objects apply reads it, while they apply mesh/mesh-mtls.yaml");
    // Deleting an unlisted STRICT file beside the listed PERMISSIVE one leaves what the cluster holds.
    const permissive = { ...listing("vm-onboarding.yaml"), "mesh/vm-onboarding.yaml": peerAuthentication("PERMISSIVE") };
    const unlistedGone = said(analyze({ ...permissive, "mesh/mesh-mtls.yaml": peerAuthentication("STRICT") }, permissive));
    expect(unlistedGone.map(([cls, risk, file]) => [cls, risk, file])).toEqual([["resource.changed", "low", "mesh/mesh-mtls.yaml"]]);
    // Two files the kustomization lists neither of are versions of one object, as in a folder without one.
    const neither = { ...listing("other.yaml"), "mesh/mesh-mtls.yaml": peerAuthentication("STRICT") };
    expect(classesOf(analyze(neither, { ...neither, "mesh/vm-onboarding.yaml": peerAuthentication("DISABLE") }))).toEqual([
      "mtls.weakened",
    ]);
  });

  const fluxApps = {
    "clusters/prod/apps.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec: {interval: 10m, path: ./apps/prod, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n`,
  };

  it("a stale copy of a route beside the kustomization that lists the live one routes nothing: dropped or edited, it is one low finding (probe D51, D51b)", () => {
    const live = { "apps/prod/kustomization.yaml": "resources: [routes-all.yaml]\n", "apps/prod/routes-all.yaml": split([90, 10]) };
    const base = { ...live, "apps/prod/checkout.yaml": split([50, 50]) };
    // Read as the live route removed (high), or its weights moved 50% → 90% (medium-high) where Flux delivers the folder.
    const dropped = analyze(base, live);
    expect(said(dropped)).toEqual([
      [
        "resource.changed",
        "low",
        "apps/prod/checkout.yaml",
        "HTTPRoute shop/checkout: apps/prod/checkout.yaml, which was not applied, no longer writes it (its folder's kustomization lists apps/prod/routes-all.yaml and not it): the tree applies apps/prod/routes-all.yaml's version of it instead",
      ],
    ]);
    expect(dropped.routeDiffs).toEqual([]);
    const delivered = analyze({ ...fluxApps, ...base }, { ...fluxApps, ...live });
    expect(said(delivered).map(([cls, risk, file]) => [cls, risk, file])).toEqual([["resource.changed", "low", "apps/prod/checkout.yaml"]]);
    expect(delivered.routeDiffs).toEqual([]);
    const edited = analyze(base, { ...base, "apps/prod/checkout.yaml": split([60, 40]) });
    expect(said(edited)).toEqual([
      [
        "resource.changed",
        "low",
        "apps/prod/checkout.yaml",
        "HTTPRoute shop/checkout: edited in apps/prod/checkout.yaml, which is not applied (its folder's kustomization lists apps/prod/routes-all.yaml and not it): the tree applies apps/prod/routes-all.yaml's version of it instead",
      ],
    ]);
    // The listed copy edited beside the stale one is the live route's weights moved.
    const moved = analyze(base, { ...base, "apps/prod/routes-all.yaml": split([80, 20]) });
    expect(said(moved).map(([cls, risk, file]) => [cls, risk, file])).toEqual([
      ["backend.weight-changed", "medium-high", "apps/prod/routes-all.yaml"],
    ]);
  });

  it("a route file in a folder Flux delivers, which the folder's kustomization does not list, routes nothing: removed, edited or added it is low (probe H75)", () => {
    const web = httpRoute("    - backendRefs: [{ name: web, port: 8080 }]\n", { name: "web", hostname: "www.example.com" });
    const live = {
      ...fluxApps,
      "apps/prod/kustomization.yaml": "resources: [routes-all.yaml]\n",
      "apps/prod/routes-all.yaml": split([90, 10]),
    };
    const base = { ...live, "apps/prod/old-web.yaml": web };
    expect(said(analyze(base, live))).toEqual([
      [
        "resource.changed",
        "low",
        "apps/prod/old-web.yaml",
        "HTTPRoute shop/web: apps/prod/old-web.yaml, which was not applied, no longer writes it (the tree's GitOps objects deliver its folder, but nothing they apply reads it): no object of the cluster changes",
      ],
    ]);
    const edited = analyze(base, { ...base, "apps/prod/old-web.yaml": web.replace("name: web, port", "name: web-v2, port") });
    expect(said(edited).map(([cls, risk, file]) => [cls, risk, file])).toEqual([["resource.changed", "low", "apps/prod/old-web.yaml"]]);
    expect(edited.routeDiffs).toEqual([]);
    const added = analyze(live, base);
    expect(said(added).map(([cls, risk]) => [cls, risk])).toEqual([["resource.changed", "low"]]);
    expect(said(added)[0]![3]).toContain("added in apps/prod/old-web.yaml, which is not applied");
    // With no GitOps object, `kubectl apply -R -f apps/` may apply it: its route is removed as written.
    const plain = { "apps/prod/kustomization.yaml": live["apps/prod/kustomization.yaml"], "apps/prod/routes-all.yaml": split([90, 10]) };
    const removed = analyze({ ...plain, "apps/prod/old-web.yaml": web }, plain);
    expect(said(removed).map(([cls, risk, file]) => [cls, risk, file])).toEqual([["route.removed", "high", "apps/prod/old-web.yaml"]]);
  });

  it("a route file not known to be left out of every build over it is reviewed as written: a second Argo CD source below the first's kustomization applies it (review C3b)", () => {
    const checkout = split([90, 10]);
    const sources = (second: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop, namespace: argocd}
spec:
  destination: {server: https://kubernetes.default.svc, namespace: shop}
  sources:
  - {repoURL: https://github.com/acme/fleet, path: apps/prod}
${second}`;
    const live = { "apps/prod/kustomization.yaml": "resources: [services.yaml]\n", "apps/prod/services.yaml": "# services\n" };
    const tree = (second: string) => ({ ...live, "argocd/shop.yaml": sources(second) });
    // Read as "not applied: no object of the cluster changes" (low), as one source's kustomization decided for both.
    const directory = tree("  - {repoURL: https://github.com/acme/fleet, path: apps/prod/extra}\n");
    const removed = analyze({ ...directory, "apps/prod/extra/route.yaml": checkout }, directory);
    expect(said(removed).map(([cls, risk, file]) => [cls, risk, file])).toEqual([["route.removed", "high", "apps/prod/extra/route.yaml"]]);
    // A plugin's output is its own: what it reads is not known.
    const plugin = tree("");
    const withPlugin = {
      ...plugin,
      "argocd/shop.yaml": plugin["argocd/shop.yaml"].replace("path: apps/prod}", "path: apps/prod, plugin: {name: envsubst}}"),
    };
    const pluginRemoved = analyze({ ...withPlugin, "apps/prod/stale.yaml": checkout }, withPlugin);
    expect(said(pluginRemoved).map(([cls, risk, file]) => [cls, risk, file])).toEqual([["route.removed", "high", "apps/prod/stale.yaml"]]);
  });

  it("a version added where placement applies it to another cluster is that cluster's policy, not one istiod ignores beside the other", () => {
    const delivered = { "argocd/gke-1.yaml": application("gke-1"), "argocd/gke-2.yaml": application("gke-2") };
    const base = { ...delivered, "gke-1/mtls.yaml": peerAuthentication("STRICT") };
    expect(classesOf(analyze(base, { ...base, "gke-2/mtls.yaml": peerAuthentication("DISABLE") }))).toEqual(["mtls.weakened"]);
  });

  const authorizationPolicy = (extraRule = "") => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: authpolicy, namespace: istio-system}
spec:
  action: ALLOW
  selector: {matchLabels: {app: istio-ingressgateway}}
  rules:
  - to: [{operation: {paths: ["/*"]}}]
    when: [{key: "request.auth.claims[iss]", values: [solo.io]}]
${extraRule}`;

  it("an equal AuthorizationPolicy copied into another file of its folder, or one of two dropped, changes nothing (istio-demos 80d7d60, d605edd)", () => {
    // Read as a second ALLOW policy, it combined with itself: high access.widened.
    const one = { "demo/authz.yaml": authorizationPolicy() };
    const two = { ...one, "demo/authz-copy.yaml": authorizationPolicy() };
    expect(analyze(one, two).findings).toEqual([]);
    expect(analyze(two, one).findings).toEqual([]);
    // In another folder, which may be another cluster's, it is judged alone (istio-demos' demo folders read so).
    expect(classesOf(analyze(one, { ...one, "demo2/authz.yaml": authorizationPolicy() }))).not.toEqual([]);
    // Unless one Flux Kustomization, applied on a cluster the tree does not name, applies both folders.
    const flux = {
      "clusters/prod/apps.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec: {interval: 10m, path: ./, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n`,
    };
    expect(analyze({ ...flux, ...one }, { ...flux, ...one, "demo2/authz.yaml": authorizationPolicy() }).findings).toEqual([]);
  });

  it("a copy delivered to another cluster is that cluster's first ALLOW policy, never one beside itself", () => {
    const delivered = { "argocd/gke-1.yaml": application("gke-1"), "argocd/gke-2.yaml": application("gke-2") };
    const base = { ...delivered, "gke-1/authz.yaml": authorizationPolicy() };
    const result = said(analyze(base, { ...base, "gke-2/authz.yaml": authorizationPolicy() }));
    expect(result.map(([cls, risk, file]) => [cls, risk, file])).toEqual([["resource.changed", "medium", "gke-2/authz.yaml"]]);
    expect(result[0]![3]).toContain(
      "added ALLOW policy (workloads matching app=istio-ingressgateway in every namespace (root namespace istio-system)), the first",
    );
  });

  it("a copy that differs is judged against the version it is most like: a rule it adds is the policy widened", () => {
    const wider = authorizationPolicy('  - from: [{source: {principals: ["*"]}}]\n');
    const result = said(
      analyze({ "demo/authz.yaml": authorizationPolicy() }, { "demo/authz.yaml": authorizationPolicy(), "demo/authz-wider.yaml": wider }),
    );
    expect(result.map(([cls, risk, file]) => [cls, risk, file])).toEqual([["access.widened", "high", "demo/authz-wider.yaml"]]);
    expect(result[0]![3]).toContain('gains a rule allowing any principals ("*")');
    expect(result[0]![3]).not.toContain("ALLOW policies combine");
  });
});

describe("a copy whose file a delivery no longer applies on a cluster, which now gets another file's copy (session 43 review f7, f8)", () => {
  const virtualService = (extra = "") =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: bookinfo}\nspec:\n  hosts: [reviews.bookinfo.svc.cluster.local]\n  http:\n${extra}  - route:\n    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v1}\n`;
  const destinationRule = (mode: string) =>
    `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews, namespace: bookinfo}\nspec:\n  host: reviews.bookinfo.svc.cluster.local\n  trafficPolicy:\n    tls: {mode: ${mode}}\n`;
  const said = (result: ReturnType<typeof analyze>) =>
    result.findings.map((finding) => `${finding.risk} ${finding.class} [${finding.clusters.join(",")}]: ${finding.summary}`);

  // Two bootstrapped clusters, the policy naming neither: each cluster's apps Kustomization reads its folder.
  const flux = (paths: Readonly<Record<"jkt" | "sgp", string>>, files: Record<string, string>): Record<string, string> => ({
    ...Object.fromEntries(
      (["jkt", "sgp"] as const).flatMap((cluster) => [
        [
          `clusters/${cluster}/flux-system/gotk-sync.yaml`,
          `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: flux-system}\nspec:\n  path: ./clusters/${cluster}\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n`,
        ],
        [
          `clusters/${cluster}/apps.yaml`,
          `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ${paths[cluster]}\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n`,
        ],
      ]),
    ),
    ...files,
  });
  const APART = { jkt: "./apps/jkt", sgp: "./apps/sgp" };
  const TO_SGP = { jkt: "./apps/sgp", sgp: "./apps/sgp" };

  it("jkt pointed at sgp's folder, whose DestinationRule sends plaintext: jkt's mTLS weakened, as the same edit in jkt's file is", () => {
    const files = { "apps/jkt/reviews.yaml": destinationRule("ISTIO_MUTUAL"), "apps/sgp/reviews.yaml": destinationRule("DISABLE") };
    // Both files stayed as they were: read as the high attachment change alone.
    expect(said(analyze(flux(APART, files), flux(TO_SGP, files)))).toEqual([
      "critical mtls.weakened []: DestinationRule bookinfo/reviews: trafficPolicy tls.mode ISTIO_MUTUAL → DISABLE: upstream traffic is sent in plaintext (on a cluster the tree does not name, apps/sgp/reviews.yaml's version now applies in place of apps/jkt/reviews.yaml's, which is no longer delivered there)",
      expect.stringMatching(/^high route\.attachment-changed \[\]: Kustomization flux-system\/apps: /),
    ]);
  });

  it("every family's detectors judge what the cluster now gets: a fault abort on all requests", () => {
    const fault =
      "  - fault: {abort: {httpStatus: 503, percentage: {value: 100}}}\n    route:\n    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v1}\n";
    const files = { "apps/jkt/reviews.yaml": virtualService(), "apps/sgp/reviews.yaml": virtualService(fault) };
    expect(said(analyze(flux(APART, files), flux(TO_SGP, files)))).toContainEqual(
      expect.stringMatching(
        /^high fault\.injected \[\]: VirtualService bookinfo\/reviews: .*fault abort \(HTTP 503\) on 100%.*\(on a cluster the tree does not name, apps\/sgp\/reviews\.yaml's version/,
      ),
    );
  });

  it("a copy that leaves only some of its clusters is judged there, and only there, against the one they now get", () => {
    const files = { "apps/common/reviews.yaml": destinationRule("ISTIO_MUTUAL"), "apps/jkt/reviews.yaml": destinationRule("DISABLE") };
    const common = { jkt: "./apps/common", sgp: "./apps/common" };
    expect(said(analyze(flux(common, files), flux({ jkt: "./apps/jkt", sgp: "./apps/common" }, files)))).toContainEqual(
      "critical mtls.weakened []: DestinationRule bookinfo/reviews: trafficPolicy tls.mode ISTIO_MUTUAL → DISABLE: upstream traffic is sent in plaintext (on a cluster the tree does not name, apps/jkt/reviews.yaml's version now applies in place of apps/common/reviews.yaml's, which is no longer delivered there)",
    );
    // Its own edit where it stays (sgp's copy weakened as jkt is pointed away) is one more comparison of
    // that copy: the one that rates highest is said (both critical here; jkt's, the first, on the tie).
    const edited = { ...files, "apps/common/reviews.yaml": destinationRule("DISABLE") };
    const both = said(analyze(flux(common, files), flux({ jkt: "./apps/jkt", sgp: "./apps/common" }, edited)));
    expect(both.filter((finding) => finding.startsWith("critical mtls.weakened"))).toHaveLength(1);
  });

  it("a copy the same as the one it gave way to changes nothing there", () => {
    const files = { "apps/jkt/reviews.yaml": destinationRule("ISTIO_MUTUAL"), "apps/sgp/reviews.yaml": destinationRule("ISTIO_MUTUAL") };
    expect(said(analyze(flux(APART, files), flux(TO_SGP, files)))).toEqual([
      "low resource.changed []: Kustomization flux-system/apps: spec.path: ./apps/jkt → ./apps/sgp",
    ]);
  });

  it("Argo CD Applications per cluster, the policy naming them: the finding is jkt's alone", () => {
    const application = (cluster: string, path: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: reviews-${cluster}, namespace: argocd}\nspec:\n  project: default\n  source: {repoURL: https://github.com/acme/fleet.git, path: ${path}}\n  destination: {name: ${cluster}-prod-1, namespace: bookinfo}\n`;
    const tree = (jktPath: string) => ({
      "argocd/reviews-jkt.yaml": application("jkt", jktPath),
      "argocd/reviews-sgp.yaml": application("sgp", "deploy/sgp"),
      "deploy/jkt/reviews.yaml": destinationRule("ISTIO_MUTUAL"),
      "deploy/sgp/reviews.yaml": destinationRule("DISABLE"),
    });
    const POLICY = "topology:\n  clusters: {jkt-prod-1: jkt, sgp-prod-1: sgp}\n";
    expect(said(analyze(tree("deploy/jkt"), tree("deploy/sgp"), POLICY))).toContainEqual(
      "critical mtls.weakened [jkt-prod-1]: DestinationRule bookinfo/reviews: trafficPolicy tls.mode ISTIO_MUTUAL → DISABLE: upstream traffic is sent in plaintext (on cluster jkt-prod-1, deploy/sgp/reviews.yaml's version now applies in place of deploy/jkt/reviews.yaml's, which is no longer delivered there)",
    );
  });
});

describe("equal copies of one object in two folders, one moved and the other deleted (gateway-api 1afb35ace1)", () => {
  /** examples/<version>/basic-http.yaml: a Gateway and its route, the same in every version's folder. */
  const example = (apiVersion: string, port = 8080) => `apiVersion: gateway.networking.k8s.io/${apiVersion}
kind: Gateway
metadata: {name: my-gateway}
spec:
  gatewayClassName: acme
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/${apiVersion}
kind: HTTPRoute
metadata: {name: http-app}
spec:
  parentRefs: [{name: my-gateway}]
  hostnames: [foo.com]
  rules: [{backendRefs: [{name: svc, port: ${port}}]}]
`;
  const base = { "v1alpha2/basic-http.yaml": example("v1alpha2"), "v1beta1/basic-http.yaml": example("v1beta1") };
  const moved = { "standard/basic-http.yaml": example("v1beta1") };
  const where = (result: ReturnType<typeof analyze>) => [...new Set(result.findings.map((finding) => finding.file))];

  it("the copy deleted is the one reported, not the one moved unchanged: its text, then its apiVersion, tells them apart", () => {
    // Read as v1alpha2's moved and v1beta1's removed: "listener http removed" at v1beta1/basic-http.yaml.
    const result = analyze(base, moved);
    expect(where(result)).toEqual(["v1alpha2/basic-http.yaml"]);
    expect(classesOf(result)).toContain("route.removed");
  });

  it("copies written alike are told apart by the path their files share", () => {
    const same = example("v1");
    const result = analyze({ "a/x/route.yaml": same, "b/y/route.yaml": same }, { "c/y/route.yaml": same });
    expect(where(result)).toEqual(["a/x/route.yaml"]);
  });

  it("where both folders are applied to one cluster the deletion changes nothing; where the deleted copy's folder is another cluster's, that cluster loses it", () => {
    const delivered = (v1alpha2: string) => ({
      "argocd/v1alpha2.yaml": application("v1alpha2", v1alpha2),
      "argocd/v1beta1.yaml": application("v1beta1", "one"),
      "argocd/standard.yaml": application("standard", "one"),
    });
    expect(analyze({ ...delivered("one"), ...base }, { ...delivered("one"), ...moved }).findings).toEqual([]);
    const apart = analyze({ ...delivered("two"), ...base }, { ...delivered("two"), ...moved });
    expect(where(apart)).toEqual(["v1alpha2/basic-http.yaml"]);
    expect(apart.findings.filter((finding) => finding.class === "route.removed").map((finding) => finding.risk)).toEqual(["high"]);
  });

  it("a move that edits the copy is judged as the edit of the one moved", () => {
    const result = analyze(base, { "standard/basic-http.yaml": example("v1beta1", 9090) });
    expect(where(result).sort()).toEqual(["standard/basic-http.yaml", "v1alpha2/basic-http.yaml"]);
    const at = (file: string) => result.findings.filter((finding) => finding.file === file).map((finding) => finding.class);
    expect(at("standard/basic-http.yaml")).toEqual(["backend.weight-changed"]);
    expect(at("v1alpha2/basic-http.yaml")).toContain("route.removed");
  });
});

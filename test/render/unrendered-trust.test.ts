import { describe, expect, it } from "vitest";
import { renderForReview } from "../../src/render/render-change.js";
import { renderTools } from "../../src/render/render-tools.js";
import { unrenderedTrust } from "../../src/render/unrendered-trust.js";
import { reviewChange, type SourceFile } from "../../src/review.js";
import { NOW, policyWith } from "../helpers/review-trees.js";

const policy = policyWith();
const tree = (files: Record<string, string>): SourceFile[] => Object.entries(files).map(([path, text]) => ({ path, text }));
const texts = (files: Record<string, string>) => new Map(Object.entries(files));

const PEER =
  "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec:\n  mtls: {mode: STRICT}\n";
const PEER_VAR = PEER.replace("STRICT", "${MTLS_MODE}");
const ROUTE = (weight: number) =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: web}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - backendRefs:\n    - {name: web-v1, port: 80, weight: ${weight}}\n    - {name: web-v2, port: 80, weight: ${100 - weight}}\n`;
const BASE_KUSTOMIZATION = "resources: [peer.yaml, route.yaml]\n";
const FLUX = (mode: string) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ./apps/prod\n  sourceRef: {kind: GitRepository, name: flux-system}\n  postBuild:\n    substitute:\n      MTLS_MODE: ${mode}\n`;

describe("the trust kinds an unrendered root's change may rewrite", () => {
  const inputs = [
    "apps/base/kustomization.yaml",
    "apps/base/peer.yaml",
    "apps/base/route.yaml",
    "apps/prod/kustomization.yaml",
    "apps/prod/weights.yaml",
  ];
  const side = (prod: string, extra: Record<string, string> = {}) =>
    texts({
      "apps/base/kustomization.yaml": BASE_KUSTOMIZATION,
      "apps/base/peer.yaml": PEER,
      "apps/base/route.yaml": ROUTE(90),
      "apps/prod/kustomization.yaml": `resources: [../base]\n${prod}`,
      "apps/prod/weights.yaml": "- {op: replace, path: /spec/rules/0/backendRefs/0/weight, value: 10}\n",
      ...extra,
    });

  it("a patch targeting the PeerAuthentication reaches it; one targeting the HTTPRoute does not", () => {
    const mtls = "patches:\n- target: {kind: PeerAuthentication}\n  patch: '[{op: replace, path: /spec/mtls/mode, value: PERMISSIVE}]'\n";
    const weight = "patches:\n- target: {kind: HTTPRoute}\n  path: weights.yaml\n";
    expect(unrenderedTrust(inputs, side(""), side(mtls))).toEqual(["PeerAuthentication"]);
    expect(unrenderedTrust(inputs, side(""), side(weight))).toEqual([]);
    // The JSON 6902 file names no kind: the entry reading it says what it targets.
    const edited = side(weight, { "apps/prod/weights.yaml": "- {op: replace, path: /spec/rules/0/backendRefs/0/weight, value: 0}\n" });
    expect(unrenderedTrust(inputs, side(weight), edited)).toEqual([]);
  });

  it("what may reach everything the root builds does: commonAnnotations, a generator literal, a component", () => {
    for (const change of [
      "commonLabels: {team: web}\n",
      "configMapGenerator: [{name: cfg, literals: [mtls=PERMISSIVE]}]\n",
      "components: [../../components/debug]\n",
    ])
      expect(unrenderedTrust(inputs, side(""), side(change))).toEqual(["PeerAuthentication"]);
  });

  it("a chart's version or a remote resource bumped reaches none of the root's own files; its values reach their trust keys alone", () => {
    const files = ["infra/kustomization.yaml", "infra/certificate.yaml"];
    const CERTIFICATE =
      "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: auth, namespace: auth}\nspec:\n  issuerRef: {name: letsencrypt}\n";
    const root = (version: string, values = "{}", remote = "v1.5.0") =>
      texts({
        "infra/kustomization.yaml": `resources:\n- certificate.yaml\n- https://github.com/kubernetes-sigs/gateway-api/releases/download/${remote}/standard-install.yaml\nhelmCharts:\n- {name: authelia, repo: https://charts.authelia.com, version: ${version}, valuesInline: ${values}}\n`,
        "infra/certificate.yaml": CERTIFICATE,
      });
    expect(unrenderedTrust(files, root("0.10.1"), root("0.10.2"))).toEqual([]);
    expect(unrenderedTrust(files, root("0.10.1"), root("0.10.1", "{}", "v1.6.0"))).toEqual([]);
    expect(unrenderedTrust(files, root("0.10.1"), root("0.10.2", "{issuer: staging}"))).toEqual(["values issuer"]);
    expect(unrenderedTrust(files, root("0.10.1"), root("0.10.1", "{notifier: {template_path: /config}}"))).toEqual([]);
    const extra = texts({
      ...Object.fromEntries(root("0.10.1")),
      "infra/kustomization.yaml": `${root("0.10.2").get("infra/kustomization.yaml")}commonLabels: {a: b}\n`,
    });
    expect(unrenderedTrust(files, root("0.10.1"), extra)).toEqual(["Certificate"]);
  });

  it("a cert-manager issuer annotation written on everything (commonAnnotations) reaches trust through a Gateway; a label does not", () => {
    const gateway = (prod: string) =>
      texts({
        "apps/prod/kustomization.yaml": `resources: [gateway.yaml]\n${prod}`,
        "apps/prod/gateway.yaml":
          "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: public}\nspec: {gatewayClassName: istio, listeners: []}\n",
      });
    const files = ["apps/prod/gateway.yaml", "apps/prod/kustomization.yaml"];
    expect(unrenderedTrust(files, gateway(""), gateway("commonAnnotations: {cert-manager.io/cluster-issuer: staging}\n"))).toEqual([
      "cert-manager.io/cluster-issuer",
    ]);
    expect(unrenderedTrust(files, gateway(""), gateway("commonLabels: {team: web}\n"))).toEqual([]);
  });

  it("a Flux Kustomization the root applies, its dependsOn dropped, reaches that object alone (onedr0p/home-ops a8a502ff1c)", () => {
    const flux = (dependsOn: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: gateway}\nspec:\n${dependsOn}  path: ./apps/gateway\n`;
    const files = ["apps/base/kustomization.yaml", "apps/base/peer.yaml", "apps/base/ks.yaml"];
    const side = (dependsOn: string) =>
      texts({
        "apps/base/kustomization.yaml": "resources: [peer.yaml, ks.yaml]\n",
        "apps/base/peer.yaml": PEER,
        "apps/base/ks.yaml": flux(dependsOn),
      });
    expect(unrenderedTrust(files, side("  dependsOn: [{name: certificates}]\n"), side(""))).toEqual([]);
    // A release's values reach what its chart's templates read of them.
    const release = (mode: string, key = "mode") =>
      texts({
        "charts/mesh/Chart.yaml": "apiVersion: v2\nname: mesh\nversion: 1.0.0\n",
        "charts/mesh/templates/peer.yaml": PEER.replace("STRICT", "{{ .Values.mode }}"),
        "apps/release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: mesh}\nspec:\n  values: {${key}: ${mode}}\n`,
      });
    const chart = ["apps/release.yaml", "charts/mesh/Chart.yaml", "charts/mesh/templates/peer.yaml"];
    expect(unrenderedTrust(chart, release("STRICT"), release("PERMISSIVE"))).toEqual(["PeerAuthentication"]);
    // A key no template reads renders nothing.
    expect(unrenderedTrust(chart, release("1", "replicas"), release("2", "replicas"))).toEqual([]);
  });

  it("a direct edit of a route reaches the route alone", () => {
    expect(unrenderedTrust(inputs, side(""), side("", { "apps/base/route.yaml": ROUTE(10) }))).toEqual([]);
  });
});

describe("a root not rendered whose change may weaken mTLS is critical, not high", () => {
  const side = (mode: string, weight = 90) =>
    tree({
      "clusters/prod/apps.yaml": FLUX(mode),
      "apps/prod/kustomization.yaml": BASE_KUSTOMIZATION,
      "apps/prod/peer.yaml": PEER_VAR,
      "apps/prod/route.yaml": ROUTE(weight),
    });
  const review = async (base: SourceFile[], head: SourceFile[]) => {
    const rendered = await renderForReview(base, head, policy, { budgetMs: 1_000, off: "turned off (test)" });
    return reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW }).analysis.findings.filter(
      (finding) => finding.resource.kind === "Render",
    );
  };

  it("a Flux substitute STRICT → PERMISSIVE feeding the PeerAuthentication", async () => {
    const [finding] = await review(side("STRICT"), side("PERMISSIVE"));
    expect(finding).toMatchObject({ class: "resource.changed", risk: "critical" });
    expect(finding!.summary).toContain("the change may rewrite PeerAuthentication (transport security or trust)");
  });

  it("a weight edit in the same build stays high", async () => {
    const findings = await review(side("STRICT", 90), side("STRICT", 10));
    expect(findings.map((finding) => [finding.class, finding.risk])).toEqual([["resource.changed", "high"]]);
    expect(findings[0]!.summary).not.toContain("transport security");
  });
});

describe("a chart's values reach what the chart renders, not the root's own objects", () => {
  const CERTIFICATE =
    "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: auth}\nspec:\n  issuerRef: {name: letsencrypt}\n";
  const files = ["infra/kustomization.yaml", "infra/certificate.yaml", "infra/values.yaml"];
  const root = (chart: string, values: string) =>
    texts({
      "infra/kustomization.yaml": `resources: [certificate.yaml]\nhelmCharts:\n- {name: ${chart}, repo: https://charts.example.com, version: 1.0.0, valuesFile: values.yaml}\n`,
      "infra/certificate.yaml": CERTIFICATE,
      "infra/values.yaml": values,
    });

  it("an ordinary values edit beside a Certificate reaches no trust (vehagn/homelab bfe665f3af, theepicsaxguy/homelab 16399ba8c6)", () => {
    const notifier = (path: string) => `configMap:\n  notifier:\n    ${path}\n    smtp: {address: smtp://mail:587}\n`;
    expect(
      unrenderedTrust(files, root("authelia", notifier("#template_path: /a")), root("authelia", notifier("template_path: /a"))),
    ).toEqual([]);
    const velero = (port: number) => `configuration:\n  backupStorageLocation:\n  - config: {s3Url: "https://nas:${port}"}\n`;
    expect(unrenderedTrust(files, root("velero", velero(9000)), root("velero", velero(30293)))).toEqual([]);
  });

  it("values naming trust keep the floor: an ingress's tls, an issuer, the mesh's trust domain or mTLS nested under any key", () => {
    const edit = (before: string, after: string) => unrenderedTrust(files, root("app", before), root("app", after));
    expect(edit("ingress:\n  tls: []\n", "ingress:\n  tls: [{hosts: [a.example.com], secretName: a}]\n")).toEqual([
      "values ingress.tls.0.hosts.0",
      "values ingress.tls.0.secretName",
    ]);
    expect(edit("certManager: {clusterIssuer: prod}\n", "certManager: {clusterIssuer: staging}\n")).toEqual([
      "values certManager.clusterIssuer",
    ]);
    expect(edit("istiod:\n  meshConfig: {trustDomain: cluster.local}\n", "istiod:\n  meshConfig: {trustDomain: evil.local}\n")).toEqual([
      "values istiod.meshConfig.trustDomain",
    ]);
    expect(edit("global:\n  mtls: {enabled: true}\n", "global:\n  mtls: {enabled: false}\n")).toEqual(["values global.mtls.enabled"]);
    // A version bumped fetches another chart and changes none of its values, whatever they spell
    // (theepicsaxguy/homelab 379e77e715: external-secrets' values name an Issuer).
    const spelled = root("external-secrets", "certController:\n  issuerRef: {kind: Issuer, name: self}\n");
    const bumped = texts({
      ...Object.fromEntries(spelled),
      "infra/kustomization.yaml": spelled.get("infra/kustomization.yaml")!.replace("1.0.0", "1.1.0"),
    });
    expect(unrenderedTrust(files, spelled, bumped)).toEqual([]);
    // Objects the values spell out (extraObjects) are reached as written.
    expect(
      edit("extraObjects: []\n", "extraObjects:\n- {apiVersion: cert-manager.io/v1, kind: ClusterIssuer, metadata: {name: x}}\n"),
    ).toEqual(["ClusterIssuer"]);
  });

  it("a trust controller's values reach trust whatever they change (vehagn/homelab 118ede508a: cert-manager's Gateway API switch); its version alone does not", () => {
    const before = root("cert-manager", 'extraArgs: ["--enable-gateway-api"]\n');
    expect(unrenderedTrust(files, before, root("cert-manager", "config:\n  gatewayAPI: {enabled: true}\n"))).toEqual([
      "chart cert-manager",
    ]);
    const istiod = (resources: string) => root("istiod", `pilot:\n  resources: {requests: {cpu: ${resources}}}\n`);
    expect(unrenderedTrust(files, istiod("500m"), istiod("1"))).toEqual(["chart istiod"]);
    const bumped = texts({
      ...Object.fromEntries(before),
      "infra/kustomization.yaml": before.get("infra/kustomization.yaml")!.replace("1.0.0", "1.1.0"),
    });
    expect(unrenderedTrust(files, before, bumped)).toEqual([]);
  });

  it("a HelmRelease's values beside a Certificate reach its chart's trust alone", () => {
    const release = (chart: string, values: string) =>
      texts({
        "apps/kustomization.yaml": "resources: [certificate.yaml, release.yaml]\n",
        "apps/certificate.yaml": CERTIFICATE,
        "apps/release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: ${chart}}\nspec:\n  chart:\n    spec: {chart: ${chart}, version: 1.0.0, sourceRef: {kind: HelmRepository, name: charts}}\n  values: ${values}\n`,
      });
    const inputs = ["apps/kustomization.yaml", "apps/certificate.yaml", "apps/release.yaml"];
    expect(unrenderedTrust(inputs, release("podinfo", "{replicaCount: 1}"), release("podinfo", "{replicaCount: 2}"))).toEqual([]);
    const bumped = texts({
      ...Object.fromEntries(release("cert-manager", "{}")),
      "apps/release.yaml": release("cert-manager", "{}").get("apps/release.yaml")!.replace("version: 1.0.0", "version: 1.1.0"),
    });
    expect(unrenderedTrust(inputs, release("cert-manager", "{}"), bumped)).toEqual([]);
    expect(unrenderedTrust(inputs, release("cert-manager", "{replicaCount: 1}"), release("cert-manager", "{replicaCount: 2}"))).toEqual([
      "chart cert-manager",
    ]);
    expect(
      unrenderedTrust(inputs, release("istiod", "{meshConfig: {trustDomain: a}}"), release("istiod", "{meshConfig: {trustDomain: b}}")),
    ).toEqual(["chart istiod", "values meshConfig.trustDomain"]);
    // Moved to another namespace, a trust controller is installed anew there; a label is only a label.
    const moved = (metadata: string) =>
      texts({
        ...Object.fromEntries(release("cert-manager", "{}")),
        "apps/release.yaml": release("cert-manager", "{}").get("apps/release.yaml")!.replace("{name: cert-manager}", metadata),
      });
    expect(unrenderedTrust(inputs, release("cert-manager", "{}"), moved("{name: cert-manager, namespace: other}"))).toEqual([
      "chart cert-manager",
    ]);
    expect(unrenderedTrust(inputs, release("cert-manager", "{}"), moved("{name: cert-manager, labels: {a: b}}"))).toEqual([]);
  });
});

describe("a kustomization changed otherwise reaches what it builds itself", () => {
  const CERTIFICATE =
    "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: gateway}\nspec:\n  issuerRef: {name: letsencrypt}\n";
  const POLICY = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: minecraft}\nspec: {}\n";
  const files = ["network/kustomization.yaml", "network/cert.yaml", "network/games/kustomization.yaml", "network/games/policy.yaml"];
  const tree = (games: string, network = "") =>
    texts({
      "network/kustomization.yaml": `resources: [cert.yaml, games]\n${network}`,
      "network/cert.yaml": CERTIFICATE,
      "network/games/kustomization.yaml": games,
      "network/games/policy.yaml": POLICY,
    });

  it("a policy added to a namespace's kustomization reaches no Certificate beside it (theepicsaxguy/homelab fc8b48e181)", () => {
    expect(unrenderedTrust(files, tree("resources: []\n"), tree("resources: [policy.yaml]\n"))).toEqual([]);
  });

  it("unless the root carries values between objects (replacements), or the kustomization is a Component", () => {
    const replacing =
      "replacements:\n- source: {kind: ConfigMap, name: cfg}\n  targets: [{select: {kind: Certificate}, fieldPaths: [spec.dnsNames.0]}]\n";
    expect(unrenderedTrust(files, tree("resources: []\n", replacing), tree("resources: [policy.yaml]\n", replacing))).toEqual([
      "Certificate",
    ]);
    const component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [policy.yaml]\n";
    expect(unrenderedTrust(files, tree(component), tree(`${component}commonLabels: {team: games}\n`))).toEqual(["Certificate"]);
    // A resource added to a Component only adds it to what includes the Component.
    expect(unrenderedTrust(files, tree(`${component.replace("policy.yaml", "")}`), tree(component))).toEqual([]);
  });
});

describe("a patch writing a trust field keeps the floor; one writing elsewhere in the object does not", () => {
  const GATEWAY =
    "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: public}\nspec:\n  gatewayClassName: istio\n  listeners:\n  - {name: https, port: 443, protocol: HTTPS, tls: {mode: Terminate, certificateRefs: [{name: cert}]}}\n";
  const ISTIO_GATEWAY =
    "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: knative-local-gateway, namespace: knative-serving}\nspec:\n  selector: {istio: ingressgateway}\n  servers:\n  - {port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*'], tls: {mode: SIMPLE}}\n";
  const OPERATOR =
    "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: mesh}\nspec:\n  meshConfig: {trustDomain: cluster.local}\n";
  const patched = (object: string, kind: string, operations: string) => {
    const side = (patches: string) =>
      texts({
        "base/kustomization.yaml": "resources: [object.yaml]\n",
        "base/object.yaml": object,
        "prod/kustomization.yaml": `resources: [../base]\n${patches}`,
        "prod/patch.yaml": operations,
      });
    const files = ["base/kustomization.yaml", "base/object.yaml", "prod/kustomization.yaml", "prod/patch.yaml"];
    return unrenderedTrust(files, side(""), side(`patches:\n- target: {kind: ${kind}}\n  path: patch.yaml\n`));
  };

  it("a Gateway's listener certificate or TLS mode, not its addresses or a listener's port", () => {
    expect(patched(GATEWAY, "Gateway", "- {op: replace, path: /spec/listeners/0/tls/certificateRefs/0/name, value: other}\n")).toEqual([
      "Gateway spec.listeners.*.tls",
    ]);
    // A listener replaced whole loses its tls; one appended takes nothing away.
    expect(
      patched(GATEWAY, "Gateway", "- {op: replace, path: /spec/listeners/0, value: {name: https, port: 443, protocol: HTTPS}}\n"),
    ).toEqual(["Gateway spec.listeners.*.tls"]);
    expect(patched(GATEWAY, "Gateway", "- {op: add, path: /spec/listeners/-, value: {name: http, port: 80, protocol: HTTP}}\n")).toEqual(
      [],
    );
    expect(patched(GATEWAY, "Gateway", "- {op: remove, path: /spec/listeners/0}\n")).toEqual(["Gateway spec.listeners.*.tls"]);
    expect(patched(GATEWAY, "Gateway", "- {op: add, path: /spec/addresses, value: [{value: 10.0.0.1}]}\n")).toEqual([]);
    expect(patched(GATEWAY, "Gateway", "- {op: replace, path: /spec/listeners/0/port, value: 8443}\n")).toEqual([]);
  });

  it("an Istio Gateway's server TLS, not its selector (kubeflow's knative-local-gateway patch)", () => {
    expect(patched(ISTIO_GATEWAY, "Gateway", "- {op: replace, path: /spec/selector, value: {knative: ingressgateway}}\n")).toEqual([]);
    expect(patched(ISTIO_GATEWAY, "Gateway", "- {op: replace, path: /spec/servers/0/tls/mode, value: PASSTHROUGH}\n")).toEqual([
      "Gateway spec.servers.*.tls",
    ]);
  });

  it("an IstioOperator's trust domain or the mesh ConfigMap's mesh, not istiod's resources", () => {
    expect(patched(OPERATOR, "IstioOperator", "- {op: replace, path: /spec/meshConfig/trustDomain, value: evil.local}\n")).toEqual([
      "IstioOperator spec.meshConfig.trustDomain",
    ]);
    expect(patched(OPERATOR, "IstioOperator", "- {op: add, path: /spec/components, value: {pilot: {k8s: {replicaCount: 2}}}}\n")).toEqual(
      [],
    );
    const MESH =
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: 'trustDomain: cluster.local'\n";
    expect(patched(MESH, "ConfigMap", "- {op: replace, path: /data/mesh, value: 'trustDomain: evil.local'}\n")).toContain(
      "ConfigMap data.mesh.trustDomain",
    );
    // Any other ConfigMap's `network` is not the mesh's.
    const SETTINGS = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {network: a}\n";
    expect(patched(SETTINGS, "ConfigMap", "- {op: replace, path: /data/network, value: b}\n")).toEqual([]);
  });
});

describe("a patch writing a key twice, which go-yaml refuses, reaches that key and what else differs, not every trust field (flux2-kustomize-gitops-demo 0c808b93f7)", () => {
  const OPERATOR =
    "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: istio, namespace: istio-system}\nspec:\n  meshConfig: {trustDomain: cluster.local}\n";
  const patch = (meshConfig: string) =>
    `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: istio, namespace: istio-system}\nspec:\n  meshConfig:\n${meshConfig}`;
  const edit = (before: string, after: string) => {
    const side = (meshConfig: string) =>
      texts({
        "base/kustomization.yaml": "resources: [istio.yaml]\n",
        "base/istio.yaml": OPERATOR,
        "staging/kustomization.yaml": "resources: [../base]\npatchesStrategicMerge: [istio-values.yaml]\n",
        "staging/istio-values.yaml": patch(meshConfig),
      });
    const files = ["base/istio.yaml", "base/kustomization.yaml", "staging/istio-values.yaml", "staging/kustomization.yaml"];
    return unrenderedTrust(files, side(before), side(after));
  };
  const TWICE = "    enablePrometheusMerge: false\n    enableTracing: false\n    enablePrometheusMerge: false\n";

  it("the duplicate removed, or tracing turned on beside it, reaches no trust field", () => {
    expect(edit(TWICE, "    enablePrometheusMerge: false\n    enableTracing: false\n")).toEqual([]);
    expect(edit(TWICE, TWICE.replace("enableTracing: false", "enableTracing: true"))).toEqual([]);
  });

  it("a trust field written beside the duplicate, or written twice itself, still reaches it", () => {
    expect(edit(TWICE, `${TWICE}    trustDomain: evil.local\n`)).toEqual(["IstioOperator spec.meshConfig.trustDomain"]);
    const domainTwice = "    trustDomain: cluster.local\n    trustDomain: evil.local\n";
    expect(edit("    trustDomain: cluster.local\n", domainTwice)).toEqual(["IstioOperator spec.meshConfig.trustDomain"]);
    // Left written twice while the file changes elsewhere: which value is meant is unknown at both sides.
    expect(edit(domainTwice, `${domainTwice}    enableTracing: true\n`)).toEqual(["IstioOperator spec.meshConfig.trustDomain"]);
  });

  it("a document whose kind or name is written twice, or one otherwise unreadable, may write any of them", () => {
    const all = edit("    enableTracing: false\n", "    enableTracing: [true\n");
    expect(all).toContain("IstioOperator spec.meshConfig.trustDomain");
    expect(all.length).toBeGreaterThan(1);
    const kindTwice = (tracing: string) =>
      texts({
        "base/kustomization.yaml": "resources: [istio.yaml]\n",
        "base/istio.yaml": OPERATOR,
        "staging/kustomization.yaml": "resources: [../base]\npatchesStrategicMerge: [istio-values.yaml]\n",
        "staging/istio-values.yaml": patch(`    enableTracing: ${tracing}\n`).replace(
          "kind: IstioOperator\n",
          "kind: IstioOperator\nkind: IstioOperator\n",
        ),
      });
    const files = ["base/istio.yaml", "base/kustomization.yaml", "staging/istio-values.yaml", "staging/kustomization.yaml"];
    expect(unrenderedTrust(files, kindTwice("false"), kindTwice("true"))).toEqual(all);
  });

  it("in a review: tracing turned on beside the duplicate stays high; the trust domain moved beside it is critical", async () => {
    const side = (meshConfig: string) =>
      tree({
        "base/kustomization.yaml": "resources: [istio.yaml]\n",
        "base/istio.yaml": OPERATOR,
        "staging/kustomization.yaml": "resources: [../base]\npatchesStrategicMerge: [istio-values.yaml]\n",
        "staging/istio-values.yaml": patch(meshConfig),
      });
    const review = async (before: string, after: string) => {
      const [base, head] = [side(before), side(after)];
      const rendered = await renderForReview(base, head, policy, { budgetMs: 1_000, off: "turned off (test)" });
      return reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW })
        .analysis.findings.filter((finding) => finding.resource.kind === "Render")
        .map((finding) => finding.risk);
    };
    expect(await review(TWICE, TWICE.replace("enableTracing: false", "enableTracing: true"))).toEqual(["high"]);
    expect(await review(`${TWICE}    trustDomain: cluster.local\n`, `${TWICE}    trustDomain: evil.local\n`)).toEqual(["critical"]);
  });
});

describe("an inline patch reaches the kinds its own text names (GoogleCloudPlatform/anthos-config-management-samples 31c3a573e8)", () => {
  const files = ["app/kustomization.yaml", "app/peer.yaml"];
  const root = (patches: string) =>
    texts({
      "app/kustomization.yaml": `resources:\n- https://github.com/example/remote//deploy?ref=v1.0.0\n- peer.yaml\n${patches}`,
      "app/peer.yaml": PEER,
    });
  const edit = (before: string, after: string) => unrenderedTrust(files, root(before), root(after));
  const document = (kind: string, body: string, indent: string) =>
    `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: web\n${body}`.replace(/^/gm, indent);
  const owner = (team: string) => `  annotations: {example.com/owner: ${team}}\n`;

  it("a strategic-merge patch with no target, under patches or patchesStrategicMerge, reaches its own kind", () => {
    const patches = (kind: string, body: string) => `patches:\n  - patch: |-\n${document(kind, body, "      ")}`;
    expect(edit(patches("Deployment", owner("a")), patches("Deployment", owner("b")))).toEqual([]);
    expect(edit(patches("Deployment", owner("a")), "")).toEqual([]);
    const merged = (kind: string, body: string) => `patchesStrategicMerge:\n- |-\n${document(kind, body, "  ")}`;
    expect(edit(merged("Deployment", owner("a")), merged("Deployment", owner("b")))).toEqual([]);
    // The same patches of a trust kind keep the floor.
    const mtls = (mode: string) => `spec:\n  mtls: {mode: ${mode}}\n`;
    expect(edit(patches("PeerAuthentication", mtls("STRICT")), patches("PeerAuthentication", mtls("PERMISSIVE")))).toEqual([
      "PeerAuthentication",
    ]);
    expect(edit(merged("PeerAuthentication", mtls("STRICT")), merged("PeerAuthentication", mtls("PERMISSIVE")))).toEqual([
      "PeerAuthentication",
    ]);
    const tls = (mode: string) => `spec:\n  trafficPolicy:\n    tls: {mode: ${mode}}\n`;
    expect(edit(patches("DestinationRule", tls("ISTIO_MUTUAL")), patches("DestinationRule", tls("DISABLE")))).toEqual(["DestinationRule"]);
  });

  it("a JSON 6902 patch reaches its target's kind; a target selecting by name or by a kind pattern reaches any kind", () => {
    const operation = (value: string) => `    patch: |-\n      - {op: replace, path: /metadata/annotations/owner, value: ${value}}\n`;
    const targeted = (field: string, target: string, value: string) => `${field}:\n  - target: {${target}}\n${operation(value)}`;
    for (const field of ["patches", "patchesJson6902"]) {
      expect(edit(targeted(field, "kind: Deployment", "a"), targeted(field, "kind: Deployment", "b"))).toEqual([]);
      expect(edit(targeted(field, "kind: PeerAuthentication", "a"), targeted(field, "kind: PeerAuthentication", "b"))).toEqual([
        "PeerAuthentication",
      ]);
      expect(edit(targeted(field, "name: default", "a"), targeted(field, "name: default", "b"))).toEqual(["PeerAuthentication"]);
      expect(edit(targeted(field, 'kind: "Peer.*"', "a"), targeted(field, 'kind: "Peer.*"', "b"))).toEqual(["PeerAuthentication"]);
    }
  });
});

describe("a Flux Kustomization's inline patches reach the kinds they name", () => {
  const side = (patch: string) =>
    tree({
      "clusters/prod/apps.yaml": `${FLUX("STRICT")}  patches:\n    - patch: |-\n${patch.replace(/^/gm, "        ")}\n`,
      "apps/prod/kustomization.yaml": BASE_KUSTOMIZATION,
      "apps/prod/peer.yaml": PEER_VAR,
      "apps/prod/route.yaml": ROUTE(90),
    });
  const review = async (base: SourceFile[], head: SourceFile[]) => {
    const rendered = await renderForReview(base, head, policy, { budgetMs: 1_000, off: "turned off (test)" });
    return reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW })
      .analysis.findings.filter((finding) => finding.resource.kind === "Render")
      .map((finding) => finding.risk);
  };
  const deployment = (team: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {owner: ${team}}`;
  const peer = (mode: string) =>
    `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: istio-system\nspec:\n  mtls: {mode: ${mode}}`;

  it("a Deployment's annotation is high; the PeerAuthentication's mode critical", async () => {
    expect(await review(side(deployment("a")), side(deployment("b")))).toEqual(["high"]);
    expect(await review(side(peer("STRICT")), side(peer("PERMISSIVE")))).toEqual(["critical"]);
  });
});

describe("entries a kustomization's lists gain or lose reach what they list (GoogleCloudPlatform/anthos-config-management-samples ae665b59b5)", () => {
  const REMOTE_COMPONENT = "https://github.com/example/remote//component?ref=v1.0.0";
  const QUOTA = "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: quota}\nspec: {hard: {pods: '20'}}\n";
  const ISSUER = "apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: self}\nspec: {selfSigned: {}}\n";
  const CERTIFICATE = "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: web}\nspec: {issuerRef: {name: self}}\n";
  const CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mtls}\ndata: {mode: PERMISSIVE}\n";
  const kustomization = (resources: string[], components = [REMOTE_COMPONENT], extra = "") =>
    `resources: [${resources.join(", ")}]\ncomponents: [${components.join(", ")}]\n${extra}`;
  const root = (app: string, files: Record<string, string> = {}) =>
    texts({ "app/kustomization.yaml": app, "app/peer.yaml": PEER, ...files });
  const inputs = (...more: string[]) => ["app/kustomization.yaml", "app/peer.yaml", ...more];

  it("a local file added reaches its own kinds, not the STRICT PeerAuthentication beside it", () => {
    const base = root(kustomization(["peer.yaml"]));
    expect(
      unrenderedTrust(inputs("app/quota.yaml"), base, root(kustomization(["peer.yaml", "quota.yaml"]), { "app/quota.yaml": QUOTA })),
    ).toEqual([]);
    // One that is itself a trust kind keeps the floor.
    for (const [file, text, kind] of [
      ["permissive.yaml", PEER.replace("STRICT", "PERMISSIVE").replace("name: default", "name: web"), "PeerAuthentication"],
      ["issuer.yaml", ISSUER, "Issuer"],
      ["certificate.yaml", CERTIFICATE, "Certificate"],
    ] as const)
      expect(unrenderedTrust(inputs(`app/${file}`), base, root(kustomization(["peer.yaml", file]), { [`app/${file}`]: text }))).toEqual([
        kind,
      ]);
  });

  it("a local file removed or no longer listed reaches what it held", () => {
    const base = root(kustomization(["peer.yaml", "quota.yaml"]), { "app/quota.yaml": QUOTA });
    const deleted = texts({ "app/kustomization.yaml": kustomization(["quota.yaml"]), "app/quota.yaml": QUOTA });
    expect(unrenderedTrust(inputs("app/quota.yaml"), base, deleted)).toEqual(["PeerAuthentication"]);
    const unlisted = root(kustomization(["quota.yaml"]), { "app/quota.yaml": QUOTA });
    expect(unrenderedTrust(inputs("app/quota.yaml"), base, unlisted)).toEqual(["PeerAuthentication"]);
    expect(unrenderedTrust(inputs("app/quota.yaml"), unlisted, base)).toEqual(["PeerAuthentication"]);
  });

  it("a local folder reaches what it builds; a remote resource swapped nothing of the root's own files", () => {
    const folder = (object: string) => ({ "app/extra/kustomization.yaml": "resources: [object.yaml]\n", "app/extra/object.yaml": object });
    const files = inputs("app/extra/kustomization.yaml", "app/extra/object.yaml");
    const base = root(kustomization(["peer.yaml"]));
    expect(unrenderedTrust(files, base, root(kustomization(["peer.yaml", "extra"]), folder(QUOTA)))).toEqual([]);
    expect(unrenderedTrust(files, base, root(kustomization(["peer.yaml", "extra"]), folder(CERTIFICATE)))).toEqual(["Certificate"]);
    const remote = (ref: string) => `https://github.com/example/remote//deploy?ref=${ref}`;
    expect(
      unrenderedTrust(
        inputs("app/quota.yaml"),
        root(kustomization(["peer.yaml", remote("v1")]), { "app/quota.yaml": QUOTA }),
        root(kustomization(["peer.yaml", remote("v2"), "quota.yaml"]), { "app/quota.yaml": QUOTA }),
      ),
    ).toEqual([]);
    // An entry naming nothing the root reads may be anything; so may a kustomization listed as a file (here, itself).
    expect(unrenderedTrust(inputs(), base, root(kustomization(["peer.yaml", "missing"])))).toEqual(["PeerAuthentication"]);
    expect(unrenderedTrust(inputs(), base, root(kustomization(["peer.yaml", "kustomization.yaml"])))).toEqual(["PeerAuthentication"]);
  });

  it("a component acting on what includes it reaches everything: remote and swapped, or local with patches; one adding resources, what it adds", () => {
    const base = root(kustomization(["peer.yaml"]));
    expect(unrenderedTrust(inputs(), base, root(kustomization(["peer.yaml"], [REMOTE_COMPONENT.replace("v1.0.0", "v2.0.0")])))).toEqual([
      "PeerAuthentication",
    ]);
    const component = (fields: string) => ({
      "components/extra/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n${fields}`,
      "components/extra/quota.yaml": QUOTA,
    });
    const files = inputs("components/extra/kustomization.yaml", "components/extra/quota.yaml");
    const including = (fields: string) => root(kustomization(["peer.yaml"], [REMOTE_COMPONENT, "../components/extra"]), component(fields));
    const without = (fields: string) => root(kustomization(["peer.yaml"]), component(fields));
    expect(unrenderedTrust(files, without("resources: [quota.yaml]\n"), including("resources: [quota.yaml]\n"))).toEqual([]);
    const patching = "patches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n";
    expect(unrenderedTrust(files, without(patching), including(patching))).toEqual(["PeerAuthentication"]);
  });

  it("a root carrying values between objects (replacements) reaches everything from a file added: it may be their source", () => {
    const replacing =
      "replacements:\n- source: {kind: ConfigMap, name: mtls, fieldPath: data.mode}\n  targets: [{select: {kind: PeerAuthentication}, fieldPaths: [spec.mtls.mode]}]\n";
    expect(
      unrenderedTrust(
        inputs("app/config.yaml"),
        root(kustomization(["peer.yaml"], [REMOTE_COMPONENT], replacing)),
        root(kustomization(["peer.yaml", "config.yaml"], [REMOTE_COMPONENT], replacing), { "app/config.yaml": CONFIG }),
      ),
    ).toEqual(["PeerAuthentication"]);
  });
});

describe("a changed value reaches what the build carries it into: replacements, vars, Flux variables", () => {
  const MESH_SETTINGS = (mode: string, extra = "") =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mesh-settings}\ndata: {mode: ${mode}, replicas: '2'${extra}}\n`;
  const OTHER = (level: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: logging}\ndata: {level: ${level}}\n`;
  const GATEWAY =
    "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: public}\nspec:\n  gatewayClassName: istio\n  listeners:\n  - {name: https, port: 443, protocol: HTTPS, tls: {mode: Terminate, certificateRefs: [{name: cert}]}}\n";
  const DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n";
  const replacement = (field: string, select: string, path: string) =>
    `- source: {kind: ConfigMap, name: mesh-settings, fieldPath: ${field}}\n  targets: [{select: {${select}}, fieldPaths: [${path}]}]\n`;
  const INTO_MTLS = replacement("data.mode", "kind: PeerAuthentication", "spec.mtls.mode");
  const files = ["app/kustomization.yaml", "app/peer.yaml", "app/mesh.yaml", "app/logging.yaml", "app/deployment.yaml"];
  const root = (kustomization: string, mesh: string, logging = OTHER("info")) =>
    texts({
      "app/kustomization.yaml": `resources: [peer.yaml, mesh.yaml, logging.yaml, deployment.yaml]\n${kustomization}`,
      "app/peer.yaml": PEER,
      "app/mesh.yaml": mesh,
      "app/logging.yaml": logging,
      "app/deployment.yaml": DEPLOYMENT,
    });
  const edit = (kustomization: string, before: string, after: string) =>
    unrenderedTrust(files, root(kustomization, before), root(kustomization, after));

  it("a replacement's source written at the field it reads reaches its targets, as the direct edit does", () => {
    const replacing = `replacements:\n${INTO_MTLS}`;
    expect(edit(replacing, MESH_SETTINGS("STRICT"), MESH_SETTINGS("PERMISSIVE"))).toEqual(["PeerAuthentication"]);
    expect(
      unrenderedTrust(
        files,
        root("", MESH_SETTINGS("STRICT")),
        root("", MESH_SETTINGS("STRICT")).set("app/peer.yaml", PEER.replace("STRICT", "PERMISSIVE")),
      ),
    ).toEqual(["PeerAuthentication"]);
    // Its other fields, another ConfigMap, a replacement into a Deployment, a root without replacements: the ConfigMap alone.
    expect(edit(replacing, MESH_SETTINGS("STRICT"), MESH_SETTINGS("STRICT", ", extra: x"))).toEqual([]);
    expect(
      unrenderedTrust(files, root(replacing, MESH_SETTINGS("STRICT")), root(replacing, MESH_SETTINGS("STRICT"), OTHER("debug"))),
    ).toEqual([]);
    const intoDeployment = `replacements:\n${replacement("data.replicas", "kind: Deployment", "spec.replicas")}`;
    expect(edit(intoDeployment, MESH_SETTINGS("STRICT"), MESH_SETTINGS("STRICT").replace("'2'", "'3'"))).toEqual([]);
    expect(edit("", MESH_SETTINGS("STRICT"), MESH_SETTINGS("PERMISSIVE"))).toEqual([]);
    // A target selecting no plain kind may be anything the root builds.
    expect(
      edit(
        `replacements:\n${replacement("data.mode", "name: default", "spec.mtls.mode")}`,
        MESH_SETTINGS("STRICT"),
        MESH_SETTINGS("PERMISSIVE"),
      ),
    ).toEqual(["PeerAuthentication"]);
  });

  it("a target's trust field keeps the floor on another kind; its other fields do not", () => {
    const withGateway = (kustomization: string, mesh: string) => new Map([...root(kustomization, mesh), ["app/deployment.yaml", GATEWAY]]);
    const into = (path: string) => `replacements:\n${replacement("data.mode", "kind: Gateway", path)}`;
    const gateway = (path: string) =>
      unrenderedTrust(files, withGateway(into(path), MESH_SETTINGS("Terminate")), withGateway(into(path), MESH_SETTINGS("Passthrough")));
    expect(gateway("'spec.listeners.[name=https].tls.mode'")).toEqual(["Gateway spec.listeners.*.tls"]);
    expect(gateway("spec.listeners.0.tls.mode")).toEqual(["Gateway spec.listeners.*.tls"]);
    expect(gateway("spec.gatewayClassName")).toEqual([]);
  });

  it("replacements read from a file or a ReplacementTransformer; a patch of the source writes it too", () => {
    const more = [...files, "app/replacements.yaml", "app/transformer.yaml"];
    const side = (kustomization: string, mesh: string, extra: Record<string, string>) =>
      new Map([...root(kustomization, mesh), ...Object.entries(extra)]);
    const fromFile = { "app/replacements.yaml": INTO_MTLS };
    const edited = (kustomization: string, extra: Record<string, string>) =>
      unrenderedTrust(more, side(kustomization, MESH_SETTINGS("STRICT"), extra), side(kustomization, MESH_SETTINGS("PERMISSIVE"), extra));
    expect(edited("replacements: [{path: replacements.yaml}]\n", fromFile)).toEqual(["PeerAuthentication"]);
    const transformer = {
      "app/transformer.yaml": `apiVersion: builtin\nkind: ReplacementTransformer\nmetadata: {name: mtls}\nreplacements:\n${INTO_MTLS.replace(/^/gm, "  ")}`,
    };
    expect(edited("transformers: [transformer.yaml]\n", transformer)).toEqual(["PeerAuthentication"]);
    const labels = {
      "app/transformer.yaml":
        "apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: team}\nlabels: {team: web}\nfieldSpecs: [{path: metadata/labels, create: true}]\n",
    };
    expect(edited("transformers: [transformer.yaml]\n", labels)).toEqual([]);
    // An overlay's patch of the source, inline, writes the field the replacement reads.
    const patch = (mode: string) =>
      `replacements:\n${INTO_MTLS}patches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: mesh-settings}\n    data: {mode: ${mode}}\n`;
    expect(
      unrenderedTrust(files, root(patch("STRICT"), MESH_SETTINGS("STRICT")), root(patch("PERMISSIVE"), MESH_SETTINGS("STRICT"))),
    ).toEqual(["PeerAuthentication"]);
    const json = (mode: string) =>
      `replacements:\n${INTO_MTLS}patches:\n- target: {kind: ConfigMap}\n  patch: '[{op: replace, path: /data/mode, value: ${mode}}]'\n`;
    expect(
      unrenderedTrust(files, root(json("STRICT"), MESH_SETTINGS("STRICT")), root(json("PERMISSIVE"), MESH_SETTINGS("STRICT"))),
    ).toEqual(["PeerAuthentication"]);
    const replicas = (count: number) =>
      `replacements:\n${INTO_MTLS}patches:\n- target: {kind: ConfigMap}\n  patch: '[{op: replace, path: /data/replicas, value: "${count}"}]'\n`;
    expect(unrenderedTrust(files, root(replicas(2), MESH_SETTINGS("STRICT")), root(replicas(3), MESH_SETTINGS("STRICT")))).toEqual([]);
  });

  it("a var's source reaches the objects naming the var", () => {
    const vars =
      "vars:\n- name: MODE\n  objref: {kind: ConfigMap, name: mesh-settings, apiVersion: v1}\n  fieldref: {fieldpath: data.mode}\n";
    const side = (mesh: string, peer: string) => new Map([...root(vars, mesh), ["app/peer.yaml", peer]]);
    const PEER_MODE = PEER.replace("STRICT", "$(MODE)");
    expect(unrenderedTrust(files, side(MESH_SETTINGS("STRICT"), PEER_MODE), side(MESH_SETTINGS("PERMISSIVE"), PEER_MODE))).toEqual([
      "PeerAuthentication",
    ]);
    expect(unrenderedTrust(files, side(MESH_SETTINGS("STRICT"), PEER), side(MESH_SETTINGS("PERMISSIVE"), PEER))).toEqual([]);
    expect(
      unrenderedTrust(files, side(MESH_SETTINGS("STRICT"), PEER_MODE), side(MESH_SETTINGS("STRICT", ", extra: x"), PEER_MODE)),
    ).toEqual([]);
  });

  it("a ConfigMap's keys reach the objects using them as Flux variables", () => {
    const side = (mesh: string, peer: string) => new Map([...root("", mesh), ["app/peer.yaml", peer]]);
    const SETTINGS = (mode: string, level = "info") =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cluster-settings}\ndata:\n  MTLS_MODE: ${mode}\n  LOG_LEVEL: ${level}\n`;
    for (const use of ["${MTLS_MODE}", "${MTLS_MODE:=STRICT}"]) {
      const peer = PEER.replace("{mode: STRICT}", `\n    mode: "${use}"`);
      expect(unrenderedTrust(files, side(SETTINGS("STRICT"), peer), side(SETTINGS("PERMISSIVE"), peer))).toEqual(["PeerAuthentication"]);
      expect(unrenderedTrust(files, side(SETTINGS("STRICT"), peer), side(SETTINGS("STRICT", "debug"), peer))).toEqual([]);
    }
  });
});

describe("a replacement's source edited, unrendered, keeps the critical floor the direct edit has", () => {
  const side = (mode: string, logging = "info") =>
    tree({
      "app/kustomization.yaml":
        "resources: [peer.yaml, mesh.yaml, logging.yaml]\nreplacements:\n- source: {kind: ConfigMap, name: mesh-settings, fieldPath: data.mode}\n  targets: [{select: {kind: PeerAuthentication}, fieldPaths: [spec.mtls.mode]}]\n",
      "app/peer.yaml": PEER,
      "app/mesh.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mesh-settings}\ndata: {mode: ${mode}}\n`,
      "app/logging.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: logging}\ndata: {level: ${logging}}\n`,
    });
  const risks = async (base: SourceFile[], head: SourceFile[], options: { budgetMs: number; off?: string }) => {
    const rendered = await renderForReview(base, head, policy, options);
    return reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW })
      .analysis.findings.filter((finding) => finding.resource.kind === "Render")
      .map((finding) => finding.risk);
  };

  // Not rendered (--no-render), and a render that fails (its budget runs out before the tool answers).
  for (const options of [{ budgetMs: 1_000, off: "turned off (test)" }, { budgetMs: 1 }])
    it(`${options.off ?? "a failed render"}: the source STRICT → PERMISSIVE is critical; another ConfigMap stays high`, async () => {
      expect(await risks(side("STRICT"), side("PERMISSIVE"), options)).toEqual(["critical"]);
      expect(await risks(side("STRICT"), side("STRICT", "debug"), options)).toEqual(["high"]);
    });
});

describe("a chart's own files reach what their changed lines write, not what the file holds beside them (podinfo's chart)", () => {
  const INGRESS = [
    "{{- if .Values.ingress.enabled -}}",
    "apiVersion: networking.k8s.io/v1",
    "kind: Ingress",
    "metadata:",
    '  name: {{ include "web.fullname" . }}',
    "  labels:",
    '    {{- include "web.labels" . | nindent 4 }}',
    "spec:",
    "  {{- if .Values.ingress.tls }}",
    "  tls:",
    "    {{- range .Values.ingress.tls }}",
    "    - hosts:",
    "        {{- range .hosts }}",
    "        - {{ . }}",
    "        {{- end }}",
    "      secretName: {{ .secretName }}",
    "    {{- end }}",
    "  {{- end }}",
    "  rules:",
    "    - host: {{ .Values.ingress.host }}",
    "      http:",
    "        paths:",
    "          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}",
    "{{- end }}",
    "",
  ].join("\n");
  const CERTIFICATE = [
    "{{- if .Values.certificate.create -}}",
    "apiVersion: cert-manager.io/v1",
    "kind: Certificate",
    "metadata:",
    "  name: web",
    "spec:",
    '  secretName: {{ include "web.tlsSecret" . }}',
    "  issuerRef:",
    "  {{- .Values.certificate.issuerRef | toYaml | nindent 4 }}",
    "{{- end }}",
    "",
  ].join("\n");
  const HELPERS = [
    '{{- define "web.fullname" -}}',
    "{{ .Release.Name }}-web",
    "{{- end }}",
    '{{- define "web.labels" -}}',
    "app: web",
    "{{- end }}",
    '{{- define "web.tlsSecret" -}}',
    '{{- default "web-tls" .Values.tlsSecret }}',
    "{{- end }}",
    "",
  ].join("\n");
  const VALUES =
    "ingress:\n  enabled: false\n  host: web.example.com\n  tls: []\ncertificate:\n  create: false\n  issuerRef:\n    kind: ClusterIssuer\n    name: self-signed\n";
  const chart = (edit: Record<string, string> = {}) =>
    texts({
      "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
      "charts/web/README.md": "# web\n",
      "charts/web/values.yaml": VALUES,
      "charts/web/templates/_helpers.tpl": HELPERS,
      "charts/web/templates/ingress.yaml": INGRESS,
      "charts/web/templates/certificate.yaml": CERTIFICATE,
      ...edit,
    });
  const inputs = [...chart().keys()];
  const edit = (file: string, from: string, to: string) => {
    const before = chart();
    const after = chart({ [file]: before.get(file)!.replace(from, to) });
    expect(after.get(file)).not.toBe(before.get(file));
    return unrenderedTrust(inputs, before, after);
  };

  it("an Ingress template's host, label or quoting edit reaches no trust; its tls block does", () => {
    expect(
      edit("charts/web/templates/ingress.yaml", "host: {{ .Values.ingress.host }}", "host: {{ .Values.ingress.host | quote }}"),
    ).toEqual([]);
    expect(edit("charts/web/templates/ingress.yaml", "host: {{ .Values.ingress.host }}", "host: web.{{ .Values.ingress.host }}")).toEqual(
      [],
    );
    expect(edit("charts/web/templates/ingress.yaml", "        - {{ . }}", "        - {{ . | quote }}")).toEqual([]);
    expect(edit("charts/web/templates/ingress.yaml", "  labels:\n", "  labels:\n    tier: front\n")).toEqual([]);
    expect(edit("charts/web/templates/ingress.yaml", "secretName: {{ .secretName }}", "secretName: shared-tls")).toEqual([
      "Ingress spec.tls",
    ]);
    expect(edit("charts/web/templates/ingress.yaml", "        - {{ . }}", '        - {{ . }}\n        - "*.example.com"')).toEqual([
      "Ingress spec.tls",
    ]);
    // The condition gating the tls block, or the whole document, reaches it.
    expect(edit("charts/web/templates/ingress.yaml", "{{- if .Values.ingress.tls }}", "{{- if false }}")).toEqual(["Ingress spec.tls"]);
    expect(edit("charts/web/templates/ingress.yaml", "{{- if .Values.ingress.enabled -}}", "{{- if true -}}")).toEqual([
      "Ingress spec.tls",
    ]);
  });

  it("a template added reaches what its lines write: an Ingress without tls, no trust; one with it, its tls", () => {
    const added = (template: string) => {
      const file = "charts/web/templates/internal.yaml";
      return unrenderedTrust([...inputs, file], chart(), chart({ [file]: template }));
    };
    const withoutTls = INGRESS.replace(/ {2}\{\{- if \.Values\.ingress\.tls \}\}[\s\S]*? {2}\{\{- end \}\}\n/, "");
    expect(withoutTls).not.toContain("tls");
    expect(added(withoutTls)).toEqual([]);
    expect(added(INGRESS)).toEqual(["Ingress spec.tls"]);
  });

  it("a List's items are read as the kinds they are", () => {
    const file = "charts/web/templates/list.yaml";
    const list = (name: string) =>
      `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: cert-manager.io/v1\n    kind: Certificate\n    metadata: {name: ${name}}\n`;
    expect(unrenderedTrust([...inputs, file], chart({ [file]: list("a") }), chart({ [file]: list("b") }))).toEqual(["Certificate"]);
  });

  it("a Certificate template's edit reaches the Certificate, whatever line it is", () => {
    expect(edit("charts/web/templates/certificate.yaml", "  name: web", "  name: web-cert")).toEqual(["Certificate"]);
    expect(
      edit("charts/web/templates/certificate.yaml", "  {{- .Values.certificate.issuerRef | toYaml | nindent 4 }}", "    name: other"),
    ).toEqual(["Certificate"]);
  });

  it("a values edit reaches the templates reading what changed, not the kinds its unchanged values spell (podinfo 902e62b5f3)", () => {
    expect(edit("charts/web/values.yaml", "host: web.example.com", "host: shop.example.com")).toEqual([]);
    expect(edit("charts/web/values.yaml", "certificate:", "httpRoute:\n  enabled: false\ncertificate:")).toEqual([]);
    expect(edit("charts/web/values.yaml", "name: self-signed", "name: letsencrypt")).toEqual([
      "Certificate",
      "ClusterIssuer",
      "values certificate.issuerRef.name",
    ]);
    // A values string `tpl` renders may read any value: a key no template names reaches the lines rendering one.
    const rendering = chart({
      "charts/web/templates/ingress.yaml": INGRESS.replace("secretName: {{ .secretName }}", "secretName: {{ tpl .secretName $ }}"),
      "charts/web/values.yaml": `${VALUES}webSecret: web-a\n`,
    });
    const renamed = texts({ ...Object.fromEntries(rendering), "charts/web/values.yaml": `${VALUES}webSecret: web-b\n` });
    expect(unrenderedTrust(inputs, rendering, renamed)).toEqual(["Ingress spec.tls"]);
    expect(edit("charts/web/values.yaml", "tls: []", "tls: [{hosts: [a.example.com], secretName: a}]")).toEqual([
      "Ingress spec.tls",
      "values ingress.tls.0.hosts.0",
      "values ingress.tls.0.secretName",
    ]);
  });

  it("a helper's named template reaches the lines including it; a file no template reads reaches nothing", () => {
    expect(edit("charts/web/templates/_helpers.tpl", '"web-tls"', '"shared-tls"')).toEqual(["Certificate"]);
    expect(edit("charts/web/templates/_helpers.tpl", "app: web", "app: shop")).toEqual([]);
    expect(edit("charts/web/README.md", "# web", "# shop")).toEqual([]);
    // Read through `.Files`, any file may be rendered into anything: every kind the chart names.
    const reading = chart({ "charts/web/templates/ingress.yaml": `${INGRESS}{{ .Files.Get "README.md" }}\n` });
    expect(unrenderedTrust(inputs, reading, texts({ ...Object.fromEntries(reading), "charts/web/README.md": "# shop\n" }))).toEqual([
      "Certificate",
      "ClusterIssuer",
    ]);
  });
});

const unavailable = await renderTools().then(
  () => undefined,
  (error: Error) => error.message,
);

describe.skipIf(unavailable !== undefined)(
  "a template its chart's defaults gate off, edited where nothing installs the chart: high as documented, critical where the edit writes trust",
  () => {
    const INGRESS = (host: string, secret: string) =>
      `{{- if .Values.ingress.enabled }}\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  tls:\n    - hosts: [web.example.com]\n      secretName: ${secret}\n  rules:\n    - host: ${host}\n      http:\n        paths:\n          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n{{- end }}\n`;
    const CERTIFICATE = (issuer: string) =>
      `{{- if .Values.certificate.create }}\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web\nspec:\n  secretName: web-tls\n  issuerRef: {kind: ClusterIssuer, name: ${issuer}}\n{{- end }}\n`;
    const chart = (host = "{{ .Values.ingress.host }}", secret = "web-tls", issuer = "self-signed") =>
      tree({
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
        // An issuer its values spell, which no edit below touches (podinfo 902e62b5f3's "may rewrite ClusterIssuer").
        "charts/web/values.yaml":
          "ingress: {enabled: false, host: web.example.com}\ncertificate:\n  create: false\n  issuerRef: {kind: ClusterIssuer, name: self-signed}\n",
        "charts/web/templates/ingress.yaml": INGRESS(host, secret),
        "charts/web/templates/certificate.yaml": CERTIFICATE(issuer),
      });
    const review = async (base: SourceFile[], head: SourceFile[]) => {
      const rendered = await renderForReview(base, head, policy, { budgetMs: 30_000 });
      return reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW }).analysis.findings.filter(
        (finding) => finding.resource.kind === "Render",
      );
    };

    it("a host edited, or quoted: high, not reviewed, with no trust named (the s8 probe, podinfo ec57c11356)", async () => {
      for (const host of ["{{ .Values.ingress.host | quote }}", "shop.{{ .Values.ingress.host }}"]) {
        const findings = await review(chart(), chart(host));
        expect(findings.map((finding) => finding.risk)).toEqual(["high"]);
        expect(findings[0]!.summary).toContain("gated off by the chart's default values");
        expect(findings[0]!.summary).not.toContain("transport security");
      }
    });

    it("its tls secret or the Certificate's issuer edited: critical, naming what it writes", async () => {
      const [tls] = await review(chart(), chart(undefined, "shared-tls"));
      expect(tls).toMatchObject({ risk: "critical" });
      expect(tls!.summary).toContain("the change may rewrite Ingress spec.tls (transport security or trust)");
      const [issuer] = await review(chart(), chart(undefined, undefined, "letsencrypt-staging"));
      expect(issuer).toMatchObject({ risk: "critical" });
      expect(issuer!.summary).toContain("the change may rewrite Certificate (transport security or trust)");
    });
  },
);

import { describe, expect, it } from "vitest";
import { renderForReview } from "../../src/render/render-change.js";
import { valuesAskNoTraffic } from "../../src/render/traffic-names.js";
import { reviewChange, type SourceFile } from "../../src/review.js";
import { NOW, policyWith } from "../helpers/review-trees.js";

// Diaoul/home-ops 385f676387: openebs removed with its OCIRepository, a chart the policy trusts.
const source = (name: string) =>
  `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: ${name}, namespace: storage}\nspec:\n  url: oci://ghcr.io/openebs/charts/${name}\n  ref: {tag: 4.3.2}\n`;
const release = (name: string, values: string, extra = "") =>
  `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: ${name}, namespace: storage}\nspec:\n  chartRef: {kind: OCIRepository, name: ${name}}\n${extra}  values:\n${values}`;
const QUIET =
  "    localpv-provisioner:\n      hostpathClass: {enabled: true, name: openebs-hostpath}\n      localpv: {basePath: /var/mnt/local}\n";
const app = (values: string, extra = ""): SourceFile[] => [
  { path: "apps/openebs/ocirepository.yaml", text: source("openebs") },
  { path: "apps/openebs/helmrelease.yaml", text: release("openebs", values, extra) },
];
const other: SourceFile = {
  path: "apps/other/config.yaml",
  text: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: storage}\n",
};

async function review(base: readonly SourceFile[], head: readonly SourceFile[], trusted = ["oci://ghcr.io/openebs/charts/*"]) {
  const policy = policyWith(`render: { trusted: ${JSON.stringify(trusted)} }\n`);
  const rendered = await renderForReview(base, head, policy, { budgetMs: 60_000 });
  const result = reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW });
  return result.analysis.findings.filter((finding) => finding.resource.kind === "Render");
}

describe("a release removed with its trusted chart", () => {
  it("is low when its values ask for no traffic config, said so", async () => {
    const findings = await review([...app(QUIET), other], [other]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ risk: "low", file: "apps/openebs/helmrelease.yaml" });
    expect(findings[0]!.summary).toContain(
      "removed with its trusted chart (oci://ghcr.io/openebs/charts/openebs, the policy's `render.trusted`); its values enable no traffic config",
    );
  });

  it.each([
    ["an ingress", "    ingress:\n      enabled: true\n      className: internal\n"],
    ["a Gateway API route", "    route:\n      app:\n        parentRefs: [{name: internal, namespace: network}]\n"],
    ["an httpRoute", "    httpRoute: {enabled: true}\n"],
    ["an external-dns annotation", "    service:\n      annotations: {external-dns.alpha.kubernetes.io/target: 10.0.0.1}\n"],
    [
      "a raw HTTPRoute",
      "    extraObjects:\n      - apiVersion: gateway.networking.k8s.io/v1\n        kind: HTTPRoute\n        metadata: {name: web}\n",
    ],
  ])("still blocks when its values ask for %s", async (_, values) => {
    const findings = await review([...app(values), other], [other]);
    expect(findings.map((finding) => finding.risk)).toEqual(["high"]);
    expect(findings[0]!.summary).toContain("cannot be rendered offline");
  });

  it("still blocks when a values source it reads is not in the tree", async () => {
    const findings = await review([...app(QUIET, "  valuesFrom: [{kind: ConfigMap, name: openebs-values}]\n"), other], [other]);
    expect(findings.map((finding) => finding.risk)).toEqual(["high"]);
  });

  it("reads a valuesFrom ConfigMap the tree holds: one that asks for an ingress still blocks, one that asks for none does not", async () => {
    const values = (ingress: string) => ({
      path: "apps/openebs/values.yaml",
      text: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: openebs-values, namespace: storage}\ndata:\n  values.yaml: |\n    ${ingress}\n`,
    });
    const withValues = (written: string) => [
      ...app(QUIET, "  valuesFrom: [{kind: ConfigMap, name: openebs-values}]\n"),
      values(written),
      other,
    ];
    const risky = await review(withValues("ingress: {enabled: true}"), [other]);
    expect(risky.map((finding) => finding.risk)).toEqual(["high"]);
    const quiet = await review(withValues("replicas: 2"), [other]);
    expect(quiet.map((finding) => finding.risk)).toEqual(["low"]);
  });

  it("still blocks when its source is not trusted", async () => {
    const findings = await review([...app(QUIET), other], [other], ["oci://ghcr.io/other/**"]);
    expect(findings.map((finding) => finding.risk)).toEqual(["high"]);
  });

  it("still blocks when its values change rather than the release going", async () => {
    const findings = await review([...app(QUIET), other], [...app(QUIET.replace("/var/mnt/local", "/var/mnt/fast")), other]);
    expect(findings.map((finding) => finding.risk)).toEqual(["high"]);
    expect(findings[0]!.summary).toContain("this PR changes more");
  });

  it("still blocks when a release of the same name stays at head", async () => {
    const copy: SourceFile = { path: "clusters/b/openebs.yaml", text: release("openebs", "    ingress: {enabled: true}\n") };
    const findings = await review([...app(QUIET), copy, other], [copy, other]);
    expect(findings.map((finding) => finding.risk)).not.toContain("low");
    expect(findings.some((finding) => finding.summary.includes("removed with its trusted chart"))).toBe(false);
  });
});

describe("a controller's release removed with its trusted chart is no traffic-free removal (fluxcd/flux2-kustomize-helm-example 242c5b1eb1)", () => {
  const INGRESS: SourceFile = {
    path: "apps/web/ingress.yaml",
    text: "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: web}\nspec:\n  ingressClassName: nginx\n  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]\n",
  };
  const controller = (chart: string, url: string, values = "      replicaCount: 2\n"): SourceFile => ({
    path: `infra/${chart}.yaml`,
    text: `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: ${chart}, namespace: ${chart}}\nspec:\n  url: ${url}\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: ${chart}, namespace: ${chart}}\nspec:\n  chart:\n    spec: {chart: ${chart}, version: 1.0.0, sourceRef: {kind: HelmRepository, name: ${chart}}}\n  values:\n${values}`,
  });
  const NGINX = controller("ingress-nginx", "https://kubernetes.github.io/ingress-nginx");

  it("ingress-nginx removed beside an Ingress of its class: high, saying what it takes away, at the release's file", async () => {
    const findings = await review([NGINX, INGRESS], [INGRESS], ["https://kubernetes.github.io/ingress-nginx/*"]);
    expect(findings.map((finding) => [finding.risk, finding.file])).toEqual([["high", "infra/ingress-nginx.yaml"]]);
    expect(findings[0]!.summary).toContain("removed: chart ingress-nginx runs the controller of Ingresses");
    expect(findings[0]!.summary).not.toContain("enable no traffic config");
  });

  it("under `trusted: [\"**\"]` too; cert-manager's removal is critical, external-dns's high", async () => {
    expect((await review([NGINX, INGRESS], [INGRESS], ["**"])).map((finding) => finding.risk)).toEqual(["high"]);
    const certManager = controller("cert-manager", "https://charts.jetstack.io", "      crds: {enabled: true}\n");
    const [trust] = await review([certManager, INGRESS], [INGRESS], ["**"]);
    expect(trust).toMatchObject({ risk: "critical" });
    expect(trust!.summary).toContain("runs the controller of certificates and issuers");
    const dns = controller("external-dns", "https://kubernetes-sigs.github.io/external-dns", "      policy: sync\n");
    const [records] = await review([dns, INGRESS], [INGRESS], ["**"]);
    expect(records).toMatchObject({ risk: "high" });
    expect(records!.summary).toContain("runs the controller of DNS records");
  });

  it("a chart no family names is that controller where its name holds a class the tree still names", async () => {
    const internal: SourceFile = { ...INGRESS, text: INGRESS.text.replace("ingressClassName: nginx", "ingressClassName: edge-proxy") };
    const fork = controller("edge-proxy", "https://charts.example.com");
    const findings = await review([fork, internal], [internal], ["**"]);
    expect(findings.map((finding) => finding.risk)).toEqual(["high"]);
    expect(findings[0]!.summary).toContain(
      "runs the controller of Ingresses (its name holds edge-proxy, which the tree's manifests still name)",
    );
    // Its Ingresses gone with it, nothing names the class: the removal is the release's alone.
    expect((await review([fork, internal], [], ["**"])).map((finding) => finding.risk)).toEqual(["low"]);
  });

  it("a release of another chart removed the same way stays low", async () => {
    const findings = await review([controller("openebs", "https://openebs.github.io/openebs"), INGRESS], [INGRESS], ["**"]);
    expect(findings.map((finding) => finding.risk)).toEqual(["low"]);
  });
});

describe("valuesAskNoTraffic", () => {
  it("reads every key, in lists too, and the kinds its values name", () => {
    expect(valuesAskNoTraffic({ persistence: { config: { size: "1Gi" } }, hostNetwork: true, dnsPolicy: "ClusterFirst" })).toBe(true);
    expect(valuesAskNoTraffic({ controllers: [{ hosts: ["a.example.com"] }] })).toBe(false);
    expect(valuesAskNoTraffic({ server: { tls: { enabled: true } } })).toBe(false);
    expect(valuesAskNoTraffic({ expose: { type: "clusterIP" } })).toBe(false);
    expect(valuesAskNoTraffic({ manifests: "kind: VirtualService\n" })).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { unreadOutput } from "../../src/core/unread-output.js";
import { readYamlText } from "../../src/manifests/yaml-documents.js";

const release = (fields: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: tenant-gateways}
spec:
  chart: {spec: {chart: tenant-gateways}}
${fields}`;
const application = (destination: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: gateways, namespace: argocd}
spec:
  source: {repoURL: https://charts.example.com, chart: gateways, targetRevision: 1.2.3}
  destination: {server: https://kubernetes.default.svc${destination}}
`;
const madeIn = (text: string, applied?: string, unrendered = false) =>
  unreadOutput([{ path: "apps/x.yaml", text }], () => applied, unrendered, readYamlText);

describe("unreadOutput: the namespaces a tree's installers make objects in that the review does not read", () => {
  it("a HelmRelease's targetNamespace, else its own, else the namespace its file is applied in", () => {
    expect(madeIn(release("  targetNamespace: tenants\n"), "networking")("tenants")).toBe(true);
    expect(madeIn(release("  targetNamespace: tenants\n"), "networking")("networking")).toBe(false);
    expect(madeIn(release(""), "networking")("networking")).toBe(true);
    expect(madeIn(release(""), "networking")("apps")).toBe(false);
  });

  it("an Argo CD Application's destination namespace; one it does not say, or a template's, may be any", () => {
    expect(madeIn(application(", namespace: gateways"))("gateways")).toBe(true);
    expect(madeIn(application(", namespace: gateways"))("argocd")).toBe(false);
    expect(madeIn(application(""))("anything")).toBe(true);
    expect(madeIn(application(', namespace: "{{ .name }}"'))("anything")).toBe(true);
    expect(madeIn(release(""))("anything")).toBe(true);
  });

  it("no installer, nothing; a root left unrendered, anywhere", () => {
    const gateway = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: edge}\n";
    expect(madeIn(gateway, "networking")("networking")).toBe(false);
    expect(madeIn(gateway, "networking", true)("networking")).toBe(true);
  });
});

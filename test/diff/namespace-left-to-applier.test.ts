import { describe, expect, it } from "vitest";
import { analyze } from "../helpers/review-trees.js";

const destinationRule = (namespace: string | undefined, mode = "SIMPLE") => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: istiod-dr
${namespace === undefined ? "" : `  namespace: ${namespace}\n`}spec:
  host: istiod.istio-system.svc.cluster.local
  trafficPolicy:
    tls: {mode: ${mode}}
`;

const FILE = "samples/expose/expose.yaml";
const judged = (base: Record<string, string>, head: Record<string, string>) =>
  analyze(base, head).findings.map((finding) => `${finding.class} ${finding.risk}: ${finding.summary}`);

describe("a namespace the PR stops writing, where nothing in the tree says where the document lands", () => {
  it("is the same object, left to whoever applies it (istio 52b0cd9441)", () => {
    expect(judged({ [FILE]: destinationRule("istio-system") }, { [FILE]: destinationRule(undefined) })).toEqual([
      "resource.changed low: DestinationRule istio-system/istiod-dr: metadata.namespace removed",
    ]);
  });

  it("is judged as that object edited: its TLS weakened in the same PR still is", () => {
    expect(
      judged({ [FILE]: destinationRule("istio-system", "ISTIO_MUTUAL") }, { [FILE]: destinationRule(undefined, "DISABLE") }),
    ).toContainEqual(expect.stringMatching(/^mtls\.weakened critical: DestinationRule istio-system\/istiod-dr/));
  });

  it("a copy written in the namespace beside it keeps the object: the unwritten one is another", () => {
    const both = `${destinationRule("istio-system")}---\n${destinationRule(undefined, "DISABLE")}`;
    expect(judged({ [FILE]: destinationRule("istio-system") }, { [FILE]: both })).toContainEqual(
      expect.stringContaining("DestinationRule default/istiod-dr"),
    );
  });
});

describe("where the tree says where it lands, a namespace dropped is a move", () => {
  const moved = (findings: string[]) => findings.some((finding) => finding.includes("DestinationRule default/istiod-dr"));

  it("a kustomization that gives it another namespace", () => {
    const kustomization = { "samples/expose/kustomization.yaml": "namespace: default\nresources: [expose.yaml]\n" };
    expect(
      moved(
        judged({ ...kustomization, [FILE]: destinationRule("istio-system") }, { ...kustomization, [FILE]: destinationRule(undefined) }),
      ),
    ).toBe(true);
  });

  it("a Flux Kustomization or an Argo CD Application that delivers its file", () => {
    const flux = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: expose, namespace: flux-system}
spec: {interval: 10m, sourceRef: {kind: GitRepository, name: flux-system}, path: ./samples/expose, prune: true}
`;
    const argo = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: expose, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://github.com/example/mesh, path: samples/expose, targetRevision: main}
  destination: {server: https://kubernetes.default.svc, namespace: default}
`;
    for (const delivery of [flux, argo]) {
      const gitops = { "clusters/prod/expose.yaml": delivery };
      expect(moved(judged({ ...gitops, [FILE]: destinationRule("istio-system") }, { ...gitops, [FILE]: destinationRule(undefined) }))).toBe(
        true,
      );
    }
  });
});

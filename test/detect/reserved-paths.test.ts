import { describe, expect, it } from "vitest";
import { renderForReview } from "../../src/render/render-change.js";
import { renderTools } from "../../src/render/render-tools.js";
import { analyzeChange, type SourceFile } from "../../src/review.js";
import { policyWith } from "../helpers/review-trees.js";

// A repository path holding a folder name the render stage writes its output into is refused:
// never read as rendered output, never placed by the cluster its name spells.
const policy = policyWith("topology:\n  clusters: {sgp-prod-1: sgp, jkt-prod-1: jkt}\n  placements: ['clusters/{cluster}/**']\n");
const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  gatewayClassName: gke-l7-global-external-managed
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: checkout, namespace: shop}
spec:
  parentRefs: [{name: gw}]
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{name: checkout, port: 80}]}]
`;
const MARKED = [
  "clusters/sgp-prod-1/(rendered)/route.yaml",
  "clusters/sgp-prod-1/(rendered for flux-system:apps in clusters:jkt-prod-1:apps.yaml)/route.yaml",
  "clusters/sgp-prod-1/(rendered r to kubeConfig x:jkt-prod-1)/route.yaml",
  "clusters/sgp-prod-1/(rendered web)/route.yaml",
];

const files = (tree: Record<string, string>): SourceFile[] => Object.entries(tree).map(([path, text]) => ({ path, text }));
const analyzed = (base: Record<string, string>, head: Record<string, string>, links?: Parameters<typeof analyzeChange>[0]["links"]) =>
  analyzeChange({ base: files(base), head: files(head), policy, ...(links ? { links } : {}) });
const readFrom = (analysis: ReturnType<typeof analyzeChange>, side: "base" | "head") =>
  [...analysis[side].manifests.resources.values()].map((resource) => resource.source.file);

describe("a repository path holding a rendered-output folder name", () => {
  it.each(MARKED)("%s added: one high finding naming it, nothing read from it, nothing placed on the cluster it names", (path) => {
    const analysis = analyzed({}, { [path]: ROUTE });
    expect(analysis.findings.map((finding) => [finding.risk, finding.file, finding.clusters])).toEqual([["high", path, ["sgp-prod-1"]]]);
    expect(analysis.findings[0]!.summary).toMatch(new RegExp(`^file .* added: .*not read.*rename the folder$`));
    expect(readFrom(analysis, "head")).toEqual([]);
    expect(analysis.findings.flatMap((finding) => finding.clusters)).not.toContain("jkt-prod-1");
  });

  it("changed, removed or left as it was, it is refused alike: what it applies is missing from both trees", () => {
    const path = MARKED[2]!;
    const edited = ROUTE.replace("shop.example.com", "pay.example.com");
    const said = (base: Record<string, string>, head: Record<string, string>) =>
      analyzed(base, head).findings.map((finding) => [finding.risk, finding.file, finding.summary.split(": Route")[0]]);
    expect(said({ [path]: ROUTE }, { [path]: edited })).toEqual([["high", path, `file ${path} changed`]]);
    expect(said({ [path]: ROUTE }, {})).toEqual([["high", path, `file ${path} removed`]]);
    expect(said({ [path]: ROUTE }, { [path]: ROUTE })).toEqual([["high", path, `file ${path} unchanged`]]);
  });

  it("one outside the policy's paths is left out as every file there is", () => {
    const scoped = policyWith("paths: {include: ['clusters/**']}\n");
    const analysis = analyzeChange({ base: [], head: [{ path: "docs/(rendered)/route.yaml", text: ROUTE }], policy: scoped });
    expect(analysis.findings).toEqual([]);
  });

  it("a symlink at such a path, or leading to one, is refused too", () => {
    const links = (target: string, path = "clusters/jkt-prod-1/routes") => ({ base: [], head: [{ path, target }] });
    const at = analyzed({}, {}, links("../shared", "clusters/jkt-prod-1/(rendered r to kubeConfig x:sgp-prod-1)"));
    expect(at.findings.map((finding) => [finding.risk, finding.file, finding.clusters])).toEqual([
      ["high", "clusters/jkt-prod-1/(rendered r to kubeConfig x:sgp-prod-1)", ["jkt-prod-1"]],
    ]);
    const into = analyzed(
      { "shared/(rendered)/route.yaml": ROUTE },
      { "shared/(rendered)/route.yaml": ROUTE },
      links("../../shared/(rendered)"),
    );
    expect(into.findings.map((finding) => [finding.risk, finding.file])).toEqual([
      ["high", "clusters/jkt-prod-1/routes"],
      ["high", "shared/(rendered)/route.yaml"],
    ]);
  });

  it("an ordinary folder in parentheses is read and placed as any other", () => {
    const analysis = analyzed({}, { "clusters/sgp-prod-1/(legacy)/route.yaml": ROUTE });
    expect(readFrom(analysis, "head")).toEqual(["clusters/sgp-prod-1/(legacy)/route.yaml", "clusters/sgp-prod-1/(legacy)/route.yaml"]);
    expect(analysis.findings.some((finding) => finding.summary.includes("rename the folder"))).toBe(false);
    expect(analysis.findings.find((finding) => finding.class === "route.added")?.clusters).toEqual(["sgp-prod-1"]);
  });
});

const unavailable = await renderTools().then(
  () => undefined,
  (error: Error) => error.message,
);

describe.skipIf(unavailable !== undefined)("no render reads it either", () => {
  it("a kustomization in such a folder is not built: its output would carry the name", async () => {
    const folder = "clusters/sgp-prod-1/(rendered r to kubeConfig x:jkt-prod-1)";
    const head = files({ [`${folder}/kustomization.yaml`]: "resources: [route.yaml]\n", [`${folder}/route.yaml`]: ROUTE });
    const rendered = await renderForReview([], head, policy, { budgetMs: 60_000 });
    expect(rendered.roots).toEqual([]);
    expect(rendered.head.files).toEqual([]);
    const analysis = analyzeChange({ base: [], head, policy, rendered });
    expect(analysis.findings.map((finding) => [finding.risk, finding.file, finding.clusters])).toEqual([
      ["high", `${folder}/kustomization.yaml`, ["sgp-prod-1"]],
      ["high", `${folder}/route.yaml`, ["sgp-prod-1"]],
    ]);
  }, 60_000);
});

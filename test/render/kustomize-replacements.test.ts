import { describe, expect, it } from "vitest";
import { replacedFields, withFields } from "../../src/render/kustomize-replacements.js";
import type { SourceFile } from "../../src/review.js";

const tree = (files: Record<string, string>): SourceFile[] => Object.entries(files).map(([path, text]) => ({ path, text }));

const ks = (name: string, extra = "") => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}}
spec:
  path: ./apps/${name}
  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
${extra}`;

// haraldkoch/kochhaus-home's components/replacements/ks.yaml.
const toTargetNamespace = `---
- source:
    kind: Namespace
    fieldPath: metadata.name
  targets:
    - select:
        kind: Kustomization
        group: kustomize.toolkit.fluxcd.io
      fieldPaths:
        - spec.targetNamespace
      options:
        create: true
`;

const parent = (namespace: string | undefined, ...resources: string[]) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
${namespace ? `namespace: ${namespace}\n` : ""}replacements:
  - path: ../../components/replacements/ks.yaml
resources: [${resources.join(", ")}]
`;

describe("kustomize replacements written into Flux Kustomizations", () => {
  it("copies the Namespace's name, as kustomize's namespace transformer gives it (`_` under `namespace: obs`), into each Kustomization", () => {
    const files = tree({
      "components/replacements/ks.yaml": toTargetNamespace,
      "apps/obs/kustomization.yaml": parent("obs", "./namespace.yaml", "./web.yaml", "./api"),
      "apps/obs/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: _}\n",
      "apps/obs/web.yaml": ks("web"),
      "apps/obs/api/kustomization.yaml": "resources: [ks.yaml]\n",
      "apps/obs/api/ks.yaml": ks("api", "  targetNamespace: elsewhere\n"),
    });
    const replaced = replacedFields(files);
    expect(replaced("apps/obs/web.yaml", "web")).toEqual([{ path: ["spec", "targetNamespace"], value: "obs" }]);
    // An existing value is replaced; a nested kustomization's documents are accumulated too.
    expect(replaced("apps/obs/api/ks.yaml", "api")).toEqual([{ path: ["spec", "targetNamespace"], value: "obs" }]);
    expect(withFields({ spec: { path: "./a", targetNamespace: "elsewhere" } }, replaced("apps/obs/api/ks.yaml", "api"))).toEqual({
      spec: { path: "./a", targetNamespace: "obs" },
    });
  });

  it("reads a listed folder that is a link as kustomize does: its Kustomization gets the replacement", () => {
    const files = tree({
      "components/replacements/ks.yaml": toTargetNamespace,
      "apps/obs/kustomization.yaml": parent(undefined, "./namespace.yaml", "./api"),
      "apps/obs/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
      "shared/api/kustomization.yaml": "resources: [ks.yaml]\n",
      "shared/api/ks.yaml": ks("api"),
    });
    const links = [{ path: "apps/obs/api", target: "../../shared/api" }];
    expect(replacedFields(files, links)("shared/api/ks.yaml", "api")).toEqual([{ path: ["spec", "targetNamespace"], value: "shop" }]);
    expect(replacedFields(files)("shared/api/ks.yaml", "api")).toEqual([]);
  });

  it("a literal Namespace name without a kustomization namespace is copied as written", () => {
    const files = tree({
      "components/replacements/ks.yaml": toTargetNamespace,
      "apps/obs/kustomization.yaml": parent(undefined, "./namespace.yaml", "./web.yaml"),
      "apps/obs/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
      "apps/obs/web.yaml": ks("web"),
    });
    expect(replacedFields(files)("apps/obs/web.yaml", "web")).toEqual([{ path: ["spec", "targetNamespace"], value: "shop" }]);
  });

  it("nothing where it cannot be told: no source, two sources, a delimiter, a label selector, a complex path, no `create` for an absent field, a reject", () => {
    const inline = (replacement: string, ...resources: string[]) =>
      tree({
        "apps/obs/kustomization.yaml": `replacements:\n${replacement}\nresources: [${resources.join(", ")}]\n`,
        "apps/obs/a.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
        "apps/obs/b.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n",
        "apps/obs/web.yaml": ks("web"),
      });
    const target = (extra = "", fieldPath = "spec.targetNamespace") =>
      `    targets:\n      - select: {kind: Kustomization}\n        fieldPaths: [${fieldPath}]\n        options: {create: true}\n${extra}`;
    const cases = [
      inline(`  - source: {kind: Namespace}\n${target()}`, "web.yaml"),
      inline(`  - source: {kind: Namespace}\n${target()}`, "a.yaml", "b.yaml", "web.yaml"),
      inline(`  - source: {kind: Namespace, options: {delimiter: "-", index: 0}}\n${target()}`, "a.yaml", "web.yaml"),
      inline(`  - source: {kind: Namespace, labelSelector: "team=a"}\n${target()}`, "a.yaml", "web.yaml"),
      inline(`  - source: {kind: Namespace}\n${target("", "spec.patches.[name=x].patch")}`, "a.yaml", "web.yaml"),
      inline(`  - source: {kind: Namespace}\n${target("        reject: [{name: web}]\n")}`, "a.yaml", "web.yaml"),
      inline(
        `  - source: {kind: Namespace}\n    targets:\n      - select: {kind: Kustomization}\n        fieldPaths: [spec.targetNamespace]\n`,
        "a.yaml",
        "web.yaml",
      ),
    ];
    for (const files of cases) expect(replacedFields(files)("apps/obs/web.yaml", "web")).toEqual([]);
    // The control: one source, a plain path, `create`.
    expect(replacedFields(inline(`  - source: {kind: Namespace}\n${target()}`, "a.yaml", "web.yaml"))("apps/obs/web.yaml", "web")).toEqual([
      { path: ["spec", "targetNamespace"], value: "a" },
    ]);
  });
});

import * as jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { operationOnlyPatch } from "../../src/core/flux-operation-patch.js";

const documentsOf = (patch: string): unknown[] => jsyaml.loadAll(patch);
const RELEASES = { group: "helm.toolkit.fluxcd.io", kind: "HelmRelease" };
const CHILDREN = { group: "kustomize.toolkit.fluxcd.io", kind: "Kustomization" };
const release = (spec: string) => `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: _}\nspec: ${spec}`;
/** A patch of every child Kustomization giving it these nested patches (drag0n141/home-ops e38feebb35). */
const defaults = (nested: string) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: _}\nspec:\n  deletionPolicy: WaitForTermination\n  patches: [{patch: ${JSON.stringify(nested)}, target: ${JSON.stringify(RELEASES)}}]`;

describe("a kustomize patch that writes only how Flux applies its objects", () => {
  it("judges the fields by the kind its target selects, whatever kind the patch names", () => {
    expect(operationOnlyPatch(release("{install: {crds: CreateReplace}}"), RELEASES, documentsOf)).toBe(true);
    expect(operationOnlyPatch(release("{install: {crds: CreateReplace}}"), undefined, documentsOf)).toBe(true);
    expect(operationOnlyPatch(release("{timeout: 5m}"), { kind: "HTTPRoute" }, documentsOf)).toBe(false);
    expect(operationOnlyPatch(release("{timeout: 5m}"), { name: "web" }, documentsOf)).toBe(false);
    expect(operationOnlyPatch(release("{timeout: 5m}"), { group: "example.com", kind: "HelmRelease" }, documentsOf)).toBe(false);
    expect(operationOnlyPatch("- {op: add, path: /spec/wait, value: true}", CHILDREN, documentsOf)).toBe(true);
    expect(operationOnlyPatch("- {op: add, path: /spec/wait, value: true}", undefined, documentsOf)).toBe(false);
  });

  it("reads a Kustomization's nested patches by the same rules, only where its targets write none of their own", () => {
    const operational = defaults(release("{upgrade: {remediation: {retries: 2}}}"));
    expect(operationOnlyPatch(operational, CHILDREN, documentsOf, true)).toBe(true);
    expect(operationOnlyPatch(operational, CHILDREN, documentsOf)).toBe(false);
    expect(operationOnlyPatch(defaults(release("{values: {replicas: 0}}")), CHILDREN, documentsOf, true)).toBe(false);
    expect(operationOnlyPatch(defaults("- {op: remove, path: /spec/values/route}"), CHILDREN, documentsOf, true)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { patchedObject } from "../../src/render/kustomize-patch.js";
import { selectorOfText, selects } from "../../src/core/label-selector.js";

const APP = {
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "echo", namespace: "flux-system", labels: { tier: "apps" } },
  spec: { path: "./apps/echo", postBuild: { substitute: { APP: "echo" }, substituteFrom: [{ kind: "ConfigMap", name: "app-vars" }] } },
};
const FLUX_KUSTOMIZATIONS = { group: "kustomize.toolkit.fluxcd.io", kind: "Kustomization" };
const SETTINGS = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: _
spec:
  postBuild:
    substituteFrom:
      - {name: cluster-settings, kind: ConfigMap}
      - {name: cluster-secrets, kind: Secret}
`;

describe("a kustomize patch applied to one object", () => {
  it("a strategic merge with a target takes the object's name (onedr0p/cluster-template's `_`): maps merge, the custom resource's list is replaced", () => {
    expect(patchedObject(APP, { patch: SETTINGS, target: FLUX_KUSTOMIZATIONS })).toEqual({
      ...APP,
      spec: {
        path: "./apps/echo",
        postBuild: {
          substitute: { APP: "echo" },
          substituteFrom: [
            { name: "cluster-settings", kind: "ConfigMap" },
            { name: "cluster-secrets", kind: "Secret" },
          ],
        },
      },
    });
    // null removes a key, `$patch: replace` replaces a map.
    const cleared = "kind: Kustomization\nmetadata: {name: x}\nspec:\n  path: null\n  postBuild: {$patch: replace, substitute: {A: b}}\n";
    expect(patchedObject(APP, { patch: cleared, target: { kind: "Kustomization" } })).toEqual({
      ...APP,
      spec: { postBuild: { substitute: { A: "b" } } },
    });
  });

  it("a target selects by anchored regular expressions and label selectors; what it does not select is left as it is", () => {
    const patch = { patch: SETTINGS };
    expect(patchedObject(APP, { ...patch, target: { kind: "Kustom" } })).toBe(APP);
    expect(patchedObject(APP, { ...patch, target: { name: "ech" } })).toBe(APP);
    expect(patchedObject(APP, { ...patch, target: { group: "helm.toolkit.fluxcd.io" } })).toBe(APP);
    expect(patchedObject(APP, { ...patch, target: { labelSelector: "tier=infra" } })).toBe(APP);
    expect(patchedObject(APP, { ...patch, target: { name: "(echo|web)", labelSelector: "tier in (apps, infra)" } })).not.toBe(APP);
    // A selector that cannot be read, or a patch that cannot: what it does is unknown.
    expect(patchedObject(APP, { ...patch, target: { name: "(echo" } })).toBeUndefined();
    expect(patchedObject(APP, { ...patch, target: { labelSelector: "tier in apps" } })).toBeUndefined();
    expect(patchedObject(APP, { patch: "spec: [a\n", target: FLUX_KUSTOMIZATIONS })).toBeUndefined();
  });

  it("a strategic merge without a target patches the object it names", () => {
    const named = SETTINGS.replace("name: _", "name: echo");
    expect(patchedObject(APP, { patch: named })).not.toBe(APP);
    expect(patchedObject(APP, { patch: SETTINGS })).toBe(APP);
    expect(patchedObject(APP, { patch: named.replace("name: echo", "name: echo\n  namespace: apps") })).toBe(APP);
  });

  it("JSON 6902 operations apply in order; one that fails fails the build, so the result is unknown", () => {
    const add = `- op: add\n  path: /spec/postBuild\n  value:\n    substituteFrom: [{kind: ConfigMap, name: variables-config}]\n- op: replace\n  path: /spec/path\n  value: ./apps/echo/app\n- op: add\n  path: /metadata/labels/team~1owner\n  value: web\n`;
    expect(patchedObject(APP, { patch: add, target: FLUX_KUSTOMIZATIONS })).toEqual({
      ...APP,
      metadata: { ...APP.metadata, labels: { tier: "apps", "team/owner": "web" } },
      spec: { path: "./apps/echo/app", postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "variables-config" }] } },
    });
    const appended = "- {op: add, path: /spec/postBuild/substituteFrom/-, value: {kind: Secret, name: s}}\n";
    expect(patchedObject(APP, { patch: appended, target: FLUX_KUSTOMIZATIONS })?.spec).toEqual({
      ...APP.spec,
      postBuild: { ...APP.spec.postBuild, substituteFrom: [...APP.spec.postBuild.substituteFrom, { kind: "Secret", name: "s" }] },
    });
    expect(patchedObject(APP, { patch: "- {op: remove, path: /spec/components}\n", target: FLUX_KUSTOMIZATIONS })).toBeUndefined();
    expect(patchedObject(APP, { patch: "- {op: test, path: /spec/path, value: ./x}\n", target: FLUX_KUSTOMIZATIONS })).toBeUndefined();
    // Operations need a target to place them.
    expect(patchedObject(APP, { patch: appended })).toBeUndefined();
    // The object given is not changed.
    expect(APP.spec.postBuild.substituteFrom).toHaveLength(1);
  });

  it("a selector written as text reads as kubectl reads it", () => {
    const selector = selectorOfText("app=web, tier!=cache,env in (prod, staging),!legacy,owner")!;
    expect(selects(selector, { app: "web", env: "prod", owner: "a" })).toBe(true);
    expect(selects(selector, { app: "web", env: "prod", owner: "a", tier: "cache" })).toBe(false);
    expect(selects(selector, { app: "web", env: "dev", owner: "a" })).toBe(false);
    expect(selects(selector, { app: "web", env: "prod", owner: "a", legacy: "" })).toBe(false);
    expect(selectorOfText("app==web")).toEqual({ matchLabels: { app: "web" }, matchExpressions: [] });
    expect(selectorOfText("app in web")).toBeUndefined();
  });
});

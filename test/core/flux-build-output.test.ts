import { describe, expect, it } from "vitest";
import { fluxBuildFolderName, fluxBuildText, ownFluxBuild, siteLabel } from "../../src/core/flux-build-output.js";

describe("a Flux Kustomization's own build folder", () => {
  const apps = { file: "clusters/common/apps.yaml", namespace: "flux-system", name: "apps" };
  const site = "where kustomize.toolkit.fluxcd.io/Kustomization/flux-system/flux-system@clusters/b/flux-system/gotk-sync.yaml is applied";

  it("names the site a build is for, and tells whose build a path is in, for all its sites or for one", () => {
    const one = `apps/${fluxBuildFolderName({ ...apps, site })}/route.yaml`;
    expect(one).toBe(
      "apps/(rendered for flux-system:apps in clusters:common:apps.yaml on the cluster applying clusters:b:flux-system:gotk-sync.yaml)/route.yaml",
    );
    expect(ownFluxBuild(one, apps)).toEqual({ site: siteLabel(site) });
    expect(ownFluxBuild(`apps/${fluxBuildFolderName(apps)}/route.yaml`, apps)).toEqual({});
    // Another Kustomization's build, one whose file only begins alike, is not its own.
    expect(ownFluxBuild(one, { ...apps, file: "clusters/common/apps.yml" })).toBeUndefined();
    expect(ownFluxBuild(one.replace("apps.yaml on", "apps.yaml.bak on"), apps)).toBeUndefined();
    expect(fluxBuildText({ ...apps, site: "prod-us" })).toBe("flux-system/apps in clusters/common/apps.yaml on prod-us");
    // An Argo CD site's parentheses do not end the folder's name.
    expect(siteLabel("where Argo CD runs (clusters/prod/argocd.yaml)")).toBe("where Argo CD runs [clusters:prod:argocd.yaml]");
  });
});

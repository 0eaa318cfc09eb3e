import { describe, expect, it } from "vitest";
import { linkedPaths, linkTarget, realPaths } from "../../src/core/repository-links.js";

const link = (path: string, target: string) => ({ path, target });

describe("a tree's links, followed as Argo CD and Flux follow them", () => {
  it("a link's target is a repository path; one out of the repository (absolute, or above its root) has none", () => {
    expect(linkTarget(link("clusters/prod/apps", "../../apps/shop"))).toBe("apps/shop");
    expect(linkTarget(link("charts/web/values.yaml", "../../env/./web-values.yaml"))).toBe("env/web-values.yaml");
    expect(linkTarget(link("registry/k3s.yaml", "/output/kubeconfig.yaml"))).toBeUndefined();
    expect(linkTarget(link("clusters/x.yaml", "../../../shared/x.yaml"))).toBeUndefined();
  });

  it("a file is found at every path a link gives it, links into linked folders too; a cycle ends", () => {
    const pathsOf = linkedPaths([
      link("clusters/prod/apps", "../../apps/shop"),
      link("clusters/staging/apps", "../prod/apps"),
      link("apps/shop/release.yaml", "../../shared/release.yaml"),
      link("loop/a", "../loop"),
      link("outside", "/srv/apps"),
    ]);
    expect(pathsOf("apps/shop/route.yaml")).toEqual(["clusters/prod/apps/route.yaml", "clusters/staging/apps/route.yaml"]);
    expect(pathsOf("shared/release.yaml")).toEqual([
      "apps/shop/release.yaml",
      "clusters/prod/apps/release.yaml",
      "clusters/staging/apps/release.yaml",
    ]);
    // A folder is the file a link to it names, as its contents are.
    expect(pathsOf("apps/shop")).toEqual(["clusters/prod/apps", "clusters/staging/apps"]);
    expect(pathsOf("apps/shopping/route.yaml")).toEqual([]);
    expect(pathsOf("loop/x.yaml").length).toBeLessThanOrEqual(8);
    expect(linkedPaths([])("apps/shop/route.yaml")).toEqual([]);
  });

  it("a path through links is the path they lead to", () => {
    const real = realPaths([link("clusters/prod/apps", "../../apps/shop"), link("charts/web", "../shared/charts/web")]);
    expect(real("clusters/prod/apps/route.yaml")).toBe("apps/shop/route.yaml");
    expect(real("charts/web")).toBe("shared/charts/web");
    expect(real("charts/website")).toBe("charts/website");
  });
});

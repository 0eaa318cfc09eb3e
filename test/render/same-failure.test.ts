import { describe, expect, it } from "vitest";
import { sameFailure } from "../../src/render/render-change.js";

describe("one render failure at base and head, wherever in its file the tool met it", () => {
  const duplicate = (line: number, first: number) =>
    `kubectl kustomize: map[string]interface {}: yaml: unmarshal errors:\n  line ${line}: mapping key "alertmanager" already defined at line ${first}`;

  it("a duplicate key that moved down the file is the same failure (flux2-kustomize-gitops-demo 7f4964a6ee)", () => {
    expect(sameFailure(duplicate(41, 12), duplicate(44, 15))).toBe(true);
    expect(sameFailure("error at values.yaml:12:5: bad indent", "error at values.yaml:14:5: bad indent")).toBe(true);
    expect(
      sameFailure(
        "accumulating resources from '/tmp/route-governor-render-abc123/base/x': not found",
        "accumulating resources from '/tmp/route-governor-render-def456/base/x': not found",
      ),
    ).toBe(true);
  });

  it("another key, another file or another error is another failure", () => {
    expect(sameFailure(duplicate(41, 12), duplicate(41, 12).replace("alertmanager", "grafana"))).toBe(false);
    expect(sameFailure("error at values.yaml:12:5: bad indent", "error at other.yaml:12:5: bad indent")).toBe(false);
    expect(sameFailure("no matches for Id Deployment.v1.apps/web", "no matches for Id Deployment.v1.apps/api")).toBe(false);
  });
});

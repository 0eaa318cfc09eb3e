import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

const real = (path: string) => readFileSync(resolve(import.meta.dirname, "../../fixtures/real", path), "utf8");
const FILE = "base/all/namespace.yaml";
const namespace = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n${labels}\n`;
const found = (result: ReturnType<typeof analyze>) => result.findings.map((finding) => [finding.class, finding.risk, finding.summary]);

describe("sidecar injection of a namespace (issue 11)", () => {
  it("istio.io/rev asm-managed → istio-injection enabled moves the namespace to the default control plane (anthos-service-mesh-samples 89e0a44)", () => {
    const result = analyze({ [FILE]: real("asm-samples/namespace-rev.yaml") }, { [FILE]: real("asm-samples/namespace-injection.yaml") });
    expect(found(result)).toEqual([["resource.changed", "medium", expect.stringContaining("injected by control plane asm-managed → default")]]);
  });

  it("istio-injection enabled → disabled is mTLS weakened for the namespace", () => {
    const result = analyze({ [FILE]: namespace("    istio-injection: enabled") }, { [FILE]: namespace("    istio-injection: disabled") });
    expect(found(result)).toEqual([["mtls.weakened", "critical", expect.stringContaining("sidecar injection off (istio-injection=enabled → istio-injection=disabled)")]]);
    expect(result.findings[0]?.line).toBe(6);
  });

  it("the revision label removed while the file stays is mTLS weakened, not a silent pass", () => {
    const result = analyze({ [FILE]: namespace("    istio.io/rev: 1-24\n    team: shop") }, { [FILE]: namespace("    team: shop") });
    expect(found(result)).toEqual([["mtls.weakened", "critical", expect.stringContaining("istio.io/rev=1-24 → no injection label")]]);
  });

  it("a namespace file deleted is reported without blocking: the namespace most likely goes with its workloads", () => {
    const result = analyze({ [FILE]: namespace("    istio-injection: enabled") }, {});
    expect(found(result)).toEqual([["resource.changed", "low", expect.stringContaining("removed from the repository")]]);
  });

  it("injection turned on does not block", () => {
    const result = analyze({ [FILE]: namespace("    team: shop") }, { [FILE]: namespace("    istio-injection: enabled") });
    expect(found(result)).toEqual([["resource.changed", "low", expect.stringContaining("sidecar injection on")]]);
  });
});

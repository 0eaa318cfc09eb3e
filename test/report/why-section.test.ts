import { describe, expect, it } from "vitest";
import { whySection } from "../../src/report/markdown-report.js";
import type { Finding } from "../../src/core/finding.js";
import type { ReviewResult } from "../../src/review.js";

const finding = (file: string, line: number, name: string): Finding => ({
  class: "resource.changed",
  risk: "high",
  summary: `kustomize ${name} was not rendered`,
  file,
  line,
  resource: { group: "", kind: "ConfigMap", namespace: "flux-system", name },
  fingerprint: name,
  clusters: [],
  regions: [],
});

/** The Why section reads the findings alone. */
const why = (findings: readonly Finding[]) => whySection({ analysis: { findings } } as unknown as ReviewResult);

describe("the Why section's grouped lines", () => {
  it("name each other place once, not once a finding (carpenike/k8s-gitops: 104 overlays of one shared file)", () => {
    const findings = [
      ...Array.from({ length: 9 }, (_, n) => finding("cluster/base/config/configmap.yaml", 1, `overlay-${n}`)),
      finding("cluster/apps/route.yaml", 4, "apps"),
    ];
    expect(why(findings)[1]).toBe(
      "- 🔴 high `resource.changed` ×10 kustomize overlay-0 was not rendered <sub>`cluster/base/config/configmap.yaml:1` · 9 more like it at `cluster/apps/route.yaml:4`</sub>",
    );
  });

  it("say so where every other finding is at the same place", () => {
    const findings = Array.from({ length: 9 }, (_, n) => finding("cluster/base/config/configmap.yaml", 1, `overlay-${n}`));
    expect(why(findings)[1]).toMatch(/ · 8 more like it at the same place<\/sub>$/);
  });
});

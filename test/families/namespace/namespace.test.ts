import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

const namespace = (metadata: string) => `apiVersion: v1\nkind: Namespace\nmetadata: ${metadata}\n`;

describe("core Namespaces, read for their labels", () => {
  it("a Namespace is a resource of the namespace family, its labels kept; one with mesh labels stays the mesh's", () => {
    const result = analyze(
      {},
      { "a.yaml": namespace("{ name: a, labels: { team: a } }"), "b.yaml": namespace("{ name: b, labels: { istio-injection: enabled } }") },
    );
    expect([...result.head.manifests.resources.values()].map((r) => [r.id.name, r.family, r.labels])).toEqual([
      ["a", "namespace", { team: "a" }],
      ["b", "istio-mesh", { "istio-injection": "enabled" }],
    ]);
  });

  it("an unreadable or templated Namespace is not read and never gates", () => {
    const broken = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels: [broken\n";
    const templated = namespace("{ name: '{{ .Values.ns }}' }").replace("name: '{{ .Values.ns }}'", "name: {{ .Values.ns }}");
    const result = analyze({}, { "broken.yaml": broken, "templated.yaml": templated });
    expect(result.invalid).toEqual([]);
    expect(result.head.manifests.resources.size).toBe(0);
  });

  it("a Namespace losing its sidecar injection label is still the mesh's change, read as a plain Namespace on the head side", () => {
    const result = analyze(
      { "ns.yaml": namespace("{ name: shop, labels: { istio-injection: enabled } }") },
      { "ns.yaml": namespace("{ name: shop, labels: { team: shop } }") },
    );
    expect(result.findings.map((finding) => finding.class)).toContain("mtls.weakened");
  });
});

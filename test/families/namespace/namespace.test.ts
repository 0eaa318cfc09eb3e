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

  describe("a Namespace removed while its objects stay", () => {
    const route = (namespace: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: web, namespace: ${namespace} }\nspec:\n  rules: [{ backendRefs: [{ name: web, port: 80 }] }]\n`;
    const found = (result: ReturnType<typeof analyze>) => result.findings.filter((finding) => finding.class === "reference.broken");

    it("is reference.broken, high, naming what stays (gitops-istio's istio-system renamed in the mutation sweep)", () => {
      const result = analyze(
        { "ns.yaml": namespace("{ name: shop }"), "route.yaml": route("shop") },
        { "ns.yaml": namespace("{ name: shop-x }"), "route.yaml": route("shop") },
      );
      expect(found(result).map((finding) => [finding.risk, finding.summary, finding.file])).toEqual([
        [
          "high",
          expect.stringContaining(
            "Namespace shop: removed while 1 traffic resource stays in it (HTTPRoute shop/web): a GitOps tool that prunes deletes the namespace",
          ),
          "ns.yaml",
        ],
      ]);
    });

    it("a route written in two folders is one traffic resource staying, named once with its files", () => {
      const routes = { "a/route.yaml": route("shop"), "b/route.yaml": route("shop") };
      const result = analyze({ "ns.yaml": namespace("{ name: shop }"), ...routes }, routes);
      expect(found(result).map((finding) => finding.summary)).toEqual([
        expect.stringContaining(
          "removed while 1 traffic resource stays in it (HTTPRoute shop/web (in 2 files: a/route.yaml, b/route.yaml))",
        ),
      ]);
    });

    it("a Namespace with mesh labels (the mesh's resource) is judged the same", () => {
      const result = analyze(
        { "ns.yaml": namespace("{ name: shop, labels: { istio-injection: enabled } }"), "route.yaml": route("shop") },
        { "route.yaml": route("shop") },
      );
      expect(found(result)).toHaveLength(1);
    });

    it("nothing when it moves to another file, is renamed with its objects, held nothing of the tree's, or cannot be deleted", () => {
      const moved = analyze(
        { "a.yaml": namespace("{ name: shop }"), "route.yaml": route("shop") },
        { "b.yaml": namespace("{ name: shop }"), "route.yaml": route("shop") },
      );
      const renamed = analyze(
        { "ns.yaml": namespace("{ name: shop }"), "route.yaml": route("shop") },
        { "ns.yaml": namespace("{ name: store }"), "route.yaml": route("store") },
      );
      const empty = analyze({ "ns.yaml": namespace("{ name: shop }"), "route.yaml": route("other") }, { "route.yaml": route("other") });
      // Kubernetes refuses to delete `default` and the kube-* namespaces (gke-networking-recipes 2b60da9).
      const immortal = analyze(
        { "ns.yaml": namespace("{ name: default }"), "route.yaml": route("default") },
        { "route.yaml": route("default") },
      );
      for (const result of [moved, renamed, empty, immortal]) expect(found(result)).toEqual([]);
    });

    it("Flux's `prune: disabled` (or `reconcile: disabled`, label or annotation) leaves it in the cluster: low, said; without it, high", () => {
      const kept = (metadata: string) =>
        analyze({ "ns.yaml": namespace(metadata), "route.yaml": route("shop") }, { "route.yaml": route("shop") }).findings.filter(
          (finding) => finding.file === "ns.yaml",
        );
      for (const metadata of [
        '{ name: shop, annotations: { "kustomize.toolkit.fluxcd.io/prune": disabled } }',
        '{ name: shop, labels: { "kustomize.toolkit.fluxcd.io/prune": Disabled } }',
        '{ name: shop, annotations: { "kustomize.toolkit.fluxcd.io/reconcile": disabled } }',
      ])
        expect(kept(metadata).map((finding) => [finding.class, finding.risk, finding.summary])).toEqual([
          [
            "resource.changed",
            "low",
            expect.stringMatching(
              /removed while 1 traffic resource stays in it \(HTTPRoute shop\/web\), but it says .*: Flux leaves it in the cluster/,
            ),
          ],
        ]);
      // Any other value prunes as usual, as does Argo CD's own annotation, which is not Flux's.
      for (const metadata of [
        '{ name: shop, annotations: { "kustomize.toolkit.fluxcd.io/prune": enabled } }',
        '{ name: shop, annotations: { "kustomize.toolkit.fluxcd.io/ssa": IfNotPresent } }',
      ])
        expect(kept(metadata).map((finding) => [finding.class, finding.risk])).toEqual([["reference.broken", "high"]]);
    });

    describe("kustomize's namespace transformer names every core Namespace it reaches (`name: _`, mirceanton/home-ops d9c3f7a362)", () => {
      const kustomization = (namespace: string, ...resources: string[]) =>
        `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${namespace}\nresources: [${resources.join(", ")}]\n`;
      const app =
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: web }\nspec:\n  rules: [{ backendRefs: [{ name: web, port: 80 }] }]\n";
      const tree = (name: string | undefined) => ({
        "apps/dev/kustomization.yaml": kustomization("development", ...(name ? ["ns.yaml"] : []), "route.yaml"),
        ...(name ? { "apps/dev/ns.yaml": namespace(`{ name: ${name} }`) } : {}),
        "apps/dev/route.yaml": app,
      });

      it("`development` written as `_` is the same Namespace: no finding", () => {
        const result = analyze(tree("development"), tree("_"));
        expect(result.findings).toEqual([]);
        expect(result.invalid).toEqual([]);
        expect([...result.head.manifests.resources.values()].map((resource) => resource.key)).toContain("/Namespace//development");
      });

      it("a `_` Namespace removed while its objects stay is high, as a literal one is (the dangerous twin)", () => {
        for (const name of ["_", "development", "anything"]) {
          const result = analyze(tree(name), tree(undefined));
          expect(found(result).map((finding) => [finding.risk, finding.summary])).toEqual([
            [
              "high",
              expect.stringContaining("Namespace development: removed while 1 traffic resource stays in it (HTTPRoute development/web)"),
            ],
          ]);
        }
      });

      it("so does Flux's targetNamespace, which it writes as that transformer's namespace", () => {
        const flux =
          "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: dev, namespace: flux-system }\nspec:\n  path: ./apps/dev\n  targetNamespace: development\n  sourceRef: { kind: GitRepository, name: flux-system }\n";
        const delivered = (name: string | undefined) => ({
          "clusters/main/dev.yaml": flux,
          ...(name ? { "apps/dev/ns.yaml": namespace(`{ name: ${name} }`) } : {}),
          "apps/dev/route.yaml": app,
        });
        expect(analyze(delivered("development"), delivered("_")).findings).toEqual([]);
        expect(found(analyze(delivered("_"), delivered(undefined))).map((finding) => finding.risk)).toEqual(["high"]);
      });

      it("a `_` no kustomization renames is refused as before: unread (read for context), or invalid where the mesh reads it", () => {
        const plain = analyze({}, { "ns.yaml": namespace("{ name: _ }") });
        expect(plain.head.manifests.resources.size).toBe(0);
        expect(plain.invalid).toEqual([]);
        const mesh = analyze({}, { "ns.yaml": namespace("{ name: _, labels: { istio-injection: enabled } }") });
        expect(mesh.invalid.map((item) => item.message)).toEqual([expect.stringContaining("metadata.name")]);
        const renamed = analyze(
          {},
          {
            "kustomization.yaml": kustomization("shop", "ns.yaml"),
            "ns.yaml": namespace("{ name: _, labels: { istio-injection: enabled } }"),
          },
        );
        expect(renamed.invalid).toEqual([]);
        expect(
          [...renamed.head.manifests.resources.values()]
            .filter(({ id }) => id.kind === "Namespace")
            .map(({ id, family }) => [id.name, family]),
        ).toEqual([["shop", "istio-mesh"]]);
      });
    });

    it("objects of that namespace in another cluster are not left behind", () => {
      const topology = 'topology: { placements: ["clusters/{cluster}/**"] }';
      const base = {
        "clusters/a/ns.yaml": namespace("{ name: shop }"),
        "clusters/b/ns.yaml": namespace("{ name: shop }"),
        "clusters/b/route.yaml": route("shop"),
      };
      const onlyA = analyze(base, { "clusters/b/ns.yaml": namespace("{ name: shop }"), "clusters/b/route.yaml": route("shop") }, topology);
      expect(found(onlyA)).toEqual([]);
      const onlyB = analyze(base, { "clusters/a/ns.yaml": namespace("{ name: shop }"), "clusters/b/route.yaml": route("shop") }, topology);
      expect(found(onlyB)).toHaveLength(1);
    });
  });
});

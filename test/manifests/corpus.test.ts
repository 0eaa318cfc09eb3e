import { CORPUS, describeCorpus } from "../helpers/corpus.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";
import { groupOf } from "../../src/core/api-group.js";
import { kindSpec } from "../../src/manifests/kinds.js";
import { loadManifests, type SourceFile } from "../../src/manifests/load-manifests.js";

/** Real public configuration (../shared/corpus, see its SOURCES.md), read as one tree. */
const corpus = CORPUS;

const readTree = (root: string): SourceFile[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((path) => ({ path: relative(root, path), text: readFileSync(path, "utf8") }));

const bookinfo = "istio__istio/samples/bookinfo/networking";
const blueGreen = "GoogleCloudPlatform__gke-networking-recipes/gateway/multi-cluster/mcg-internal-blue-green";

describeCorpus("the public corpus", () => {
  const files = existsSync(corpus) ? readTree(corpus) : [];
  const set = loadManifests(files);
  const one = (path: string) => loadManifests(files.filter((file) => file.path === path));

  it("reads every YAML file without an exception", () => {
    expect(set.files).toEqual(files.filter((file) => /\.ya?ml$/.test(file.path)).map((file) => file.path));
    expect(set.files.length).toBeGreaterThan(100);
  });

  it("identifies every traffic document: each is a resource or an invalid manifest", () => {
    // An independent count: column-0 apiVersion/kind of each `---`-separated document.
    const declared = files.flatMap((file) =>
      file.text.split(/^---\s*$/m).filter((doc) => {
        const apiVersion = /^apiVersion:\s*(\S+)/m.exec(doc)?.[1];
        const kind = /^kind:\s*(\S+)/m.exec(doc)?.[1];
        // Every core Namespace is read too, for the labels listener selectors match.
        return (
          apiVersion !== undefined &&
          kind !== undefined &&
          (kindSpec(groupOf(apiVersion), kind) !== undefined || (apiVersion === "v1" && kind === "Namespace"))
        );
      }),
    );
    expect(set.resources.size + set.invalid.length).toBe(declared.length);
  });

  it("finds the traffic kinds the corpus holds", () => {
    const counts: Record<string, number> = {};
    for (const { id } of set.resources.values()) counts[`${id.group} ${id.kind}`] = (counts[`${id.group} ${id.kind}`] ?? 0) + 1;
    expect(counts).toEqual({
      " Namespace": 15,
      "gateway.networking.k8s.io BackendTLSPolicy": 2,
      "gateway.networking.k8s.io GRPCRoute": 1,
      "gateway.networking.k8s.io Gateway": 11,
      "gateway.networking.k8s.io HTTPRoute": 41,
      "gateway.networking.k8s.io ReferenceGrant": 3,
      "k8gb.io Gslb": 7,
      "kustomize.config.k8s.io Kustomization": 2,
      "kustomize.toolkit.fluxcd.io Kustomization": 6,
      "net.gke.io ServiceExport": 6,
      "networking.istio.io DestinationRule": 14,
      "networking.istio.io Gateway": 11,
      "networking.istio.io ServiceEntry": 6,
      "networking.istio.io VirtualService": 78,
      "networking.x-k8s.io Gateway": 2,
      "networking.x-k8s.io HTTPRoute": 7,
      "source.extensions.fluxcd.io ArtifactGenerator": 2,
    });
  });

  it("reads the bookinfo 90/10 VirtualService as default/reviews with its weights", () => {
    const path = `${bookinfo}/virtual-service-reviews-90-10.yaml`;
    const alone = one(path);
    expect([...alone.resources.keys()]).toEqual(["networking.istio.io/VirtualService/default/reviews"]);
    const reviews = alone.resources.get("networking.istio.io/VirtualService/default/reviews");
    expect(reviews?.body).toMatchObject({
      spec: {
        http: [
          {
            route: [
              { destination: { subset: "v1" }, weight: 90 },
              { destination: { subset: "v2" }, weight: 10 },
            ],
          },
        ],
      },
    });
    // In the whole corpus the same VirtualService is in many bookinfo files, so each keeps its file.
    expect(set.resources.get(`networking.istio.io/VirtualService/default/reviews@${path}`)?.source).toMatchObject({ file: path, line: 1 });
  });

  it("reads the GKE blue-green gateway.yaml as one legacy Gateway, and its Namespace for the labels", () => {
    const alone = one(`${blueGreen}/gateway.yaml`);
    expect([...alone.resources.values()].map((r) => [r.key, r.family])).toEqual([
      ["/Namespace//mcgi-bg", "namespace"],
      ["networking.x-k8s.io/Gateway/mcgi-bg/multi-cluster-gateway", "legacy-gateway-api"],
    ]);
    expect(alone.resources.get("networking.x-k8s.io/Gateway/mcgi-bg/multi-cluster-gateway")?.source.line).toBe(6);
  });

  it("reads Flux Kustomizations, ArtifactGenerators and kustomize's own Kustomization as placement, ignoring the CRDs", () => {
    const production = set.files.filter((path) => path.startsWith("fluxcd__flux2-kustomize-helm-example/clusters/production/"));
    const found = [...set.resources.values()].filter((r) => production.includes(r.source.file));
    expect(found.map((r) => [r.family, r.id.namespace, r.id.name]).sort()).toEqual([
      ["placement", "", "kustomization"],
      ["placement", "flux-system", "apps"],
      ["placement", "flux-system", "flux-system"],
      ["placement", "flux-system", "infra-configs"],
      ["placement", "flux-system", "infra-controllers"],
    ]);
  });

  it("reports the analyzer's deliberately empty route destination as invalid, at its line", () => {
    expect(set.invalid).toEqual([
      {
        file: "istio__istio/pkg/config/analysis/analyzers/testdata/virtualservice_destinationhosts.yaml",
        line: 97,
        message: "VirtualService default/reviews-bogushost: spec.http[0].route[0].destination: required, expected object",
        resource: { group: "networking.istio.io", kind: "VirtualService", namespace: "default", name: "reviews-bogushost" },
      },
    ]);
  });

  it("reports a corpus route turned into a Helm template as a template, not a crash", () => {
    const path = `${blueGreen}/route-step-3-canary.yaml`;
    const original = files.find((file) => file.path === path);
    const text = original?.text.replace("name: sample-app-green", "name: {{ .Values.canary }}") ?? "";
    expect(text).toContain("{{");
    const templated = loadManifests([{ path, text }]);
    expect(templated.resources.size).toBe(0);
    expect(templated.invalid.map((invalid) => invalid.message)).toEqual([expect.stringContaining("template: render it before review")]);
  });

  it("reports a corpus file cut mid-document as broken, keeping the documents before the cut", () => {
    const path = "kubernetes-sigs__gateway-api/conformance/tests/httproute-weight.yaml";
    const text = files.find((file) => file.path === path)?.text ?? "";
    const cut = `${text}---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: [cut`;
    const intact = loadManifests([{ path, text }]);
    const broken = loadManifests([{ path, text: cut }]);
    expect([...broken.resources.keys()]).toEqual([...intact.resources.keys()]);
    expect(broken.invalid).toHaveLength(1);
    // The appended document's fifth line, `name: [cut`.
    expect(broken.invalid[0]?.line).toBe((text.match(/\n/g)?.length ?? 0) + 5);
  });
});

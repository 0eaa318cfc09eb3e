import { describe, expect, it } from "vitest";
import { k8gbSettingsDetector } from "../../../src/families/dns/k8gb-settings.js";
import { analyze } from "../../helpers/review-trees.js";
import { detect, detectorTable } from "../../detect/resource-fixture.js";

const run = detectorTable(k8gbSettingsDetector);

/** A Flux HelmRelease of k8gb's chart with these `k8gb:` values (flow style). */
const release = (k8gb: string, chart = "k8gb") => `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: k8gb, namespace: k8gb}
spec:
  chart: {spec: {chart: ${chart}, version: 0.14.0, sourceRef: {kind: HelmRepository, name: k8gb}}}
  values:
    k8gb: ${k8gb}
    coredns: {serviceType: LoadBalancer}
`;

const ZONE = "dnsZones: [{parentZone: example.com, loadBalancedZone: cloud.example.com}]";

describe("k8gb's settings in its chart's values (Flux HelmRelease)", () => {
  run([
    {
      name: "clusterGeoTag flipped: every failover Gslb's primary moves",
      base: release(`{${ZONE}, clusterGeoTag: eu, extGslbClustersGeoTags: "eu,us"}`),
      head: release(`{${ZONE}, clusterGeoTag: us, extGslbClustersGeoTags: "eu,us"}`),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "values", "k8gb", "clusterGeoTag"],
          says: "HelmRelease k8gb/k8gb: k8gb.clusterGeoTag eu → us: this cluster now answers as geoTag us (its peers us → eu): failover Gslbs with primaryGeoTag eu lose it as their primary",
        },
      ],
    },
    {
      name: "the same flip with the peers listed without the own tag: its peers are said with it",
      base: release("{clusterGeoTag: eu, extGslbClustersGeoTags: us}"),
      head: release("{clusterGeoTag: us, extGslbClustersGeoTags: us}"),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "values", "k8gb", "clusterGeoTag"],
          says: "k8gb.clusterGeoTag eu → us: this cluster now answers as geoTag us (its peers us → (none)): failover Gslbs",
        },
      ],
    },
    {
      name: "a flip that also drops a third peer",
      base: release('{clusterGeoTag: eu, extGslbClustersGeoTags: "us,ap"}'),
      head: release("{clusterGeoTag: us, extGslbClustersGeoTags: eu}"),
      expected: [
        { class: "failover.changed", side: "head", path: ["spec", "values", "k8gb", "clusterGeoTag"], says: "(its peers ap, us → eu)" },
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "values", "k8gb", "extGslbClustersGeoTags"],
          says: "k8gb.extGslbClustersGeoTags us,ap → eu (peers ap, us → eu): k8gb here no longer pairs with the clusters tagged ap",
        },
      ],
    },
    {
      name: "peers emptied: each cluster answers only for itself",
      base: release("{clusterGeoTag: eu, extGslbClustersGeoTags: us}"),
      head: release('{clusterGeoTag: eu, extGslbClustersGeoTags: ""}'),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "values", "k8gb", "extGslbClustersGeoTags"],
          says: 'k8gb.extGslbClustersGeoTags us → "" (peers us → (none)): k8gb here no longer pairs with the clusters tagged us: its DNS answers leave their targets out',
        },
      ],
    },
    {
      name: "a peer added: its region now takes DNS answers",
      base: release("{clusterGeoTag: eu, extGslbClustersGeoTags: us}"),
      head: release('{clusterGeoTag: eu, extGslbClustersGeoTags: "us, ap"}'),
      expected: [
        {
          class: "backend.region-added",
          side: "head",
          path: ["spec", "values", "k8gb", "extGslbClustersGeoTags"],
          says: "(peers us → ap, us): k8gb here now pairs with the clusters tagged ap",
        },
      ],
    },
    {
      // 0.15 lists every cluster's tag, its own included, which k8gb skips; unset is the chart's "eu,us".
      name: "the own tag added to the list pairs with the same peers: said so, low",
      base: release("{clusterGeoTag: eu, extGslbClustersGeoTags: us}"),
      head: release('{clusterGeoTag: eu, extGslbClustersGeoTags: "eu,us"}'),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "values", "k8gb", "extGslbClustersGeoTags"],
          says: "k8gb.extGslbClustersGeoTags us → eu,us (peers us → us): the same peers as k8gb reads the list",
        },
      ],
    },
    {
      name: "so does the list left to the chart's default",
      base: release("{clusterGeoTag: eu, extGslbClustersGeoTags: us}"),
      head: release("{}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "values", "k8gb"],
          says: "k8gb.extGslbClustersGeoTags us → (unset) (peers us → us): the same peers as k8gb reads the list (less its own geoTag; unset is the chart's default",
        },
      ],
    },
    {
      name: "a zone it answers for replaced",
      base: release(`{${ZONE}}`),
      head: release("{dnsZones: [{parentZone: example.com, loadBalancedZone: gslb.example.com}]}"),
      expected: [
        {
          class: "route.removed",
          side: "head",
          path: ["spec", "values", "k8gb", "dnsZones"],
          says: "k8gb no longer answers for zone cloud.example.com (delegated from example.com): the Gslb hosts under it stop resolving",
        },
        {
          class: "route.added",
          side: "head",
          path: ["spec", "values", "k8gb", "dnsZones"],
          says: "k8gb answers for zone gslb.example.com (delegated from example.com)",
        },
      ],
    },
    {
      name: "a zone delegated from another parent zone",
      base: release(`{${ZONE}}`),
      head: release("{dnsZones: [{parentZone: example.org, loadBalancedZone: cloud.example.com}]}"),
      expected: [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["spec", "values", "k8gb", "dnsZones"],
          says: "zone cloud.example.com delegated from example.com → delegated from example.org",
        },
      ],
    },
    {
      name: "0.14's dnsZone and edgeDNSZone written as 0.15's dnsZones: the same zone",
      base: release("{dnsZone: cloud.example.com, edgeDNSZone: example.com}"),
      head: release(`{${ZONE}}`),
      expected: [],
    },
    {
      name: "what only sets how the operator runs is not a setting of its topology",
      base: release("{clusterGeoTag: eu, log: {level: info}}"),
      head: release("{clusterGeoTag: eu, log: {level: debug}, resources: {limits: {memory: 256Mi}}}"),
      expected: [],
    },
  ]);
});

/** An Argo CD Application installing k8gb's chart, as its only or second source. */
const application = (helm: string, multi = false) => {
  const source = `repoURL: https://www.k8gb.io, chart: k8gb, targetRevision: 0.14.0, helm: ${helm}`;
  return `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: k8gb, namespace: argocd}
spec:
  destination: {server: https://kubernetes.default.svc, namespace: k8gb}
  ${multi ? `sources: [{repoURL: https://github.com/acme/config, path: k8gb}, {${source}}]` : `source: {${source}}`}
`;
};

describe("k8gb's settings in an Argo CD Application's helm values", () => {
  it("valuesObject, and the values string, as Argo CD merges them (valuesObject first)", () => {
    const geoTag = detect(
      k8gbSettingsDetector,
      application("{valuesObject: {k8gb: {clusterGeoTag: eu}}}"),
      application("{valuesObject: {k8gb: {clusterGeoTag: us}}}"),
    );
    expect(geoTag.map((found) => [found.class, found.path])).toEqual([
      ["failover.changed", ["spec", "source", "helm", "valuesObject", "k8gb", "clusterGeoTag"]],
    ]);
    const peers = detect(
      k8gbSettingsDetector,
      application('{values: "k8gb: {clusterGeoTag: eu, extGslbClustersGeoTags: us}"}', true),
      application(`{values: "k8gb: {clusterGeoTag: eu, extGslbClustersGeoTags: 'us,ap'}"}`, true),
    );
    expect(peers.map((found) => [found.class, found.path])).toEqual([["backend.region-added", ["spec", "sources", 1, "helm", "values"]]]);
    // valuesObject overrides the string: the string's edit changes nothing k8gb reads.
    const overridden = detect(
      k8gbSettingsDetector,
      application('{valuesObject: {k8gb: {clusterGeoTag: eu}}, values: "k8gb: {clusterGeoTag: eu}"}'),
      application('{valuesObject: {k8gb: {clusterGeoTag: eu}}, values: "k8gb: {clusterGeoTag: us}"}'),
    );
    expect(overridden).toEqual([]);
  });
});

describe("a k8gb release in a review", () => {
  it("is read as k8gb's settings: a clusterGeoTag flip is critical, whether or not the chart can be rendered", () => {
    const file = "infra/k8gb/helmrelease.yaml";
    const result = analyze({ [file]: release("{clusterGeoTag: eu}") }, { [file]: release("{clusterGeoTag: us}") });
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual([["failover.changed", "critical"]]);
    expect(result.findings[0]?.line).toBe(8);
  });

  describe("installed from k8gb's OCI artifact (chartRef), its source in another file", () => {
    const oci = (url: string, kind = "OCIRepository") =>
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: ${kind}\nmetadata: {name: k8gb, namespace: flux-system}\nspec: {url: "${url}", ref: {tag: v0.15.0}}\n`;
    const byRef = (tag: string) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: k8gb, namespace: k8gb}\nspec:\n  chartRef: {kind: OCIRepository, name: k8gb, namespace: flux-system}\n  values:\n    k8gb: {clusterGeoTag: ${tag}}\n`;
    const review = (source: string) =>
      analyze(
        { "flux/sources/k8gb.yaml": source, "infra/k8gb/helmrelease.yaml": byRef("eu") },
        { "flux/sources/k8gb.yaml": source, "infra/k8gb/helmrelease.yaml": byRef("us") },
      ).findings.map((finding) => [finding.class, finding.risk]);

    it("is read as k8gb's settings: the flip is critical (it passed as no change once the render left it to the family)", () => {
      expect(review(oci("oci://ghcr.io/k8gb-io/charts/k8gb"))).toEqual([["failover.changed", "critical"]]);
    });

    it("of another chart (`k8gb-operator`, another artifact), or a source the tree does not hold, it is no k8gb release", () => {
      const file = "infra/k8gb/helmrelease.yaml";
      const other = analyze(
        { [file]: release("{clusterGeoTag: eu}", "k8gb-operator") },
        { [file]: release("{clusterGeoTag: us}", "k8gb-operator") },
      );
      expect(other.findings.map((finding) => finding.class)).not.toContain("failover.changed");
      expect(review(oci("oci://ghcr.io/bjw-s-labs/helm/app-template"))).not.toContainEqual(["failover.changed", "critical"]);
      expect(review(oci("oci://ghcr.io/k8gb-io/charts/k8gb", "HelmRepository"))).not.toContainEqual(["failover.changed", "critical"]);
    });
  });
});

import { describe, expect, it } from "vitest";
import { mcsDetector } from "../../../src/families/mcs/mcs.js";
import {
  corpusAvailable,
  corpusFile,
  detect,
  expectDetections,
  resource,
  resourcesOf,
  type Expected,
} from "../../detect/resource-fixture.js";
import { analyze } from "../../helpers/review-trees.js";

const serviceExport = (group = "multicluster.x-k8s.io/v1alpha1") => `
apiVersion: ${group}
kind: ServiceExport
metadata: {name: checkout, namespace: shop}`;

const awsExport = (exportedPorts?: string, annotatedPort?: string) => `
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata:
  name: checkout
  namespace: shop
${annotatedPort ? `  annotations: { application-networking.k8s.aws/port: "${annotatedPort}" }\n` : ""}${exportedPorts ? `spec: { exportedPorts: ${exportedPorts} }` : ""}`;

const serviceImport = (ports: string) => `
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceImport
metadata: {name: checkout, namespace: shop}
spec:
  type: ClusterSetIP
  ports: ${ports}`;

describe("MCS detectors", () => {
  const cases: readonly { name: string; run: () => ReturnType<typeof detect>; expected: readonly Expected[] }[] = [
    {
      name: "ServiceExport added: the cluster's endpoints join every importer",
      run: () => detect(mcsDetector, undefined, serviceExport()),
      expected: [
        { class: "export.changed", side: "head", path: [], says: "ServiceExport shop/checkout: added: this cluster's endpoints join" },
      ],
    },
    {
      name: "last ServiceExport removed: may empty the ServiceImport (critical)",
      run: () => detect(mcsDetector, serviceExport(), undefined),
      expected: [
        {
          class: "export.changed",
          side: "base",
          path: [],
          says: "if this was the last exporter, the ServiceImport goes empty",
          riskFloor: "critical",
        },
      ],
    },
    {
      name: "ServiceExport removed while another export of the service remains",
      run: () =>
        detect(mcsDetector, serviceExport(), undefined, {
          base: [resource(serviceExport("net.gke.io/v1"))],
          head: [resource(serviceExport("net.gke.io/v1"))],
        }),
      expected: [{ class: "export.changed", side: "base", path: [], says: "(1 other ServiceExport of it remains)" }],
    },
    {
      name: "an export removed while the AWS controller's group (VPC Lattice) exports the service too: not the last exporter",
      run: () =>
        detect(mcsDetector, serviceExport(), undefined, {
          head: [resource(serviceExport("application-networking.k8s.aws/v1alpha1"))],
        }),
      expected: [{ class: "export.changed", side: "base", path: [], says: "(1 other ServiceExport of it remains)" }],
    },
    {
      name: "an export moved to the AWS controller's group is one export another controller now reads (aws-application-networking-k8s 6dcbd36f)",
      run: () => detect(mcsDetector, serviceExport(), serviceExport("application-networking.k8s.aws/v1alpha1")),
      expected: [
        {
          class: "export.changed",
          side: "head",
          path: [],
          says: "moved from multicluster.x-k8s.io to application-networking.k8s.aws: now read by the AWS Gateway API controller for VPC Lattice (v1.0 on) in place of the cluster's MCS implementation",
        },
      ],
    },
    {
      name: "a ServiceImport moved between groups, its spec kept, is handed to another controller (medium)",
      run: () =>
        detect(
          mcsDetector,
          serviceImport("[{port: 80, protocol: TCP}]"),
          serviceImport("[{port: 80, protocol: TCP}]").replace("multicluster.x-k8s.io", "net.gke.io"),
        ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: [],
          says: "moved from multicluster.x-k8s.io to net.gke.io: now read by GKE's multi-cluster Services",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "AWS export: a port leaving exportedPorts is one the importers lose",
      run: () =>
        detect(
          mcsDetector,
          awsExport("[{port: 80, routeType: HTTP}, {port: 8443, routeType: TLS}]"),
          awsExport("[{port: 80, routeType: HTTP}]"),
        ),
      expected: [{ class: "export.changed", side: "base", path: ["spec", "exportedPorts", 1], says: "port 8443 (TLS) no longer exported" }],
    },
    {
      name: "AWS export: a port's route type changes, and a port is added",
      run: () =>
        detect(
          mcsDetector,
          awsExport("[{port: 80, routeType: HTTP}]"),
          awsExport("[{port: 80, routeType: GRPC}, {port: 9000, routeType: HTTP}]"),
        ),
      expected: [
        { class: "export.changed", side: "head", path: ["spec", "exportedPorts", 0, "routeType"], says: "port 80 exported as HTTP → GRPC" },
        { class: "export.changed", side: "head", path: ["spec", "exportedPorts", 1], says: "port 9000 (HTTP) now exported" },
      ],
    },
    {
      name: "AWS export: the annotation's port written out as exportedPorts (HTTP) exports the same (aws-application-networking-k8s e6297cc7)",
      run: () => detect(mcsDetector, awsExport(undefined, "80"), awsExport("[{port: 80, routeType: HTTP}]", "80")),
      expected: [],
    },
    {
      name: "ServiceImport hand edit is suspicious (medium)",
      run: () => detect(mcsDetector, serviceImport("[{port: 80, protocol: TCP}]"), serviceImport("[{port: 8080, protocol: TCP}]")),
      expected: [{ class: "resource.changed", side: "head", path: ["spec"], says: "normally controller-written", riskFloor: "medium" }],
    },
    {
      name: "ServiceImport ports reordered is cosmetic",
      run: () =>
        detect(
          mcsDetector,
          serviceImport("[{port: 80, protocol: TCP}, {port: 443, protocol: TCP}]"),
          serviceImport("[{protocol: TCP, port: 443}, {port: 80, protocol: TCP}]"),
        ),
      expected: [],
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const found = testCase.run();
      expectDetections(found, testCase.expected);
    });
  }

  it.skipIf(!corpusAvailable)("GKE blue-green recipe: removing the green cluster's exports", () => {
    const exports = resourcesOf(
      corpusFile("GoogleCloudPlatform__gke-networking-recipes/gateway/multi-cluster/mcg-internal-blue-green/cluster-green-app.yaml"),
    ).filter((item) => item.id.kind === "ServiceExport");
    expect(exports.map((item) => item.id.name)).toEqual(["sample-app-green", "sample-app"]);
    const findings = exports.flatMap((item) => detect(mcsDetector, item, undefined));
    expect(findings.map((finding) => [finding.class, finding.riskFloor])).toEqual([
      ["export.changed", "critical"],
      ["export.changed", "critical"],
    ]);
  });
});

describe("AWS VPC Lattice exports (application-networking.k8s.aws) are MCS exports", () => {
  const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: inventory, namespace: default }
spec:
  parentRefs: [{ name: my-hotel }]
  rules:
  - backendRefs:
    - { name: inventory-ver1, kind: Service, port: 80, weight: 10 }
    - { name: inventory-ver2, kind: ServiceImport, group: application-networking.k8s.aws, weight: 90 }
`;
  const awsExport = `apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata:
  name: inventory-ver2
  annotations: { application-networking.k8s.aws/federation: amazon-vpc-lattice }
`;

  it("a route to a ServiceImport the AWS controller exports is not broken, and dropping the export is", () => {
    const tree = { "route.yaml": route, "export.yaml": awsExport };
    const kept = analyze(tree, tree);
    expect(kept.blastRadius.issues.existing).toEqual([]);
    const dropped = analyze(tree, { "route.yaml": route });
    expect(dropped.findings.map((f) => `${f.class} ${f.risk} ${f.file}`).sort()).toEqual([
      "export.changed critical export.yaml",
      "reference.broken high route.yaml",
    ]);
  });
});

describe("an export or import moved between MCS groups is one object, not one removed and one added", () => {
  const exported = (group: string) => `apiVersion: ${group}\nkind: ServiceExport\nmetadata: {name: cli-export, namespace: default}\n`;
  const imported = (group: string) =>
    `apiVersion: ${group}\nkind: ServiceImport\nmetadata: {name: cli, namespace: default}\nspec: {type: ClusterSetIP, ports: [{port: 80, protocol: TCP}]}\n`;
  const review = (from: string, to: string) =>
    analyze({ "export.yaml": exported(from), "import.yaml": imported(from) }, { "export.yaml": exported(to), "import.yaml": imported(to) })
      .findings.map((f) => `${f.class} ${f.risk} ${f.file}: ${f.summary.split(":")[1]}`)
      .sort();

  it("moved to the AWS controller's group: one high export line and one medium import line (aws-application-networking-k8s 6dcbd36f)", () => {
    expect(review("multicluster.x-k8s.io/v1alpha1", "application-networking.k8s.aws/v1alpha1")).toEqual([
      "export.changed high export.yaml:  moved from multicluster.x-k8s.io to application-networking.k8s.aws",
      "resource.changed medium import.yaml:  moved from multicluster.x-k8s.io to application-networking.k8s.aws",
    ]);
  });

  it("a new version of the same group is no change", () => {
    expect(review("multicluster.x-k8s.io/v1alpha1", "multicluster.x-k8s.io/v1beta1")).toEqual([]);
  });

  describe("an upstream and an AWS export of one service in one file are each their own", () => {
    const UPSTREAM = exported("multicluster.x-k8s.io/v1alpha1");
    const AWS = exported("application-networking.k8s.aws/v1alpha1");
    const lines = (base: string, head: string) =>
      analyze({ "exports.yaml": base }, { "exports.yaml": head }).findings.map((f) => `${f.class} ${f.risk}: ${f.summary.split(": ")[1]}`);

    it("swapping their order is no change, not two moves", () => {
      expect(lines(`${UPSTREAM}---\n${AWS}`, `${AWS}---\n${UPSTREAM}`)).toEqual([]);
    });

    it("deleting the upstream one is that export removed, the AWS one unchanged (no move)", () => {
      expect(lines(`${UPSTREAM}---\n${AWS}`, AWS)).toEqual(["export.changed high: removed"]);
      expect(lines(`${AWS}---\n${UPSTREAM}`, AWS)).toEqual(["export.changed high: removed"]);
    });

    it("one moved into the other's group where that group had none is still a move", () => {
      const gke = exported("net.gke.io/v1");
      expect(lines(`${UPSTREAM}---\n${AWS}`, `${gke}---\n${AWS}`)).toEqual([
        "export.changed high: moved from multicluster.x-k8s.io to net.gke.io",
      ]);
    });
  });
});

describe("regions an export or import brings in (DESIGN §5: backend.region-added includes a ServiceImport and a new ServiceExport)", () => {
  const topology = `topology:
  clusters: {jkt-1: jkt, jkt-2: jkt, sgp-1: sgp}
  placements: ["clusters/{cluster}/**"]
`;
  const exported = `apiVersion: net.gke.io/v1\nkind: ServiceExport\nmetadata: {name: shop, namespace: shop}\n`;
  const imported = `apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceImport\nmetadata: {name: shop, namespace: shop}\nspec: {type: ClusterSetIP, ports: [{port: 80, protocol: TCP}]}\n`;
  const lines = (base: Record<string, string>, head: Record<string, string>, overlay = topology) =>
    analyze(base, head, overlay).findings.map((f) => `${f.class} ${f.risk} ${f.file}: ${f.summary}`);

  it("an export added in a region none of the service's exports ran in: that region joins its backends, named", () => {
    expect(
      lines({ "clusters/jkt-1/export.yaml": exported }, { "clusters/jkt-1/export.yaml": exported, "clusters/sgp-1/export.yaml": exported }),
    ).toEqual([
      "backend.region-added high clusters/sgp-1/export.yaml: ServiceExport shop/shop: added in sgp-1 (region sgp): the service's backends gain region sgp beside jkt, in every importing cluster",
    ]);
  });

  it("the same export where a route sends to the ServiceImport: the route's flow is the region gained, the export an export added", () => {
    const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [{name: external, namespace: infra}]
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{group: net.gke.io, kind: ServiceImport, name: shop, port: 8080}]}]
`;
    const base = { "clusters/jkt-1/export.yaml": exported, "clusters/jkt-1/route.yaml": route };
    const result = analyze(base, { ...base, "clusters/sgp-1/export.yaml": exported }, topology);
    expect(result.findings.map((f) => [f.class, f.file])).toEqual([
      ["backend.region-added", "clusters/jkt-1/route.yaml"],
      ["export.changed", "clusters/sgp-1/export.yaml"],
    ]);
    expect(result.findings[1]?.summary).toContain("added in sgp-1 (region sgp): the service's backends gain region sgp beside jkt");
  });

  it("an export added in another cluster of a region it ran in: an export added (high), its cluster named", () => {
    expect(
      lines({ "clusters/jkt-1/export.yaml": exported }, { "clusters/jkt-1/export.yaml": exported, "clusters/jkt-2/export.yaml": exported }),
    ).toEqual([
      "export.changed high clusters/jkt-2/export.yaml: ServiceExport shop/shop: added in jkt-2 (region jkt): this cluster's endpoints join the service's backends in every importing cluster",
    ]);
  });

  it("a ServiceImport added by hand reaches every exporting cluster: region-added (high), the exporters' regions named and landed in", () => {
    const exports = { "clusters/jkt-1/export.yaml": exported, "clusters/sgp-1/export.yaml": exported };
    const result = analyze(exports, { ...exports, "clusters/jkt-1/import.yaml": imported }, topology);
    expect(result.findings.map((f) => [f.class, f.risk, f.file])).toEqual([["backend.region-added", "high", "clusters/jkt-1/import.yaml"]]);
    expect(result.findings[0]?.summary).toContain(
      "added by hand in jkt-1 (region jkt): its clients and routes reach the endpoints of every cluster exporting shop/shop (exported from jkt-1 (region jkt); sgp-1 (region sgp))",
    );
    expect(result.findings[0]?.regions).toEqual(["jkt", "sgp"]);
  });

  it("a ServiceImport added where the repository holds no export of it: region-added all the same (its exporters are elsewhere)", () => {
    expect(lines({}, { "import.yaml": imported }, "")).toEqual([
      "backend.region-added high import.yaml: ServiceImport shop/shop: added by hand: its clients and routes reach the endpoints of every cluster exporting shop/shop (no ServiceExport of it in this repository: those of whichever clusters of the ClusterSet export it); ServiceImports are normally controller-written from the ClusterSet's ServiceExports",
    ]);
  });

  it("added where every export runs in its own region: no region gained, the hand edit it is (medium); one export elsewhere is high", () => {
    const local = { "clusters/jkt-2/export.yaml": exported };
    expect(lines(local, { ...local, "clusters/jkt-1/import.yaml": imported })).toEqual([
      "resource.changed medium clusters/jkt-1/import.yaml: ServiceImport shop/shop: added by hand, its exporters in its own region jkt: ServiceImports are normally controller-written from the ClusterSet's ServiceExports, so a hand edit can point importers at the wrong endpoints",
    ]);
    const unplaced = { ...local, "apps/export.yaml": exported };
    expect(lines(unplaced, { ...unplaced, "clusters/jkt-1/import.yaml": imported }).map((line) => line.split(":")[0])).toEqual([
      "backend.region-added high clusters/jkt-1/import.yaml",
    ]);
  });

  it("an unchanged ServiceImport moved to another file of its cluster, or of an unplaced folder: nothing", () => {
    expect(lines({ "clusters/jkt-1/import.yaml": imported }, { "clusters/jkt-1/shop/import.yaml": imported })).toEqual([]);
    expect(lines({ "import.yaml": imported }, { "apps/shop/import.yaml": imported }, "")).toEqual([]);
  });
});

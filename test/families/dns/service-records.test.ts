import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";
import { ALPHA, GA, V21, V22, classesAndRisks, externalDnsDeployment, controllerAndObject } from "../../helpers/external-dns-yaml.js";

// external-dns's service source reads core Services' annotations under the prefix its controllers
// read (v0.22: only `external-dns.kubernetes.io/`): joryirving/home-ops#10003 and rwlove/home-ops#14161
// lost the records of their Services when the bump left their alpha-prefixed hostnames unread.

const service = (annotations: string, name = "mosquitto") => `
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: home
  annotations: {${annotations}}
spec:
  type: LoadBalancer
  selector: {app: ${name}}
  ports: [{name: mqtt, port: 1883}]
`;

const deployment = (image: string, args: readonly string[] = ["--source=service", "--provider=webhook", "--policy=sync"]) =>
  externalDnsDeployment(image, args, "external-dns", "network");

const HOSTNAME = (prefix: string) => `${prefix}hostname: mqtt.example.com`;
const BOTH = `${HOSTNAME(ALPHA)}, ${HOSTNAME(GA)}`;

const findings = classesAndRisks;
const review = controllerAndObject("network/external-dns.yaml", "home/mosquitto.yaml");

describe("a controller that stops reading the prefix a Service's settings sit under", () => {
  it("v0.21.0 → v0.22.0 while the Service's hostname is alpha-prefixed: its record is deleted, flagged at the controller", () => {
    const result = review(deployment(V21), service(HOSTNAME(ALPHA)), deployment(V22), service(HOSTNAME(ALPHA)));
    expect(findings(result)).toEqual([["route.removed", "high"]]);
    const [finding] = result.findings;
    expect(finding!.file).toBe("network/external-dns.yaml");
    expect(finding!.summary).toBe(
      "Deployment network/external-dns (v0.22.0): Service home/mosquitto (home/mosquitto.yaml): " +
        "external-dns.alpha.kubernetes.io/hostname, which no external-dns controller reading it reads any more " +
        "(Deployment network/external-dns (v0.22.0) reads external-dns.kubernetes.io/), no longer publishes mqtt.example.com: " +
        "external-dns deletes the record (sync policy) or stops updating it",
    );
  });

  it("a target, and an internal-hostname, alike", () => {
    const target = `${HOSTNAME(GA)}, ${ALPHA}target: ipv4.example.com, ${ALPHA}internal-hostname: mqtt.internal`;
    expect(findings(review(deployment(V21), service(target), deployment(V22), service(target)))).toEqual([
      ["route.attachment-changed", "high"],
      ["route.removed", "high"],
    ]);
  });

  it("every Service it no longer reads is named, each its own finding", () => {
    const tree = (image: string) => ({
      "network/external-dns.yaml": deployment(image),
      "home/mosquitto.yaml": service(HOSTNAME(ALPHA)),
      "kube-system/api.yaml": service(`${ALPHA}hostname: k8s.example.com`, "kube-api"),
    });
    const result = analyze(tree(V21), tree(V22));
    expect(result.findings.map((finding) => /Service home\/(\S+)/.exec(finding.summary)?.[1]).sort()).toEqual(["kube-api", "mosquitto"]);
  });

  describe("harmless twins: nothing is lost", () => {
    it("settings under both prefixes", () => {
      expect(findings(review(deployment(V21), service(BOTH), deployment(V22), service(BOTH)))).toEqual([]);
    });

    it("the controller pinned to the alpha prefix", () => {
      const pinned = deployment(V22, ["--source=service", `--annotation-prefix=${ALPHA}`]);
      expect(findings(review(deployment(V21), service(HOSTNAME(ALPHA)), pinned, service(HOSTNAME(ALPHA))))).toEqual([]);
    });

    it("a controller that reads no Services", () => {
      const routes = (image: string) => deployment(image, ["--source=gateway-httproute"]);
      expect(findings(review(routes(V21), service(HOSTNAME(ALPHA)), routes(V22), service(HOSTNAME(ALPHA))))).toEqual([]);
    });

    it("the controller's version not pinned (a digest)", () => {
      const digest = "registry.k8s.io/external-dns/external-dns@sha256:5fdcaf7deb5c158f93a1fc6fe169cdff4cfb9ae0172bee1a90ab0ef74fb9c9cf";
      expect(findings(review(deployment(V21), service(HOSTNAME(ALPHA)), deployment(digest), service(HOSTNAME(ALPHA))))).toEqual([]);
    });
  });
});

describe("a Service's own settings edited, judged against the controllers reading it", () => {
  it("moved to the prefix every controller reads: low", () => {
    expect(findings(review(deployment(V22), service(HOSTNAME(ALPHA)), deployment(V22), service(HOSTNAME(GA))))).toEqual([
      ["resource.changed", "low"],
    ]);
  });

  it("moved to a prefix none reads: its record deleted", () => {
    expect(findings(review(deployment(V21), service(HOSTNAME(ALPHA)), deployment(V21), service(HOSTNAME(GA))))).toEqual([
      ["route.removed", "high"],
    ]);
  });

  it("moved with no controller in the tree: medium, as on any resource", () => {
    const result = analyze({ "home/mosquitto.yaml": service(HOSTNAME(ALPHA)) }, { "home/mosquitto.yaml": service(HOSTNAME(GA)) });
    expect(findings(result)).toEqual([["resource.changed", "medium"]]);
    expect(result.findings[0]!.file).toBe("home/mosquitto.yaml");
  });

  it("its hostname removed or changed: the record is deleted", () => {
    expect(findings(review(deployment(V22), service(HOSTNAME(GA)), deployment(V22), service(`${GA}ttl: "60"`)))).toEqual([
      ["route.removed", "high"],
      ["resource.changed", "low"],
    ]);
  });
});

describe("a Service added with its settings only under a prefix no controller reading it reads", () => {
  it("publishes nothing: medium at most, a new Service serves no one yet", () => {
    const result = analyze(
      { "network/external-dns.yaml": deployment(V22) },
      {
        "network/external-dns.yaml": deployment(V22),
        "home/mosquitto.yaml": service(HOSTNAME(ALPHA)),
      },
    );
    expect(findings(result)).toEqual([["resource.changed", "medium"]]);
    expect(result.findings[0]!.summary).toContain("a new object serves no one yet");
  });

  it("harmless twins: read under the prefix added, under both, or no controller in the tree", () => {
    for (const annotations of [HOSTNAME(GA), BOTH]) {
      const result = analyze(
        { "network/external-dns.yaml": deployment(V22) },
        {
          "network/external-dns.yaml": deployment(V22),
          "home/mosquitto.yaml": service(annotations),
        },
      );
      expect(findings(result)).toEqual([]);
    }
    expect(findings(analyze({ "home/other.yaml": service("", "other") }, { "home/mosquitto.yaml": service(HOSTNAME(ALPHA)) }))).toEqual([]);
  });
});

describe("Services a chart release's values annotate (app-template's service.<id>, most charts' service)", () => {
  const release = (annotations: string) => `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: mosquitto, namespace: home}
spec:
  chartRef: {kind: OCIRepository, name: app-template}
  values:
    service:
      app:
        type: LoadBalancer
        annotations: {${annotations}}
        ports: {mqtt: {port: 1883}}
`;
  const tree = (image: string, annotations: string) => ({
    "network/external-dns.yaml": deployment(image),
    "home/helmrelease.yaml": release(annotations),
  });

  it("the bump leaves app-template's alpha hostname unread (joryirving/home-ops' mosquitto): flagged at the controller", () => {
    const result = analyze(tree(V21, HOSTNAME(ALPHA)), tree(V22, HOSTNAME(ALPHA)));
    expect(findings(result)).toEqual([["route.removed", "high"]]);
    expect(result.findings[0]!.summary).toContain("the Service of HelmRelease home/mosquitto's service.app (home/helmrelease.yaml)");
    expect(result.findings[0]!.file).toBe("network/external-dns.yaml");
    expect(findings(analyze(tree(V21, BOTH), tree(V22, BOTH)))).toEqual([]);
  });

  it("a chart's own service.annotations moved to the prefix read: low; to one none reads: the record deleted, on the values", () => {
    const nginx = (annotations: string) =>
      release("").replace(
        "    service:\n      app:\n        type: LoadBalancer\n        annotations: {}\n        ports: {mqtt: {port: 1883}}\n",
        `    controller:\n      service:\n        annotations: {${annotations}}\n`,
      );
    const edit = (image: string, before: string, after: string) =>
      analyze(
        { "network/external-dns.yaml": deployment(image), "home/helmrelease.yaml": nginx(before) },
        {
          "network/external-dns.yaml": deployment(image),
          "home/helmrelease.yaml": nginx(after),
        },
      );
    expect(findings(edit(V22, HOSTNAME(ALPHA), HOSTNAME(GA)))).toEqual([["resource.changed", "low"]]);
    const lost = edit(V21, HOSTNAME(ALPHA), HOSTNAME(GA));
    expect(findings(lost)).toEqual([["route.removed", "high"]]);
    expect([lost.findings[0]!.file, lost.findings[0]!.line]).toEqual(["home/helmrelease.yaml", 10]);
  });
});

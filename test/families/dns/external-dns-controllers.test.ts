import { describe, expect, it } from "vitest";
import { renderForReview } from "../../../src/render/render-change.js";
import { analyzeChange, type SourceFile } from "../../../src/review.js";
import { analyze, policyWith } from "../../helpers/review-trees.js";
import { ALPHA, GA, V21, V22, classesAndRisks, externalDnsDeployment, controllerAndObject } from "../../helpers/external-dns-yaml.js";

// external-dns v0.22 reads only `external-dns.kubernetes.io/`, earlier versions only the alpha prefix,
// with no fallback: the controllers a tree runs decide which of a resource's settings reach its records.

const gateway = (annotations: string, name = "external") => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ${name}
  namespace: networking
  annotations: {${annotations}}
spec:
  gatewayClassName: envoy
  listeners: [{name: https, protocol: HTTPS, port: 443, hostname: "*.example.com", tls: {certificateRefs: [{name: example-com-tls}]}}]
`;

const deployment = (
  image: string,
  args: readonly string[] = ["--source=gateway-httproute", "--provider=cloudflare"],
  name = "external-dns",
) => externalDnsDeployment(image, args, name);

const TARGET = (prefix: string) => `${prefix}target: external.example.com`;

const findings = classesAndRisks;
const review = controllerAndObject("networking/external-dns.yaml", "networking/gateway.yaml");

describe("a controller that stops reading the prefix a resource's settings sit under", () => {
  it("v0.21.0 → v0.22.0 while the Gateway's target is alpha-prefixed: the records are retargeted (buroa/k8s-gitops 3767be0e1e)", () => {
    const result = review(deployment(V21), gateway(TARGET(ALPHA)), deployment(V22), gateway(TARGET(ALPHA)));
    expect(findings(result)).toEqual([["route.attachment-changed", "high"]]);
    expect(result.findings[0]!.summary).toBe(
      "Gateway networking/external: external-dns.alpha.kubernetes.io/target, which no external-dns controller reading it reads any more " +
        "(Deployment networking/external-dns (v0.22.0) reads external-dns.kubernetes.io/), external.example.com → (unset): " +
        "its DNS names resolve to another entry point",
    );
    expect(result.findings[0]!.file).toBe("networking/gateway.yaml");
  });

  it("a hostname no longer read is its records deleted", () => {
    const hostname = `${ALPHA}hostname: shop.example.com`;
    expect(findings(review(deployment(V21), gateway(hostname), deployment(V22), gateway(hostname)))).toEqual([["route.removed", "high"]]);
  });

  it("the pin of the alpha prefix dropped from a v0.22 controller", () => {
    const pinned = deployment(V22, ["--source=gateway-httproute", `--annotation-prefix=${ALPHA}`]);
    const split = deployment(V22, ["--source=gateway-httproute", "--annotation-prefix", ALPHA]);
    for (const before of [pinned, split])
      expect(findings(review(before, gateway(TARGET(ALPHA)), deployment(V22), gateway(TARGET(ALPHA))))).toEqual([
        ["route.attachment-changed", "high"],
      ]);
    // Set by kingpin's environment variable instead.
    const byEnv = pinned
      .replace(`, "--annotation-prefix=${ALPHA}"`, "")
      .replace("args:", `env: [{name: EXTERNAL_DNS_ANNOTATION_PREFIX, value: ${ALPHA}}]\n          args:`);
    expect(findings(review(byEnv, gateway(TARGET(ALPHA)), deployment(V22), gateway(TARGET(ALPHA))))).toEqual([
      ["route.attachment-changed", "high"],
    ]);
  });

  it("a v0.22 controller pointed at another prefix (split horizon) no longer reads the GA one", () => {
    const custom = deployment(V22, ["--source=gateway-httproute", "--annotation-prefix=internal.example.com/"]);
    expect(findings(review(deployment(V22), gateway(TARGET(GA)), custom, gateway(TARGET(GA))))).toEqual([
      ["route.attachment-changed", "high"],
    ]);
  });

  it("bumped beside a controller of other sources that still reads the alpha prefix: the Gateway's own readers decide", () => {
    const services = (image: string) => deployment(image, ["--source=service", "--provider=webhook"], "external-dns-unifi");
    const result = analyze(
      { "networking/a.yaml": deployment(V21), "networking/b.yaml": services(V21), "networking/gateway.yaml": gateway(TARGET(ALPHA)) },
      { "networking/a.yaml": deployment(V22), "networking/b.yaml": services(V21), "networking/gateway.yaml": gateway(TARGET(ALPHA)) },
    );
    expect(findings(result)).toEqual([["route.attachment-changed", "high"]]);
  });

  it("an app-template release running external-dns (buroa's layout)", () => {
    const release = (tag: string) => `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: external-dns-cloudflare, namespace: networking}
spec:
  chartRef: {kind: OCIRepository, name: app-template, namespace: flux-system}
  values:
    controllers:
      external-dns-cloudflare:
        containers:
          app:
            image: {repository: registry.k8s.io/external-dns/external-dns, tag: "${tag}@sha256:5fdcaf7deb5c158f93a1fc6fe169cdff4cfb9ae0172bee1a90ab0ef74fb9c9cf"}
            args: [--source=gateway-httproute, --provider=cloudflare]
            envFrom: [{secretRef: {name: external-dns-secret}}]
`;
    expect(findings(review(release("v0.21.0"), gateway(TARGET(ALPHA)), release("v0.22.0"), gateway(TARGET(ALPHA))))).toEqual([
      ["route.attachment-changed", "high"],
    ]);
  });

  it("an Argo CD Application of the chart bumped 1.21.1 → 1.22.0", () => {
    const application = (version: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: external-dns, namespace: argocd}
spec:
  destination: {namespace: networking, server: https://kubernetes.default.svc}
  source:
    repoURL: https://kubernetes-sigs.github.io/external-dns
    chart: external-dns
    targetRevision: ${version}
    helm: {valuesObject: {sources: [gateway-httproute], provider: {name: cloudflare}}}
`;
    // Beside the placement family's finding on the Application itself (a chart it cannot render).
    expect(findings(review(application("1.21.1"), gateway(TARGET(ALPHA)), application("1.22.0"), gateway(TARGET(ALPHA))))).toContainEqual([
      "route.attachment-changed",
      "high",
    ]);
  });

  describe("where the tree does not say for sure, nothing is called unread", () => {
    const unsure: [string, string][] = [
      [
        "a digest, no version",
        "registry.k8s.io/external-dns/external-dns@sha256:5fdcaf7deb5c158f93a1fc6fe169cdff4cfb9ae0172bee1a90ab0ef74fb9c9cf",
      ],
      ["a Flux variable", "registry.k8s.io/external-dns/external-dns:${EXTERNAL_DNS_VERSION}"],
    ];
    it.each(unsure)("v0.21.0 → %s", (_name, image) => {
      expect(findings(review(deployment(V21), gateway(TARGET(ALPHA)), deployment(image), gateway(TARGET(ALPHA))))).toEqual([]);
    });

    it("a chart release whose values are partly in a ConfigMap (valuesFrom)", () => {
      const release = (version: string) => `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: external-dns, namespace: networking}
spec:
  chart: {spec: {chart: external-dns, version: ${version}, sourceRef: {kind: HelmRepository, name: external-dns}}}
  valuesFrom: [{kind: ConfigMap, name: external-dns-values}]
  values: {sources: [gateway-httproute]}
`;
      expect(findings(review(release("1.21.1"), gateway(TARGET(ALPHA)), release("1.22.0"), gateway(TARGET(ALPHA))))).toEqual([]);
    });

    it("v0.23's --enable-legacy-annotation-prefix keeps reading the alpha prefix", () => {
      const legacy = deployment("registry.k8s.io/external-dns/external-dns:v0.23.0", [
        "--source=gateway-httproute",
        "--enable-legacy-annotation-prefix",
      ]);
      expect(findings(review(deployment(V21), gateway(TARGET(ALPHA)), legacy, gateway(TARGET(ALPHA))))).toEqual([]);
    });

    it("settings under both prefixes stay read across the bump (the migration's first step done)", () => {
      const both = `${TARGET(ALPHA)}, ${TARGET(GA)}`;
      expect(findings(review(deployment(V21), gateway(both), deployment(V22), gateway(both)))).toEqual([]);
    });
  });
});

describe("settings moved between prefixes, judged against the controllers that read them", () => {
  it("moved to the prefix every head controller reads: low (buroa/k8s-gitops 93a6adeb2c)", () => {
    const result = review(deployment(V22), gateway(TARGET(ALPHA)), deployment(V22), gateway(TARGET(GA)));
    expect(findings(result)).toEqual([["resource.changed", "low"]]);
    expect(result.findings[0]!.summary).toContain(
      "moved between annotation prefixes, values unchanged, to one every external-dns controller",
    );
  });

  it("moved with the bump in one PR: low", () => {
    expect(findings(review(deployment(V21), gateway(TARGET(ALPHA)), deployment(V22), gateway(TARGET(GA))))).toEqual([
      ["resource.changed", "low"],
    ]);
  });

  it("moved to the GA prefix while the controller still runs v0.21: the records lose the target", () => {
    const result = review(deployment(V21), gateway(TARGET(ALPHA)), deployment(V21), gateway(TARGET(GA)));
    expect(findings(result)).toEqual([["route.attachment-changed", "high"]]);
    expect(result.findings[0]!.summary).toContain("reads external-dns.alpha.kubernetes.io/");
  });

  it("moved to the GA prefix while a v0.22 controller pins the alpha one", () => {
    const pinned = deployment(V22, ["--source=gateway-httproute", `--annotation-prefix=${ALPHA}`]);
    expect(findings(review(pinned, gateway(TARGET(ALPHA)), pinned, gateway(TARGET(GA))))).toEqual([["route.attachment-changed", "high"]]);
  });

  it("moved where one reader runs v0.22 and another v0.21: the v0.21 one's records lose it; with no controller in the tree, medium", () => {
    const mixed = (annotations: string) => ({
      "networking/a.yaml": deployment(V22),
      "networking/b.yaml": deployment(V21, ["--source=gateway-httproute"], "external-dns-internal"),
      "networking/gateway.yaml": gateway(annotations),
    });
    const result = analyze(mixed(TARGET(ALPHA)), mixed(TARGET(GA)));
    expect(findings(result)).toEqual([["route.attachment-changed", "high"]]);
    expect(result.findings[0]!.summary).toContain(
      "which Deployment networking/external-dns-internal (v0.21.0), reading it, no longer reads",
    );
    // Written under both prefixes: each controller reads one of them.
    expect(findings(analyze(mixed(TARGET(ALPHA)), mixed(`${TARGET(ALPHA)}, ${TARGET(GA)}`)))).toEqual([["resource.changed", "low"]]);
    expect(findings(analyze({ "g.yaml": gateway(TARGET(ALPHA)) }, { "g.yaml": gateway(TARGET(GA)) }))).toEqual([
      ["resource.changed", "medium"],
    ]);
  });
});

describe("render.trusted vouches for a chart's version, not for the prefix its new version reads", () => {
  const files = (version: string): SourceFile[] =>
    Object.entries({
      "networking/external-dns.yaml": `
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: external-dns, namespace: networking}
spec: {url: https://kubernetes-sigs.github.io/external-dns}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: external-dns, namespace: networking}
spec:
  chart: {spec: {chart: external-dns, version: ${version}, sourceRef: {kind: HelmRepository, name: external-dns}}}
  values: {provider: {name: cloudflare}, policy: sync, sources: [gateway-httproute], domainFilters: [example.com]}
`,
      "networking/gateway.yaml": gateway(TARGET(ALPHA)),
    }).map(([path, text]) => ({ path, text }));

  it("a trusted chart bump 1.21.1 → 1.22.0 is not rendered, and still blocks", async () => {
    const policy = policyWith('render:\n  trusted: ["https://kubernetes-sigs.github.io/external-dns/external-dns"]\n');
    const [base, head] = [files("1.21.1"), files("1.22.0")];
    const rendered = await renderForReview(base, head, policy, { budgetMs: 10_000 });
    expect(rendered.trusted).toEqual(["helm networking/external-dns.yaml networking/external-dns"]);
    const result = analyzeChange({ base, head, policy, rendered });
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual([["route.attachment-changed", "high"]]);
    expect(result.findings[0]!.summary).toContain("HelmRelease networking/external-dns (chart 1.22.0) reads external-dns.kubernetes.io/");
    // A bump within 1.21 reads the same prefix: the trust holds.
    const patch = analyzeChange({
      base,
      head: files("1.21.2"),
      policy,
      rendered: await renderForReview(base, files("1.21.2"), policy, { budgetMs: 10_000 }),
    });
    expect(patch.findings).toEqual([]);
  });
});

describe("a release of an OCIRepository serving the chart, which names the repository and not the chart (joryirving/home-ops)", () => {
  const release = (tag: string, values = "") => `
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: cloudflare-dns, namespace: network}
spec:
  ref: {tag: ${tag}}
  url: oci://ghcr.io/home-operations/charts-mirror/external-dns
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: cloudflare-dns, namespace: network}
spec:
  chartRef: {kind: OCIRepository, name: cloudflare-dns}
  values:
    policy: sync
    provider: {name: cloudflare}
    sources: ["crd", "gateway-httproute"]${values}
`;

  it("its tag bumped 1.21.1 → 1.22.0 leaves the alpha target unread", () => {
    expect(findings(review(release("1.21.1"), gateway(TARGET(ALPHA)), release("1.22.0"), gateway(TARGET(ALPHA))))).toEqual([
      ["route.attachment-changed", "high"],
    ]);
  });

  it("bumped with annotationPrefix pinned to the alpha prefix (joryirving/home-ops#10003): nothing unread", () => {
    const pinned = release("1.22.0", `\n    annotationPrefix: ${ALPHA}`);
    expect(findings(review(release("1.21.1"), gateway(TARGET(ALPHA)), pinned, gateway(TARGET(ALPHA))))).toEqual([]);
    // The pin dropped while the annotations move to the GA prefix in one PR (#10007): low.
    expect(findings(review(pinned, gateway(TARGET(ALPHA)), release("1.22.0"), gateway(TARGET(GA))))).toEqual([["resource.changed", "low"]]);
    // The pin dropped alone: the target is no longer read.
    expect(findings(review(pinned, gateway(TARGET(ALPHA)), release("1.22.0"), gateway(TARGET(ALPHA))))).toEqual([
      ["route.attachment-changed", "high"],
    ]);
  });

  it("the chart's default sources (service, ingress) do not read Gateways", () => {
    const byDefault = (tag: string) => release(tag).replace(`\n    sources: ["crd", "gateway-httproute"]`, "");
    expect(findings(review(byDefault("1.21.1"), gateway(TARGET(ALPHA)), byDefault("1.22.0"), gateway(TARGET(ALPHA))))).toEqual([]);
  });
});

describe("a controller that manages other records (--provider, --source, --domain-filter)", () => {
  const controller = (args: readonly string[]) => deployment(V21, args);
  const change = (before: readonly string[], after: readonly string[]) => {
    const result = review(controller(before), gateway(TARGET(ALPHA)), controller(after), gateway(TARGET(ALPHA)));
    return result.findings.map((finding) => [finding.class, finding.risk, finding.file]);
  };
  const AT = "networking/external-dns.yaml";
  const BASE = ["--source=gateway-httproute", "--provider=cloudflare", "--policy=sync", "--domain-filter=example.com"];

  it("another provider: the records move to another DNS service", () => {
    expect(
      change(
        BASE,
        BASE.map((arg) => arg.replace("cloudflare", "aws")),
      ),
    ).toEqual([["route.attachment-changed", "high", AT]]);
  });

  it("a source dropped: deleted under sync, left under upsert-only", () => {
    const withService = [...BASE, "--source=service"];
    expect(change(withService, BASE)).toEqual([["route.removed", "high", AT]]);
    const upsert = (args: readonly string[]) => args.map((arg) => arg.replace("sync", "upsert-only"));
    expect(change(upsert(withService), upsert(BASE))).toEqual([["resource.changed", "medium", AT]]);
    expect(change(BASE, withService)).toEqual([["route.added", "medium", AT]]);
  });

  it("zones: one dropped leaves its records unmanaged (medium), one added or the filter lifted publishes more", () => {
    const two = [...BASE, "--domain-filter=example.org"];
    expect(change(two, BASE)).toEqual([["resource.changed", "medium", AT]]);
    expect(change(BASE, two)).toEqual([["route.added", "medium", AT]]);
    expect(change(BASE, BASE.slice(0, 3))).toEqual([["route.added", "medium", AT]]);
  });

  it("a copy per cluster, each with its own zones, is each its own controller: a PR touching neither changes no record (szinn/k8s-homelab 042240ee71)", () => {
    const trees = (gatewayText: string) => ({
      "kubernetes/main/networking/external-dns.yaml": controller(BASE),
      "kubernetes/staging/networking/external-dns.yaml": controller([...BASE.slice(0, 3), "--domain-filter=test.example.com"]),
      "kubernetes/main/networking/gateway.yaml": gatewayText,
    });
    expect(analyze(trees(gateway(TARGET(ALPHA))), trees(gateway(TARGET(ALPHA), "internal"))).findings.map((f) => f.class)).not.toContain(
      "route.added",
    );
    const zonesNarrowed = analyze(trees(gateway(TARGET(ALPHA))), {
      ...trees(gateway(TARGET(ALPHA))),
      "kubernetes/staging/networking/external-dns.yaml": controller(BASE.slice(0, 3)),
    });
    expect(classesAndRisks(zonesNarrowed)).toEqual([["route.added", "medium"]]);
  });

  it("other flags, and a version bump within v0.21, change no record", () => {
    expect(change(BASE, [...BASE, "--interval=5m", "--log-level=debug"])).toEqual([]);
    expect(change(BASE, [...BASE.slice(1), BASE[0]!])).toEqual([]);
  });

  it("a value filled in elsewhere is not judged", () => {
    expect(
      change(
        BASE,
        BASE.map((arg) => arg.replace("example.com", "${SECRET_DOMAIN}")),
      ),
    ).toEqual([]);
  });
});

it("a release of external-dns's chart from a source the tree does not hold, its image tag bumped: its values may pin the prefix, so nothing is unread", () => {
  const release = (tag: string) => `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: external-dns, namespace: networking}
spec:
  chartRef: {kind: OCIRepository, name: external-dns, namespace: flux-system}
  values:
    image: {repository: registry.k8s.io/external-dns/external-dns, tag: ${tag}}
    annotationPrefix: ${ALPHA}
    sources: [gateway-httproute]
`;
  expect(findings(review(release("v0.21.0"), gateway(TARGET(ALPHA)), release("v0.22.0"), gateway(TARGET(ALPHA))))).toEqual([]);
});

it("each cluster's Gateways are read by that cluster's controllers: a bump in one flags only its own", () => {
  const TOPOLOGY = `topology:\n  clusters: {eu: europe-west1, us: us-east1}\n  placements: ["clusters/{cluster}/**"]\n`;
  const tree = (eu: string, us: string) => ({
    "clusters/eu/external-dns.yaml": deployment(eu),
    "clusters/eu/gateway.yaml": gateway(TARGET(ALPHA)),
    "clusters/us/external-dns.yaml": deployment(us),
    "clusters/us/gateway.yaml": gateway(TARGET(ALPHA)),
  });
  const result = analyze(tree(V21, V21), tree(V22, V21), TOPOLOGY);
  expect(result.findings.map((finding) => [finding.class, finding.risk, finding.file])).toEqual([
    ["route.attachment-changed", "high", "clusters/eu/gateway.yaml"],
  ]);
});

describe("a DNSEndpoint's Cloudflare settings, read under the controller's prefix since v0.22", () => {
  const endpoint = (proxied: string, target = "ingress.example.com") => `
apiVersion: externaldns.k8s.io/v1alpha1
kind: DNSEndpoint
metadata: {name: game, namespace: games}
spec:
  endpoints:
    - dnsName: game.example.com
      recordType: CNAME
      targets: [${target}]
      providerSpecific: [{name: ${proxied}, value: "false"}]
`;
  const cloudflare = (image: string) => deployment(image, ["--source=crd", "--provider=cloudflare", "--cloudflare-proxied"]);
  const tree = (controller: string, proxied: string, target?: string) => ({
    "networking/external-dns.yaml": controller,
    "games/dns.yaml": endpoint(proxied, target),
  });
  const onEndpoint = (result: ReturnType<typeof analyze>) =>
    result.findings.map((finding) => [finding.class, finding.risk, finding.summary.includes("which no external-dns controller")]);

  it("the bump leaves `cloudflare-proxied: false` unread: the controller's default decides (medium), its target edit beside it judged too", () => {
    const name = `${ALPHA}cloudflare-proxied`;
    expect(onEndpoint(analyze(tree(cloudflare(V21), name), tree(cloudflare(V22), name)))).toEqual([["resource.changed", "medium", true]]);
    expect(onEndpoint(analyze(tree(cloudflare(V21), name), tree(cloudflare(V22), name, "other.example.com")))).toEqual([
      ["route.attachment-changed", "high", false],
      ["resource.changed", "medium", true],
    ]);
  });

  it("moved to the prefix every controller reading it reads: low; while v0.21 still reads the alpha one: unread", () => {
    const [alpha, ga] = [`${ALPHA}cloudflare-proxied`, `${GA}cloudflare-proxied`];
    expect(findings(analyze(tree(cloudflare(V22), alpha), tree(cloudflare(V22), ga)))).toEqual([["resource.changed", "low"]]);
    expect(onEndpoint(analyze(tree(cloudflare(V21), alpha), tree(cloudflare(V21), ga)))).toEqual([["resource.changed", "medium", true]]);
    // No controller in the tree: each name judged as before.
    expect(findings(analyze({ "games/dns.yaml": endpoint(alpha) }, { "games/dns.yaml": endpoint(ga) }))).toEqual([
      ["resource.changed", "medium"],
      ["resource.changed", "medium"],
    ]);
  });
});

describe("a Gateway's spec.infrastructure.annotations: the Service generated for it, read by controllers of --source=service", () => {
  const withInfrastructure = (infrastructure: string, own = TARGET(GA)) =>
    gateway(own).replace(
      "  gatewayClassName: envoy\n",
      `  gatewayClassName: envoy\n  infrastructure:\n    annotations: {${infrastructure}}\n`,
    );
  const both = (image: string) => deployment(image, ["--source=gateway-httproute", "--source=service", "--provider=webhook"]);
  const HOSTNAME = (prefix: string) => `${prefix}hostname: external.example.com`;

  it("the bump leaves the generated Service's alpha hostname unread: its record is deleted, on the Gateway (joryirving/home-ops)", () => {
    const result = review(both(V21), withInfrastructure(HOSTNAME(ALPHA)), both(V22), withInfrastructure(HOSTNAME(ALPHA)));
    expect(findings(result)).toEqual([["route.removed", "high"]]);
    expect(result.findings[0]!.summary).toContain(
      "Gateway networking/external: spec.infrastructure (the Service generated for it) external-dns.alpha.kubernetes.io/hostname, which no external-dns controller reading it reads any more",
    );
    expect(result.findings[0]!.file).toBe("networking/gateway.yaml");
  });

  it("read only by controllers of Services: a bump of one reading routes alone loses none of them", () => {
    expect(
      findings(review(deployment(V21), withInfrastructure(HOSTNAME(ALPHA)), deployment(V22), withInfrastructure(HOSTNAME(ALPHA)))),
    ).toEqual([]);
  });

  it("harmless twins: under both prefixes, or the controller pinned to the alpha one", () => {
    const twice = withInfrastructure(`${HOSTNAME(ALPHA)}, ${HOSTNAME(GA)}`);
    expect(findings(review(both(V21), twice, both(V22), twice))).toEqual([]);
    const pinned = deployment(V22, ["--source=gateway-httproute", "--source=service", `--annotation-prefix=${ALPHA}`]);
    const alpha = withInfrastructure(HOSTNAME(ALPHA), TARGET(ALPHA));
    expect(findings(review(both(V21), alpha, pinned, alpha))).toEqual([]);
  });

  it("moved to the prefix every controller reads: low; to one none reads: the record deleted", () => {
    expect(findings(review(both(V22), withInfrastructure(HOSTNAME(ALPHA)), both(V22), withInfrastructure(HOSTNAME(GA))))).toEqual([
      ["resource.changed", "low"],
    ]);
    const old = both(V21);
    expect(
      findings(review(old, withInfrastructure(HOSTNAME(ALPHA), TARGET(ALPHA)), old, withInfrastructure(HOSTNAME(GA), TARGET(ALPHA)))),
    ).toEqual([["route.removed", "high"]]);
  });
});

describe("an object added with its settings only under a prefix no controller reading it reads", () => {
  const route = (annotations: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: networking
  annotations: {${annotations}}
spec:
  parentRefs: [{name: external}]
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{name: shop, port: 80}]}]
`;
  const added = (controller: string, annotations: string) =>
    analyze(
      { "networking/external-dns.yaml": controller, "networking/gateway.yaml": gateway(TARGET(GA)) },
      {
        "networking/external-dns.yaml": controller,
        "networking/gateway.yaml": gateway(TARGET(GA)),
        "networking/route.yaml": route(annotations),
      },
    );
  const onRoute = (result: ReturnType<typeof analyze>) =>
    result.findings.filter((finding) => finding.summary.includes("external-dns")).map((finding) => [finding.class, finding.risk]);

  it("publishes without them: medium, said so (a new route serves no one yet)", () => {
    const result = added(deployment(V22), `${ALPHA}ttl: "60"`);
    expect(onRoute(result)).toEqual([["resource.changed", "medium"]]);
    expect(result.findings.find((finding) => finding.summary.includes("external-dns"))!.summary).toContain(
      "a new object serves no one yet",
    );
  });

  it("an opt-out no controller reads: its names are published all the same (medium)", () => {
    expect(onRoute(added(deployment(V22), `${ALPHA}controller: none`))).toEqual([["route.added", "medium"]]);
  });

  it("harmless twins: under the prefix read, under both, pinned, no controller in the tree", () => {
    expect(onRoute(added(deployment(V22), `${GA}ttl: "60"`))).toEqual([]);
    expect(onRoute(added(deployment(V22), `${ALPHA}ttl: "60", ${GA}ttl: "60"`))).toEqual([]);
    expect(onRoute(added(deployment(V22, ["--source=gateway-httproute", `--annotation-prefix=${ALPHA}`]), `${ALPHA}ttl: "60"`))).toEqual(
      [],
    );
    expect(onRoute(added(deployment(V21), `${ALPHA}ttl: "60"`))).toEqual([]);
    const bare = analyze(
      { "networking/gateway.yaml": gateway(TARGET(GA)) },
      {
        "networking/gateway.yaml": gateway(TARGET(GA)),
        "networking/route.yaml": route(`${ALPHA}ttl: "60"`),
      },
    );
    expect(onRoute(bare)).toEqual([]);
  });
});

describe("the `controller` opt-out (anything but dns-controller: external-dns ignores the object)", () => {
  const optOut = (prefix: string) => `${prefix}controller: none`;

  it("lost to the bump: the controller publishes the object's names (route.added, was low)", () => {
    expect(findings(review(deployment(V21), gateway(optOut(ALPHA)), deployment(V22), gateway(optOut(ALPHA))))).toEqual([
      ["route.added", "medium"],
    ]);
    // Under both prefixes, or pinned: still opted out.
    const both = `${optOut(ALPHA)}, ${optOut(GA)}`;
    expect(findings(review(deployment(V21), gateway(both), deployment(V22), gateway(both)))).toEqual([]);
  });

  it("removed by an edit: route.added; added: the records go (route.removed); set to dns-controller: no longer opted out", () => {
    const edit = (before: string, after: string) =>
      findings(analyze({ "networking/gateway.yaml": gateway(before) }, { "networking/gateway.yaml": gateway(after) }));
    expect(edit(`${optOut(GA)}, ${TARGET(GA)}`, TARGET(GA))).toEqual([["route.added", "medium"]]);
    expect(edit(TARGET(GA), `${optOut(GA)}, ${TARGET(GA)}`)).toEqual([["route.removed", "high"]]);
    expect(edit(optOut(GA), `${GA}controller: dns-controller`)).toEqual([["route.added", "medium"]]);
    expect(edit(optOut(GA), `${GA}controller: other`)).toEqual([["resource.changed", "low"]]);
  });
});

describe("an opt-out gained where other objects keep publishing its names (rwlove/home-ops: two publishers of one name, a CNAME flap)", () => {
  const optOut = `${GA}controller: none`;
  const route = (name: string, annotations: string, hostname = "app.example.com", namespace = "apps") => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${namespace}, annotations: {${annotations}}}
spec:
  parentRefs: [{name: external, namespace: networking}]
  hostnames: [${hostname}]
  rules: [{backendRefs: [{name: app, port: 80}]}]
`;
  const controller = (args: readonly string[] = []) => deployment(V22, ["--source=gateway-httproute", "--provider=cloudflare", ...args]);
  const judge = (
    before: Record<string, string>,
    after: Record<string, string>,
    controllers = { "networking/external-dns.yaml": controller() } as Record<string, string>,
  ) => findings(analyze({ ...controllers, ...before }, { ...controllers, ...after }));
  const twin = route("twin", `${GA}hostname: app.example.com`, "other.example.com");

  it("a second route still publishing the name: low, naming the object that keeps it", () => {
    const result = analyze(
      { "networking/external-dns.yaml": controller(), "apps/a.yaml": route("app", ""), "apps/b.yaml": twin },
      { "networking/external-dns.yaml": controller(), "apps/a.yaml": route("app", optOut), "apps/b.yaml": twin },
    );
    expect(classesAndRisks(result)).toEqual([["resource.changed", "low"]]);
    expect(result.findings[0]!.summary).toContain("HTTPRoute apps/twin (app.example.com)");
  });

  it("dangerous neighbours stay high: the other publishes only some names, is opted out or removed in the PR, or sits in another cluster", () => {
    const two = route("app", "", "app.example.com, api.example.com");
    expect(
      judge(
        { "apps/a.yaml": two, "apps/b.yaml": twin },
        { "apps/a.yaml": route("app", optOut, "app.example.com, api.example.com"), "apps/b.yaml": twin },
      ),
    ).toEqual([["route.removed", "high"]]);
    const twinOut = route("twin", `${GA}hostname: app.example.com, ${optOut}`, "other.example.com");
    expect(
      judge({ "apps/a.yaml": route("app", ""), "apps/b.yaml": twin }, { "apps/a.yaml": route("app", optOut), "apps/b.yaml": twinOut }),
    ).toContainEqual(["route.removed", "high"]);
    expect(judge({ "apps/a.yaml": route("app", ""), "apps/b.yaml": twin }, { "apps/a.yaml": route("app", optOut) })).toContainEqual([
      "route.removed",
      "high",
    ]);
    // No controller in the tree: the same cluster and API group stand for the same reader.
    const placed = `topology:\n  clusters: {eu: europe-west1, us: us-east1}\n  placements: ["clusters/{cluster}/**"]\n`;
    const clusters = (other: string) =>
      findings(
        analyze(
          { "clusters/eu/a.yaml": route("app", ""), [`clusters/${other}/b.yaml`]: twin },
          { "clusters/eu/a.yaml": route("app", optOut), [`clusters/${other}/b.yaml`]: twin },
          placed,
        ),
      );
    expect(clusters("us")).toEqual([["route.removed", "high"]]);
    expect(clusters("eu")).toEqual([["resource.changed", "low"]]);
  });

  it("a Gateway opted out while its route keeps the name: low; a route on it without hostnames (its listener's) keeps it high", () => {
    const gw = (annotations: string) => gateway(`${GA}hostname: app.example.com${annotations}`);
    const attached = { "apps/a.yaml": route("app", "") };
    expect(
      judge({ "networking/gateway.yaml": gw(""), ...attached }, { "networking/gateway.yaml": gw(`, ${optOut}`), ...attached }),
    ).toEqual([["resource.changed", "low"]]);
    const bare = { "apps/a.yaml": route("app", "").replace("hostnames: [app.example.com]", "") };
    expect(judge({ "networking/gateway.yaml": gw(""), ...bare }, { "networking/gateway.yaml": gw(`, ${optOut}`), ...bare })).toEqual([
      ["route.removed", "high"],
    ]);
  });

  it("another controller reads the other publisher: high", () => {
    const services = deployment(V22, ["--source=service", "--provider=cloudflare"], "external-dns-svc");
    const service = `
apiVersion: v1
kind: Service
metadata: {name: app, namespace: apps, annotations: {${GA}hostname: app.example.com}}
spec: {type: LoadBalancer, ports: [{port: 80}]}
`;
    const controllers = { "networking/external-dns.yaml": controller(), "networking/external-dns-svc.yaml": services };
    expect(
      judge(
        { "apps/a.yaml": route("app", ""), "apps/s.yaml": service },
        { "apps/a.yaml": route("app", optOut), "apps/s.yaml": service },
        controllers,
      ),
    ).toEqual([["route.removed", "high"]]);
  });

  it("under --policy=upsert-only external-dns deletes no record: medium, saying why", () => {
    const controllers = { "networking/external-dns.yaml": controller(["--policy=upsert-only"]) };
    const result = analyze({ ...controllers, "apps/a.yaml": route("app", "") }, { ...controllers, "apps/a.yaml": route("app", optOut) });
    expect(classesAndRisks(result)).toEqual([["resource.changed", "medium"]]);
    expect(result.findings[0]!.summary).toContain("--policy=upsert-only it deletes no record");
    const sync = { "networking/external-dns.yaml": controller(["--policy=sync"]) };
    expect(judge({ "apps/a.yaml": route("app", "") }, { "apps/a.yaml": route("app", optOut) }, sync)).toEqual([["route.removed", "high"]]);
  });
});

describe("two controllers reading one Gateway: each publishes its own records (rwlove/home-ops d84a132dff)", () => {
  const bind = (image: string) => deployment(image, ["--source=gateway-httproute", "--provider=rfc2136"], "external-dns-bind");
  const cloudflare = (image: string, ...filters: string[]) =>
    deployment(image, ["--source=gateway-httproute", "--provider=cloudflare", ...filters], "external-dns-cloudflare");
  const internal = (annotations: string, labels = "{}") =>
    gateway(annotations, "internal").replace("  annotations:", `  labels: ${labels}\n  annotations:`);
  const tree = (bindImage: string, other: string, gatewayYaml: string) => ({
    "networking/bind.yaml": bind(bindImage),
    "networking/cloudflare.yaml": other,
    "networking/gateway.yaml": gatewayYaml,
  });
  const bump = (other: string, gatewayYaml = internal(TARGET(ALPHA))) =>
    analyze(tree(V21, other, gatewayYaml), tree(V22, other, gatewayYaml));

  it("bind bumped to v0.22 while cloudflare still reads the alpha prefix: bind's records are retargeted, high, naming bind", () => {
    const result = bump(cloudflare(V21));
    expect(findings(result)).toEqual([["route.attachment-changed", "high"]]);
    expect(result.findings[0]!.summary).toContain(
      "which Deployment networking/external-dns-bind (v0.22.0), reading it, no longer reads (Deployment networking/external-dns-bind (v0.22.0) reads external-dns.kubernetes.io/), so its records lose it though Deployment networking/external-dns-cloudflare (v0.21.0) reads external-dns.alpha.kubernetes.io/",
    );
  });

  it("cloudflare's --gateway-label-filter leaves the internal Gateway to bind alone: high, as bind's only", () => {
    const result = bump(cloudflare(V21, "--gateway-label-filter=type=external"));
    expect(findings(result)).toEqual([["route.attachment-changed", "high"]]);
    expect(result.findings[0]!.summary).toContain(
      "which no external-dns controller reading it reads any more (Deployment networking/external-dns-bind",
    );
  });

  it("both still read the prefix the settings sit under, or they sit under both: nothing lost", () => {
    const pinned = deployment(
      V22,
      ["--source=gateway-httproute", "--provider=rfc2136", `--annotation-prefix=${ALPHA}`],
      "external-dns-bind",
    );
    const both = tree(V22, cloudflare(V21), internal(TARGET(ALPHA)));
    expect(findings(analyze({ ...both, "networking/bind.yaml": bind(V21) }, { ...both, "networking/bind.yaml": pinned }))).toEqual([]);
    expect(findings(bump(cloudflare(V21), internal(`${TARGET(ALPHA)}, ${TARGET(GA)}`)))).toEqual([]);
  });

  it("the changed controller filtered away from the Gateway before and after: nothing it published is lost", () => {
    const external = (image: string) =>
      deployment(
        image,
        ["--source=gateway-httproute", "--provider=cloudflare", "--gateway-label-filter=type in (external)"],
        "external-dns-cloudflare",
      );
    const bindOld = deployment(V21, ["--source=gateway-httproute", "--provider=rfc2136"], "external-dns-bind");
    const files = (image: string) => ({
      "networking/bind.yaml": bindOld,
      "networking/cloudflare.yaml": external(image),
      "networking/gateway.yaml": internal(TARGET(ALPHA)),
    });
    expect(findings(analyze(files(V21), files(V22)))).toEqual([]);
    // The dangerous neighbour: the Gateway carries the label the filter selects.
    const labelled = (image: string) => ({ ...files(image), "networking/gateway.yaml": internal(TARGET(ALPHA), "{type: external}") });
    expect(findings(analyze(labelled(V21), labelled(V22)))).toEqual([["route.attachment-changed", "high"]]);
  });

  it("a filter that cannot be told (a variable, a selector not parsed) may read the Gateway: still high, with a note", () => {
    const unsure = (image: string, filter: string) =>
      deployment(image, ["--source=gateway-httproute", "--provider=cloudflare", filter], "external-dns-cloudflare");
    for (const filter of ["--gateway-label-filter=type=${GATEWAY_TYPE}", "--gateway-label-filter=tier>1"]) {
      const files = (image: string) => ({
        "networking/bind.yaml": bind(V21),
        "networking/cloudflare.yaml": unsure(image, filter),
        "networking/gateway.yaml": internal(TARGET(ALPHA)),
      });
      const result = analyze(files(V21), files(V22));
      expect(findings(result)).toEqual([["route.attachment-changed", "high"]]);
      expect(result.findings[0]!.summary).toContain(
        "whether Deployment networking/external-dns-cloudflare (v0.22.0) reads this object at all cannot be told",
      );
    }
  });

  it("--namespace, --label-filter and --annotation-filter select the Services a controller reads; Gateways only by their own filters", () => {
    const service = (annotations: string) => `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps, annotations: {${annotations}}}
spec: {type: LoadBalancer, ports: [{port: 443}]}
`;
    const hostname = `${ALPHA}hostname: web.example.com`;
    const controller = (image: string, filter: string) =>
      deployment(image, ["--source=service", "--provider=cloudflare", filter], "external-dns-cloudflare");
    const run = (filter: string, annotations = hostname) => {
      const files = (image: string) => ({ "networking/c.yaml": controller(image, filter), "apps/svc.yaml": service(annotations) });
      return findings(analyze(files(V21), files(V22)));
    };
    expect(run("--namespace=networking")).toEqual([]);
    expect(run("--namespace=apps")).toEqual([["route.removed", "high"]]);
    expect(run("--annotation-filter=kubernetes.io/ingress.class in (public)")).toEqual([]);
    expect(run("--annotation-filter=kubernetes.io/ingress.class in (public)", `${hostname}, kubernetes.io/ingress.class: public`)).toEqual([
      ["route.removed", "high"],
    ]);
    // Its labels are not read here: a label filter may select it.
    expect(run("--label-filter=expose=true")).toEqual([["route.removed", "high"]]);
    // --gateway-namespace does not select Services.
    expect(run("--gateway-namespace=networking")).toEqual([["route.removed", "high"]]);
  });
});

import { describe, expect, it } from "vitest";
import { meshHost } from "../../../src/families/istio/flows.js";
import { analyze, classesOf } from "../../helpers/review-trees.js";

const virtualService = (spec: string, namespace = "shop") => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: shop, namespace: ${namespace} }
spec:
${spec}`;

const flowsOf = (spec: string, namespace?: string) => [
  ...analyze({}, { "vs.yaml": virtualService(spec, namespace) }).head.model.flows.values(),
];

describe("VirtualService match gateways (http[].match[].gateways)", () => {
  const spec = (adminGateways: string) => `  hosts: [shop.example.com]
  gateways: [istio-system/public-gw, mesh]
  http:
  - match:
    - uri: { prefix: /admin }${adminGateways}
    route: [{ destination: { host: admin } }]
  - route: [{ destination: { host: shop } }]`;

  it("an alternative limited to mesh has no flow on the public gateway", () => {
    const flows = flowsOf(spec("\n      gateways: [mesh]")).map((flow) => `${flow.entry} ${flow.match}`);
    expect(flows.sort()).toEqual(["Gateway istio-system/public-gw PathPrefix /", "mesh PathPrefix /", "mesh PathPrefix /admin"]);
  });

  it("a rule keeps, per gateway, only the alternatives that apply there", () => {
    const flows = flowsOf(`  hosts: [shop.example.com]
  gateways: [public-gw, mesh]
  http:
  - match:
    - uri: { prefix: /admin }
      gateways: [mesh]
    - uri: { prefix: /status }
    route: [{ destination: { host: admin } }]`);
    expect(flows.map((flow) => `${flow.entry}: ${flow.match}`).sort()).toEqual([
      "Gateway shop/public-gw: PathPrefix /status",
      "mesh: PathPrefix /admin | PathPrefix /status",
    ]);
  });

  it("removing `gateways: [mesh]` from the /admin match exposes it on the public gateway: route.added there", () => {
    const result = analyze({ "vs.yaml": virtualService(spec("\n      gateways: [mesh]")) }, { "vs.yaml": virtualService(spec("")) });
    expect(classesOf(result)).toEqual(["route.added"]);
    expect(result.findings[0]!.summary).toBe("shop.example.com /admin via Gateway istio-system/public-gw: new rule → admin 100%");
  });
});

describe("VirtualService hosts: the in-cluster spellings of one service are one host", () => {
  it.each([
    ["reviews", "reviews.bookinfo"],
    ["reviews.bookinfo", "reviews.bookinfo"],
    ["reviews.bookinfo.svc", "reviews.bookinfo"],
    ["reviews.bookinfo.svc.cluster.local", "reviews.bookinfo"],
    ["ratings.other.svc.cluster.local", "ratings.other"],
    ["ratings.other", "ratings.other"],
    ["shop.example.com", "shop.example.com"],
    ["*.bookinfo.svc.cluster.local", "*.bookinfo.svc.cluster.local"],
  ])("%s in bookinfo is %s", (host, short) => expect(meshHost(host, "bookinfo")).toBe(short));

  it("qualifying `reviews` to its FQDN is no route change", () => {
    const spec = (host: string) =>
      `  hosts: [${host}]\n  http:\n  - route: [{ destination: { host: reviews, subset: v1 }, weight: 90 }, { destination: { host: reviews, subset: v2 }, weight: 10 }]`;
    const result = analyze(
      { "vs.yaml": virtualService(spec("reviews"), "bookinfo") },
      { "vs.yaml": virtualService(spec("reviews.bookinfo.svc.cluster.local"), "bookinfo") },
    );
    expect(result.routeDiffs).toEqual([]);
    expect(classesOf(result).filter((c) => c.startsWith("route.") || c.startsWith("backend."))).toEqual([]);
  });
});

describe("VirtualService hosts are keyed as istiod resolves them, whatever namespace the VirtualService is in", () => {
  const spec = (host: string) =>
    `  hosts: [${host}]\n  http:\n  - route: [{ destination: { host: reviews.bookinfo.svc.cluster.local, subset: v1 }, weight: 90 }, { destination: { host: reviews.bookinfo.svc.cluster.local, subset: v2 }, weight: 10 }]`;

  it("a mesh VirtualService moved into its host's namespace routes the same host: no route change", () => {
    const result = analyze(
      { "vs.yaml": virtualService(spec("reviews.bookinfo.svc.cluster.local"), "default") },
      { "vs.yaml": virtualService(spec("reviews.bookinfo.svc.cluster.local"), "bookinfo") },
    );
    expect(result.routeDiffs).toEqual([]);
    expect(classesOf(result)).toEqual(["resource.changed"]);
  });

  it("a dotless host kept by a VirtualService moved to another namespace is that namespace's service: removed there, added here", () => {
    const result = analyze(
      { "vs.yaml": virtualService(spec("reviews"), "bookinfo") },
      { "vs.yaml": virtualService(spec("reviews"), "staging") },
    );
    expect(result.findings.filter((f) => f.class.startsWith("route.")).map((f) => `${f.risk} ${f.class}: ${f.summary}`)).toEqual([
      "high route.removed: reviews.bookinfo via mesh: no longer served (was → v1 90%, v2 10%)",
      "medium route.added: reviews.staging via mesh: new rule → v1 90%, v2 10%",
    ]);
  });
});

describe("a mesh VirtualService a Sidecar imports by its namespace is seen by that Sidecar's workloads only while it lives there", () => {
  const sidecar = (hosts: string) => `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: default, namespace: web }
spec:
  egress:
  - hosts: [${hosts}]`;
  const spec = `  hosts: [reviews.bookinfo.svc.cluster.local]\n  http:\n  - route: [{ destination: { host: reviews.bookinfo.svc.cluster.local, subset: v1 } }]`;
  // A DestinationRule of the VirtualService's name: the name is named elsewhere, so the move is judged as removed and added.
  const rule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: shop, namespace: bookinfo }
spec: { host: reviews.bookinfo.svc.cluster.local, subsets: [{ name: v1, labels: { version: v1 } }] }`;

  it("its mesh flows carry those Sidecars; its gateway flows do not", () => {
    const flows = [
      ...analyze(
        {},
        {
          "vs.yaml": virtualService(spec.replace("  http:", "  gateways: [mesh, public-gw]\n  http:"), "bookinfo"),
          "sidecar.yaml": sidecar('"./*", "bookinfo/*"'),
        },
      ).head.model.flows.values(),
    ];
    expect(flows.map((flow) => `${flow.entry}: ${flow.audience ?? "(every client)"}`).sort()).toEqual([
      "Gateway bookinfo/public-gw: (every client)",
      "mesh: Sidecar web/default",
    ]);
  });

  it("moved out of that namespace, it is no longer served to them, though its flows read alike", () => {
    const result = analyze(
      { "vs.yaml": virtualService(spec, "bookinfo"), "dr.yaml": rule, "sidecar.yaml": sidecar('"./*", "bookinfo/*"') },
      { "vs.yaml": virtualService(spec, "routing"), "dr.yaml": rule, "sidecar.yaml": sidecar('"./*", "bookinfo/*"') },
    );
    expect(result.findings.filter((f) => f.class.startsWith("route.")).map((f) => `${f.risk} ${f.class}: ${f.summary}`)).toEqual([
      "high route.removed: reviews.bookinfo (as Sidecar web/default imports it) via mesh: no longer served (was → v1 100%)",
      "medium route.added: reviews.bookinfo via mesh: new rule → v1 100%",
    ]);
  });

  it.each([
    ["a Sidecar added that imports it", "", sidecar('"./*", "bookinfo/*"')],
    ["a Sidecar that stops importing it", sidecar('"./*", "bookinfo/*"'), sidecar('"./*"')],
  ])("left where it is, %s changes none of its routes (the Sidecar is judged itself)", (_, before, after) => {
    const tree = (imports: string) => ({ "vs.yaml": virtualService(spec, "bookinfo"), ...(imports ? { "sidecar.yaml": imports } : {}) });
    const result = analyze(tree(before), tree(after));
    expect(result.routeDiffs).toEqual([]);
    expect(classesOf(result).filter((c) => c.startsWith("route.") || c.startsWith("backend."))).toEqual([]);
  });
});

describe("VirtualService match signature", () => {
  it("ignoreUriCase is part of what the rule captures", () => {
    const spec = (extra: string) =>
      `  hosts: [shop.example.com]\n  http:\n  - match: [{ uri: { prefix: /Admin }${extra} }]\n    route: [{ destination: { host: admin } }]`;
    const result = analyze({ "vs.yaml": virtualService(spec("")) }, { "vs.yaml": virtualService(spec(", ignoreUriCase: true")) });
    expect(classesOf(result)).toContain("route.match-changed");
    expect(result.routeDiffs[0]!.head!.match).toBe("PathPrefix /Admin, ignore-uri-case");
  });
});

describe("a gateway reference however Istio lets it be written (flagger eb302fe)", () => {
  const GATEWAY = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: public-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }]
`;
  const spec = (gateway: string) => `  hosts: [shop.example.com]
  gateways: [${gateway}]
  http:
  - route: [{ destination: { host: shop } }]`;

  it("name.namespace.svc.cluster.local, name.namespace and namespace/name are one gateway; ./name and name the referrer's namespace", () => {
    for (const written of ["public-gateway.istio-system.svc.cluster.local", "public-gateway.istio-system", "istio-system/public-gateway"])
      expect(flowsOf(spec(written)).map((flow) => flow.entry)).toEqual(["Gateway istio-system/public-gateway"]);
    for (const written of ["./public-gateway", "public-gateway"])
      expect(flowsOf(spec(written), "istio-system").map((flow) => flow.entry)).toEqual(["Gateway istio-system/public-gateway"]);
  });

  it("a change of spelling is no change, and the gateway is found in the repository", () => {
    const base = { "gw.yaml": GATEWAY, "vs.yaml": virtualService(spec("istio-system/public-gateway")) };
    const head = { "gw.yaml": GATEWAY, "vs.yaml": virtualService(spec("public-gateway.istio-system.svc.cluster.local")) };
    expect(classesOf(analyze(base, head))).toEqual(["resource.changed"]);
    expect(classesOf(analyze({ "gw.yaml": GATEWAY }, head))).not.toContain("reference.broken");
  });
});

describe("VirtualService tls rules: a match's SNI hosts are the hosts it takes", () => {
  const spec = `  hosts: [legacy.example.com, vault.example.com, "*.internal.example.com"]
  gateways: [istio-ingress/passthrough-gw]
  tls:
  - match: [{ port: 443, sniHosts: [legacy.example.com] }]
    route: [{ destination: { host: legacy-app.legacy.svc.cluster.local } }]
  - match: [{ port: 443, sniHosts: [vault.example.com, db.internal.example.com] }]
    route: [{ destination: { host: vault.legacy.svc.cluster.local } }]
  - match: [{ port: 443 }]
    route: [{ destination: { host: fallback.legacy.svc.cluster.local } }]`;

  it("each rule has flows for the hosts its SNI hosts fall within (a wildcard host takes the names below it), a rule testing none for every host", () => {
    const flows = flowsOf(spec).map((flow) => `${flow.host}: ${flow.match}`);
    expect(flows.sort()).toEqual([
      "*.internal.example.com (tls): port 443",
      "*.internal.example.com (tls): port 443, sni db.internal.example.com, sni vault.example.com",
      "legacy.example.com (tls): port 443",
      "legacy.example.com (tls): port 443, sni legacy.example.com",
      "vault.example.com (tls): port 443",
      "vault.example.com (tls): port 443, sni db.internal.example.com, sni vault.example.com",
    ]);
  });

  it("two rules of other SNI hosts swapped moves nothing", () => {
    const rules = spec.split("\n  - ");
    const swapped = [rules[0], rules[2], rules[1], rules[3]].join("\n  - ");
    expect(classesOf(analyze({ "vs.yaml": virtualService(spec) }, { "vs.yaml": virtualService(swapped) }))).toEqual(["resource.changed"]);
  });
});

describe("VirtualService hosts on an Istio Gateway of the tree: intersected with the server hosts that admit them", () => {
  const gateway = (hosts: string) => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: public-gw, namespace: istio-ingress }
spec:
  servers:
  - port: { number: 443, name: https, protocol: HTTPS }
    hosts: [${hosts}]
`;
  const storefront = (hosts: string) =>
    virtualService(`  hosts: [${hosts}]
  gateways: [istio-ingress/public-gw, mesh]
  http:
  - route: [{ destination: { host: web } }]`);
  const hostsAt = (hosts: string, serverHosts: string) =>
    [...analyze({}, { "gw.yaml": gateway(serverHosts), "vs.yaml": storefront(hosts) }).head.model.flows.values()]
      .map((flow) => `${flow.entry} ${flow.host}`)
      .sort();

  it("a wildcard host serves only the names the servers admit for its namespace; the mesh keeps it whole", () => {
    expect(hostsAt('"*.example.com"', '"shop/shop.example.com", "other/api.example.com"')).toEqual([
      "Gateway istio-ingress/public-gw shop.example.com",
      "mesh *.example.com",
    ]);
  });

  it("widened from the one host the Gateway admits, it serves that host still there: only the mesh gains hosts", () => {
    const tree = (hosts: string) => ({ "gw.yaml": gateway('"shop/shop.example.com"'), "vs.yaml": storefront(hosts) });
    const result = analyze(tree("shop.example.com"), tree('"*.example.com"'));
    expect(result.findings.filter((finding) => finding.class.startsWith("route.")).map((finding) => finding.summary)).toEqual([
      expect.stringMatching(/^\*\.example\.com via mesh: new rule/),
    ]);
  });

  it("a host no server admits is kept as written, and so are all where the server takes any host", () => {
    expect(hostsAt("shop.example.com", '"other/shop.example.com"')).toContain("Gateway istio-ingress/public-gw shop.example.com");
    expect(hostsAt('"*.example.com"', '"*/*"')).toContain("Gateway istio-ingress/public-gw *.example.com");
  });
});
